//! What clients ask of coverage: the epoch clock, a device's uptime and pending rewards,
//! the slot message to sign, and shard membership for aggregators.

use crate::types::{DeviceUptime, EpochIndex, EpochInfo, Membership, ShardId, ShardMember, SlotIndex};
use alloc::vec::Vec;
use frame_support::traits::Get;
use machina_primitives::{DeviceId, DeviceInspect};

sp_api::decl_runtime_apis! {
	/// Coverage queries.
	pub trait CoverageApi<Balance> where Balance: codec::Codec {
		/// The current epoch and slot, the slot's anchor, and the clock's lengths.
		fn epoch_info() -> Option<EpochInfo>;
		/// The bytes an aggregated heartbeat for `(epoch, slot)` signs, if that slot is
		/// current; a direct heartbeat signs them followed by the device id (32 bytes).
		/// Devices should sign only once the slot's first block is finalized: then no fork
		/// can show them a second anchor for the slot (two signed anchors are slashable).
		fn heartbeat_message(epoch: EpochIndex, slot: SlotIndex) -> Option<Vec<u8>>;
		/// `device`'s heartbeat slots and points in `epoch`, while the epoch is live.
		fn uptime(device: DeviceId, epoch: EpochIndex) -> Option<DeviceUptime>;
		/// What `device` can claim, or will once challenge periods pass, per closed live
		/// epoch: gross, before a backing pool's part; empty after a sale or a revocation.
		fn pending_rewards(device: DeviceId) -> Vec<(EpochIndex, Balance)>;
		/// Where `device` is enrolled.
		fn membership(device: DeviceId) -> Option<Membership>;
		/// The members of `shard` (for aggregators: who to list absent).
		fn shard_members(shard: ShardId) -> Vec<ShardMember>;
	}
}

impl<T: crate::Config> crate::Pallet<T> {
	pub fn epoch_info() -> Option<EpochInfo> {
		let state = crate::CurrentSlot::<T>::get()?;
		Some(EpochInfo {
			epoch: state.epoch,
			slot: state.slot,
			anchor: state.anchor,
			epoch_length: <T as crate::Config>::EpochLength::get(),
			slots_per_epoch: <T as crate::Config>::SlotsPerEpoch::get(),
			slot_length: Self::slot_length(),
			points: crate::Epochs::<T>::get(state.epoch).map_or(0, |r| r.points),
			shards: crate::ShardCount::<T>::get(),
		})
	}

	pub fn heartbeat_message(epoch: EpochIndex, slot: SlotIndex) -> Option<Vec<u8>> {
		Self::current_message(epoch, slot).ok()
	}

	pub fn uptime(device: DeviceId, epoch: EpochIndex) -> Option<DeviceUptime> {
		let member = crate::Members::<T>::get(device)?;
		let record = crate::Epochs::<T>::get(epoch)?;
		let uptime = crate::Uptime::<T>::get(epoch, member.shard);
		let slots = uptime.as_ref().map_or(0, |u| u.count(member.index));
		Some(DeviceUptime {
			slots,
			points: crate::types::points_for(&record.rule, slots),
			settled: uptime.is_some_and(|u| u.is_settled(member.index)),
		})
	}

	pub fn pending_rewards(device: DeviceId) -> Vec<(EpochIndex, crate::BalanceOf<T>)> {
		let Some(member) = crate::Members::<T>::get(device) else { return Vec::new() };
		// After a sale nothing is claimable (`OwnerChanged`), nor ever by a revoked device.
		// (A suspended or under-bonded one can claim once resumed or topped up.)
		if crate::EnrolledBy::<T>::get(device) != T::Devices::owner(&device)
			|| T::Devices::status(&device) == Some(machina_primitives::DeviceStatus::Revoked)
		{
			return Vec::new();
		}
		crate::LiveEpochs::<T>::get()
			.into_iter()
			.filter(|e| member.may_claim(*e))
			.filter_map(|epoch| {
				let record = crate::Epochs::<T>::get(epoch)?;
				let uptime = crate::Uptime::<T>::get(epoch, member.shard)?;
				if uptime.is_settled(member.index) {
					return None;
				}
				let amount = Self::share(&record, uptime.count(member.index));
				(amount > Default::default()).then_some((epoch, amount))
			})
			.collect()
	}

	pub fn membership(device: DeviceId) -> Option<Membership> {
		crate::Members::<T>::get(device)
	}

	pub fn shard_members(shard: ShardId) -> Vec<ShardMember> {
		let Some(s) = crate::Shards::<T>::get(shard) else { return Vec::new() };
		s.roster
			.iter()
			.enumerate()
			.filter(|(_, e)| !e.is_vacant())
			.filter_map(|(index, e)| {
				let place = crate::Places::<T>::get(shard, index as u16)?;
				Some(ShardMember {
					index: index as u16,
					device: place.device,
					keyed: e.keyed,
					active_until: e.active_until,
				})
			})
			.collect()
	}
}

/// A device's uptime in the last closed epoch, for pallets that filter devices by it
/// (intents: a buyer's minimum uptime).
impl<T: crate::Config> machina_primitives::UptimeInspect for crate::Pallet<T> {
	fn uptime(device: &DeviceId) -> Option<sp_runtime::Permill> {
		let epoch = crate::CurrentSlot::<T>::get()?.epoch.checked_sub(1)?;
		let member = crate::Members::<T>::get(device)?;
		if member.joined > epoch || member.left.is_some_and(|left| left < epoch) {
			return None;
		}
		let slots = crate::Uptime::<T>::get(epoch, member.shard).map_or(0, |u| u.count(member.index));
		Some(sp_runtime::Permill::from_rational(slots, u32::from(<T as crate::Config>::SlotsPerEpoch::get()).max(1)))
	}
}
