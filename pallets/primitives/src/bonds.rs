//! The contract between pallets that need bonded accounts and the pallet that holds
//! the bonds (`pallet-micro-bonds`).
//!
//! Time: every instant here (`Moment`) is read from the bonding pallet's clock, a
//! `BlockNumberProvider` that counts relay-chain blocks on the runtime, so durations do
//! not shrink when parachain blocks get faster.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::fmt::Debug;
use frame_support::weights::Weight;
use scale_info::TypeInfo;
use sp_core::H256;
use sp_runtime::{DispatchError, DispatchResult};

/// What a bond secures. A bond is keyed by `(account, purpose)`, so one account can
/// bond separately as a device owner and as a solver, and a slash for one purpose
/// never touches the other.
#[derive(
	Clone,
	Copy,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	serde::Serialize,
	serde::Deserialize,
)]
pub enum BondPurpose {
	/// Backs registered devices (one commitment per device).
	Device,
	/// Backs a heartbeat aggregator.
	Aggregator,
	/// Backs an intent solver.
	Solver,
	/// A pool operator's own first-loss stake in the pool it runs.
	PoolOperator,
}

/// Names one commitment of a bond: a device's id for device bonds, a hash chosen by the
/// requiring pallet for the others.
pub type CommitmentId = H256;

/// Identifies one offence: the hash of its evidence, computed by the pallet that proves
/// it. The same evidence always gives the same id, so it is punished once.
pub type OffenceId = H256;

/// Offences that can be proven on-chain. Downtime is deliberately absent: being offline
/// costs rewards, never bonded funds.
#[derive(
	Clone,
	Copy,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	serde::Serialize,
	serde::Deserialize,
)]
pub enum OffenceKind {
	/// Two conflicting signed statements for the same slot or epoch.
	Equivocation,
	/// A coverage receipt or witness proven false.
	FalseCoverage,
	/// An aggregated heartbeat batch including a device that did not sign.
	InvalidAggregate,
	/// A solver's committed solution that it failed to settle.
	SolverDefault,
	/// A device whose certificate was revoked (applied when it is deregistered).
	RevokedDevice,
	/// A solver's solution that broke a batch-auction rule (a price below an intent's
	/// limit, an over-fill, an intent used twice, assets not conserved, an expired intent).
	InvalidSolution,
	/// A device that failed to deliver a service order it was matched to (no receipt by
	/// the delivery deadline, or a dispute upheld): its device bond pays (the SLA).
	ServiceDefault,
}

/// Which bond an offence is charged to.
#[derive(Clone, Copy, Encode, Decode, DecodeWithMemTracking, TypeInfo, Debug, PartialEq, Eq)]
pub enum SlashTarget {
	/// One commitment (a device's bond): the fraction applies to what backed that
	/// commitment at the evidence time, never to the owner's other commitments.
	Commitment(CommitmentId),
	/// The offender's whole bond for the purpose (aggregators, solvers).
	Purpose,
}

/// An offence proven by another pallet.
#[derive(Clone, Encode, Decode, TypeInfo, Debug, PartialEq, Eq)]
pub struct Offence<AccountId, Moment> {
	/// Who is punished: the account that held the bond *at `evidence_time`* (after a
	/// device transfer, the seller for what happened before it).
	pub offender: AccountId,
	/// The bond punished.
	pub purpose: BondPurpose,
	/// Which part of it.
	pub target: SlashTarget,
	/// What was proven; selects the governance policy.
	pub kind: OffenceKind,
	/// When the offence happened, on the bonding pallet's clock, taken from the signed
	/// evidence (a slot, an epoch, a signed block number), never from when the report
	/// was included: a late report must not look fresh.
	pub evidence_time: Moment,
	/// The hash of the evidence. A second report of the same id is refused.
	pub id: OffenceId,
}

/// What a reported offence cost the offender.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct SlashOutcome<Balance> {
	/// Funds taken (from the offender's bond, its pool operator stake and its pool).
	pub slashed: Balance,
	/// Of which paid to the reporter.
	pub to_reporter: Balance,
	/// Of which paid into the insurance pool.
	pub to_insurance: Balance,
	/// Of which burned.
	pub burned: Balance,
	/// The weight the slash used (at most [`BondSlasher::report_offence_weight`]).
	pub weight: Weight,
}

/// A commitment as the requiring pallet sees it.
#[derive(Clone, Encode, Decode, TypeInfo, Debug, PartialEq, Eq)]
pub struct CommitmentInfo<Balance> {
	/// The purpose it is committed for.
	pub purpose: BondPurpose,
	/// What it must be backed by (the last `require_bond` amount).
	pub required: Balance,
	/// What backs it now: own bond plus pool stake (scaled down if the pool no longer
	/// covers all its commitments).
	pub backing: Balance,
}

impl<Balance: sp_runtime::traits::Saturating + Copy> CommitmentInfo<Balance> {
	/// How much more bond it needs to be fully backed.
	pub fn shortfall(&self) -> Balance {
		self.required.saturating_sub(self.backing)
	}
}

/// Require and release bonds for a purpose. Each requirement is a named commitment, so
/// a slash can reach exactly the bond that backed the offending device.
pub trait BondManager<AccountId, Balance> {
	/// Make commitment `id` of `who` backed by `amount` in all: commit what is missing
	/// (all of it for a new commitment, the shortfall for a top-up) from `who`'s free
	/// active bond for `purpose`, or for device bonds from the pool `who` operates.
	fn require_bond(who: &AccountId, purpose: BondPurpose, id: CommitmentId, amount: Balance) -> DispatchResult;
	/// Release commitment `id`; the own part stays bonded (active) for the owner to
	/// reuse or unbond. It stays slashable for offences from before the release for the
	/// evidence window. Returns what was released.
	fn release_bond(who: &AccountId, id: CommitmentId) -> Result<Balance, DispatchError>;
	/// Release like [`Self::release_bond`] and start unbonding the own part. For a
	/// holder that is leaving.
	fn release_and_unbond(who: &AccountId, id: CommitmentId) -> Result<Balance, DispatchError>;
	/// The commitment `id` of `who`, if live.
	fn commitment(who: &AccountId, id: CommitmentId) -> Option<CommitmentInfo<Balance>>;
	/// The amount `who` has actively bonded for `purpose` (own plus pool-backed).
	fn bonded(who: &AccountId, purpose: BondPurpose) -> Balance;
	/// The amount of `who`'s bond for `purpose` committed (own and from its pool).
	fn committed(who: &AccountId, purpose: BondPurpose) -> Balance;
}

/// How [`CommitmentRewards::pay_reward`] paid a reward.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct RewardPayout<Balance> {
	/// Paid to the commitment's holder.
	pub to_holder: Balance,
	/// Paid to the pool backing the commitment (its commission and members).
	pub to_pool: Balance,
}

/// Pays what a bonded commitment earned to the stake that backs it (`pallet-micro-bonds`).
/// A device backed partly by a delegated pool earns for the pool's members too: they
/// carry its slashing risk, so they share its rewards.
pub trait CommitmentRewards<AccountId, Balance> {
	/// Pay `amount` from `payer` for commitment `id` of `who`, by what backs it now: the
	/// pool's part to the pool (its commission to the operator, the rest to the members'
	/// earning stake), the rest to `who`. Fails, paying nothing, while the pool cannot
	/// take rewards (no earning stake yet): its part never goes to `who` (an operator
	/// could empty its pool to keep its members' share), and a caller cannot send it
	/// elsewhere either; the reward waits until the pool earns.
	fn pay_reward(
		payer: &AccountId,
		who: &AccountId,
		id: CommitmentId,
		amount: Balance,
	) -> Result<RewardPayout<Balance>, DispatchError>;
	/// The most weight [`Self::pay_reward`] uses.
	fn pay_reward_weight() -> Weight;
}

/// [`CommitmentRewards`] without pools: everything to `who`, by a plain transfer that
/// keeps `payer` alive. For runtimes and mocks without delegated stake.
pub struct PayHolder<Currency>(core::marker::PhantomData<Currency>);

impl<AccountId: Eq, Currency: frame_support::traits::fungible::Mutate<AccountId>>
	CommitmentRewards<AccountId, Currency::Balance> for PayHolder<Currency>
{
	fn pay_reward(
		payer: &AccountId,
		who: &AccountId,
		_: CommitmentId,
		amount: Currency::Balance,
	) -> Result<RewardPayout<Currency::Balance>, DispatchError> {
		Currency::transfer(payer, who, amount, frame_support::traits::tokens::Preservation::Preserve)?;
		Ok(RewardPayout { to_holder: amount, ..Default::default() })
	}
	fn pay_reward_weight() -> Weight {
		Weight::zero()
	}
}

/// Told when a slash leaves a commitment backed by less than it requires. Implemented by
/// the pallets that act on the commitment (the registry announces the device
/// under-bonded; coverage stops counting it at once). Tuples tell each in turn.
pub trait OnBondShortfall<AccountId, Balance> {
	/// Commitment `id` of `who` now lacks `shortfall`.
	fn on_shortfall(who: &AccountId, purpose: BondPurpose, id: CommitmentId, shortfall: Balance);
	/// The most weight [`Self::on_shortfall`] uses (charged by the slash).
	fn on_shortfall_weight() -> Weight {
		Weight::zero()
	}
}

impl<AccountId, Balance> OnBondShortfall<AccountId, Balance> for () {
	fn on_shortfall(_: &AccountId, _: BondPurpose, _: CommitmentId, _: Balance) {}
}

impl<AccountId, Balance: Copy, A: OnBondShortfall<AccountId, Balance>, B: OnBondShortfall<AccountId, Balance>>
	OnBondShortfall<AccountId, Balance> for (A, B)
{
	fn on_shortfall(who: &AccountId, purpose: BondPurpose, id: CommitmentId, shortfall: Balance) {
		A::on_shortfall(who, purpose, id, shortfall);
		B::on_shortfall(who, purpose, id, shortfall);
	}
	fn on_shortfall_weight() -> Weight {
		A::on_shortfall_weight().saturating_add(B::on_shortfall_weight())
	}
}

/// Report an offence against a bond.
///
/// The slashing pallet checks `evidence_time` against its evidence window (refusing
/// evidence older than the window, or from the future), refuses an offence id it has
/// seen (`DuplicateOffence`), and applies the governance policy for `kind` to the
/// target: what backed it at `evidence_time` (active bond, and unbonding funds that
/// left at or after `evidence_time`; funds that left before it did not back the
/// offence). The caller proves the offence; this trait only punishes it.
pub trait BondSlasher<AccountId, Balance, Moment> {
	/// Punish `offence`; pay `reporter` its share.
	fn report_offence(
		offence: Offence<AccountId, Moment>,
		reporter: Option<AccountId>,
	) -> Result<SlashOutcome<Balance>, DispatchError>;
	/// The most weight [`Self::report_offence`] can use: callers charge it up front.
	fn report_offence_weight() -> Weight;
}

/// The insurance pool fed by slashes. Pallets that adjudicate harm (a failed service
/// order, a false coverage claim) compensate the harmed party through it.
pub trait InsuranceFund<AccountId, Balance> {
	/// What the pool can pay out now (its balance above the existential deposit).
	fn balance() -> Balance;
	/// Pay `amount` to `to`; fails if the pool holds less.
	fn pay(to: &AccountId, amount: Balance) -> DispatchResult;
}
