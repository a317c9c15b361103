//! Read access: device status as other pallets see it (`DeviceInspect`) and the
//! queries behind the runtime API.

use crate::*;
use alloc::vec::Vec;
use frame_support::traits::Get;
use frame_system::pallet_prelude::BlockNumberFor;
use machina_primitives::BondManager;
use machina_primitives::{DeviceId, DeviceInspect, DeviceStatus, H3Cell, OperationalKey};
use sp_runtime::traits::{Saturating, Zero};

impl<T: Config> Pallet<T> {
	/// A device's status now. Revocation by root and suspension are read from the
	/// manufacturer record (one read, shared by its whole fleet) rather than written to
	/// every device, so revoking a root costs O(1) however many devices it signed.
	///
	/// A device whose bond commitment lacks anything (slashed, or its pool lost stake)
	/// is `UnderBonded`: one more read, of the commitment in micro-bonds.
	pub fn status_of(id: &DeviceId, device: &DeviceOf<T>, manufacturer: Option<&ManufacturerOf<T>>) -> DeviceStatus {
		if device.revoked {
			return DeviceStatus::Revoked;
		}
		let Some(manufacturer) = manufacturer else { return DeviceStatus::Revoked };
		if manufacturer.roots.get(device.root as usize).is_none_or(|r| r.revoked) {
			return DeviceStatus::Revoked;
		}
		if manufacturer.status == ManufacturerStatus::Suspended {
			return DeviceStatus::Suspended;
		}
		let now = frame_system::Pallet::<T>::block_number();
		if now >= device.attested_at.saturating_add(T::AttestationValidity::get()) {
			return DeviceStatus::Stale;
		}
		if T::Bonds::commitment(&device.owner, *id).is_none_or(|c| !c.shortfall().is_zero()) {
			return DeviceStatus::UnderBonded;
		}
		DeviceStatus::Active
	}

	fn view(id: DeviceId, device: DeviceOf<T>) -> DeviceView<T::AccountId, BalanceOf<T>, BlockNumberFor<T>> {
		let manufacturer = Manufacturers::<T>::get(device.manufacturer);
		DeviceView { id, status: Self::status_of(&id, &device, manufacturer.as_ref()), device }
	}

	/// A device and its status.
	pub fn device(id: DeviceId) -> Option<DeviceView<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
		Devices::<T>::get(id).map(|d| Self::view(id, d))
	}

	/// Up to `limit` (at most [`MAX_DEVICES_PER_PAGE`]) devices of `owner`, after
	/// `cursor` (the last id of the previous page) in storage order.
	pub fn devices_of(
		owner: T::AccountId,
		cursor: Option<DeviceId>,
		limit: u32,
	) -> Vec<DeviceView<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
		let limit = limit.min(MAX_DEVICES_PER_PAGE) as usize;
		let ids: Vec<DeviceId> = match cursor {
			Some(cursor) => {
				DevicesByOwner::<T>::iter_key_prefix_from(&owner, DevicesByOwner::<T>::hashed_key_for(&owner, cursor))
					.take(limit)
					.collect()
			},
			None => DevicesByOwner::<T>::iter_key_prefix(&owner).take(limit).collect(),
		};
		ids.into_iter().filter_map(Self::device).collect()
	}

	/// A manufacturer.
	pub fn manufacturer(id: ManufacturerId) -> Option<ManufacturerView> {
		Manufacturers::<T>::get(id).map(|m| ManufacturerView {
			id,
			name: m.name.into_inner(),
			roots: m.roots.into_inner(),
			status: m.status,
			devices: m.devices,
		})
	}
}

impl<T: Config> DeviceInspect<T::AccountId> for Pallet<T> {
	fn owner(device: &DeviceId) -> Option<T::AccountId> {
		Devices::<T>::get(device).map(|d| d.owner)
	}

	fn status(id: &DeviceId) -> Option<DeviceStatus> {
		let device = Devices::<T>::get(id)?;
		let manufacturer = Manufacturers::<T>::get(device.manufacturer);
		Some(Self::status_of(id, &device, manufacturer.as_ref()))
	}

	fn operational_key(device: &DeviceId) -> Option<OperationalKey> {
		Devices::<T>::get(device).map(|d| d.operational_key)
	}

	fn location(device: &DeviceId) -> Option<H3Cell> {
		Devices::<T>::get(device).and_then(|d| d.location)
	}

	fn aggregation_key(device: &DeviceId) -> Option<machina_primitives::AggregationKey> {
		Devices::<T>::get(device).and_then(|d| d.aggregation_key)
	}
}

/// Micro-bonds tells the registry when a slash leaves a device's bond short. The status
/// is read from the commitment itself (`status_of`), so this only announces it.
impl<T: Config> machina_primitives::OnBondShortfall<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn on_shortfall(
		who: &T::AccountId,
		purpose: machina_primitives::BondPurpose,
		id: machina_primitives::CommitmentId,
		shortfall: BalanceOf<T>,
	) {
		if purpose != machina_primitives::BondPurpose::Device {
			return;
		}
		if Devices::<T>::get(id).is_some_and(|d| &d.owner == who) {
			Self::deposit_event(Event::DeviceUnderBonded { device: id, owner: who.clone(), shortfall });
		}
	}
}
