//! Invariants checked by `try_state` (and by the tests after every step).

use crate::*;
use machina_primitives::BondManager;

impl<T: Config> Pallet<T> {
	/// The indexes agree with the device records, counters match, and every device's
	/// bond is covered by its owner's committed device bond.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::btree_map::BTreeMap;
		use machina_primitives::BondPurpose;
		use sp_runtime::traits::Saturating;

		let mut count = 0u32;
		let mut per_manufacturer: BTreeMap<ManufacturerId, u32> = BTreeMap::new();
		let mut bond_per_owner: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for (id, device) in Devices::<T>::iter() {
			count += 1;
			*per_manufacturer.entry(device.manufacturer).or_default() += 1;
			let owed = bond_per_owner.entry(device.owner.clone()).or_default();
			*owed = owed.saturating_add(device.bond);
			ensure_state(
				DevicesByOwner::<T>::contains_key(&device.owner, id),
				"device missing from its owner's index",
			)?;
			ensure_state(
				machina_primitives::device_id_of(device.hardware_key.as_bytes()) == id,
				"device id is not the hash of its hardware key",
			)?;
			ensure_state(!device.certificates.is_empty(), "device without a leaf certificate")?;
			ensure_state(
				(1..=2).contains(&device.own_certificates)
					&& device.own_certificates as usize <= device.certificates.len(),
				"device's own certificates out of range",
			)?;
			for c in Pallet::<T>::own_certificates(&device.certificates, device.own_certificates) {
				ensure_state(
					DeviceByCertificate::<T>::get(c.issuer, &c.serial) == Some(id),
					"device missing from the certificate index",
				)?;
			}
			if let Some(key) = &device.aggregation_key {
				ensure_state(
					AggregationKeyOwners::<T>::get(key) == Some(id),
					"aggregation key missing from its index",
				)?;
			}
			ensure_state(LastAttestation::<T>::contains_key(id), "device without an attestation record")?;
			ensure_state(T::Bonds::commitment(&device.owner, id).is_some(), "device without a bond commitment")?;
			// A revocation of one of its certificates filed under another manufacturer
			// would never show in its status.
			for c in device.certificates.iter() {
				if let Some(entry) = RevokedCertificates::<T>::get(c.issuer, &c.serial) {
					ensure_state(
						entry.manufacturer == device.manufacturer,
						"a device's certificate is revoked under another manufacturer",
					)?;
				}
			}
			if let Some(offer) = PendingTransfers::<T>::get(id) {
				ensure_state(offer.to != device.owner, "transfer offered to the owner")?;
			}
			let manufacturer =
				Manufacturers::<T>::get(device.manufacturer).ok_or("device of an unknown manufacturer")?;
			ensure_state((device.root as usize) < manufacturer.roots.len(), "device anchored in a missing root")?;
		}
		ensure_state(count == DeviceCount::<T>::get(), "DeviceCount differs from the devices stored")?;
		ensure_state(
			DevicesByOwner::<T>::iter().all(|(owner, id, ())| Devices::<T>::get(id).is_some_and(|d| d.owner == owner)),
			"owner index points at a device of someone else",
		)?;
		ensure_state(
			DeviceByCertificate::<T>::iter().all(|(issuer, serial, id)| {
				Devices::<T>::get(id).is_some_and(|d| {
					Pallet::<T>::own_certificates(&d.certificates, d.own_certificates)
						.iter()
						.any(|c| c.issuer == issuer && c.serial == serial)
				})
			}),
			"certificate index points at the wrong device",
		)?;
		ensure_state(
			AggregationKeyOwners::<T>::iter()
				.all(|(key, id)| Devices::<T>::get(id).is_some_and(|d| d.aggregation_key.as_ref() == Some(&key))),
			"aggregation key index points at the wrong device",
		)?;
		let mut revocations: BTreeMap<ManufacturerId, u32> = BTreeMap::new();
		for (_, _, entry) in RevokedCertificates::<T>::iter() {
			*revocations.entry(entry.manufacturer).or_default() += 1;
		}
		ensure_state(
			PendingTransfers::<T>::iter_keys().all(Devices::<T>::contains_key),
			"transfer pending for a removed device",
		)?;
		for (id, m) in Manufacturers::<T>::iter() {
			ensure_state(
				m.devices == per_manufacturer.get(&id).copied().unwrap_or_default(),
				"manufacturer device count differs from its devices",
			)?;
			ensure_state(id < NextManufacturerId::<T>::get(), "manufacturer id not yet assigned")?;
			ensure_state(
				m.revocations == revocations.get(&id).copied().unwrap_or_default(),
				"manufacturer revocation count differs from its entries",
			)?;
			for (index, root) in m.roots.iter().enumerate() {
				ensure_state(
					RootOwners::<T>::get(key_id_of(&root.key)) == Some((id, index as RootIndex)),
					"root missing from the root owner index",
				)?;
			}
		}
		// A device bond is a commitment in the bond manager: each owner's committed device
		// bond covers the devices it owns.
		for (owner, owed) in bond_per_owner {
			ensure_state(
				T::Bonds::committed(&owner, BondPurpose::Device) >= owed,
				"devices backed by less bond than recorded",
			)?;
		}
		Ok(())
	}
}

fn ensure_state(ok: bool, msg: &'static str) -> Result<(), sp_runtime::TryRuntimeError> {
	if ok {
		Ok(())
	} else {
		Err(msg.into())
	}
}
