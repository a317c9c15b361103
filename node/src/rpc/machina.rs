//! The `machina_*` RPC namespace. Domain pallets add their query methods here, each
//! backed by a runtime API so that answers come from chain state, not node memory.

use std::sync::Arc;

use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::{error::ErrorObject, ErrorObjectOwned},
};
use machina_runtime::{opaque::Block, AccountId, Balance, BlockNumber, SS58_PREFIX};
use pallet_coverage::runtime_api::CoverageApi;
use pallet_device_registry::runtime_api::DeviceRegistryApi;
use serde::{Deserialize, Serialize};
use sp_api::{ApiExt, Core, ProvideRuntimeApi};
use sp_blockchain::HeaderBackend;
use sp_core::{
	crypto::{Ss58AddressFormat, Ss58Codec},
	H256,
};

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

/// The algorithm of a public key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum KeyAlgorithm {
	/// NIST P-256, SEC1 compressed (33 bytes).
	P256,
	/// NIST P-384, SEC1 compressed (49 bytes).
	P384,
	/// RSA 2048 or 3072: the modulus, big-endian; the exponent is 65537.
	Rsa,
	/// Ed25519 (32 bytes).
	Ed25519,
	/// Sr25519 (32 bytes).
	Sr25519,
}

/// A public key, tagged by algorithm.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyJson {
	/// Its algorithm.
	pub algorithm: KeyAlgorithm,
	/// `0x`-prefixed hex.
	pub public: String,
}

/// A device's status at the queried block (`machina_primitives::DeviceStatus`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DeviceStatusJson {
	/// Attested and within its attestation validity.
	Active,
	/// Its last attestation is older than the validity period; it must re-attest.
	Stale,
	/// Its certificate, an issuer of its chain or its root was revoked.
	Revoked,
	/// Suspended by governance, or its manufacturer is suspended.
	Suspended,
	/// Its bond was slashed below what it requires.
	UnderBonded,
	/// A certificate of its chain passed its `notAfter`.
	Expired,
}

impl From<machina_primitives::DeviceStatus> for DeviceStatusJson {
	fn from(status: machina_primitives::DeviceStatus) -> Self {
		use machina_primitives::DeviceStatus as S;
		match status {
			S::Active => Self::Active,
			S::Stale => Self::Stale,
			S::Revoked => Self::Revoked,
			S::Suspended => Self::Suspended,
			S::UnderBonded => Self::UnderBonded,
			S::Expired => Self::Expired,
		}
	}
}

/// A manufacturer's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ManufacturerStatusJson {
	/// Registers devices.
	Active,
	/// No new registrations; its devices read as `suspended`.
	Suspended,
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
	/// Who may accept it, SS58 with the chain's prefix.
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
	/// Its status at the queried block.
	pub status: DeviceStatusJson,
	/// Whether its root or a certificate of its chain is revoked.
	pub revoked: bool,
	/// The owner, SS58 with the chain's prefix.
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
	/// The manufacturer id.
	pub id: u32,
	/// The name, as UTF-8 (lossy).
	pub name: String,
	/// Its status.
	pub status: ManufacturerStatusJson,
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
	/// The root's public key.
	pub key: KeyJson,
	/// Whether governance revoked it (every device under it reads `revoked`).
	pub revoked: bool,
}

/// A page of `machina_devicesOf`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DevicePage {
	/// The devices, in storage order.
	pub devices: Vec<DeviceJson>,
	/// The cursor of the next page; `null` when this page is the last.
	pub next: Option<String>,
}

#[rpc(server, namespace = "machina")]
pub trait MachinaApi {
	/// The node's version and mode, and the runtime's identity and para id at the best
	/// block.
	#[method(name = "nodeInfo", blocking)]
	fn node_info(&self) -> RpcResult<NodeInfo>;

	/// A registered device, at block `at` (default: best).
	#[method(name = "device", blocking)]
	fn device(&self, id: H256, at: Option<H256>) -> RpcResult<Option<DeviceJson>>;

	/// Up to `limit` (default and maximum 100) devices of `owner` after `cursor` (the
	/// previous page's `next`), at block `at` (default: best).
	#[method(name = "devicesOf", blocking)]
	fn devices_of(
		&self,
		owner: AccountId,
		cursor: Option<H256>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<DevicePage>;

	/// A manufacturer, at block `at` (default: best).
	#[method(name = "manufacturer", blocking)]
	fn manufacturer(&self, id: u32, at: Option<H256>) -> RpcResult<Option<ManufacturerJson>>;

	/// The coverage clock: epoch, slot, the slot's anchor, lengths in relay blocks, points
	/// so far and shards, at block `at` (default: best).
	#[method(name = "epochInfo", blocking)]
	fn epoch_info(&self, at: Option<H256>) -> RpcResult<Option<pallet_coverage::EpochInfo>>;

	/// A device's heartbeat slots and points in a live epoch.
	#[method(name = "uptime", blocking)]
	fn uptime(&self, device: H256, epoch: u32, at: Option<H256>) -> RpcResult<Option<pallet_coverage::DeviceUptime>>;

	/// What a device can claim (or will, once challenge periods pass), per live epoch;
	/// amounts in planck as decimal strings.
	#[method(name = "pendingRewards", blocking)]
	fn pending_rewards(&self, device: H256, at: Option<H256>) -> RpcResult<Vec<PendingReward>>;
}

/// A device's unclaimed reward for one epoch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingReward {
	pub epoch: u32,
	/// Planck, as a decimal string (beyond JavaScript's safe integers).
	pub amount: String,
}

fn hex0x(bytes: &[u8]) -> String {
	format!("0x{}", hex::encode(bytes))
}

/// An account in the chain's SS58 format (not the process-wide default).
fn ss58(account: &AccountId) -> String {
	account.to_ss58check_with_version(Ss58AddressFormat::custom(SS58_PREFIX))
}

fn public_key_json(key: &pallet_device_registry::PublicKey) -> KeyJson {
	use pallet_device_registry::PublicKey;
	let (algorithm, public) = match key {
		PublicKey::P256(k) => (KeyAlgorithm::P256, hex0x(k)),
		PublicKey::Ed25519(k) => (KeyAlgorithm::Ed25519, hex0x(k)),
		PublicKey::P384(k) => (KeyAlgorithm::P384, hex0x(k)),
		PublicKey::Rsa(n) => (KeyAlgorithm::Rsa, hex0x(n)),
	};
	KeyJson { algorithm, public }
}

fn operational_key_json(key: &machina_primitives::OperationalKey) -> KeyJson {
	use machina_primitives::OperationalKey;
	let (algorithm, public) = match key {
		OperationalKey::Ed25519(k) => (KeyAlgorithm::Ed25519, hex0x(k.as_ref())),
		OperationalKey::Sr25519(k) => (KeyAlgorithm::Sr25519, hex0x(k.as_ref())),
	};
	KeyJson { algorithm, public }
}

fn device_json(view: pallet_device_registry::DeviceView<AccountId, Balance, BlockNumber>) -> DeviceJson {
	let d = view.device;
	DeviceJson {
		id: hex0x(view.id.as_bytes()),
		status: view.status.into(),
		revoked: view.revoked,
		owner: ss58(&d.owner),
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
		pending_transfer: view.pending_transfer.map(|t| TransferJson { to: ss58(&t.to), expires_at: t.expires_at }),
	}
}

fn manufacturer_json(m: pallet_device_registry::ManufacturerView) -> ManufacturerJson {
	use pallet_device_registry::ManufacturerStatus;
	ManufacturerJson {
		id: m.id,
		name: String::from_utf8_lossy(&m.name).into_owned(),
		status: match m.status {
			ManufacturerStatus::Active => ManufacturerStatusJson::Active,
			ManufacturerStatus::Suspended => ManufacturerStatusJson::Suspended,
		},
		roots: m.roots.iter().map(|r| RootJson { key: public_key_json(&r.key), revoked: r.revoked }).collect(),
		devices: m.devices,
		revocations: m.revocations,
		policy: PolicyJson {
			required_leaf_oid: m.policy.required_leaf_oid.as_ref().map(|o| hex0x(o)),
			issuing_intermediates: m.policy.issuing_intermediates.iter().map(|k| hex0x(k.as_bytes())).collect(),
		},
	}
}

/// The `machina_*` methods.
///
/// Every method is `blocking`: jsonrpsee runs it on tokio's blocking pool, so a slow
/// runtime-API call (a wasm instantiation for an old runtime, a long page) never holds
/// the async workers that networking and consensus share.
pub struct Machina<C> {
	client: Arc<C>,
	facts: NodeFacts,
}

impl<C> Machina<C> {
	pub fn new(client: Arc<C>, facts: NodeFacts) -> Self {
		Self { client, facts }
	}
}

/// Error code: the runtime API call failed (trapped, or could not be decoded).
pub const RUNTIME_ERROR: i32 = 1;
/// Error code: the block `at` is unknown to this node (a block whose header is kept but
/// whose state was pruned fails with [`RUNTIME_ERROR`] and the node's message).
pub const UNKNOWN_BLOCK: i32 = 2;
/// Error code: the runtime at `at` lacks the runtime API (or the version) this method
/// needs, e.g. a block from before the device registry existed.
pub const UNSUPPORTED_RUNTIME: i32 = 3;

/// The `DeviceRegistryApi` version these methods decode (`DeviceView` v2 fields). Exact:
/// a runtime that bumps the API is answered with [`UNSUPPORTED_RUNTIME`] until the node is
/// upgraded, rather than with misdecoded fields.
const DEVICE_REGISTRY_API_VERSION: u32 = 2;
/// The `CoverageApi` version the coverage methods decode.
const COVERAGE_API_VERSION: u32 = 1;

fn runtime_error(e: impl std::fmt::Display) -> ErrorObjectOwned {
	ErrorObject::owned(RUNTIME_ERROR, "Runtime API call failed", Some(e.to_string()))
}

impl<C> Machina<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: DeviceRegistryApi<Block, AccountId, Balance, BlockNumber>,
{
	/// The block to query (`at`, or the best block), after checking this node has its
	/// state and its runtime speaks the `DeviceRegistryApi` version we decode.
	fn registry_at(&self, at: Option<H256>) -> RpcResult<H256> {
		let at = self.known_block(at)?;
		let version = self
			.client
			.runtime_api()
			.api_version::<dyn DeviceRegistryApi<Block, AccountId, Balance, BlockNumber>>(at)
			.map_err(runtime_error)?;
		Self::expect_version(at, "DeviceRegistryApi", DEVICE_REGISTRY_API_VERSION, version)
	}

	/// [`Self::registry_at`] for the `CoverageApi`.
	fn coverage_at(&self, at: Option<H256>) -> RpcResult<H256>
	where
		C::Api: CoverageApi<Block, Balance>,
	{
		let at = self.known_block(at)?;
		let version =
			self.client.runtime_api().api_version::<dyn CoverageApi<Block, Balance>>(at).map_err(runtime_error)?;
		Self::expect_version(at, "CoverageApi", COVERAGE_API_VERSION, version)
	}

	fn expect_version(at: H256, api: &str, expected: u32, found: Option<u32>) -> RpcResult<H256> {
		match found {
			Some(v) if v == expected => Ok(at),
			found => Err(ErrorObject::owned(
				UNSUPPORTED_RUNTIME,
				format!("The runtime at this block does not offer the {api} version this node decodes"),
				Some(format!("expected version {expected}, found {found:?}")),
			)),
		}
	}

	/// `at` (default: best) if this node knows the block.
	fn known_block(&self, at: Option<H256>) -> RpcResult<H256> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		match self.client.header(at) {
			Ok(Some(_)) => {},
			Ok(None) => {
				return Err(ErrorObject::owned(UNKNOWN_BLOCK, "Unknown block", Some(format!("{at:?}"))));
			},
			Err(e) => return Err(runtime_error(e)),
		}
		Ok(at)
	}
}

impl<C> MachinaApiServer for Machina<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: cumulus_primitives_core::GetParachainInfo<Block>
		+ Core<Block>
		+ DeviceRegistryApi<Block, AccountId, Balance, BlockNumber>
		+ CoverageApi<Block, Balance>,
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
		let at = self.registry_at(at)?;
		let view = self.client.runtime_api().device(at, id).map_err(runtime_error)?;
		Ok(view.map(device_json))
	}

	fn devices_of(
		&self,
		owner: AccountId,
		cursor: Option<H256>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<DevicePage> {
		let at = self.registry_at(at)?;
		// The runtime clamps the page to its maximum too; clamping here makes `next` exact.
		let limit = limit
			.unwrap_or(pallet_device_registry::MAX_DEVICES_PER_PAGE)
			.clamp(1, pallet_device_registry::MAX_DEVICES_PER_PAGE);
		let api = self.client.runtime_api();
		let views = api.devices_of(at, owner.clone(), cursor, limit).map_err(runtime_error)?;
		// There is a next page only if one more device follows this page's last one
		// (asked even for a short page: the runtime may clamp pages harder than we do).
		let next = match views.last() {
			Some(last) => {
				let more = api.devices_of(at, owner, Some(last.id), 1).map_err(runtime_error)?;
				(!more.is_empty()).then(|| hex0x(last.id.as_bytes()))
			},
			None => None,
		};
		Ok(DevicePage { devices: views.into_iter().map(device_json).collect(), next })
	}

	fn manufacturer(&self, id: u32, at: Option<H256>) -> RpcResult<Option<ManufacturerJson>> {
		let at = self.registry_at(at)?;
		let view = self.client.runtime_api().manufacturer(at, id).map_err(runtime_error)?;
		Ok(view.map(manufacturer_json))
	}

	fn epoch_info(&self, at: Option<H256>) -> RpcResult<Option<pallet_coverage::EpochInfo>> {
		let at = self.coverage_at(at)?;
		self.client.runtime_api().epoch_info(at).map_err(runtime_error)
	}

	fn uptime(&self, device: H256, epoch: u32, at: Option<H256>) -> RpcResult<Option<pallet_coverage::DeviceUptime>> {
		let at = self.coverage_at(at)?;
		self.client.runtime_api().uptime(at, device, epoch).map_err(runtime_error)
	}

	fn pending_rewards(&self, device: H256, at: Option<H256>) -> RpcResult<Vec<PendingReward>> {
		let at = self.coverage_at(at)?;
		let pending = self.client.runtime_api().pending_rewards(at, device).map_err(runtime_error)?;
		Ok(pending.into_iter().map(|(epoch, amount)| PendingReward { epoch, amount: amount.to_string() }).collect())
	}
}
