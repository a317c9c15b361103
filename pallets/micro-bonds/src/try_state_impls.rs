//! Invariants: every record adds up to the funds actually held. Run by `try-runtime`,
//! and after every step of the property tests.

use alloc::collections::btree_map::BTreeMap;
use frame_support::{ensure, traits::fungible::{Inspect, InspectHold}};
use sp_runtime::{traits::Zero, TryRuntimeError};

use crate::pallet::*;

impl<T: Config> Pallet<T> {
	/// Check every invariant; the first broken one is the error.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		Self::check_bonds()?;
		Self::check_pools()
	}

	/// Each account's `Bond` hold equals the sum of its ledgers (active + unbonding),
	/// and each ledger's chunks are in unlock order.
	fn check_bonds() -> Result<(), TryRuntimeError> {
		let mut held_by_records: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let mut pool_committed: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for (who, _purpose, ledger) in Bonds::<T>::iter() {
			ensure!(
				ledger.unbonding.windows(2).all(|w| w[0].unlock_at < w[1].unlock_at),
				"unbonding chunks out of order"
			);
			ensure!(ledger.unbonding.iter().all(|c| !c.value.is_zero()), "an empty unbonding chunk");
			*held_by_records.entry(who.clone()).or_default() += ledger.total();
			*pool_committed.entry(who).or_default() += ledger.pool_committed;
		}
		for (who, recorded) in held_by_records {
			let held = T::Currency::balance_on_hold(&HoldReason::Bond.into(), &who);
			ensure!(held == recorded, "an account's Bond hold differs from its ledgers");
		}
		for (operator, committed) in pool_committed.into_iter().filter(|(_, c)| !c.is_zero()) {
			let pool = OperatorPool::<T>::get(&operator)
				.and_then(Pools::<T>::get)
				.ok_or("a pool commitment without the operator's pool")?;
			ensure!(pool.committed == committed, "pool commitments differ from ledgers");
		}
		Ok(())
	}

	/// Each pool's `PoolStake` hold equals its pots' balances; members' points sum to the
	/// pots' points; the reward account covers every member's pending rewards.
	fn check_pools() -> Result<(), TryRuntimeError> {
		for (id, pool) in Pools::<T>::iter() {
			ensure!(OperatorPool::<T>::get(&pool.operator) == Some(id), "operator index broken");
			let held = T::Currency::balance_on_hold(&HoldReason::PoolStake.into(), &Self::pool_account(id));
			ensure!(
				held == pool.active.balance + pool.unbonding.balance,
				"a pool's PoolStake hold differs from its pots"
			);
			let (mut points, mut unbonding_points, mut pending, mut members) =
				(BalanceOf::<T>::zero(), BalanceOf::<T>::zero(), BalanceOf::<T>::zero(), 0u32);
			for (_who, member) in PoolMembers::<T>::iter_prefix(id) {
				points += member.points;
				unbonding_points += member.unbonding_points();
				pending += Self::pending_rewards(&pool, &member);
				members += 1;
			}
			ensure!(points == pool.active.points, "members' points differ from the active pot");
			ensure!(unbonding_points == pool.unbonding.points, "members' points differ from the unbonding pot");
			ensure!(members == pool.member_count, "member count differs");
			ensure!(
				T::Currency::balance(&Self::pool_reward_account(id)) >= pending,
				"the reward account cannot pay pending rewards"
			);
		}
		Ok(())
	}
}
