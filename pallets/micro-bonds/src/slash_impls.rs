//! `BondSlasher`: punishing offences proven by other pallets.
//!
//! What is slashable: the offender's own bond for the purpose (active and every
//! unbonding chunk not yet withdrawn) and, when the offender operates a pool that backs
//! this bond, the pool's committed stake. The taken funds move to the insurance pot and
//! are then split by the policy: reporter, insurance, burn.

use frame_support::{
	ensure,
	traits::{
		fungible::{Mutate, MutateHold},
		tokens::{Fortitude, Precision, Preservation, Restriction},
		Get,
	},
};
use machina_primitives::{BondPurpose, BondSlasher, OffenceKind, SlashOutcome};
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchError,
};

use crate::{multiply_by_rational, pallet::*, Pot};

impl<T: Config> BondSlasher<T::AccountId, BalanceOf<T>, frame_system::pallet_prelude::BlockNumberFor<T>>
	for Pallet<T>
{
	fn report_offence(
		offender: &T::AccountId,
		purpose: BondPurpose,
		kind: OffenceKind,
		evidence_block: frame_system::pallet_prelude::BlockNumberFor<T>,
		reporter: Option<T::AccountId>,
	) -> Result<SlashOutcome<BalanceOf<T>>, DispatchError> {
		// All of the slash's fund movements, or none.
		frame_support::storage::with_storage_layer(|| {
			Self::slash(offender, purpose, kind, evidence_block, reporter)
		})
	}
}

impl<T: Config> Pallet<T> {
	fn slash(
		offender: &T::AccountId,
		purpose: BondPurpose,
		kind: OffenceKind,
		evidence_block: frame_system::pallet_prelude::BlockNumberFor<T>,
		reporter: Option<T::AccountId>,
	) -> Result<SlashOutcome<BalanceOf<T>>, DispatchError> {
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(evidence_block <= now, Error::<T>::EvidenceFromFuture);
		ensure!(now - evidence_block <= T::EvidenceWindow::get(), Error::<T>::EvidenceTooOld);
		ensure!(reporter.as_ref() != Some(offender), Error::<T>::SelfReport);
		let policy = SlashPolicies::<T>::get(kind).ok_or(Error::<T>::NoSlashPolicy)?;
		let mut ledger = Bonds::<T>::get(offender, purpose).ok_or(Error::<T>::NotBonded)?;

		// The pool that backs part of this bond, if any.
		let pool = if ledger.pool_committed.is_zero() {
			None
		} else {
			OperatorPool::<T>::get(offender).and_then(|id| Pools::<T>::get(id).map(|p| (id, p)))
		};
		let own = ledger.total();
		let pool_slashable = pool.as_ref().map_or(Zero::zero(), |(_, p)| {
			ledger.pool_committed.min(p.active.balance.saturating_add(p.unbonding.balance))
		});
		let slashable = own.saturating_add(pool_slashable);
		let amount = policy.fraction.mul_floor(slashable).min(policy.cap);

		// Own bond and pool pay pro rata to what each puts at stake.
		let from_bond = multiply_by_rational(amount, own, slashable);
		let from_pool = amount - from_bond;

		let insurance = Self::insurance_account();
		if !from_bond.is_zero() {
			slash_ledger_parts::<T>(&mut ledger, from_bond);
			T::Currency::transfer_on_hold(
				&HoldReason::Bond.into(),
				offender,
				&insurance,
				from_bond,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Force,
			)?;
			Bonds::<T>::insert(offender, purpose, &ledger);
		}
		if let Some((id, mut pool)) = pool.filter(|_| !from_pool.is_zero()) {
			slash_pool_pots::<T>(&mut pool.active, &mut pool.unbonding, from_pool);
			T::Currency::transfer_on_hold(
				&HoldReason::PoolStake.into(),
				&Self::pool_account(id),
				&insurance,
				from_pool,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Force,
			)?;
			Pools::<T>::insert(id, pool);
		}

		// Split what was taken. Rounding leftovers are burned.
		let mut to_reporter = policy.reporter.mul_floor(amount);
		let to_insurance_share = policy.insurance.mul_floor(amount);
		let burned = amount.saturating_sub(to_reporter).saturating_sub(to_insurance_share);
		if let Some(reporter) = reporter.as_ref().filter(|_| !to_reporter.is_zero()) {
			// A reporter whose account cannot receive it (below the existential deposit
			// on an empty account) forfeits it to insurance.
			if T::Currency::transfer(&insurance, reporter, to_reporter, Preservation::Expendable).is_err() {
				to_reporter = Zero::zero();
			}
		} else {
			to_reporter = Zero::zero();
		}
		if !burned.is_zero() {
			T::Currency::burn_from(
				&insurance,
				burned,
				Preservation::Expendable,
				Precision::Exact,
				Fortitude::Force,
			)?;
		}
		let to_insurance = amount - to_reporter - burned;

		Self::deposit_event(Event::Slashed {
			offender: offender.clone(),
			purpose,
			kind,
			evidence_block,
			from_bond,
			from_pool,
			to_reporter,
			to_insurance,
			burned,
		});
		Ok(SlashOutcome { slashed: amount, to_reporter, to_insurance, burned })
	}
}

/// Take `amount` from a ledger's active bond and unbonding chunks, pro rata to their
/// size, so unbonding early neither shields funds nor puts them first in line. The
/// rounding remainder comes from active first, then the oldest chunks.
pub(crate) fn slash_ledger_parts<T: Config>(ledger: &mut LedgerOf<T>, amount: BalanceOf<T>) {
	let total = ledger.total();
	let amount = amount.min(total);
	let mut taken = multiply_by_rational(amount, ledger.active, total);
	ledger.active -= taken;
	for chunk in ledger.unbonding.iter_mut() {
		let take = multiply_by_rational(amount, chunk.value, total);
		chunk.value -= take;
		taken += take;
	}
	let mut left = amount - taken;
	for part in core::iter::once(&mut ledger.active).chain(ledger.unbonding.iter_mut().map(|c| &mut c.value)) {
		let take = left.min(*part);
		*part -= take;
		left -= take;
	}
	ledger.unbonding.retain(|c| !c.value.is_zero());
}

/// Take `amount` from a pool's active and unbonding pots pro rata to their balances.
/// O(1): members' points are untouched, each point is simply worth less.
pub(crate) fn slash_pool_pots<T: Config>(
	active: &mut Pot<BalanceOf<T>>,
	unbonding: &mut Pot<BalanceOf<T>>,
	amount: BalanceOf<T>,
) {
	let total = active.balance.saturating_add(unbonding.balance);
	let amount = amount.min(total);
	let from_active = multiply_by_rational(amount, active.balance, total);
	active.balance -= from_active;
	// `amount - from_active` is at most the unbonding share rounded up, which fits.
	unbonding.balance = unbonding.balance.saturating_sub(amount - from_active);
}
