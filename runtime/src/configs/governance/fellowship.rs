//! The technical fellowship: a ranked collective (`FellowshipCollective`) whose members
//! of rank 3 and above decide, in their own referenda (`FellowshipReferenda`), to
//! whitelist a call. A whitelisted call then needs a public referendum on the short
//! `whitelisted_caller` track instead of the root track: the path for urgent fixes.

use alloc::borrow::Cow;
use codec::Encode;
use frame_support::{
	parameter_types,
	traits::{
		schedule::{self, v3::TaskName, DispatchTime},
		Bounded, ConstU16, ConstU32, EitherOf, EitherOfDiverse, MapSuccess,
	},
};
use frame_system::EnsureRootWithSuccess;
use pallet_referenda::{Curve, Track, TrackInfo};
use sp_runtime::{
	str_array as name,
	traits::BlakeTwo256 as Hashing,
	traits::{Replace, ReplaceWithDefault},
	DispatchError, Perbill,
};

use super::origins::{Fellows, Origin, ReferendumCanceller, ReferendumKiller};
use crate::{
	configs::micro_bonds::RelayClock,
	constants::time::{RELAY_DAYS, RELAY_MINUTES},
	AccountId, Balance, BlockNumber, OriginCaller, Preimage, Runtime, RuntimeCall, RuntimeEvent, Scheduler, Treasury,
};

/// A task's address in the scheduler's agenda.
type SchedulerAddress = (BlockNumber, u32);

/// The fellowship's collective.
pub type FellowshipCollectiveInstance = pallet_ranked_collective::Instance1;
/// The fellowship's referenda.
pub type FellowshipReferendaInstance = pallet_referenda::Instance2;

/// The rank whose members vote on whitelisting and make up the `Fellows` origin.
pub const FELLOWS_RANK: u16 = 3;

/// The shared scheduler as the fellowship's referenda see it: the same agenda, with the
/// task names kept apart. Both referenda pallets name a passed proposal's enactment
/// `("assembly", "enactment", index)`; with equal indexes pending together the second
/// would fail to schedule, silently. The fellowship's names are hashed with a prefix.
pub struct FellowshipScheduler;

fn fellowship_task(id: TaskName) -> TaskName {
	(b"fellowship", id).using_encoded(sp_io::hashing::blake2_256)
}

impl schedule::v3::Anon<BlockNumber, RuntimeCall, OriginCaller> for FellowshipScheduler {
	type Address = SchedulerAddress;
	type Hasher = Hashing;

	fn schedule(
		when: DispatchTime<BlockNumber>,
		maybe_periodic: Option<schedule::Period<BlockNumber>>,
		priority: schedule::Priority,
		origin: OriginCaller,
		call: Bounded<RuntimeCall, Hashing>,
	) -> Result<SchedulerAddress, DispatchError> {
		<Scheduler as schedule::v3::Anon<_, _, _>>::schedule(when, maybe_periodic, priority, origin, call)
	}

	fn cancel(address: SchedulerAddress) -> Result<(), DispatchError> {
		<Scheduler as schedule::v3::Anon<BlockNumber, RuntimeCall, OriginCaller>>::cancel(address)
	}

	fn reschedule(
		address: SchedulerAddress,
		when: DispatchTime<BlockNumber>,
	) -> Result<SchedulerAddress, DispatchError> {
		<Scheduler as schedule::v3::Anon<BlockNumber, RuntimeCall, OriginCaller>>::reschedule(address, when)
	}

	fn next_dispatch_time(address: SchedulerAddress) -> Result<BlockNumber, DispatchError> {
		<Scheduler as schedule::v3::Anon<BlockNumber, RuntimeCall, OriginCaller>>::next_dispatch_time(address)
	}
}

impl schedule::v3::Named<BlockNumber, RuntimeCall, OriginCaller> for FellowshipScheduler {
	type Address = SchedulerAddress;
	type Hasher = Hashing;

	fn schedule_named(
		id: TaskName,
		when: DispatchTime<BlockNumber>,
		maybe_periodic: Option<schedule::Period<BlockNumber>>,
		priority: schedule::Priority,
		origin: OriginCaller,
		call: Bounded<RuntimeCall, Hashing>,
	) -> Result<SchedulerAddress, DispatchError> {
		<Scheduler as schedule::v3::Named<_, _, _>>::schedule_named(
			fellowship_task(id),
			when,
			maybe_periodic,
			priority,
			origin,
			call,
		)
	}

	fn cancel_named(id: TaskName) -> Result<(), DispatchError> {
		<Scheduler as schedule::v3::Named<BlockNumber, RuntimeCall, OriginCaller>>::cancel_named(fellowship_task(id))
	}

	fn reschedule_named(id: TaskName, when: DispatchTime<BlockNumber>) -> Result<SchedulerAddress, DispatchError> {
		<Scheduler as schedule::v3::Named<BlockNumber, RuntimeCall, OriginCaller>>::reschedule_named(
			fellowship_task(id),
			when,
		)
	}

	fn next_dispatch_time(id: TaskName) -> Result<BlockNumber, DispatchError> {
		<Scheduler as schedule::v3::Named<BlockNumber, RuntimeCall, OriginCaller>>::next_dispatch_time(fellowship_task(
			id,
		))
	}
}

parameter_types! {
	/// A fellowship referendum nobody decides on is dropped after a week.
	pub const FellowshipUndecidingTimeout: BlockNumber = 7 * RELAY_DAYS;
}

/// The fellowship's one track: rank 3 and above, votes weighted by rank.
pub struct FellowshipTracksInfo;
impl pallet_referenda::TracksInfo<Balance, BlockNumber> for FellowshipTracksInfo {
	type Id = u16;
	type RuntimeOrigin = OriginCaller;

	fn tracks() -> impl Iterator<Item = Cow<'static, Track<u16, Balance, BlockNumber>>> {
		const FAST: bool = cfg!(feature = "fast-runtime");
		static TRACKS: [Track<u16, Balance, BlockNumber>; 1] = [Track {
			id: FELLOWS_RANK,
			info: TrackInfo {
				name: name("fellows"),
				max_deciding: 10,
				decision_deposit: 10 * crate::UNIT,
				prepare_period: if FAST { 1 } else { 30 * RELAY_MINUTES },
				decision_period: if FAST { 50 } else { 7 * RELAY_DAYS },
				confirm_period: if FAST { 1 } else { 30 * RELAY_MINUTES },
				min_enactment_period: 1,
				min_approval: Curve::LinearDecreasing {
					length: Perbill::from_percent(100),
					floor: Perbill::from_percent(50),
					ceil: Perbill::from_percent(100),
				},
				min_support: Curve::LinearDecreasing {
					length: Perbill::from_percent(100),
					floor: Perbill::from_percent(0),
					ceil: Perbill::from_percent(50),
				},
			},
		}];
		TRACKS.iter().map(Cow::Borrowed)
	}

	fn track_for(origin: &OriginCaller) -> Result<u16, ()> {
		match origin {
			OriginCaller::Origins(Origin::Fellows) => Ok(FELLOWS_RANK),
			_ => Err(()),
		}
	}
}

impl pallet_referenda::Config<FellowshipReferendaInstance> for Runtime {
	type WeightInfo = pallet_referenda::weights::SubstrateWeight<Runtime>;
	type RuntimeCall = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type Scheduler = FellowshipScheduler;
	type Currency = crate::Balances;
	// Only those who vote may propose: a rank-1 member could otherwise fill the track's
	// deciding slots, and cancelling needs a fellowship referendum, which needs a slot.
	type SubmitOrigin = pallet_ranked_collective::EnsureMember<Runtime, FellowshipCollectiveInstance, FELLOWS_RANK>;
	// The public's canceller and killer reach the fellowship's referenda too: the
	// fellowship cannot be the only check on itself.
	type CancelOrigin = EitherOfDiverse<EitherOf<frame_system::EnsureRoot<AccountId>, ReferendumCanceller>, Fellows>;
	type KillOrigin = EitherOf<frame_system::EnsureRoot<AccountId>, ReferendumKiller>;
	type Slash = Treasury;
	type Votes = pallet_ranked_collective::Votes;
	type Tally = pallet_ranked_collective::TallyOf<Runtime, FellowshipCollectiveInstance>;
	type SubmissionDeposit = super::SubmissionDeposit;
	type MaxQueued = ConstU32<100>;
	type UndecidingTimeout = FellowshipUndecidingTimeout;
	type AlarmInterval = super::AlarmInterval;
	type Tracks = FellowshipTracksInfo;
	type Preimages = Preimage;
	type BlockNumberProvider = RelayClock;
}

/// Root (a public root referendum) may set any rank; the fellows (by a fellowship
/// referendum) may add, promote and demote up to their own rank.
type RankOrigin = EitherOf<
	EnsureRootWithSuccess<AccountId, ConstU16<{ u16::MAX }>>,
	MapSuccess<Fellows, Replace<ConstU16<FELLOWS_RANK>>>,
>;

impl pallet_ranked_collective::Config<FellowshipCollectiveInstance> for Runtime {
	type WeightInfo = pallet_ranked_collective::weights::SubstrateWeight<Runtime>;
	type RuntimeEvent = RuntimeEvent;
	type AddOrigin = MapSuccess<RankOrigin, ReplaceWithDefault<()>>;
	type RemoveOrigin = RankOrigin;
	type PromoteOrigin = RankOrigin;
	type DemoteOrigin = RankOrigin;
	// Swapping a member keeps its rank, whatever it is: root only.
	type ExchangeOrigin = frame_system::EnsureRoot<AccountId>;
	type Polls = crate::FellowshipReferenda;
	// A track's id is the lowest rank that votes on it.
	type MinRankOfClass = sp_runtime::traits::Identity;
	type MemberSwappedHandler = ();
	type VoteWeight = pallet_ranked_collective::Geometric;
	type MaxMemberCount = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkSetup = ();
}
