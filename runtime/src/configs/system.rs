//! frame-system, timestamp and the block limits.

use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64, Everything, Get},
	weights::constants::{BlockExecutionWeight, ExtrinsicBaseWeight, RocksDbWeight},
};
use frame_system::limits::{BlockLength, BlockWeights};
use sp_runtime::Perbill;

use crate::{
	constants::currency::SS58_PREFIX, AccountId, Aura, Balance, Block, Hash, Nonce, PalletInfo, Runtime, RuntimeCall,
	RuntimeEvent, RuntimeOrigin, RuntimeTask, VERSION,
};

/// `on_initialize` handlers may use about 5% of a block.
const AVERAGE_ON_INITIALIZE_RATIO: Perbill = Perbill::from_percent(5);
/// Normal transactions may fill 75% of a block; the rest is kept for operational ones.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);
/// A block's share of the relay chain cores Machina has: with 3 cores, a whole core
/// (2 s of compute, the relay chain's PoV limit) per 2 s block; bundled on one core,
/// a third of it. The first block of a core may take the whole core for one transaction
/// too big for its share (see [`crate::TxExtension`]). Read from the block's digest, so
/// it is only meaningful while a block is built or checked.
pub type MaximumBlockWeight = cumulus_pallet_parachain_system::block_weight::MaxParachainBlockWeight<
	Runtime,
	ConstU32<{ crate::BLOCK_PROCESSING_VELOCITY }>,
>;

parameter_types! {
	pub const Version: sp_version::RuntimeVersion = VERSION;
	/// 5 MiB blocks, of which normal transactions may fill `NORMAL_DISPATCH_RATIO`.
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(5 * 1024 * 1024)
		.modify_max_length_for_class(frame_support::dispatch::DispatchClass::Normal, |max| {
			*max = NORMAL_DISPATCH_RATIO * *max;
		})
		.build();
	pub RuntimeBlockWeights: BlockWeights = BlockWeights::builder()
		.base_block(BlockExecutionWeight::get())
		.for_class(frame_support::dispatch::DispatchClass::all(), |weights| {
			weights.base_extrinsic = ExtrinsicBaseWeight::get();
		})
		.for_class(frame_support::dispatch::DispatchClass::Normal, |weights| {
			weights.max_total = Some(NORMAL_DISPATCH_RATIO * MaximumBlockWeight::get());
		})
		.for_class(frame_support::dispatch::DispatchClass::Operational, |weights| {
			weights.max_total = Some(MaximumBlockWeight::get());
			// Operational transactions keep a reserve even when normal ones fill the block.
			weights.reserved = Some(
				MaximumBlockWeight::get() - NORMAL_DISPATCH_RATIO * MaximumBlockWeight::get(),
			);
		})
		.avg_block_initialization(AVERAGE_ON_INITIALIZE_RATIO)
		.build_or_panic();
}

#[derive_impl(frame_system::config_preludes::ParaChainDefaultConfig)]
impl frame_system::Config for Runtime {
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type Block = Block;
	type BlockHashCount = ConstU32<4096>;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type DbWeight = RocksDbWeight;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type SS58Prefix = ConstU16Prefix;
	type BaseCallFilter = Everything;
	type OnSetCode = cumulus_pallet_parachain_system::ParachainSetCode<Self>;
	type MaxConsumers = ConstU32<16>;
	type SingleBlockMigrations = ();
	// While a multi-block migration runs, blocks carry inherents only.
	type MultiBlockMigrator = crate::MultiBlockMigrations;
	// Block bundling: a block whose `on_initialize` outgrew its share takes the whole core.
	type PreInherents = cumulus_pallet_parachain_system::block_weight::DynamicMaxBlockWeightHooks<
		Self,
		ConstU32<{ crate::BLOCK_PROCESSING_VELOCITY }>,
	>;
	// Coverage advances its slot clock, sessions rotate, and the scheduler skips a gap of
	// the relay clock, once the relay parent of the block is known.
	type PostInherents = (
		crate::Coverage,
		crate::Intents,
		super::collators::RelaySessions<super::collators::SessionPeriod>,
		super::governance::SchedulerCatchUp,
	);
	type RuntimeEvent = RuntimeEvent;
	type RuntimeOrigin = RuntimeOrigin;
	type RuntimeCall = RuntimeCall;
	type RuntimeTask = RuntimeTask;
	type PalletInfo = PalletInfo;
}

parameter_types! {
	pub const ConstU16Prefix: u16 = SS58_PREFIX;
}

impl pallet_timestamp::Config for Runtime {
	type Moment = u64;
	// Aura checks the timestamp against its slot.
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<0>;
	type WeightInfo = ();
}

impl cumulus_pallet_weight_reclaim::Config for Runtime {
	type WeightInfo = ();
}
