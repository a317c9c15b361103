//! Unit tests with real certificate chains (see `fixtures/generate.sh`).

use crate::{fixtures::*, mock::*, *};
use codec::Encode;
use frame_support::{assert_noop, assert_ok, BoundedVec};
use machina_primitives::{device_id_of, DeviceId, DeviceInspect, DeviceStatus, H3Cell, OperationalKey};
use sp_core::H256;
use sp_runtime::DispatchError;

// ---- helpers ----

fn op_key(n: u8) -> OperationalKey {
	OperationalKey::Ed25519(sp_core::ed25519::Public::from_raw([n; 32]))
}

fn p256_device(key_der: &[u8]) -> DeviceId {
	device_id_of(p256_public(&p256_secret(key_der)).as_bytes())
}

fn x509(manufacturer: ManufacturerId, certs: &[&[u8]]) -> Attestation {
	Attestation::X509 { manufacturer, root: 0, chain: chain(certs) }
}

/// The block a hardware signature names now: the parent of the current block.
fn reference() -> u64 {
	System::block_number() - 1
}

/// The registration signature of a P-256 device key for `owner` under `manufacturer`,
/// naming the parent block.
fn p256_registration(
	manufacturer: ManufacturerId,
	owner: AccountId,
	key_der: &[u8],
	op: &OperationalKey,
) -> HardwareSignature {
	sign_p256(&p256_secret(key_der), &Registry::registration_payload(manufacturer, &owner, op, reference()))
}

/// Register `certs` (an Acme P-256 chain) for `owner` with the device key `key_der`.
fn register(owner: AccountId, certs: &[&[u8]], key_der: &[u8]) -> sp_runtime::DispatchResult {
	register_as(owner, ACME, certs, key_der)
}

fn register_as(
	owner: AccountId,
	manufacturer: ManufacturerId,
	certs: &[&[u8]],
	key_der: &[u8],
) -> sp_runtime::DispatchResult {
	let sig = p256_registration(manufacturer, owner, key_der, &op_key(1));
	Registry::register_device(
		RuntimeOrigin::signed(owner),
		x509(manufacturer, certs),
		op_key(1),
		None,
		reference(),
		sig.clone(),
	)
}

/// The key identifier of a certificate's key: the issuer of what it signs.
fn issuer_of(der: &[u8]) -> KeyId {
	key_id_of(&attestation::certificate_key(der).expect("valid certificate"))
}

fn acme_root() -> KeyId {
	key_id_of(&PublicKey::P256(*acme::ROOT_PUB))
}

fn serial(bytes: &[u8]) -> Serial {
	BoundedVec::truncate_from(bytes.to_vec())
}

fn revoke(issuer: KeyId, bytes: &[u8]) -> sp_runtime::DispatchResult {
	Registry::revoke_certificate(RuntimeOrigin::root(), ACME, issuer, serial(bytes))
}

fn status(der_key: &[u8]) -> Option<DeviceStatus> {
	Registry::status(&p256_device(der_key))
}

fn cell(res: u8) -> H3Cell {
	// A valid cell: base cell 20, digits 0 down to `res`, 7 below.
	let mut index: u64 = 1 << 59 | (res as u64) << 52 | 20 << 45;
	for d in res..15 {
		index |= 7 << ((14 - d) * 3);
	}
	H3Cell::new(index).expect("valid cell")
}

fn last_event() -> RuntimeEvent {
	System::events().pop().expect("an event").event
}

fn check_state() {
	Registry::do_try_state().expect("invariants hold");
}

// ---- manufacturers ----

#[test]
fn genesis_registers_manufacturers() {
	new_test_ext().execute_with(|| {
		let m = Registry::manufacturer(ACME).unwrap();
		assert_eq!(m.name, b"Acme Sensors".to_vec());
		assert_eq!(m.roots, vec![RootKey { key: PublicKey::P256(*acme::ROOT_PUB), revoked: false }]);
		assert_eq!(m.status, ManufacturerStatus::Active);
		assert_eq!(m.policy, ManufacturerPolicy::default());
		assert_eq!(NextManufacturerId::<Test>::get(), 2);
		assert_eq!(RootOwners::<Test>::get(acme_root()), Some((ACME, 0)));
		check_state();
	});
}

#[test]
fn manufacturer_management_is_governance_only_and_checked() {
	new_test_ext().execute_with(|| {
		let name: BoundedVec<u8, _> = BoundedVec::truncate_from(b"Other Corp".to_vec());
		let roots = BoundedVec::truncate_from(vec![PublicKey::P256(*other::ROOT_PUB)]);
		assert_noop!(
			Registry::register_manufacturer(RuntimeOrigin::signed(ALICE), name.clone(), roots.clone()),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Registry::register_manufacturer(RuntimeOrigin::root(), name.clone(), Default::default()),
			Error::<Test>::NoRoots
		);
		let twice = BoundedVec::truncate_from(vec![PublicKey::P256(*other::ROOT_PUB); 2]);
		assert_noop!(
			Registry::register_manufacturer(RuntimeOrigin::root(), name.clone(), twice),
			Error::<Test>::DuplicateRoot
		);
		// x = 2^256 - 1 is not a field element; 0x05 ("compact") is a second encoding of a
		// point, refused so that one key has one id.
		let mut off_curve = [0xff; 33];
		off_curve[0] = 0x02;
		let mut compact = *acme::ROOT_PUB;
		compact[0] = 0x05;
		for bad in [off_curve, compact] {
			assert_noop!(
				Registry::register_manufacturer(
					RuntimeOrigin::root(),
					name.clone(),
					BoundedVec::truncate_from(vec![PublicKey::P256(bad)])
				),
				Error::<Test>::InvalidKey
			);
		}
		// A root key belongs to one manufacturer only.
		assert_noop!(
			Registry::register_manufacturer(
				RuntimeOrigin::root(),
				name.clone(),
				BoundedVec::truncate_from(vec![PublicKey::P256(*acme::ROOT_PUB)])
			),
			Error::<Test>::RootInUse
		);
		assert_noop!(
			Registry::add_root(RuntimeOrigin::root(), ACME, PublicKey::Ed25519(*edwards::ROOT_PUB)),
			Error::<Test>::RootInUse
		);
		assert_ok!(Registry::register_manufacturer(RuntimeOrigin::root(), name, roots));
		assert_eq!(Registry::manufacturer(2).unwrap().roots.len(), 1);

		// Roots: add up to MaxRoots (4), revoke once.
		assert_noop!(
			Registry::add_root(RuntimeOrigin::root(), 2, PublicKey::P256(*other::ROOT_PUB)),
			Error::<Test>::DuplicateRoot
		);
		for n in 1..=3u8 {
			assert_ok!(Registry::add_root(RuntimeOrigin::root(), 2, ed25519_public(&[n; 32])));
		}
		assert_eq!(RootOwners::<Test>::get(key_id_of(&ed25519_public(&[3; 32]))), Some((2, 3)));
		assert_noop!(
			Registry::add_root(RuntimeOrigin::root(), 2, ed25519_public(&[9; 32])),
			Error::<Test>::TooManyRoots
		);
		assert_noop!(Registry::revoke_root(RuntimeOrigin::root(), 2, 4), Error::<Test>::RootNotFound);
		assert_ok!(Registry::revoke_root(RuntimeOrigin::root(), 2, 3));
		assert_noop!(Registry::revoke_root(RuntimeOrigin::root(), 2, 3), Error::<Test>::RootAlreadyRevoked);
		assert_noop!(
			Registry::add_root(RuntimeOrigin::root(), 9, ed25519_public(&[9; 32])),
			Error::<Test>::ManufacturerNotFound
		);

		// Suspension.
		assert_noop!(Registry::resume_manufacturer(RuntimeOrigin::root(), 2), Error::<Test>::ManufacturerNotSuspended);
		assert_ok!(Registry::suspend_manufacturer(RuntimeOrigin::root(), 2));
		assert_noop!(Registry::suspend_manufacturer(RuntimeOrigin::root(), 2), Error::<Test>::ManufacturerSuspended);
		assert_ok!(Registry::resume_manufacturer(RuntimeOrigin::root(), 2));

		// The revocation list, by (issuer, serial).
		assert_noop!(
			Registry::revoke_certificate(RuntimeOrigin::signed(ALICE), ACME, acme_root(), serial(&[0x10, 0x01])),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Registry::revoke_certificate(RuntimeOrigin::root(), 9, issuer_of(acme::INT1), serial(&[0x10, 0x01])),
			Error::<Test>::ManufacturerNotFound
		);
		// Filed under the wrong manufacturer, it would not show on Acme's devices.
		assert_noop!(
			Registry::revoke_certificate(RuntimeOrigin::root(), EDWARDS, acme_root(), serial(&[0x10, 0x01])),
			Error::<Test>::ManufacturerMismatch
		);
		assert_ok!(revoke(acme_root(), &[0x00, 0x10, 0x01]));
		// Leading zeros do not make a different serial.
		assert_noop!(revoke(acme_root(), &[0x10, 0x01]), Error::<Test>::AlreadyRevoked);
		assert_eq!(Registry::manufacturer(ACME).unwrap().revocations, 1);
		assert_noop!(
			Registry::unrevoke_certificate(RuntimeOrigin::signed(ALICE), acme_root(), serial(&[0x10, 0x01])),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Registry::unrevoke_certificate(RuntimeOrigin::root(), issuer_of(acme::INT1), serial(&[0x10, 0x01])),
			Error::<Test>::NotRevoked
		);
		assert_ok!(Registry::unrevoke_certificate(RuntimeOrigin::root(), acme_root(), serial(&[0x10, 0x01])));
		assert_eq!(Registry::manufacturer(ACME).unwrap().revocations, 0);
		check_state();
	});
}

#[test]
fn ed25519_keys_of_small_order_or_non_canonical_are_refused() {
	use curve25519_dalek::edwards::CompressedEdwardsY;
	new_test_ext().execute_with(|| {
		let try_root = |key: [u8; 32]| {
			Registry::register_manufacturer(
				RuntimeOrigin::root(),
				BoundedVec::truncate_from(b"Ed".to_vec()),
				BoundedVec::truncate_from(vec![PublicKey::Ed25519(key)]),
			)
		};
		// The identity (y = 1) and the point y = 0 (order 4): signatures under them are
		// forgeable, and the host verifier accepts them.
		let mut identity = [0u8; 32];
		identity[0] = 1;
		assert_noop!(try_root(identity), Error::<Test>::InvalidKey);
		assert_noop!(try_root([0u8; 32]), Error::<Test>::InvalidKey);
		// Not a point at all.
		let not_a_point = (2u8..=255)
			.map(|b| {
				let mut k = [0u8; 32];
				k[0] = b;
				k
			})
			.find(|k| CompressedEdwardsY(*k).decompress().is_none())
			.expect("some y is not on the curve");
		assert_noop!(try_root(not_a_point), Error::<Test>::InvalidKey);
		// y + p for a small y: the same point as y, a second encoding.
		let p_plus = |y: u8| {
			// p = 2^255 - 19, little endian: ed ff .. ff 7f.
			let mut k = [0xffu8; 32];
			k[0] = 0xed;
			k[31] = 0x7f;
			k[0] = k[0].wrapping_add(y);
			k
		};
		let (y, non_canonical) = (1u8..18)
			.map(|y| (y, p_plus(y)))
			.find(|(_, k)| CompressedEdwardsY(*k).decompress().is_some_and(|pt| !pt.is_small_order()))
			.expect("some small y is a point of large order");
		let mut canonical = [0u8; 32];
		canonical[0] = y;
		assert_eq!(
			CompressedEdwardsY(non_canonical).decompress().unwrap().compress().to_bytes(),
			canonical,
			"y + p decodes to the point y"
		);
		assert_noop!(try_root(non_canonical), Error::<Test>::InvalidKey);
		assert_ok!(try_root(canonical));
		// Hardware keys in compact certificates are checked the same way.
		assert_eq!(
			attestation::validate_key(&PublicKey::Ed25519(identity)),
			Err(attestation::AttestationError::InvalidKey)
		);
	});
}

// ---- registration with real chains ----

#[test]
fn p256_chains_of_one_to_four_certificates_register() {
	new_test_ext().execute_with(|| {
		for n in 1..=4 {
			let (certs, key) = acme::chain_of(n);
			assert_ok!(register(ALICE, certs, key));
			let id = p256_device(key);
			let device = Devices::<Test>::get(id).unwrap();
			assert_eq!(device.owner, ALICE);
			assert_eq!(device.certificates.len(), n as usize, "leaf and each intermediate recorded");
			assert_eq!(Registry::status(&id), Some(DeviceStatus::Active));
		}
		assert_eq!(bond_of(ALICE).committed, 4 * DEVICE_BOND);
		assert_eq!(Registry::manufacturer(ACME).unwrap().devices, 4);
		assert_eq!(DeviceCount::<Test>::get(), 4);
		check_state();
	});
}

#[test]
fn a_chain_may_end_with_the_pinned_root_certificate() {
	new_test_ext().execute_with(|| {
		let (certs, key) = acme::chain_of(5);
		assert_eq!(certs.len(), 5);
		assert_ok!(register(ALICE, certs, key));
		assert_eq!(Devices::<Test>::get(p256_device(key)).unwrap().certificates.len(), 4);
		check_state();
	});
}

#[test]
fn registration_records_the_device_and_its_key() {
	new_test_ext().execute_with(|| {
		let (certs, key) = acme::chain_of(2);
		let sig = p256_registration(ACME, ALICE, key, &op_key(3));
		assert_ok!(Registry::register_device(
			RuntimeOrigin::signed(ALICE),
			x509(ACME, certs),
			op_key(3),
			Some(cell(9)),
			reference(),
			sig
		));
		let id = p256_device(key);
		// The DeviceId is the blake2-256 of the compressed hardware key.
		assert_eq!(id, device_id_of(p256_public(&p256_secret(key)).as_bytes()));
		let device = Devices::<Test>::get(id).unwrap();
		// The earliest notAfter of the chain (leaf and int1 were issued together).
		assert!(device.expires_at > time::VALID && device.expires_at < time::EXPIRED);
		assert_eq!(
			last_event(),
			Event::DeviceRegistered {
				device: id,
				owner: ALICE,
				manufacturer: ACME,
				bond: DEVICE_BOND,
				location: Some(cell(9)),
				expires_at: device.expires_at,
			}
			.into()
		);
		assert_eq!(Registry::owner(&id), Some(ALICE));
		assert_eq!(Registry::operational_key(&id), Some(op_key(3)));
		assert_eq!(Registry::location(&id), Some(cell(9)));
		// Each certificate as (issuer, serial): leaf2 by int1, int1 by the root.
		assert_eq!(
			device.certificates.to_vec(),
			vec![
				CertificateRef { issuer: issuer_of(acme::INT1), serial: serial(&[0x10, 0x02]) },
				CertificateRef { issuer: acme_root(), serial: serial(&[0x02, 0x01]) },
			]
		);
		assert_eq!(DeviceByCertificate::<Test>::get(issuer_of(acme::INT1), serial(&[0x10, 0x02])), Some(id));
		assert_eq!(LastAttestation::<Test>::get(id), Some(0));
		assert_eq!(device.attested_at, time::VALID);
	});
}

#[test]
fn ed25519_chain_registers() {
	new_test_ext().execute_with(|| {
		let seed = ed25519_seed(edwards::LEAF_KEY);
		let op = op_key(1);
		let sig = sign_ed25519(&seed, &Registry::registration_payload(EDWARDS, &BOB, &op, reference()));
		assert_ok!(Registry::register_device(
			RuntimeOrigin::signed(BOB),
			x509(EDWARDS, &[edwards::LEAF, edwards::INT]),
			op,
			None,
			reference(),
			sig
		));
		let id = device_id_of(ed25519_public(&seed).as_bytes());
		assert_eq!(Registry::status(&id), Some(DeviceStatus::Active));
		check_state();
	});
}

#[test]
fn compact_certificates_register_under_the_root_they_name() {
	new_test_ext().execute_with(|| {
		// A manufacturer whose roots we hold the secrets of.
		let p256_root = [0x42u8; 32];
		let ed_root = [0x43u8; 32];
		let roots = BoundedVec::truncate_from(vec![p256_public(&p256_root), ed25519_public(&ed_root)]);
		assert_ok!(Registry::register_manufacturer(
			RuntimeOrigin::root(),
			BoundedVec::truncate_from(b"Tiny".to_vec()),
			roots
		));
		let tiny = 2;
		let compact = |root: RootIndex, certificate: CompactCertificate| Attestation::Compact { root, certificate };

		let device_secret = [0x07u8; 32];
		let hw = p256_public(&device_secret);
		let cert = compact_p256(tiny, &p256_root, hw.clone(), &[0x01], time::BEFORE, time::EXPIRED);
		let sig = sign_p256(&device_secret, &Registry::registration_payload(tiny, &ALICE, &op_key(1), reference()));
		assert_ok!(Registry::register_device(
			RuntimeOrigin::signed(ALICE),
			compact(0, cert),
			op_key(1),
			None,
			reference(),
			sig
		));
		let id = device_id_of(hw.as_bytes());
		let device = Devices::<Test>::get(id).unwrap();
		assert_eq!(device.root, 0);
		assert_eq!(device.expires_at, time::EXPIRED);
		// Filed under the root's compact issuer, apart from X.509 serials it signed.
		assert_eq!(device.certificates[0].issuer, compact_issuer_of(&p256_public(&p256_root)));
		assert_ne!(device.certificates[0].issuer, key_id_of(&p256_public(&p256_root)));

		// Signed by the Ed25519 root (index 1), for an Ed25519 device.
		let device_seed = [0x08u8; 32];
		let mut cert = CompactCertificate {
			manufacturer: tiny,
			hardware_key: ed25519_public(&device_seed),
			model: BoundedVec::truncate_from(b"tag-v2".to_vec()),
			serial: BoundedVec::truncate_from(vec![0x02]),
			not_before: time::BEFORE,
			not_after: time::EXPIRED,
			signature: [0; 64],
		};
		cert.signature = sign_ed25519_raw(&ed_root, &cert.signing_payload());
		let sig = sign_ed25519(&device_seed, &Registry::registration_payload(tiny, &ALICE, &op_key(1), reference()));
		let attempt = |root: RootIndex| {
			Registry::register_device(
				RuntimeOrigin::signed(ALICE),
				compact(root, cert.clone()),
				op_key(1),
				None,
				reference(),
				sig.clone(),
			)
		};
		// Only the named root is tried.
		assert_noop!(attempt(0), Error::<Test>::UntrustedRoot);
		assert_noop!(attempt(2), Error::<Test>::RootNotFound);
		assert_ok!(attempt(1));
		assert_eq!(Devices::<Test>::get(device_id_of(cert.hardware_key.as_bytes())).unwrap().root, 1);

		// Validity and forgery.
		let other_secret = [0x09u8; 32];
		let attempt = |cert: CompactCertificate| {
			let sig = sign_p256(&other_secret, &Registry::registration_payload(tiny, &ALICE, &op_key(1), reference()));
			Registry::register_device(
				RuntimeOrigin::signed(ALICE),
				compact(0, cert),
				op_key(1),
				None,
				reference(),
				sig.clone(),
			)
		};
		let hw = p256_public(&other_secret);
		assert_noop!(
			attempt(compact_p256(tiny, &p256_root, hw.clone(), &[3], time::VALID + 1, time::EXPIRED)),
			Error::<Test>::CertificateNotYetValid
		);
		assert_noop!(
			attempt(compact_p256(tiny, &p256_root, hw.clone(), &[3], time::BEFORE, time::VALID - 1)),
			Error::<Test>::CertificateExpired
		);
		let mut forged = compact_p256(tiny, &p256_root, hw.clone(), &[3], time::BEFORE, time::EXPIRED);
		forged.serial = BoundedVec::truncate_from(vec![4]);
		assert_noop!(attempt(forged), Error::<Test>::UntrustedRoot);
		assert_noop!(
			attempt(compact_p256(tiny, &[0x55; 32], hw.clone(), &[3], time::BEFORE, time::EXPIRED)),
			Error::<Test>::UntrustedRoot
		);
		assert_ok!(attempt(compact_p256(tiny, &p256_root, hw.clone(), &[3], time::BEFORE, time::EXPIRED)));
		check_state();
	});
}

// ---- every way an attestation fails, each with its own error ----

#[test]
fn forged_certificate_signature_is_rejected() {
	new_test_ext().execute_with(|| {
		// Flip the last byte of the leaf's signature (the S integer of its ECDSA value).
		let mut leaf = acme::LEAF2.to_vec();
		*leaf.last_mut().unwrap() ^= 0x01;
		assert_noop!(
			register(ALICE, &[&leaf, acme::INT1], acme::LEAF2_KEY),
			Error::<Test>::InvalidCertificateSignature
		);
		// The same for an intermediate signed by the root directly.
		let mut int1 = acme::INT1.to_vec();
		*int1.last_mut().unwrap() ^= 0x01;
		assert_noop!(register(ALICE, &[acme::LEAF2, &int1], acme::LEAF2_KEY), Error::<Test>::UntrustedRoot);
	});
}

#[test]
fn chain_of_another_root_is_untrusted() {
	new_test_ext().execute_with(|| {
		assert_noop!(register(ALICE, &[other::LEAF], other::LEAF_KEY), Error::<Test>::UntrustedRoot);
		// Under its own manufacturer it registers.
		let roots = BoundedVec::truncate_from(vec![PublicKey::P256(*other::ROOT_PUB)]);
		assert_ok!(Registry::register_manufacturer(
			RuntimeOrigin::root(),
			BoundedVec::truncate_from(b"Other".to_vec()),
			roots
		));
		assert_ok!(register_as(ALICE, 2, &[other::LEAF], other::LEAF_KEY));
	});
}

#[test]
fn validity_periods_are_checked_against_on_chain_time() {
	new_test_ext().execute_with(|| {
		let (certs, key) = acme::chain_of(2);
		set_time(time::EXPIRED);
		assert_noop!(register(ALICE, certs, key), Error::<Test>::CertificateExpired);
		set_time(time::BEFORE);
		assert_noop!(register(ALICE, certs, key), Error::<Test>::CertificateNotYetValid);
		set_time(time::VALID);
		assert_ok!(register(ALICE, certs, key));
	});
}

#[test]
fn revoked_certificates_block_registration() {
	new_test_ext().execute_with(|| {
		// leaf2: serial 0x1002 by int1.
		assert_ok!(revoke(issuer_of(acme::INT1), &[0x10, 0x02]));
		assert_noop!(register(ALICE, &[acme::LEAF2, acme::INT1], acme::LEAF2_KEY), Error::<Test>::CertificateRevoked);
		// int2 (serial 0x0202 by int1) revokes everything below it.
		assert_ok!(revoke(issuer_of(acme::INT1), &[0x02, 0x02]));
		let (certs, key) = acme::chain_of(4);
		assert_noop!(register(ALICE, certs, key), Error::<Test>::CertificateRevoked);
		// Unrelated chains still register.
		let (certs, key) = acme::chain_of(1);
		assert_ok!(register(ALICE, certs, key));
		check_state();
	});
}

#[test]
fn revoked_root_and_suspended_manufacturer_block_registration() {
	new_test_ext().execute_with(|| {
		let (certs, key) = acme::chain_of(1);
		assert_ok!(Registry::suspend_manufacturer(RuntimeOrigin::root(), ACME));
		assert_noop!(register(ALICE, certs, key), Error::<Test>::ManufacturerSuspended);
		assert_ok!(Registry::resume_manufacturer(RuntimeOrigin::root(), ACME));
		assert_ok!(Registry::revoke_root(RuntimeOrigin::root(), ACME, 0));
		assert_noop!(register(ALICE, certs, key), Error::<Test>::RootRevoked);
		assert_noop!(register_as(ALICE, 7, certs, key), Error::<Test>::ManufacturerNotFound);
	});
}

#[test]
fn replayed_and_misdirected_registration_signatures_fail() {
	new_test_ext().execute_with(|| {
		run_to_block(5);
		let (certs, key) = acme::chain_of(1);
		let id = p256_device(key);
		let sig = p256_registration(ACME, ALICE, key, &op_key(1));
		let at = reference();
		let attempt = |who: AccountId, block: u64, sig: HardwareSignature| {
			Registry::register_device(
				RuntimeOrigin::signed(who),
				x509(ACME, certs),
				op_key(1),
				None,
				block,
				sig.clone(),
			)
		};
		// Another owner cannot use Alice's signature.
		assert_noop!(attempt(BOB, at, sig.clone()), Error::<Test>::InvalidHardwareSignature);
		// Another operational key than the one signed.
		assert_noop!(
			Registry::register_device(
				RuntimeOrigin::signed(ALICE),
				x509(ACME, certs),
				op_key(2),
				None,
				at,
				sig.clone()
			),
			Error::<Test>::InvalidHardwareSignature
		);
		// Another block than the one signed.
		assert_noop!(attempt(ALICE, at - 1, sig.clone()), Error::<Test>::InvalidHardwareSignature);
		// Signed for another manufacturer: the signature binds the manufacturer id.
		let for_edwards = p256_registration(EDWARDS, ALICE, key, &op_key(1));
		assert_noop!(attempt(ALICE, at, for_edwards), Error::<Test>::InvalidHardwareSignature);
		// A signature made for another chain (other genesis hash).
		let other_chain =
			(REGISTER_TAG, H256::repeat_byte(0x01), ACME, ALICE, op_key(1), at, System::block_hash(at)).encode();
		assert_noop!(
			attempt(ALICE, at, sign_p256(&p256_secret(key), &other_chain)),
			Error::<Test>::InvalidHardwareSignature
		);
		// A signature by a key other than the certified one.
		let wrong_key = p256_registration(ACME, ALICE, acme::LEAF2_KEY, &op_key(1));
		assert_noop!(attempt(ALICE, at, wrong_key), Error::<Test>::InvalidHardwareSignature);
		// The current block (its hash is not known yet) or a future one.
		let now = System::block_number();
		assert_noop!(attempt(ALICE, now, sig.clone()), Error::<Test>::StaleReference);

		assert_ok!(attempt(ALICE, at, sig.clone()));
		assert_noop!(attempt(ALICE, at, sig.clone()), Error::<Test>::AlreadyRegistered);
		// After deregistering, the old signature is spent: the device's record keeps the
		// last block it signed.
		assert_ok!(Registry::deregister(RuntimeOrigin::signed(ALICE), id));
		assert_eq!(LastAttestation::<Test>::get(id), Some(at));
		assert_noop!(attempt(ALICE, at, sig.clone()), Error::<Test>::StaleReference);
		run_to_block(now + 1);
		assert_ok!(register(ALICE, certs, key));
		check_state();
	});
}

#[test]
fn registration_cannot_be_pre_signed_or_refreshed_without_the_hardware() {
	new_test_ext().execute_with(|| {
		let (certs, key) = acme::chain_of(1);
		let id = p256_device(key);
		// The device signs once, and its owner holds the signature.
		run_to_block(3);
		let held_block = reference();
		let held = p256_registration(ACME, ALICE, key, &op_key(1));
		let use_held = || {
			Registry::register_device(
				RuntimeOrigin::signed(ALICE),
				x509(ACME, certs),
				op_key(1),
				None,
				held_block,
				held.clone(),
			)
		};
		// Signatures for future blocks cannot be made: their hashes are unknown. A held
		// signature expires with its block.
		run_to_block(held_block + REATTESTATION_WINDOW + 1);
		assert_noop!(use_held(), Error::<Test>::StaleReference);
		// A fresh one registers; attested now.
		assert_ok!(register(ALICE, certs, key));
		assert_eq!(Devices::<Test>::get(id).unwrap().attested_at, now_secs());
		// The device goes stale; deregistering and registering again with anything the
		// owner kept does not refresh it: only the hardware signing a new block does.
		run_for(ATTESTATION_VALIDITY);
		assert_eq!(Registry::status(&id), Some(DeviceStatus::Stale));
		assert_ok!(Registry::deregister(RuntimeOrigin::signed(ALICE), id));
		assert_noop!(use_held(), Error::<Test>::StaleReference);
		assert_ok!(register(ALICE, certs, key));
		assert_eq!(Registry::status(&id), Some(DeviceStatus::Active));
		check_state();
	});
}

#[test]
fn malformed_and_oversized_input_is_rejected_without_panic() {
	new_test_ext().execute_with(|| {
		let key = acme::LEAF1_KEY;
		let truncated = &acme::LEAF1[..acme::LEAF1.len() - 10];
		assert_noop!(register(ALICE, &[truncated], key), Error::<Test>::MalformedCertificate);
		assert_noop!(register(ALICE, &[&b"not a certificate"[..]], key), Error::<Test>::MalformedCertificate);
		let empty: &[u8] = &[];
		assert_noop!(register(ALICE, &[empty], key), Error::<Test>::MalformedCertificate);
		// Trailing bytes after the certificate.
		let mut trailing = acme::LEAF1.to_vec();
		trailing.push(0);
		assert_noop!(register(ALICE, &[&trailing], key), Error::<Test>::MalformedCertificate);
		// Larger than MaxCertificateLen (2048 in the mock).
		let mut big = acme::LEAF1.to_vec();
		big.resize(2049, 0);
		assert_noop!(register(ALICE, &[&big], key), Error::<Test>::CertificateTooLarge);
		assert_noop!(register(ALICE, &[], key), Error::<Test>::EmptyChain);
		// More intermediates than the runtime allows.
		MaxIntermediates::set(2);
		let (certs, key4) = acme::chain_of(4);
		assert_noop!(register(ALICE, certs, key4), Error::<Test>::ChainTooLong);
		// A root index the manufacturer does not have.
		let sig = p256_registration(ACME, ALICE, key, &op_key(1));
		let attestation = Attestation::X509 { manufacturer: ACME, root: 9, chain: chain(&[acme::LEAF1]) };
		assert_noop!(
			Registry::register_device(
				RuntimeOrigin::signed(ALICE),
				attestation,
				op_key(1),
				None,
				reference(),
				sig.clone()
			),
			Error::<Test>::RootNotFound
		);
		// Beyond the decoding bound the call itself does not decode.
		let six: alloc::vec::Vec<DerCertificate> =
			(0..6).map(|_| BoundedVec::truncate_from(acme::LEAF1.to_vec())).collect();
		assert!(CertificateChain::decode(&mut &six.encode()[..]).is_err());
		let huge = vec![0u8; MAX_DER_CERTIFICATE_LEN as usize + 1];
		assert!(DerCertificate::decode(&mut &huge.encode()[..]).is_err());
	});
}

use codec::Decode;

#[test]
fn certificate_profile_is_enforced() {
	new_test_ext().execute_with(|| {
		// An intermediate without CA:TRUE.
		assert_noop!(
			register(ALICE, &[acme::LEAF_UNDER_NOT_CA, acme::NOT_CA], acme::LEAF_UNDER_NOT_CA_KEY),
			Error::<Test>::NotACertificateAuthority
		);
		// A leaf whose key usage excludes signatures.
		assert_noop!(
			register(ALICE, &[acme::LEAF_WITHOUT_DIGITAL_SIGNATURE], acme::LEAF_WITHOUT_DIGITAL_SIGNATURE_KEY),
			Error::<Test>::KeyUsageMismatch
		);
		// int3 has pathlen 0 but int4 sits below it.
		assert_noop!(
			register(ALICE, &[acme::LEAF5, acme::INT4, acme::INT3, acme::INT2], acme::LEAF4_KEY),
			Error::<Test>::PathLengthExceeded
		);
		// Chained out of order: leaf2 was issued by int1, not int2.
		assert_noop!(
			register(ALICE, &[acme::LEAF2, acme::INT2, acme::INT1], acme::LEAF2_KEY),
			Error::<Test>::IssuerMismatch
		);
		// A self-signed certificate (here RSA, CA:TRUE) as the leaf.
		assert_noop!(register(ALICE, &[other::RSA], acme::LEAF1_KEY), Error::<Test>::NotACertificateAuthority);
		// A leaf used as an intermediate (not a CA).
		assert_noop!(
			register(ALICE, &[acme::LEAF2, acme::LEAF1], acme::LEAF2_KEY),
			Error::<Test>::NotACertificateAuthority
		);
	});
}

#[test]
fn manufacturer_policy_keeps_other_certificates_of_a_shared_root_out() {
	new_test_ext().execute_with(|| {
		let set = |policy: ManufacturerPolicy| Registry::set_manufacturer_policy(RuntimeOrigin::root(), ACME, policy);
		let oid = |bytes: &[u8]| Some(BoundedVec::truncate_from(bytes.to_vec()));
		// Without a policy a TLS server certificate under the root registers as a device.
		assert_ok!(register(ALICE, &[acme::LEAF_TLS], acme::LEAF_TLS_KEY));
		assert_ok!(Registry::deregister(RuntimeOrigin::signed(ALICE), p256_device(acme::LEAF_TLS_KEY)));
		run_to_block(2);

		assert_noop!(
			Registry::set_manufacturer_policy(RuntimeOrigin::signed(ALICE), ACME, Default::default()),
			DispatchError::BadOrigin
		);
		assert_noop!(
			set(ManufacturerPolicy { required_leaf_oid: oid(&[0x80]), ..Default::default() }),
			Error::<Test>::InvalidPolicy
		);
		// The device certificate policy.
		assert_ok!(set(ManufacturerPolicy { required_leaf_oid: oid(acme::DEVICE_POLICY_OID), ..Default::default() }));
		assert_noop!(register(ALICE, &[acme::LEAF_TLS], acme::LEAF_TLS_KEY), Error::<Test>::LeafPolicyMismatch);
		assert_ok!(register(ALICE, &[acme::LEAF1], acme::LEAF1_KEY));
		// Or an extended key usage: the TLS certificate is serverAuth, devices clientAuth.
		assert_ok!(set(ManufacturerPolicy { required_leaf_oid: oid(acme::CLIENT_AUTH_OID), ..Default::default() }));
		assert_noop!(register(ALICE, &[acme::LEAF_TLS], acme::LEAF_TLS_KEY), Error::<Test>::LeafPolicyMismatch);
		// Pinned issuing intermediates: only chains through int1 register.
		let pinned = BoundedVec::truncate_from(vec![issuer_of(acme::INT1)]);
		assert_ok!(set(ManufacturerPolicy { issuing_intermediates: pinned, ..Default::default() }));
		assert_eq!(Registry::manufacturer(ACME).unwrap().policy.issuing_intermediates.len(), 1);
		assert_noop!(register(ALICE, &[acme::LEAF_TLS], acme::LEAF_TLS_KEY), Error::<Test>::IssuerNotPinned);
		assert_noop!(register(ALICE, &[acme::LEAF6, acme::INT5], acme::LEAF6_KEY), Error::<Test>::IssuerNotPinned);
		assert_ok!(register(ALICE, &[acme::LEAF2, acme::INT1], acme::LEAF2_KEY));
		let (certs, key) = acme::chain_of(4);
		assert_ok!(register(ALICE, certs, key));
		check_state();
	});
}

#[test]
fn dice_devices_are_their_device_id_and_run_allowed_firmware() {
	new_test_ext().execute_with(|| {
		assert_ok!(Registry::register_manufacturer(
			RuntimeOrigin::root(),
			BoundedVec::truncate_from(b"Dice Devices".to_vec()),
			BoundedVec::truncate_from(vec![PublicKey::P256(*dice::ROOT_PUB)]),
		));
		let m = 2;
		let fwid = |firmware: &[u8]| -> FirmwareDigest {
			BoundedVec::truncate_from(sp_io::hashing::sha2_256(firmware).to_vec())
		};
		let firmware = FirmwarePolicy {
			allowed_fwids: BoundedVec::truncate_from(vec![
				fwid(b"firmware v1"),
				fwid(b"firmware v2"),
				fwid(b"firmware v3"),
			]),
			min_svn: 2,
		};
		let set_policy = |identity: IdentityKind, pinned: Vec<KeyId>| {
			Registry::set_manufacturer_policy(
				RuntimeOrigin::root(),
				m,
				ManufacturerPolicy {
					identity,
					firmware: Some(firmware.clone()),
					issuing_intermediates: BoundedVec::truncate_from(pinned),
					..Default::default()
				},
			)
		};
		// Without a pinned DeviceID issuer, a chain longer than Alias + DeviceID is refused:
		// nothing says which certificate is the DeviceID.
		assert_ok!(set_policy(IdentityKind::DiceDeviceId, vec![]));
		assert_noop!(
			register_as(ALICE, m, &[dice::ALIAS_V2, dice::DEVICE_ID, dice::INT], dice::ALIAS_V2_KEY),
			Error::<Test>::NotADiceChain
		);
		assert_ok!(set_policy(IdentityKind::DiceDeviceId, vec![issuer_of(dice::INT)]));
		// The TcbInfo the Alias certificate carries, as the runtime reads it.
		let tcb = {
			use der::Decode as _;
			let cert = x509_cert::Certificate::from_der(dice::ALIAS_V2).unwrap();
			let ext = cert
				.tbs_certificate
				.extensions
				.unwrap()
				.into_iter()
				.find(|e| e.critical && e.extn_id.to_string() == "2.23.133.5.4.1")
				.unwrap();
			attestation::parse_tcb_info(ext.extn_value.as_bytes()).unwrap()
		};
		assert_eq!(tcb.svn, Some(2));
		assert_eq!(tcb.fwids, vec![sp_io::hashing::sha2_256(b"firmware v2").to_vec()]);

		let chain_with = |alias: &'static [u8]| [alias, dice::DEVICE_ID, dice::INT];
		assert_noop!(
			register_as(ALICE, m, &chain_with(dice::ALIAS_NO_TCB), dice::ALIAS_NO_TCB_KEY),
			Error::<Test>::FirmwareNotAllowed
		);
		assert_noop!(
			register_as(ALICE, m, &chain_with(dice::ALIAS_EVIL), dice::ALIAS_EVIL_KEY),
			Error::<Test>::FirmwareNotAllowed
		);
		assert_noop!(
			register_as(ALICE, m, &chain_with(dice::ALIAS_V1), dice::ALIAS_V1_KEY),
			Error::<Test>::FirmwareTooOld
		);
		assert_noop!(register_as(ALICE, m, &[dice::ALIAS_V2], dice::ALIAS_V2_KEY), Error::<Test>::NotADiceChain);
		// Allowed firmware in a layer running in debug mode.
		assert_noop!(
			register_as(ALICE, m, &chain_with(dice::ALIAS_DEBUG), dice::ALIAS_DEBUG_KEY),
			Error::<Test>::FirmwareNotAllowed
		);
		// Firmware holding a CA-capable Alias issues itself a leaf with allowed TcbInfo,
		// trying to pass its Alias off as the DeviceID: the DeviceID must be certified by
		// a pinned CA.
		assert_noop!(
			register_as(ALICE, m, &[dice::FORGED, dice::ALIAS_CA, dice::DEVICE_ID, dice::INT], dice::FORGED_KEY),
			Error::<Test>::NotADiceChain
		);
		assert_ok!(register_as(ALICE, m, &chain_with(dice::ALIAS_V2), dice::ALIAS_V2_KEY));

		// The device is its DeviceID; the Alias key signs for it.
		let device_id_key = attestation::certificate_key(dice::DEVICE_ID).unwrap();
		let id = device_id_of(device_id_key.as_bytes());
		let device = Devices::<Test>::get(id).expect("registered as its DeviceID");
		assert_eq!(device.hardware_key, device_id_key);
		assert_eq!(device.signing_key, p256_public(&p256_secret(dice::ALIAS_V2_KEY)));
		assert_eq!(device.own_certificates, 2);
		run_to_block(3);
		let reattest = |key: &[u8]| {
			let sig = sign_p256(&p256_secret(key), &Registry::reattestation_payload(&id, reference()));
			Registry::reattest(RuntimeOrigin::signed(BOB), id, reference(), sig.clone())
		};
		assert_ok!(reattest(dice::ALIAS_V2_KEY));

		// A firmware update: new Alias key and certificate, the same device.
		run_to_block(4);
		let renew = |alias: &'static [u8], key: &[u8]| {
			let payload = Registry::renewal_payload(m, &ALICE, &id, reference());
			let attestation = Attestation::X509 { manufacturer: m, root: 0, chain: chain(&chain_with(alias)) };
			Registry::renew_attestation(
				RuntimeOrigin::signed(ALICE),
				id,
				attestation,
				reference(),
				sign_p256(&p256_secret(key), &payload),
			)
		};
		// A downgrade to old firmware is refused.
		assert_noop!(renew(dice::ALIAS_V1, dice::ALIAS_V1_KEY), Error::<Test>::FirmwareTooOld);
		assert_ok!(renew(dice::ALIAS_V3, dice::ALIAS_V3_KEY));
		assert_eq!(Devices::<Test>::get(id).unwrap().signing_key, p256_public(&p256_secret(dice::ALIAS_V3_KEY)));
		assert_eq!(Devices::<Test>::get(id).unwrap().registered_at, device.registered_at);
		run_to_block(5);
		// The old firmware's key no longer speaks for the device.
		assert_noop!(reattest(dice::ALIAS_V2_KEY), Error::<Test>::InvalidHardwareSignature);
		assert_ok!(reattest(dice::ALIAS_V3_KEY));

		// What identifies a device cannot change under registered devices.
		assert_noop!(
			set_policy(IdentityKind::Leaf, vec![issuer_of(dice::INT)]),
			Error::<Test>::IdentityChangeWithDevices
		);
		// Revoking the DeviceID revokes the device, whatever its firmware.
		let device_id_cert = Devices::<Test>::get(id).unwrap().certificates[1].clone();
		assert_eq!(device_id_cert.issuer, issuer_of(dice::INT));
		assert_ok!(Registry::revoke_certificate(
			RuntimeOrigin::root(),
			m,
			device_id_cert.issuer,
			device_id_cert.serial.clone()
		));
		assert_eq!(Registry::status(&id), Some(DeviceStatus::Revoked));
		assert_eq!(RevokedHardware::<Test>::get(id), Some(device_id_cert.clone()));
		// Revoke the Alias too, then withdraw that: the DeviceID's revocation still marks
		// the hardware.
		let alias_cert = Devices::<Test>::get(id).unwrap().certificates[0].clone();
		assert_ok!(Registry::revoke_certificate(
			RuntimeOrigin::root(),
			m,
			alias_cert.issuer,
			alias_cert.serial.clone()
		));
		assert_ok!(Registry::unrevoke_certificate(RuntimeOrigin::root(), alias_cert.issuer, alias_cert.serial));
		assert_eq!(RevokedHardware::<Test>::get(id), Some(device_id_cert.clone()));
		assert_ok!(Registry::unrevoke_certificate(RuntimeOrigin::root(), device_id_cert.issuer, device_id_cert.serial));
		assert_eq!(RevokedHardware::<Test>::get(id), None);
		assert_eq!(Registry::status(&id), Some(DeviceStatus::Active));
		check_state();
	});
}

#[test]
fn tpm_idevids_register_with_rsa_and_p384_chains() {
	new_test_ext().execute_with(|| {
		let rsa_root = PublicKey::Rsa(BoundedVec::truncate_from(tpm::ROOT_PUB.to_vec()));
		assert_ok!(Registry::register_manufacturer(
			RuntimeOrigin::root(),
			BoundedVec::truncate_from(b"Trusted Modules".to_vec()),
			BoundedVec::truncate_from(vec![rsa_root, PublicKey::P384(*p384::ROOT_PUB)]),
		));
		let m = 2;
		let op = op_key(1);
		let payload = || Registry::registration_payload(m, &ALICE, &op, reference());
		let register_with = |root: RootIndex, certs: &[&[u8]], sig: HardwareSignature| {
			let attestation = Attestation::X509 { manufacturer: m, root, chain: chain(certs) };
			Registry::register_device(RuntimeOrigin::signed(ALICE), attestation, op.clone(), None, reference(), sig)
		};

		// An RSA-2048 IDevID under an RSA-3072 CA that signs with PSS; the TPM signs the
		// registration with RSASSA-PKCS1-v1_5 (TPM_ALG_RSASSA).
		assert_ok!(register_with(0, &[tpm::IDEVID, tpm::INT1], sign_rsa_pkcs1(tpm::IDEVID_KEY, &payload())));
		let id = device_id_of(rsa_public(tpm::IDEVID_KEY).as_bytes());
		assert_eq!(Registry::status(&id), Some(DeviceStatus::Active));
		assert_eq!(Devices::<Test>::get(id).unwrap().hardware_key, rsa_public(tpm::IDEVID_KEY));
		// One signed sha384WithRSAEncryption; the TPM signs with PSS (TPM_ALG_RSAPSS).
		assert_ok!(register_with(0, &[tpm::IDEVID_PKCS1, tpm::INT1], sign_rsa_pss(tpm::IDEVID_PKCS1_KEY, &payload())));
		// RSA-3072 chains of one to four certificates (PSS throughout), and with the root
		// certificate appended.
		for n in 1..=4 {
			let (certs, key) = tpm::chain_of(n);
			assert_ok!(register_with(0, certs, sign_rsa_pkcs1(key, &payload())));
			assert_eq!(
				Devices::<Test>::get(device_id_of(rsa_public(key).as_bytes())).unwrap().certificates.len(),
				n as usize
			);
		}
		// A P-384 IDevID (ecdsa-with-SHA384 throughout), under the second root.
		let p384_key = p384_secret(p384::IDEVID_KEY);
		assert_noop!(
			register_with(0, &[p384::IDEVID, p384::INT], sign_p384(&p384_key, &payload())),
			Error::<Test>::UntrustedRoot
		);
		assert_ok!(register_with(1, &[p384::IDEVID, p384::INT], sign_p384(&p384_key, &payload())));
		let p384_id = device_id_of(p384_public(&p384_key).as_bytes());
		assert_eq!(Registry::status(&p384_id), Some(DeviceStatus::Active));

		// Refused: an RSA-1024 key, a SHA-1 signature.
		assert_noop!(
			register_with(0, &[tpm::RSA1024, tpm::INT1], sign_rsa_pkcs1(tpm::IDEVID_KEY, &payload())),
			Error::<Test>::UnsupportedAlgorithm
		);
		assert_noop!(
			register_with(0, &[tpm::SHA1, tpm::INT1], sign_rsa_pkcs1(tpm::IDEVID_KEY, &payload())),
			Error::<Test>::UnsupportedAlgorithm
		);
		// A signature scheme that does not fit the key fails.
		run_to_block(3);
		let reattest = |sig: HardwareSignature| Registry::reattest(RuntimeOrigin::signed(BOB), id, reference(), sig);
		let message = Registry::reattestation_payload(&id, reference());
		assert_noop!(reattest(sign_p256(&[7; 32], &message)), Error::<Test>::InvalidHardwareSignature);
		assert_noop!(reattest(sign_rsa_pkcs1(tpm::LEAF1_KEY, &message)), Error::<Test>::InvalidHardwareSignature);
		// Malformed RSA signatures fail cleanly: flipped, short, not below the modulus.
		let HardwareSignature::RsaPssSha256(good) = sign_rsa_pss(tpm::IDEVID_KEY, &message) else { unreachable!() };
		let mut flipped = good.clone();
		flipped[100] ^= 1;
		let short = BoundedVec::truncate_from(good[1..].to_vec());
		let too_big = BoundedVec::truncate_from(vec![0xff; good.len()]);
		for bad in [flipped, short, too_big] {
			assert_noop!(
				reattest(HardwareSignature::RsaPssSha256(bad.clone())),
				Error::<Test>::InvalidHardwareSignature
			);
			assert_noop!(reattest(HardwareSignature::RsaPkcs1v15Sha256(bad)), Error::<Test>::InvalidHardwareSignature);
		}
		// The TPM re-attests, by either RSA scheme.
		assert_ok!(reattest(sign_rsa_pss(tpm::IDEVID_KEY, &message)));
		check_state();
	});
}

#[test]
fn registration_needs_the_device_bond() {
	new_test_ext().execute_with(|| {
		set_bond(CHARLIE, DEVICE_BOND - 1);
		let (certs, key) = acme::chain_of(1);
		assert_noop!(register(CHARLIE, certs, key), DispatchError::Other("InsufficientBondToCommit"));
		set_bond(CHARLIE, DEVICE_BOND);
		assert_ok!(register(CHARLIE, certs, key));
		assert_eq!(bond_of(CHARLIE).committed, DEVICE_BOND);
	});
}

#[test]
fn location_must_be_a_valid_cell_within_bounds() {
	new_test_ext().execute_with(|| {
		let (certs, key) = acme::chain_of(1);
		let attempt = |location: H3Cell| {
			let sig = p256_registration(ACME, ALICE, key, &op_key(1));
			Registry::register_device(
				RuntimeOrigin::signed(ALICE),
				x509(ACME, certs),
				op_key(1),
				Some(location),
				reference(),
				sig.clone(),
			)
		};
		// Decoded from raw SCALE, an invalid index reaches the pallet.
		let invalid = H3Cell::decode(&mut &u64::MAX.encode()[..]).unwrap();
		assert_noop!(attempt(invalid), Error::<Test>::InvalidLocation);
		assert_noop!(attempt(cell(4)), Error::<Test>::LocationResolutionOutOfBounds);
		assert_noop!(attempt(cell(13)), Error::<Test>::LocationResolutionOutOfBounds);
		assert_ok!(attempt(cell(12)));
	});
}

// ---- life of a registered device ----

#[test]
fn a_slashed_device_is_under_bonded_until_its_owner_tops_it_up() {
	new_test_ext().execute_with(|| {
		let (certs, key) = acme::chain_of(1);
		assert_ok!(register(ALICE, certs, key));
		let id = p256_device(key);
		assert_eq!(Registry::status(&id), Some(DeviceStatus::Active));
		assert_noop!(Registry::top_up_bond(RuntimeOrigin::signed(ALICE), id), Error::<Test>::FullyBonded);
		// Micro-bonds slashes the device's bond and tells the registry.
		slash_commitment(ALICE, id, DEVICE_BOND / 10);
		<Registry as machina_primitives::OnBondShortfall<_, _>>::on_shortfall(
			&ALICE,
			machina_primitives::BondPurpose::Device,
			id,
			DEVICE_BOND / 10,
		);
		assert_eq!(
			last_event(),
			Event::DeviceUnderBonded { device: id, owner: ALICE, shortfall: DEVICE_BOND / 10 }.into()
		);
		assert_eq!(Registry::status(&id), Some(DeviceStatus::UnderBonded));
		assert!(!Registry::is_active(&id));
		// Only the owner tops up, and only with bond to spare.
		assert_noop!(Registry::top_up_bond(RuntimeOrigin::signed(BOB), id), Error::<Test>::NotOwner);
		set_bond(ALICE, DEVICE_BOND);
		assert_ok!(Registry::top_up_bond(RuntimeOrigin::signed(ALICE), id));
		assert_eq!(Registry::status(&id), Some(DeviceStatus::Active));
		check_state();
	});
}

#[test]
fn device_goes_stale_and_reattests_over_a_recent_block_hash() {
	new_test_ext().execute_with(|| {
		let (certs, key) = acme::chain_of(1);
		assert_ok!(register(ALICE, certs, key));
		let id = p256_device(key);
		let secret = p256_secret(key);
		// Validity is in seconds, whatever the block time.
		run_for(ATTESTATION_VALIDITY - BLOCK_SECS);
		assert_eq!(Registry::status(&id), Some(DeviceStatus::Active));
		run_for(BLOCK_SECS);
		assert_eq!(Registry::status(&id), Some(DeviceStatus::Stale));
		assert!(!Registry::is_active(&id));

		let now = System::block_number();
		let reference = now - 2;
		let sig = sign_p256(&secret, &Registry::reattestation_payload(&id, reference));
		// Anyone may submit the device's proof.
		assert_ok!(Registry::reattest(RuntimeOrigin::signed(BOB), id, reference, sig.clone()));
		assert_eq!(Registry::status(&id), Some(DeviceStatus::Active));
		assert_eq!(last_event(), Event::DeviceReattested { device: id, reference_block: reference }.into());
		assert_eq!(Registry::device(id).unwrap().last_reference, reference);
		// The same proof twice, or one for an older block, fails.
		assert_noop!(
			Registry::reattest(RuntimeOrigin::signed(BOB), id, reference, sig.clone()),
			Error::<Test>::StaleReference
		);
		let older = sign_p256(&secret, &Registry::reattestation_payload(&id, reference - 1));
		assert_noop!(
			Registry::reattest(RuntimeOrigin::signed(BOB), id, reference - 1, older),
			Error::<Test>::StaleReference
		);
		// A block outside the window, or the current block (its hash is not known yet).
		run_to_block(now + REATTESTATION_WINDOW + 5);
		let too_old = now + 1;
		let sig = sign_p256(&secret, &Registry::reattestation_payload(&id, too_old));
		assert_noop!(
			Registry::reattest(RuntimeOrigin::signed(BOB), id, too_old, sig.clone()),
			Error::<Test>::StaleReference
		);
		let current = System::block_number();
		let sig = sign_p256(&secret, &Registry::reattestation_payload(&id, current));
		assert_noop!(
			Registry::reattest(RuntimeOrigin::signed(BOB), id, current, sig.clone()),
			Error::<Test>::StaleReference
		);
		// A signature over another block's hash.
		let good = current - 1;
		let wrong = sign_p256(&secret, &Registry::reattestation_payload(&id, good - 1));
		assert_noop!(
			Registry::reattest(RuntimeOrigin::signed(BOB), id, good, wrong),
			Error::<Test>::InvalidHardwareSignature
		);
		let sig = sign_p256(&secret, &Registry::reattestation_payload(&id, good));
		assert_ok!(Registry::reattest(RuntimeOrigin::signed(BOB), id, good, sig.clone()));
		check_state();
	});
}

#[test]
fn an_expired_chain_is_renewed_or_migrated_without_losing_the_device() {
	new_test_ext().execute_with(|| {
		set_time(time::SHORT_VALID);
		let key = acme::SHORT_KEY;
		let id = p256_device(key);
		let secret = p256_secret(key);
		let sig = sign_p256(&secret, &Registry::registration_payload(ACME, &ALICE, &op_key(1), reference()));
		assert_ok!(Registry::register_device(
			RuntimeOrigin::signed(ALICE),
			x509(ACME, &[acme::SHORT, acme::INT1]),
			op_key(1),
			Some(cell(9)),
			reference(),
			sig
		));
		let registered = Devices::<Test>::get(id).unwrap();
		assert!(registered.expires_at < time::SHORT_EXPIRED);

		// Past the leaf's notAfter: Expired, and re-attesting does not help.
		set_time(time::SHORT_EXPIRED);
		run_to_block(3);
		assert_eq!(Registry::status(&id), Some(DeviceStatus::Expired));
		let reattest = sign_p256(&secret, &Registry::reattestation_payload(&id, reference()));
		assert_noop!(
			Registry::reattest(RuntimeOrigin::signed(ALICE), id, reference(), reattest),
			Error::<Test>::AttestationExpired
		);

		// Renewal with a new chain for the same key.
		let renew = |who: AccountId, attestation: Attestation, block: u64| {
			let payload = Registry::renewal_payload(ACME, &who, &id, block);
			Registry::renew_attestation(
				RuntimeOrigin::signed(who),
				id,
				attestation,
				block,
				sign_p256(&secret, &payload),
			)
		};
		assert_noop!(renew(BOB, x509(ACME, &[acme::RENEWED, acme::INT1]), reference()), Error::<Test>::NotOwner);
		assert_noop!(
			renew(ALICE, x509(ACME, &[acme::LEAF2, acme::INT1]), reference()),
			Error::<Test>::DifferentHardwareKey
		);
		assert_noop!(
			renew(ALICE, x509(EDWARDS, &[acme::RENEWED, acme::INT1]), reference()),
			Error::<Test>::ManufacturerMismatch
		);
		assert_ok!(renew(ALICE, x509(ACME, &[acme::RENEWED, acme::INT1]), reference()));
		let renewed = Devices::<Test>::get(id).unwrap();
		assert!(renewed.expires_at > time::VALID);
		assert_eq!(renewed.certificates[0].serial, serial(&[0x10, 0x11]));
		assert_eq!(
			(renewed.registered_at, renewed.location, renewed.operational_key.clone()),
			(registered.registered_at, registered.location, registered.operational_key.clone()),
			"history, location and keys kept"
		);
		assert_eq!(Registry::status(&id), Some(DeviceStatus::Active));
		assert_eq!(DeviceByCertificate::<Test>::get(issuer_of(acme::INT1), serial(&[0x10, 0x10])), None);
		// The same renewal twice fails: the block signed is spent.
		assert_noop!(
			renew(ALICE, x509(ACME, &[acme::RENEWED, acme::INT1]), reference()),
			Error::<Test>::StaleReference
		);

		// Migration to Acme's second root.
		assert_ok!(Registry::add_root(RuntimeOrigin::root(), ACME, PublicKey::P256(*acme::ROOT2_PUB)));
		run_to_block(4);
		let migrated = Attestation::X509 { manufacturer: ACME, root: 1, chain: chain(&[acme::MIGRATED]) };
		assert_ok!(renew(ALICE, migrated, reference()));
		assert_eq!(Devices::<Test>::get(id).unwrap().root, 1);
		// Revoking the old root no longer touches it.
		assert_ok!(Registry::revoke_root(RuntimeOrigin::root(), ACME, 0));
		assert_eq!(Registry::status(&id), Some(DeviceStatus::Active));
		check_state();
	});
}

#[test]
fn operational_key_rotation_is_signed_by_the_hardware_key_once_for_the_owner() {
	new_test_ext().execute_with(|| {
		let (certs, key) = acme::chain_of(1);
		assert_ok!(register(ALICE, certs, key));
		let id = p256_device(key);
		let secret = p256_secret(key);
		let new_key = OperationalKey::Sr25519(sp_core::sr25519::Public::from_raw([5; 32]));
		let sig = sign_p256(&secret, &Registry::rotation_payload(&ALICE, &id, &new_key, 0));
		assert_eq!(
			Registry::rotation_payload_of(id, new_key.clone()),
			Some(Registry::rotation_payload(&ALICE, &id, &new_key, 0))
		);
		assert_noop!(
			Registry::rotate_operational_key(RuntimeOrigin::signed(BOB), id, new_key.clone(), sig.clone()),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			Registry::rotate_operational_key(RuntimeOrigin::signed(ALICE), id, op_key(9), sig.clone()),
			Error::<Test>::InvalidHardwareSignature
		);
		// A rotation signed for another owner does not work for this one.
		let for_bob = sign_p256(&secret, &Registry::rotation_payload(&BOB, &id, &new_key, 0));
		assert_noop!(
			Registry::rotate_operational_key(RuntimeOrigin::signed(ALICE), id, new_key.clone(), for_bob),
			Error::<Test>::InvalidHardwareSignature
		);
		assert_ok!(Registry::rotate_operational_key(RuntimeOrigin::signed(ALICE), id, new_key.clone(), sig.clone()));
		assert_eq!(Registry::operational_key(&id), Some(new_key.clone()));
		// Replaying the rotation (say, after rotating away) fails: the nonce moved.
		assert_noop!(
			Registry::rotate_operational_key(RuntimeOrigin::signed(ALICE), id, new_key, sig.clone()),
			Error::<Test>::InvalidHardwareSignature
		);
	});
}

#[test]
fn aggregation_key_needs_a_proof_of_possession_the_hardware_signature_and_no_other_holder() {
	new_test_ext().execute_with(|| {
		let (certs, key) = acme::chain_of(1);
		assert_ok!(register(ALICE, certs, key));
		let id = p256_device(key);
		let secret = p256_secret(key);
		let bls = bls_key(7, &id);
		let sign = |public: Option<[u8; 48]>, nonce: u32| {
			sign_p256(&secret, &Registry::aggregation_key_payload(&ALICE, &id, public, nonce))
		};
		let set = |who: AccountId, k: Option<AggregationKeyProof>, sig: HardwareSignature| {
			Registry::set_aggregation_key(RuntimeOrigin::signed(who), id, k, sig.clone())
		};
		assert_noop!(set(BOB, Some(bls), sign(Some(bls.public), 0)), Error::<Test>::NotOwner);
		// Another key's proof (a rogue key without its secret) fails.
		let other = bls_key(8, &id);
		let rogue = AggregationKeyProof { public: bls.public, proof_of_possession: other.proof_of_possession };
		assert_noop!(set(ALICE, Some(rogue), sign(Some(bls.public), 0)), Error::<Test>::InvalidProofOfPossession);
		// Not a point; the identity.
		let garbage = AggregationKeyProof { public: [0x11; 48], proof_of_possession: bls.proof_of_possession };
		assert_noop!(set(ALICE, Some(garbage), sign(Some([0x11; 48]), 0)), Error::<Test>::InvalidAggregationKey);
		let mut identity = [0u8; 48];
		identity[0] = 0xc0;
		let id_key = AggregationKeyProof { public: identity, proof_of_possession: bls.proof_of_possession };
		assert_noop!(set(ALICE, Some(id_key), sign(Some(identity), 0)), Error::<Test>::InvalidAggregationKey);
		// A signature over another key.
		assert_noop!(set(ALICE, Some(bls), sign(Some(other.public), 0)), Error::<Test>::InvalidHardwareSignature);

		assert_ok!(set(ALICE, Some(bls), sign(Some(bls.public), 0)));
		let stored = Registry::aggregation_key(&id).expect("set");
		assert_eq!(
			&stored[..48],
			&{
				let mut x = bls.public;
				x[0] &= 0x1f; // the compressed form's flag bits
				x
			}[..],
			"stored uncompressed: x first"
		);
		assert_eq!(last_event(), Event::AggregationKeySet { device: id, key: Some(bls.public) }.into());
		// Replay of the same signature fails (nonce moved).
		assert_noop!(set(ALICE, Some(bls), sign(Some(bls.public), 0)), Error::<Test>::InvalidHardwareSignature);

		// The key and its (public) proof copied to a second device: the proof names the
		// first device, so it fails; even with a proof for the second device (the key's
		// holder made it) the key stays with the first.
		let (certs2, key2) = acme::chain_of(2);
		assert_ok!(register(ALICE, certs2, key2));
		let id2 = p256_device(key2);
		let sign2 = |public: Option<[u8; 48]>| {
			sign_p256(&p256_secret(key2), &Registry::aggregation_key_payload(&ALICE, &id2, public, 0))
		};
		let set2 = |k: AggregationKeyProof| {
			Registry::set_aggregation_key(RuntimeOrigin::signed(ALICE), id2, Some(k), sign2(Some(k.public)))
		};
		assert_noop!(set2(bls), Error::<Test>::InvalidProofOfPossession);
		let bls_for_2 = bls_key(7, &id2);
		assert_eq!(bls_for_2.public, bls.public);
		assert_noop!(set2(bls_for_2), Error::<Test>::AggregationKeyInUse);
		// Once the first device removes it, it is free.
		assert_ok!(set(ALICE, None, sign(None, 1)));
		assert_eq!(Registry::aggregation_key(&id), None);
		assert_ok!(set2(bls_for_2));
		check_state();
	});
}

#[test]
fn moves_are_rate_limited_and_announced() {
	new_test_ext().execute_with(|| {
		let (certs, key) = acme::chain_of(1);
		assert_ok!(register(ALICE, certs, key));
		let id = p256_device(key);
		assert_noop!(Registry::set_location(RuntimeOrigin::signed(BOB), id, cell(8)), Error::<Test>::NotOwner);
		// The first declaration is immediate.
		assert_ok!(Registry::set_location(RuntimeOrigin::signed(ALICE), id, cell(8)));
		assert_eq!(last_event(), Event::DeviceMoved { device: id, from: None, to: cell(8) }.into());
		assert_noop!(Registry::set_location(RuntimeOrigin::signed(ALICE), id, cell(8)), Error::<Test>::SameLocation);
		assert_noop!(
			Registry::set_location(RuntimeOrigin::signed(ALICE), id, cell(9)),
			Error::<Test>::LocationUpdateTooSoon
		);
		run_for(LOCATION_INTERVAL);
		assert_ok!(Registry::set_location(RuntimeOrigin::signed(ALICE), id, cell(9)));
		assert_eq!(last_event(), Event::DeviceMoved { device: id, from: Some(cell(8)), to: cell(9) }.into());
		assert_noop!(
			Registry::set_location(RuntimeOrigin::signed(ALICE), id, cell(10)),
			Error::<Test>::LocationUpdateTooSoon
		);
	});
}

#[test]
fn transfers_can_be_cancelled_expire_and_clear_the_sellers_keys() {
	new_test_ext().execute_with(|| {
		let (certs, key) = acme::chain_of(1);
		assert_ok!(register(ALICE, certs, key));
		let id = p256_device(key);
		let secret = p256_secret(key);
		assert_ok!(Registry::set_location(RuntimeOrigin::signed(ALICE), id, cell(8)));
		let bls = bls_key(3, &id);
		let sig = sign_p256(&secret, &Registry::aggregation_key_payload(&ALICE, &id, Some(bls.public), 0));
		assert_ok!(Registry::set_aggregation_key(RuntimeOrigin::signed(ALICE), id, Some(bls), sig.clone()));

		assert_noop!(Registry::offer_transfer(RuntimeOrigin::signed(ALICE), id, ALICE), Error::<Test>::TransferToSelf);
		assert_noop!(Registry::offer_transfer(RuntimeOrigin::signed(BOB), id, BOB), Error::<Test>::NotOwner);
		assert_noop!(Registry::cancel_transfer(RuntimeOrigin::signed(ALICE), id), Error::<Test>::NoPendingTransfer);
		// Offer, then cancel.
		assert_ok!(Registry::offer_transfer(RuntimeOrigin::signed(ALICE), id, BOB));
		let offer = Registry::device(id).unwrap().pending_transfer.expect("offered");
		assert_eq!(offer, TransferOffer { to: BOB, expires_at: now_secs() + TRANSFER_TTL });
		assert_noop!(Registry::cancel_transfer(RuntimeOrigin::signed(BOB), id), Error::<Test>::NotOwner);
		assert_ok!(Registry::cancel_transfer(RuntimeOrigin::signed(ALICE), id));
		assert_eq!(last_event(), Event::TransferCancelled { device: id }.into());
		assert_noop!(Registry::accept_transfer(RuntimeOrigin::signed(BOB), id), Error::<Test>::NoPendingTransfer);
		// Offer, and let it expire.
		assert_ok!(Registry::offer_transfer(RuntimeOrigin::signed(ALICE), id, BOB));
		run_for(TRANSFER_TTL + BLOCK_SECS);
		assert_noop!(Registry::accept_transfer(RuntimeOrigin::signed(BOB), id), Error::<Test>::TransferOfferExpired);
		// The seller moves the device, then a fresh offer is accepted.
		assert_ok!(Registry::set_location(RuntimeOrigin::signed(ALICE), id, cell(10)));
		assert_ok!(Registry::offer_transfer(RuntimeOrigin::signed(ALICE), id, BOB));
		assert_noop!(Registry::accept_transfer(RuntimeOrigin::signed(CHARLIE), id), Error::<Test>::NoPendingTransfer);
		set_bond(BOB, 0);
		assert_noop!(
			Registry::accept_transfer(RuntimeOrigin::signed(BOB), id),
			DispatchError::Other("InsufficientBondToCommit")
		);
		set_bond(BOB, DEVICE_BOND);
		assert_ok!(Registry::accept_transfer(RuntimeOrigin::signed(BOB), id));
		assert_eq!(Registry::owner(&id), Some(BOB));
		assert_eq!(bond_of(ALICE).committed, 0);
		assert_eq!(bond_of(BOB).committed, DEVICE_BOND);
		assert!(Registry::devices_of(ALICE, None, 10).is_empty());
		assert_eq!(Registry::devices_of(BOB, None, 10).len(), 1);
		assert_noop!(Registry::accept_transfer(RuntimeOrigin::signed(BOB), id), Error::<Test>::NoPendingTransfer);
		// The seller's keys no longer speak for the device; the key is free again.
		assert_eq!(Registry::operational_key(&id), None);
		assert_eq!(Registry::aggregation_key(&id), None);
		assert_eq!(Registry::location(&id), None);
		assert!(AggregationKeyOwners::<Test>::iter().next().is_none());
		// The buyer sets a key with the hardware, bound to the buyer's account; the rate
		// limit on moves survives the sale.
		let new_key = op_key(7);
		let sig = sign_p256(&secret, &Registry::rotation_payload(&BOB, &id, &new_key, 1));
		assert_ok!(Registry::rotate_operational_key(RuntimeOrigin::signed(BOB), id, new_key.clone(), sig.clone()));
		assert_eq!(Registry::operational_key(&id), Some(new_key));
		assert_noop!(
			Registry::set_location(RuntimeOrigin::signed(BOB), id, cell(9)),
			Error::<Test>::LocationUpdateTooSoon
		);
		check_state();
	});
}

/// A key that stops signing for its device (rotation, sale, deregistration) is announced
/// to coverage first, with its owner of the time, so conflicting heartbeats it signed stay
/// reportable; when coverage refuses (a previous retired key is still reportable), the
/// change does not happen.
#[test]
fn a_retiring_operational_key_is_announced_first_and_a_refusal_stops_the_change() {
	new_test_ext().execute_with(|| {
		RETIRED.with(|r| r.borrow_mut().clear());
		let (certs, key) = acme::chain_of(1);
		assert_ok!(register(ALICE, certs, key));
		let id = p256_device(key);
		let secret = p256_secret(key);
		let first = Registry::operational_key(&id).unwrap();
		let new_key = op_key(7);
		let sig = sign_p256(&secret, &Registry::rotation_payload(&ALICE, &id, &new_key, 0));
		RefuseRetirement::set(true);
		assert_noop!(
			Registry::rotate_operational_key(RuntimeOrigin::signed(ALICE), id, new_key.clone(), sig.clone()),
			DispatchError::Other("SignerRetiredRecently")
		);
		RefuseRetirement::set(false);
		assert_ok!(Registry::rotate_operational_key(RuntimeOrigin::signed(ALICE), id, new_key.clone(), sig));
		assert_eq!(RETIRED.with(|r| r.borrow().last().cloned()), Some((id, ALICE, Some(first), false)));
		// A sale retires the seller's key, and the device leaves the seller.
		assert_ok!(Registry::offer_transfer(RuntimeOrigin::signed(ALICE), id, BOB));
		set_bond(BOB, DEVICE_BOND);
		RefuseRetirement::set(true);
		assert_noop!(
			Registry::accept_transfer(RuntimeOrigin::signed(BOB), id),
			DispatchError::Other("SignerRetiredRecently")
		);
		RefuseRetirement::set(false);
		assert_ok!(Registry::accept_transfer(RuntimeOrigin::signed(BOB), id));
		assert_eq!(RETIRED.with(|r| r.borrow().last().cloned()), Some((id, ALICE, Some(new_key), true)));
		// The buyer's key, deregistered with the device.
		let bobs = op_key(8);
		let sig = sign_p256(&secret, &Registry::rotation_payload(&BOB, &id, &bobs, 1));
		assert_ok!(Registry::rotate_operational_key(RuntimeOrigin::signed(BOB), id, bobs.clone(), sig));
		// (No key to retire: the sale cleared it.)
		assert_eq!(RETIRED.with(|r| r.borrow().len()), 2);
		assert_ok!(Registry::deregister(RuntimeOrigin::signed(BOB), id));
		assert_eq!(RETIRED.with(|r| r.borrow().last().cloned()), Some((id, BOB, Some(bobs), true)));
		check_state();
	});
}

#[test]
fn deregistration_releases_and_unbonds_the_bond() {
	new_test_ext().execute_with(|| {
		let (certs, key) = acme::chain_of(2);
		assert_ok!(register(ALICE, certs, key));
		let id = p256_device(key);
		assert_ok!(Registry::offer_transfer(RuntimeOrigin::signed(ALICE), id, BOB));
		assert_noop!(Registry::deregister(RuntimeOrigin::signed(BOB), id), Error::<Test>::NotOwner);
		let post = Registry::deregister(RuntimeOrigin::signed(ALICE), id).unwrap();
		// A device in good standing pays no slash weight.
		assert_eq!(post.actual_weight, Some(<() as WeightInfo>::deregister()));
		assert!(OFFENCES.with(|o| o.borrow().is_empty()));
		assert_eq!(bond_of(ALICE), MockBond { active: 9 * DEVICE_BOND, committed: 0, unbonding: DEVICE_BOND });
		assert!(Devices::<Test>::get(id).is_none());
		assert!(PendingTransfers::<Test>::get(id).is_none());
		assert_eq!(DeviceCount::<Test>::get(), 0);
		assert_eq!(Registry::manufacturer(ACME).unwrap().devices, 0);
		assert_noop!(Registry::deregister(RuntimeOrigin::signed(ALICE), id), Error::<Test>::DeviceNotFound);
		check_state();
	});
}

// ---- revocation ----

#[test]
fn revocation_is_per_issuer_and_reaches_every_device_below_at_once() {
	new_test_ext().execute_with(|| {
		// Serials repeat under different issuers: 0x1003 (leaf3 by int2, leaf6 by int5),
		// 0x0201 (int1 by the root, leaf7 by int5). Both register.
		let (certs3, key3) = acme::chain_of(3);
		assert_ok!(register(ALICE, certs3, key3));
		assert_ok!(register(ALICE, &[acme::LEAF6, acme::INT5], acme::LEAF6_KEY));
		assert_ok!(register(ALICE, &[acme::LEAF7, acme::INT5], acme::LEAF7_KEY));
		let (certs2, key2) = acme::chain_of(2);
		assert_ok!(register(ALICE, certs2, key2));
		let (certs4, key4) = acme::chain_of(4);
		assert_ok!(register(BOB, certs4, key4));

		// Revoking leaf3 (0x1003 by int2) leaves leaf6 alone.
		assert_ok!(revoke(issuer_of(acme::INT2), &[0x10, 0x03]));
		assert_eq!(
			last_event(),
			Event::CertificateRevoked {
				manufacturer: ACME,
				issuer: issuer_of(acme::INT2),
				serial: serial(&[0x10, 0x03]),
				device: Some(p256_device(key3)),
			}
			.into()
		);
		assert_eq!(status(key3), Some(DeviceStatus::Revoked));
		assert_eq!(status(acme::LEAF6_KEY), Some(DeviceStatus::Active));

		// Revoking int1 (0x0201 by the root): every device below it at once, not leaf7.
		assert_ok!(revoke(acme_root(), &[0x02, 0x01]));
		assert_eq!(status(key2), Some(DeviceStatus::Revoked));
		assert_eq!(status(key4), Some(DeviceStatus::Revoked));
		assert_eq!(status(acme::LEAF7_KEY), Some(DeviceStatus::Active));
		assert!(Registry::device(p256_device(key4)).unwrap().revoked);
		// A revoked device signs nothing new.
		run_to_block(3);
		let id4 = p256_device(key4);
		let sig = sign_p256(&p256_secret(key4), &Registry::reattestation_payload(&id4, reference()));
		assert_noop!(
			Registry::reattest(RuntimeOrigin::signed(BOB), id4, reference(), sig.clone()),
			Error::<Test>::CertificateRevoked
		);

		// A revoked device cannot be handed to a buyer.
		assert_noop!(Registry::offer_transfer(RuntimeOrigin::signed(BOB), id4, CHARLIE), Error::<Test>::DeviceRevoked);
		// Revoked in error: taken off the list, the devices are back.
		assert_ok!(Registry::unrevoke_certificate(RuntimeOrigin::root(), acme_root(), serial(&[0x02, 0x01])));
		assert_eq!(status(key2), Some(DeviceStatus::Active));
		assert_eq!(status(key4), Some(DeviceStatus::Active));
		assert_eq!(status(key3), Some(DeviceStatus::Revoked), "its own revocation stands");
		assert_eq!(Registry::manufacturer(ACME).unwrap().revocations, 1);
		check_state();
	});
}

#[test]
fn a_revoked_leaf_cannot_be_replaced_by_another_certificate_of_the_same_hardware() {
	new_test_ext().execute_with(|| {
		set_time(time::SHORT_VALID);
		assert_ok!(Registry::add_root(RuntimeOrigin::root(), ACME, PublicKey::P256(*acme::ROOT2_PUB)));
		let key = acme::SHORT_KEY;
		let id = p256_device(key);
		assert_ok!(register(ALICE, &[acme::RENEWED, acme::INT1], key));
		assert_ok!(revoke(issuer_of(acme::INT1), &[0x10, 0x11]));
		assert_eq!(RevokedHardware::<Test>::get(id).map(|c| c.serial), Some(serial(&[0x10, 0x11])));
		run_to_block(3);
		// Not by renewal with another chain for the same key...
		let renew = |attestation: Attestation| {
			let payload = Registry::renewal_payload(ACME, &ALICE, &id, reference());
			Registry::renew_attestation(
				RuntimeOrigin::signed(ALICE),
				id,
				attestation,
				reference(),
				sign_p256(&p256_secret(key), &payload),
			)
		};
		assert_noop!(renew(x509(ACME, &[acme::SHORT, acme::INT1])), Error::<Test>::DeviceRevoked);
		// ...nor by leaving and registering with one, under either root.
		assert_ok!(Registry::deregister(RuntimeOrigin::signed(ALICE), id));
		run_to_block(4);
		assert_noop!(register(ALICE, &[acme::SHORT, acme::INT1], key), Error::<Test>::DeviceRevoked);
		let migrated = Attestation::X509 { manufacturer: ACME, root: 1, chain: chain(&[acme::MIGRATED]) };
		let sig = p256_registration(ACME, ALICE, key, &op_key(1));
		assert_noop!(
			Registry::register_device(
				RuntimeOrigin::signed(ALICE),
				migrated,
				op_key(1),
				None,
				reference(),
				sig.clone()
			),
			Error::<Test>::DeviceRevoked
		);
		check_state();
	});
}

#[test]
fn a_revoked_device_leaves_through_the_governance_slash_policy() {
	new_test_ext().execute_with(|| {
		let (certs1, key1) = acme::chain_of(1);
		let (certs2, key2) = acme::chain_of(2);
		assert_ok!(register(ALICE, certs1, key1));
		assert_ok!(register(ALICE, certs2, key2));
		assert_ok!(revoke(acme_root(), &[0x10, 0x01]));
		assert_ok!(revoke(issuer_of(acme::INT1), &[0x10, 0x02]));
		let (id1, id2) = (p256_device(key1), p256_device(key2));

		// No policy for revoked devices (0 %): the bond comes back in full.
		let post = Registry::deregister(RuntimeOrigin::signed(ALICE), id1).unwrap();
		assert_eq!(post.actual_weight, None, "charged the slash it attempted");
		assert_eq!(bond_of(ALICE).unbonding, DEVICE_BOND);

		// A 50 % policy: half is slashed, reported as a RevokedDevice offence on the
		// device's commitment, and the rest unbonds.
		REVOKED_DEVICE_SLASH.with(|p| *p.borrow_mut() = Some(50));
		assert_ok!(Registry::deregister(RuntimeOrigin::signed(ALICE), id2));
		assert!(System::events()
			.iter()
			.any(|r| r.event
				== Event::RevokedDeviceSlashed { device: id2, owner: ALICE, slashed: DEVICE_BOND / 2 }.into()));
		let offence = OFFENCES.with(|o| o.borrow()[0].clone());
		assert_eq!(offence.target, machina_primitives::SlashTarget::Commitment(id2));
		assert_eq!(offence.offender, ALICE);
		assert_eq!(bond_of(ALICE).unbonding, DEVICE_BOND + DEVICE_BOND / 2);
		assert_eq!(bond_of(ALICE).committed, 0);

		// A retired root (or intermediate) is no evidence against its devices: they leave
		// with their whole bond.
		let (certs3, key3) = acme::chain_of(3);
		assert_ok!(register(ALICE, certs3, key3));
		assert_ok!(Registry::revoke_root(RuntimeOrigin::root(), ACME, 0));
		assert_eq!(status(key3), Some(DeviceStatus::Revoked));
		let post = Registry::deregister(RuntimeOrigin::signed(ALICE), p256_device(key3)).unwrap();
		assert_eq!(post.actual_weight, Some(<() as WeightInfo>::deregister()));
		assert_eq!(OFFENCES.with(|o| o.borrow().len()), 1);
		assert_eq!(bond_of(ALICE).unbonding, 2 * DEVICE_BOND + DEVICE_BOND / 2);
		check_state();
	});
}

#[test]
fn revoking_a_root_or_suspending_a_manufacturer_reaches_every_device_in_o1() {
	new_test_ext().execute_with(|| {
		for n in 1..=4 {
			let (certs, key) = acme::chain_of(n);
			assert_ok!(register(ALICE, certs, key));
		}
		let ids: Vec<_> = (1..=4).map(|n| p256_device(acme::chain_of(n).1)).collect();
		assert_ok!(Registry::suspend_manufacturer(RuntimeOrigin::root(), ACME));
		assert!(ids.iter().all(|id| Registry::status(id) == Some(DeviceStatus::Suspended)));
		assert_ok!(Registry::resume_manufacturer(RuntimeOrigin::root(), ACME));
		assert!(ids.iter().all(|id| Registry::status(id) == Some(DeviceStatus::Active)));
		assert_ok!(Registry::revoke_root(RuntimeOrigin::root(), ACME, 0));
		assert!(ids.iter().all(|id| Registry::status(id) == Some(DeviceStatus::Revoked)));
		check_state();
	});
}

// ---- queries ----

#[test]
fn devices_of_pages_with_a_cursor() {
	new_test_ext().execute_with(|| {
		for n in 1..=4 {
			let (certs, key) = acme::chain_of(n);
			assert_ok!(register(ALICE, certs, key));
		}
		let first = Registry::devices_of(ALICE, None, 3);
		assert_eq!(first.len(), 3);
		let rest = Registry::devices_of(ALICE, Some(first[2].id), 3);
		assert_eq!(rest.len(), 1);
		let mut all: Vec<_> = first.iter().chain(rest.iter()).map(|v| v.id).collect();
		all.sort();
		let mut expected: Vec<_> = (1..=4).map(|n| p256_device(acme::chain_of(n).1)).collect();
		expected.sort();
		assert_eq!(all, expected);
		assert!(first.iter().all(|v| v.status == DeviceStatus::Active && v.device.owner == ALICE));
		assert!(Registry::devices_of(BOB, None, 3).is_empty());
		assert!(Registry::device(H256::zero()).is_none());
	});
}

#[test]
fn try_state_catches_a_broken_index() {
	new_test_ext().execute_with(|| {
		let (certs, key) = acme::chain_of(1);
		assert_ok!(register(ALICE, certs, key));
		check_state();
		DeviceCount::<Test>::put(5);
		assert!(Registry::do_try_state().is_err());
		DeviceCount::<Test>::put(1);
		DevicesByOwner::<Test>::remove(ALICE, p256_device(key));
		assert!(Registry::do_try_state().is_err());
		DevicesByOwner::<Test>::insert(ALICE, p256_device(key), ());
		check_state();
		Manufacturers::<Test>::mutate(ACME, |m| m.as_mut().unwrap().revocations = 1);
		assert!(Registry::do_try_state().is_err());
	});
}
