//! `BondSlasher`: punishing offences proven by other pallets.
//!
//! What an offence reaches is what backed it when it happened:
//! - a `Commitment` target: that commitment's own part (from the offender's bond for the
//!   purpose) and pool part (from its pool: the operator's first-loss stake first, then
//!   members pro rata), never the offender's other commitments;
//! - a `Purpose` target: the offender's whole bond for the purpose.
//!
//! In both, funds that started unbonding before the evidence time did not back the
//! offence and are spared; funds that started at or after it are reached until they
//! unlock. Each offence id is punished once. Taken funds move to the insurance pot and
//! are split by the policy: reporter, insurance, burn.

use frame_support::{
	ensure,
	traits::{
		fungible::{Mutate, MutateHold},
		tokens::{Fortitude, Precision, Preservation, Restriction},
		Get,
	},
	weights::Weight,
};
use machina_primitives::{BondPurpose, BondSlasher, Offence, OnBondShortfall, SlashOutcome, SlashTarget};
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchError,
};

use crate::{multiply_by_rational, pallet::*, take_pro_rata, weights::WeightInfo, ExpiringEntry, PoolId};

impl<T: Config> BondSlasher<T::AccountId, BalanceOf<T>, MomentOf<T>> for Pallet<T> {
	fn report_offence(
		offence: Offence<T::AccountId, MomentOf<T>>,
		reporter: Option<T::AccountId>,
	) -> Result<SlashOutcome<BalanceOf<T>>, DispatchError> {
		// All of the slash's fund movements, or none.
		frame_support::storage::with_storage_layer(|| Self::slash(offence, reporter))
	}

	fn report_offence_weight() -> Weight {
		let chunks = T::MaxUnbondingChunks::get();
		T::WeightInfo::report_offence_pool(chunks)
			.max(T::WeightInfo::report_offence_own(chunks))
			// The shortfall hooks (the registry reads the device; coverage evicts it).
			.saturating_add(T::OnShortfall::on_shortfall_weight())
	}
}

/// What one slash took, by source.
#[derive(Default)]
struct Taken<Balance> {
	from_bond: Balance,
	from_operator: Balance,
	from_pool: Balance,
}

impl<T: Config> Pallet<T> {
	fn slash(
		offence: Offence<T::AccountId, MomentOf<T>>,
		reporter: Option<T::AccountId>,
	) -> Result<SlashOutcome<BalanceOf<T>>, DispatchError> {
		let Offence { offender, purpose, target, kind, evidence_time, id } = offence;
		ensure!(evidence_time <= Self::now(), Error::<T>::EvidenceFromFuture);
		ensure!(evidence_time >= Self::oldest_evidence(), Error::<T>::EvidenceTooOld);
		ensure!(reporter.as_ref() != Some(&offender), Error::<T>::SelfReport);
		// By id alone: the same evidence under another claimed time is the same offence.
		ensure!(!SeenOffences::<T>::contains_key(id), Error::<T>::DuplicateOffence);
		let policy = SlashPolicies::<T>::get(kind).ok_or(Error::<T>::NoSlashPolicy)?;
		// Chunks unlocking before this started unbonding before the offence.
		let min_unlock = evidence_time.saturating_add(T::UnbondingPeriod::get());
		let mut ledger = Bonds::<T>::get(&offender, purpose).unwrap_or_default();

		let (mut commitment, own_base, pool_base) = match target {
			SlashTarget::Commitment(cid) => {
				let c = Commitments::<T>::get(&offender, cid).ok_or(Error::<T>::UnknownCommitment)?;
				ensure!(c.purpose == purpose, Error::<T>::CommitmentPurposeMismatch);
				ensure!(
					c.committed_at <= evidence_time && c.released_at.is_none_or(|r| r >= evidence_time),
					Error::<T>::NotCommittedAtEvidence
				);
				let own = match c.released_at {
					// Live: what backs it now (pro rata if a purpose slash left its bond short).
					None => Self::backing_parts(&offender, &c).0,
					// Released since the offence: what backed it then.
					Some(_) => c.own,
				};
				// The pool part at its nominal value: the operator's first-loss stake backs it
				// even when members have left.
				let from_pool = c.from_pool;
				(Some((cid, c)), own.min(ledger.slashable(&min_unlock)), from_pool)
			},
			SlashTarget::Purpose => (None, ledger.slashable(&min_unlock), ledger.pool_committed),
		};
		// Pools back device bonds only.
		let pool_base = if purpose == BondPurpose::Device { pool_base } else { Zero::zero() };
		let base = own_base.saturating_add(pool_base);
		let amount = policy.fraction.mul_floor(base).min(policy.cap);
		ensure!(!amount.is_zero(), Error::<T>::NothingToSlash);
		// The own bond and the pool pay pro rata to what each put at stake.
		let own_share = multiply_by_rational(amount, own_base, base);

		let insurance = Self::insurance_account();
		let mut taken = Taken::<BalanceOf<T>> { from_bond: ledger.slash(own_share, &min_unlock), ..Default::default() };
		if !taken.from_bond.is_zero() {
			T::Currency::transfer_on_hold(
				&HoldReason::Bond.into(),
				&offender,
				&insurance,
				taken.from_bond,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Force,
			)?;
			Self::track_held(HoldReason::Bond, taken.from_bond, false);
		}
		let pool_share = amount - own_share;
		let mut weight = T::WeightInfo::report_offence_own(T::MaxUnbondingChunks::get());
		if !pool_share.is_zero() {
			// The pool the commitment drew on, never one the offender runs later.
			let pool_id = match &commitment {
				Some((_, c)) => c.pool,
				None => OperatorPool::<T>::get(&offender),
			};
			(taken.from_operator, taken.from_pool) = Self::slash_pool(&offender, pool_id, pool_share, &min_unlock)?;
			weight = T::WeightInfo::report_offence_pool(T::MaxUnbondingChunks::get());
		}
		let slashed = taken.from_bond.saturating_add(taken.from_operator).saturating_add(taken.from_pool);

		// The punished commitment is now backed by less: the rest of the offender's
		// commitments keep their backing, and its owner is told what is missing.
		if let Some((cid, c)) = commitment.as_mut().filter(|(_, c)| c.released_at.is_none()) {
			let own_cut = taken.from_bond.min(c.own);
			let pool_cut = taken.from_operator.saturating_add(taken.from_pool).min(c.from_pool);
			c.own -= own_cut;
			c.from_pool -= pool_cut;
			ledger.committed = ledger.committed.saturating_sub(own_cut);
			ledger.pool_committed = ledger.pool_committed.saturating_sub(pool_cut);
			if !pool_cut.is_zero() {
				if let Some(pool_id) = c.pool {
					Pools::<T>::mutate(pool_id, |p| {
						if let Some(p) = p {
							p.committed = p.committed.saturating_sub(pool_cut);
						}
					});
				}
			}
			Commitments::<T>::insert(&offender, *cid, &*c);
		}
		Self::store_ledger(&offender, purpose, ledger);
		if let Some((cid, _)) = commitment {
			let shortfall = Self::commitment_info(&offender, cid).map(|i| i.shortfall()).unwrap_or_default();
			if !shortfall.is_zero() {
				T::OnShortfall::on_shortfall(&offender, purpose, cid, shortfall);
				Self::deposit_event(Event::Undercommitted { who: offender.clone(), id: cid, shortfall });
			}
		}

		// Split what was taken. The reporter's and the burn's shares come only from the
		// offender's own losses (its bond and first-loss stake): pool members' losses all
		// go to insurance, so an operator reporting its own offence from another account
		// gains nothing from its members. Rounding leftovers of the offender's part are
		// burned. The insurance pot keeps its existential deposit, so nothing is dusted and
		// issuance falls by exactly `burned`.
		let offender_losses = taken.from_bond.saturating_add(taken.from_operator);
		let mut to_reporter = policy.reporter.mul_floor(offender_losses);
		let insurance_share = policy.insurance.mul_floor(offender_losses);
		let burned = offender_losses.saturating_sub(to_reporter).saturating_sub(insurance_share);
		match reporter.as_ref().filter(|_| !to_reporter.is_zero()) {
			// A reporter whose account cannot receive it (below the existential deposit
			// on an empty account) forfeits it to insurance.
			Some(reporter) => {
				if T::Currency::transfer(&insurance, reporter, to_reporter, Preservation::Preserve).is_err() {
					to_reporter = Zero::zero();
				}
			},
			None => to_reporter = Zero::zero(),
		}
		if !burned.is_zero() {
			T::Currency::burn_from(&insurance, burned, Preservation::Preserve, Precision::Exact, Fortitude::Force)?;
		}
		let to_insurance = slashed - to_reporter - burned;
		SeenOffences::<T>::insert(id, evidence_time);
		Self::expire_at(evidence_time, ExpiringEntry::Offence(id));

		Self::deposit_event(Event::Slashed {
			offender,
			purpose,
			commitment: commitment.map(|(cid, _)| cid),
			kind,
			offence: id,
			evidence_time,
			from_bond: taken.from_bond,
			from_operator: taken.from_operator,
			from_pool: taken.from_pool,
			to_reporter,
			to_insurance,
			burned,
		});
		Ok(SlashOutcome { slashed, to_reporter, to_insurance, burned, weight })
	}

	/// Take `amount` from pool `id` that backed `operator`'s commitment: the operator's
	/// first-loss `PoolOperator` bond first (also after the pool is gone), then members'
	/// active stake and the unbonding pots of stake that left at or after the offence,
	/// pro rata. O(1) in members. Returns `(from_operator, from_members)`.
	fn slash_pool(
		operator: &T::AccountId,
		id: Option<PoolId>,
		amount: BalanceOf<T>,
		min_unlock: &MomentOf<T>,
	) -> Result<(BalanceOf<T>, BalanceOf<T>), DispatchError> {
		let insurance = Self::insurance_account();

		let mut stake = Bonds::<T>::get(operator, BondPurpose::PoolOperator).unwrap_or_default();
		let from_operator = stake.slash(amount, min_unlock);
		if !from_operator.is_zero() {
			T::Currency::transfer_on_hold(
				&HoldReason::Bond.into(),
				operator,
				&insurance,
				from_operator,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Force,
			)?;
			Self::track_held(HoldReason::Bond, from_operator, false);
			Self::store_ledger(operator, BondPurpose::PoolOperator, stake);
		}
		let Some((id, mut pool)) =
			id.and_then(|id| Pools::<T>::get(id).filter(|p| &p.operator == operator).map(|p| (id, p)))
		else {
			return Ok((from_operator, Zero::zero()));
		};

		let mut parts: alloc::vec::Vec<&mut BalanceOf<T>> = core::iter::once(&mut pool.active.balance)
			.chain(pool.unbonding.iter_mut().filter(|b| b.unlock_at >= *min_unlock).map(|b| &mut b.pot.balance))
			.collect();
		let from_members = take_pro_rata(&mut parts, amount - from_operator);
		if !from_members.is_zero() {
			T::Currency::transfer_on_hold(
				&HoldReason::PoolStake.into(),
				&Self::pool_account(id),
				&insurance,
				from_members,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Force,
			)?;
			Self::track_held(HoldReason::PoolStake, from_members, false);
		}
		Pools::<T>::insert(id, pool);
		Ok((from_operator, from_members))
	}
}
