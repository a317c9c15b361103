//! The logic of the bond calls: bond, unbond, rebond, withdraw.

use frame_support::{
	ensure,
	traits::{fungible::MutateHold, tokens::Precision, Get},
	BoundedVec,
};
use machina_primitives::BondPurpose;
use sp_runtime::{
	traits::{CheckedAdd, Saturating, Zero},
	DispatchResult,
};

use crate::{pallet::*, UnbondingChunk};

impl<T: Config> Pallet<T> {
	/// Bond `amount` more for `purpose`. `create`: a new ledger may be opened.
	pub(crate) fn do_bond(
		who: &T::AccountId,
		purpose: BondPurpose,
		amount: BalanceOf<T>,
		create: bool,
	) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut ledger = match Bonds::<T>::get(who, purpose) {
			Some(ledger) => ledger,
			None if create => Default::default(),
			None => return Err(Error::<T>::NotBonded.into()),
		};
		ledger.active = ledger.active.checked_add(&amount).ok_or(Error::<T>::Overflow)?;
		ensure!(ledger.active >= T::MinBond::get(), Error::<T>::BelowMinBond);
		T::Currency::hold(&HoldReason::Bond.into(), who, amount).map_err(|_| Error::<T>::InsufficientBalance)?;
		Self::track_held(HoldReason::Bond, amount, true);
		Bonds::<T>::insert(who, purpose, ledger);
		Self::deposit_event(Event::Bonded { who: who.clone(), purpose, amount });
		Ok(())
	}

	/// Move `amount` of free active bond into a chunk that unlocks after the unbonding
	/// period. A pool operator's `PoolOperator` bond cannot go below
	/// `MinPoolOperatorStake` while its pool exists.
	pub(crate) fn do_unbond(who: &T::AccountId, purpose: BondPurpose, amount: BalanceOf<T>) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut ledger = Bonds::<T>::get(who, purpose).ok_or(Error::<T>::NotBonded)?;
		ensure!(amount <= ledger.active, Error::<T>::InsufficientActiveBond);
		ensure!(amount <= ledger.free_active(), Error::<T>::BondCommitted);
		let remaining = ledger.active - amount;
		ensure!(remaining.is_zero() || remaining >= T::MinBond::get(), Error::<T>::BelowMinBond);
		if purpose == BondPurpose::PoolOperator && OperatorPool::<T>::contains_key(who) {
			ensure!(remaining >= T::MinPoolOperatorStake::get(), Error::<T>::BondCommitted);
		}

		let unlock_at = Self::unlock_time();
		push_chunk::<T>(&mut ledger.unbonding, amount, unlock_at)?;
		ledger.active = remaining;
		Bonds::<T>::insert(who, purpose, ledger);
		Self::deposit_event(Event::Unbonding { who: who.clone(), purpose, amount, unlock_at });
		Ok(())
	}

	/// Move up to `amount` from unbonding back to active, newest chunks first.
	pub(crate) fn do_rebond(who: &T::AccountId, purpose: BondPurpose, amount: BalanceOf<T>) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut ledger = Bonds::<T>::get(who, purpose).ok_or(Error::<T>::NotBonded)?;
		ensure!(!ledger.unbonding.is_empty(), Error::<T>::NothingToRebond);

		let mut left = amount;
		while let Some(chunk) = ledger.unbonding.last_mut() {
			if left.is_zero() {
				break;
			}
			let take = chunk.value.min(left);
			chunk.value -= take;
			left -= take;
			if chunk.value.is_zero() {
				ledger.unbonding.pop();
			}
		}
		let rebonded = amount - left;
		ensure!(!rebonded.is_zero(), Error::<T>::NothingToRebond);
		ledger.active = ledger.active.saturating_add(rebonded);
		ensure!(ledger.active >= T::MinBond::get(), Error::<T>::BelowMinBond);
		Bonds::<T>::insert(who, purpose, ledger);
		Self::deposit_event(Event::Rebonded { who: who.clone(), purpose, amount: rebonded });
		Ok(())
	}

	/// Release every chunk whose unlock instant has come.
	pub(crate) fn do_withdraw_unbonded(who: &T::AccountId, purpose: BondPurpose) -> DispatchResult {
		let mut ledger = Bonds::<T>::get(who, purpose).ok_or(Error::<T>::NotBonded)?;
		let amount = take_unlocked::<T>(&mut ledger.unbonding)
			.into_iter()
			.fold(BalanceOf::<T>::zero(), |acc, c| acc.saturating_add(c.value));
		ensure!(!amount.is_zero(), Error::<T>::NothingToWithdraw);
		T::Currency::release(&HoldReason::Bond.into(), who, amount, Precision::Exact)?;
		Self::track_held(HoldReason::Bond, amount, false);
		Self::store_ledger(who, purpose, ledger);
		Self::deposit_event(Event::Withdrawn { who: who.clone(), purpose, amount });
		Ok(())
	}

	/// Store `ledger`, or remove it once it holds and commits nothing.
	pub(crate) fn store_ledger(who: &T::AccountId, purpose: BondPurpose, ledger: LedgerOf<T>) {
		if ledger.is_empty() {
			Bonds::<T>::remove(who, purpose);
		} else {
			Bonds::<T>::insert(who, purpose, ledger);
		}
	}
}

/// Unbonding chunks of a ledger or a pool member.
pub(crate) type ChunksOf<T> = BoundedVec<UnbondingChunk<BalanceOf<T>, MomentOf<T>>, <T as Config>::MaxUnbondingChunks>;

/// Add `value` unlocking at `unlock_at` to `chunks`, merging with a chunk that unlocks at
/// the same instant and keeping them in unlock order.
pub(crate) fn push_chunk<T: Config>(
	chunks: &mut ChunksOf<T>,
	value: BalanceOf<T>,
	unlock_at: MomentOf<T>,
) -> DispatchResult {
	if let Some(chunk) = chunks.iter_mut().find(|c| c.unlock_at == unlock_at) {
		chunk.value = chunk.value.saturating_add(value);
		return Ok(());
	}
	let at = chunks.iter().position(|c| c.unlock_at > unlock_at).unwrap_or(chunks.len());
	chunks.try_insert(at, UnbondingChunk { value, unlock_at }).map_err(|_| Error::<T>::TooManyUnbondingChunks.into())
}

/// Remove the chunks that have unlocked by now and return them.
pub(crate) fn take_unlocked<T: Config>(
	chunks: &mut ChunksOf<T>,
) -> alloc::vec::Vec<UnbondingChunk<BalanceOf<T>, MomentOf<T>>> {
	let now = Pallet::<T>::now();
	let mut unlocked = alloc::vec::Vec::new();
	chunks.retain(|chunk| {
		let done = chunk.unlock_at <= now;
		if done {
			unlocked.push(*chunk);
		}
		!done
	});
	unlocked
}
