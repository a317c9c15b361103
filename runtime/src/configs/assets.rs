//! Fungible tokens besides MACH (`pallet-assets`), with holds (`pallet-assets-holder`)
//! so intents escrow any token in its owner's account. Anyone may create a token for a
//! deposit, as on Asset Hub; governance (root) can force-create and fix a broken one.

use frame_support::{
	parameter_types,
	traits::{
		fungible::{NativeFromLeft, NativeOrWithId, UnionOf},
		AsEnsureOriginWithArg, ConstU32,
	},
};
use frame_system::{EnsureRoot, EnsureSigned};

use crate::{
	constants::currency::{deposit, UNIT},
	AccountId, Assets, AssetsHolder, Balance, Balances, Runtime, RuntimeEvent, RuntimeHoldReason,
};

/// A token's id in `pallet-assets`.
pub type AssetId = u32;

/// An asset anywhere in Machina: the native MACH or a `pallet-assets` token.
pub type AssetKind = NativeOrWithId<AssetId>;

/// Every asset as one `fungibles` implementation: MACH through balances, tokens through
/// `pallet-assets`.
pub type NativeAndAssets = UnionOf<Balances, Assets, NativeFromLeft, AssetKind, AccountId>;

/// The same with holds: tokens through `pallet-assets-holder`.
pub type NativeAndAssetHolds = UnionOf<Balances, AssetsHolder, NativeFromLeft, AssetKind, AccountId>;

parameter_types! {
	/// Creating a token holds 10 MACH (its record is large and long-lived).
	pub const AssetDeposit: Balance = 10 * UNIT;
	/// An account of a non-sufficient token, if the holder chooses to pay for it.
	pub const AssetAccountDeposit: Balance = deposit(1, 16);
	pub const MetadataDepositBase: Balance = deposit(1, 68);
	pub const MetadataDepositPerByte: Balance = deposit(0, 1);
	pub const ApprovalDeposit: Balance = deposit(1, 48);
}

impl pallet_assets::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Balance = Balance;
	type RemoveItemsLimit = ConstU32<1_000>;
	type AssetId = AssetId;
	type AssetIdParameter = codec::Compact<AssetId>;
	type ReserveData = ();
	type Currency = Balances;
	type CreateOrigin = AsEnsureOriginWithArg<EnsureSigned<AccountId>>;
	// A root referendum (or the whitelisted path).
	type ForceOrigin = EnsureRoot<AccountId>;
	type AssetDeposit = AssetDeposit;
	type AssetAccountDeposit = AssetAccountDeposit;
	type MetadataDepositBase = MetadataDepositBase;
	type MetadataDepositPerByte = MetadataDepositPerByte;
	type ApprovalDeposit = ApprovalDeposit;
	type StringLimit = ConstU32<50>;
	type Freezer = ();
	type Holder = AssetsHolder;
	type Extra = ();
	type CallbackHandle = ();
	type AssetIdAllocator = ();
	type WeightInfo = pallet_assets::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
}

impl pallet_assets_holder::Config for Runtime {
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeEvent = RuntimeEvent;
}
