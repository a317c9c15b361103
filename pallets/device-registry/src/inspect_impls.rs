//! Read access: device status as other pallets see it (`DeviceInspect`) and the
//! queries behind the runtime API.

use crate::*;
use alloc::vec::Vec;
use frame_support::traits::Get;
use frame_system::pallet_prelude::BlockNumberFor;
use machina_primitives::BondManager;
use machina_primitives::{DeviceId, DeviceInspect, DeviceStatus, H3Cell, OperationalKey};
use sp_runtime::traits::Zero;

impl<T: Config> Pallet<T> {
	/// Whether `device` is revoked: its root, or a certificate of its chain.
	pub fn is_revoked(device: &DeviceOf<T>, manufacturer: &ManufacturerOf<T>) -> bool {
		manufacturer.roots.get(device.root as usize).is_none_or(|r| r.revoked)
			|| Self::has_revoked_certificate(device, manufacturer)
	}

	/// A device's status now. Revocation by root and suspension are read from the
	/// manufacturer record (one read, shared by its whole fleet) rather than written to
	/// every device, so revoking a root costs O(1) however many devices it signed. A
	/// revoked certificate is read from the revocation list, only while the manufacturer
	/// has revocations, at most one read per certificate of the chain: a revoked
	/// intermediate shows in every device below it at once, and un-revoking it undoes
	/// that.
	///
	/// A device whose bond commitment lacks anything (slashed, or its pool lost stake)
	/// is `UnderBonded`: one more read, of the commitment in micro-bonds.
	pub fn status_of(id: &DeviceId, device: &DeviceOf<T>, manufacturer: Option<&ManufacturerOf<T>>) -> DeviceStatus {
		let Some(manufacturer) = manufacturer else { return DeviceStatus::Revoked };
		if Self::is_revoked(device, manufacturer) {
			return DeviceStatus::Revoked;
		}
		if manufacturer.status == ManufacturerStatus::Suspended {
			return DeviceStatus::Suspended;
		}
		let now = Self::now_secs();
		if now > device.expires_at {
			return DeviceStatus::Expired;
		}
		if now >= device.attested_at.saturating_add(T::AttestationValidity::get()) {
			return DeviceStatus::Stale;
		}
		if T::Bonds::commitment(&device.owner, *id).is_none_or(|c| !c.shortfall().is_zero()) {
			return DeviceStatus::UnderBonded;
		}
		DeviceStatus::Active
	}

	fn view(id: DeviceId, device: DeviceOf<T>) -> DeviceViewOf<T> {
		let manufacturer = Manufacturers::<T>::get(device.manufacturer);
		let status = Self::status_of(&id, &device, manufacturer.as_ref());
		DeviceView {
			id,
			status,
			revoked: manufacturer.as_ref().is_none_or(|m| Self::is_revoked(&device, m)),
			last_reference: LastAttestation::<T>::get(id).unwrap_or_default(),
			pending_transfer: PendingTransfers::<T>::get(id),
			device,
		}
	}

	/// A device and its status.
	pub fn device(id: DeviceId) -> Option<DeviceViewOf<T>> {
		Devices::<T>::get(id).map(|d| Self::view(id, d))
	}

	/// Up to `limit` (at most [`MAX_DEVICES_PER_PAGE`]) devices of `owner`, after
	/// `cursor` (the last id of the previous page) in storage order.
	pub fn devices_of(owner: T::AccountId, cursor: Option<DeviceId>, limit: u32) -> Vec<DeviceViewOf<T>> {
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

	/// [`Self::renewal_payload`] for `device`'s owner and manufacturer.
	pub fn renewal_payload_of(id: DeviceId, reference_block: BlockNumberFor<T>) -> Option<Vec<u8>> {
		Devices::<T>::get(id).map(|d| Self::renewal_payload(d.manufacturer, &d.owner, &id, reference_block))
	}

	/// [`Self::rotation_payload`] for `device`'s owner and current key nonce.
	pub fn rotation_payload_of(id: DeviceId, key: OperationalKey) -> Option<Vec<u8>> {
		Devices::<T>::get(id).map(|d| Self::rotation_payload(&d.owner, &id, &key, d.key_nonce))
	}

	/// [`Self::aggregation_key_payload`] for `device`'s owner and current key nonce.
	pub fn aggregation_key_payload_of(id: DeviceId, key: Option<[u8; 48]>) -> Option<Vec<u8>> {
		Devices::<T>::get(id).map(|d| Self::aggregation_key_payload(&d.owner, &id, key, d.key_nonce))
	}

	/// A manufacturer.
	pub fn manufacturer(id: ManufacturerId) -> Option<ManufacturerView> {
		Manufacturers::<T>::get(id).map(|m| ManufacturerView {
			id,
			name: m.name.into_inner(),
			roots: m.roots.into_inner(),
			status: m.status,
			devices: m.devices,
			revocations: m.revocations,
			policy: ManufacturerPolicies::<T>::get(id),
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
		Devices::<T>::get(device).and_then(|d| d.operational_key)
	}

	fn location(device: &DeviceId) -> Option<H3Cell> {
		Devices::<T>::get(device).and_then(|d| d.location)
	}

	fn manufacturer(device: &DeviceId) -> Option<u32> {
		Devices::<T>::get(device).map(|d| d.manufacturer)
	}

	fn aggregation_key(device: &DeviceId) -> Option<machina_primitives::AggregationKey> {
		Devices::<T>::get(device).and_then(|d| d.aggregation_key)
	}

	fn active_until(id: &DeviceId) -> Option<u64> {
		let device = Devices::<T>::get(id)?;
		let manufacturer = Manufacturers::<T>::get(device.manufacturer);
		(Self::status_of(id, &device, manufacturer.as_ref()) == DeviceStatus::Active)
			// `Expired` after `expires_at`, `Stale` from `attested_at + validity` on.
			.then(|| {
				device
					.expires_at
					.saturating_add(1)
					.min(device.attested_at.saturating_add(T::AttestationValidity::get()))
			})
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

	fn on_shortfall_weight() -> frame_support::weights::Weight {
		T::DbWeight::get().reads(1)
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl<T: Config> Pallet<T> {
	/// Insert an `Active` device without an attestation, for other pallets' benchmarks: a
	/// benchmark manufacturer (id `u32::MAX`, one P-256 root), the device attested now,
	/// valid far ahead. The caller bonds it (`BondManager::require_bond`).
	pub fn insert_benchmark_device(
		owner: &T::AccountId,
		id: DeviceId,
		operational_key: OperationalKey,
		aggregation_key: Option<machina_primitives::AggregationKey>,
	) {
		let manufacturer: ManufacturerId = ManufacturerId::MAX;
		if !Manufacturers::<T>::contains_key(manufacturer) {
			let root = RootKey { key: PublicKey::P256([2u8; 33]), revoked: false };
			Manufacturers::<T>::insert(
				manufacturer,
				Manufacturer {
					name: Default::default(),
					roots: frame_support::BoundedVec::truncate_from(alloc::vec![root]),
					status: ManufacturerStatus::Active,
					devices: 0,
					revocations: 0,
				},
			);
		}
		let now = Self::now_secs();
		let device = Device {
			owner: owner.clone(),
			bond: T::DeviceBond::get(),
			manufacturer,
			root: 0,
			hardware_key: PublicKey::P256([2u8; 33]),
			signing_key: PublicKey::P256([2u8; 33]),
			certificates: Default::default(),
			own_certificates: 0,
			expires_at: u64::MAX / 2,
			operational_key: Some(operational_key),
			aggregation_key,
			key_nonce: 0,
			location: None,
			location_updated_at: now,
			registered_at: frame_system::Pallet::<T>::block_number(),
			attested_at: now,
		};
		if let Some(key) = &aggregation_key {
			AggregationKeyOwners::<T>::insert(key, id);
		}
		Devices::<T>::insert(id, device);
		DevicesByOwner::<T>::insert(owner, id, ());
	}
}
