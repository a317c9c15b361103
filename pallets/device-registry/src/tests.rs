//! Unit tests with real certificate chains (see `fixtures/generate.sh`).

use crate::{fixtures::*, mock::*, *};
use codec::Encode;
use frame_support::{assert_noop, assert_ok, dispatch::Pays, BoundedVec};
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
	Attestation::X509 { manufacturer, chain: chain(certs) }
}

/// The registration signature of a P-256 device key for `owner`'s current nonce.
fn p256_registration(owner: AccountId, key_der: &[u8], op: &OperationalKey) -> RawSignature {
	let nonce = RegistrationNonce::<Test>::get(owner);
	sign_p256(&p256_secret(key_der), &Registry::registration_payload(&owner, op, nonce))
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
	let sig = p256_registration(owner, key_der, &op_key(1));
	Registry::register_device(RuntimeOrigin::signed(owner), x509(manufacturer, certs), op_key(1), None, sig)
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
		assert_eq!(NextManufacturerId::<Test>::get(), 2);
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
		assert_ok!(Registry::register_manufacturer(RuntimeOrigin::root(), name, roots));
		assert_eq!(Registry::manufacturer(2).unwrap().roots.len(), 1);

		// Roots: add up to MaxRoots (4), revoke once.
		assert_noop!(
			Registry::add_root(RuntimeOrigin::root(), 2, PublicKey::P256(*other::ROOT_PUB)),
			Error::<Test>::DuplicateRoot
		);
		for n in 1..=3u8 {
			assert_ok!(Registry::add_root(RuntimeOrigin::root(), 2, PublicKey::Ed25519([n; 32])));
		}
		assert_noop!(
			Registry::add_root(RuntimeOrigin::root(), 2, PublicKey::Ed25519([9; 32])),
			Error::<Test>::TooManyRoots
		);
		assert_noop!(Registry::revoke_root(RuntimeOrigin::root(), 2, 4), Error::<Test>::RootNotFound);
		assert_ok!(Registry::revoke_root(RuntimeOrigin::root(), 2, 3));
		assert_noop!(Registry::revoke_root(RuntimeOrigin::root(), 2, 3), Error::<Test>::RootAlreadyRevoked);
		assert_noop!(
			Registry::add_root(RuntimeOrigin::root(), 9, PublicKey::Ed25519([9; 32])),
			Error::<Test>::ManufacturerNotFound
		);

		// Suspension.
		assert_noop!(Registry::resume_manufacturer(RuntimeOrigin::root(), 2), Error::<Test>::ManufacturerNotSuspended);
		assert_ok!(Registry::suspend_manufacturer(RuntimeOrigin::root(), 2));
		assert_noop!(Registry::suspend_manufacturer(RuntimeOrigin::root(), 2), Error::<Test>::ManufacturerSuspended);
		assert_ok!(Registry::resume_manufacturer(RuntimeOrigin::root(), 2));

		// The revocation list.
		let serial: Serial = BoundedVec::truncate_from(vec![0x00, 0x10, 0x01]);
		assert_noop!(
			Registry::revoke_certificate(RuntimeOrigin::signed(ALICE), ACME, serial.clone()),
			DispatchError::BadOrigin
		);
		assert_ok!(Registry::revoke_certificate(RuntimeOrigin::root(), ACME, serial));
		// Leading zeros do not make a different serial.
		assert_noop!(
			Registry::revoke_certificate(RuntimeOrigin::root(), ACME, BoundedVec::truncate_from(vec![0x10, 0x01])),
			Error::<Test>::AlreadyRevoked
		);
		check_state();
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
			assert_eq!(device.serials.len(), n as usize, "leaf and each intermediate recorded");
			assert_eq!(Registry::status(&id), Some(DeviceStatus::Active));
			assert_eq!(RegistrationNonce::<Test>::get(ALICE), n);
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
		assert_eq!(Devices::<Test>::get(p256_device(key)).unwrap().serials.len(), 4);
		check_state();
	});
}

#[test]
fn registration_records_the_device_and_its_key() {
	new_test_ext().execute_with(|| {
		let (certs, key) = acme::chain_of(2);
		let sig = p256_registration(ALICE, key, &op_key(3));
		assert_ok!(Registry::register_device(
			RuntimeOrigin::signed(ALICE),
			x509(ACME, certs),
			op_key(3),
			Some(cell(9)),
			sig
		));
		let id = p256_device(key);
		// The DeviceId is the blake2-256 of the compressed hardware key.
		assert_eq!(id, device_id_of(p256_public(&p256_secret(key)).as_bytes()));
		assert_eq!(
			last_event(),
			Event::DeviceRegistered {
				device: id,
				owner: ALICE,
				manufacturer: ACME,
				bond: DEVICE_BOND,
				location: Some(cell(9))
			}
			.into()
		);
		assert_eq!(Registry::owner(&id), Some(ALICE));
		assert_eq!(Registry::operational_key(&id), Some(op_key(3)));
		assert_eq!(Registry::location(&id), Some(cell(9)));
		let serials = &Devices::<Test>::get(id).unwrap().serials;
		assert_eq!(serials[0].to_vec(), vec![0x10, 0x02]);
		assert_eq!(serials[1].to_vec(), vec![0x02, 0x01]);
		assert_eq!(DeviceBySerial::<Test>::get(ACME, &serials[0]), Some(id));
	});
}

#[test]
fn ed25519_chain_registers() {
	new_test_ext().execute_with(|| {
		let seed = ed25519_seed(edwards::LEAF_KEY);
		let op = op_key(1);
		let sig = sign_ed25519(&seed, &Registry::registration_payload(&BOB, &op, 0));
		assert_ok!(Registry::register_device(
			RuntimeOrigin::signed(BOB),
			x509(EDWARDS, &[edwards::LEAF, edwards::INT]),
			op,
			None,
			sig
		));
		let id = device_id_of(ed25519_public(&seed).as_bytes());
		assert_eq!(Registry::status(&id), Some(DeviceStatus::Active));
		check_state();
	});
}

#[test]
fn compact_certificates_register_under_p256_and_ed25519_roots() {
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

		let device_secret = [0x07u8; 32];
		let hw = p256_public(&device_secret);
		let cert = compact_p256(tiny, &p256_root, hw, &[0x01], time::BEFORE, time::EXPIRED);
		let sig = sign_p256(&device_secret, &Registry::registration_payload(&ALICE, &op_key(1), 0));
		assert_ok!(Registry::register_device(
			RuntimeOrigin::signed(ALICE),
			Attestation::Compact(cert),
			op_key(1),
			None,
			sig
		));
		let id = device_id_of(hw.as_bytes());
		assert_eq!(Devices::<Test>::get(id).unwrap().root, 0);

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
		cert.signature = sign_ed25519(&ed_root, &cert.signing_payload());
		let sig = sign_ed25519(&device_seed, &Registry::registration_payload(&ALICE, &op_key(1), 1));
		assert_ok!(Registry::register_device(
			RuntimeOrigin::signed(ALICE),
			Attestation::Compact(cert.clone()),
			op_key(1),
			None,
			sig
		));
		assert_eq!(Devices::<Test>::get(device_id_of(cert.hardware_key.as_bytes())).unwrap().root, 1);

		// Validity and forgery.
		let other_secret = [0x09u8; 32];
		let attempt = |cert: CompactCertificate| {
			let sig = sign_p256(&other_secret, &Registry::registration_payload(&ALICE, &op_key(1), 2));
			Registry::register_device(RuntimeOrigin::signed(ALICE), Attestation::Compact(cert), op_key(1), None, sig)
		};
		let hw = p256_public(&other_secret);
		assert_noop!(
			attempt(compact_p256(tiny, &p256_root, hw, &[3], time::VALID + 1, time::EXPIRED)),
			Error::<Test>::CertificateNotYetValid
		);
		assert_noop!(
			attempt(compact_p256(tiny, &p256_root, hw, &[3], time::BEFORE, time::VALID - 1)),
			Error::<Test>::CertificateExpired
		);
		let mut forged = compact_p256(tiny, &p256_root, hw, &[3], time::BEFORE, time::EXPIRED);
		forged.serial = BoundedVec::truncate_from(vec![4]);
		assert_noop!(attempt(forged), Error::<Test>::UntrustedRoot);
		assert_noop!(
			attempt(compact_p256(tiny, &[0x55; 32], hw, &[3], time::BEFORE, time::EXPIRED)),
			Error::<Test>::UntrustedRoot
		);
		assert_ok!(attempt(compact_p256(tiny, &p256_root, hw, &[3], time::BEFORE, time::EXPIRED)));
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
fn revoked_serials_block_registration() {
	new_test_ext().execute_with(|| {
		// The leaf's serial.
		assert_ok!(Registry::revoke_certificate(
			RuntimeOrigin::root(),
			ACME,
			BoundedVec::truncate_from(vec![0x10, 0x02])
		));
		assert_noop!(register(ALICE, &[acme::LEAF2, acme::INT1], acme::LEAF2_KEY), Error::<Test>::CertificateRevoked);
		// An intermediate's serial revokes everything below it.
		assert_ok!(Registry::revoke_certificate(
			RuntimeOrigin::root(),
			ACME,
			BoundedVec::truncate_from(vec![0x02, 0x02])
		));
		let (certs, key) = acme::chain_of(4);
		assert_noop!(register(ALICE, certs, key), Error::<Test>::CertificateRevoked);
		// Unrelated chains still register.
		let (certs, key) = acme::chain_of(1);
		assert_ok!(register(ALICE, certs, key));
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
		let (certs, key) = acme::chain_of(1);
		let id = p256_device(key);
		let sig = p256_registration(ALICE, key, &op_key(1));
		let attempt = |who: AccountId, sig: RawSignature| {
			Registry::register_device(RuntimeOrigin::signed(who), x509(ACME, certs), op_key(1), None, sig)
		};
		// Another owner cannot use Alice's signature.
		assert_noop!(attempt(BOB, sig), Error::<Test>::InvalidHardwareSignature);
		// Another operational key than the one signed.
		assert_noop!(
			Registry::register_device(RuntimeOrigin::signed(ALICE), x509(ACME, certs), op_key(2), None, sig),
			Error::<Test>::InvalidHardwareSignature
		);
		// A signature made for another chain (other genesis hash).
		let other_chain = (REGISTER_TAG, H256::repeat_byte(0x01), ALICE, op_key(1), 0u32).encode();
		assert_noop!(
			attempt(ALICE, sign_p256(&p256_secret(key), &other_chain)),
			Error::<Test>::InvalidHardwareSignature
		);
		// A signature by a key other than the certified one.
		let wrong_key = p256_registration(ALICE, acme::LEAF2_KEY, &op_key(1));
		assert_noop!(attempt(ALICE, wrong_key), Error::<Test>::InvalidHardwareSignature);

		assert_ok!(attempt(ALICE, sig));
		assert_noop!(attempt(ALICE, sig), Error::<Test>::AlreadyRegistered);
		// After deregistering, the old signature is spent: the nonce moved on.
		assert_ok!(Registry::deregister(RuntimeOrigin::signed(ALICE), id));
		assert_noop!(attempt(ALICE, sig), Error::<Test>::InvalidHardwareSignature);
		assert_ok!(attempt(ALICE, p256_registration(ALICE, key, &op_key(1))));
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
		// RSA is not supported.
		assert_noop!(register(ALICE, &[other::RSA], acme::LEAF1_KEY), Error::<Test>::UnsupportedAlgorithm);
		// A leaf used as an intermediate (not a CA).
		assert_noop!(
			register(ALICE, &[acme::LEAF2, acme::LEAF1], acme::LEAF2_KEY),
			Error::<Test>::NotACertificateAuthority
		);
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
			let sig = p256_registration(ALICE, key, &op_key(1));
			Registry::register_device(RuntimeOrigin::signed(ALICE), x509(ACME, certs), op_key(1), Some(location), sig)
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
		run_to_block(1 + ATTESTATION_VALIDITY - 1);
		assert_eq!(Registry::status(&id), Some(DeviceStatus::Active));
		run_to_block(1 + ATTESTATION_VALIDITY);
		assert_eq!(Registry::status(&id), Some(DeviceStatus::Stale));
		assert!(!Registry::is_active(&id));

		let now = System::block_number();
		let reference = now - 2;
		let sig = sign_p256(&secret, &Registry::reattestation_payload(&id, reference));
		// Anyone may submit the device's proof.
		assert_ok!(Registry::reattest(RuntimeOrigin::signed(BOB), id, reference, sig));
		assert_eq!(Registry::status(&id), Some(DeviceStatus::Active));
		assert_eq!(last_event(), Event::DeviceReattested { device: id, reference_block: reference }.into());
		// The same proof twice, or one for an older block, fails.
		assert_noop!(Registry::reattest(RuntimeOrigin::signed(BOB), id, reference, sig), Error::<Test>::StaleReference);
		let older = sign_p256(&secret, &Registry::reattestation_payload(&id, reference - 1));
		assert_noop!(
			Registry::reattest(RuntimeOrigin::signed(BOB), id, reference - 1, older),
			Error::<Test>::StaleReference
		);
		// A block outside the window, or the current block (its hash is not known yet).
		run_to_block(now + REATTESTATION_WINDOW + 5);
		let too_old = now + 1;
		let sig = sign_p256(&secret, &Registry::reattestation_payload(&id, too_old));
		assert_noop!(Registry::reattest(RuntimeOrigin::signed(BOB), id, too_old, sig), Error::<Test>::StaleReference);
		let current = System::block_number();
		let sig = sign_p256(&secret, &Registry::reattestation_payload(&id, current));
		assert_noop!(Registry::reattest(RuntimeOrigin::signed(BOB), id, current, sig), Error::<Test>::StaleReference);
		// A signature over another block's hash.
		let good = current - 1;
		let wrong = sign_p256(&secret, &Registry::reattestation_payload(&id, good - 1));
		assert_noop!(
			Registry::reattest(RuntimeOrigin::signed(BOB), id, good, wrong),
			Error::<Test>::InvalidHardwareSignature
		);
		let sig = sign_p256(&secret, &Registry::reattestation_payload(&id, good));
		assert_ok!(Registry::reattest(RuntimeOrigin::signed(BOB), id, good, sig));
		check_state();
	});
}

#[test]
fn operational_key_rotation_is_signed_by_the_hardware_key_once() {
	new_test_ext().execute_with(|| {
		let (certs, key) = acme::chain_of(1);
		assert_ok!(register(ALICE, certs, key));
		let id = p256_device(key);
		let secret = p256_secret(key);
		let new_key = OperationalKey::Sr25519(sp_core::sr25519::Public::from_raw([5; 32]));
		let sig = sign_p256(&secret, &Registry::rotation_payload(&id, &new_key, 0));
		assert_noop!(
			Registry::rotate_operational_key(RuntimeOrigin::signed(BOB), id, new_key.clone(), sig),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			Registry::rotate_operational_key(RuntimeOrigin::signed(ALICE), id, op_key(9), sig),
			Error::<Test>::InvalidHardwareSignature
		);
		assert_ok!(Registry::rotate_operational_key(RuntimeOrigin::signed(ALICE), id, new_key.clone(), sig));
		assert_eq!(Registry::operational_key(&id), Some(new_key.clone()));
		// Replaying the rotation (say, after rotating away) fails: the nonce moved.
		assert_noop!(
			Registry::rotate_operational_key(RuntimeOrigin::signed(ALICE), id, new_key, sig),
			Error::<Test>::InvalidHardwareSignature
		);
	});
}

#[test]
fn aggregation_key_needs_a_proof_of_possession_and_the_hardware_signature() {
	new_test_ext().execute_with(|| {
		let (certs, key) = acme::chain_of(1);
		assert_ok!(register(ALICE, certs, key));
		let id = p256_device(key);
		let secret = p256_secret(key);
		let bls = bls_key(7);
		let sign = |public: Option<[u8; 48]>, nonce: u32| {
			sign_p256(&secret, &Registry::aggregation_key_payload(&id, public, nonce))
		};
		let set = |who: AccountId, k: Option<AggregationKeyProof>, sig: RawSignature| {
			Registry::set_aggregation_key(RuntimeOrigin::signed(who), id, k, sig)
		};
		assert_noop!(set(BOB, Some(bls), sign(Some(bls.public), 0)), Error::<Test>::NotOwner);
		// Another key's proof (a rogue key without its secret) fails.
		let other = bls_key(8);
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
		// Replay of the same signature fails (nonce moved); removal needs its own.
		assert_noop!(set(ALICE, Some(bls), sign(Some(bls.public), 0)), Error::<Test>::InvalidHardwareSignature);
		assert_ok!(set(ALICE, None, sign(None, 1)));
		assert_eq!(Registry::aggregation_key(&id), None);
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
		run_to_block(1 + LOCATION_INTERVAL);
		assert_ok!(Registry::set_location(RuntimeOrigin::signed(ALICE), id, cell(9)));
		assert_eq!(last_event(), Event::DeviceMoved { device: id, from: Some(cell(8)), to: cell(9) }.into());
		assert_noop!(
			Registry::set_location(RuntimeOrigin::signed(ALICE), id, cell(10)),
			Error::<Test>::LocationUpdateTooSoon
		);
	});
}

#[test]
fn transfer_moves_the_bond_to_the_new_owner_on_acceptance() {
	new_test_ext().execute_with(|| {
		let (certs, key) = acme::chain_of(1);
		assert_ok!(register(ALICE, certs, key));
		let id = p256_device(key);
		assert_noop!(Registry::offer_transfer(RuntimeOrigin::signed(ALICE), id, ALICE), Error::<Test>::TransferToSelf);
		assert_noop!(Registry::offer_transfer(RuntimeOrigin::signed(BOB), id, BOB), Error::<Test>::NotOwner);
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
		assert_ok!(Registry::deregister(RuntimeOrigin::signed(ALICE), id));
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
fn revoking_a_leaf_serial_revokes_its_device_at_once() {
	new_test_ext().execute_with(|| {
		let (certs, key) = acme::chain_of(2);
		assert_ok!(register(ALICE, certs, key));
		let id = p256_device(key);
		assert_ok!(Registry::revoke_certificate(
			RuntimeOrigin::root(),
			ACME,
			BoundedVec::truncate_from(vec![0x10, 0x02])
		));
		assert_eq!(
			last_event(),
			Event::CertificateRevoked {
				manufacturer: ACME,
				serial: BoundedVec::truncate_from(vec![0x10, 0x02]),
				device: Some(id)
			}
			.into()
		);
		assert_eq!(Registry::status(&id), Some(DeviceStatus::Revoked));
		let sig = sign_p256(&p256_secret(key), &Registry::reattestation_payload(&id, 0));
		assert_noop!(Registry::reattest(RuntimeOrigin::signed(ALICE), id, 0, sig), Error::<Test>::DeviceRevoked);
		// The owner can still leave and get the bond back.
		assert_ok!(Registry::deregister(RuntimeOrigin::signed(ALICE), id));
		check_state();
	});
}

#[test]
fn revoking_an_intermediate_is_enforced_by_anyone_for_free() {
	new_test_ext().execute_with(|| {
		let (certs, key) = acme::chain_of(4);
		assert_ok!(register(ALICE, certs, key));
		let (certs1, key1) = acme::chain_of(1);
		assert_ok!(register(ALICE, certs1, key1));
		let id = p256_device(key);
		let bystander = p256_device(key1);
		assert_noop!(Registry::mark_revoked(RuntimeOrigin::signed(CHARLIE), id), Error::<Test>::NotRevoked);
		// int2's serial.
		assert_ok!(Registry::revoke_certificate(
			RuntimeOrigin::root(),
			ACME,
			BoundedVec::truncate_from(vec![0x02, 0x02])
		));
		// Lazily: still active until someone marks it, and it cannot re-attest.
		assert_eq!(Registry::status(&id), Some(DeviceStatus::Active));
		run_to_block(3);
		let sig = sign_p256(&p256_secret(key), &Registry::reattestation_payload(&id, 2));
		assert_noop!(Registry::reattest(RuntimeOrigin::signed(ALICE), id, 2, sig), Error::<Test>::CertificateRevoked);
		let post = Registry::mark_revoked(RuntimeOrigin::signed(CHARLIE), id).unwrap();
		assert_eq!(post.pays_fee, Pays::No);
		assert_eq!(Registry::status(&id), Some(DeviceStatus::Revoked));
		assert_noop!(Registry::mark_revoked(RuntimeOrigin::signed(CHARLIE), id), Error::<Test>::DeviceRevoked);
		assert_noop!(Registry::mark_revoked(RuntimeOrigin::signed(CHARLIE), bystander), Error::<Test>::NotRevoked);
		assert_eq!(Registry::status(&bystander), Some(DeviceStatus::Active));
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
		// Nothing was written per device.
		assert!(ids.iter().all(|id| !Devices::<Test>::get(id).unwrap().revoked));
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
	});
}
