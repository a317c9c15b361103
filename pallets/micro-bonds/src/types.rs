//! Domain types of the micro-bonds pallet.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::fmt::Debug;
use frame_support::{
	traits::{ConstU32, Get},
	BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use machina_primitives::{BondPurpose, CommitmentId, OffenceId};
use scale_info::TypeInfo;
use sp_arithmetic::{
	traits::{AtLeast32BitUnsigned, Zero},
	FixedU128, Perbill,
};

/// Identifies a delegated security pool.
pub type PoolId = u32;

/// Funds on their way out: withdrawable from `unlock_at`, and slashable until then for
/// offences from before they started unbonding.
#[derive(Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub struct UnbondingChunk<Balance, Moment> {
	/// How much is unbonding (for a pool member: points of the pool's unbonding pot
	/// that unlocks at `unlock_at`).
	pub value: Balance,
	/// The first instant (on the pallet's clock) at which it can be withdrawn.
	pub unlock_at: Moment,
}

/// An account's bond for one purpose. Every unit in `active` and in `unbonding` is held
/// from the account under `HoldReason::Bond`; `try_state` checks that they add up.
#[derive(
	CloneNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	DebugNoBound,
	PartialEqNoBound,
	EqNoBound,
)]
#[scale_info(skip_type_params(MaxChunks))]
pub struct BondLedger<Balance, Moment, MaxChunks>
where
	Balance: Clone + Debug + PartialEq + Eq,
	Moment: Clone + Debug + PartialEq + Eq,
	MaxChunks: Get<u32>,
{
	/// Bonded and not unbonding.
	pub active: Balance,
	/// The own parts of this account's live commitments for the purpose (nominal: a
	/// slash of the whole purpose bond can leave `active` below it; commitments are then
	/// backed pro rata).
	pub committed: Balance,
	/// The pool parts of this account's live commitments (held by the pool it operates).
	pub pool_committed: Balance,
	/// Chunks being unbonded, in unlock order.
	pub unbonding: BoundedVec<UnbondingChunk<Balance, Moment>, MaxChunks>,
}

impl<Balance, Moment, MaxChunks> Default for BondLedger<Balance, Moment, MaxChunks>
where
	Balance: Clone + Debug + PartialEq + Eq + Zero,
	Moment: Clone + Debug + PartialEq + Eq,
	MaxChunks: Get<u32>,
{
	fn default() -> Self {
		Self {
			active: Zero::zero(),
			committed: Zero::zero(),
			pool_committed: Zero::zero(),
			unbonding: BoundedVec::new(),
		}
	}
}

impl<Balance, Moment, MaxChunks> BondLedger<Balance, Moment, MaxChunks>
where
	Balance: AtLeast32BitUnsigned + Copy + Debug,
	Moment: Clone + Debug + PartialEq + Eq + PartialOrd,
	MaxChunks: Get<u32>,
{
	/// Everything held for this ledger: active plus unbonding.
	pub fn total(&self) -> Balance {
		self.unbonding.iter().fold(self.active, |acc, c| acc.saturating_add(c.value))
	}

	/// Active bond that no commitment uses.
	pub fn free_active(&self) -> Balance {
		self.active.saturating_sub(self.committed)
	}

	/// What an offence from before `min_unlock - UnbondingPeriod` can reach: the active
	/// bond and the chunks that unlock at or after `min_unlock` (they started unbonding
	/// at or after the offence).
	pub fn slashable(&self, min_unlock: &Moment) -> Balance {
		self.unbonding
			.iter()
			.filter(|c| c.unlock_at >= *min_unlock)
			.fold(self.active, |acc, c| acc.saturating_add(c.value))
	}

	/// Take `amount` (at most [`Self::slashable`]) from the active bond and the chunks
	/// unlocking at or after `min_unlock`, pro rata to their size, so unbonding early
	/// neither shields funds nor puts them first in line. Returns what was taken.
	pub fn slash(&mut self, amount: Balance, min_unlock: &Moment) -> Balance {
		let mut parts: alloc::vec::Vec<&mut Balance> = core::iter::once(&mut self.active)
			.chain(self.unbonding.iter_mut().filter(|c| c.unlock_at >= *min_unlock).map(|c| &mut c.value))
			.collect();
		let taken = take_pro_rata(&mut parts, amount);
		self.unbonding.retain(|c| !c.value.is_zero());
		taken
	}

	/// Whether nothing is held and nothing is committed: the ledger can be removed.
	pub fn is_empty(&self) -> bool {
		self.active.is_zero() && self.unbonding.is_empty() && self.committed.is_zero() && self.pool_committed.is_zero()
	}
}

/// One named use of a bond (a device's bond, an aggregator's or a solver's).
#[derive(Clone, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub struct Commitment<Balance, Moment> {
	/// The purpose whose bond backs it.
	pub purpose: BondPurpose,
	/// What it must be backed by: the amount last required.
	pub required: Balance,
	/// Committed from the account's own active bond.
	pub own: Balance,
	/// Committed from the stake of the pool the account operates (device bonds only).
	pub from_pool: Balance,
	/// The pool `from_pool` came from: a slash reaches that pool, never a later one.
	pub pool: Option<PoolId>,
	/// When it was first committed: it backs no offence from before.
	pub committed_at: Moment,
	/// `Some(t)`: released at `t`. The record is kept for the evidence window so an
	/// offence from before the release still reaches what backed it; then pruned.
	pub released_at: Option<Moment>,
}

/// An entry that expires after the evidence window, kept so an offence is punished once
/// and a released commitment stays slashable until no evidence can reach it.
#[derive(Clone, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub enum ExpiringEntry<AccountId> {
	/// An offence already punished, keyed under its evidence time.
	Offence(OffenceId),
	/// A released commitment, keyed under its release time.
	Commitment(AccountId, CommitmentId),
}

/// How an offence kind is punished. Set by governance (`set_slash_policy`).
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
	serde::Serialize,
	serde::Deserialize,
)]
pub struct SlashPolicy<Balance> {
	/// The fraction of what backed the offence that is taken.
	pub fraction: Perbill,
	/// The most one offence can take, whatever the fraction gives.
	pub cap: Balance,
	/// Of what is taken: the share paid to the reporter.
	pub reporter: Perbill,
	/// Of what is taken: the share paid into the insurance pool.
	pub insurance: Perbill,
	/// Of what is taken: the share burned.
	pub burn: Perbill,
}

impl<Balance> SlashPolicy<Balance> {
	/// The three shares sum to exactly 100%.
	pub fn split_is_whole(&self) -> bool {
		let sum =
			self.reporter.deconstruct() as u64 + self.insurance.deconstruct() as u64 + self.burn.deconstruct() as u64;
		sum == Perbill::one().deconstruct() as u64
	}
}

/// A share of a pot: points give a claim on `balance` pro rata. Slashing the pot lowers
/// `balance` only, so every holder of points loses the same fraction in O(1).
#[derive(
	Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq, Default,
)]
pub struct Pot<Balance> {
	/// Points issued against this pot.
	pub points: Balance,
	/// Funds the points claim.
	pub balance: Balance,
}

impl<Balance: AtLeast32BitUnsigned + Copy> Pot<Balance> {
	/// Points to issue for depositing `value`: 1:1 into an empty pot, otherwise at the
	/// pot's rate rounded down (against the depositor). `None` when the pot cannot take
	/// a fair deposit: slashed to nothing while points remain, or so deeply slashed that
	/// a point is worth less than `1 / max_points_per_unit`.
	pub fn points_for(&self, value: Balance, max_points_per_unit: u32) -> Option<Balance> {
		if self.points.is_zero() {
			return Some(value);
		}
		if self.balance.is_zero() || self.points > self.balance.saturating_mul(max_points_per_unit.into()) {
			return None;
		}
		checked_multiply_by_rational(value, self.points, self.balance)
	}

	/// The value of `points`, rounded down (against the holder: the pot never owes more
	/// than it has). The last points out take everything left, so no dust is stranded.
	pub fn value_of(&self, points: Balance) -> Balance {
		if points >= self.points {
			return self.balance;
		}
		multiply_by_rational(points, self.balance, self.points)
	}

	/// Deposit `value` for `points`.
	pub fn deposit(&mut self, value: Balance, points: Balance) {
		self.balance = self.balance.saturating_add(value);
		self.points = self.points.saturating_add(points);
	}

	/// Redeem `points`, returning their value.
	pub fn redeem(&mut self, points: Balance) -> Balance {
		let value = self.value_of(points);
		self.points = self.points.saturating_sub(points);
		self.balance = self.balance.saturating_sub(value);
		value
	}
}

/// A pool's unbonding stake that unlocks at one instant. Keeping one pot per unlock
/// instant means a pot only takes deposits for one relay block, and a slash reaches
/// only the pots of stake that left at or after the offence.
#[derive(Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub struct UnbondingPot<Balance, Moment> {
	/// When the stake in it can be withdrawn.
	pub unlock_at: Moment,
	/// Members' points and the stake they claim.
	pub pot: Pot<Balance>,
}

/// Take `amount` (at most their sum) from `parts` pro rata to their size, rounding each
/// share down; the remainder comes from the first parts. Returns what was taken.
pub fn take_pro_rata<Balance: AtLeast32BitUnsigned + Copy>(parts: &mut [&mut Balance], amount: Balance) -> Balance {
	let total = parts.iter().fold(Balance::zero(), |acc, p| acc.saturating_add(**p));
	let amount = amount.min(total);
	if amount.is_zero() {
		return amount;
	}
	let mut taken = Balance::zero();
	for part in parts.iter_mut() {
		let take = multiply_by_rational(amount, **part, total);
		**part -= take;
		taken += take;
	}
	let mut left = amount - taken;
	for part in parts.iter_mut() {
		let take = left.min(**part);
		**part -= take;
		left -= take;
	}
	amount
}

/// `a * b / c`, rounded down; `None` on overflow or when `c` is 0.
pub fn checked_multiply_by_rational<Balance: AtLeast32BitUnsigned + Copy>(
	a: Balance,
	b: Balance,
	c: Balance,
) -> Option<Balance> {
	if c.is_zero() {
		return None;
	}
	let (a, b, c): (u128, u128, u128) = (a.try_into().ok()?, b.try_into().ok()?, c.try_into().ok()?);
	sp_arithmetic::helpers_128bit::multiply_by_rational_with_rounding(a, b, c, sp_arithmetic::Rounding::Down)?
		.try_into()
		.ok()
}

/// `a * b / c` rounded down, for `b <= c` (a share of `a`, which cannot overflow); 0
/// when `c` is 0.
pub fn multiply_by_rational<Balance: AtLeast32BitUnsigned + Copy>(a: Balance, b: Balance, c: Balance) -> Balance {
	checked_multiply_by_rational(a, b, c).unwrap_or_else(Zero::zero)
}

/// A commission change the operator scheduled; it applies from `effective_at`.
#[derive(Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub struct PendingCommission<Moment> {
	/// The new commission.
	pub commission: Perbill,
	/// From when it applies.
	pub effective_at: Moment,
}

/// A delegated security pool: members' stake backs the device bonds of its operator.
/// Stake sits in the pool's own account, held under `HoldReason::PoolStake`. The
/// operator's own first-loss stake is its `PoolOperator` bond, slashed before members.
#[derive(
	CloneNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	DebugNoBound,
	PartialEqNoBound,
	EqNoBound,
)]
#[scale_info(skip_type_params(MaxBuckets))]
pub struct Pool<AccountId, Balance, Moment, MaxBuckets>
where
	AccountId: Clone + Debug + PartialEq + Eq,
	Balance: Clone + Debug + PartialEq + Eq,
	Moment: Clone + Debug + PartialEq + Eq,
	MaxBuckets: Get<u32>,
{
	/// Who runs the pool and whose device bonds it may back.
	pub operator: AccountId,
	/// The operator's cut of rewards paid to the pool.
	pub commission: Perbill,
	/// A scheduled commission change.
	pub pending_commission: Option<PendingCommission<Moment>>,
	/// Members' active stake (points: earning and warming together).
	pub active: Pot<Balance>,
	/// Members' unbonding stake that has not unlocked yet, one pot per unlock instant,
	/// in unlock order. Unlocked pots move to `UnlockedPots`.
	pub unbonding: BoundedVec<UnbondingPot<Balance, Moment>, MaxBuckets>,
	/// Of `active.balance`, the nominal part backing the operator's device bonds.
	pub committed: Balance,
	/// Active points that earn rewards.
	pub earning_points: Balance,
	/// Active points still warming up, by the warm-up period they joined in (at most
	/// the current and the previous one: older ones are activated first).
	pub warming: BoundedVec<WarmingBucket<Balance, Moment>, ConstU32<2>>,
	/// Rewards per earning point ever paid to the pool (after commission), rounded down.
	pub reward_per_point: FixedU128,
	/// Members (with active points, unbonding chunks or unpaid rewards).
	pub member_count: u32,
	/// The storage deposit held from the operator, returned when the pool is destroyed.
	pub deposit: Balance,
	/// Closing: it takes no stake and backs no new commitment, and anyone may unbond
	/// any member, so the operator can always wind it down.
	pub closing: bool,
}

/// Points that joined a pool in one warm-up period.
#[derive(Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub struct WarmingBucket<Balance, Moment> {
	/// The warm-up period (clock instant / `RewardWarmUp`) they joined in.
	pub period: Moment,
	/// Their points.
	pub points: Balance,
	/// Members holding them.
	pub members: u32,
}

/// A member's stake in a pool.
#[derive(
	CloneNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	DebugNoBound,
	PartialEqNoBound,
	EqNoBound,
)]
#[scale_info(skip_type_params(MaxChunks))]
pub struct PoolMember<Balance, Moment, MaxChunks>
where
	Balance: Clone + Debug + PartialEq + Eq,
	Moment: Clone + Debug + PartialEq + Eq,
	MaxChunks: Get<u32>,
{
	/// Earning points of the pool's active pot.
	pub points: Balance,
	/// Warming points of the active pot, joined in warm-up period `warming_period`.
	pub warming: Balance,
	/// The warm-up period the warming points joined in.
	pub warming_period: Moment,
	/// `reward_per_point` when this member's earning points were last settled.
	pub reward_per_point_paid: FixedU128,
	/// Rewards settled but not yet paid (a payment that could not be made, e.g. below
	/// the existential deposit to a reaped account). Paid on the next settlement.
	pub unpaid: Balance,
	/// Points of the pool's unbonding pots, by unlock instant.
	pub unbonding: BoundedVec<UnbondingChunk<Balance, Moment>, MaxChunks>,
}

impl<Balance, Moment, MaxChunks> PoolMember<Balance, Moment, MaxChunks>
where
	Balance: AtLeast32BitUnsigned + Copy + Debug,
	Moment: Clone + Debug + PartialEq + Eq,
	MaxChunks: Get<u32>,
{
	/// All active points, earning and warming.
	pub fn active_points(&self) -> Balance {
		self.points.saturating_add(self.warming)
	}

	/// Whether the member holds nothing and is owed nothing.
	pub fn is_empty(&self) -> bool {
		self.points.is_zero() && self.warming.is_zero() && self.unbonding.is_empty() && self.unpaid.is_zero()
	}
}

/// The reward-per-point at which the warming points of one warm-up period started
/// earning, and how many members still have to settle them.
#[derive(Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub struct RewardActivation {
	/// `reward_per_point` just after the reward that activated the round's points.
	pub reward_per_point: FixedU128,
	/// Members of that round that have not settled since.
	pub members: u32,
}

/// The funds this pallet holds, by hold reason.
#[derive(
	Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq, Default,
)]
pub struct HeldTotals<Balance> {
	/// Under `HoldReason::Bond`: every ledger's active and unbonding funds.
	pub bonds: Balance,
	/// Under `HoldReason::PoolStake`: every pool's pots.
	pub pool_stake: Balance,
	/// Under `HoldReason::PoolDeposit`: every pool's storage deposit.
	pub deposits: Balance,
}

/// What the runtime API reports about a pool.
#[derive(Clone, Encode, Decode, TypeInfo, Debug, PartialEq, Eq)]
pub struct PoolInfo<AccountId, Balance> {
	/// The operator.
	pub operator: AccountId,
	/// The commission in force.
	pub commission: Perbill,
	/// Active stake.
	pub active_stake: Balance,
	/// Unbonding stake not yet unlocked (still slashable).
	pub unbonding_stake: Balance,
	/// Nominal stake backing the operator's device bonds.
	pub committed: Balance,
	/// The operator's first-loss stake (its `PoolOperator` bond).
	pub operator_stake: Balance,
	/// Members.
	pub member_count: u32,
}

/// What the runtime API reports about a pool member.
#[derive(Clone, Encode, Decode, TypeInfo, Debug, PartialEq, Eq)]
pub struct PoolMemberInfo<Balance> {
	/// The value of its active points (earning and warming).
	pub active_stake: Balance,
	/// Of which still warming (earning from the next reward on).
	pub warming_stake: Balance,
	/// The value of its unbonding points.
	pub unbonding_stake: Balance,
	/// Rewards it can claim now.
	pub pending_rewards: Balance,
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn pot_rounds_against_the_caller() {
		let mut pot = Pot::<u128>::default();
		assert_eq!(pot.points_for(100, 10), Some(100));
		pot.deposit(100, 100);
		// Slash a third: 100 points now claim 67.
		pot.balance = 67;
		// 10 more units buy floor(10 * 100 / 67) = 14 points.
		assert_eq!(pot.points_for(10, 10), Some(14));
		pot.deposit(10, 14);
		// 14 points are worth floor(14 * 77 / 114) = 9 <= 10 deposited.
		assert_eq!(pot.value_of(14), 9);
		// The last points out take what is left.
		assert_eq!(pot.redeem(14), 9);
		assert_eq!(pot.redeem(100), 68);
		assert_eq!(pot, Pot { points: 0, balance: 0 });
	}

	#[test]
	fn a_dead_or_diluted_pot_takes_no_deposits() {
		assert_eq!(Pot::<u128> { points: 5, balance: 0 }.points_for(10, 10), None);
		assert_eq!(Pot::<u128> { points: 101, balance: 10 }.points_for(10, 10), None);
		assert_eq!(Pot::<u128> { points: 100, balance: 10 }.points_for(10, 10), Some(100));
		assert_eq!(Pot::<u128> { points: 5, balance: 0 }.value_of(5), 0);
	}

	#[test]
	fn points_never_overflow_silently() {
		let pot = Pot::<u128> { points: u128::MAX / 2, balance: u128::MAX / 4 };
		assert_eq!(pot.points_for(u128::MAX / 2, u32::MAX), None);
	}

	#[test]
	fn policy_split_must_be_whole() {
		let p = |r, i, b| SlashPolicy::<u128> {
			fraction: Perbill::from_percent(10),
			cap: 1,
			reporter: Perbill::from_percent(r),
			insurance: Perbill::from_percent(i),
			burn: Perbill::from_percent(b),
		};
		assert!(p(10, 40, 50).split_is_whole());
		assert!(!p(10, 40, 49).split_is_whole());
		assert!(!p(100, 100, 0).split_is_whole());
	}

	type Ledger = BondLedger<u128, u32, frame_support::traits::ConstU32<4>>;

	#[test]
	fn ledger_slash_spares_funds_that_left_before_the_offence() {
		let mut ledger = Ledger { active: 100, ..Default::default() };
		ledger.unbonding.try_push(UnbondingChunk { value: 50, unlock_at: 5 }).unwrap();
		ledger.unbonding.try_push(UnbondingChunk { value: 50, unlock_at: 12 }).unwrap();
		// Unlocks from 10 on left at or after the offence: 100 active + 50 reachable.
		assert_eq!(ledger.slashable(&10), 150);
		assert_eq!(ledger.slash(30, &10), 30);
		assert_eq!(ledger.active, 80);
		assert_eq!(ledger.unbonding[0].value, 50, "left before the offence");
		assert_eq!(ledger.unbonding[1].value, 40);
		// Never more than is reachable.
		assert_eq!(ledger.slash(1_000, &10), 120);
		assert_eq!(ledger.total(), 50);
	}
}
