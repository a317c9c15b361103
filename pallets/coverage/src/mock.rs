//! A test runtime with the Machina runtime's economics (12-decimal MACH, existential
//! deposit 1 mMACH) and small shards (64 devices) so tests cross shard boundaries. The
//! registry, bonds and slasher are in-memory fakes with the contracts of the real ones;
//! the runtime's integration tests use the real pallets.

use core::cell::RefCell;
use std::collections::BTreeMap;

use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU128, ConstU16, ConstU32, ConstU64},
	PalletId,
};
use frame_system::EnsureRoot;
use machina_primitives::{
	bls::{self, testing},
	AggregationKey, BondManager, BondPurpose, BondSlasher, CommitmentId, CommitmentInfo, DeviceId, DeviceInspect,
	DeviceStatus, H3Cell, Offence, OperationalKey, SlashOutcome,
};
use sp_core::{ed25519, Pair, H256};
use sp_runtime::{traits::BlockNumberProvider, BuildStorage, DispatchError, DispatchResult, Perbill};

use crate::{self as pallet_coverage, *};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = sp_runtime::AccountId32;
pub type Balance = u128;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Coverage: pallet_coverage,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
	type PostInherents = Coverage;
}

/// One MACH, and the runtime's existential deposit.
pub const UNIT: Balance = 1_000_000_000_000;
pub const ED: Balance = UNIT / 1_000;

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type ExistentialDeposit = ConstU128<ED>;
}

/// Relay blocks per epoch and slots per epoch of the tests: 4 slots of 10 relay blocks.
pub const EPOCH: u32 = 40;
pub const SLOT: u32 = 10;
pub const SLOTS: u16 = 4;
pub const CHALLENGE: u32 = 10;
pub const CLAIM_WINDOW: u32 = 3;
pub const SHARD: u32 = 64;
/// Emission per epoch and its uptime share.
pub const EMISSION: Balance = 1_000 * UNIT;
pub const SOURCE_FUNDS: Balance = 1_000_000 * UNIT;
/// The bond manager's evidence window, in relay blocks.
pub const EVIDENCE_WINDOW: u32 = 7;
/// What a slash takes and what of it the reporter gets.
pub const SLASH: Balance = 10 * UNIT;
pub const REPORTER_SHARE: Balance = UNIT;

parameter_types! {
	pub static RelayNow: u32 = 0;
	/// Whether the fake rewards say the backing pool cannot take rewards yet.
	pub static PoolNotEarning: bool = false;
	pub static UnixNow: u64 = 1_000_000;
	pub const CoveragePalletId: PalletId = PalletId(*b"mch/covr");
	pub RewardSourceAccount: AccountId = AccountId::new([0xee; 32]);
}

pub struct RelayClock;
impl BlockNumberProvider for RelayClock {
	type BlockNumber = u32;
	fn current_block_number() -> u32 {
		RelayNow::get()
	}
}

pub struct Time;
impl frame_support::traits::UnixTime for Time {
	fn now() -> core::time::Duration {
		core::time::Duration::from_secs(UnixNow::get())
	}
}

/// A device as the fake registry holds it.
#[derive(Clone)]
pub struct FakeDevice {
	pub owner: AccountId,
	pub status: DeviceStatus,
	pub key: Option<OperationalKey>,
	pub aggregation_key: Option<AggregationKey>,
	pub active_until: u64,
}

thread_local! {
	pub static DEVICES: RefCell<BTreeMap<DeviceId, FakeDevice>> = const { RefCell::new(BTreeMap::new()) };
	pub static AGGREGATOR_BONDS: RefCell<BTreeMap<AccountId, Balance>> = const { RefCell::new(BTreeMap::new()) };
	pub static OFFENCES: RefCell<Vec<(Offence<AccountId, u32>, Option<AccountId>)>> = const { RefCell::new(Vec::new()) };
}

pub struct FakeRegistry;
impl FakeRegistry {
	fn get(device: &DeviceId) -> Option<FakeDevice> {
		DEVICES.with(|d| d.borrow().get(device).cloned())
	}
	pub fn update(device: &DeviceId, f: impl FnOnce(&mut FakeDevice)) {
		DEVICES.with(|d| f(d.borrow_mut().get_mut(device).expect("registered")))
	}
}
impl DeviceInspect<AccountId> for FakeRegistry {
	fn owner(device: &DeviceId) -> Option<AccountId> {
		Self::get(device).map(|d| d.owner)
	}
	fn status(device: &DeviceId) -> Option<DeviceStatus> {
		Self::get(device).map(|d| {
			if d.status == DeviceStatus::Active && UnixNow::get() >= d.active_until {
				DeviceStatus::Stale
			} else {
				d.status
			}
		})
	}
	fn operational_key(device: &DeviceId) -> Option<OperationalKey> {
		Self::get(device).and_then(|d| d.key)
	}
	fn location(_: &DeviceId) -> Option<H3Cell> {
		None
	}
	fn aggregation_key(device: &DeviceId) -> Option<AggregationKey> {
		Self::get(device).and_then(|d| d.aggregation_key)
	}
	fn active_until(device: &DeviceId) -> Option<u64> {
		(Self::status(device) == Some(DeviceStatus::Active)).then(|| Self::get(device).unwrap().active_until)
	}
}

/// Pays the holder like `PayHolder`, or fails as micro-bonds does while the backing pool
/// has no earning stake (`PoolNotEarning`).
pub struct FakeRewards;
impl machina_primitives::CommitmentRewards<AccountId, Balance> for FakeRewards {
	fn pay_reward(
		payer: &AccountId,
		who: &AccountId,
		id: CommitmentId,
		amount: Balance,
	) -> Result<machina_primitives::RewardPayout<Balance>, DispatchError> {
		if PoolNotEarning::get() {
			return Err(DispatchError::Other("NoEarningStake"));
		}
		<machina_primitives::PayHolder<Balances> as machina_primitives::CommitmentRewards<_, _>>::pay_reward(
			payer, who, id, amount,
		)
	}
	fn pay_reward_weight() -> frame_support::weights::Weight {
		Default::default()
	}
}

pub struct FakeBonds;
impl BondManager<AccountId, Balance> for FakeBonds {
	fn require_bond(_: &AccountId, _: BondPurpose, _: CommitmentId, _: Balance) -> DispatchResult {
		Ok(())
	}
	fn release_bond(_: &AccountId, _: CommitmentId) -> Result<Balance, DispatchError> {
		Ok(0)
	}
	fn release_and_unbond(_: &AccountId, _: CommitmentId) -> Result<Balance, DispatchError> {
		Ok(0)
	}
	fn commitment(_: &AccountId, _: CommitmentId) -> Option<CommitmentInfo<Balance>> {
		None
	}
	fn bonded(who: &AccountId, purpose: BondPurpose) -> Balance {
		if purpose != BondPurpose::Aggregator {
			return 0;
		}
		AGGREGATOR_BONDS.with(|b| b.borrow().get(who).copied().unwrap_or(0))
	}
	fn committed(_: &AccountId, _: BondPurpose) -> Balance {
		0
	}
}

/// Refuses evidence older than the evidence window and an offence it has seen, like
/// micro-bonds; pays the reporter its share by minting (the real slasher moves the
/// slashed bond).
pub struct FakeSlasher;
impl BondSlasher<AccountId, Balance, u32> for FakeSlasher {
	fn report_offence(
		offence: Offence<AccountId, u32>,
		reporter: Option<AccountId>,
	) -> Result<SlashOutcome<Balance>, DispatchError> {
		let now = RelayNow::get();
		if offence.evidence_time > now || now - offence.evidence_time > EVIDENCE_WINDOW {
			return Err(DispatchError::Other("EvidenceTooOld"));
		}
		if OFFENCES.with(|o| o.borrow().iter().any(|(seen, _)| seen.id == offence.id)) {
			return Err(DispatchError::Other("DuplicateOffence"));
		}
		if let Some(r) = &reporter {
			let _ = <Balances as frame_support::traits::fungible::Mutate<_>>::mint_into(r, REPORTER_SHARE);
		}
		OFFENCES.with(|o| o.borrow_mut().push((offence, reporter)));
		Ok(SlashOutcome { slashed: SLASH, to_reporter: REPORTER_SHARE, ..Default::default() })
	}
	fn report_offence_weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::from_parts(1_000_000, 0)
	}
}

impl pallet_coverage::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type Devices = FakeRegistry;
	type Bonds = FakeBonds;
	type Rewards = FakeRewards;
	type Slasher = FakeSlasher;
	type Clock = RelayClock;
	type UnixTime = Time;
	type EpochLength = ConstU32<EPOCH>;
	type SlotsPerEpoch = ConstU16<SLOTS>;
	type ChallengePeriod = ConstU32<CHALLENGE>;
	type ClaimWindow = ConstU32<CLAIM_WINDOW>;
	type ShardSize = ConstU32<SHARD>;
	type ShardBitmapBytes = ConstU32<{ SHARD / 8 }>;
	type MaxShards = ConstU32<64>;
	type MaxShardsPerBatch = ConstU32<32>;
	type MaxAbsentPerShard = ConstU32<SHARD>;
	type MaxAbsentPerBatch = ConstU32<SHARD>;
	type MaxClaimEpochs = ConstU32<8>;
	type MinAggregatorBond = ConstU128<{ 100 * UNIT }>;
	type HeartbeatPriority = ConstU64<1_000_000>;
	type HeartbeatLongevity = ConstU64<5>;
	type RewardSource = RewardSourceAccount;
	type PalletId = CoveragePalletId;
	type AdminOrigin = EnsureRoot<AccountId>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for () {
	fn register_device(
		owner: &AccountId,
		device: DeviceId,
		key: OperationalKey,
		aggregation_key: Option<AggregationKey>,
	) {
		DEVICES.with(|d| {
			d.borrow_mut().insert(
				device,
				FakeDevice {
					owner: owner.clone(),
					status: DeviceStatus::Active,
					key: Some(key),
					aggregation_key,
					active_until: u64::MAX / 2,
				},
			)
		});
	}
	fn bond_aggregator(who: &AccountId) {
		AGGREGATOR_BONDS.with(|b| b.borrow_mut().insert(who.clone(), 100 * UNIT));
	}
	fn bond_device(_: &AccountId, _: DeviceId) {}
	fn set_relay_block(block: u32) {
		RelayNow::set(block);
	}
}

pub fn account(i: u8) -> AccountId {
	AccountId::new([i; 32])
}
pub const OWNER: u8 = 1;
pub const AGGREGATOR: u8 = 2;
pub const REPORTER: u8 = 3;

/// A simulated device: its id, operational key pair and BLS secret.
pub struct SimDevice {
	pub id: DeviceId,
	pub pair: ed25519::Pair,
	pub bls: bls12_381::Scalar,
}

impl SimDevice {
	pub fn new(i: u32) -> Self {
		let id = H256(sp_io::hashing::blake2_256(&(b"device", i).encode()));
		let pair = ed25519::Pair::from_seed(&sp_io::hashing::blake2_256(&(b"op", i).encode()));
		let bls = testing::secret(&sp_io::hashing::blake2_256(&(b"bls", i).encode()));
		Self { id, pair, bls }
	}
	/// Its signature of the current slot message.
	pub fn heartbeat(&self, epoch: EpochIndex, slot: SlotIndex) -> DeviceSignature {
		Coverage::current_message(epoch, slot).expect("current slot");
		let anchor = crate::CurrentSlot::<Test>::get().expect("current slot").anchor;
		DeviceSignature::Ed25519(self.pair.sign(&Coverage::direct_message(&self.id, epoch, slot, anchor)))
	}
	pub fn sign_anchor(&self, epoch: EpochIndex, slot: SlotIndex, anchor: H256) -> SignedHeartbeat {
		let message = Coverage::direct_message(&self.id, epoch, slot, anchor);
		SignedHeartbeat { anchor, signature: DeviceSignature::Ed25519(self.pair.sign(&message)) }
	}
}

use codec::Encode;

/// Register `devices` (active, with operational and BLS keys, owned by `OWNER`).
pub fn register(devices: &[SimDevice]) {
	DEVICES.with(|d| {
		let mut d = d.borrow_mut();
		for s in devices {
			d.insert(
				s.id,
				FakeDevice {
					owner: account(OWNER),
					status: DeviceStatus::Active,
					key: Some(OperationalKey::Ed25519(s.pair.public())),
					aggregation_key: Some(testing::stored_public(&s.bls)),
					active_until: UnixNow::get() + 1_000_000,
				},
			);
		}
	});
}

/// The aggregate signature of `signers` over the current slot message: the sum of their
/// secrets signs once (same message, so the same as summing their signatures).
pub fn aggregate(signers: &[&SimDevice], epoch: EpochIndex, slot: SlotIndex) -> [u8; 96] {
	let secret = signers.iter().fold(bls12_381::Scalar::zero(), |acc, s| acc + s.bls);
	let message = Coverage::current_message(epoch, slot).expect("current slot");
	testing::sign(&secret, &message, bls::SIGNATURE_DST)
}

/// Move the relay clock to `relay` and start a new parachain block (hooks run).
pub fn advance_to(relay: u32) {
	RelayNow::set(relay);
	UnixNow::set(1_000_000 + u64::from(relay) * 6);
	let next = System::block_number() + 1;
	let parent = H256(sp_io::hashing::blake2_256(&next.to_le_bytes()));
	System::reset_events();
	System::initialize(&next, &parent, &Default::default());
	<Coverage as frame_support::traits::PostInherents>::post_inherents();
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	DEVICES.with(|d| d.borrow_mut().clear());
	AGGREGATOR_BONDS.with(|b| b.borrow_mut().insert(account(AGGREGATOR), 100 * UNIT));
	OFFENCES.with(|o| o.borrow_mut().clear());
	RelayNow::set(0);
	UnixNow::set(1_000_000);
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![
			(RewardSourceAccount::get(), SOURCE_FUNDS),
			(account(OWNER), 100 * UNIT),
			(account(AGGREGATOR), 100 * UNIT),
			(account(REPORTER), 100 * UNIT),
		],
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.unwrap();
	pallet_coverage::GenesisConfig::<Test> {
		uptime_rule: vec![],
		split: RewardSplit { per_epoch: EMISSION, uptime: Perbill::from_percent(60) },
	}
	.assimilate_storage(&mut t)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| {
		// Block 0's hash is the genesis hash heartbeats sign.
		frame_system::BlockHash::<Test>::insert(0, H256::repeat_byte(0x42));
		advance_to(EPOCH);
	});
	ext
}

/// The test externalities with a keystore, for the benchmarks' signers.
#[cfg(feature = "runtime-benchmarks")]
pub fn new_bench_ext() -> sp_io::TestExternalities {
	let mut ext = new_test_ext();
	ext.register_extension(sp_keystore::KeystoreExt::new(sp_keystore::testing::MemoryKeystore::new()));
	ext
}
