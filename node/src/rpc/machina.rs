//! The `machina_*` RPC namespace. Domain pallets add their query methods here, each
//! backed by a runtime API so that answers come from chain state, not node memory.

use std::sync::Arc;

use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::{error::ErrorObject, ErrorObjectOwned},
};
use machina_runtime::{opaque::Block, AccountId, Balance, BlockNumber};
use pallet_device_registry::runtime_api::DeviceRegistryApi;
use serde::{Deserialize, Serialize};
use sp_api::{Core, ProvideRuntimeApi};
use sp_blockchain::HeaderBackend;
use sp_core::H256;

/// How this node runs: fixed at start-up.
#[derive(Clone, Debug)]
pub struct NodeFacts {
	/// The node's version (`machina-node --version`).
	pub node_version: String,
	/// The chain spec's name.
	pub chain_name: String,
	/// `true` for `--dev` (manual seal, no relay chain).
	pub dev_mode: bool,
	/// The dev-mode block time in milliseconds, `None` when following a relay chain.
	pub dev_block_time_ms: Option<u64>,
}

/// The answer of `machina_nodeInfo`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeInfo {
	/// The node's version.
	pub node_version: String,
	/// The chain spec's name.
	pub chain_name: String,
	/// Whether the node runs in `--dev` mode.
	pub dev_mode: bool,
	/// The dev-mode block time in milliseconds.
	pub dev_block_time_ms: Option<u64>,
	/// The parachain id, read from the runtime at the best block.
	pub para_id: u32,
	/// The runtime's `spec_name` at the best block.
	pub spec_name: String,
	/// The runtime's `spec_version` at the best block.
	pub spec_version: u32,
	/// The best block's number.
	pub best_number: u32,
	/// The best block's hash, `0x`-prefixed hex.
	pub best_hash: String,
	/// The finalized block's number.
	pub finalized_number: u32,
}

/// A public key, tagged by algorithm.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyJson {
	/// `p256` (SEC1 compressed), `ed25519` or `sr25519`.
	pub algorithm: String,
	/// `0x`-prefixed hex.
	pub public: String,
}

/// A device as `machina_device` and `machina_devicesOf` report it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceJson {
	/// The device id (blake2-256 of the hardware key), `0x` hex.
	pub id: String,
	/// `Active`, `Stale`, `Revoked` or `Suspended`, at the queried block.
	pub status: String,
	/// The owner, SS58.
	pub owner: String,
	/// The committed bond, in plancks, as a decimal string (it can exceed 2^53).
	pub bond: String,
	/// The manufacturer id.
	pub manufacturer: u32,
	/// The index of the root its attestation chains to.
	pub root: u8,
	/// The hardware key.
	pub hardware_key: KeyJson,
	/// The operational key.
	pub operational_key: KeyJson,
	/// Certificate serials, leaf first, `0x` hex.
	pub serials: Vec<String>,
	/// The H3 cell, as the usual 15-digit hex string (e.g. `8928308280fffff`).
	pub location: Option<String>,
	/// The block it registered in.
	pub registered_at: u32,
	/// The block its last attestation was accepted in.
	pub attested_at: u32,
}

/// A manufacturer as `machina_manufacturer` reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManufacturerJson {
	pub id: u32,
	/// The name, as UTF-8 (lossy).
	pub name: String,
	/// `Active` or `Suspended`.
	pub status: String,
	/// Root keys by index, with their revocation flag.
	pub roots: Vec<RootJson>,
	/// Devices registered under it.
	pub devices: u32,
}

/// A manufacturer's root key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RootJson {
	pub key: KeyJson,
	pub revoked: bool,
}

#[rpc(server)]
pub trait MachinaApi {
	/// The node's version and mode, and the runtime's identity and para id at the best
	/// block.
	#[method(name = "machina_nodeInfo")]
	fn node_info(&self) -> RpcResult<NodeInfo>;

	/// A registered device, at block `at` (default: best).
	#[method(name = "machina_device")]
	fn device(&self, id: H256, at: Option<H256>) -> RpcResult<Option<DeviceJson>>;

	/// Up to `limit` (default and maximum 100) devices of `owner` after `cursor`, the id
	/// of the last device of the previous page.
	#[method(name = "machina_devicesOf")]
	fn devices_of(
		&self,
		owner: AccountId,
		cursor: Option<H256>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<Vec<DeviceJson>>;

	/// A manufacturer, at block `at` (default: best).
	#[method(name = "machina_manufacturer")]
	fn manufacturer(&self, id: u32, at: Option<H256>) -> RpcResult<Option<ManufacturerJson>>;
}

fn hex0x(bytes: &[u8]) -> String {
	format!("0x{}", hex::encode(bytes))
}

fn public_key_json(key: &pallet_device_registry::PublicKey) -> KeyJson {
	use pallet_device_registry::PublicKey;
	match key {
		PublicKey::P256(k) => KeyJson { algorithm: "p256".into(), public: hex0x(k) },
		PublicKey::Ed25519(k) => KeyJson { algorithm: "ed25519".into(), public: hex0x(k) },
	}
}

fn operational_key_json(key: &machina_primitives::OperationalKey) -> KeyJson {
	use machina_primitives::OperationalKey;
	match key {
		OperationalKey::Ed25519(k) => KeyJson { algorithm: "ed25519".into(), public: hex0x(k.as_ref()) },
		OperationalKey::Sr25519(k) => KeyJson { algorithm: "sr25519".into(), public: hex0x(k.as_ref()) },
	}
}

fn device_json(view: pallet_device_registry::DeviceView<AccountId, Balance, BlockNumber>) -> DeviceJson {
	use sp_core::crypto::Ss58Codec;
	let d = view.device;
	DeviceJson {
		id: hex0x(view.id.as_bytes()),
		status: format!("{:?}", view.status),
		owner: d.owner.to_ss58check(),
		bond: d.bond.to_string(),
		manufacturer: d.manufacturer,
		root: d.root,
		hardware_key: public_key_json(&d.hardware_key),
		operational_key: operational_key_json(&d.operational_key),
		serials: d.serials.iter().map(|s| hex0x(s)).collect(),
		location: d.location.map(|c| format!("{:x}", c.index())),
		registered_at: d.registered_at,
		attested_at: d.attested_at,
	}
}

/// The `machina_*` methods.
pub struct Machina<C> {
	client: Arc<C>,
	facts: NodeFacts,
}

impl<C> Machina<C> {
	pub fn new(client: Arc<C>, facts: NodeFacts) -> Self {
		Self { client, facts }
	}
}

/// The error code of a runtime API call that failed.
pub const RUNTIME_ERROR: i32 = 1;

fn runtime_error(e: impl std::fmt::Display) -> ErrorObjectOwned {
	ErrorObject::owned(RUNTIME_ERROR, "Runtime API call failed", Some(e.to_string()))
}

impl<C> MachinaApiServer for Machina<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: cumulus_primitives_core::GetParachainInfo<Block>
		+ Core<Block>
		+ DeviceRegistryApi<Block, AccountId, Balance, BlockNumber>,
{
	fn node_info(&self) -> RpcResult<NodeInfo> {
		use cumulus_primitives_core::GetParachainInfo;

		let info = self.client.info();
		let api = self.client.runtime_api();
		let version = api.version(info.best_hash).map_err(runtime_error)?;
		let para_id = api.parachain_id(info.best_hash).map_err(runtime_error)?;
		Ok(NodeInfo {
			node_version: self.facts.node_version.clone(),
			chain_name: self.facts.chain_name.clone(),
			dev_mode: self.facts.dev_mode,
			dev_block_time_ms: self.facts.dev_block_time_ms,
			para_id: para_id.into(),
			spec_name: version.spec_name.to_string(),
			spec_version: version.spec_version,
			best_number: info.best_number,
			best_hash: format!("{:?}", info.best_hash),
			finalized_number: info.finalized_number,
		})
	}

	fn device(&self, id: H256, at: Option<H256>) -> RpcResult<Option<DeviceJson>> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		let view = self.client.runtime_api().device(at, id).map_err(runtime_error)?;
		Ok(view.map(device_json))
	}

	fn devices_of(
		&self,
		owner: AccountId,
		cursor: Option<H256>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<Vec<DeviceJson>> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		let limit = limit.unwrap_or(pallet_device_registry::MAX_DEVICES_PER_PAGE);
		let views = self.client.runtime_api().devices_of(at, owner, cursor, limit).map_err(runtime_error)?;
		Ok(views.into_iter().map(device_json).collect())
	}

	fn manufacturer(&self, id: u32, at: Option<H256>) -> RpcResult<Option<ManufacturerJson>> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		let view = self.client.runtime_api().manufacturer(at, id).map_err(runtime_error)?;
		Ok(view.map(|m| ManufacturerJson {
			id: m.id,
			name: String::from_utf8_lossy(&m.name).into_owned(),
			status: format!("{:?}", m.status),
			roots: m.roots.iter().map(|r| RootJson { key: public_key_json(&r.key), revoked: r.revoked }).collect(),
			devices: m.devices,
		}))
	}
}
