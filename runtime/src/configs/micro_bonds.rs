//! Micro-bonds: every duration is counted in relay-chain blocks (6 s), so it stays the
//! same when Machina's own blocks get faster.

use frame_support::{parameter_types, traits::ConstU32, PalletId};
use frame_system::EnsureRoot;
use sp_runtime::Perbill;

use crate::{
	constants::currency::{deposit, EXISTENTIAL_DEPOSIT, UNIT},
	AccountId, Balance, Balances, DeviceRegistry, Runtime, RuntimeEvent, RuntimeHoldReason,
};

/// The relay chain's block number as the parachain last saw it (its relay parent).
pub type RelayClock = cumulus_pallet_parachain_system::RelaychainDataProvider<Runtime>;

/// Relay-chain blocks, 6 s each.
pub type RelayBlocks = cumulus_primitives_core::relay_chain::BlockNumber;

/// Milliseconds per relay-chain block.
pub const RELAY_BLOCK_MILLIS: u64 = 6_000;

parameter_types! {
	/// 9 relay blocks: 54 s from `unbond` to withdrawable.
	pub const UnbondingPeriod: RelayBlocks = 9;
	/// Evidence may be 7 relay blocks (42 s) old. Strictly shorter than the unbonding
	/// period, so funds unbonded at or after an offence are still held at its last
	/// possible report; the 2-block gap orders a withdrawal after any report that can
	/// still land.
	pub const EvidenceWindow: RelayBlocks = 7;
	/// A commission rise waits an hour: members see it coming and can leave (54 s).
	pub const CommissionChangeDelay: RelayBlocks = 600;
	/// New pool stake earns from the second hour after it joined (1 to 2 h): it cannot
	/// join just for a reward it sees coming.
	pub const RewardWarmUp: RelayBlocks = 600;
	/// One rise moves the commission by 5 percentage points at most.
	pub const MaxCommissionChange: Perbill = Perbill::from_percent(5);
	/// The smallest bond or pool stake: a storage entry is not free.
	pub const MinBond: Balance = UNIT;
	/// An operator's first-loss stake, kept while its pool exists.
	pub const MinPoolOperatorStake: Balance = 100 * UNIT;
	/// A pool's storage: its record, index and two accounts.
	pub const PoolDeposit: Balance = deposit(4, 400);
	pub const MicroBondsPalletId: PalletId = PalletId(*b"mch/bond");
}

// A bond must be worth more than the account it keeps alive.
const _: () = assert!(UNIT > EXISTENTIAL_DEPOSIT);

impl pallet_micro_bonds::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Balance = Balance;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Clock = RelayClock;
	type UnbondingPeriod = UnbondingPeriod;
	type EvidenceWindow = EvidenceWindow;
	type MaxUnbondingChunks = ConstU32<16>;
	// One pot per relay block of unbonding, and room for pots skipped because a slash
	// emptied them in the instant a member left.
	type MaxUnbondingBuckets = ConstU32<16>;
	type MinBond = MinBond;
	type MinPoolOperatorStake = MinPoolOperatorStake;
	type PoolDeposit = PoolDeposit;
	type MaxCommissionChange = MaxCommissionChange;
	type CommissionChangeDelay = CommissionChangeDelay;
	type RewardWarmUp = RewardWarmUp;
	type MaxPointsToBalance = ConstU32<10>;
	type MaxPrunePerBlock = ConstU32<64>;
	type PalletId = MicroBondsPalletId;
	// Slash policies and commission caps: an `economic_admin` referendum (or root).
	type AdminOrigin =
		frame_support::traits::EitherOf<EnsureRoot<AccountId>, crate::configs::governance::origins::EconomicAdmin>;
	// Insurance payouts: a `treasurer` referendum (or root).
	type InsuranceOrigin =
		frame_support::traits::EitherOfDiverse<EnsureRoot<AccountId>, crate::configs::governance::origins::Treasurer>;
	// The registry announces the device under-bonded; coverage stops counting it.
	type OnShortfall = (DeviceRegistry, crate::Coverage);
	type WeightInfo = pallet_micro_bonds::weights::SubstrateWeight<Runtime>;
}
