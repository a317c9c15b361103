//! A test runtime with the Machina runtime's economics: 12-decimal MACH with an
//! existential deposit of 1 mMACH, `pallet-assets` tokens with holds
//! (`pallet-assets-holder`) joined to the native token by `UnionOf`, the real
//! `pallet-micro-bonds` for solver bonds and slashing, and a relay-chain clock that moves
//! independently of the parachain's block number.

use frame_support::{
	derive_impl, parameter_types,
	traits::{
		fungible::{NativeFromLeft, NativeOrWithId, UnionOf},
		AsEnsureOriginWithArg, ConstU128, ConstU32,
	},
	PalletId,
};
use frame_system::{EnsureRoot, EnsureSigned};
use machina_primitives::OffenceKind;
use pallet_micro_bonds::SlashPolicy;
use sp_runtime::{traits::BlockNumberProvider, BuildStorage, MultiSignature, Perbill, Permill};

use crate::{self as pallet_intents};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = sp_runtime::AccountId32;
pub type Balance = u128;
pub type AssetKind = NativeOrWithId<u32>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Assets: pallet_assets,
		AssetsHolder: pallet_assets_holder,
		MicroBonds: pallet_micro_bonds,
		Intents: pallet_intents,
		TransactionPayment: pallet_transaction_payment,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
	type PostInherents = Intents;
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

/// USD-like token: asset 1, 6 decimals, minimum balance 0.01.
pub const USD: u32 = 1;
pub const USD_UNIT: Balance = 1_000_000;
pub const USD_MIN: Balance = 10_000;
/// Energy token: asset 2, 9 decimals, minimum balance 1 (a raw unit).
pub const KWH: u32 = 2;
pub const KWH_UNIT: Balance = 1_000_000_000;

#[derive_impl(pallet_assets::config_preludes::TestDefaultConfig)]
impl pallet_assets::Config for Test {
	type Balance = Balance;
	type AssetId = u32;
	type AssetIdParameter = u32;
	type Currency = Balances;
	type CreateOrigin = AsEnsureOriginWithArg<EnsureSigned<AccountId>>;
	type ForceOrigin = EnsureRoot<AccountId>;
	type Freezer = ();
	type Holder = AssetsHolder;
}

impl pallet_assets_holder::Config for Test {
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeEvent = RuntimeEvent;
}

/// Every asset: MACH on the left, `pallet-assets` ids on the right.
pub type AllAssets = UnionOf<Balances, Assets, NativeFromLeft, AssetKind, AccountId>;
/// The same, with holds.
pub type AllAssetHolds = UnionOf<Balances, AssetsHolder, NativeFromLeft, AssetKind, AccountId>;

parameter_types! {
	/// The relay chain's block number, as the parachain sees it.
	pub static RelayBlock: u32 = 0;
	pub const MicroBondsPalletId: PalletId = PalletId(*b"mch/bond");
	pub const IntentsPalletId: PalletId = PalletId(*b"mch/ints");
	pub const Native: AssetKind = NativeOrWithId::Native;
	pub const MaxCommissionChange: Perbill = Perbill::from_percent(5);
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

impl pallet_micro_bonds::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Balance = Balance;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Clock = RelayClock;
	type UnbondingPeriod = ConstU32<9>;
	type EvidenceWindow = ConstU32<7>;
	type MaxUnbondingChunks = ConstU32<4>;
	type MaxUnbondingBuckets = ConstU32<12>;
	type MinBond = ConstU128<UNIT>;
	type MinPoolOperatorStake = ConstU128<{ 100 * UNIT }>;
	type PoolDeposit = ConstU128<{ UNIT / 10 }>;
	type MaxCommissionChange = MaxCommissionChange;
	type CommissionChangeDelay = ConstU32<600>;
	type RewardWarmUp = ConstU32<10>;
	type MaxPointsToBalance = ConstU32<10>;
	type MaxPrunePerBlock = ConstU32<8>;
	type PalletId = MicroBondsPalletId;
	type AdminOrigin = EnsureRoot<AccountId>;
	type InsuranceOrigin = EnsureRoot<AccountId>;
	type OnShortfall = ();
	type WeightInfo = ();
}

/// The runtime's values (runtime/src/configs/intents.rs).
pub const ROUND: u32 = 2;
pub const SOLVER_BOND: Balance = 1_000 * UNIT;
pub const MARKET_DEPOSIT: Balance = 10 * UNIT;
pub const INTENT_DEPOSIT: Balance = UNIT / 10;
pub const CHANNEL_DEPOSIT: Balance = UNIT / 10;
pub const MAX_INTENTS: u32 = 16;
pub const MAX_FILLS: u32 = 64;
pub const MAX_LIFETIME: u32 = 14_400;
pub const MAX_EXPIRIES: u32 = 8;
pub const MAX_CHANNEL_LIFETIME: u32 = 100_800;
pub const DELIVERY_WINDOW: u32 = 10;
pub const DISPUTE_WINDOW: u32 = 10;
pub const ARBITRATION: u32 = 100;
pub const MAX_ARBITRATION: u32 = 1_000;
pub const DISPUTE_DEPOSIT: Balance = UNIT;
pub const ORDER_DEPOSIT: Balance = UNIT / 100;
pub const MAX_ORDERS: u32 = 4;

parameter_types! {
	pub const SlaCompensation: Permill = Permill::from_percent(50);
}

/// A device as the fake registry holds it (the real registry is tested in the runtime).
#[derive(Clone)]
pub struct FakeDevice {
	pub owner: AccountId,
	pub active: bool,
	pub key: Option<machina_primitives::OperationalKey>,
	pub location: Option<machina_primitives::H3Cell>,
	pub manufacturer: u32,
	pub uptime: Option<Permill>,
}

std::thread_local! {
	pub static DEVICES: core::cell::RefCell<std::collections::BTreeMap<machina_primitives::DeviceId, FakeDevice>> =
		const { core::cell::RefCell::new(std::collections::BTreeMap::new()) };
}

pub struct FakeRegistry;
impl FakeRegistry {
	pub fn add(id: machina_primitives::DeviceId, device: FakeDevice) {
		DEVICES.with(|d| d.borrow_mut().insert(id, device));
	}
	pub fn update(id: &machina_primitives::DeviceId, f: impl FnOnce(&mut FakeDevice)) {
		DEVICES.with(|d| f(d.borrow_mut().get_mut(id).expect("device")));
	}
	fn get(id: &machina_primitives::DeviceId) -> Option<FakeDevice> {
		DEVICES.with(|d| d.borrow().get(id).cloned())
	}
	pub fn get_key(id: &machina_primitives::DeviceId) -> Option<machina_primitives::OperationalKey> {
		Self::get(id).and_then(|d| d.key)
	}
}
impl machina_primitives::DeviceInspect<AccountId> for FakeRegistry {
	fn owner(id: &machina_primitives::DeviceId) -> Option<AccountId> {
		Self::get(id).map(|d| d.owner)
	}
	fn status(id: &machina_primitives::DeviceId) -> Option<machina_primitives::DeviceStatus> {
		Self::get(id).map(|d| {
			if d.active {
				machina_primitives::DeviceStatus::Active
			} else {
				machina_primitives::DeviceStatus::Suspended
			}
		})
	}
	fn operational_key(id: &machina_primitives::DeviceId) -> Option<machina_primitives::OperationalKey> {
		Self::get(id).and_then(|d| d.key)
	}
	fn location(id: &machina_primitives::DeviceId) -> Option<machina_primitives::H3Cell> {
		Self::get(id).and_then(|d| d.location)
	}
	fn manufacturer(id: &machina_primitives::DeviceId) -> Option<u32> {
		Self::get(id).map(|d| d.manufacturer)
	}
	fn aggregation_key(_: &machina_primitives::DeviceId) -> Option<machina_primitives::AggregationKey> {
		None
	}
	fn active_until(_: &machina_primitives::DeviceId) -> Option<u64> {
		None
	}
}

std::thread_local! {
	// Referenda as a test sets them: index -> (the order it rules on, whether undecided).
	pub static REFERENDA: core::cell::RefCell<std::collections::BTreeMap<u32, (crate::OrderId, bool)>> =
		const { core::cell::RefCell::new(std::collections::BTreeMap::new()) };
}

pub struct FakeRulings;
impl FakeRulings {
	/// Referendum `index`, ruling on `order`, is ongoing.
	pub fn open(index: u32, order: crate::OrderId) {
		REFERENDA.with(|r| r.borrow_mut().insert(index, (order, true)));
	}
	/// Referendum `index` is decided (rejected, or enacted).
	pub fn decide(index: u32) {
		REFERENDA.with(|r| r.borrow_mut().get_mut(&index).expect("referendum").1 = false);
	}
}
impl crate::RulingReferenda for FakeRulings {
	fn rules_on(index: u32, order: crate::OrderId) -> bool {
		REFERENDA.with(|r| r.borrow().get(&index) == Some(&(order, true)))
	}
	fn undecided(index: u32) -> bool {
		REFERENDA.with(|r| r.borrow().get(&index).is_some_and(|(_, open)| *open))
	}
	fn query_weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::zero()
	}
}

pub struct FakeUptime;
impl machina_primitives::UptimeInspect for FakeUptime {
	fn uptime(id: &machina_primitives::DeviceId) -> Option<Permill> {
		FakeRegistry::get(id).and_then(|d| d.uptime)
	}
}

impl pallet_intents::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Balance = Balance;
	type AssetKind = AssetKind;
	type Assets = AllAssets;
	type AssetHolds = AllAssetHolds;
	type NativeAsset = Native;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Clock = RelayClock;
	type Bonds = MicroBonds;
	type Slasher = MicroBonds;
	type Devices = FakeRegistry;
	type Uptime = FakeUptime;
	type Insurance = MicroBonds;
	type Signature = MultiSignature;
	type AdminOrigin = EnsureRoot<AccountId>;
	type PalletId = IntentsPalletId;
	type RoundLength = ConstU32<ROUND>;
	type SolverBond = ConstU128<SOLVER_BOND>;
	type MaxSolvers = ConstU32<4>;
	type MaxFills = ConstU32<MAX_FILLS>;
	type MaxMarketsPerSolution = ConstU32<1>;
	type MaxSettlementsPerBlock = ConstU32<2>;
	type MaxMarkets = ConstU32<16>;
	type MarketDeposit = ConstU128<MARKET_DEPOSIT>;
	type IntentDeposit = ConstU128<INTENT_DEPOSIT>;
	type MaxIntentsPerAccount = ConstU32<MAX_INTENTS>;
	type MaxIntentLifetime = ConstU32<MAX_LIFETIME>;
	type MaxExpiriesPerBlock = ConstU32<MAX_EXPIRIES>;
	type ChannelDeposit = ConstU128<CHANNEL_DEPOSIT>;
	type MaxChannelsPerPayer = ConstU32<4>;
	type MaxChannelLifetime = ConstU32<MAX_CHANNEL_LIFETIME>;
	type DeliveryWindow = ConstU32<DELIVERY_WINDOW>;
	type DisputeWindow = ConstU32<DISPUTE_WINDOW>;
	type ArbitrationPeriod = ConstU32<ARBITRATION>;
	type MaxArbitrationPeriod = ConstU32<MAX_ARBITRATION>;
	type Rulings = FakeRulings;
	type DisputeDeposit = ConstU128<DISPUTE_DEPOSIT>;
	type OrderDeposit = ConstU128<ORDER_DEPOSIT>;
	type MaxOrdersPerPurchase = ConstU32<MAX_ORDERS>;
	type SlaCompensation = SlaCompensation;
	type CallClassifier = MockCallClasses;
	type OperationalAccount = KeyAccount;
	type SponsorshipPeriod = ConstU32<SPONSORSHIP_PERIOD>;
	type SponsorshipDeposit = ConstU128<SPONSORSHIP_DEPOSIT>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarks;
}

/// A sponsorship's allowance renews every 10 relay blocks.
pub const SPONSORSHIP_PERIOD: u32 = 10;
pub const SPONSORSHIP_DEPOSIT: Balance = 10 * ED;

/// Receipts and channel calls are device work; every other intents call is `Intents`;
/// nothing else (transfers) is ever sponsored.
pub struct MockCallClasses;
impl crate::ClassifyCall<RuntimeCall> for MockCallClasses {
	fn classify(call: &RuntimeCall) -> Option<crate::CallClass> {
		use crate::{Call, CallClass};
		match call {
			RuntimeCall::Intents(Call::post_receipt { .. }) => Some(CallClass::Receipts),
			RuntimeCall::Intents(
				Call::claim { .. }
				| Call::close_channel { .. }
				| Call::open_channel { .. }
				| Call::top_up_channel { .. },
			) => Some(CallClass::Channels),
			// As on the runtime: sponsorship management is never sponsored.
			RuntimeCall::Intents(
				Call::sponsor_device { .. }
				| Call::end_sponsorship { .. }
				| Call::fund_sponsor_pot { .. }
				| Call::withdraw_sponsor_pot { .. },
			) => None,
			RuntimeCall::Intents(_) => Some(CallClass::Intents),
			_ => None,
		}
	}
}

/// A device's account is its operational key's, as on the runtime.
pub struct KeyAccount;
impl sp_runtime::traits::Convert<machina_primitives::OperationalKey, AccountId> for KeyAccount {
	fn convert(key: machina_primitives::OperationalKey) -> AccountId {
		match key {
			machina_primitives::OperationalKey::Ed25519(k) => k.0.into(),
			machina_primitives::OperationalKey::Sr25519(k) => k.0.into(),
		}
	}
}

/// Fees as on the runtime: one planck per unit of weight ref-time and per byte, paid
/// through the sponsorship adapter into nowhere (burnt).
impl pallet_transaction_payment::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type OnChargeTransaction =
		crate::sponsorship::SponsoredFees<Test, pallet_transaction_payment::FungibleAdapter<Balances, ()>>;
	type WeightToFee = frame_support::weights::IdentityFee<Balance>;
	type LengthToFee = frame_support::weights::IdentityFee<Balance>;
	type FeeMultiplierUpdate = ();
	type OperationalFeeMultiplier = frame_support::traits::ConstU8<5>;
	type WeightInfo = ();
}

/// Benchmark market `n` trades asset `100 + 2n` against `101 + 2n`.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarks;
#[cfg(feature = "runtime-benchmarks")]
impl crate::benchmarking::BenchmarkHelper<Test> for MockBenchmarks {
	fn market_assets(n: u32) -> (AssetKind, AssetKind) {
		for id in [100 + 2 * n, 101 + 2 * n] {
			if !pallet_assets::Asset::<Test>::contains_key(id) {
				frame_support::assert_ok!(Assets::force_create(RuntimeOrigin::root(), id, issuer(), true, 1));
			}
		}
		(NativeOrWithId::WithId(100 + 2 * n), NativeOrWithId::WithId(101 + 2 * n))
	}
	fn fund(asset: AssetKind, who: &AccountId, amount: Balance) {
		use frame_support::traits::fungibles::Mutate;
		frame_support::assert_ok!(AllAssets::mint_into(asset, who, amount));
	}
	fn bond_solver(who: &AccountId) {
		frame_support::assert_ok!(MicroBonds::bond(
			RuntimeOrigin::signed(who.clone()),
			machina_primitives::BondPurpose::Solver,
			SOLVER_BOND
		));
	}
	fn set_clock(at: u32) {
		RelayBlock::set(at);
	}
	fn voucher_signer() -> AccountId {
		sp_keyring::Sr25519Keyring::Alice.to_account_id()
	}
	fn register_device(owner: &AccountId, n: u32) -> machina_primitives::DeviceId {
		use sp_core::Pair;
		let id = sp_core::H256::from_low_u64_be(n as u64 + 1_000);
		let key = sp_core::sr25519::Pair::from_seed(&[n as u8; 32]).public();
		FakeRegistry::add(
			id,
			FakeDevice {
				owner: owner.clone(),
				active: true,
				key: Some(machina_primitives::OperationalKey::Sr25519(key)),
				location: None,
				manufacturer: 0,
				uptime: None,
			},
		);
		id
	}
	fn device_sign(n: u32, payload: &[u8]) -> machina_primitives::DeviceSignature {
		use sp_core::Pair;
		machina_primitives::DeviceSignature::Sr25519(sp_core::sr25519::Pair::from_seed(&[n as u8; 32]).sign(payload))
	}
	fn sign(_: &AccountId, payload: &[u8]) -> MultiSignature {
		{
			use sp_core::Pair;
			MultiSignature::Sr25519(sp_keyring::Sr25519Keyring::Alice.pair().sign(payload))
		}
	}
	fn open_ruling(order: crate::OrderId) -> u32 {
		FakeRulings::open(7, order);
		7
	}
}

use sp_keyring::Sr25519Keyring;
pub fn alice() -> AccountId {
	Sr25519Keyring::Alice.to_account_id()
}
pub fn bob() -> AccountId {
	Sr25519Keyring::Bob.to_account_id()
}
pub fn charlie() -> AccountId {
	Sr25519Keyring::Charlie.to_account_id()
}
pub fn dave() -> AccountId {
	Sr25519Keyring::Dave.to_account_id()
}
pub fn eve() -> AccountId {
	Sr25519Keyring::Eve.to_account_id()
}
/// The solver.
pub fn solver() -> AccountId {
	Sr25519Keyring::Ferdie.to_account_id()
}
/// A second solver.
pub fn solver2() -> AccountId {
	Sr25519Keyring::One.to_account_id()
}
/// Owns and administers the test assets.
pub fn issuer() -> AccountId {
	Sr25519Keyring::Two.to_account_id()
}
pub fn users() -> Vec<AccountId> {
	vec![alice(), bob(), charlie(), dave(), eve(), solver(), solver2(), issuer()]
}

pub const ENDOWMENT: Balance = 100_000 * UNIT;
pub const USD_ENDOWMENT: Balance = 100_000 * USD_UNIT;
pub const KWH_ENDOWMENT: Balance = 100_000 * KWH_UNIT;

/// 10% of the solver's bond (capped at 10,000 MACH); 10% to the reporter, 50% to
/// insurance, 40% burned: the runtime's genesis policy for invalid solutions.
pub fn invalid_solution_policy() -> SlashPolicy<Balance> {
	SlashPolicy {
		fraction: Perbill::from_percent(10),
		cap: 10_000 * UNIT,
		reporter: Perbill::from_percent(10),
		insurance: Perbill::from_percent(50),
		burn: Perbill::from_percent(40),
	}
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: users().into_iter().map(|who| (who, ENDOWMENT)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.unwrap();
	pallet_assets::GenesisConfig::<Test> {
		assets: vec![(USD, issuer(), false, USD_MIN), (KWH, issuer(), false, 1)],
		metadata: vec![],
		accounts: users()
			.into_iter()
			.flat_map(|who| [(USD, who.clone(), USD_ENDOWMENT), (KWH, who, KWH_ENDOWMENT)])
			.collect(),
		next_asset_id: None,
		reserves: vec![],
	}
	.assimilate_storage(&mut t)
	.unwrap();
	pallet_micro_bonds::GenesisConfig::<Test> {
		max_commission: Perbill::from_percent(20),
		slash_policies: vec![
			(OffenceKind::InvalidSolution, invalid_solution_policy()),
			(OffenceKind::ServiceDefault, invalid_solution_policy()),
		],
	}
	.assimilate_storage(&mut t)
	.unwrap();
	pallet_intents::GenesisConfig::<Test> { solver_fee_cap: Permill::from_parts(3_000), ..Default::default() }
		.assimilate_storage(&mut t)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| {
		System::set_block_number(1);
		RelayBlock::set(100);
		DEVICES.with(|d| d.borrow_mut().clear());
		<Intents as frame_support::traits::PostInherents>::post_inherents();
	});
	ext
}

/// Advance the relay chain to `n` and produce one parachain block (the hooks the runtime
/// runs: micro-bonds' `on_initialize`, this pallet after the inherents).
pub fn run_to_relay(n: u32) {
	use frame_support::traits::Hooks;
	RelayBlock::set(n);
	let next = System::block_number() + 1;
	System::set_block_number(next);
	MicroBonds::on_initialize(next);
	<Intents as frame_support::traits::PostInherents>::post_inherents();
}

/// This pallet's events, oldest first.
pub fn events() -> Vec<crate::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| if let RuntimeEvent::Intents(e) = r.event { Some(e) } else { None })
		.collect()
}

/// Every invariant, plus this pallet's recorded holds against the asset pallets' own
/// books, summed over every test account: nothing held is unaccounted for.
pub fn check() {
	use frame_support::traits::fungibles::InspectHold;
	Intents::do_try_state().expect("try_state");
	let mut books = std::collections::BTreeMap::new();
	for asset in [AssetKind::Native, AssetKind::WithId(USD), AssetKind::WithId(KWH)] {
		for (tag, reason) in [
			(0u8, crate::HoldReason::IntentEscrow),
			(1, crate::HoldReason::ChannelEscrow),
			(2, crate::HoldReason::StorageDeposit),
			(3, crate::HoldReason::OrderEscrow),
		] {
			let sum: Balance = users()
				.iter()
				.map(|who| AllAssetHolds::balance_on_hold(asset.clone(), &RuntimeHoldReason::Intents(reason), who))
				.sum();
			if sum > 0 {
				books.insert((asset.clone(), tag), sum);
			}
		}
	}
	assert_eq!(Intents::recorded_holds(), books, "recorded holds differ from the asset pallets' books");
}
