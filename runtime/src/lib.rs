//! The Machina parachain runtime.
//!
//! Pallets are configured one file per concern in [`configs`]; the runtime APIs a
//! Cumulus collator, wallets and the omni-node need are in [`apis`]; the genesis
//! presets `development` and `local_testnet` are in [`genesis_config_presets`].
#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime` recurses deeply.
#![recursion_limit = "256"]

// The wasm blob built by `build.rs` (absent with `SKIP_WASM_BUILD=1`).
#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

use alloc::vec::Vec;

pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod configs;
pub mod constants;
pub mod genesis_config_presets;
pub mod migrations;
pub mod weights;

use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiSignature,
};
use sp_version::RuntimeVersion;

pub use constants::{currency::*, time::*};
pub use sp_consensus_aura::sr25519::AuthorityId as AuraId;
pub use sp_runtime::{MultiAddress, Perbill, Permill};

/// A transaction signature: sr25519, ed25519 or ecdsa.
pub type Signature = MultiSignature;
/// An account id: the public key of the transaction signing scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// Balances, in the smallest unit (see [`constants::currency`]).
pub type Balance = u128;
/// A transaction index of an account.
pub type Nonce = u32;
/// A hash of some data used by the chain.
pub type Hash = sp_core::H256;
/// A block number.
pub type BlockNumber = u32;
/// The address format for describing accounts.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header type as expected by this runtime.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block type as expected by this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// A block signed with a justification.
pub type SignedBlock = generic::SignedBlock<Block>;
/// Block id type as expected by this runtime.
pub type BlockId = generic::BlockId<Block>;

/// The transaction extensions a wallet signs, checked in this order.
pub type TxExtensionParts = (
	frame_system::AuthorizeCall<Runtime>,
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
);

/// The transaction extensions: [`TxExtensionParts`] inside two wrappers that carry no
/// data (wallets sign exactly the parts). `StorageWeightReclaim` refunds the proof size
/// a transaction did not use; `DynamicMaxBlockWeight` (block bundling) lets the first
/// block of a core grow to the whole core for an operational transaction too big for
/// its share, such as a runtime upgrade. Normal transactions may not (the last `false`):
/// one heavy transfer must not turn a bundled block into a full core and push the
/// core's other blocks out. It wraps the reclaim so that it sees the block's weight
/// after the refund (its own few reads go unmeasured by the reclaim).
pub type TxExtension = cumulus_pallet_parachain_system::block_weight::DynamicMaxBlockWeight<
	Runtime,
	cumulus_pallet_weight_reclaim::StorageWeightReclaim<Runtime, TxExtensionParts>,
	frame_support::traits::ConstU32<BLOCK_PROCESSING_VELOCITY>,
	10,
	false,
>;

/// [`TxExtension`] from the parts a wallet signs.
pub fn tx_extension(parts: TxExtensionParts) -> TxExtension {
	TxExtension::new(cumulus_pallet_weight_reclaim::StorageWeightReclaim::new(parts))
}

/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic = generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;

/// Single-block migrations run on the next runtime upgrade, beyond the pallets' own; the
/// multi-block ones are in `configs::migrations`.
type Migrations = (migrations::RelayClockV1,);

/// Dispatches blocks and transactions to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

/// Types the node and tools use without knowing the runtime's extrinsic format, so they
/// keep syncing across upgrades that change it.
pub mod opaque {
	use super::*;
	use sp_runtime::traits::Hash as HashT;
	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block identifier type.
	pub type BlockId = generic::BlockId<Block>;
	/// Opaque block hash type.
	pub type Hash = <BlakeTwo256 as HashT>::Output;
}

impl_opaque_keys! {
	/// The session keys a collator registers: Aura only.
	pub struct SessionKeys {
		pub aura: Aura,
	}
}

/// Declares [`VERSION`] with a spec name and version (the `runtime_version` attribute
/// reads them as literals, so they cannot come from constants).
macro_rules! runtime_version {
	($spec_name:tt, $spec_version:tt) => {
		/// The runtime's version.
		#[sp_version::runtime_version]
		pub const VERSION: RuntimeVersion = RuntimeVersion {
			spec_name: alloc::borrow::Cow::Borrowed($spec_name),
			impl_name: alloc::borrow::Cow::Borrowed("machina"),
			authoring_version: 1,
			spec_version: $spec_version,
			impl_version: 0,
			apis: apis::RUNTIME_API_VERSIONS,
			// Bump when the transaction format or a call's index or arguments change.
			transaction_version: 4,
			system_version: 1,
		};
	};
}

// The spec version: bump on every change of runtime logic, in all three lines (an upgrade
// to the same spec version is refused). With `fast-runtime` (dev and local networks:
// governance periods of a few relay blocks) the spec name is `machina-fast`:
// `frame_system` refuses an upgrade to a runtime of another spec name, so such a build
// can never be enacted on a chain that runs the production runtime, nor the reverse.
#[cfg(not(feature = "fast-runtime"))]
runtime_version!("machina", 9);
#[cfg(all(feature = "fast-runtime", not(feature = "next-spec-version")))]
runtime_version!("machina-fast", 9);
// The same code as the next spec: what `zombienet/network/tests/upgrade.rs` upgrades a
// running local network to, through a referendum.
#[cfg(all(feature = "fast-runtime", feature = "next-spec-version"))]
runtime_version!("machina-fast", 10);

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	// System.
	#[runtime::pallet_index(0)]
	pub type System = frame_system;
	#[runtime::pallet_index(1)]
	pub type ParachainSystem = cumulus_pallet_parachain_system;
	#[runtime::pallet_index(2)]
	pub type Timestamp = pallet_timestamp;
	#[runtime::pallet_index(3)]
	pub type ParachainInfo = parachain_info;
	#[runtime::pallet_index(4)]
	pub type WeightReclaim = cumulus_pallet_weight_reclaim;
	#[runtime::pallet_index(5)]
	pub type Scheduler = pallet_scheduler;
	#[runtime::pallet_index(6)]
	pub type Preimage = pallet_preimage;
	#[runtime::pallet_index(7)]
	pub type MultiBlockMigrations = pallet_migrations;

	// Money.
	#[runtime::pallet_index(10)]
	pub type Balances = pallet_balances;
	#[runtime::pallet_index(11)]
	pub type TransactionPayment = pallet_transaction_payment;
	#[runtime::pallet_index(12)]
	pub type Assets = pallet_assets;
	#[runtime::pallet_index(13)]
	pub type AssetsHolder = pallet_assets_holder;

	#[runtime::pallet_index(14)]
	pub type Treasury = pallet_treasury;

	// Collators. Authorship must come before session, and session before aura.
	#[runtime::pallet_index(20)]
	pub type Authorship = pallet_authorship;
	#[runtime::pallet_index(21)]
	pub type CollatorSelection = pallet_collator_selection;
	#[runtime::pallet_index(22)]
	pub type Session = pallet_session;
	#[runtime::pallet_index(23)]
	pub type Aura = pallet_aura;
	#[runtime::pallet_index(24)]
	pub type AuraExt = cumulus_pallet_aura_ext;

	// XCM.
	#[runtime::pallet_index(30)]
	pub type XcmpQueue = cumulus_pallet_xcmp_queue;
	#[runtime::pallet_index(31)]
	pub type PolkadotXcm = pallet_xcm;
	#[runtime::pallet_index(32)]
	pub type CumulusXcm = cumulus_pallet_xcm;
	#[runtime::pallet_index(33)]
	pub type MessageQueue = pallet_message_queue;

	// Account utilities.
	#[runtime::pallet_index(40)]
	pub type Utility = pallet_utility;
	#[runtime::pallet_index(41)]
	pub type Proxy = pallet_proxy;
	#[runtime::pallet_index(42)]
	pub type Multisig = pallet_multisig;

	// Machina's own pallets take indexes from 50.
	#[runtime::pallet_index(50)]
	pub type MicroBonds = pallet_micro_bonds;
	#[runtime::pallet_index(51)]
	pub type DeviceRegistry = pallet_device_registry;
	#[runtime::pallet_index(52)]
	pub type Coverage = pallet_coverage;
	#[runtime::pallet_index(53)]
	pub type Intents = pallet_intents;

	// Governance (OpenGov; no sudo: index 15 held `pallet-sudo` until spec 8).
	#[runtime::pallet_index(60)]
	pub type ConvictionVoting = pallet_conviction_voting;
	#[runtime::pallet_index(61)]
	pub type Referenda = pallet_referenda;
	#[runtime::pallet_index(62)]
	pub type Origins = configs::governance::origins;
	#[runtime::pallet_index(63)]
	pub type Whitelist = pallet_whitelist;
	#[runtime::pallet_index(64)]
	pub type FellowshipCollective = pallet_ranked_collective<Instance1>;
	#[runtime::pallet_index(65)]
	pub type FellowshipReferenda = pallet_referenda<Instance2>;
}

cumulus_pallet_parachain_system::register_validate_block! {
	Runtime = Runtime,
	BlockExecutor = cumulus_pallet_aura_ext::BlockExecutor::<Runtime, Executive>,
}
