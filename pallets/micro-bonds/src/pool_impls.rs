//! Delegated security pools: members' stake backs the operator's device bonds.
//!
//! - Slashing lowers pot balances, never points: O(1) in the number of members.
//! - Unbonding stake sits in one pot per unlock instant, so a pot takes deposits for one
//!   relay block only and a slash reaches only the pots of stake that left at or after
//!   the offence. A pot slashed to nothing is skipped (the leaver unlocks one instant
//!   later), so no member can make another's exit fail.
//! - Rewards follow a reward-per-point accumulator over *earning* points. New points
//!   warm up on the clock: they earn from the start of the second `RewardWarmUp` period
//!   after they joined, whoever pays rewards meanwhile, so stake cannot join just for a
//!   reward it sees coming.
//! - An operator can close its pool; anyone may then unbond any member, so a member
//!   who stays cannot keep the pool (and the operator's deposit and stake) alive.

use frame_support::{
	ensure,
	traits::{
		fungible::{Inspect, InspectHold, Mutate, MutateHold},
		tokens::{Fortitude, Precision, Preservation, Restriction},
		Get,
	},
};
use machina_primitives::BondPurpose;
use sp_arithmetic::{traits::Saturating, FixedPointNumber, FixedU128, Perbill};
use sp_runtime::{
	traits::{One, Zero},
	DispatchError, DispatchResult,
};

use crate::{
	dispatchable_impls::{push_chunk, take_unlocked},
	pallet::*,
	PendingCommission, Pool, PoolId, PoolMember, Pot, RewardActivation, UnbondingPot, WarmingBucket,
};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_create_pool(operator: T::AccountId, commission: Perbill, stake: BalanceOf<T>) -> DispatchResult {
		ensure!(!OperatorPool::<T>::contains_key(&operator), Error::<T>::AlreadyOperator);
		ensure!(commission <= MaxCommission::<T>::get(), Error::<T>::CommissionTooHigh);
		if !stake.is_zero() {
			Self::do_bond(&operator, BondPurpose::PoolOperator, stake, true)?;
		}
		ensure!(Self::operator_stake(&operator) >= T::MinPoolOperatorStake::get(), Error::<T>::StakeTooLow);
		let id = NextPoolId::<T>::get();
		NextPoolId::<T>::put(id.checked_add(1).ok_or(Error::<T>::Overflow)?);
		let deposit = T::PoolDeposit::get();
		if !deposit.is_zero() {
			T::Currency::hold(&HoldReason::PoolDeposit.into(), &operator, deposit)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			Self::track_held(HoldReason::PoolDeposit, deposit, true);
		}
		// Both accounts hold the existential deposit while the pool lives: stake can be
		// held there and rewards paid out with `Preserve`, whatever their size.
		let ed = T::Currency::minimum_balance();
		for account in [Self::pool_account(id), Self::pool_reward_account(id)] {
			T::Currency::transfer(&operator, &account, ed, Preservation::Preserve)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
		}
		Pools::<T>::insert(
			id,
			Pool {
				operator: operator.clone(),
				commission,
				pending_commission: None,
				active: Default::default(),
				unbonding: Default::default(),
				committed: Zero::zero(),
				earning_points: Zero::zero(),
				warming: Default::default(),
				reward_per_point: FixedU128::zero(),
				member_count: 0,
				deposit,
				closing: false,
			},
		);
		OperatorPool::<T>::insert(&operator, id);
		Self::deposit_event(Event::PoolCreated { pool: id, operator, commission, deposit });
		Ok(())
	}

	pub(crate) fn do_join_pool(who: &T::AccountId, id: PoolId, amount: BalanceOf<T>) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut pool = Pools::<T>::get(id).ok_or(Error::<T>::PoolNotFound)?;
		ensure!(!pool.closing, Error::<T>::PoolClosing);
		let existing = PoolMembers::<T>::get(id, who);
		if existing.is_none() {
			ensure!(amount >= T::MinBond::get(), Error::<T>::StakeTooLow);
		}
		let points = pool.active.points_for(amount, T::MaxPointsToBalance::get()).ok_or(Error::<T>::PoolDefunct)?;
		ensure!(!points.is_zero(), Error::<T>::StakeTooLow);
		T::Currency::transfer_and_hold(
			&HoldReason::PoolStake.into(),
			who,
			&Self::pool_account(id),
			amount,
			Precision::Exact,
			Preservation::Preserve,
			Fortitude::Polite,
		)
		.map_err(|_| Error::<T>::InsufficientBalance)?;
		Self::track_held(HoldReason::PoolStake, amount, true);
		Self::activate_due(id, &mut pool);
		let period = Self::warm_up_period();
		let mut member = match existing {
			Some(mut member) => {
				Self::settle_rewards(id, &pool, who, &mut member);
				member
			},
			None => {
				pool.member_count = pool.member_count.saturating_add(1);
				PoolMember {
					points: Zero::zero(),
					warming: Zero::zero(),
					warming_period: period,
					reward_per_point_paid: pool.reward_per_point,
					unpaid: Zero::zero(),
					unbonding: Default::default(),
				}
			},
		};
		// Stake added to stake still warming restarts its warm-up with it: all of the
		// member's warming points move to this period's bucket.
		if !member.warming.is_zero() {
			Self::take_warming(&mut pool, member.warming_period, member.warming, true);
		}
		let bucket = Self::bucket(&mut pool, period)?;
		bucket.points = bucket.points.saturating_add(member.warming).saturating_add(points);
		bucket.members = bucket.members.saturating_add(1);
		member.warming = member.warming.saturating_add(points);
		member.warming_period = period;
		pool.active.deposit(amount, points);
		Pools::<T>::insert(id, pool);
		PoolMembers::<T>::insert(id, who, member);
		Self::deposit_event(Event::PoolJoined { pool: id, who: who.clone(), amount, points });
		Ok(())
	}

	pub(crate) fn do_leave_pool(
		caller: &T::AccountId,
		who: &T::AccountId,
		id: PoolId,
		points: BalanceOf<T>,
	) -> DispatchResult {
		ensure!(!points.is_zero(), Error::<T>::ZeroAmount);
		let mut pool = Pools::<T>::get(id).ok_or(Error::<T>::PoolNotFound)?;
		let mut member = PoolMembers::<T>::get(id, who).ok_or(Error::<T>::NotMember)?;
		ensure!(points <= member.active_points(), Error::<T>::InsufficientPoints);
		if caller != who {
			// Only a closing pool's members can be unbonded by others, and only in full.
			ensure!(pool.closing && points == member.active_points(), Error::<T>::NotClosing);
		}
		// Rewards are settled on the points held until now.
		Self::settle_rewards(id, &pool, who, &mut member);
		// Warming points leave first: they have earned nothing yet.
		let from_warming = points.min(member.warming);
		if !from_warming.is_zero() {
			member.warming -= from_warming;
			Self::take_warming(&mut pool, member.warming_period, from_warming, member.warming.is_zero());
		}
		let from_earning = points - from_warming;
		member.points = member.points.saturating_sub(from_earning);
		pool.earning_points = pool.earning_points.saturating_sub(from_earning);
		let value = pool.active.redeem(points);
		// What stays is worth `MinBond` or more, or nothing: no dust member can keep a
		// pool alive for a planck.
		let left = member.active_points();
		ensure!(left.is_zero() || pool.active.value_of(left) >= T::MinBond::get(), Error::<T>::BelowMinBond);
		let mut unlock_at = Self::unlock_time();
		if !value.is_zero() {
			Self::unlock_pots(id, &mut pool);
			let (at, unbonding_points) = Self::deposit_unbonding(&mut pool, value)?;
			push_chunk::<T>(&mut member.unbonding, unbonding_points, at)?;
			unlock_at = at;
		}
		Self::store_member(id, &mut pool, who, member);
		Pools::<T>::insert(id, pool);
		Self::deposit_event(Event::PoolLeaving { pool: id, who: who.clone(), amount: value, unlock_at });
		Ok(())
	}

	pub(crate) fn do_withdraw_pool(who: &T::AccountId, id: PoolId) -> DispatchResult {
		let mut pool = Pools::<T>::get(id).ok_or(Error::<T>::PoolNotFound)?;
		let mut member = PoolMembers::<T>::get(id, who).ok_or(Error::<T>::NotMember)?;
		let chunks = take_unlocked::<T>(&mut member.unbonding);
		ensure!(!chunks.is_empty(), Error::<T>::NothingToWithdraw);
		Self::unlock_pots(id, &mut pool);
		let mut amount = BalanceOf::<T>::zero();
		for chunk in chunks {
			UnlockedPots::<T>::mutate_exists(id, chunk.unlock_at, |maybe_pot| {
				if let Some(pot) = maybe_pot {
					amount = amount.saturating_add(pot.redeem(chunk.value));
					if pot.points.is_zero() {
						*maybe_pot = None;
					}
				}
			});
		}
		let stake = Self::pool_account(id);
		let reason = HoldReason::PoolStake.into();
		let mut paid = amount;
		if !amount.is_zero()
			&& T::Currency::transfer_on_hold(
				&reason,
				&stake,
				who,
				amount,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Polite,
			)
			.is_err()
		{
			// Only dust below the existential deposit to an account that no longer exists
			// can fail: it goes to the insurance pool rather than block the exit.
			let insurance = Self::insurance_account();
			T::Currency::transfer_on_hold(
				&reason,
				&stake,
				&insurance,
				amount,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Force,
			)?;
			paid = Zero::zero();
		}
		Self::track_held(HoldReason::PoolStake, amount, false);
		// The account surely exists now if it received anything: pay what was owed.
		Self::settle_rewards(id, &pool, who, &mut member);
		Self::store_member(id, &mut pool, who, member);
		Pools::<T>::insert(id, pool);
		Self::deposit_event(Event::PoolWithdrawn { pool: id, who: who.clone(), amount: paid });
		Ok(())
	}

	pub(crate) fn do_claim_pool_rewards(who: &T::AccountId, id: PoolId) -> DispatchResult {
		let mut pool = Pools::<T>::get(id).ok_or(Error::<T>::PoolNotFound)?;
		let mut member = PoolMembers::<T>::get(id, who).ok_or(Error::<T>::NotMember)?;
		let owed = Self::pending_rewards(id, &pool, &member).saturating_add(member.unpaid);
		ensure!(!owed.is_zero(), Error::<T>::NothingToClaim);
		Self::settle_rewards(id, &pool, who, &mut member);
		Self::store_member(id, &mut pool, who, member);
		Pools::<T>::insert(id, pool);
		Ok(())
	}

	pub(crate) fn do_reward_pool(payer: &T::AccountId, id: PoolId, amount: BalanceOf<T>) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut pool = Pools::<T>::get(id).ok_or(Error::<T>::PoolNotFound)?;
		Self::apply_due_commission(id, &mut pool);
		// Points that have warmed up earn this reward.
		Self::activate_due(id, &mut pool);
		// Rewards need earning points to accrue to; without them they would be stranded.
		ensure!(!pool.earning_points.is_zero(), Error::<T>::NoEarningStake);
		let commission = pool.commission.mul_floor(amount);
		let to_members = amount - commission;
		// Rounded down: members can never claim more than was paid in.
		let per_point = FixedU128::checked_from_rational(to_members.into(), pool.earning_points.into())
			.ok_or(Error::<T>::Overflow)?;
		ensure!(
			T::Currency::reducible_balance(payer, Preservation::Preserve, Fortitude::Polite) >= amount,
			Error::<T>::InsufficientBalance
		);
		// The operator's account exists while it holds its first-loss stake, and the
		// reward account holds the existential deposit: neither transfer can dust.
		if !commission.is_zero() {
			T::Currency::transfer(payer, &pool.operator, commission, Preservation::Preserve)?;
		}
		T::Currency::transfer(payer, &Self::pool_reward_account(id), to_members, Preservation::Preserve)?;
		pool.reward_per_point = pool.reward_per_point.saturating_add(per_point);
		Pools::<T>::insert(id, pool);
		Self::deposit_event(Event::PoolRewarded { pool: id, amount, commission });
		Ok(())
	}

	pub(crate) fn do_close_pool(who: &T::AccountId, id: PoolId) -> DispatchResult {
		let mut pool = Pools::<T>::get(id).ok_or(Error::<T>::PoolNotFound)?;
		ensure!(&pool.operator == who, Error::<T>::NotOperator);
		ensure!(!pool.closing, Error::<T>::PoolClosing);
		pool.closing = true;
		Pools::<T>::insert(id, pool);
		Self::deposit_event(Event::PoolClosed { pool: id });
		Ok(())
	}

	pub(crate) fn do_set_pool_commission(who: &T::AccountId, id: PoolId, commission: Perbill) -> DispatchResult {
		let mut pool = Pools::<T>::get(id).ok_or(Error::<T>::PoolNotFound)?;
		ensure!(&pool.operator == who, Error::<T>::NotOperator);
		ensure!(commission <= MaxCommission::<T>::get(), Error::<T>::CommissionTooHigh);
		Self::apply_due_commission(id, &mut pool);
		if commission <= pool.commission {
			// A cut helps members: at once, and it cancels a scheduled rise.
			pool.commission = commission;
			pool.pending_commission = None;
			Self::deposit_event(Event::PoolCommissionSet { pool: id, commission });
		} else {
			ensure!(
				commission - pool.commission <= T::MaxCommissionChange::get(),
				Error::<T>::CommissionChangeTooLarge
			);
			let effective_at = Self::now().saturating_add(T::CommissionChangeDelay::get());
			pool.pending_commission = Some(PendingCommission { commission, effective_at });
			Self::deposit_event(Event::PoolCommissionChangeScheduled { pool: id, commission, effective_at });
		}
		Pools::<T>::insert(id, pool);
		Ok(())
	}

	/// Remove an empty pool: the deposit and the accounts' existential deposits go back
	/// to the operator, any rounding dust to the insurance pool.
	pub(crate) fn do_destroy_pool(who: &T::AccountId, id: PoolId) -> DispatchResult {
		let pool = Pools::<T>::get(id).ok_or(Error::<T>::PoolNotFound)?;
		ensure!(&pool.operator == who, Error::<T>::NotOperator);
		ensure!(
			pool.member_count == 0
				&& pool.active.points.is_zero()
				&& pool.unbonding.is_empty()
				&& pool.committed.is_zero(),
			Error::<T>::PoolNotEmpty
		);
		let insurance = Self::insurance_account();
		let ed = T::Currency::minimum_balance();
		let (stake_account, reward_account) = (Self::pool_account(id), Self::pool_reward_account(id));
		let mut dust = BalanceOf::<T>::zero();
		let held = T::Currency::balance_on_hold(&HoldReason::PoolStake.into(), &stake_account);
		if !held.is_zero() {
			dust += T::Currency::transfer_on_hold(
				&HoldReason::PoolStake.into(),
				&stake_account,
				&insurance,
				held,
				Precision::BestEffort,
				Restriction::Free,
				Fortitude::Force,
			)?;
			Self::track_held(HoldReason::PoolStake, held, false);
		}
		for account in [&stake_account, &reward_account] {
			let extra = T::Currency::balance(account).saturating_sub(ed);
			if !extra.is_zero() {
				dust += T::Currency::transfer(account, &insurance, extra, Preservation::Preserve)?;
			}
			let left = T::Currency::balance(account);
			if !left.is_zero() {
				T::Currency::transfer(account, who, left, Preservation::Expendable)?;
			}
		}
		if !pool.deposit.is_zero() {
			T::Currency::release(&HoldReason::PoolDeposit.into(), who, pool.deposit, Precision::BestEffort)?;
			Self::track_held(HoldReason::PoolDeposit, pool.deposit, false);
		}
		Pools::<T>::remove(id);
		OperatorPool::<T>::remove(who);
		Self::deposit_event(Event::PoolDestroyed { pool: id, dust });
		Ok(())
	}

	/// Settle `member`'s rewards: its warming points start earning if their bucket was
	/// activated, and it is paid what it is owed. A payment that cannot be made now
	/// (below the existential deposit to an account that no longer exists) stays owed in
	/// `unpaid` rather than fail the call: no member's exit waits on a reward payment.
	pub(crate) fn settle_rewards(id: PoolId, pool: &PoolOf<T>, who: &T::AccountId, member: &mut MemberOf<T>) {
		let owed = Self::pending_rewards(id, pool, member).saturating_add(member.unpaid);
		if !member.warming.is_zero() {
			let mut activated = false;
			RewardActivations::<T>::mutate_exists(id, member.warming_period, |activation| {
				if let Some(a) = activation {
					activated = true;
					a.members = a.members.saturating_sub(1);
					if a.members == 0 {
						*activation = None;
					}
				}
			});
			if activated {
				member.points = member.points.saturating_add(member.warming);
				member.warming = Zero::zero();
			}
		}
		member.reward_per_point_paid = pool.reward_per_point;
		member.unpaid = Zero::zero();
		if owed.is_zero() {
			return;
		}
		if T::Currency::transfer(&Self::pool_reward_account(id), who, owed, Preservation::Preserve).is_ok() {
			Self::deposit_event(Event::PoolRewardClaimed { pool: id, who: who.clone(), amount: owed });
		} else {
			member.unpaid = owed;
			Self::deposit_event(Event::PoolRewardDeferred { pool: id, who: who.clone(), amount: owed });
		}
	}

	/// Rewards `member` has earned and not been paid, rounded down (without `unpaid`).
	pub fn pending_rewards(id: PoolId, pool: &PoolOf<T>, member: &MemberOf<T>) -> BalanceOf<T> {
		let earned = |since: FixedU128, points: BalanceOf<T>| -> BalanceOf<T> {
			let owed = pool.reward_per_point.saturating_sub(since);
			// Bounded by what was paid in, so it fits the balance type.
			owed.saturating_mul_int(points.into()).try_into().unwrap_or_else(|_| Zero::zero())
		};
		let mut pending = earned(member.reward_per_point_paid, member.points);
		if !member.warming.is_zero() {
			if let Some(activation) = RewardActivations::<T>::get(id, member.warming_period) {
				pending = pending.saturating_add(earned(activation.reward_per_point, member.warming));
			}
		}
		pending
	}

	/// Put `value` of leaving stake into the unbonding pot that unlocks after the
	/// unbonding period, or the next instant's if that pot cannot take a fair deposit
	/// (slashed to nothing in this very instant). Returns the unlock instant and points.
	fn deposit_unbonding(
		pool: &mut PoolOf<T>,
		value: BalanceOf<T>,
	) -> Result<(MomentOf<T>, BalanceOf<T>), DispatchError> {
		let mut at = Self::unlock_time();
		for _ in 0..T::MaxUnbondingBuckets::get() {
			match pool.unbonding.iter().position(|b| b.unlock_at >= at) {
				Some(i) if pool.unbonding[i].unlock_at == at => {
					let pot = &mut pool.unbonding[i].pot;
					if let Some(points) = pot.points_for(value, T::MaxPointsToBalance::get()).filter(|p| !p.is_zero()) {
						pot.deposit(value, points);
						return Ok((at, points));
					}
				},
				position => {
					let fresh = UnbondingPot { unlock_at: at, pot: Pot { points: value, balance: value } };
					pool.unbonding
						.try_insert(position.unwrap_or(pool.unbonding.len()), fresh)
						.map_err(|_| Error::<T>::TooManyUnbondingChunks)?;
					return Ok((at, value));
				},
			}
			at = at.saturating_add(One::one());
		}
		Err(Error::<T>::TooManyUnbondingChunks.into())
	}

	/// Move the pool's unbonding pots that have unlocked to `UnlockedPots`, where no slash
	/// reaches them and members withdraw from them.
	pub(crate) fn unlock_pots(id: PoolId, pool: &mut PoolOf<T>) {
		let now = Self::now();
		while pool.unbonding.first().is_some_and(|b| b.unlock_at <= now) {
			let bucket = pool.unbonding.remove(0);
			UnlockedPots::<T>::insert(id, bucket.unlock_at, bucket.pot);
		}
	}

	/// The pot a member's chunk unlocking at `unlock_at` draws on.
	pub(crate) fn unbonding_pot(id: PoolId, pool: &PoolOf<T>, unlock_at: &MomentOf<T>) -> Option<Pot<BalanceOf<T>>> {
		pool.unbonding
			.iter()
			.find(|b| b.unlock_at == *unlock_at)
			.map(|b| b.pot)
			.or_else(|| UnlockedPots::<T>::get(id, unlock_at))
	}

	/// The warm-up period the clock is in now.
	pub(crate) fn warm_up_period() -> MomentOf<T> {
		Self::now() / T::RewardWarmUp::get()
	}

	/// Warming points that joined two or more periods ago start earning at the current
	/// reward-per-point: recorded for their members to settle lazily. Afterwards only the
	/// current and the previous period's buckets remain.
	fn activate_due(id: PoolId, pool: &mut PoolOf<T>) {
		let current = Self::warm_up_period();
		let two = MomentOf::<T>::one().saturating_add(One::one());
		let reward_per_point = pool.reward_per_point;
		let mut earning = pool.earning_points;
		pool.warming.retain(|bucket| {
			let due = bucket.period.saturating_add(two) <= current;
			if due {
				RewardActivations::<T>::insert(
					id,
					bucket.period,
					RewardActivation { reward_per_point, members: bucket.members },
				);
				earning = earning.saturating_add(bucket.points);
			}
			!due
		});
		pool.earning_points = earning;
	}

	/// The warming bucket of `period`, opened if need be (after `activate_due` there is
	/// room: at most the previous period's is open besides).
	fn bucket(
		pool: &mut PoolOf<T>,
		period: MomentOf<T>,
	) -> Result<&mut WarmingBucket<BalanceOf<T>, MomentOf<T>>, DispatchError> {
		let i = match pool.warming.iter().position(|b| b.period == period) {
			Some(i) => i,
			None => {
				pool.warming
					.try_push(WarmingBucket { period, points: Zero::zero(), members: 0 })
					.map_err(|_| Error::<T>::Overflow)?;
				pool.warming.len() - 1
			},
		};
		Ok(&mut pool.warming[i])
	}

	/// Take `points` out of the warming bucket of `period` (`last`: the member holds none
	/// there any more).
	fn take_warming(pool: &mut PoolOf<T>, period: MomentOf<T>, points: BalanceOf<T>, last: bool) {
		if let Some(bucket) = pool.warming.iter_mut().find(|b| b.period == period) {
			bucket.points = bucket.points.saturating_sub(points);
			if last {
				bucket.members = bucket.members.saturating_sub(1);
			}
		}
		pool.warming.retain(|b| b.members > 0 || !b.points.is_zero());
	}

	/// Apply a scheduled commission change whose time has come.
	fn apply_due_commission(id: PoolId, pool: &mut PoolOf<T>) {
		if let Some(pending) = pool.pending_commission.filter(|p| p.effective_at <= Self::now()) {
			pool.commission = pending.commission;
			pool.pending_commission = None;
			Self::deposit_event(Event::PoolCommissionSet { pool: id, commission: pending.commission });
		}
	}

	/// Store `member`, or remove it (and count it out) once it holds and is owed nothing.
	fn store_member(id: PoolId, pool: &mut PoolOf<T>, who: &T::AccountId, member: MemberOf<T>) {
		if member.is_empty() {
			PoolMembers::<T>::remove(id, who);
			pool.member_count = pool.member_count.saturating_sub(1);
		} else {
			PoolMembers::<T>::insert(id, who, member);
		}
	}
}
