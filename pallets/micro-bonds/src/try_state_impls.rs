//! Invariants: every record adds up to the funds actually held, in both directions. Run
//! by `try-runtime`, and after every step of the property tests.

use alloc::collections::btree_map::BTreeMap;
use frame_support::{
	ensure,
	traits::fungible::{Inspect, InspectHold},
};
use machina_primitives::BondPurpose;
use sp_runtime::{
	traits::{Saturating, Zero},
	TryRuntimeError,
};

use crate::{pallet::*, ExpiringEntry, HeldTotals};

impl<T: Config> Pallet<T> {
	/// Check every invariant; the first broken one is the error.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let mut totals = HeldTotals::<BalanceOf<T>>::default();
		Self::check_bonds(&mut totals)?;
		Self::check_commitments()?;
		Self::check_pools(&mut totals)?;
		Self::check_expiring()?;
		ensure!(
			TotalHeld::<T>::get() == totals,
			"held totals differ from the records: a hold without a record, or a record without a hold"
		);
		let ed = T::Currency::minimum_balance();
		ensure!(
			T::Currency::balance(&Self::insurance_account()) >= ed,
			"the insurance pot lost its existential deposit"
		);
		Ok(())
	}

	/// Each account's `Bond` hold equals the sum of its ledgers (active + unbonding);
	/// chunks are in strict unlock order and none is empty.
	fn check_bonds(totals: &mut HeldTotals<BalanceOf<T>>) -> Result<(), TryRuntimeError> {
		let mut held_by_records: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for (who, _purpose, ledger) in Bonds::<T>::iter() {
			ensure!(
				ledger.unbonding.windows(2).all(|w| w[0].unlock_at < w[1].unlock_at),
				"unbonding chunks out of order"
			);
			ensure!(ledger.unbonding.iter().all(|c| !c.value.is_zero()), "an empty unbonding chunk");
			ensure!(!ledger.is_empty(), "an empty ledger was kept");
			let entry = held_by_records.entry(who).or_default();
			*entry = entry.saturating_add(ledger.total());
		}
		for (who, recorded) in held_by_records {
			let held = T::Currency::balance_on_hold(&HoldReason::Bond.into(), &who);
			ensure!(held == recorded, "an account's Bond hold differs from its ledgers");
			totals.bonds = totals.bonds.saturating_add(recorded);
		}
		Ok(())
	}

	/// Live commitments add up to their ledgers' committed amounts; pool parts belong to
	/// operators and add up to their pools' `committed`; released ones wait in
	/// `Expiring`.
	fn check_commitments() -> Result<(), TryRuntimeError> {
		let mut sums: BTreeMap<(T::AccountId, BondPurpose), (BalanceOf<T>, BalanceOf<T>)> = BTreeMap::new();
		for (who, id, c) in Commitments::<T>::iter() {
			match c.released_at {
				Some(at) => ensure!(
					Expiring::<T>::contains_key(at, ExpiringEntry::Commitment(who.clone(), id)),
					"a released commitment that never expires"
				),
				None => {
					let sum = sums.entry((who, c.purpose)).or_default();
					sum.0 = sum.0.saturating_add(c.own);
					sum.1 = sum.1.saturating_add(c.from_pool);
				},
			}
		}
		for (who, purpose, ledger) in Bonds::<T>::iter() {
			let (own, from_pool) = sums.remove(&(who.clone(), purpose)).unwrap_or_default();
			ensure!(own == ledger.committed, "commitments differ from the ledger's committed bond");
			ensure!(from_pool == ledger.pool_committed, "commitments differ from the ledger's pool commitments");
			if !from_pool.is_zero() {
				let pool =
					OperatorPool::<T>::get(&who).and_then(Pools::<T>::get).ok_or("a pool commitment without a pool")?;
				ensure!(pool.committed >= from_pool, "a pool commits less than its operator's ledgers");
			}
		}
		ensure!(sums.values().all(|(o, p)| o.is_zero() && p.is_zero()), "a live commitment without a ledger");
		Ok(())
	}

	/// Each pool's `PoolStake` hold equals its pots; member records add up to the pots'
	/// points; the reward account covers everything owed; indexes agree.
	fn check_pools(totals: &mut HeldTotals<BalanceOf<T>>) -> Result<(), TryRuntimeError> {
		let ed = T::Currency::minimum_balance();
		for (operator, id) in OperatorPool::<T>::iter() {
			ensure!(
				Pools::<T>::get(id).is_some_and(|p| p.operator == operator),
				"operator index points to another pool"
			);
		}
		for (id, pool) in Pools::<T>::iter() {
			ensure!(OperatorPool::<T>::get(&pool.operator) == Some(id), "operator index broken");
			let operator_committed =
				Bonds::<T>::get(&pool.operator, BondPurpose::Device).map(|l| l.pool_committed).unwrap_or_default();
			ensure!(pool.committed == operator_committed, "pool commitments differ from the operator's ledger");
			ensure!(pool.unbonding.windows(2).all(|w| w[0].unlock_at < w[1].unlock_at), "unbonding pots out of order");

			// Unbonding points per unlock instant, from the pots and from the members.
			let mut pots: BTreeMap<MomentOf<T>, BalanceOf<T>> = BTreeMap::new();
			let mut stake = pool.active.balance;
			for b in pool.unbonding.iter() {
				pots.insert(b.unlock_at, b.pot.points);
				stake = stake.saturating_add(b.pot.balance);
			}
			for (at, pot) in UnlockedPots::<T>::iter_prefix(id) {
				ensure!(!pot.points.is_zero(), "an unlocked pot nobody can withdraw");
				ensure!(pots.insert(at, pot.points).is_none(), "an unlock instant both live and unlocked");
				stake = stake.saturating_add(pot.balance);
			}
			let held = T::Currency::balance_on_hold(&HoldReason::PoolStake.into(), &Self::pool_account(id));
			ensure!(held == stake, "a pool's PoolStake hold differs from its pots");
			totals.pool_stake = totals.pool_stake.saturating_add(stake);
			totals.deposits = totals.deposits.saturating_add(pool.deposit);

			let zero = BalanceOf::<T>::zero();
			let (mut earning, mut owed, mut members) = (zero, zero, 0u32);
			let mut activated: BTreeMap<MomentOf<T>, u32> = BTreeMap::new();
			let mut warming: BTreeMap<MomentOf<T>, (BalanceOf<T>, u32)> = BTreeMap::new();
			let mut member_pots: BTreeMap<MomentOf<T>, BalanceOf<T>> = BTreeMap::new();
			for (_who, m) in PoolMembers::<T>::iter_prefix(id) {
				ensure!(!m.is_empty(), "an empty member record was kept");
				earning = earning.saturating_add(m.points);
				if !m.warming.is_zero() {
					if RewardActivations::<T>::contains_key(id, m.warming_period) {
						earning = earning.saturating_add(m.warming);
						*activated.entry(m.warming_period).or_default() += 1;
					} else {
						let w = warming.entry(m.warming_period).or_default();
						w.0 = w.0.saturating_add(m.warming);
						w.1 += 1;
					}
				}
				for c in m.unbonding.iter() {
					let p = member_pots.entry(c.unlock_at).or_default();
					*p = p.saturating_add(c.value);
				}
				owed = owed.saturating_add(Self::pending_rewards(id, &pool, &m)).saturating_add(m.unpaid);
				members += 1;
			}
			ensure!(earning == pool.earning_points, "members' earning points differ from the pool's");
			let buckets: BTreeMap<MomentOf<T>, (BalanceOf<T>, u32)> =
				pool.warming.iter().map(|b| (b.period, (b.points, b.members))).collect();
			ensure!(buckets.len() == pool.warming.len(), "two warming buckets for one period");
			ensure!(warming == buckets, "members' warming points differ from the pool's buckets");
			let warming_total = pool.warming.iter().fold(zero, |acc, b| acc.saturating_add(b.points));
			ensure!(
				earning.saturating_add(warming_total) == pool.active.points,
				"members' points differ from the active pot"
			);
			ensure!(
				member_pots == pots.into_iter().filter(|(_, p)| !p.is_zero()).collect(),
				"members' chunks differ from the unbonding pots"
			);
			for (period, activation) in RewardActivations::<T>::iter_prefix(id) {
				ensure!(
					activated.remove(&period) == Some(activation.members),
					"a reward activation's member count differs"
				);
			}
			ensure!(activated.is_empty(), "warming points activated without a record");
			ensure!(members == pool.member_count, "member count differs");
			let reward_balance = T::Currency::balance(&Self::pool_reward_account(id));
			ensure!(reward_balance >= ed.saturating_add(owed), "the reward account cannot pay what members are owed");
			ensure!(
				T::Currency::balance(&Self::pool_account(id)) >= ed,
				"a pool's stake account lost its existential deposit"
			);
		}
		Ok(())
	}

	/// Every entry is at or after the prune cursor; every seen offence expires.
	fn check_expiring() -> Result<(), TryRuntimeError> {
		for (id, at) in SeenOffences::<T>::iter() {
			ensure!(Expiring::<T>::contains_key(at, ExpiringEntry::Offence(id)), "a seen offence that never expires");
		}
		let cursor = PruneCursor::<T>::get();
		for (at, _entry, ()) in Expiring::<T>::iter() {
			ensure!(cursor.is_some_and(|c| c <= at), "an expiring entry the pruning will never reach");
		}
		Ok(())
	}
}
