//! Micro-bonds: 60 s unbonding, an 8-block evidence window, pools and insurance.

use frame_support::{parameter_types, traits::ConstU32, PalletId};
use frame_system::EnsureRoot;

use crate::{
	constants::currency::{EXISTENTIAL_DEPOSIT, UNIT},
	AccountId, Balance, BlockNumber, Balances, Runtime, RuntimeEvent, RuntimeHoldReason,
};

parameter_types! {
	/// 10 blocks: 60 s at 6 s blocks.
	pub const UnbondingPeriod: BlockNumber = 10;
	/// Evidence may be 8 blocks old; 2 blocks of margin for a late report's inclusion.
	pub const EvidenceWindow: BlockNumber = 8;
	/// The smallest bond or pool stake: a storage entry is not free.
	pub const MinBond: Balance = UNIT;
	/// An operator's own stake to open a pool.
	pub const MinPoolCreateStake: Balance = 100 * UNIT;
	pub const MicroBondsPalletId: PalletId = PalletId(*b"mch/bond");
}

// A bond must be worth more than the account it keeps alive.
const _: () = assert!(UNIT > EXISTENTIAL_DEPOSIT);

impl pallet_micro_bonds::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Balance = Balance;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type UnbondingPeriod = UnbondingPeriod;
	type EvidenceWindow = EvidenceWindow;
	type MaxUnbondingChunks = ConstU32<16>;
	type MinBond = MinBond;
	type MinPoolCreateStake = MinPoolCreateStake;
	type PalletId = MicroBondsPalletId;
	// Governance is sudo until the OpenGov issue lands.
	type AdminOrigin = EnsureRoot<AccountId>;
	type InsuranceOrigin = EnsureRoot<AccountId>;
	type WeightInfo = pallet_micro_bonds::weights::SubstrateWeight<Runtime>;
}
