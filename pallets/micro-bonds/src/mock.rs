//! A test runtime: frame-system, balances (ED 1) and micro-bonds with a 10-block
//! unbonding period and an 8-block evidence window.

use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU128, ConstU32, ConstU64},
	PalletId,
};
use frame_system::EnsureRoot;
use sp_runtime::{BuildStorage, Perbill};

use crate::{self as pallet_micro_bonds, SlashPolicy};
use machina_primitives::OffenceKind;

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

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type ExistentialDeposit = ConstU128<1>;
	type RuntimeHoldReason = RuntimeHoldReason;
}

parameter_types! {
	pub const MicroBondsPalletId: PalletId = PalletId(*b"mch/bond");
}

pub const UNBONDING_PERIOD: u64 = 10;
pub const EVIDENCE_WINDOW: u64 = 8;
pub const MIN_BOND: Balance = 10;
pub const MIN_POOL_STAKE: Balance = 100;
pub const MAX_CHUNKS: u32 = 4;

impl pallet_micro_bonds::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Balance = Balance;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type UnbondingPeriod = ConstU64<UNBONDING_PERIOD>;
	type EvidenceWindow = ConstU64<EVIDENCE_WINDOW>;
	type MaxUnbondingChunks = ConstU32<MAX_CHUNKS>;
	type MinBond = ConstU128<MIN_BOND>;
	type MinPoolCreateStake = ConstU128<MIN_POOL_STAKE>;
	type PalletId = MicroBondsPalletId;
	type AdminOrigin = EnsureRoot<AccountId>;
	type InsuranceOrigin = EnsureRoot<AccountId>;
	type WeightInfo = ();
}

/// The test account numbered `n`.
pub const fn acc(n: u64) -> AccountId {
	let b = n.to_le_bytes();
	sp_runtime::AccountId32::new([
		b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0,
	])
}

pub const ALICE: AccountId = acc(1);
pub const BOB: AccountId = acc(2);
pub const CHARLIE: AccountId = acc(3);
pub const DAVE: AccountId = acc(4);
pub const REPORTER: AccountId = acc(9);
/// Pays rewards in the property test.
pub const PAYER: AccountId = acc(10);
/// Every endowed account starts with this.
pub const ENDOWMENT: Balance = 1_000_000;

/// 10% of the slashable bond, capped at 10,000; 10% to the reporter, 40% insurance, 50%
/// burned.
pub fn equivocation_policy() -> SlashPolicy<Balance> {
	SlashPolicy {
		fraction: Perbill::from_percent(10),
		cap: 10_000,
		reporter: Perbill::from_percent(10),
		insurance: Perbill::from_percent(40),
		burn: Perbill::from_percent(50),
	}
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
		slash_policies: vec![(OffenceKind::Equivocation, equivocation_policy())],
	}
	.assimilate_storage(&mut t)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Advance to block `n`.
pub fn run_to_block(n: u64) {
	System::set_block_number(n);
}

/// This pallet's events, oldest first.
pub fn events() -> Vec<crate::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| if let RuntimeEvent::MicroBonds(e) = r.event { Some(e) } else { None })
		.collect()
}
