//! `BondManager`: how other pallets commit and release bonds, one named commitment at a
//! time.

use frame_support::{ensure, traits::Get};
use machina_primitives::{BondManager, BondPurpose, CommitmentId, CommitmentInfo};
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchError, DispatchResult,
};

use crate::{pallet::*, Commitment, ExpiringEntry};

impl<T: Config> BondManager<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn require_bond(
		who: &T::AccountId,
		purpose: BondPurpose,
		id: CommitmentId,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		Self::do_require_bond(who, purpose, id, amount)
	}

	fn release_bond(who: &T::AccountId, id: CommitmentId) -> Result<BalanceOf<T>, DispatchError> {
		Self::do_release_bond(who, id, false)
	}

	fn release_and_unbond(who: &T::AccountId, id: CommitmentId) -> Result<BalanceOf<T>, DispatchError> {
		Self::do_release_bond(who, id, true)
	}

	fn commitment(who: &T::AccountId, id: CommitmentId) -> Option<CommitmentInfo<BalanceOf<T>>> {
		Self::commitment_info(who, id)
	}

	fn bonded(who: &T::AccountId, purpose: BondPurpose) -> BalanceOf<T> {
		Bonds::<T>::get(who, purpose)
			// A ledger's pool commitments all draw on the pool its holder operates.
			.map(|l| l.active.saturating_add(Self::pool_backing(OperatorPool::<T>::get(who), l.pool_committed)))
			.unwrap_or_default()
	}

	fn committed(who: &T::AccountId, purpose: BondPurpose) -> BalanceOf<T> {
		Bonds::<T>::get(who, purpose).map(|l| l.committed.saturating_add(l.pool_committed)).unwrap_or_default()
	}
}

impl<T: Config> Pallet<T> {
	/// Make commitment `id` backed by `amount`: commit what is missing from `who`'s free
	/// active bond, and for device bonds the rest from the free stake of the pool `who`
	/// operates (whose operator must keep its first-loss stake).
	pub(crate) fn do_require_bond(
		who: &T::AccountId,
		purpose: BondPurpose,
		id: CommitmentId,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let existing = Commitments::<T>::get(who, id);
		// A released commitment must stay as it was while evidence from before its
		// release can still be reported: re-making it (a device deregistered and
		// registered again, or bought back) would otherwise wipe what an offence reaches.
		if let Some(released) = existing.as_ref().and_then(|c| c.released_at) {
			ensure!(released < Self::oldest_evidence(), Error::<T>::CommitmentCoolingDown);
		}
		let (mut commitment, backing) = match existing.filter(|c| c.released_at.is_none()) {
			Some(c) => {
				ensure!(c.purpose == purpose, Error::<T>::CommitmentPurposeMismatch);
				let backing = Self::commitment_info(who, id).map(|i| i.backing).unwrap_or_default();
				(c, backing)
			},
			// Its expiry entry, if any, will find it live and keep it.
			None => (
				Commitment {
					purpose,
					required: amount,
					own: Zero::zero(),
					from_pool: Zero::zero(),
					pool: None,
					committed_at: Self::now(),
					released_at: None,
				},
				Zero::zero(),
			),
		};
		let needed = amount.saturating_sub(backing);
		let mut ledger = Bonds::<T>::get(who, purpose).unwrap_or_default();
		let own = needed.min(ledger.free_active());
		let from_pool = needed - own;
		if !from_pool.is_zero() {
			ensure!(purpose == BondPurpose::Device, Error::<T>::InsufficientBondToCommit);
			let pool_id = OperatorPool::<T>::get(who).ok_or(Error::<T>::InsufficientBondToCommit)?;
			ensure!(Self::operator_stake(who) >= T::MinPoolOperatorStake::get(), Error::<T>::OperatorStakeTooLow);
			// A commitment draws on one pool only: the one a slash will reach.
			ensure!(
				commitment.from_pool.is_zero() || commitment.pool == Some(pool_id),
				Error::<T>::InsufficientBondToCommit
			);
			commitment.pool = Some(pool_id);
			Pools::<T>::try_mutate(pool_id, |pool| -> DispatchResult {
				let pool = pool.as_mut().ok_or(Error::<T>::PoolNotFound)?;
				ensure!(!pool.closing, Error::<T>::PoolClosing);
				let free = pool.active.balance.saturating_sub(pool.committed);
				ensure!(free >= from_pool, Error::<T>::InsufficientBondToCommit);
				pool.committed = pool.committed.saturating_add(from_pool);
				Ok(())
			})?;
		}
		ledger.committed = ledger.committed.saturating_add(own);
		ledger.pool_committed = ledger.pool_committed.saturating_add(from_pool);
		commitment.own = commitment.own.saturating_add(own);
		commitment.from_pool = commitment.from_pool.saturating_add(from_pool);
		commitment.required = amount;
		Bonds::<T>::insert(who, purpose, ledger);
		Commitments::<T>::insert(who, id, commitment);
		Self::deposit_event(Event::Committed { who: who.clone(), id, purpose, own, from_pool });
		Ok(())
	}

	/// Release commitment `id`: its own part returns to `who`'s free active bond (and
	/// starts unbonding if `unbond`), its pool part to the pool. The record stays, marked
	/// released, until no evidence from before the release can be reported.
	pub(crate) fn do_release_bond(
		who: &T::AccountId,
		id: CommitmentId,
		unbond: bool,
	) -> Result<BalanceOf<T>, DispatchError> {
		let mut commitment =
			Commitments::<T>::get(who, id).filter(|c| c.released_at.is_none()).ok_or(Error::<T>::UnknownCommitment)?;
		let purpose = commitment.purpose;
		let mut ledger = Bonds::<T>::get(who, purpose).unwrap_or_default();
		ledger.committed = ledger.committed.saturating_sub(commitment.own);
		ledger.pool_committed = ledger.pool_committed.saturating_sub(commitment.from_pool);
		if !commitment.from_pool.is_zero() {
			if let Some(pool_id) = commitment.pool {
				Pools::<T>::mutate(pool_id, |pool| {
					if let Some(pool) = pool {
						pool.committed = pool.committed.saturating_sub(commitment.from_pool);
					}
				});
			}
		}
		let now = Self::now();
		commitment.released_at = Some(now);
		Commitments::<T>::insert(who, id, &commitment);
		Self::expire_at(now, ExpiringEntry::Commitment(who.clone(), id));
		Self::store_ledger(who, purpose, ledger.clone());
		Self::deposit_event(Event::Released {
			who: who.clone(),
			id,
			own: commitment.own,
			from_pool: commitment.from_pool,
		});

		if unbond {
			// Unbond the own part, or all that is free if the rest would be dust below
			// `MinBond`. If even that cannot start (all unbonding chunks in use), the
			// release stands and the funds stay bonded for the owner to unbond later.
			let free = ledger.free_active();
			let amount = commitment.own.min(free);
			if !amount.is_zero() && Self::do_unbond(who, purpose, amount).is_err() && amount < free {
				let _ = Self::do_unbond(who, purpose, free);
			}
		}
		Ok(commitment.own.saturating_add(commitment.from_pool))
	}

	/// Keep `entry` until the evidence window has passed `at`.
	pub(crate) fn expire_at(at: MomentOf<T>, entry: ExpiringEntry<T::AccountId>) {
		Expiring::<T>::insert(at, entry, ());
		PruneCursor::<T>::mutate(|cursor| {
			if cursor.is_none_or(|c| at < c) {
				*cursor = Some(at);
			}
		});
	}
}

impl<T: Config> machina_primitives::CommitmentRewards<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn pay_reward(
		payer: &T::AccountId,
		who: &T::AccountId,
		id: CommitmentId,
		amount: BalanceOf<T>,
	) -> Result<machina_primitives::RewardPayout<BalanceOf<T>>, DispatchError> {
		use frame_support::traits::{fungible::Mutate, tokens::Preservation};
		let mut payout = machina_primitives::RewardPayout::default();
		// The pool's part, by what backs the commitment now (a released commitment backs
		// nothing, so its pool earns nothing from it).
		let pool_part = Commitments::<T>::get(who, id).filter(|c| c.released_at.is_none()).and_then(|c| {
			let (own, from_pool) = Self::backing_parts(who, &c);
			let part = crate::multiply_by_rational(amount, from_pool, own.saturating_add(from_pool));
			Some((c.pool?, part)).filter(|_| !part.is_zero())
		});
		if let Some((pool, part)) = pool_part {
			// `NoEarningStake` fails the whole payment (see the trait).
			Self::do_reward_pool(payer, pool, part)?;
			payout.to_pool = part;
		}
		payout.to_holder = amount.saturating_sub(payout.to_pool);
		if !payout.to_holder.is_zero() {
			T::Currency::transfer(payer, who, payout.to_holder, Preservation::Preserve)?;
		}
		Ok(payout)
	}

	fn pay_reward_weight() -> frame_support::weights::Weight {
		use crate::weights::WeightInfo;
		T::WeightInfo::pay_reward()
	}
}
