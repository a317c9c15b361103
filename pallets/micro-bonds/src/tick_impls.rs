//! Per-block work: pruning what the evidence window no longer needs. Bounded by
//! `MaxPrunePerBlock` entries and instants a block, whatever is pending.

use frame_support::{
	traits::Get,
	weights::{RuntimeDbWeight, Weight},
};
use sp_runtime::traits::{One, Saturating};

use crate::{pallet::*, weights::WeightInfo, ExpiringEntry};

impl<T: Config> Pallet<T> {
	/// Remove expired seen-offence entries and released commitments, oldest instant
	/// first. An entry under instant `t` is expired once `t` is older than the oldest
	/// evidence a report may carry: no report can name that offence again, and no
	/// offence that a released commitment backed can still be reported.
	pub(crate) fn prune_expired() -> Weight {
		let db: RuntimeDbWeight = T::DbWeight::get();
		let Some(mut cursor) = PruneCursor::<T>::get() else { return db.reads(1) };
		let horizon = Self::oldest_evidence();
		let limit = T::MaxPrunePerBlock::get();
		let (mut removed, mut visited) = (0u32, 0u32);
		while cursor < horizon && removed < limit && visited < limit {
			visited += 1;
			let mut entries = Expiring::<T>::drain_prefix(cursor);
			let mut drained = true;
			loop {
				if removed >= limit {
					drained = false;
					break;
				}
				let Some((entry, ())) = entries.next() else { break };
				removed += 1;
				match entry {
					ExpiringEntry::Offence(id) => SeenOffences::<T>::remove(id),
					ExpiringEntry::Commitment(who, id) => {
						// Re-committed since (after its cooldown): keep it.
						if Commitments::<T>::get(&who, id).is_some_and(|c| c.released_at == Some(cursor)) {
							Commitments::<T>::remove(&who, id);
						}
					},
				}
			}
			if !drained {
				break;
			}
			cursor = cursor.saturating_add(One::one());
		}
		if cursor >= horizon && Expiring::<T>::iter_keys().next().is_none() {
			PruneCursor::<T>::kill();
		} else {
			PruneCursor::<T>::put(cursor);
		}
		// Measured for the entries removed and the instants visited (each a prefix read).
		T::WeightInfo::prune_expired(removed, visited.max(1))
	}
}
