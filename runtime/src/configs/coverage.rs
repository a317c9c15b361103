//! Coverage: epochs and slots on the relay-chain clock (6 s blocks), so faster
//! parachain blocks change none of them. Testnet values: 30 s slots, 10-minute epochs.

use frame_support::{parameter_types, traits::ConstU32, PalletId};
use frame_system::EnsureRoot;
use sp_runtime::traits::AccountIdConversion;

use crate::{
	configs::micro_bonds::{RelayBlocks, RelayClock},
	constants::currency::UNIT,
	AccountId, Balance, Balances, DeviceRegistry, MicroBonds, Runtime, RuntimeEvent, Timestamp,
};

parameter_types! {
	/// 100 relay blocks: a 10-minute epoch.
	pub const EpochLength: RelayBlocks = 100;
	/// 20 slots of 5 relay blocks (30 s): a device heartbeats every 30 s.
	pub const SlotsPerEpoch: u16 = 20;
	/// Evidence of malice can forfeit an epoch's rewards for 5 minutes after it closes;
	/// claims open then.
	pub const ChallengePeriod: RelayBlocks = 50;
	/// Rewards stay claimable for 1,008 epochs (7 days).
	pub const ClaimWindow: u32 = 1_008;
	/// An aggregator bonds 100 MACH: a batch that fails costs it its fee, a batch is
	/// never slashable (an invalid aggregate does not verify).
	pub const MinAggregatorBond: Balance = 100 * UNIT;
	/// Direct heartbeats pay no fee, so they queue behind every fee-paying transaction
	/// (whose priority grows with its fee and tip): free traffic cannot crowd paid work
	/// out of a block. Aggregated batches pay fees and carry most heartbeats.
	pub const HeartbeatPriority: u64 = 1;
	/// A direct heartbeat waits at most a minute in the pool (the pool counts blocks;
	/// its 30 s slot ends sooner, and the pool drops it then anyway: its slot is no
	/// longer current).
	pub const HeartbeatLongevity: u64 = crate::para_blocks(60_000) as u64;
	pub const CoveragePalletId: PalletId = PalletId(*b"mch/covr");
	/// The reward reserve epochs are paid from: funded at genesis (and by the treasury
	/// once governance lands).
	pub const RewardReservePalletId: PalletId = PalletId(*b"mch/rwrd");
	pub RewardReserve: AccountId = RewardReservePalletId::get().into_account_truncating();
}

/// 1,024 devices per shard: a batch reads 6.5 KB per shard (roster and uptime) and
/// 96 bytes plus a trie path per absentee.
pub const SHARD_SIZE: u32 = 1_024;

impl pallet_coverage::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type Devices = DeviceRegistry;
	type Bonds = MicroBonds;
	type Rewards = MicroBonds;
	type Slasher = MicroBonds;
	type Clock = RelayClock;
	type UnixTime = Timestamp;
	type EpochLength = EpochLength;
	type SlotsPerEpoch = SlotsPerEpoch;
	type ChallengePeriod = ChallengePeriod;
	type ClaimWindow = ClaimWindow;
	type ShardSize = ConstU32<SHARD_SIZE>;
	type ShardBitmapBytes = ConstU32<{ SHARD_SIZE / 8 }>;
	// 1,048,576 devices.
	type MaxShards = ConstU32<1_024>;
	// 65,536 devices in one batch.
	type MaxShardsPerBatch = ConstU32<64>;
	type MaxAbsentPerShard = ConstU32<SHARD_SIZE>;
	// The range heartbeat_batch's weight is benchmarked over (13 µs and ~2.6 KB of proof
	// each): a batch with more absentees should name fewer shards.
	type MaxAbsentPerBatch = ConstU32<1_024>;
	type MaxClaimEpochs = ConstU32<16>;
	type MinAggregatorBond = MinAggregatorBond;
	type HeartbeatPriority = HeartbeatPriority;
	type HeartbeatLongevity = HeartbeatLongevity;
	type RewardSource = RewardReserve;
	type PalletId = CoveragePalletId;
	// Uptime rules and reward splits: an `economic_admin` referendum (or root).
	type AdminOrigin =
		frame_support::traits::EitherOf<EnsureRoot<AccountId>, crate::configs::governance::origins::EconomicAdmin>;
	type WeightInfo = pallet_coverage::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = CoverageBenchmarks;
}

/// Devices and bonds for the coverage benchmarks, through the real registry and bonds.
#[cfg(feature = "runtime-benchmarks")]
pub struct CoverageBenchmarks;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_coverage::BenchmarkHelper<AccountId> for CoverageBenchmarks {
	fn register_device(
		owner: &AccountId,
		device: machina_primitives::DeviceId,
		key: machina_primitives::OperationalKey,
		aggregation_key: Option<machina_primitives::AggregationKey>,
	) {
		use frame_support::traits::fungible::Mutate;
		use machina_primitives::{BondManager, BondPurpose};
		let bond = crate::configs::device_registry::DeviceBond::get();
		// A new device, or one that changes hands: its owner commits the bond.
		let committed = <MicroBonds as BondManager<_, _>>::commitment(owner, device).is_some();
		DeviceRegistry::insert_benchmark_device(owner, device, key, aggregation_key);
		if !committed {
			Balances::mint_into(owner, bond * 2).expect("mints");
			MicroBonds::bond(crate::RuntimeOrigin::signed(owner.clone()), BondPurpose::Device, bond).expect("bonds");
			<MicroBonds as BondManager<_, _>>::require_bond(owner, BondPurpose::Device, device, bond).expect("commits");
		}
	}

	fn bond_aggregator(who: &AccountId) {
		use frame_support::traits::fungible::Mutate;
		Balances::mint_into(who, MinAggregatorBond::get() * 2).expect("mints");
		MicroBonds::bond(
			crate::RuntimeOrigin::signed(who.clone()),
			machina_primitives::BondPurpose::Aggregator,
			MinAggregatorBond::get(),
		)
		.expect("bonds");
	}

	fn bond_device(_: &AccountId, _: machina_primitives::DeviceId) {
		// `register_device` bonded it.
	}

	fn set_relay_block(block: u32) {
		use sp_runtime::traits::BlockNumberProvider;
		RelayClock::set_block_number(block);
	}
}
