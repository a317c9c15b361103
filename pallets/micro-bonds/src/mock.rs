//! A test runtime with the Machina runtime's economics: 12-decimal MACH, an existential
//! deposit of 1 mMACH, `MinBond` 1 MACH, and durations on a relay-chain clock (9 relay
//! blocks to unbond, a 7-block evidence window) that moves independently of the
//! parachain's block number.

use core::cell::RefCell;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU128, ConstU32},
	PalletId,
};
use frame_system::EnsureRoot;
use machina_primitives::{BondPurpose, CommitmentId, OffenceKind, OnBondShortfall};
use sp_runtime::{traits::BlockNumberProvider, BuildStorage, Perbill};

use crate::{self as pallet_micro_bonds, SlashPolicy};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = sp_runtime::AccountId32;
pub type Balance = u128;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		MicroBonds: pallet_micro_bonds,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	// 32-byte accounts, as in the runtime: sub-accounts of the pallet id must not be
	// truncated into one another.
	type AccountId = AccountId;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
}

/// One MACH, and the runtime's existential deposit.
pub const UNIT: Balance = 1_000_000_000_000;
pub const ED: Balance = UNIT / 1_000;

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type ExistentialDeposit = ConstU128<ED>;
	type RuntimeHoldReason = RuntimeHoldReason;
}

parameter_types! {
	pub const MicroBondsPalletId: PalletId = PalletId(*b"mch/bond");
	/// The relay chain's block number, as the parachain sees it.
	pub static RelayBlock: u32 = 0;
	pub static UnbondingPeriodTicks: u32 = UNBONDING_PERIOD;
	pub static EvidenceWindowTicks: u32 = EVIDENCE_WINDOW;
	pub const MaxCommissionChange: Perbill = Perbill::from_percent(5);
	pub const CommissionChangeDelay: u32 = COMMISSION_DELAY;
	pub const RewardWarmUp: u32 = WARM_UP;
}

/// The relay-chain clock of the tests.
pub struct RelayClock;
impl BlockNumberProvider for RelayClock {
	type BlockNumber = u32;
	fn current_block_number() -> u32 {
		RelayBlock::get()
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn set_block_number(n: u32) {
		RelayBlock::set(n);
	}
}

thread_local! {
	/// Every shortfall the pallet reported, in order.
	pub static SHORTFALLS: RefCell<Vec<(AccountId, CommitmentId, Balance)>> = const { RefCell::new(Vec::new()) };
}

/// Records shortfalls, as the registry would mark devices under-bonded.
pub struct RecordShortfall;
impl OnBondShortfall<AccountId, Balance> for RecordShortfall {
	fn on_shortfall(who: &AccountId, _: BondPurpose, id: CommitmentId, shortfall: Balance) {
		SHORTFALLS.with(|s| s.borrow_mut().push((who.clone(), id, shortfall)));
	}
}

pub const UNBONDING_PERIOD: u32 = 9;
pub const EVIDENCE_WINDOW: u32 = 7;
pub const COMMISSION_DELAY: u32 = 600;
/// Stake earns from the second warm-up period after it joined: 10 to 20 relay blocks.
pub const WARM_UP: u32 = 10;
pub const MIN_BOND: Balance = UNIT;
pub const MIN_OPERATOR_STAKE: Balance = 100 * UNIT;
pub const POOL_DEPOSIT: Balance = UNIT / 10;
pub const MAX_CHUNKS: u32 = 4;

impl pallet_micro_bonds::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Balance = Balance;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Clock = RelayClock;
	type UnbondingPeriod = UnbondingPeriodTicks;
	type EvidenceWindow = EvidenceWindowTicks;
	type MaxUnbondingChunks = ConstU32<MAX_CHUNKS>;
	type MaxUnbondingBuckets = ConstU32<12>;
	type MinBond = ConstU128<MIN_BOND>;
	type MinPoolOperatorStake = ConstU128<MIN_OPERATOR_STAKE>;
	type PoolDeposit = ConstU128<POOL_DEPOSIT>;
	type MaxCommissionChange = MaxCommissionChange;
	type CommissionChangeDelay = CommissionChangeDelay;
	type RewardWarmUp = RewardWarmUp;
	type MaxPointsToBalance = ConstU32<10>;
	type MaxPrunePerBlock = ConstU32<8>;
	type PalletId = MicroBondsPalletId;
	type AdminOrigin = EnsureRoot<AccountId>;
	type InsuranceOrigin = EnsureRoot<AccountId>;
	type OnShortfall = RecordShortfall;
	type WeightInfo = ();
}

/// The test account numbered `n`.
pub const fn acc(n: u64) -> AccountId {
	let b = n.to_le_bytes();
	sp_runtime::AccountId32::new([
		b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0,
	])
}

pub const ALICE: AccountId = acc(1);
pub const BOB: AccountId = acc(2);
pub const CHARLIE: AccountId = acc(3);
pub const DAVE: AccountId = acc(4);
pub const REPORTER: AccountId = acc(9);
/// Pays rewards in the tests.
pub const PAYER: AccountId = acc(10);
/// Every endowed account starts with this.
pub const ENDOWMENT: Balance = 1_000_000 * UNIT;

/// 10% of what backed the offence, capped at 10,000 MACH; 10% to the reporter, 40%
/// insurance, 50% burned.
pub fn equivocation_policy() -> SlashPolicy<Balance> {
	SlashPolicy {
		fraction: Perbill::from_percent(10),
		cap: 10_000 * UNIT,
		reporter: Perbill::from_percent(10),
		insurance: Perbill::from_percent(40),
		burn: Perbill::from_percent(50),
	}
}

/// Everything taken: a 100% policy.
pub fn total_policy() -> SlashPolicy<Balance> {
	SlashPolicy { fraction: Perbill::one(), cap: Balance::MAX, ..equivocation_policy() }
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=10).map(|who| (acc(who), ENDOWMENT)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.unwrap();
	pallet_micro_bonds::GenesisConfig::<Test> {
		max_commission: Perbill::from_percent(20),
		slash_policies: vec![
			(OffenceKind::Equivocation, equivocation_policy()),
			(OffenceKind::SolverDefault, total_policy()),
		],
	}
	.assimilate_storage(&mut t)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| {
		System::set_block_number(1);
		RelayBlock::set(100);
		SHORTFALLS.with(|s| s.borrow_mut().clear());
	});
	ext
}

/// Advance the relay chain to `n` and produce one parachain block (running the
/// pallet's `on_initialize`).
pub fn run_to_relay(n: u32) {
	use frame_support::traits::Hooks;
	RelayBlock::set(n);
	let next = System::block_number() + 1;
	System::set_block_number(next);
	MicroBonds::on_initialize(next);
}

/// This pallet's events, oldest first.
pub fn events() -> Vec<crate::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| if let RuntimeEvent::MicroBonds(e) = r.event { Some(e) } else { None })
		.collect()
}

/// What pallet-balances itself holds under each of this pallet's reasons, summed over
/// every account: the ground truth `TotalHeld` must match.
pub fn held_in_balances() -> crate::HeldTotals<Balance> {
	let mut totals = crate::HeldTotals::<Balance>::default();
	for (_who, holds) in pallet_balances::Holds::<Test>::iter() {
		for hold in holds.iter() {
			match hold.id {
				RuntimeHoldReason::MicroBonds(crate::HoldReason::Bond) => totals.bonds += hold.amount,
				RuntimeHoldReason::MicroBonds(crate::HoldReason::PoolStake) => totals.pool_stake += hold.amount,
				RuntimeHoldReason::MicroBonds(crate::HoldReason::PoolDeposit) => totals.deposits += hold.amount,
			}
		}
	}
	totals
}

/// Every invariant, plus the held totals against pallet-balances' own records.
pub fn check() {
	MicroBonds::do_try_state().expect("try_state");
	assert_eq!(crate::TotalHeld::<Test>::get(), held_in_balances(), "held totals differ from pallet-balances");
}
