//! Governance: OpenGov. Token holders decide by conviction-weighted referenda on tracks,
//! each track dispatching with one origin ([`origins`]); the technical fellowship
//! ([`fellowship`]) can whitelist urgent fixes for the short `whitelisted_caller` track.
//! There is no sudo key: the runtime is upgraded by a root (or whitelisted) referendum
//! that calls `System::authorize_upgrade`, after which anyone may submit the code
//! (docs/governance.md).
//!
//! Every period is on the relay chain's clock ([`RelayClock`]), as on the system
//! parachains, so that a change of the parachain's block rate changes none of them.

pub mod fellowship;
pub mod origins;
pub mod tracks;

use frame_support::{
	parameter_types,
	traits::{
		fungible::HoldConsideration, tokens::UnityAssetBalanceConversion, ConstU32, EitherOf, EitherOfDiverse,
		EqualPrivilegeOnly, LinearStoragePrice,
	},
	PalletId,
};
use frame_system::{EnsureRoot, EnsureRootWithSuccess, EnsureSigned};
use sp_runtime::{traits::IdentityLookup, Perbill};

use crate::{
	configs::{micro_bonds::RelayClock, RuntimeBlockWeights},
	constants::{currency::deposit, time::RELAY_DAYS},
	AccountId, Balance, Balances, BlockNumber, OriginCaller, Preimage, Referenda, Runtime, RuntimeCall, RuntimeEvent,
	RuntimeHoldReason, RuntimeOrigin, Scheduler, Treasury, UNIT,
};
use origins::{Fellows, ReferendumCanceller, ReferendumKiller, Treasurer, WhitelistedCaller};

parameter_types! {
	/// Scheduled calls (enactments, referendum alarms) may use 80 % of a block.
	pub MaximumSchedulerWeight: frame_support::weights::Weight =
		Perbill::from_percent(80) * RuntimeBlockWeights::get().max_block;
	/// A preimage holds a deposit for its storage, returned when it is removed.
	pub const PreimageBaseDeposit: Balance = deposit(2, 64);
	pub const PreimageByteDeposit: Balance = deposit(0, 1);
	pub const PreimageHoldReason: RuntimeHoldReason = RuntimeHoldReason::Preimage(pallet_preimage::HoldReason::Preimage);
	/// Submitting a referendum holds 10 MACH, returned if it is approved or cancelled
	/// and kept held otherwise (rejected, timed out) or slashed (killed): a spam
	/// referendum costs its author.
	pub const SubmissionDeposit: Balance = 10 * UNIT;
	/// A referendum gets its alarm at most once a relay block.
	pub const AlarmInterval: BlockNumber = 1;
	/// A referendum that has not started deciding (no decision deposit, or the track
	/// is full) for 14 days times out.
	pub const UndecidingTimeout: BlockNumber = 14 * RELAY_DAYS;
	/// Votes with conviction 1x lock for a week after the referendum ends (2x two
	/// weeks, ... 6x 32 weeks); conviction `None` does not lock.
	pub const VoteLockingPeriod: BlockNumber = 7 * RELAY_DAYS;
	/// A whitelisted call must be dispatched within 28 days.
	pub const WhitelistExpiration: BlockNumber = 28 * RELAY_DAYS;
	pub const TreasuryPalletId: PalletId = PalletId(*b"py/trsry");
	/// The treasury's (legacy) spend period: nothing is burned.
	pub const SpendPeriod: BlockNumber = 6 * RELAY_DAYS;
	/// An approved spend may be paid out within 30 days.
	pub const PayoutPeriod: BlockNumber = 30 * RELAY_DAYS;
	pub TreasuryAccount: AccountId = Treasury::account_id();
	pub const MaxBalance: Balance = Balance::MAX;
}

impl pallet_scheduler::Config for Runtime {
	type RuntimeOrigin = RuntimeOrigin;
	type RuntimeEvent = RuntimeEvent;
	type PalletsOrigin = OriginCaller;
	type RuntimeCall = RuntimeCall;
	type MaximumWeight = MaximumSchedulerWeight;
	// Only referenda (and root) schedule: there is no signed scheduling.
	type ScheduleOrigin = EnsureRoot<AccountId>;
	type OriginPrivilegeCmp = EqualPrivilegeOnly;
	// Per relay block (the scheduler's clock): room for many referenda's alarms.
	type MaxScheduledPerBlock = ConstU32<200>;
	type WeightInfo = pallet_scheduler::weights::SubstrateWeight<Runtime>;
	type Preimages = Preimage;
	// Enactment times are relay blocks, like the referenda that set them. After a stall
	// the scheduler catches up on the missed relay blocks over the next blocks, within
	// its weight.
	type BlockNumberProvider = RelayClock;
}

impl pallet_preimage::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = pallet_preimage::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type ManagerOrigin = EnsureRoot<AccountId>;
	type Consideration = HoldConsideration<
		AccountId,
		Balances,
		PreimageHoldReason,
		LinearStoragePrice<PreimageBaseDeposit, PreimageByteDeposit, Balance>,
	>;
}

impl pallet_conviction_voting::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = pallet_conviction_voting::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type Polls = Referenda;
	type MaxTurnout = frame_support::traits::tokens::currency::ActiveIssuanceOf<Balances, AccountId>;
	type MaxVotes = ConstU32<512>;
	type VoteLockingPeriod = VoteLockingPeriod;
	type BlockNumberProvider = RelayClock;
	type VotingHooks = ();
}

impl pallet_referenda::Config for Runtime {
	type RuntimeCall = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = pallet_referenda::weights::SubstrateWeight<Runtime>;
	type Scheduler = Scheduler;
	type Currency = Balances;
	type SubmitOrigin = EnsureSigned<AccountId>;
	type CancelOrigin = EitherOf<EnsureRoot<AccountId>, ReferendumCanceller>;
	type KillOrigin = EitherOf<EnsureRoot<AccountId>, ReferendumKiller>;
	type Slash = Treasury;
	type Votes = Balance;
	type Tally = pallet_conviction_voting::TallyOf<Runtime>;
	type SubmissionDeposit = SubmissionDeposit;
	type MaxQueued = ConstU32<100>;
	type UndecidingTimeout = UndecidingTimeout;
	type AlarmInterval = AlarmInterval;
	type Tracks = tracks::TracksInfo;
	type Preimages = Preimage;
	type BlockNumberProvider = RelayClock;
}

impl origins::Config for Runtime {}

impl pallet_whitelist::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WhitelistOrigin = EitherOfDiverse<EnsureRoot<AccountId>, Fellows>;
	type DispatchWhitelistedOrigin = EitherOf<EnsureRoot<AccountId>, WhitelistedCaller>;
	type Preimages = Preimage;
	type DeferredDispatchExpiration = WhitelistExpiration;
	type BlockNumberProvider = RelayClock;
	type WeightInfo = pallet_whitelist::weights::SubstrateWeight<Runtime>;
}

impl pallet_treasury::Config for Runtime {
	type Currency = Balances;
	type RejectOrigin = EitherOfDiverse<EnsureRoot<AccountId>, Treasurer>;
	type RuntimeEvent = RuntimeEvent;
	type SpendPeriod = SpendPeriod;
	type Burn = ();
	type PalletId = TreasuryPalletId;
	type BurnDestination = ();
	type WeightInfo = pallet_treasury::weights::SubstrateWeight<Runtime>;
	type SpendFunds = ();
	type MaxApprovals = ConstU32<100>;
	// Root may spend anything; a `treasurer` referendum up to `TREASURER_MAX_SPEND`.
	type SpendOrigin = EitherOf<EnsureRootWithSuccess<AccountId, MaxBalance>, Treasurer>;
	// Spends are in MACH, paid from the treasury's account.
	type AssetKind = ();
	type Beneficiary = AccountId;
	type BeneficiaryLookup = IdentityLookup<AccountId>;
	type Paymaster = frame_support::traits::tokens::pay::PayFromAccount<Balances, TreasuryAccount>;
	type BalanceConverter = UnityAssetBalanceConversion;
	type PayoutPeriod = PayoutPeriod;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
	type BlockNumberProvider = RelayClock;
}

/// After a gap in the relay clock, jump the scheduler to the first relay block that holds
/// a task. The scheduler visits every relay block since it last finished (`IncompleteSince`),
/// about 25 a parachain block within its weight; after a gap that is a long wait for
/// referenda's alarms and enactments. The gap happens at the chain's first block, which
/// sees relay block 0 and so starts the scheduler at relay block 1 (on a live relay chain
/// the next block sees one in the tens of millions), and after a stall. Agendas with
/// tasks are few (one per relay block that has any), so finding the first costs a read
/// each, only when the gap exceeds [`SCHEDULER_CATCH_UP_GAP`]. The walk reads at most
/// [`SCHEDULER_CATCH_UP_MAX_KEYS`] agenda keys and charges their proof size: with more
/// (cheap alarms in bulk) it does not jump, and the scheduler walks as it would without
/// this hook, so no block is pushed over its proof-size limit.
pub struct SchedulerCatchUp;

/// Relay blocks behind the clock beyond which the scheduler jumps instead of walking.
pub const SCHEDULER_CATCH_UP_GAP: BlockNumber = 100;

/// The most agenda keys one catch-up reads.
pub const SCHEDULER_CATCH_UP_MAX_KEYS: u32 = 1_000;

/// The proof size of reading one agenda key: its trie path and the key (a `Twox64Concat`
/// block number) with no value read; generous for a trie of a few thousand agendas.
pub const AGENDA_KEY_PROOF_SIZE: u64 = 150;

impl frame_support::traits::PostInherents for SchedulerCatchUp {
	fn post_inherents() {
		use sp_runtime::traits::BlockNumberProvider;
		let db = <Runtime as frame_system::Config>::DbWeight::get();
		let mut weight = db.reads(2);
		let now = RelayClock::current_block_number();
		if let Some(since) = pallet_scheduler::IncompleteSince::<Runtime>::get() {
			if now.saturating_sub(since) > SCHEDULER_CATCH_UP_GAP {
				let mut first = now;
				let mut keys = 0u32;
				// One key past the cap tells that there are more.
				for when in
					pallet_scheduler::Agenda::<Runtime>::iter_keys().take(SCHEDULER_CATCH_UP_MAX_KEYS as usize + 1)
				{
					keys += 1;
					if when >= since && when < first {
						first = when;
					}
				}
				weight.saturating_accrue(db.reads(keys.into()).saturating_add(
					frame_support::weights::Weight::from_parts(0, AGENDA_KEY_PROOF_SIZE * u64::from(keys)),
				));
				if keys <= SCHEDULER_CATCH_UP_MAX_KEYS {
					pallet_scheduler::IncompleteSince::<Runtime>::put(first);
					weight.saturating_accrue(db.writes(1));
				}
			}
		}
		frame_system::Pallet::<Runtime>::register_extra_weight_unchecked(
			weight,
			frame_support::dispatch::DispatchClass::Mandatory,
		);
	}
}
