//! Domain types of the micro-bonds pallet.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::fmt::Debug;
use frame_support::{traits::Get, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound};
use scale_info::TypeInfo;
use sp_arithmetic::{
	traits::{AtLeast32BitUnsigned, Zero},
	FixedU128, Perbill,
};

/// Identifies a delegated security pool.
pub type PoolId = u32;

/// Funds on their way out: slashable until withdrawn, withdrawable from `unlock_at`.
#[derive(
	Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq,
)]
pub struct UnbondingChunk<Balance, BlockNumber> {
	/// How much is unbonding (for a pool member: points of the pool's unbonding pot).
	pub value: Balance,
	/// The first block at which it can be withdrawn.
	pub unlock_at: BlockNumber,
}

/// An account's bond for one purpose. Every unit in `active` and in `unbonding` is held
/// from the account under `HoldReason::Bond`; `try_state` checks that they add up.
#[derive(
	CloneNoBound, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, DebugNoBound,
	PartialEqNoBound, EqNoBound,
)]
#[scale_info(skip_type_params(MaxChunks))]
pub struct BondLedger<Balance, BlockNumber, MaxChunks>
where
	Balance: Clone + Debug + PartialEq + Eq,
	BlockNumber: Clone + Debug + PartialEq + Eq,
	MaxChunks: Get<u32>,
{
	/// Bonded and not unbonding.
	pub active: Balance,
	/// Of `active`, the part other pallets required (`BondManager::require_bond`): it
	/// cannot be unbonded until they release it.
	pub committed: Balance,
	/// Bond committed for this account from the pool it operates (held by the pool).
	pub pool_committed: Balance,
	/// Chunks being unbonded, oldest first.
	pub unbonding: BoundedVec<UnbondingChunk<Balance, BlockNumber>, MaxChunks>,
}

impl<Balance, BlockNumber, MaxChunks> Default for BondLedger<Balance, BlockNumber, MaxChunks>
where
	Balance: Clone + Debug + PartialEq + Eq + Zero,
	BlockNumber: Clone + Debug + PartialEq + Eq,
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

impl<Balance, BlockNumber, MaxChunks> BondLedger<Balance, BlockNumber, MaxChunks>
where
	Balance: AtLeast32BitUnsigned + Copy + Debug,
	BlockNumber: Clone + Debug + PartialEq + Eq,
	MaxChunks: Get<u32>,
{
	/// Everything held for this ledger: active plus unbonding.
	pub fn total(&self) -> Balance {
		self.unbonding.iter().fold(self.active, |acc, c| acc.saturating_add(c.value))
	}

	/// Active bond that no other pallet has required.
	pub fn free_active(&self) -> Balance {
		self.active.saturating_sub(self.committed)
	}

	/// Whether nothing is held and nothing is committed: the ledger can be removed.
	pub fn is_empty(&self) -> bool {
		self.active.is_zero() &&
			self.unbonding.is_empty() &&
			self.committed.is_zero() &&
			self.pool_committed.is_zero()
	}
}

/// How an offence kind is punished. Set by governance (`set_slash_policy`).
#[derive(
	Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq,
	serde::Serialize, serde::Deserialize,
)]
pub struct SlashPolicy<Balance> {
	/// The fraction of the offender's slashable bond taken.
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
		let sum = self.reporter.deconstruct() as u64 +
			self.insurance.deconstruct() as u64 +
			self.burn.deconstruct() as u64;
		sum == Perbill::one().deconstruct() as u64
	}
}

/// A share of a pot: points give a claim on `balance` pro rata. Slashing the pot lowers
/// `balance` only, so every holder of points loses the same fraction in O(1).
#[derive(
	Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq,
	Eq, Default,
)]
pub struct Pot<Balance> {
	/// Points issued against this pot.
	pub points: Balance,
	/// Funds the points claim.
	pub balance: Balance,
}

impl<Balance: AtLeast32BitUnsigned + Copy> Pot<Balance> {
	/// Points to issue for depositing `value`. The first deposit gets points 1:1; later
	/// ones at the pot's rate, rounded down (against the depositor: no free value).
	/// `None` if the pot has points but no balance left (slashed to zero): nobody can
	/// buy into it.
	pub fn points_for(&self, value: Balance) -> Option<Balance> {
		if self.points.is_zero() {
			return Some(value);
		}
		if self.balance.is_zero() {
			return None;
		}
		Some(multiply_by_rational(value, self.points, self.balance))
	}

	/// The value of `points`, rounded down (against the holder: the pot never owes more
	/// than it has).
	pub fn value_of(&self, points: Balance) -> Balance {
		if self.points.is_zero() {
			return Zero::zero();
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

/// `a * b / c` without overflow, rounded down; 0 when `c` is 0.
pub fn multiply_by_rational<Balance: AtLeast32BitUnsigned + Copy>(
	a: Balance,
	b: Balance,
	c: Balance,
) -> Balance {
	if c.is_zero() {
		return Zero::zero();
	}
	let (a, b, c): (u128, u128, u128) = (
		a.try_into().unwrap_or(u128::MAX),
		b.try_into().unwrap_or(u128::MAX),
		c.try_into().unwrap_or(u128::MAX),
	);
	let result = sp_arithmetic::helpers_128bit::multiply_by_rational_with_rounding(
		a,
		b,
		c,
		sp_arithmetic::Rounding::Down,
	)
	.unwrap_or(u128::MAX);
	result.try_into().unwrap_or_else(|_| Balance::max_value())
}

/// A delegated security pool: members' stake backs the bonds the operator's devices
/// need. Stake sits in the pool's own account, held under `HoldReason::PoolStake`.
#[derive(Clone, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub struct Pool<AccountId, Balance> {
	/// Who runs the pool and whose bonds it may back.
	pub operator: AccountId,
	/// The operator's cut of rewards paid to the pool.
	pub commission: Perbill,
	/// Members' active stake.
	pub active: Pot<Balance>,
	/// Members' stake on its way out: still slashable.
	pub unbonding: Pot<Balance>,
	/// Of `active.balance`, the part backing the operator's bonds.
	pub committed: Balance,
	/// Rewards per active point ever paid to the pool (after commission).
	pub reward_per_point: FixedU128,
	/// Members, for the pool's accounting; the pool can be destroyed at zero.
	pub member_count: u32,
}

/// A member's stake in a pool.
#[derive(
	CloneNoBound, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, DebugNoBound,
	PartialEqNoBound, EqNoBound,
)]
#[scale_info(skip_type_params(MaxChunks))]
pub struct PoolMember<Balance, BlockNumber, MaxChunks>
where
	Balance: Clone + Debug + PartialEq + Eq,
	BlockNumber: Clone + Debug + PartialEq + Eq,
	MaxChunks: Get<u32>,
{
	/// Points of the pool's active pot.
	pub points: Balance,
	/// `reward_per_point` when this member's rewards were last settled.
	pub reward_per_point_paid: FixedU128,
	/// Points of the pool's unbonding pot, by unlock block.
	pub unbonding: BoundedVec<UnbondingChunk<Balance, BlockNumber>, MaxChunks>,
}

impl<Balance, BlockNumber, MaxChunks> PoolMember<Balance, BlockNumber, MaxChunks>
where
	Balance: AtLeast32BitUnsigned + Copy + Debug,
	BlockNumber: Clone + Debug + PartialEq + Eq,
	MaxChunks: Get<u32>,
{
	/// Unbonding points this member holds.
	pub fn unbonding_points(&self) -> Balance {
		self.unbonding.iter().fold(Zero::zero(), |acc: Balance, c| acc.saturating_add(c.value))
	}
}

/// What the runtime API reports about a pool.
#[derive(Clone, Encode, Decode, TypeInfo, Debug, PartialEq, Eq)]
pub struct PoolInfo<AccountId, Balance> {
	pub operator: AccountId,
	pub commission: Perbill,
	/// Active stake.
	pub active_stake: Balance,
	/// Unbonding stake (still slashable).
	pub unbonding_stake: Balance,
	/// Stake backing the operator's bonds.
	pub committed: Balance,
	pub member_count: u32,
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn pot_rounds_against_the_caller() {
		let mut pot = Pot::<u128>::default();
		assert_eq!(pot.points_for(100), Some(100));
		pot.deposit(100, 100);
		// Slash a third: 100 points now claim 67.
		pot.balance = 67;
		// 10 more units buy floor(10 * 100 / 67) = 14 points.
		assert_eq!(pot.points_for(10), Some(14));
		pot.deposit(10, 14);
		// 14 points are worth floor(14 * 77 / 114) = 9 <= 10 deposited.
		assert_eq!(pot.value_of(14), 9);
		assert_eq!(pot.redeem(114), 77);
		assert_eq!(pot, Pot { points: 0, balance: 0 });
	}

	#[test]
	fn a_pot_slashed_to_zero_takes_no_deposits() {
		let pot = Pot::<u128> { points: 5, balance: 0 };
		assert_eq!(pot.points_for(10), None);
		assert_eq!(pot.value_of(5), 0);
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
}
