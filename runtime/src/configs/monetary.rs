//! Balances and transaction fees.

use frame_support::{
	parameter_types,
	traits::{ConstU32, ConstU8, VariantCountOf},
	weights::{
		constants::ExtrinsicBaseWeight, ConstantMultiplier, WeightToFeeCoefficient, WeightToFeeCoefficients,
		WeightToFeePolynomial,
	},
};
use pallet_transaction_payment::{Multiplier, TargetedFeeAdjustment};
use polkadot_runtime_common::{MaximumMultiplier, MinimumMultiplier, TargetBlockFullness};
use smallvec::smallvec;
use sp_runtime::FixedPointNumber;
use sp_runtime::Perbill;

use crate::{
	constants::currency::{EXISTENTIAL_DEPOSIT, MICRO_UNIT, MILLI_UNIT},
	Balance, Balances, Runtime, RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason,
};

parameter_types! {
	pub const ExistentialDeposit: Balance = EXISTENTIAL_DEPOSIT;
	/// Every byte of a transaction costs this much, on top of its weight.
	pub const TransactionByteFee: Balance = 10 * MICRO_UNIT;
	/// How fast fees follow congestion, per block: Polkadot's rate per 6 s
	/// (0.000075) shared by the blocks of a relay slot, so fees move at the same pace
	/// in time whatever the block rate.
	pub FeeAdjustmentPerBlock: Multiplier =
		Multiplier::saturating_from_rational(75, 1_000_000 * crate::BLOCK_PROCESSING_VELOCITY as u128);
}

/// Polkadot's slow fee adjustment (target 25% full blocks), on the relay clock.
pub type FeeMultiplierUpdate =
	TargetedFeeAdjustment<Runtime, TargetBlockFullness, FeeAdjustmentPerBlock, MinimumMultiplier, MaximumMultiplier>;

impl pallet_balances::Config for Runtime {
	type MaxLocks = ConstU32<50>;
	type Balance = Balance;
	type RuntimeEvent = RuntimeEvent;
	type DustRemoval = ();
	type ExistentialDeposit = ExistentialDeposit;
	type AccountStore = frame_system::Pallet<Runtime>;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	type MaxReserves = ConstU32<50>;
	type ReserveIdentifier = [u8; 8];
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	// One hold per pallet that holds funds (bonds, escrows, deposits), no more.
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type DoneSlashHandler = ();
}

/// Maps weight to fee: the base weight of an extrinsic costs a tenth of a milli-MACH,
/// and the rest scales linearly.
pub struct WeightToFee;
impl WeightToFeePolynomial for WeightToFee {
	type Balance = Balance;
	fn polynomial() -> WeightToFeeCoefficients<Self::Balance> {
		let p = MILLI_UNIT / 10;
		let q = Balance::from(ExtrinsicBaseWeight::get().ref_time());
		smallvec![WeightToFeeCoefficient {
			degree: 1,
			negative: false,
			coeff_frac: Perbill::from_rational(p % q, q),
			coeff_integer: p / q,
		}]
	}
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	// Fees and tips go to the collators' staking pot; a treasury share arrives with
	// governance. A sponsored device's fee is paid by its owner's sponsor pot
	// (pallet-intents' fee sponsorship), through the same adapter.
	type OnChargeTransaction = pallet_intents::sponsorship::SponsoredFees<
		Runtime,
		pallet_transaction_payment::FungibleAdapter<Balances, parachains_common::impls::DealWithFees<Runtime>>,
	>;
	type WeightToFee = WeightToFee;
	type LengthToFee = ConstantMultiplier<Balance, TransactionByteFee>;
	type FeeMultiplierUpdate = FeeMultiplierUpdate;
	type OperationalFeeMultiplier = ConstU8<5>;
	// Every signed transaction pays for the sponsorship lookup.
	type WeightInfo = pallet_intents::sponsorship::WithSponsorshipWeight<
		Runtime,
		pallet_transaction_payment::weights::SubstrateWeight<Runtime>,
	>;
}
