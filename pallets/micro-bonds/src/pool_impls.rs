//! Delegated security pools: members' stake backs the operator's bonds. Slashing a pool
//! lowers its pots' balances (O(1), members' points untouched); rewards accrue to a
//! reward-per-point accumulator that each member settles on its own calls (O(1)).

use frame_support::{
	ensure,
	traits::{
		fungible::{Inspect, InspectHold, Mutate, MutateHold},
		tokens::{Fortitude, Precision, Preservation, Restriction},
		Get,
	},
};
use sp_arithmetic::{traits::Saturating, FixedPointNumber, FixedU128, Perbill};
use sp_runtime::{traits::Zero, DispatchResult};

use crate::{
	dispatchable_impls::{push_chunk, take_unlocked},
	pallet::*,
	Pool, PoolId, PoolMember,
};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_create_pool(operator: T::AccountId, commission: Perbill, stake: BalanceOf<T>) -> DispatchResult {
		// Creating the pool and staking in it happen together or not at all.
		frame_support::storage::with_storage_layer(|| Self::create_pool_inner(operator, commission, stake))
	}

	fn create_pool_inner(operator: T::AccountId, commission: Perbill, stake: BalanceOf<T>) -> DispatchResult {
		ensure!(!OperatorPool::<T>::contains_key(&operator), Error::<T>::AlreadyOperator);
		ensure!(commission <= MaxCommission::<T>::get(), Error::<T>::CommissionTooHigh);
		ensure!(stake >= T::MinPoolCreateStake::get(), Error::<T>::StakeTooLow);
		let id = NextPoolId::<T>::get();
		NextPoolId::<T>::put(id.checked_add(1).ok_or(Error::<T>::Overflow)?);

		Self::ensure_account_exists(&Self::pool_account(id));
		Self::ensure_account_exists(&Self::pool_reward_account(id));
		Pools::<T>::insert(
			id,
			Pool {
				operator: operator.clone(),
				commission,
				active: Default::default(),
				unbonding: Default::default(),
				committed: Zero::zero(),
				reward_per_point: FixedU128::zero(),
				member_count: 0,
			},
		);
		OperatorPool::<T>::insert(&operator, id);
		Self::deposit_event(Event::PoolCreated { pool: id, operator: operator.clone(), commission, stake });
		Self::do_join_pool(&operator, id, stake)
	}

	pub(crate) fn do_join_pool(who: &T::AccountId, id: PoolId, amount: BalanceOf<T>) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut pool = Pools::<T>::get(id).ok_or(Error::<T>::PoolNotFound)?;
		let existing = PoolMembers::<T>::get(id, who);
		if existing.is_none() {
			ensure!(amount >= T::MinBond::get(), Error::<T>::StakeTooLow);
		}
		let points = pool.active.points_for(amount).ok_or(Error::<T>::PoolSlashedToZero)?;
		ensure!(!points.is_zero(), Error::<T>::StakeTooLow);
		// Every check is done: the first change is the transfer, which fails cleanly.
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
		let mut member = match existing {
			Some(mut member) => {
				Self::settle_rewards(id, &pool, who, &mut member)?;
				member
			},
			None => {
				pool.member_count = pool.member_count.saturating_add(1);
				PoolMember {
					points: Zero::zero(),
					reward_per_point_paid: pool.reward_per_point,
					unbonding: Default::default(),
				}
			},
		};
		pool.active.deposit(amount, points);
		member.points = member.points.saturating_add(points);
		Pools::<T>::insert(id, pool);
		PoolMembers::<T>::insert(id, who, member);
		Self::deposit_event(Event::PoolJoined { pool: id, who: who.clone(), amount, points });
		Ok(())
	}

	pub(crate) fn do_leave_pool(who: &T::AccountId, id: PoolId, points: BalanceOf<T>) -> DispatchResult {
		ensure!(!points.is_zero(), Error::<T>::ZeroAmount);
		let mut pool = Pools::<T>::get(id).ok_or(Error::<T>::PoolNotFound)?;
		let mut member = PoolMembers::<T>::get(id, who).ok_or(Error::<T>::NotMember)?;
		ensure!(points <= member.points, Error::<T>::InsufficientPoints);
		let value = pool.active.value_of(points);
		ensure!(
			pool.active.balance.saturating_sub(value) >= pool.committed,
			Error::<T>::PoolStakeCommitted
		);
		let unlock_at = Self::unlock_block();
		let unbonding_points = if value.is_zero() {
			Zero::zero()
		} else {
			let p = pool.unbonding.points_for(value).ok_or(Error::<T>::PoolSlashedToZero)?;
			// Too little to buy a single unbonding point: it would be given away.
			ensure!(!p.is_zero(), Error::<T>::StakeTooLow);
			p
		};
		if !unbonding_points.is_zero() {
			push_chunk::<T>(&mut member.unbonding, unbonding_points, unlock_at)?;
		}
		// Checks done; rewards are settled on the points held until now.
		Self::settle_rewards(id, &pool, who, &mut member)?;
		pool.active.redeem(points);
		member.points -= points;
		pool.unbonding.deposit(value, unbonding_points);
		Self::store_member(id, &mut pool, who, member);
		Pools::<T>::insert(id, pool);
		Self::deposit_event(Event::PoolLeaving { pool: id, who: who.clone(), amount: value, unlock_at });
		Ok(())
	}

	pub(crate) fn do_withdraw_pool(who: &T::AccountId, id: PoolId) -> DispatchResult {
		let mut pool = Pools::<T>::get(id).ok_or(Error::<T>::PoolNotFound)?;
		let mut member = PoolMembers::<T>::get(id, who).ok_or(Error::<T>::NotMember)?;
		let points = take_unlocked::<T>(&mut member.unbonding);
		ensure!(!points.is_zero(), Error::<T>::NothingToWithdraw);
		let amount = pool.unbonding.redeem(points);
		if !amount.is_zero() {
			T::Currency::transfer_on_hold(
				&HoldReason::PoolStake.into(),
				&Self::pool_account(id),
				who,
				amount,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Polite,
			)?;
		}
		Self::store_member(id, &mut pool, who, member);
		Pools::<T>::insert(id, pool);
		Self::deposit_event(Event::PoolWithdrawn { pool: id, who: who.clone(), amount });
		Ok(())
	}

	pub(crate) fn do_claim_pool_rewards(who: &T::AccountId, id: PoolId) -> DispatchResult {
		let pool = Pools::<T>::get(id).ok_or(Error::<T>::PoolNotFound)?;
		let mut member = PoolMembers::<T>::get(id, who).ok_or(Error::<T>::NotMember)?;
		let paid = Self::settle_rewards(id, &pool, who, &mut member)?;
		ensure!(!paid.is_zero(), Error::<T>::NothingToClaim);
		PoolMembers::<T>::insert(id, who, member);
		Ok(())
	}

	pub(crate) fn do_reward_pool(payer: &T::AccountId, id: PoolId, amount: BalanceOf<T>) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut pool = Pools::<T>::get(id).ok_or(Error::<T>::PoolNotFound)?;
		// Rewards need points to accrue to; without members they would be stranded.
		ensure!(!pool.active.points.is_zero(), Error::<T>::NoActiveStake);
		let commission = pool.commission.mul_floor(amount);
		let to_members = amount - commission;
		// Rounded down: members can never claim more than was paid in.
		let per_point = FixedU128::checked_from_rational(to_members.into(), pool.active.points.into())
			.ok_or(Error::<T>::Overflow)?;
		// Both transfers or neither.
		ensure!(
			T::Currency::reducible_balance(payer, Preservation::Preserve, Fortitude::Polite) >= amount,
			Error::<T>::InsufficientBalance
		);
		if !commission.is_zero() {
			T::Currency::transfer(payer, &pool.operator, commission, Preservation::Preserve)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
		}
		T::Currency::transfer(payer, &Self::pool_reward_account(id), to_members, Preservation::Preserve)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		pool.reward_per_point = pool.reward_per_point.saturating_add(per_point);
		Pools::<T>::insert(id, pool);
		Self::deposit_event(Event::PoolRewarded { pool: id, amount, commission });
		Ok(())
	}

	pub(crate) fn do_set_pool_commission(who: &T::AccountId, id: PoolId, commission: Perbill) -> DispatchResult {
		Pools::<T>::try_mutate(id, |pool| -> DispatchResult {
			let pool = pool.as_mut().ok_or(Error::<T>::PoolNotFound)?;
			ensure!(&pool.operator == who, Error::<T>::NotOperator);
			ensure!(commission <= MaxCommission::<T>::get(), Error::<T>::CommissionTooHigh);
			pool.commission = commission;
			Ok(())
		})?;
		Self::deposit_event(Event::PoolCommissionSet { pool: id, commission });
		Ok(())
	}

	/// Remove an empty pool. Rounding dust (stake and rewards nobody can claim) goes to
	/// the insurance pool, and the pool's accounts lose their provider reference.
	pub(crate) fn do_destroy_pool(who: &T::AccountId, id: PoolId) -> DispatchResult {
		let pool = Pools::<T>::get(id).ok_or(Error::<T>::PoolNotFound)?;
		ensure!(&pool.operator == who, Error::<T>::NotOperator);
		ensure!(
			pool.member_count == 0 &&
				pool.active.points.is_zero() &&
				pool.unbonding.points.is_zero() &&
				pool.committed.is_zero(),
			Error::<T>::PoolNotEmpty
		);
		let insurance = Self::insurance_account();
		let (stake_account, reward_account) = (Self::pool_account(id), Self::pool_reward_account(id));
		let held = T::Currency::balance_on_hold(&HoldReason::PoolStake.into(), &stake_account);
		let mut dust = BalanceOf::<T>::zero();
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
		}
		for account in [&stake_account, &reward_account] {
			let free = T::Currency::balance(account);
			if !free.is_zero() {
				dust += T::Currency::transfer(account, &insurance, free, Preservation::Expendable)?;
			}
			let _ = frame_system::Pallet::<T>::dec_providers(account);
		}
		Pools::<T>::remove(id);
		OperatorPool::<T>::remove(who);
		Self::deposit_event(Event::PoolDestroyed { pool: id, dust });
		Ok(())
	}

	/// Pay `member` the rewards accrued since it last settled, and mark it settled.
	/// Returns what was paid.
	pub(crate) fn settle_rewards(
		id: PoolId,
		pool: &PoolOf<T>,
		who: &T::AccountId,
		member: &mut MemberOf<T>,
	) -> Result<BalanceOf<T>, sp_runtime::DispatchError> {
		let pending = Self::pending_rewards(pool, member);
		member.reward_per_point_paid = pool.reward_per_point;
		if !pending.is_zero() {
			T::Currency::transfer(&Self::pool_reward_account(id), who, pending, Preservation::Expendable)?;
			Self::deposit_event(Event::PoolRewardClaimed { pool: id, who: who.clone(), amount: pending });
		}
		Ok(pending)
	}

	/// Rewards `member` can claim now, rounded down.
	pub fn pending_rewards(pool: &PoolOf<T>, member: &MemberOf<T>) -> BalanceOf<T> {
		let owed = pool.reward_per_point.saturating_sub(member.reward_per_point_paid);
		let amount: u128 = owed.saturating_mul_int(member.points.into());
		amount.try_into().unwrap_or_else(|_| Zero::zero())
	}

	/// Store `member`, or remove it (and count it out) once it holds nothing.
	fn store_member(id: PoolId, pool: &mut PoolOf<T>, who: &T::AccountId, member: MemberOf<T>) {
		if member.points.is_zero() && member.unbonding.is_empty() {
			PoolMembers::<T>::remove(id, who);
			pool.member_count = pool.member_count.saturating_sub(1);
		} else {
			PoolMembers::<T>::insert(id, who, member);
		}
	}
}

