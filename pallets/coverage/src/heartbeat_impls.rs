//! Heartbeats: the slot message, the direct path (one device, its operational key) and
//! the aggregated path (many devices, one BLS signature).

use crate::*;
use codec::Encode;
use frame_support::{ensure, pallet_prelude::*};
use machina_primitives::{bls::KeySum, BondManager, BondPurpose, DeviceId, DeviceInspect};
use sp_core::H256;

impl<T: Config> Pallet<T> {
	/// The bytes every heartbeat of `(epoch, slot)` with `anchor` signs.
	pub fn slot_message(epoch: EpochIndex, slot: SlotIndex, anchor: H256) -> alloc::vec::Vec<u8> {
		SlotMessage { tag: HEARTBEAT_TAG, genesis: Self::genesis_hash(), epoch, slot, anchor }.encode()
	}

	/// The bytes a direct heartbeat of `device` signs: the slot message, then the device
	/// id, so one operational key's signature speaks for one device only (a key the
	/// registry lets two devices share cannot make one signature count for both).
	pub fn direct_message(device: &DeviceId, epoch: EpochIndex, slot: SlotIndex, anchor: H256) -> alloc::vec::Vec<u8> {
		let mut message = Self::slot_message(epoch, slot, anchor);
		message.extend_from_slice(device.as_ref());
		message
	}

	/// The message of the current slot, if `(epoch, slot)` is current.
	pub fn current_message(epoch: EpochIndex, slot: SlotIndex) -> Result<alloc::vec::Vec<u8>, Error<T>> {
		let state = CurrentSlot::<T>::get().ok_or(Error::<T>::WrongSlot)?;
		ensure!(state.epoch == epoch && state.slot == slot, Error::<T>::WrongSlot);
		Ok(Self::slot_message(epoch, slot, state.anchor))
	}

	fn genesis_hash() -> H256 {
		let hash = frame_system::BlockHash::<T>::get(frame_system::pallet_prelude::BlockNumberFor::<T>::default());
		H256::from_slice(hash.as_ref())
	}

	/// Everything a direct heartbeat must satisfy, for the pool and for the block.
	pub(crate) fn check_heartbeat(
		device: &DeviceId,
		epoch: EpochIndex,
		slot: SlotIndex,
		signature: &DeviceSignature,
	) -> Result<Membership, Error<T>> {
		let state = CurrentSlot::<T>::get().ok_or(Error::<T>::WrongSlot)?;
		ensure!(state.epoch == epoch && state.slot == slot, Error::<T>::WrongSlot);
		let message = Self::direct_message(device, epoch, slot, state.anchor);
		let member = Members::<T>::get(device).filter(|m| m.left.is_none()).ok_or(Error::<T>::NotEnrolled)?;
		ensure!(T::Devices::is_active(device), Error::<T>::DeviceNotActive);
		let key = T::Devices::operational_key(device).ok_or(Error::<T>::NoOperationalKey)?;
		ensure!(signature.verify(&key, &message), Error::<T>::BadSignature);
		let seen = Uptime::<T>::get(epoch, member.shard).is_some_and(|u| u.slot == slot && u.is_seen(member.index));
		ensure!(!seen, Error::<T>::AlreadyCounted);
		Ok(member)
	}

	pub(crate) fn do_heartbeat(
		device: DeviceId,
		epoch: EpochIndex,
		slot: SlotIndex,
		signature: &DeviceSignature,
	) -> DispatchResult {
		let member = Self::check_heartbeat(&device, epoch, slot, signature)?;
		let mut record = Epochs::<T>::get(epoch).ok_or(Error::<T>::WrongSlot)?;
		let mut uptime = Uptime::<T>::get(epoch, member.shard).unwrap_or_else(|| ShardUptime::empty(slot));
		uptime.enter_slot(slot);
		let count = uptime.mark(member.index).ok_or(Error::<T>::AlreadyCounted)?;
		record.points = record
			.points
			.checked_add(points_for(&record.rule, count) - points_for(&record.rule, count - 1))
			.ok_or(Error::<T>::Overflow)?;
		Uptime::<T>::insert(epoch, member.shard, uptime);
		Epochs::<T>::insert(epoch, record);
		Self::deposit_event(Event::Heartbeat { device, epoch, slot });
		Ok(())
	}

	/// Verify an aggregated heartbeat and count its participants. Reads per shard: the
	/// shard (key sum and roster) and its uptime record; per absentee: its place (key).
	pub(crate) fn do_heartbeat_batch(
		aggregator: T::AccountId,
		epoch: EpochIndex,
		slot: SlotIndex,
		shards: &[BatchShard<T::MaxAbsentPerShard>],
		signature: &[u8; 96],
	) -> DispatchResult {
		ensure!(
			T::Bonds::bonded(&aggregator, BondPurpose::Aggregator) >= T::MinAggregatorBond::get(),
			Error::<T>::NotAggregator
		);
		let absent = shards.iter().map(|s| s.absent.len() as u32).sum::<u32>();
		ensure!(absent <= T::MaxAbsentPerBatch::get(), Error::<T>::TooManyAbsent);
		let message = Self::current_message(epoch, slot)?;
		ensure!(shards.windows(2).all(|w| w[0].shard < w[1].shard), Error::<T>::ShardsNotSorted);

		// The participants' key sum: each shard's sum minus its absentees' keys.
		let mut sum = KeySum::empty();
		let mut loaded = alloc::vec::Vec::with_capacity(shards.len());
		for batch in shards {
			let shard = Shards::<T>::get(batch.shard).ok_or(Error::<T>::UnknownShard)?;
			ensure!(batch.absent.windows(2).all(|w| w[0] < w[1]), Error::<T>::AbsentNotSorted);
			let mut shard_sum = KeySum::from_stored(&shard.key_sum).ok_or(Error::<T>::InvalidAggregate)?;
			for &index in batch.absent.iter() {
				ensure!(shard.roster.get(index as usize).is_some_and(|e| e.keyed), Error::<T>::AbsentNotKeyed);
				let key = Places::<T>::get(batch.shard, index).and_then(|p| p.key).ok_or(Error::<T>::AbsentNotKeyed)?;
				shard_sum.sub(&key).ok_or(Error::<T>::InvalidAggregate)?;
			}
			sum.merge(&shard_sum);
			loaded.push(shard);
		}
		ensure!(sum.verifies(&message, signature), Error::<T>::InvalidAggregate);

		// Count the participants that are active and new in the slot.
		let now = Self::unix_now();
		let mut record = Epochs::<T>::get(epoch).ok_or(Error::<T>::WrongSlot)?;
		let mut counted = 0u32;
		let mut points = 0u64;
		for (batch, shard) in shards.iter().zip(loaded) {
			let mut uptime = Uptime::<T>::get(epoch, batch.shard).unwrap_or_else(|| ShardUptime::empty(slot));
			uptime.enter_slot(slot);
			let mut absent = batch.absent.iter().peekable();
			for (index, entry) in shard.roster.iter().enumerate() {
				let index = index as MemberIndex;
				if absent.next_if_eq(&&index).is_some() || !entry.keyed || u64::from(entry.active_until) <= now {
					continue;
				}
				if let Some(count) = uptime.mark(index) {
					counted += 1;
					points += points_for(&record.rule, count) - points_for(&record.rule, count - 1);
				}
			}
			Uptime::<T>::insert(epoch, batch.shard, uptime);
		}
		ensure!(counted > 0, Error::<T>::NothingCounted);
		record.points = record.points.checked_add(points).ok_or(Error::<T>::Overflow)?;
		Epochs::<T>::insert(epoch, record);
		Self::deposit_event(Event::BatchCounted { aggregator, epoch, slot, shards: shards.len() as u32, counted });
		Ok(())
	}

	pub(crate) fn unix_now() -> u64 {
		<T::UnixTime as frame_support::traits::UnixTime>::now().as_secs()
	}
}
