//! Benchmarks of every call, each in its worst case. Registration verifies real P-256
//! chains (the fixtures) inside the runtime, with the anchoring root tried last.

use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{EnsureOrigin, Get},
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use machina_primitives::{device_id_of, DeviceId, H3Cell, OperationalKey};
use sp_runtime::traits::{One, Saturating};

use crate::{fixtures, pallet::*, BenchmarkHelper, *};

fn op_key(n: u8) -> OperationalKey {
	OperationalKey::Ed25519(sp_core::ed25519::Public::from_raw([n; 32]))
}

/// A manufacturer with `MaxRoots` roots, the fixtures' root last (index `MaxRoots - 1`,
/// which the attestations name).
fn manufacturer<T: Config>() -> ManufacturerId {
	free_fixture_root::<T>();
	let max = T::MaxRoots::get();
	let mut roots: Vec<PublicKey> = (1..max).map(|i| fixtures::p256_public(&[i as u8; 32])).collect();
	roots.push(PublicKey::P256(*fixtures::acme::ROOT_PUB));
	Pallet::<T>::do_register_manufacturer(
		BoundedVec::truncate_from(b"Acme Sensors".to_vec()),
		BoundedVec::truncate_from(roots),
	)
	.expect("valid manufacturer")
}

/// "Trusted Modules": the RSA-3072 root of the TPM fixtures, at index 0.
fn rsa_manufacturer<T: Config>() -> ManufacturerId {
	Pallet::<T>::do_register_manufacturer(
		BoundedVec::truncate_from(b"Trusted Modules".to_vec()),
		BoundedVec::truncate_from(alloc::vec![PublicKey::Rsa(BoundedVec::truncate_from(
			fixtures::tpm::ROOT_PUB.to_vec()
		))]),
	)
	.expect("valid manufacturer")
}

/// The fixtures' root may already belong to a genesis manufacturer (the mock's): free
/// it, so the benchmark's manufacturer can own it.
fn free_fixture_root<T: Config>() {
	RootOwners::<T>::remove(key_id_of(&PublicKey::P256(*fixtures::acme::ROOT_PUB)));
}

fn setup<T: Config>(devices: u32) -> (T::AccountId, ManufacturerId) {
	T::BenchmarkHelper::set_unix_time(fixtures::time::VALID);
	frame_system::Pallet::<T>::set_block_number(One::one());
	let owner: T::AccountId = whitelisted_caller();
	T::BenchmarkHelper::bond_for_devices(&owner, devices);
	(owner, manufacturer::<T>())
}

/// The root index the benchmark attestations name.
fn root<T: Config>() -> RootIndex {
	(T::MaxRoots::get() - 1) as RootIndex
}

/// The block hardware signatures name: the parent of the current one.
fn reference<T: Config>() -> BlockNumberFor<T> {
	frame_system::Pallet::<T>::block_number().saturating_sub(One::one())
}

fn registration<T: Config>(m: ManufacturerId, owner: &T::AccountId, key_der: &[u8]) -> HardwareSignature {
	fixtures::sign_p256(
		&fixtures::p256_secret(key_der),
		&Pallet::<T>::registration_payload(m, owner, &op_key(1), reference::<T>()),
	)
}

fn attestation<T: Config>(m: ManufacturerId, certs: &[&[u8]]) -> Attestation {
	Attestation::X509 { manufacturer: m, root: root::<T>(), chain: fixtures::chain(certs) }
}

/// Register the fixture chain of `n` certificates for `owner`.
fn registered<T: Config>(owner: &T::AccountId, m: ManufacturerId, n: u32) -> DeviceId {
	let (certs, key) = fixtures::acme::chain_of(n);
	let sig = registration::<T>(m, owner, key);
	Pallet::<T>::do_register_device(
		owner.clone(),
		attestation::<T>(m, certs),
		op_key(1),
		Some(cell(9)),
		reference::<T>(),
		sig,
	)
	.expect("registers");
	device_id_of(fixtures::p256_public(&fixtures::p256_secret(key)).as_bytes())
}

/// A manufacturer policy as demanding as they come: the device policy OID, and the
/// most pinned intermediates with the chain's own last.
fn strict_policy<T: Config>(m: ManufacturerId) {
	let mut pinned: Vec<KeyId> = (1..MAX_PINNED_INTERMEDIATES).map(|i| KeyId::repeat_byte(i as u8)).collect();
	pinned.push(key_id_of(&attestation::certificate_key(fixtures::acme::INT1).expect("valid")));
	ManufacturerPolicies::<T>::insert(
		m,
		ManufacturerPolicy {
			required_leaf_oid: Some(BoundedVec::truncate_from(fixtures::acme::DEVICE_POLICY_OID.to_vec())),
			issuing_intermediates: BoundedVec::truncate_from(pinned),
			..Default::default()
		},
	);
}

fn cell(res: u8) -> H3Cell {
	let mut index: u64 = 1 << 59 | (res as u64) << 52 | 20 << 45;
	for d in res..15 {
		index |= 7 << ((14 - d) * 3);
	}
	H3Cell::new(index).expect("valid cell")
}

fn advance<T: Config>(blocks: BlockNumberFor<T>) {
	let mut now = frame_system::Pallet::<T>::block_number();
	let target = now.saturating_add(blocks);
	while now < target {
		frame_system::BlockHash::<T>::insert(now, T::Hash::default());
		now = now.saturating_add(One::one());
	}
	frame_system::Pallet::<T>::set_block_number(target);
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_manufacturer(r: Linear<1, { T::MaxRoots::get() }>) -> Result<(), BenchmarkError> {
		let origin = T::ManufacturerOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let roots: Vec<PublicKey> = (0..r).map(|i| fixtures::p256_public(&[i as u8 + 1; 32])).collect();
		let name = BoundedVec::truncate_from(alloc::vec![b'm'; T::MaxNameLen::get() as usize]);
		let id = NextManufacturerId::<T>::get();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, name, BoundedVec::truncate_from(roots));
		assert!(Manufacturers::<T>::contains_key(id));
		Ok(())
	}

	#[benchmark]
	fn add_root() -> Result<(), BenchmarkError> {
		let origin = T::ManufacturerOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let roots: Vec<PublicKey> = (1..T::MaxRoots::get()).map(|i| fixtures::p256_public(&[i as u8; 32])).collect();
		let m = Pallet::<T>::do_register_manufacturer(
			BoundedVec::truncate_from(b"m".to_vec()),
			BoundedVec::truncate_from(roots),
		)
		.expect("valid");
		free_fixture_root::<T>();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, m, PublicKey::P256(*fixtures::acme::ROOT_PUB));
		assert_eq!(Manufacturers::<T>::get(m).unwrap().roots.len() as u32, T::MaxRoots::get());
		Ok(())
	}

	#[benchmark]
	fn revoke_root() -> Result<(), BenchmarkError> {
		let origin = T::ManufacturerOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let (_, m) = setup::<T>(0);
		let last = (T::MaxRoots::get() - 1) as RootIndex;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, m, last);
		assert!(Manufacturers::<T>::get(m).unwrap().roots[last as usize].revoked);
		Ok(())
	}

	#[benchmark]
	fn set_manufacturer_status() -> Result<(), BenchmarkError> {
		let origin = T::ManufacturerOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let (_, m) = setup::<T>(0);
		#[extrinsic_call]
		suspend_manufacturer(origin as T::RuntimeOrigin, m);
		assert_eq!(Manufacturers::<T>::get(m).unwrap().status, ManufacturerStatus::Suspended);
		Ok(())
	}

	/// Revoking a registered device's leaf certificate: the leaf index is read.
	#[benchmark]
	fn revoke_certificate() -> Result<(), BenchmarkError> {
		let origin = T::ManufacturerOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let (owner, m) = setup::<T>(1);
		let device = registered::<T>(&owner, m, 1);
		let leaf = Devices::<T>::get(device).unwrap().certificates[0].clone();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, m, leaf.issuer, leaf.serial);
		assert!(Pallet::<T>::device(device).unwrap().revoked);
		Ok(())
	}

	#[benchmark]
	fn unrevoke_certificate() -> Result<(), BenchmarkError> {
		let origin = T::ManufacturerOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let (owner, m) = setup::<T>(1);
		let device = registered::<T>(&owner, m, 1);
		let leaf = Devices::<T>::get(device).unwrap().certificates[0].clone();
		Pallet::<T>::do_revoke_certificate(m, leaf.issuer, leaf.serial.clone()).expect("revokes");
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, leaf.issuer, leaf.serial);
		assert!(!Pallet::<T>::device(device).unwrap().revoked);
		Ok(())
	}

	#[benchmark]
	fn set_manufacturer_policy() -> Result<(), BenchmarkError> {
		let origin = T::ManufacturerOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let (_, m) = setup::<T>(0);
		let policy = ManufacturerPolicy {
			required_leaf_oid: Some(BoundedVec::truncate_from(alloc::vec![0x2b; MAX_OID_LEN as usize])),
			issuing_intermediates: BoundedVec::truncate_from(
				(0..MAX_PINNED_INTERMEDIATES).map(|i| KeyId::repeat_byte(i as u8)).collect::<Vec<_>>(),
			),
			identity: IdentityKind::DiceDeviceId,
			firmware: Some(FirmwarePolicy {
				allowed_fwids: BoundedVec::truncate_from(
					(0..MAX_FIRMWARE_DIGESTS)
						.map(|i| BoundedVec::truncate_from(alloc::vec![i as u8; MAX_DIGEST_LEN as usize]))
						.collect::<Vec<_>>(),
				),
				min_svn: 1,
			}),
		};
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, m, policy.clone());
		assert_eq!(ManufacturerPolicies::<T>::get(m), policy);
		Ok(())
	}

	/// A P-256 chain of `c` certificates (`c = 5`: four plus the root certificate),
	/// under the strictest manufacturer policy (every chain of two or more goes through
	/// the pinned int1), while the manufacturer has revocations: every certificate is
	/// looked up on the list.
	#[benchmark]
	fn register_device_x509(c: Linear<1, 5>) {
		let (owner, m) = setup::<T>(1);
		if c > 1 {
			strict_policy::<T>(m);
		}
		Pallet::<T>::do_revoke_certificate(m, KeyId::repeat_byte(0xee), BoundedVec::truncate_from(alloc::vec![1]))
			.expect("revokes");
		let (certs, key) = fixtures::acme::chain_of(c);
		let sig = registration::<T>(m, &owner, key);
		#[extrinsic_call]
		register_device(
			RawOrigin::Signed(owner.clone()),
			attestation::<T>(m, certs),
			op_key(1),
			Some(cell(9)),
			reference::<T>(),
			sig,
		);
		assert_eq!(DeviceCount::<T>::get(), 1);
	}

	/// A one-certificate chain whose leaf is as large as the runtime allows, with many
	/// extensions: what parsing costs beyond a typical certificate, charged per
	/// certificate of every chain.
	#[benchmark]
	fn register_device_x509_fat() {
		let (owner, m) = setup::<T>(1);
		let sig = registration::<T>(m, &owner, fixtures::acme::FAT_KEY);
		#[extrinsic_call]
		register_device(
			RawOrigin::Signed(owner.clone()),
			attestation::<T>(m, &[fixtures::acme::FAT]),
			op_key(1),
			Some(cell(9)),
			reference::<T>(),
			sig,
		);
		assert_eq!(DeviceCount::<T>::get(), 1);
	}

	/// An RSA-3072 chain of `c` certificates (every CA signing with PSS-SHA256), under an
	/// RSA-3072 root named by the attestation, the device's RSA-3072 key signing the
	/// registration: the slowest algorithm family, while the manufacturer has
	/// revocations.
	#[benchmark]
	fn register_device_x509_rsa(c: Linear<1, 5>) {
		let (owner, _) = setup::<T>(1);
		let m = rsa_manufacturer::<T>();
		Pallet::<T>::do_revoke_certificate(m, KeyId::repeat_byte(0xee), BoundedVec::truncate_from(alloc::vec![1]))
			.expect("revokes");
		let (certs, key) = fixtures::tpm::chain_of(c);
		let sig =
			fixtures::sign_rsa_pkcs1(key, &Pallet::<T>::registration_payload(m, &owner, &op_key(1), reference::<T>()));
		let attestation = Attestation::X509 { manufacturer: m, root: 0, chain: fixtures::chain(certs) };
		#[extrinsic_call]
		register_device(RawOrigin::Signed(owner.clone()), attestation, op_key(1), Some(cell(9)), reference::<T>(), sig);
		assert_eq!(DeviceCount::<T>::get(), 1);
	}

	#[benchmark]
	fn register_device_compact() {
		let (owner, m) = setup::<T>(1);
		// The compact certificate is signed by a root we hold: replace the last root.
		let root_secret = [0x42u8; 32];
		Manufacturers::<T>::mutate(m, |man| {
			let man = man.as_mut().unwrap();
			let last = man.roots.len() - 1;
			man.roots[last].key = fixtures::p256_public(&root_secret);
		});
		let device_secret = [0x07u8; 32];
		let hw = fixtures::p256_public(&device_secret);
		let cert = fixtures::compact_p256(m, &root_secret, hw, &[1], fixtures::time::BEFORE, fixtures::time::EXPIRED);
		let sig = fixtures::sign_p256(
			&device_secret,
			&Pallet::<T>::registration_payload(m, &owner, &op_key(1), reference::<T>()),
		);
		let attestation = Attestation::Compact { root: root::<T>(), certificate: cert };
		#[extrinsic_call]
		register_device(RawOrigin::Signed(owner.clone()), attestation, op_key(1), Some(cell(9)), reference::<T>(), sig);
		assert_eq!(DeviceCount::<T>::get(), 1);
	}

	/// A device with the longest chain while its manufacturer has revocations: every
	/// certificate checked against the revocation list.
	#[benchmark]
	fn reattest() {
		let (owner, m) = setup::<T>(1);
		let device = registered::<T>(&owner, m, 4);
		Pallet::<T>::do_revoke_certificate(m, KeyId::repeat_byte(0xee), BoundedVec::truncate_from(alloc::vec![1]))
			.expect("revokes");
		advance::<T>(T::ReattestationWindow::get());
		let reference = reference::<T>();
		let key = fixtures::acme::chain_of(4).1;
		let sig =
			fixtures::sign_p256(&fixtures::p256_secret(key), &Pallet::<T>::reattestation_payload(&device, reference));
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), device, reference, sig);
		assert_eq!(LastAttestation::<T>::get(device), Some(reference));
	}

	/// `reattest` by an RSA-3072 device (the slowest hardware signature to verify): the
	/// other hardware-signed calls are charged what it costs above a P-256 one.
	#[benchmark]
	fn reattest_rsa() {
		let (owner, _) = setup::<T>(1);
		let m = rsa_manufacturer::<T>();
		let (certs, key) = fixtures::tpm::chain_of(4);
		let sig =
			fixtures::sign_rsa_pkcs1(key, &Pallet::<T>::registration_payload(m, &owner, &op_key(1), reference::<T>()));
		let attestation = Attestation::X509 { manufacturer: m, root: 0, chain: fixtures::chain(certs) };
		Pallet::<T>::do_register_device(owner.clone(), attestation, op_key(1), None, reference::<T>(), sig)
			.expect("registers");
		let device = device_id_of(fixtures::rsa_public(key).as_bytes());
		Pallet::<T>::do_revoke_certificate(m, KeyId::repeat_byte(0xee), BoundedVec::truncate_from(alloc::vec![1]))
			.expect("revokes");
		advance::<T>(T::ReattestationWindow::get());
		let reference = reference::<T>();
		let sig = fixtures::sign_rsa_pkcs1(key, &Pallet::<T>::reattestation_payload(&device, reference));
		#[extrinsic_call]
		reattest(RawOrigin::Signed(owner), device, reference, sig);
		assert_eq!(LastAttestation::<T>::get(device), Some(reference));
	}

	/// `reattest` by a P-384 device (TPM IDevID): what a P-384 verification costs.
	#[benchmark]
	fn reattest_p384() {
		let (owner, _) = setup::<T>(1);
		let m = Pallet::<T>::do_register_manufacturer(
			BoundedVec::truncate_from(b"Trusted Modules P-384".to_vec()),
			BoundedVec::truncate_from(alloc::vec![PublicKey::P384(*fixtures::p384::ROOT_PUB)]),
		)
		.expect("valid manufacturer");
		let secret = fixtures::p384_secret(fixtures::p384::IDEVID_KEY);
		let sig =
			fixtures::sign_p384(&secret, &Pallet::<T>::registration_payload(m, &owner, &op_key(1), reference::<T>()));
		let chain = fixtures::chain(&[fixtures::p384::IDEVID, fixtures::p384::INT]);
		Pallet::<T>::do_register_device(
			owner.clone(),
			Attestation::X509 { manufacturer: m, root: 0, chain },
			op_key(1),
			None,
			reference::<T>(),
			sig,
		)
		.expect("registers");
		let device = device_id_of(fixtures::p384_public(&secret).as_bytes());
		advance::<T>(T::ReattestationWindow::get());
		let reference = reference::<T>();
		let sig = fixtures::sign_p384(&secret, &Pallet::<T>::reattestation_payload(&device, reference));
		#[extrinsic_call]
		reattest(RawOrigin::Signed(owner), device, reference, sig);
		assert_eq!(LastAttestation::<T>::get(device), Some(reference));
	}

	#[benchmark]
	fn rotate_operational_key() {
		let (owner, m) = setup::<T>(1);
		let device = registered::<T>(&owner, m, 1);
		let key = fixtures::acme::chain_of(1).1;
		let new_key = op_key(2);
		let sig = fixtures::sign_p256(
			&fixtures::p256_secret(key),
			&Pallet::<T>::rotation_payload(&owner, &device, &new_key, 0),
		);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), device, new_key.clone(), sig);
		assert_eq!(Devices::<T>::get(device).unwrap().operational_key, Some(new_key));
	}

	/// Replacing a key: the proof of possession (hash to G2 and two pairings)
	/// dominates; the old key leaves the index, the new one enters it.
	#[benchmark]
	fn set_aggregation_key() {
		let (owner, m) = setup::<T>(1);
		let device = registered::<T>(&owner, m, 1);
		let key = fixtures::acme::chain_of(1).1;
		let first = fixtures::bls_key(6, &device);
		let sig = fixtures::sign_p256(
			&fixtures::p256_secret(key),
			&Pallet::<T>::aggregation_key_payload(&owner, &device, Some(first.public), 0),
		);
		Pallet::<T>::do_set_aggregation_key(owner.clone(), device, Some(first), sig).expect("sets");
		let bls = fixtures::bls_key(7, &device);
		let sig = fixtures::sign_p256(
			&fixtures::p256_secret(key),
			&Pallet::<T>::aggregation_key_payload(&owner, &device, Some(bls.public), 1),
		);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), device, Some(bls), sig);
		assert!(Devices::<T>::get(device).unwrap().aggregation_key.is_some());
	}

	#[benchmark]
	fn set_location() {
		let (owner, m) = setup::<T>(1);
		let device = registered::<T>(&owner, m, 1);
		T::BenchmarkHelper::set_unix_time(fixtures::time::VALID + T::LocationUpdateInterval::get());
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), device, cell(10));
		assert_eq!(Devices::<T>::get(device).unwrap().location, Some(cell(10)));
	}

	#[benchmark]
	fn offer_transfer() {
		let (owner, m) = setup::<T>(1);
		let device = registered::<T>(&owner, m, 1);
		let to: T::AccountId = account("buyer", 0, 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), device, to.clone());
		assert_eq!(PendingTransfers::<T>::get(device).map(|o| o.to), Some(to));
	}

	#[benchmark]
	fn cancel_transfer() {
		let (owner, m) = setup::<T>(1);
		let device = registered::<T>(&owner, m, 1);
		let to: T::AccountId = account("buyer", 0, 0);
		Pallet::<T>::do_offer_transfer(owner.clone(), device, to).expect("offered");
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), device);
		assert!(PendingTransfers::<T>::get(device).is_none());
	}

	/// The device has an aggregation key, which leaves the index.
	#[benchmark]
	fn accept_transfer() {
		let (owner, m) = setup::<T>(1);
		let device = registered::<T>(&owner, m, 1);
		let bls = fixtures::bls_key(7, &device);
		let sig = fixtures::sign_p256(
			&fixtures::p256_secret(fixtures::acme::chain_of(1).1),
			&Pallet::<T>::aggregation_key_payload(&owner, &device, Some(bls.public), 0),
		);
		Pallet::<T>::do_set_aggregation_key(owner.clone(), device, Some(bls), sig).expect("sets");
		let to: T::AccountId = account("buyer", 0, 0);
		T::BenchmarkHelper::bond_for_devices(&to, 1);
		Pallet::<T>::do_offer_transfer(owner, device, to.clone()).expect("offered");
		#[extrinsic_call]
		_(RawOrigin::Signed(to.clone()), device);
		assert_eq!(Devices::<T>::get(device).unwrap().owner, to);
	}

	/// A device in good standing whose manufacturer has revocations: its four
	/// certificates are looked up before it leaves.
	#[benchmark]
	fn deregister() {
		let (owner, m) = setup::<T>(1);
		let device = registered::<T>(&owner, m, 4);
		Pallet::<T>::do_revoke_certificate(m, KeyId::repeat_byte(0xee), BoundedVec::truncate_from(alloc::vec![1]))
			.expect("revokes");
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), device);
		assert!(!Devices::<T>::contains_key(device));
	}

	/// Renewing the longest chain under the strictest policy: like a registration,
	/// without the bond.
	#[benchmark]
	fn renew_attestation() {
		let (owner, m) = setup::<T>(1);
		let device = registered::<T>(&owner, m, 4);
		strict_policy::<T>(m);
		advance::<T>(One::one());
		let (certs, key) = fixtures::acme::chain_of(5);
		let reference = reference::<T>();
		let sig = fixtures::sign_p256(
			&fixtures::p256_secret(key),
			&Pallet::<T>::renewal_payload(m, &owner, &device, reference),
		);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), device, attestation::<T>(m, certs), reference, sig);
		assert_eq!(LastAttestation::<T>::get(device), Some(reference));
	}

	/// A slash left the bond short: the missing part is committed again.
	#[benchmark]
	fn top_up_bond() {
		let (owner, m) = setup::<T>(2);
		let device = registered::<T>(&owner, m, 1);
		T::BenchmarkHelper::slash_device_bond(&owner, device);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), device);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
