//! Work each block does: closing a round (settling its best solution) and refunding
//! expired intents, both bounded.

use crate::*;
use frame_support::{pallet_prelude::*, storage::with_storage_layer};
use sp_runtime::Saturating;

impl<T: Config> Pallet<T> {
	/// Run after the inherents (the relay-chain clock is fresh): close the round if the
	/// clock left it, then refund up to `MaxExpiriesPerBlock` expired intents.
	pub(crate) fn tick() -> Weight {
		let now = Self::now();
		let round = Self::round_at(now);
		let mut weight = T::DbWeight::get().reads(2);
		let current = CurrentRound::<T>::get();
		if round > current {
			if let Some(best) = Best::<T>::take() {
				let fills = best.solution.fills.len() as u32;
				weight.saturating_accrue(T::WeightInfo::settle(fills));
				match with_storage_layer(|| Self::settle(&best)) {
					Ok(()) => Self::deposit_event(Event::RoundSettled {
						round: current,
						solver: best.solver,
						score: best.score,
						fills,
					}),
					Err(error) => {
						Self::deposit_event(Event::SettlementFailed { round: current, solver: best.solver, error })
					},
				}
			}
			CurrentRound::<T>::put(round);
			weight.saturating_accrue(T::DbWeight::get().writes(2));
		}
		weight.saturating_add(Self::expire_due(now))
	}

	/// Refund intents whose deadline is at or before `now`, oldest first, at most
	/// `MaxExpiriesPerBlock` (an empty clock instant counts as one).
	pub(crate) fn expire_due(now: Moment) -> Weight {
		let mut cursor = ExpiryCursor::<T>::get().unwrap_or(now);
		let mut budget = T::MaxExpiriesPerBlock::get();
		let (mut expired, mut visited) = (0u32, 0u32);
		while cursor <= now && budget > 0 {
			let due: alloc::vec::Vec<IntentId> = Expiries::<T>::iter_key_prefix(cursor).take(budget as usize).collect();
			let taken = due.len() as u32;
			for id in due {
				if let Some(intent) = OpenIntents::<T>::get(id) {
					Self::close_intent(id, intent, CloseReason::Expired);
				} else {
					Expiries::<T>::remove(cursor, id);
				}
			}
			expired.saturating_accrue(taken);
			budget.saturating_reduce(taken);
			if budget == 0 {
				break;
			}
			// This instant is done.
			cursor = cursor.saturating_add(1);
			budget.saturating_dec();
			visited.saturating_inc();
		}
		ExpiryCursor::<T>::put(cursor);
		T::WeightInfo::expire_due(expired, visited)
	}
}
