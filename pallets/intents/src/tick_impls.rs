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
		let mut weight = T::DbWeight::get().reads(3);
		if round > CurrentRound::<T>::get() {
			CurrentRound::<T>::put(round);
			weight.saturating_accrue(T::DbWeight::get().writes(1));
		}
		weight.saturating_accrue(Self::settle_due(round));
		weight.saturating_add(Self::expire_due(now))
	}

	/// Settle, oldest first, up to `MaxSettlementsPerBlock` markets whose best solution
	/// is of a round before `round`. Each market settles in its own storage layer: one
	/// that fails moves nothing and holds up no other.
	pub(crate) fn settle_due(round: RoundIndex) -> Weight {
		let (mut head, tail) = SettleQueueBounds::<T>::get();
		let mut weight = Weight::zero();
		let mut settled = 0;
		while head != tail && settled < T::MaxSettlementsPerBlock::get() {
			weight.saturating_accrue(T::DbWeight::get().reads(2));
			let Some(market) = SettleQueue::<T>::get(head) else {
				head = head.wrapping_add(1);
				continue;
			};
			let Some(best) = Best::<T>::get(&market) else {
				SettleQueue::<T>::remove(head);
				head = head.wrapping_add(1);
				continue;
			};
			if best.solution.round >= round {
				// The queue is in round order: the rest are this round's.
				break;
			}
			SettleQueue::<T>::remove(head);
			head = head.wrapping_add(1);
			Best::<T>::remove(&market);
			Self::release_best(&best.solver);
			let fills = (best.solution.fills.len() + best.solution.services.len()) as u32;
			weight.saturating_accrue(T::WeightInfo::settle(best.solution.fills.len() as u32));
			weight.saturating_accrue(T::WeightInfo::settle_services(best.solution.services.len() as u32));
			let (solver, score, solved) = (best.solver.clone(), best.score, best.solution.round);
			match with_storage_layer(|| Self::settle(&best)) {
				Ok(()) => Self::deposit_event(Event::RoundSettled { round: solved, market, solver, score, fills }),
				Err(error) => Self::deposit_event(Event::SettlementFailed { round: solved, market, solver, error }),
			}
			settled += 1;
		}
		SettleQueueBounds::<T>::put((head, tail));
		weight
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
				if Self::close_any(id, CloseReason::Expired).is_err() {
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
