//! Accounts this pallet owns, and `BondManager`: how other pallets require and release
//! bonds.

use frame_support::{ensure, traits::Get};
use machina_primitives::{BondManager, BondPurpose};
use sp_runtime::{
	traits::{AccountIdConversion, Saturating, Zero},
	DispatchResult,
};

use crate::{pallet::*, PoolId};

impl<T: Config> Pallet<T> {
	/// The insurance pool's account: slashes flow in, `pay_insurance` pays out.
	pub fn insurance_account() -> T::AccountId {
		T::PalletId::get().into_sub_account_truncating(b"insurance")
	}

	/// The account that holds a pool's stake (active and unbonding).
	pub fn pool_account(pool: PoolId) -> T::AccountId {
		T::PalletId::get().into_sub_account_truncating((b"pool", pool))
	}

	/// The account that holds a pool's unclaimed rewards.
	pub fn pool_reward_account(pool: PoolId) -> T::AccountId {
		T::PalletId::get().into_sub_account_truncating((b"rwrd", pool))
	}

	/// Give `who` a provider reference if it has none, so it exists at any balance
	/// (pallet-owned pots receive amounts below the existential deposit).
	pub(crate) fn ensure_account_exists(who: &T::AccountId) {
		if !frame_system::Pallet::<T>::account_exists(who) {
			frame_system::Pallet::<T>::inc_providers(who);
		}
	}
}

impl<T: Config> BondManager<T::AccountId, BalanceOf<T>> for Pallet<T> {
	/// Commit `amount` for `purpose`: from the account's own free active bond if it
	/// suffices, otherwise from the free stake of the pool the account operates. One
	/// source per call, so a release returns to where it came from.
	fn require_bond(who: &T::AccountId, purpose: BondPurpose, amount: BalanceOf<T>) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut ledger = Bonds::<T>::get(who, purpose).unwrap_or_default();
		let from_pool = if ledger.free_active() >= amount {
			ledger.committed = ledger.committed.saturating_add(amount);
			false
		} else {
			let pool_id = OperatorPool::<T>::get(who).ok_or(Error::<T>::InsufficientBondToCommit)?;
			Pools::<T>::try_mutate(pool_id, |pool| -> DispatchResult {
				let pool = pool.as_mut().ok_or(Error::<T>::PoolNotFound)?;
				let free = pool.active.balance.saturating_sub(pool.committed);
				ensure!(free >= amount, Error::<T>::InsufficientBondToCommit);
				pool.committed = pool.committed.saturating_add(amount);
				Ok(())
			})?;
			ledger.pool_committed = ledger.pool_committed.saturating_add(amount);
			true
		};
		Bonds::<T>::insert(who, purpose, ledger);
		Self::deposit_event(Event::Committed { who: who.clone(), purpose, amount, from_pool });
		Ok(())
	}

	/// Release `amount` committed for `purpose`: pool commitments first (they tie up
	/// other people's stake), then the account's own.
	fn release_bond(who: &T::AccountId, purpose: BondPurpose, amount: BalanceOf<T>) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut ledger = Bonds::<T>::get(who, purpose).ok_or(Error::<T>::NotBonded)?;
		if ledger.pool_committed >= amount {
			let pool_id = OperatorPool::<T>::get(who).ok_or(Error::<T>::PoolNotFound)?;
			Pools::<T>::mutate(pool_id, |pool| {
				if let Some(pool) = pool {
					pool.committed = pool.committed.saturating_sub(amount);
				}
			});
			ledger.pool_committed -= amount;
		} else {
			ensure!(ledger.committed >= amount, Error::<T>::ReleaseExceedsCommitted);
			ledger.committed -= amount;
		}
		Self::store_ledger(who, purpose, ledger);
		Self::deposit_event(Event::Released { who: who.clone(), purpose, amount });
		Ok(())
	}

	/// Release `amount`; if it was committed from the account's own bond, unbond it too.
	fn release_and_unbond(who: &T::AccountId, purpose: BondPurpose, amount: BalanceOf<T>) -> DispatchResult {
		let from_pool = Bonds::<T>::get(who, purpose).is_some_and(|l| l.pool_committed >= amount);
		Self::release_bond(who, purpose, amount)?;
		if from_pool {
			return Ok(())
		}
		// Unbond what was committed, or all that is free if the rest would be dust below
		// `MinBond`. If even that cannot start (all unbonding chunks in use), the release
		// stands and the funds stay bonded for the owner to unbond later.
		let free = Bonds::<T>::get(who, purpose).map(|l| l.free_active()).unwrap_or_default();
		let amount = amount.min(free);
		if !amount.is_zero() && Self::do_unbond(who, purpose, amount).is_err() && amount < free {
			let _ = Self::do_unbond(who, purpose, free);
		}
		Ok(())
	}

	/// The account's own active bond plus what its pool commits for it.
	fn bonded(who: &T::AccountId, purpose: BondPurpose) -> BalanceOf<T> {
		Bonds::<T>::get(who, purpose)
			.map(|l| l.active.saturating_add(l.pool_committed))
			.unwrap_or_default()
	}

	/// Own and pool commitments.
	fn committed(who: &T::AccountId, purpose: BondPurpose) -> BalanceOf<T> {
		Bonds::<T>::get(who, purpose)
			.map(|l| l.committed.saturating_add(l.pool_committed))
			.unwrap_or_default()
	}
}

/// Queries behind the runtime API.
impl<T: Config> Pallet<T> {
	/// Own bond (active and unbonding) plus the pool stake committed for it.
	pub fn slashable_balance(who: &T::AccountId, purpose: BondPurpose) -> BalanceOf<T> {
		let Some(ledger) = Bonds::<T>::get(who, purpose) else { return Zero::zero() };
		let from_pool = OperatorPool::<T>::get(who)
			.and_then(Pools::<T>::get)
			.map(|p| ledger.pool_committed.min(p.active.balance.saturating_add(p.unbonding.balance)))
			.unwrap_or_default();
		ledger.total().saturating_add(from_pool)
	}

	/// A pool's state.
	pub fn pool_info(pool: PoolId) -> Option<crate::PoolInfo<T::AccountId, BalanceOf<T>>> {
		Pools::<T>::get(pool).map(|p| crate::PoolInfo {
			operator: p.operator,
			commission: p.commission,
			active_stake: p.active.balance,
			unbonding_stake: p.unbonding.balance,
			committed: p.committed,
			member_count: p.member_count,
		})
	}

	/// `(active stake, unbonding stake, pending rewards)` of a member.
	pub fn pool_member_info(
		pool: PoolId,
		who: &T::AccountId,
	) -> Option<(BalanceOf<T>, BalanceOf<T>, BalanceOf<T>)> {
		let p = Pools::<T>::get(pool)?;
		let m = PoolMembers::<T>::get(pool, who)?;
		Some((p.active.value_of(m.points), p.unbonding.value_of(m.unbonding_points()), Self::pending_rewards(&p, &m)))
	}

	/// The insurance pool's balance and its total payouts.
	pub fn insurance_info() -> (BalanceOf<T>, BalanceOf<T>) {
		use frame_support::traits::fungible::Inspect;
		(T::Currency::balance(&Self::insurance_account()), InsurancePaidOut::<T>::get())
	}
}

impl<T: Config> machina_primitives::InsuranceFund<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn balance() -> BalanceOf<T> {
		Self::insurance_info().0
	}

	fn pay(to: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		Self::pay_insurance_from(to, amount)
	}
}
