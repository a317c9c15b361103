//! The logic behind the dispatchables. Every `do_*` checks everything before it writes,
//! so a failed call leaves no trace even outside a transactional layer.

use crate::{
	attestation::{self, AttestationError, Policy},
	*,
};
use codec::Encode;
use frame_support::{
	pallet_prelude::*,
	traits::{Get, UnixTime},
};
use frame_system::pallet_prelude::BlockNumberFor;
use machina_primitives::{device_id_of, BondManager, BondPurpose, DeviceId, H3Cell, OperationalKey};
use sp_runtime::traits::{CheckedAdd, Saturating, Zero};

impl<T: Config> From<AttestationError> for Error<T> {
	fn from(e: AttestationError) -> Self {
		use AttestationError as A;
		match e {
			A::EmptyChain => Error::EmptyChain,
			A::ChainTooLong => Error::ChainTooLong,
			A::CertificateTooLarge => Error::CertificateTooLarge,
			A::MalformedCertificate => Error::MalformedCertificate,
			A::UnsupportedVersion => Error::UnsupportedCertificateVersion,
			A::UnsupportedAlgorithm => Error::UnsupportedAlgorithm,
			A::AlgorithmMismatch => Error::AlgorithmMismatch,
			A::InvalidSignature => Error::InvalidCertificateSignature,
			A::IssuerMismatch => Error::IssuerMismatch,
			A::UntrustedRoot => Error::UntrustedRoot,
			A::RootRevoked => Error::RootRevoked,
			A::Expired => Error::CertificateExpired,
			A::NotYetValid => Error::CertificateNotYetValid,
			A::NotACertificateAuthority => Error::NotACertificateAuthority,
			A::PathLengthExceeded => Error::PathLengthExceeded,
			A::KeyUsageMismatch => Error::KeyUsageMismatch,
			A::UnsupportedCriticalExtension => Error::UnsupportedCriticalExtension,
			A::CertificateRevoked => Error::CertificateRevoked,
			A::InvalidSerial => Error::InvalidSerial,
			A::InvalidKey => Error::InvalidKey,
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The chain's genesis hash: every hardware signature binds it, so a signature made
	/// for another chain (or a testnet) fails here.
	pub fn genesis_hash() -> T::Hash {
		frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero())
	}

	/// What `register_device` charges before it runs: X.509 chains by their length,
	/// priced at P-256 (the slower algorithm) with the matching root tried last.
	pub fn register_weight(attestation: &Attestation) -> Weight {
		match attestation {
			Attestation::X509 { chain, .. } => T::WeightInfo::register_device_x509(chain.len() as u32),
			Attestation::Compact(_) => T::WeightInfo::register_device_compact(),
		}
	}

	/// Verify `attestation` against `manufacturer`'s roots, the on-chain time and the
	/// revocation list.
	pub fn verify_attestation(
		attestation: &Attestation,
		manufacturer: &ManufacturerOf<T>,
	) -> Result<VerifiedAttestation, Error<T>> {
		let id = attestation.manufacturer();
		let policy = Policy {
			roots: &manufacturer.roots,
			now: T::UnixTime::now().as_secs(),
			is_revoked: |serial: &Serial| RevokedCertificates::<T>::contains_key(id, serial),
			max_intermediates: T::MaxIntermediates::get(),
			max_certificate_len: T::MaxCertificateLen::get(),
		};
		let verified = match attestation {
			Attestation::X509 { chain, .. } => {
				let certs: alloc::vec::Vec<&[u8]> = chain.iter().map(|c| &c[..]).collect();
				attestation::verify_x509_chain(&certs, &policy)
			},
			Attestation::Compact(cert) => attestation::verify_compact(cert, &policy),
		};
		verified.map_err(Into::into)
	}

	pub(crate) fn do_register_manufacturer(
		name: BoundedVec<u8, T::MaxNameLen>,
		keys: RootKeysOf<T>,
	) -> Result<ManufacturerId, DispatchError> {
		ensure!(!keys.is_empty(), Error::<T>::NoRoots);
		let mut roots = BoundedVec::<RootKey, T::MaxRoots>::default();
		for key in keys {
			let key = attestation::validate_key(&key).map_err(Error::<T>::from)?;
			ensure!(!roots.iter().any(|r| r.key == key), Error::<T>::DuplicateRoot);
			roots.try_push(RootKey { key, revoked: false }).map_err(|_| Error::<T>::TooManyRoots)?;
		}
		let id = NextManufacturerId::<T>::get();
		let next = id.checked_add(1).ok_or(Error::<T>::Overflow)?;
		let count = roots.len() as u32;
		Manufacturers::<T>::insert(
			id,
			Manufacturer { name: name.clone(), roots, status: ManufacturerStatus::Active, devices: 0 },
		);
		NextManufacturerId::<T>::put(next);
		Self::deposit_event(Event::ManufacturerRegistered { manufacturer: id, name, roots: count });
		Ok(id)
	}

	pub(crate) fn do_add_root(id: ManufacturerId, key: PublicKey) -> DispatchResult {
		let key = attestation::validate_key(&key).map_err(Error::<T>::from)?;
		Manufacturers::<T>::try_mutate(id, |m| {
			let m = m.as_mut().ok_or(Error::<T>::ManufacturerNotFound)?;
			ensure!(!m.roots.iter().any(|r| r.key == key), Error::<T>::DuplicateRoot);
			let index = m.roots.len() as RootIndex;
			m.roots.try_push(RootKey { key, revoked: false }).map_err(|_| Error::<T>::TooManyRoots)?;
			Self::deposit_event(Event::RootAdded { manufacturer: id, root: index, key });
			Ok(())
		})
	}

	pub(crate) fn do_revoke_root(id: ManufacturerId, root: RootIndex) -> DispatchResult {
		Manufacturers::<T>::try_mutate(id, |m| {
			let m = m.as_mut().ok_or(Error::<T>::ManufacturerNotFound)?;
			let entry = m.roots.get_mut(root as usize).ok_or(Error::<T>::RootNotFound)?;
			ensure!(!entry.revoked, Error::<T>::RootAlreadyRevoked);
			entry.revoked = true;
			Self::deposit_event(Event::RootRevoked { manufacturer: id, root });
			Ok(())
		})
	}

	pub(crate) fn do_set_manufacturer_status(id: ManufacturerId, status: ManufacturerStatus) -> DispatchResult {
		Manufacturers::<T>::try_mutate(id, |m| {
			let m = m.as_mut().ok_or(Error::<T>::ManufacturerNotFound)?;
			match status {
				ManufacturerStatus::Suspended => {
					ensure!(m.status == ManufacturerStatus::Active, Error::<T>::ManufacturerSuspended);
					Self::deposit_event(Event::ManufacturerSuspended { manufacturer: id });
				},
				ManufacturerStatus::Active => {
					ensure!(m.status == ManufacturerStatus::Suspended, Error::<T>::ManufacturerNotSuspended);
					Self::deposit_event(Event::ManufacturerResumed { manufacturer: id });
				},
			}
			m.status = status;
			Ok(())
		})
	}

	pub(crate) fn do_revoke_certificate(id: ManufacturerId, serial: Serial) -> DispatchResult {
		ensure!(Manufacturers::<T>::contains_key(id), Error::<T>::ManufacturerNotFound);
		let serial = attestation::normalise_serial(&serial).map_err(Error::<T>::from)?;
		ensure!(!RevokedCertificates::<T>::contains_key(id, &serial), Error::<T>::AlreadyRevoked);
		RevokedCertificates::<T>::insert(id, &serial, frame_system::Pallet::<T>::block_number());
		let device = DeviceBySerial::<T>::get(id, &serial);
		if let Some(device) = device {
			Devices::<T>::mutate(device, |d| {
				if let Some(d) = d {
					d.revoked = true;
				}
			});
		}
		Self::deposit_event(Event::CertificateRevoked { manufacturer: id, serial, device });
		Ok(())
	}

	fn ensure_location(location: &H3Cell) -> DispatchResult {
		location.validate().map_err(|_| Error::<T>::InvalidLocation)?;
		let res = location.resolution();
		ensure!(
			res >= T::MinLocationResolution::get() && res <= T::MaxLocationResolution::get(),
			Error::<T>::LocationResolutionOutOfBounds
		);
		Ok(())
	}

	/// What the hardware key signs to register under `owner` with `nonce`.
	pub fn registration_payload(owner: &T::AccountId, key: &OperationalKey, nonce: u32) -> alloc::vec::Vec<u8> {
		(REGISTER_TAG, Self::genesis_hash(), owner, key, nonce).encode()
	}

	/// What the hardware key signs to re-attest at `reference_block`.
	pub fn reattestation_payload(device: &DeviceId, reference_block: BlockNumberFor<T>) -> alloc::vec::Vec<u8> {
		let hash = frame_system::Pallet::<T>::block_hash(reference_block);
		(REATTEST_TAG, Self::genesis_hash(), device, reference_block, hash).encode()
	}

	/// What the hardware key signs to make `key` the operational key at `nonce`.
	pub fn rotation_payload(device: &DeviceId, key: &OperationalKey, nonce: u32) -> alloc::vec::Vec<u8> {
		(ROTATE_KEY_TAG, Self::genesis_hash(), device, key, nonce).encode()
	}

	pub(crate) fn do_register_device(
		owner: T::AccountId,
		attestation: Attestation,
		operational_key: OperationalKey,
		location: Option<H3Cell>,
		hw_signature: RawSignature,
	) -> DispatchResult {
		let manufacturer_id = attestation.manufacturer();
		let mut manufacturer = Manufacturers::<T>::get(manufacturer_id).ok_or(Error::<T>::ManufacturerNotFound)?;
		ensure!(manufacturer.status == ManufacturerStatus::Active, Error::<T>::ManufacturerSuspended);
		if let Some(cell) = &location {
			Self::ensure_location(cell)?;
		}
		let verified = Self::verify_attestation(&attestation, &manufacturer)?;
		let device = device_id_of(verified.hardware_key.as_bytes());
		ensure!(!Devices::<T>::contains_key(device), Error::<T>::AlreadyRegistered);
		let leaf_serial = verified.serials.first().cloned().unwrap_or_default();
		ensure!(!DeviceBySerial::<T>::contains_key(manufacturer_id, &leaf_serial), Error::<T>::SerialInUse);

		let nonce = RegistrationNonce::<T>::get(&owner);
		let payload = Self::registration_payload(&owner, &operational_key, nonce);
		ensure!(
			attestation::verify_raw(&verified.hardware_key, &payload, &hw_signature),
			Error::<T>::InvalidHardwareSignature
		);
		let next_nonce = nonce.checked_add(1).ok_or(Error::<T>::Overflow)?;
		let count = DeviceCount::<T>::get().checked_add(1).ok_or(Error::<T>::Overflow)?;
		manufacturer.devices = manufacturer.devices.checked_add(1).ok_or(Error::<T>::Overflow)?;

		// The last fallible step; nothing was written before it.
		let bond = T::DeviceBond::get();
		T::Bonds::require_bond(&owner, BondPurpose::Device, device, bond)?;

		let now = frame_system::Pallet::<T>::block_number();
		RegistrationNonce::<T>::insert(&owner, next_nonce);
		DeviceCount::<T>::put(count);
		Manufacturers::<T>::insert(manufacturer_id, manufacturer);
		DeviceBySerial::<T>::insert(manufacturer_id, &leaf_serial, device);
		DevicesByOwner::<T>::insert(&owner, device, ());
		Devices::<T>::insert(
			device,
			Device {
				owner: owner.clone(),
				bond,
				manufacturer: manufacturer_id,
				root: verified.root,
				hardware_key: verified.hardware_key,
				serials: verified.serials,
				operational_key,
				aggregation_key: None,
				key_nonce: 0,
				location,
				location_updated_at: now,
				registered_at: now,
				attested_at: now,
				attested_reference: now,
				revoked: false,
			},
		);
		Self::deposit_event(Event::DeviceRegistered { device, owner, manufacturer: manufacturer_id, bond, location });
		Ok(())
	}

	/// The first serial of `device`'s chain on the revocation list.
	pub(crate) fn revoked_serial(device: &DeviceOf<T>) -> Option<Serial> {
		device.serials.iter().find(|s| RevokedCertificates::<T>::contains_key(device.manufacturer, *s)).cloned()
	}

	pub(crate) fn do_reattest(
		id: DeviceId,
		reference_block: BlockNumberFor<T>,
		hw_signature: RawSignature,
	) -> DispatchResult {
		let mut device = Devices::<T>::get(id).ok_or(Error::<T>::DeviceNotFound)?;
		ensure!(!device.revoked, Error::<T>::DeviceRevoked);
		let manufacturer = Manufacturers::<T>::get(device.manufacturer).ok_or(Error::<T>::ManufacturerNotFound)?;
		ensure!(manufacturer.status == ManufacturerStatus::Active, Error::<T>::ManufacturerSuspended);
		ensure!(manufacturer.roots.get(device.root as usize).is_some_and(|r| !r.revoked), Error::<T>::RootRevoked);
		ensure!(Self::revoked_serial(&device).is_none(), Error::<T>::CertificateRevoked);

		let now = frame_system::Pallet::<T>::block_number();
		ensure!(
			reference_block < now
				&& now.saturating_sub(reference_block) <= T::ReattestationWindow::get()
				&& reference_block > device.attested_reference,
			Error::<T>::StaleReference
		);
		let payload = Self::reattestation_payload(&id, reference_block);
		ensure!(
			attestation::verify_raw(&device.hardware_key, &payload, &hw_signature),
			Error::<T>::InvalidHardwareSignature
		);
		device.attested_at = now;
		device.attested_reference = reference_block;
		Devices::<T>::insert(id, device);
		Self::deposit_event(Event::DeviceReattested { device: id, reference_block });
		Ok(())
	}

	fn owned_device(who: &T::AccountId, id: &DeviceId) -> Result<DeviceOf<T>, DispatchError> {
		let device = Devices::<T>::get(id).ok_or(Error::<T>::DeviceNotFound)?;
		ensure!(&device.owner == who, Error::<T>::NotOwner);
		Ok(device)
	}

	pub(crate) fn do_rotate_operational_key(
		who: T::AccountId,
		id: DeviceId,
		key: OperationalKey,
		hw_signature: RawSignature,
	) -> DispatchResult {
		let mut device = Self::owned_device(&who, &id)?;
		ensure!(!device.revoked, Error::<T>::DeviceRevoked);
		let payload = Self::rotation_payload(&id, &key, device.key_nonce);
		ensure!(
			attestation::verify_raw(&device.hardware_key, &payload, &hw_signature),
			Error::<T>::InvalidHardwareSignature
		);
		device.key_nonce = device.key_nonce.checked_add(1).ok_or(Error::<T>::Overflow)?;
		device.operational_key = key.clone();
		Devices::<T>::insert(id, device);
		Self::deposit_event(Event::OperationalKeyRotated { device: id, key });
		Ok(())
	}

	/// What the hardware key signs to set (or, with `None`, remove) an aggregation key.
	pub fn aggregation_key_payload(device: &DeviceId, key: Option<[u8; 48]>, nonce: u32) -> alloc::vec::Vec<u8> {
		(AGGREGATION_KEY_TAG, Self::genesis_hash(), device, key, nonce).encode()
	}

	pub(crate) fn do_set_aggregation_key(
		who: T::AccountId,
		id: DeviceId,
		key: Option<AggregationKeyProof>,
		hw_signature: RawSignature,
	) -> DispatchResult {
		let mut device = Self::owned_device(&who, &id)?;
		ensure!(!device.revoked, Error::<T>::DeviceRevoked);
		let public = key.map(|k| k.public);
		let payload = Self::aggregation_key_payload(&id, public, device.key_nonce);
		ensure!(
			attestation::verify_raw(&device.hardware_key, &payload, &hw_signature),
			Error::<T>::InvalidHardwareSignature
		);
		let verified = match key {
			Some(k) => Some(crate::bls::verify_proof_of_possession(&k.public, &k.proof_of_possession).map_err(
				|e| match e {
					crate::bls::BlsError::InvalidPublicKey => Error::<T>::InvalidAggregationKey,
					crate::bls::BlsError::InvalidProofOfPossession => Error::<T>::InvalidProofOfPossession,
				},
			)?),
			None => None,
		};
		device.key_nonce = device.key_nonce.checked_add(1).ok_or(Error::<T>::Overflow)?;
		device.aggregation_key = verified;
		Devices::<T>::insert(id, device);
		Self::deposit_event(Event::AggregationKeySet { device: id, key: public });
		Ok(())
	}

	pub(crate) fn do_set_location(who: T::AccountId, id: DeviceId, location: H3Cell) -> DispatchResult {
		let mut device = Self::owned_device(&who, &id)?;
		Self::ensure_location(&location)?;
		ensure!(device.location != Some(location), Error::<T>::SameLocation);
		let now = frame_system::Pallet::<T>::block_number();
		// The first declaration is free; moves are rate limited, since each one resets
		// the coverage trust the device earned where it was.
		if device.location.is_some() {
			let allowed_at = device
				.location_updated_at
				.checked_add(&T::LocationUpdateInterval::get())
				.ok_or(Error::<T>::Overflow)?;
			ensure!(now >= allowed_at, Error::<T>::LocationUpdateTooSoon);
		}
		let from = device.location.replace(location);
		device.location_updated_at = now;
		Devices::<T>::insert(id, device);
		Self::deposit_event(Event::DeviceMoved { device: id, from, to: location });
		Ok(())
	}

	pub(crate) fn do_offer_transfer(who: T::AccountId, id: DeviceId, to: T::AccountId) -> DispatchResult {
		Self::owned_device(&who, &id)?;
		ensure!(who != to, Error::<T>::TransferToSelf);
		PendingTransfers::<T>::insert(id, &to);
		Self::deposit_event(Event::TransferOffered { device: id, from: who, to });
		Ok(())
	}

	pub(crate) fn do_accept_transfer(who: T::AccountId, id: DeviceId) -> DispatchResult {
		ensure!(PendingTransfers::<T>::get(id).as_ref() == Some(&who), Error::<T>::NoPendingTransfer);
		let mut device = Devices::<T>::get(id).ok_or(Error::<T>::DeviceNotFound)?;
		let from = device.owner.clone();
		let bond = T::DeviceBond::get();
		// Commit the new owner's bond first: if it cannot, nothing has changed.
		T::Bonds::require_bond(&who, BondPurpose::Device, id, bond)?;
		// The seller's commitment stays slashable, as released, for offences from before
		// the sale.
		T::Bonds::release_bond(&from, id)?;
		PendingTransfers::<T>::remove(id);
		DevicesByOwner::<T>::remove(&from, id);
		DevicesByOwner::<T>::insert(&who, id, ());
		device.owner = who.clone();
		device.bond = bond;
		Devices::<T>::insert(id, device);
		Self::deposit_event(Event::DeviceTransferred { device: id, from, to: who });
		Ok(())
	}

	pub(crate) fn do_deregister(who: T::AccountId, id: DeviceId) -> DispatchResult {
		let device = Self::owned_device(&who, &id)?;
		T::Bonds::release_and_unbond(&who, id)?;
		Devices::<T>::remove(id);
		DevicesByOwner::<T>::remove(&who, id);
		PendingTransfers::<T>::remove(id);
		if let Some(leaf) = device.serials.first() {
			if DeviceBySerial::<T>::get(device.manufacturer, leaf) == Some(id) {
				DeviceBySerial::<T>::remove(device.manufacturer, leaf);
			}
		}
		DeviceCount::<T>::mutate(|c| *c = c.saturating_sub(1));
		Manufacturers::<T>::mutate(device.manufacturer, |m| {
			if let Some(m) = m {
				m.devices = m.devices.saturating_sub(1);
			}
		});
		Self::deposit_event(Event::DeviceDeregistered { device: id, owner: who });
		Ok(())
	}

	/// Commit what the device's bond lacks after a slash (or its pool losing stake), from
	/// the owner's bond or pool, so it is `Active` again.
	pub(crate) fn do_top_up_bond(who: T::AccountId, id: DeviceId) -> DispatchResult {
		let mut device = Self::owned_device(&who, &id)?;
		let bond = T::DeviceBond::get();
		let shortfall = T::Bonds::commitment(&who, id).map_or(bond, |c| c.shortfall());
		ensure!(!shortfall.is_zero() || device.bond != bond, Error::<T>::FullyBonded);
		T::Bonds::require_bond(&who, BondPurpose::Device, id, bond)?;
		device.bond = bond;
		Devices::<T>::insert(id, device);
		Self::deposit_event(Event::BondToppedUp { device: id, owner: who, amount: shortfall });
		Ok(())
	}

	pub(crate) fn do_mark_revoked(id: DeviceId) -> DispatchResult {
		let mut device = Devices::<T>::get(id).ok_or(Error::<T>::DeviceNotFound)?;
		ensure!(!device.revoked, Error::<T>::DeviceRevoked);
		let serial = Self::revoked_serial(&device).ok_or(Error::<T>::NotRevoked)?;
		device.revoked = true;
		Devices::<T>::insert(id, device);
		Self::deposit_event(Event::DeviceRevoked { device: id, serial });
		Ok(())
	}
}
