//! The clock: slots and epochs advance at the start of a block from the relay-chain block
//! number, in O(1) whatever the number of devices.

use crate::*;
use frame_support::{pallet_prelude::*, weights::Weight};
use sp_core::H256;

impl<T: Config> Pallet<T> {
	/// The epoch and slot of relay block `now`.
	pub fn slot_at(now: RelayBlock) -> (EpochIndex, SlotIndex) {
		let length = T::EpochLength::get().max(1);
		(now / length, ((now % length) / Self::slot_length().max(1)) as SlotIndex)
	}

	/// Advance to the slot of the relay clock: a new slot takes the parent block's hash as
	/// its anchor; a new epoch closes the last one and expires the oldest.
	pub(crate) fn tick() -> Weight {
		let now = Self::relay_now();
		let (epoch, slot) = Self::slot_at(now);
		let state = CurrentSlot::<T>::get();
		if state.is_some_and(|s| (s.epoch, s.slot) >= (epoch, slot)) {
			return T::WeightInfo::tick_idle();
		}
		let anchor = H256::from_slice(frame_system::Pallet::<T>::parent_hash().as_ref());
		let new_epoch = state.is_none_or(|s| s.epoch != epoch);
		if new_epoch {
			if let Some(s) = state {
				Self::close_epoch(s.epoch, now);
			}
			Epochs::<T>::insert(
				epoch,
				EpochRecord {
					rule: NextUptimeRule::<T>::get(),
					points: 0,
					reward: Default::default(),
					paid: Default::default(),
					closed_at: None,
				},
			);
			Self::expire_epochs(epoch);
			Self::deposit_event(Event::EpochOpened { epoch });
		}
		CurrentSlot::<T>::put(SlotState { epoch, slot, anchor });
		if new_epoch {
			T::WeightInfo::tick_epoch()
		} else {
			T::WeightInfo::tick_slot()
		}
	}

	/// Delete the shard records of expired epochs, as many as `remaining` allows (up to 64
	/// per block).
	pub(crate) fn clean_up(remaining: Weight) -> Weight {
		let db = T::DbWeight::get();
		let mut used = db.reads(1);
		if remaining.any_lt(used) {
			return Weight::zero();
		}
		let pending = PendingCleanup::<T>::get();
		let Some(&epoch) = pending.first() else { return used };
		let per_item = db.reads_writes(1, 1);
		let limit = remaining
			.saturating_sub(used.saturating_add(db.writes(1)))
			.checked_div_per_component(&per_item)
			// Free storage access (no database weight): the cap alone limits it.
			.unwrap_or(u64::MAX)
			.min(64) as u32;
		if limit == 0 {
			return used;
		}
		let result = Uptime::<T>::clear_prefix(epoch, limit, None);
		used = used.saturating_add(per_item.saturating_mul(u64::from(result.loops)));
		if result.maybe_cursor.is_none() {
			PendingCleanup::<T>::mutate(|p| {
				p.remove(0);
			});
			used = used.saturating_add(db.writes(1));
		}
		used
	}

	/// Move the vacancy queue's head past holes (entries removed when their devices came
	/// back), so that enrollments reach reusable places: a device leaving and rejoining
	/// over and over only leaves holes, which cost this a read each.
	pub(crate) fn skip_vacancy_holes(remaining: Weight) -> Weight {
		let db = T::DbWeight::get();
		let mut used = db.reads(1);
		if remaining.any_lt(used.saturating_add(db.writes(1))) {
			return Weight::zero();
		}
		let (mut head, tail) = VacancyBounds::<T>::get();
		let start = head;
		while head < tail && head - start < MAX_IDLE_VACANCY_SKIPS {
			let next = used.saturating_add(db.reads(1));
			if remaining.any_lt(next.saturating_add(db.writes(1))) || Vacancies::<T>::contains_key(head) {
				break;
			}
			used = next;
			head += 1;
		}
		if head != start {
			VacancyBounds::<T>::put((head, tail));
			used = used.saturating_add(db.writes(1));
		}
		used
	}
}
