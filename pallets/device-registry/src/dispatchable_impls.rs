//! The logic behind the dispatchables. Every `do_*` checks everything before it writes,
//! so a failed call leaves no trace even outside a transactional layer.

use crate::{
	attestation::{self, AttestationError, Policy},
	*,
};
use codec::Encode;
use frame_support::storage::{with_transaction, TransactionOutcome};
use frame_support::{
	pallet_prelude::*,
	traits::{Get, UnixTime},
};
use frame_system::pallet_prelude::BlockNumberFor;
use machina_primitives::{
	device_id_of, BondManager, BondPurpose, BondSlasher, DeviceId, H3Cell, Offence, OffenceKind, OnSignerRetired,
	OperationalKey, SlashTarget,
};
use sp_runtime::traits::{BlockNumberProvider, Saturating, Zero};

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
			A::LeafPolicyMismatch => Error::LeafPolicyMismatch,
			A::IssuerNotPinned => Error::IssuerNotPinned,
			A::NotADiceChain => Error::NotADiceChain,
			A::FirmwareNotAllowed => Error::FirmwareNotAllowed,
			A::FirmwareTooOld => Error::FirmwareTooOld,
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The chain's genesis hash: every hardware signature binds it, so a signature made
	/// for another chain (or a testnet) fails here.
	pub fn genesis_hash() -> T::Hash {
		frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero())
	}

	/// On-chain time, Unix seconds.
	pub(crate) fn now_secs() -> u64 {
		T::UnixTime::now().as_secs()
	}

	/// What `register_device` charges before it runs: X.509
	/// chains by their length, priced at P-256 (the slower algorithm). The attestation
	/// names its root, so one root key is tried.
	pub fn register_weight(attestation: &Attestation) -> Weight {
		match attestation {
			Attestation::X509 { chain, .. } => {
				let c = chain.len() as u32;
				// P-256 and RSA chains are measured; a P-384 chain costs a P-256 one plus,
				// for each of its c certificate signatures and the hardware signature, what
				// a P-384 verification costs above a P-256 one.
				let p384 = T::WeightInfo::register_device_x509(c)
					.saturating_add(Self::p384_signature_extra().saturating_mul(c as u64 + 1));
				// Each certificate may be as large and extension-heavy as the runtime allows.
				let fat = T::WeightInfo::register_device_x509_fat()
					.saturating_sub(T::WeightInfo::register_device_x509(1))
					.saturating_mul(c as u64);
				T::WeightInfo::register_device_x509(c)
					.max(T::WeightInfo::register_device_x509_rsa(c))
					.max(p384)
					.saturating_add(fat)
			},
			Attestation::Compact { .. } => {
				T::WeightInfo::register_device_compact().saturating_add(Self::hardware_signature_extra())
			},
		}
	}

	/// What verifying the slowest hardware signature (RSA-3072 or P-384) costs above the
	/// P-256 one the benchmarks of hardware-signed calls use; added to their weight.
	pub fn hardware_signature_extra() -> Weight {
		T::WeightInfo::reattest_rsa().saturating_sub(T::WeightInfo::reattest()).max(Self::p384_signature_extra())
	}

	/// What a P-384 verification costs above a P-256 one.
	pub fn p384_signature_extra() -> Weight {
		T::WeightInfo::reattest_p384().saturating_sub(T::WeightInfo::reattest())
	}

	/// Verify `attestation` against the root it names, the manufacturer's policy, the
	/// on-chain time and the revocation list.
	pub fn verify_attestation(
		attestation: &Attestation,
		manufacturer: &ManufacturerOf<T>,
	) -> Result<VerifiedAttestation, Error<T>> {
		let root = manufacturer.roots.get(attestation.root() as usize).ok_or(Error::<T>::RootNotFound)?;
		let manufacturer_policy = ManufacturerPolicies::<T>::get(attestation.manufacturer());
		let policy = Policy {
			root,
			now: Self::now_secs(),
			is_revoked: |c: &CertificateRef| RevokedCertificates::<T>::contains_key(c.issuer, &c.serial),
			max_intermediates: T::MaxIntermediates::get(),
			max_certificate_len: T::MaxCertificateLen::get(),
			manufacturer: &manufacturer_policy,
		};
		let verified = match attestation {
			Attestation::X509 { chain, .. } => {
				let certs: alloc::vec::Vec<&[u8]> = chain.iter().map(|c| &c[..]).collect();
				attestation::verify_x509_chain(&certs, &policy)
			},
			Attestation::Compact { certificate, .. } => attestation::verify_compact(certificate, &policy),
		};
		verified.map_err(Into::into)
	}

	/// Check a root key for a new slot of `manufacturer`: valid, and no manufacturer's
	/// root yet.
	fn check_new_root(key: &PublicKey) -> Result<(PublicKey, KeyId), DispatchError> {
		let key = attestation::validate_key(key).map_err(Error::<T>::from)?;
		let id = key_id_of(&key);
		ensure!(!RootOwners::<T>::contains_key(id), Error::<T>::RootInUse);
		Ok((key, id))
	}

	pub(crate) fn do_register_manufacturer(
		name: BoundedVec<u8, T::MaxNameLen>,
		keys: RootKeysOf<T>,
	) -> Result<ManufacturerId, DispatchError> {
		ensure!(!keys.is_empty(), Error::<T>::NoRoots);
		let mut roots = BoundedVec::<RootKey, T::MaxRoots>::default();
		let mut ids = alloc::vec::Vec::new();
		for key in keys {
			let (key, key_id) = Self::check_new_root(&key)?;
			ensure!(!roots.iter().any(|r| r.key == key), Error::<T>::DuplicateRoot);
			roots.try_push(RootKey { key, revoked: false }).map_err(|_| Error::<T>::TooManyRoots)?;
			ids.push(key_id);
		}
		let id = NextManufacturerId::<T>::get();
		let next = id.checked_add(1).ok_or(Error::<T>::Overflow)?;
		let count = roots.len() as u32;
		for (index, key_id) in ids.into_iter().enumerate() {
			RootOwners::<T>::insert(key_id, (id, index as RootIndex));
		}
		Manufacturers::<T>::insert(
			id,
			Manufacturer { name: name.clone(), roots, status: ManufacturerStatus::Active, devices: 0, revocations: 0 },
		);
		NextManufacturerId::<T>::put(next);
		Self::deposit_event(Event::ManufacturerRegistered { manufacturer: id, name, roots: count });
		Ok(id)
	}

	pub(crate) fn do_add_root(id: ManufacturerId, key: PublicKey) -> DispatchResult {
		Manufacturers::<T>::try_mutate(id, |m| {
			let m = m.as_mut().ok_or(Error::<T>::ManufacturerNotFound)?;
			let key = attestation::validate_key(&key).map_err(Error::<T>::from)?;
			ensure!(!m.roots.iter().any(|r| r.key == key), Error::<T>::DuplicateRoot);
			let (key, key_id) = Self::check_new_root(&key)?;
			let index = m.roots.len() as RootIndex;
			m.roots.try_push(RootKey { key: key.clone(), revoked: false }).map_err(|_| Error::<T>::TooManyRoots)?;
			RootOwners::<T>::insert(key_id, (id, index));
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

	pub(crate) fn do_set_manufacturer_policy(id: ManufacturerId, policy: ManufacturerPolicy) -> DispatchResult {
		let manufacturer = Manufacturers::<T>::get(id).ok_or(Error::<T>::ManufacturerNotFound)?;
		// What a device *is* cannot change under registered devices: they would be
		// stranded, and their hardware could register again under the other identity.
		ensure!(
			manufacturer.devices == 0 || ManufacturerPolicies::<T>::get(id).identity == policy.identity,
			Error::<T>::IdentityChangeWithDevices
		);
		if let Some(firmware) = &policy.firmware {
			ensure!(firmware.allowed_fwids.iter().all(|d| matches!(d.len(), 32 | 48 | 64)), Error::<T>::InvalidPolicy);
		}
		if let Some(oid) = &policy.required_leaf_oid {
			der::asn1::ObjectIdentifier::from_bytes(oid).map_err(|_| Error::<T>::InvalidPolicy)?;
		}
		ManufacturerPolicies::<T>::insert(id, &policy);
		Self::deposit_event(Event::ManufacturerPolicySet { manufacturer: id, policy });
		Ok(())
	}

	pub(crate) fn do_revoke_certificate(id: ManufacturerId, issuer: KeyId, serial: Serial) -> DispatchResult {
		let serial = attestation::normalise_serial(&serial).map_err(Error::<T>::from)?;
		ensure!(!RevokedCertificates::<T>::contains_key(issuer, &serial), Error::<T>::AlreadyRevoked);
		// Devices read revocations only while their own manufacturer counts some: one
		// filed under the wrong manufacturer would not show. Refuse it where the runtime
		// can tell: an issuer that is another manufacturer's root, a leaf of another's
		// device.
		ensure!(RootOwners::<T>::get(issuer).is_none_or(|(owner, _)| owner == id), Error::<T>::ManufacturerMismatch);
		ensure!(
			DeviceByCertificate::<T>::get(issuer, &serial)
				.and_then(Devices::<T>::get)
				.is_none_or(|d| d.manufacturer == id),
			Error::<T>::ManufacturerMismatch
		);
		Manufacturers::<T>::try_mutate(id, |m| -> DispatchResult {
			let m = m.as_mut().ok_or(Error::<T>::ManufacturerNotFound)?;
			m.revocations = m.revocations.checked_add(1).ok_or(Error::<T>::Overflow)?;
			Ok(())
		})?;
		let revoked_at = frame_system::Pallet::<T>::block_number();
		RevokedCertificates::<T>::insert(issuer, &serial, Revocation { manufacturer: id, revoked_at });
		let device = DeviceByCertificate::<T>::get(issuer, &serial);
		if let Some(device) = device {
			RevokedHardware::<T>::insert(device, CertificateRef { issuer, serial: serial.clone() });
		}
		Self::deposit_event(Event::CertificateRevoked { manufacturer: id, issuer, serial, device });
		Ok(())
	}

	pub(crate) fn do_unrevoke_certificate(issuer: KeyId, serial: Serial) -> DispatchResult {
		let serial = attestation::normalise_serial(&serial).map_err(Error::<T>::from)?;
		let entry = RevokedCertificates::<T>::take(issuer, &serial).ok_or(Error::<T>::NotRevoked)?;
		// The hardware stays marked while another certificate of its own is revoked (a
		// DICE device has two).
		if let Some(id) = DeviceByCertificate::<T>::get(issuer, &serial) {
			let still = Devices::<T>::get(id).and_then(|d| {
				Self::own_certificates(&d.certificates, d.own_certificates)
					.iter()
					.find(|c| RevokedCertificates::<T>::contains_key(c.issuer, &c.serial))
					.cloned()
			});
			match still {
				Some(c) => RevokedHardware::<T>::insert(id, c),
				None => RevokedHardware::<T>::remove(id),
			}
		}
		Manufacturers::<T>::mutate(entry.manufacturer, |m| {
			if let Some(m) = m {
				m.revocations = m.revocations.saturating_sub(1);
			}
		});
		Self::deposit_event(Event::CertificateUnrevoked { manufacturer: entry.manufacturer, issuer, serial });
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

	/// What the hardware key signs to register under `manufacturer` for `owner`, naming
	/// `reference_block` (a recent block; its hash is bound).
	pub fn registration_payload(
		manufacturer: ManufacturerId,
		owner: &T::AccountId,
		key: &OperationalKey,
		reference_block: BlockNumberFor<T>,
	) -> alloc::vec::Vec<u8> {
		let hash = frame_system::Pallet::<T>::block_hash(reference_block);
		(REGISTER_TAG, Self::genesis_hash(), manufacturer, owner, key, reference_block, hash).encode()
	}

	/// What the hardware key signs to re-attest at `reference_block`.
	pub fn reattestation_payload(device: &DeviceId, reference_block: BlockNumberFor<T>) -> alloc::vec::Vec<u8> {
		let hash = frame_system::Pallet::<T>::block_hash(reference_block);
		(REATTEST_TAG, Self::genesis_hash(), device, reference_block, hash).encode()
	}

	/// What the hardware key signs to take a new chain of `manufacturer`, for `owner`.
	pub fn renewal_payload(
		manufacturer: ManufacturerId,
		owner: &T::AccountId,
		device: &DeviceId,
		reference_block: BlockNumberFor<T>,
	) -> alloc::vec::Vec<u8> {
		let hash = frame_system::Pallet::<T>::block_hash(reference_block);
		(RENEW_TAG, Self::genesis_hash(), manufacturer, owner, device, reference_block, hash).encode()
	}

	/// What the hardware key signs to make `key` the operational key at `nonce`, for
	/// `owner`: a signature made for one owner is useless to the next.
	pub fn rotation_payload(
		owner: &T::AccountId,
		device: &DeviceId,
		key: &OperationalKey,
		nonce: u32,
	) -> alloc::vec::Vec<u8> {
		(ROTATE_KEY_TAG, Self::genesis_hash(), owner, device, key, nonce).encode()
	}

	/// What the hardware key signs to set (or, with `None`, remove) an aggregation key.
	pub fn aggregation_key_payload(
		owner: &T::AccountId,
		device: &DeviceId,
		key: Option<[u8; 48]>,
		nonce: u32,
	) -> alloc::vec::Vec<u8> {
		(AGGREGATION_KEY_TAG, Self::genesis_hash(), owner, device, key, nonce).encode()
	}

	/// A hardware signature names `reference_block`: a past block at most
	/// `ReattestationWindow` old, and later than any block this hardware key signed
	/// before, even under an earlier registration. So no signature works twice, and one
	/// cannot be made ahead of time for use later.
	fn check_reference(device: &DeviceId, reference_block: BlockNumberFor<T>) -> DispatchResult {
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(
			reference_block < now
				&& now.saturating_sub(reference_block) <= T::ReattestationWindow::get()
				&& LastAttestation::<T>::get(device).is_none_or(|last| reference_block > last),
			Error::<T>::StaleReference
		);
		Ok(())
	}

	pub(crate) fn do_register_device(
		owner: T::AccountId,
		attestation: Attestation,
		operational_key: OperationalKey,
		location: Option<H3Cell>,
		reference_block: BlockNumberFor<T>,
		hw_signature: HardwareSignature,
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
		ensure!(!RevokedHardware::<T>::contains_key(device), Error::<T>::DeviceRevoked);
		let own = Self::own_certificates(&verified.certificates, verified.own_certificates);
		ensure!(
			own.iter().all(|c| !DeviceByCertificate::<T>::contains_key(c.issuer, &c.serial)),
			Error::<T>::SerialInUse
		);

		Self::check_reference(&device, reference_block)?;
		let payload = Self::registration_payload(manufacturer_id, &owner, &operational_key, reference_block);
		ensure!(
			attestation::verify_raw(&verified.signing_key, &payload, &hw_signature),
			Error::<T>::InvalidHardwareSignature
		);
		let count = DeviceCount::<T>::get().checked_add(1).ok_or(Error::<T>::Overflow)?;
		manufacturer.devices = manufacturer.devices.checked_add(1).ok_or(Error::<T>::Overflow)?;

		// The last fallible step; nothing was written before it.
		let bond = T::DeviceBond::get();
		T::Bonds::require_bond(&owner, BondPurpose::Device, device, bond)?;

		let now = frame_system::Pallet::<T>::block_number();
		let now_secs = Self::now_secs();
		LastAttestation::<T>::insert(device, reference_block);
		DeviceCount::<T>::put(count);
		Manufacturers::<T>::insert(manufacturer_id, manufacturer);
		for c in own {
			DeviceByCertificate::<T>::insert(c.issuer, &c.serial, device);
		}
		DevicesByOwner::<T>::insert(&owner, device, ());
		let expires_at = verified.expires_at;
		Devices::<T>::insert(
			device,
			Device {
				owner: owner.clone(),
				bond,
				manufacturer: manufacturer_id,
				root: attestation.root(),
				hardware_key: verified.hardware_key,
				signing_key: verified.signing_key,
				own_certificates: verified.own_certificates,
				certificates: verified.certificates,
				expires_at,
				operational_key: Some(operational_key),
				aggregation_key: None,
				key_nonce: 0,
				location,
				// Zero: never declared, so the first declaration is immediate.
				location_updated_at: if location.is_some() { now_secs } else { 0 },
				registered_at: now,
				attested_at: now_secs,
			},
		);
		Self::deposit_event(Event::DeviceRegistered {
			device,
			owner,
			manufacturer: manufacturer_id,
			bond,
			location,
			expires_at,
		});
		Ok(())
	}

	/// The device's own certificates: the first `own` of its chain.
	pub(crate) fn own_certificates(certificates: &DeviceCertificates, own: u8) -> &[CertificateRef] {
		&certificates[..(own as usize).min(certificates.len())]
	}

	/// Whether a certificate of `device`'s chain is on the revocation list. Reads
	/// nothing while its manufacturer has no revocation; at most one read per
	/// certificate (4) otherwise.
	pub(crate) fn has_revoked_certificate(device: &DeviceOf<T>, manufacturer: &ManufacturerOf<T>) -> bool {
		manufacturer.revocations > 0
			&& device.certificates.iter().any(|c| RevokedCertificates::<T>::contains_key(c.issuer, &c.serial))
	}

	/// Refuse hardware-signed changes to a device that is revoked (root or certificate)
	/// or whose manufacturer is suspended.
	fn ensure_in_good_standing(device: &DeviceOf<T>) -> Result<ManufacturerOf<T>, DispatchError> {
		let manufacturer = Manufacturers::<T>::get(device.manufacturer).ok_or(Error::<T>::ManufacturerNotFound)?;
		ensure!(manufacturer.status == ManufacturerStatus::Active, Error::<T>::ManufacturerSuspended);
		ensure!(manufacturer.roots.get(device.root as usize).is_some_and(|r| !r.revoked), Error::<T>::RootRevoked);
		ensure!(!Self::has_revoked_certificate(device, &manufacturer), Error::<T>::CertificateRevoked);
		Ok(manufacturer)
	}

	pub(crate) fn do_reattest(
		id: DeviceId,
		reference_block: BlockNumberFor<T>,
		hw_signature: HardwareSignature,
	) -> DispatchResult {
		let mut device = Devices::<T>::get(id).ok_or(Error::<T>::DeviceNotFound)?;
		Self::ensure_in_good_standing(&device)?;
		ensure!(Self::now_secs() <= device.expires_at, Error::<T>::AttestationExpired);
		Self::check_reference(&id, reference_block)?;
		let payload = Self::reattestation_payload(&id, reference_block);
		ensure!(
			attestation::verify_raw(&device.signing_key, &payload, &hw_signature),
			Error::<T>::InvalidHardwareSignature
		);
		device.attested_at = Self::now_secs();
		LastAttestation::<T>::insert(id, reference_block);
		Devices::<T>::insert(id, device);
		Self::deposit_event(Event::DeviceReattested { device: id, reference_block });
		Ok(())
	}

	pub(crate) fn do_renew_attestation(
		who: T::AccountId,
		id: DeviceId,
		attestation: Attestation,
		reference_block: BlockNumberFor<T>,
		hw_signature: HardwareSignature,
	) -> DispatchResult {
		let mut device = Self::owned_device(&who, &id)?;
		ensure!(attestation.manufacturer() == device.manufacturer, Error::<T>::ManufacturerMismatch);
		let manufacturer = Manufacturers::<T>::get(device.manufacturer).ok_or(Error::<T>::ManufacturerNotFound)?;
		ensure!(manufacturer.status == ManufacturerStatus::Active, Error::<T>::ManufacturerSuspended);
		// A revoked certificate is not renewed away; a retired (revoked) root is, which
		// is what migration is for.
		ensure!(
			!Self::has_revoked_certificate(&device, &manufacturer) && !RevokedHardware::<T>::contains_key(id),
			Error::<T>::DeviceRevoked
		);
		let verified = Self::verify_attestation(&attestation, &manufacturer)?;
		ensure!(verified.hardware_key == device.hardware_key, Error::<T>::DifferentHardwareKey);
		let own = Self::own_certificates(&verified.certificates, verified.own_certificates);
		ensure!(
			own.iter().all(|c| DeviceByCertificate::<T>::get(c.issuer, &c.serial).is_none_or(|holder| holder == id)),
			Error::<T>::SerialInUse
		);
		Self::check_reference(&id, reference_block)?;
		// Signed by the key of the new chain: after a DICE firmware update the old Alias
		// key is gone.
		let payload = Self::renewal_payload(device.manufacturer, &who, &id, reference_block);
		ensure!(
			attestation::verify_raw(&verified.signing_key, &payload, &hw_signature),
			Error::<T>::InvalidHardwareSignature
		);
		for old in Self::own_certificates(&device.certificates, device.own_certificates) {
			DeviceByCertificate::<T>::remove(old.issuer, &old.serial);
		}
		for c in own {
			DeviceByCertificate::<T>::insert(c.issuer, &c.serial, id);
		}
		LastAttestation::<T>::insert(id, reference_block);
		device.root = attestation.root();
		device.signing_key = verified.signing_key;
		device.own_certificates = verified.own_certificates;
		device.certificates = verified.certificates;
		device.expires_at = verified.expires_at;
		device.attested_at = Self::now_secs();
		let (root, expires_at) = (device.root, device.expires_at);
		Devices::<T>::insert(id, device);
		Self::deposit_event(Event::AttestationRenewed { device: id, root, expires_at });
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
		hw_signature: HardwareSignature,
	) -> DispatchResult {
		let mut device = Self::owned_device(&who, &id)?;
		Self::ensure_in_good_standing(&device)?;
		let payload = Self::rotation_payload(&who, &id, &key, device.key_nonce);
		ensure!(
			attestation::verify_raw(&device.signing_key, &payload, &hw_signature),
			Error::<T>::InvalidHardwareSignature
		);
		device.key_nonce = device.key_nonce.checked_add(1).ok_or(Error::<T>::Overflow)?;
		if let Some(old) = &device.operational_key {
			T::SignerRetired::on_signer_retired(&id, &who, Some(old), false)?;
		}
		device.operational_key = Some(key.clone());
		Devices::<T>::insert(id, device);
		Self::deposit_event(Event::OperationalKeyRotated { device: id, key });
		Ok(())
	}

	pub(crate) fn do_set_aggregation_key(
		who: T::AccountId,
		id: DeviceId,
		key: Option<AggregationKeyProof>,
		hw_signature: HardwareSignature,
	) -> DispatchResult {
		let mut device = Self::owned_device(&who, &id)?;
		Self::ensure_in_good_standing(&device)?;
		let public = key.map(|k| k.public);
		let payload = Self::aggregation_key_payload(&who, &id, public, device.key_nonce);
		ensure!(
			attestation::verify_raw(&device.signing_key, &payload, &hw_signature),
			Error::<T>::InvalidHardwareSignature
		);
		let verified = match key {
			Some(k) => Some(
				crate::bls::verify_proof_of_possession(&k.public, &k.proof_of_possession, id.as_fixed_bytes())
					.map_err(|e| match e {
						crate::bls::BlsError::InvalidPublicKey => Error::<T>::InvalidAggregationKey,
						crate::bls::BlsError::InvalidProofOfPossession => Error::<T>::InvalidProofOfPossession,
					})?,
			),
			None => None,
		};
		if let Some(new) = &verified {
			ensure!(
				AggregationKeyOwners::<T>::get(new).is_none_or(|holder| holder == id),
				Error::<T>::AggregationKeyInUse
			);
		}
		device.key_nonce = device.key_nonce.checked_add(1).ok_or(Error::<T>::Overflow)?;
		if let Some(old) = device.aggregation_key.take() {
			AggregationKeyOwners::<T>::remove(old);
		}
		if let Some(new) = &verified {
			AggregationKeyOwners::<T>::insert(new, id);
		}
		device.aggregation_key = verified;
		Devices::<T>::insert(id, device);
		Self::deposit_event(Event::AggregationKeySet { device: id, key: public });
		Ok(())
	}

	pub(crate) fn do_set_location(who: T::AccountId, id: DeviceId, location: H3Cell) -> DispatchResult {
		let mut device = Self::owned_device(&who, &id)?;
		Self::ensure_location(&location)?;
		ensure!(device.location != Some(location), Error::<T>::SameLocation);
		let now = Self::now_secs();
		// The first declaration is free; moves are rate limited, since each one resets
		// the coverage trust the device earned where it was. A location cleared by a
		// transfer keeps its time, so a sale is no way around the limit.
		if device.location_updated_at != 0 {
			let allowed_at = device.location_updated_at.saturating_add(T::LocationUpdateInterval::get());
			ensure!(now >= allowed_at, Error::<T>::LocationUpdateTooSoon);
		}
		let from = device.location.replace(location);
		device.location_updated_at = now;
		Devices::<T>::insert(id, device);
		Self::deposit_event(Event::DeviceMoved { device: id, from, to: location });
		Ok(())
	}

	/// Refuse to hand over a revoked device: the buyer would carry its slash.
	fn ensure_not_revoked(device: &DeviceOf<T>) -> DispatchResult {
		let manufacturer = Manufacturers::<T>::get(device.manufacturer);
		ensure!(!manufacturer.is_none_or(|m| Self::is_revoked(device, &m)), Error::<T>::DeviceRevoked);
		Ok(())
	}

	pub(crate) fn do_offer_transfer(who: T::AccountId, id: DeviceId, to: T::AccountId) -> DispatchResult {
		let device = Self::owned_device(&who, &id)?;
		Self::ensure_not_revoked(&device)?;
		ensure!(who != to, Error::<T>::TransferToSelf);
		let expires_at = Self::now_secs().saturating_add(T::TransferOfferTtl::get());
		PendingTransfers::<T>::insert(id, TransferOffer { to: to.clone(), expires_at });
		Self::deposit_event(Event::TransferOffered { device: id, from: who, to, expires_at });
		Ok(())
	}

	pub(crate) fn do_cancel_transfer(who: T::AccountId, id: DeviceId) -> DispatchResult {
		Self::owned_device(&who, &id)?;
		PendingTransfers::<T>::take(id).ok_or(Error::<T>::NoPendingTransfer)?;
		Self::deposit_event(Event::TransferCancelled { device: id });
		Ok(())
	}

	pub(crate) fn do_accept_transfer(who: T::AccountId, id: DeviceId) -> DispatchResult {
		let offer = PendingTransfers::<T>::get(id).filter(|o| o.to == who).ok_or(Error::<T>::NoPendingTransfer)?;
		ensure!(Self::now_secs() <= offer.expires_at, Error::<T>::TransferOfferExpired);
		let mut device = Devices::<T>::get(id).ok_or(Error::<T>::DeviceNotFound)?;
		Self::ensure_not_revoked(&device)?;
		let from = device.owner.clone();
		// The seller's key retires first (coverage may refuse), and the device leaves the
		// seller's shard even if it had no key.
		T::SignerRetired::on_signer_retired(&id, &from, device.operational_key.as_ref(), true)?;
		let bond = T::DeviceBond::get();
		// Commit the new owner's bond first: if it cannot, nothing has changed.
		T::Bonds::require_bond(&who, BondPurpose::Device, id, bond)?;
		// The seller's commitment stays slashable, as released, for offences from before
		// the sale.
		T::Bonds::release_bond(&from, id)?;
		PendingTransfers::<T>::remove(id);
		DevicesByOwner::<T>::remove(&from, id);
		DevicesByOwner::<T>::insert(&who, id, ());
		// The seller may still hold these keys: the buyer sets new ones (hardware-signed,
		// bound to the buyer's account).
		if let Some(old) = device.aggregation_key.take() {
			AggregationKeyOwners::<T>::remove(old);
		}
		device.operational_key = None;
		device.location = None;
		device.owner = who.clone();
		device.bond = bond;
		Devices::<T>::insert(id, device);
		Self::deposit_event(Event::DeviceTransferred { device: id, from, to: who });
		Ok(())
	}

	/// Slash the bond of a device whose leaf is revoked, by the governance policy for
	/// revoked devices. A
	/// slasher that refuses (no policy set, which means 0 %) changes nothing.
	fn slash_revoked(who: &T::AccountId, id: DeviceId, device: &DeviceOf<T>) {
		let offence = Offence {
			offender: who.clone(),
			purpose: BondPurpose::Device,
			target: SlashTarget::Commitment(id),
			kind: OffenceKind::RevokedDevice,
			evidence_time: T::Clock::current_block_number(),
			id: sp_io::hashing::blake2_256(&(b"machina:revoked-device", id, device.registered_at).encode()).into(),
		};
		let outcome = with_transaction(|| match T::Slasher::report_offence(offence, None) {
			Ok(outcome) => TransactionOutcome::Commit(Ok(outcome)),
			Err(e) => TransactionOutcome::Rollback(Err(e)),
		});
		if let Ok(outcome) = outcome {
			Self::deposit_event(Event::RevokedDeviceSlashed {
				device: id,
				owner: who.clone(),
				slashed: outcome.slashed,
			});
		}
	}

	pub(crate) fn do_deregister(who: T::AccountId, id: DeviceId) -> DispatchResultWithPostInfo {
		let device = Self::owned_device(&who, &id)?;
		// Evidence against this device: one of its own certificates is revoked. A revoked
		// root or intermediate retires a whole fleet, whose owners did nothing wrong.
		let own = Self::own_certificates(&device.certificates, device.own_certificates);
		let revoked = Manufacturers::<T>::get(device.manufacturer).is_some_and(|m| m.revocations > 0)
			&& own.iter().any(|c| RevokedCertificates::<T>::contains_key(c.issuer, &c.serial));
		if revoked {
			Self::slash_revoked(&who, id, &device);
		}
		T::SignerRetired::on_signer_retired(&id, &who, device.operational_key.as_ref(), true)?;
		T::Bonds::release_and_unbond(&who, id)?;
		Devices::<T>::remove(id);
		DevicesByOwner::<T>::remove(&who, id);
		PendingTransfers::<T>::remove(id);
		for c in own {
			if DeviceByCertificate::<T>::get(c.issuer, &c.serial) == Some(id) {
				DeviceByCertificate::<T>::remove(c.issuer, &c.serial);
			}
		}
		if let Some(key) = device.aggregation_key {
			AggregationKeyOwners::<T>::remove(key);
		}
		// `RevokedHardware` stays: the hardware cannot come back with another certificate.
		DeviceCount::<T>::mutate(|c| *c = c.saturating_sub(1));
		Manufacturers::<T>::mutate(device.manufacturer, |m| {
			if let Some(m) = m {
				m.devices = m.devices.saturating_sub(1);
			}
		});
		Self::deposit_event(Event::DeviceDeregistered { device: id, owner: who });
		// Only a device whose leaf is revoked pays for the slash.
		Ok(if revoked {
			None
		} else {
			Some(T::WeightInfo::deregister().saturating_add(T::SignerRetired::on_signer_retired_weight()))
		}
		.into())
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
}
