//! Enrollment in shards, roster upkeep and evidence of equivocation.

use crate::*;
use codec::Encode;
use frame_support::{ensure, pallet_prelude::*};
use machina_primitives::{
	bls::{empty_key_sum, KeySum},
	AggregationKey, BondPurpose, BondSlasher, DeviceId, DeviceInspect, Offence, OffenceKind, OperationalKey,
	SlashTarget,
};
use sp_core::H256;

impl<T: Config> Pallet<T> {
	fn key_id(key: &AggregationKey) -> H256 {
		sp_io::hashing::blake2_256(key).into()
	}

	fn current_epoch() -> EpochIndex {
		CurrentSlot::<T>::get().map_or(0, |s| s.epoch)
	}

	/// `active_until` as a roster keeps it.
	fn roster_until(until: u64) -> u32 {
		until.min(u64::from(u32::MAX)) as u32
	}

	/// Make sure `key` may join a shard sum for `device`: it is in no sum, or the device
	/// holding it there no longer has it in the registry (then it leaves that sum).
	fn claim_key(device: &DeviceId, key: &AggregationKey) -> DispatchResult {
		let id = Self::key_id(key);
		if let Some(holder) = KeyHolders::<T>::get(id).filter(|h| h != device) {
			ensure!(T::Devices::aggregation_key(&holder).as_ref() != Some(key), Error::<T>::KeyInUse);
			Self::set_place_key(&holder, None)?;
		}
		Ok(())
	}

	/// Replace the key `device`'s place holds in its shard sum.
	fn set_place_key(device: &DeviceId, key: Option<AggregationKey>) -> DispatchResult {
		let member = Members::<T>::get(device).ok_or(Error::<T>::NotEnrolled)?;
		let mut place = Places::<T>::get(member.shard, member.index).ok_or(Error::<T>::NotEnrolled)?;
		let mut shard = Shards::<T>::get(member.shard).ok_or(Error::<T>::UnknownShard)?;
		let mut sum = KeySum::from_stored(&shard.key_sum).ok_or(Error::<T>::InvalidAggregate)?;
		if let Some(old) = place.key.take() {
			sum.sub(&old).ok_or(Error::<T>::InvalidAggregate)?;
			KeyHolders::<T>::remove(Self::key_id(&old));
		}
		if let Some(new) = key {
			sum.add(&new).ok_or(Error::<T>::InvalidAggregate)?;
			KeyHolders::<T>::insert(Self::key_id(&new), device);
		}
		let entry = shard.roster.get_mut(member.index as usize).ok_or(Error::<T>::NotEnrolled)?;
		entry.keyed = key.is_some() && !entry.is_vacant();
		place.key = key;
		shard.key_sum = sum.to_stored();
		Shards::<T>::insert(member.shard, shard);
		Places::<T>::insert(member.shard, member.index, place);
		Ok(())
	}

	/// A place for a new member: the oldest vacancy whose epoch has expired, else the next
	/// place of the last shard, else a new shard.
	fn free_place() -> Result<(ShardId, MemberIndex), DispatchError> {
		let (mut head, tail) = VacancyBounds::<T>::get();
		let start = head;
		let now = Self::current_epoch();
		// The oldest epoch anyone can still claim: a place whose device left before it
		// holds no claimable uptime any more (expiry, not arithmetic: expiry can lag).
		let oldest_live = LiveEpochs::<T>::get().first().copied().unwrap_or(now);
		// Skip holes left by devices that came back (bounded: a few per call; `on_idle`
		// skips more).
		for _ in 0..MAX_VACANCY_SKIPS {
			if head >= tail {
				break;
			}
			let Some(v) = Vacancies::<T>::get(head) else {
				head += 1;
				continue;
			};
			if v.left >= oldest_live || v.left >= now {
				break;
			}
			Vacancies::<T>::remove(head);
			VacancyBounds::<T>::put((head + 1, tail));
			if let Some(old) = Places::<T>::get(v.shard, v.index).map(|p| p.device) {
				Members::<T>::remove(old);
				EnrolledBy::<T>::remove(old);
				// Its epochs are past their challenge periods: nothing left to report.
				RetiredSigners::<T>::remove(old);
			}
			return Ok((v.shard, v.index));
		}
		if head != start {
			VacancyBounds::<T>::put((head, tail));
		}
		let count = ShardCount::<T>::get();
		if let Some(last) = count.checked_sub(1) {
			let shard = Shards::<T>::get(last).ok_or(Error::<T>::UnknownShard)?;
			if (shard.roster.len() as u32) < T::ShardSize::get() {
				return Ok((last, shard.roster.len() as MemberIndex));
			}
		}
		ensure!(count < T::MaxShards::get(), Error::<T>::ShardsFull);
		Shards::<T>::insert(count, Shard { key_sum: empty_key_sum(), roster: BoundedVec::new() });
		ShardCount::<T>::put(count + 1);
		Ok((count, 0))
	}

	pub(crate) fn do_enroll(who: T::AccountId, device: DeviceId) -> DispatchResult {
		ensure!(T::Devices::owner(&device).ok_or(Error::<T>::UnknownDevice)? == who, Error::<T>::NotOwner);
		let until = T::Devices::active_until(&device).ok_or(Error::<T>::DeviceNotActive)?;
		let key = T::Devices::aggregation_key(&device);
		if let Some(key) = &key {
			Self::claim_key(&device, key)?;
		}
		let same_owner = EnrolledBy::<T>::get(device).as_ref() == Some(&who);
		let (shard_id, index, joined) = match Members::<T>::get(device) {
			None => {
				let (shard, index) = Self::free_place()?;
				(shard, index, Self::current_epoch())
			},
			Some(m) if m.left.is_none() && same_owner => return Err(Error::<T>::AlreadyEnrolled.into()),
			// Back in its own place, still reserved for its claims: its queue entry goes. A
			// new owner takes the place over and earns from this epoch on, from nothing:
			// the seller's unclaimed uptime, this epoch's included, is forfeited (taken out
			// of the epoch's points, so it dilutes nobody), never the buyer's.
			Some(m) => {
				if let Some(number) = m.vacancy {
					Vacancies::<T>::remove(number);
				}
				if m.left.is_none() {
					// Still enrolled by the seller: its key leaves the shard sum first.
					Self::set_place_key(&device, None)?;
				}
				let joined = if same_owner { m.joined } else { Self::forget_place_uptime(m.shard, m.index) };
				(m.shard, m.index, joined)
			},
		};
		let mut shard = Shards::<T>::get(shard_id).ok_or(Error::<T>::UnknownShard)?;
		let entry = RosterEntry { active_until: Self::roster_until(until), keyed: false };
		match shard.roster.get_mut(index as usize) {
			Some(e) => *e = entry,
			None => shard.roster.try_push(entry).map_err(|_| Error::<T>::ShardsFull)?,
		}
		Shards::<T>::insert(shard_id, shard);
		Places::<T>::insert(shard_id, index, Place { device, key: None });
		Members::<T>::insert(device, Membership { shard: shard_id, index, joined, left: None, vacancy: None });
		EnrolledBy::<T>::insert(device, &who);
		Self::set_place_key(&device, key)?;
		Self::deposit_event(Event::Enrolled { device, shard: shard_id, index, keyed: key.is_some() });
		Ok(())
	}

	/// Take the current epoch's heartbeats of place `(shard, index)` out of its uptime and
	/// the epoch's points; returns the current epoch.
	fn forget_place_uptime(shard: ShardId, index: MemberIndex) -> EpochIndex {
		let epoch = Self::current_epoch();
		if let Some(mut uptime) = Uptime::<T>::get(epoch, shard) {
			let count = uptime.forget(index);
			if count > 0 {
				Epochs::<T>::mutate(epoch, |record| {
					if let Some(record) = record {
						record.points = record.points.saturating_sub(points_for(&record.rule, count));
					}
				});
				Uptime::<T>::insert(epoch, shard, uptime);
			}
		}
		epoch
	}

	pub(crate) fn do_refresh(device: DeviceId) -> DispatchResult {
		let member = Members::<T>::get(device).filter(|m| m.left.is_none()).ok_or(Error::<T>::NotEnrolled)?;
		let Some(until) = T::Devices::active_until(&device) else {
			return Self::do_leave(device, true);
		};
		let key = T::Devices::aggregation_key(&device);
		let place = Places::<T>::get(member.shard, member.index).ok_or(Error::<T>::NotEnrolled)?;
		if place.key != key {
			if let Some(key) = &key {
				Self::claim_key(&device, key)?;
			}
			Self::set_place_key(&device, key)?;
		}
		let active_until = Self::roster_until(until);
		Shards::<T>::try_mutate(member.shard, |shard| -> DispatchResult {
			let entry =
				shard.as_mut().and_then(|s| s.roster.get_mut(member.index as usize)).ok_or(Error::<T>::NotEnrolled)?;
			entry.active_until = active_until;
			Ok(())
		})?;
		Self::deposit_event(Event::Refreshed { device, active_until, keyed: key.is_some() });
		Ok(())
	}

	/// Whether evidence about `epoch` may still be reported: it is the current epoch, or
	/// it closed less than `ChallengePeriod` ago.
	pub(crate) fn challenge_open(epoch: EpochIndex) -> bool {
		let current = Self::current_epoch();
		epoch <= current
			&& (epoch == current
				|| Epochs::<T>::get(epoch)
					.and_then(|r| r.closed_at)
					.is_some_and(|closed| Self::relay_now() < closed.saturating_add(T::ChallengePeriod::get())))
	}

	pub(crate) fn do_leave(device: DeviceId, evicted: bool) -> DispatchResult {
		let mut member = Members::<T>::get(device).filter(|m| m.left.is_none()).ok_or(Error::<T>::NotEnrolled)?;
		Self::set_place_key(&device, None)?;
		Shards::<T>::try_mutate(member.shard, |shard| -> DispatchResult {
			let entry =
				shard.as_mut().and_then(|s| s.roster.get_mut(member.index as usize)).ok_or(Error::<T>::NotEnrolled)?;
			*entry = RosterEntry::default();
			Ok(())
		})?;
		let epoch = Self::current_epoch();
		let (head, tail) = VacancyBounds::<T>::get();
		Vacancies::<T>::insert(tail, Vacancy { shard: member.shard, index: member.index, left: epoch });
		VacancyBounds::<T>::put((head, tail.checked_add(1).ok_or(Error::<T>::Overflow)?));
		member.left = Some(epoch);
		member.vacancy = Some(tail);
		Members::<T>::insert(device, member);
		Self::deposit_event(Event::Left { device, epoch, evicted });
		Ok(())
	}

	/// Both heartbeats are `device`'s for `(epoch, slot)` and differ: slash, pay the
	/// reporter, forfeit the epoch's reward.
	pub(crate) fn do_report_equivocation(
		reporter: T::AccountId,
		device: DeviceId,
		epoch: EpochIndex,
		slot: SlotIndex,
		first: SignedHeartbeat,
		second: SignedHeartbeat,
	) -> DispatchResult {
		ensure!(first.anchor != second.anchor, Error::<T>::NotConflicting);
		ensure!(slot < T::SlotsPerEpoch::get(), Error::<T>::WrongSlot);
		ensure!(Self::challenge_open(epoch), Error::<T>::ChallengeClosed);
		// No evidence for slots that have not begun: their anchors do not exist yet.
		let now_slot = CurrentSlot::<T>::get().map(|s| (s.epoch, s.slot));
		ensure!(now_slot.is_some_and(|now| (epoch, slot) <= now), Error::<T>::WrongSlot);
		let signed_by = |key: &OperationalKey| {
			[&first, &second].iter().all(|heartbeat| {
				heartbeat.signature.verify(key, &Self::direct_message(&device, epoch, slot, heartbeat.anchor))
			})
		};
		// The key the device retired (rotated, sold, deregistered), for slots up to its
		// retirement, before the key it has now: a key set again after a sale must not
		// move the seller's offence onto the buyer. The offence is the owner's of the time.
		let retired = RetiredSigners::<T>::get(device)
			.filter(|r| (epoch, slot) <= (r.last_epoch, r.last_slot) && signed_by(&r.key));
		let owner = match retired {
			Some(retired) => retired.owner,
			None => {
				let key = T::Devices::operational_key(&device).ok_or(Error::<T>::NoOperationalKey)?;
				ensure!(signed_by(&key), Error::<T>::BadSignature);
				T::Devices::owner(&device).ok_or(Error::<T>::UnknownDevice)?
			},
		};
		let slot_start = epoch
			.saturating_mul(T::EpochLength::get())
			.saturating_add(RelayBlock::from(slot).saturating_mul(Self::slot_length()));
		let offence = Offence {
			offender: owner.clone(),
			purpose: BondPurpose::Device,
			target: SlashTarget::Commitment(device),
			kind: OffenceKind::Equivocation,
			// The slot's start: the anchor makes a heartbeat unsignable before it.
			evidence_time: slot_start,
			// One offence per device and slot, whichever pair of heartbeats shows it.
			id: sp_io::hashing::blake2_256(&(b"machina:equivocation", device, epoch, slot).encode()).into(),
		};
		// The reward is forfeited even when the bond can no longer be slashed (evidence
		// older than the bond manager's evidence window): the challenge period is longer.
		// Only the offender's own membership: after a sale the place may be the buyer's.
		let offenders = EnrolledBy::<T>::get(device).as_ref() == Some(&owner);
		let forfeited = offenders
			&& Members::<T>::get(device).filter(|m| m.may_claim(epoch)).is_some_and(|member| {
				let mut uptime = Uptime::<T>::get(epoch, member.shard).unwrap_or_else(|| ShardUptime::empty(slot));
				let fresh = !uptime.is_settled(member.index);
				uptime.settle(member.index);
				Uptime::<T>::insert(epoch, member.shard, uptime);
				fresh
			});
		let outcome = match frame_support::storage::with_storage_layer(|| {
			T::Slasher::report_offence(offence, Some(reporter.clone()))
		}) {
			Ok(outcome) => outcome,
			Err(_) if forfeited => Default::default(),
			Err(e) => return Err(e),
		};
		Self::deposit_event(Event::Equivocation {
			device,
			epoch,
			slot,
			reporter,
			slashed: outcome.slashed,
			to_reporter: outcome.to_reporter,
		});
		Ok(())
	}
}

/// A slash that leaves a device's bond short stops its uptime at once: the device leaves
/// its shard (as `refresh` would evict it), so no batch counts it while it is
/// under-bonded; it enrolls again once topped up.
impl<T: Config> machina_primitives::OnBondShortfall<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn on_shortfall(
		who: &T::AccountId,
		purpose: BondPurpose,
		id: machina_primitives::CommitmentId,
		_shortfall: BalanceOf<T>,
	) {
		if purpose != BondPurpose::Device || T::Devices::owner(&id).as_ref() != Some(who) {
			return;
		}
		if Members::<T>::get(id).is_some_and(|m| m.left.is_none()) {
			let _ = frame_support::storage::with_storage_layer(|| Self::do_leave(id, true));
		}
	}

	fn on_shortfall_weight() -> Weight {
		T::WeightInfo::leave().saturating_add(T::DbWeight::get().reads(2))
	}
}

/// A retiring operational key stays reportable for the epochs it could sign in; a device
/// that changes hands (or leaves the registry) also leaves its shard, so the seller's BLS
/// key leaves the aggregate at once and the buyer enrolls afresh.
impl<T: Config> machina_primitives::OnSignerRetired<T::AccountId> for Pallet<T> {
	fn on_signer_retired(
		device: &DeviceId,
		owner: &T::AccountId,
		key: Option<&OperationalKey>,
		left_owner: bool,
	) -> DispatchResult {
		if let Some(key) = key {
			// One retired key per device: replacing one that can still be reported would
			// let two quick rotations erase the evidence.
			if let Some(previous) = RetiredSigners::<T>::get(device) {
				ensure!(!Self::challenge_open(previous.last_epoch), Error::<T>::SignerRetiredRecently);
			}
			let (last_epoch, last_slot) =
				CurrentSlot::<T>::get().map_or((Self::current_epoch(), 0), |s| (s.epoch, s.slot));
			RetiredSigners::<T>::insert(
				device,
				RetiredSigner { key: key.clone(), owner: owner.clone(), last_epoch, last_slot },
			);
		}
		if left_owner && Members::<T>::get(device).is_some_and(|m| m.left.is_none()) {
			// Best effort: an inconsistency here must not lock the device (and its bond)
			// in; a refresh evicts it later.
			let _ = frame_support::storage::with_storage_layer(|| Self::do_leave(*device, true));
		}
		Ok(())
	}

	fn on_signer_retired_weight() -> Weight {
		T::WeightInfo::on_signer_retired()
	}
}
