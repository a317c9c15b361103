//! The device registry in the real runtime: a real X.509 chain verified by the runtime,
//! the device bond committed in micro-bonds, a compact certificate under the dev
//! manufacturer, and clean failures.

mod common;

use common::{
	close_block,
	gov::{enact, open_relay_block, relay_now},
	new_test_ext, open_block, signed,
};
use frame_support::BoundedVec;
use machina_primitives::{device_id_of, BondManager, BondPurpose, DeviceInspect, DeviceStatus, OperationalKey};
use machina_runtime::{
	configs::{device_registry::DeviceBond, governance::origins::Origin},
	constants::time::{RELAY_DAYS, SLOT_DURATION},
	DeviceRegistry, Executive, MicroBonds, Runtime, RuntimeCall,
};
use pallet_device_registry::{fixtures, Attestation, CompactCertificate, PublicKey};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring::Bob};
use sp_runtime::DispatchError;

/// A slot whose timestamp lies inside the fixtures' validity.
const SLOT: u64 = fixtures::time::VALID * 1000 / SLOT_DURATION;

fn registry(call: pallet_device_registry::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::DeviceRegistry(call)
}

fn op_key() -> OperationalKey {
	OperationalKey::Sr25519(Bob.public())
}

/// Register "Acme Sensors" (the fixtures' P-256 root) by a `device_admin` referendum
/// that runs in the day before `SLOT`, then open block `SLOT` and bond Bob for one
/// device; returns Acme's id.
fn acme_and_bonded_bob() -> u32 {
	open_relay_block(SLOT as u32 - RELAY_DAYS);
	close_block();
	let name = BoundedVec::truncate_from(b"Acme Sensors".to_vec());
	let roots = BoundedVec::truncate_from(vec![PublicKey::P256(*fixtures::acme::ROOT_PUB)]);
	enact(Origin::DeviceAdmin, registry(pallet_device_registry::Call::register_manufacturer { name, roots }));
	assert!(relay_now() < SLOT as u32, "the referendum ended before the test's slot");
	open_block(SLOT);
	let bond = RuntimeCall::MicroBonds(pallet_micro_bonds::Call::bond {
		purpose: BondPurpose::Device,
		amount: DeviceBond::get(),
	});
	Executive::apply_extrinsic(signed(Bob, bond, 0)).unwrap().unwrap();
	// Manufacturer 0 is the dev preset's.
	1
}

/// Bob registers the device of `key_der`, its hardware signing genesis (block 0) as
/// the reference block, from block 1.
fn register_call(acme: u32, certs: &[&[u8]], key_der: &[u8]) -> RuntimeCall {
	let payload = DeviceRegistry::registration_payload(acme, &Bob.to_account_id(), &op_key(), 0);
	let hw_signature = fixtures::sign_p256(&fixtures::p256_secret(key_der), &payload);
	registry(pallet_device_registry::Call::register_device {
		attestation: Attestation::X509 { manufacturer: acme, root: 0, chain: fixtures::chain(certs) },
		operational_key: op_key(),
		location: None,
		reference_block: 0,
		hw_signature,
	})
}

#[test]
fn a_real_p256_chain_registers_a_device_bonded_in_micro_bonds() {
	new_test_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let acme = acme_and_bonded_bob();
		let (certs, key) = fixtures::acme::chain_of(4);
		Executive::apply_extrinsic(signed(Bob, register_call(acme, certs, key), 1)).unwrap().unwrap();
		close_block();

		let id = device_id_of(fixtures::p256_public(&fixtures::p256_secret(key)).as_bytes());
		let bob = Bob.to_account_id();
		assert_eq!(DeviceRegistry::owner(&id), Some(bob.clone()));
		assert_eq!(DeviceRegistry::status(&id), Some(DeviceStatus::Active));
		assert_eq!(MicroBonds::committed(&bob, BondPurpose::Device), DeviceBond::get());
		DeviceRegistry::do_try_state().unwrap();
		MicroBonds::do_try_state().unwrap();

		// Deregistering releases the bond and starts unbonding it.
		open_block(SLOT + 1);
		let dereg = registry(pallet_device_registry::Call::deregister { device: id });
		Executive::apply_extrinsic(signed(Bob, dereg, 2)).unwrap().unwrap();
		close_block();
		assert_eq!(DeviceRegistry::status(&id), None);
		assert_eq!(MicroBonds::committed(&bob, BondPurpose::Device), 0);
		assert_eq!(MicroBonds::bonded(&bob, BondPurpose::Device), 0);
		let chunks = pallet_micro_bonds::Bonds::<Runtime>::get(&bob, BondPurpose::Device).unwrap().unbonding;
		assert_eq!(chunks.iter().map(|c| c.value).sum::<u128>(), DeviceBond::get());
		DeviceRegistry::do_try_state().unwrap();
		MicroBonds::do_try_state().unwrap();
	});
}

#[test]
fn forged_chains_and_missing_bonds_fail_with_their_errors() {
	new_test_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let acme = acme_and_bonded_bob();
		let mut leaf = fixtures::acme::LEAF2.to_vec();
		*leaf.last_mut().unwrap() ^= 1;
		let forged = register_call(acme, &[&leaf, fixtures::acme::INT1], fixtures::acme::LEAF2_KEY);
		let err = Executive::apply_extrinsic(signed(Bob, forged, 1)).unwrap().unwrap_err();
		assert_eq!(err, pallet_device_registry::Error::<Runtime>::InvalidCertificateSignature.into());
		// The fee was still paid (nonce 1 used): resubmit valid with nonce 2, but Charlie
		// (unbonded) cannot register at all.
		let (certs, key) = fixtures::acme::chain_of(1);
		let payload = DeviceRegistry::registration_payload(
			acme,
			&sp_keyring::Sr25519Keyring::Charlie.to_account_id(),
			&op_key(),
			0,
		);
		let call = registry(pallet_device_registry::Call::register_device {
			attestation: Attestation::X509 { manufacturer: acme, root: 0, chain: fixtures::chain(certs) },
			operational_key: op_key(),
			location: None,
			reference_block: 0,
			hw_signature: fixtures::sign_p256(&fixtures::p256_secret(key), &payload),
		});
		let err =
			Executive::apply_extrinsic(signed(sp_keyring::Sr25519Keyring::Charlie, call, 0)).unwrap().unwrap_err();
		assert!(matches!(err, DispatchError::Module(_)), "{err:?}");
		assert_eq!(err, pallet_micro_bonds::Error::<Runtime>::InsufficientBondToCommit.into());
		close_block();
		DeviceRegistry::do_try_state().unwrap();
	});
}

#[test]
fn dev_manufacturer_issues_compact_certificates_with_the_alice_ed25519_key() {
	new_test_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let dev = DeviceRegistry::manufacturer(0).expect("dev preset manufacturer");
		assert_eq!(dev.roots[0].key, PublicKey::Ed25519(Ed25519Keyring::Alice.public().0));
		acme_and_bonded_bob();
		// A test device whose hardware key is the Ed25519 key of //Bob.
		let hardware = Ed25519Keyring::Bob;
		let mut cert = CompactCertificate {
			manufacturer: 0,
			hardware_key: PublicKey::Ed25519(hardware.public().0),
			model: BoundedVec::truncate_from(b"dev-sensor".to_vec()),
			serial: BoundedVec::truncate_from(vec![1]),
			not_before: 0,
			not_after: u64::MAX,
			signature: [0; 64],
		};
		cert.signature = Ed25519Keyring::Alice.sign(&cert.signing_payload()).0;
		let payload = DeviceRegistry::registration_payload(0, &Bob.to_account_id(), &op_key(), 0);
		let call = registry(pallet_device_registry::Call::register_device {
			attestation: Attestation::Compact { root: 0, certificate: cert },
			operational_key: op_key(),
			location: None,
			reference_block: 0,
			hw_signature: pallet_device_registry::HardwareSignature::Ed25519(hardware.sign(&payload).0),
		});
		Executive::apply_extrinsic(signed(Bob, call, 1)).unwrap().unwrap();
		close_block();
		let id = device_id_of(&hardware.public().0);
		assert_eq!(DeviceRegistry::status(&id), Some(DeviceStatus::Active));
		assert_eq!(DeviceRegistry::manufacturer(0).unwrap().devices, 1);
	});
}

#[test]
fn a_revoked_device_leaves_a_quarter_of_its_bond_by_the_dev_slash_policy() {
	new_test_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let acme = acme_and_bonded_bob();
		let (certs, key) = fixtures::acme::chain_of(2);
		Executive::apply_extrinsic(signed(Bob, register_call(acme, certs, key), 1)).unwrap().unwrap();
		close_block();
		let id = device_id_of(fixtures::p256_public(&fixtures::p256_secret(key)).as_bytes());
		let bob = Bob.to_account_id();
		let issuance = pallet_balances::TotalIssuance::<Runtime>::get();

		// Governance revokes the leaf, by its issuer (int1) and serial: a `device_admin`
		// referendum.
		let leaf = pallet_device_registry::Devices::<Runtime>::get(id).unwrap().certificates[0].clone();
		let int1 = pallet_device_registry::attestation::certificate_key(fixtures::acme::INT1).unwrap();
		assert_eq!(leaf.issuer, pallet_device_registry::key_id_of(&int1));
		let revoke = registry(pallet_device_registry::Call::revoke_certificate {
			manufacturer: acme,
			issuer: leaf.issuer,
			serial: leaf.serial,
		});
		enact(Origin::DeviceAdmin, revoke);
		assert_eq!(DeviceRegistry::status(&id), Some(DeviceStatus::Revoked));
		open_relay_block(relay_now() + 1);
		let dereg = registry(pallet_device_registry::Call::deregister { device: id });
		Executive::apply_extrinsic(signed(Bob, dereg, 2)).unwrap().unwrap();
		close_block();

		// RevokedDevice: 25 % of the 10 MACH bond; the rest unbonds.
		let slashed = DeviceBond::get() / 4;
		let chunks = pallet_micro_bonds::Bonds::<Runtime>::get(&bob, BondPurpose::Device).unwrap().unbonding;
		assert_eq!(chunks.iter().map(|c| c.value).sum::<u128>(), DeviceBond::get() - slashed);
		assert_eq!(MicroBonds::committed(&bob, BondPurpose::Device), 0);
		assert!(frame_system::Pallet::<Runtime>::events().iter().any(|r| r.event
			== machina_runtime::RuntimeEvent::DeviceRegistry(pallet_device_registry::Event::RevokedDeviceSlashed {
				device: id,
				owner: bob.clone(),
				slashed,
			})));
		// Nothing lost: what was not burnt is in the insurance pool (fees aside, the
		// issuance fell by the burnt part only).
		assert!(pallet_balances::TotalIssuance::<Runtime>::get() < issuance);
		DeviceRegistry::do_try_state().unwrap();
		MicroBonds::do_try_state().unwrap();
	});
}
