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
	/// `p256`, `p384` (SEC1 compressed), `rsa` (the modulus; exponent 65537), `ed25519`
	/// or `sr25519`.
	pub algorithm: String,
	/// `0x`-prefixed hex.
	pub public: String,
}

/// A certificate of a device's chain, as the revocation list names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateJson {
	/// The key identifier (blake2-256) of its issuer's key, `0x` hex.
	pub issuer: String,
	/// Its serial, `0x` hex, without leading zeros.
	pub serial: String,
}

/// A pending transfer offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransferJson {
	/// Who may accept it, SS58.
	pub to: String,
	/// Until when, Unix seconds.
	pub expires_at: u64,
}

/// A device as `machina_device` and `machina_devicesOf` report it: every field of the
/// record, and its status at the queried block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceJson {
	/// The device id (blake2-256 of the hardware key), `0x` hex.
	pub id: String,
	/// `Active`, `Stale`, `Revoked`, `Suspended`, `UnderBonded` or `Expired`, at the
	/// queried block.
	pub status: String,
	/// Whether its root or a certificate of its chain is revoked.
	pub revoked: bool,
	/// The owner, SS58.
	pub owner: String,
	/// The committed bond, in plancks, as a decimal string (it can exceed 2^53).
	pub bond: String,
	/// The manufacturer id.
	pub manufacturer: u32,
	/// The index of the root its attestation chains to.
	pub root: u8,
	/// The hardware identity key (the DeviceId is its blake2-256).
	pub hardware_key: KeyJson,
	/// The key its hardware signatures are checked with: the identity key, or a DICE
	/// Alias key.
	pub signing_key: KeyJson,
	/// How many certificates, from the leaf, are the device's own (2 with DICE).
	pub own_certificates: u8,
	/// Its certificates, leaf first.
	pub certificates: Vec<CertificateJson>,
	/// When its chain expires, Unix seconds.
	pub expires_at: u64,
	/// The operational key (none after a transfer until the new owner sets one).
	pub operational_key: Option<KeyJson>,
	/// The BLS12-381 aggregation key, uncompressed G1, `0x` hex.
	pub aggregation_key: Option<String>,
	/// The nonce the next hardware-signed key change must sign.
	pub key_nonce: u32,
	/// The H3 cell, as the usual 15-digit hex string (e.g. `8928308280fffff`).
	pub location: Option<String>,
	/// When the location last changed, Unix seconds (0: never).
	pub location_updated_at: u64,
	/// The block it registered in.
	pub registered_at: u32,
	/// When its last attestation was accepted, Unix seconds.
	pub attested_at: u64,
	/// The last block its hardware signed; the next signature must name a later one.
	pub last_reference: u32,
	/// A pending transfer offer.
	pub pending_transfer: Option<TransferJson>,
}

/// What a manufacturer requires of device chains.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyJson {
	/// The object identifier a leaf must carry (DER content octets, `0x` hex).
	pub required_leaf_oid: Option<String>,
	/// Key identifiers of the pinned issuing intermediates, `0x` hex.
	pub issuing_intermediates: Vec<String>,
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
	/// Entries of the revocation list filed under it.
	pub revocations: u32,
	/// What it requires of device chains.
	pub policy: PolicyJson,
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
		PublicKey::P384(k) => KeyJson { algorithm: "p384".into(), public: hex0x(k) },
		PublicKey::Rsa(n) => KeyJson { algorithm: "rsa".into(), public: hex0x(n) },
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
		revoked: view.revoked,
		owner: d.owner.to_ss58check(),
		bond: d.bond.to_string(),
		manufacturer: d.manufacturer,
		root: d.root,
		hardware_key: public_key_json(&d.hardware_key),
		signing_key: public_key_json(&d.signing_key),
		own_certificates: d.own_certificates,
		certificates: d
			.certificates
			.iter()
			.map(|c| CertificateJson { issuer: hex0x(c.issuer.as_bytes()), serial: hex0x(&c.serial) })
			.collect(),
		expires_at: d.expires_at,
		operational_key: d.operational_key.as_ref().map(operational_key_json),
		aggregation_key: d.aggregation_key.as_ref().map(|k| hex0x(k)),
		key_nonce: d.key_nonce,
		location: d.location.map(|c| format!("{:x}", c.index())),
		location_updated_at: d.location_updated_at,
		registered_at: d.registered_at,
		attested_at: d.attested_at,
		last_reference: view.last_reference,
		pending_transfer: view
			.pending_transfer
			.map(|t| TransferJson { to: t.to.to_ss58check(), expires_at: t.expires_at }),
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
			revocations: m.revocations,
			policy: PolicyJson {
				required_leaf_oid: m.policy.required_leaf_oid.as_ref().map(|o| hex0x(o)),
				issuing_intermediates: m.policy.issuing_intermediates.iter().map(|k| hex0x(k.as_bytes())).collect(),
			},
		}))
	}
}
