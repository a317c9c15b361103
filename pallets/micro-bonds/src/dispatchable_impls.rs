//! The logic of the bond, admin and insurance calls.

use frame_support::{
	ensure,
	traits::{
		fungible::{Inspect, Mutate, MutateHold},
		tokens::{Precision, Preservation},
		Get,
	},
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
		T::Currency::hold(&HoldReason::Bond.into(), who, amount)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		Bonds::<T>::insert(who, purpose, ledger);
		Self::deposit_event(Event::Bonded { who: who.clone(), purpose, amount });
		Ok(())
	}

	/// Move `amount` of free active bond into a chunk that unlocks after the unbonding
	/// period.
	pub(crate) fn do_unbond(who: &T::AccountId, purpose: BondPurpose, amount: BalanceOf<T>) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut ledger = Bonds::<T>::get(who, purpose).ok_or(Error::<T>::NotBonded)?;
		ensure!(amount <= ledger.active, Error::<T>::InsufficientActiveBond);
		ensure!(amount <= ledger.free_active(), Error::<T>::BondCommitted);
		let remaining = ledger.active - amount;
		ensure!(remaining.is_zero() || remaining >= T::MinBond::get(), Error::<T>::BelowMinBond);

		let unlock_at = Self::unlock_block();
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

	/// Release every chunk whose unlock block has come.
	pub(crate) fn do_withdraw_unbonded(who: &T::AccountId, purpose: BondPurpose) -> DispatchResult {
		let mut ledger = Bonds::<T>::get(who, purpose).ok_or(Error::<T>::NotBonded)?;
		let amount = take_unlocked::<T>(&mut ledger.unbonding);
		ensure!(!amount.is_zero(), Error::<T>::NothingToWithdraw);
		T::Currency::release(&HoldReason::Bond.into(), who, amount, Precision::Exact)?;
		Self::store_ledger(who, purpose, ledger);
		Self::deposit_event(Event::Withdrawn { who: who.clone(), purpose, amount });
		Ok(())
	}

	/// Pay `amount` out of the insurance pool. For governance (`pay_insurance`) and for
	/// pallets that compensate parties harmed by a slashed offender.
	pub fn pay_insurance_from(to: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let insurance = Self::insurance_account();
		// The pot keeps a provider reference, so it may be emptied.
		T::Currency::transfer(&insurance, to, amount, Preservation::Expendable)
			.map_err(|_| Error::<T>::InsufficientInsurance)?;
		InsurancePaidOut::<T>::mutate(|paid| *paid = paid.saturating_add(amount));
		let remaining = T::Currency::balance(&insurance);
		Self::deposit_event(Event::InsurancePaid { to: to.clone(), amount, remaining });
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

	/// The block at which something unbonded now unlocks.
	pub(crate) fn unlock_block() -> frame_system::pallet_prelude::BlockNumberFor<T> {
		frame_system::Pallet::<T>::block_number().saturating_add(T::UnbondingPeriod::get())
	}
}

/// Add `value` unlocking at `unlock_at` to `chunks`, merging with the last chunk when it
/// unlocks in the same block.
pub(crate) fn push_chunk<T: Config>(
	chunks: &mut frame_support::BoundedVec<
		UnbondingChunk<BalanceOf<T>, frame_system::pallet_prelude::BlockNumberFor<T>>,
		T::MaxUnbondingChunks,
	>,
	value: BalanceOf<T>,
	unlock_at: frame_system::pallet_prelude::BlockNumberFor<T>,
) -> DispatchResult {
	if let Some(last) = chunks.last_mut() {
		if last.unlock_at == unlock_at {
			last.value = last.value.saturating_add(value);
			return Ok(());
		}
	}
	chunks
		.try_push(UnbondingChunk { value, unlock_at })
		.map_err(|_| Error::<T>::TooManyUnbondingChunks.into())
}

/// Remove the chunks that have unlocked by now and return their total.
pub(crate) fn take_unlocked<T: Config>(
	chunks: &mut frame_support::BoundedVec<
		UnbondingChunk<BalanceOf<T>, frame_system::pallet_prelude::BlockNumberFor<T>>,
		T::MaxUnbondingChunks,
	>,
) -> BalanceOf<T> {
	let now = frame_system::Pallet::<T>::block_number();
	let mut total = BalanceOf::<T>::zero();
	chunks.retain(|chunk| {
		let unlocked = chunk.unlock_at <= now;
		if unlocked {
			total = total.saturating_add(chunk.value);
		}
		!unlocked
	});
	total
}
