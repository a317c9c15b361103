//! Coverage in the real runtime, with its real values: devices registered under the dev
//! manufacturer with BLS keys proven in the registry, enrolled, heartbeating directly
//! (a bare extrinsic built with the node's own transaction types, validated as the pool
//! does) and through a bonded aggregator, and an epoch closing with the runtime's
//! emission from the reward reserve.

mod common;

use codec::Encode;
use common::{close_block, json_merge, preset_config, signed, RelayView};
use frame_support::{traits::fungible::Inspect, BoundedVec};
use machina_primitives::{bls, device_id_of, BondPurpose, DeviceId, OperationalKey};
use machina_runtime::{
	configs::{
		coverage::{MinAggregatorBond, RewardReserve},
		device_registry::DeviceBond,
	},
	constants::{currency::UNIT, time::SLOT_DURATION},
	genesis_config_presets::COVERAGE_EMISSION,
	Balances, Coverage, DeviceRegistry, Executive, Runtime, RuntimeCall, RuntimeEvent, RuntimeGenesisConfig, System,
	UncheckedExtrinsic,
};
use pallet_coverage::{BatchShard, DeviceSignature, HeartbeatRejection};
use pallet_device_registry::{fixtures, HardwareSignature};
use sp_core::{ed25519, sr25519, Pair};
use sp_keyring::Sr25519Keyring::{Bob, Charlie};
use sp_runtime::{
	transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
	BuildStorage, Perbill,
};

const SLOT: u64 = fixtures::time::VALID * 1000 / SLOT_DURATION;
/// Relay block 1000: epoch 10 (100 relay blocks each), slot 0.
const RELAY: u32 = 1_000;

struct TestDevice {
	hardware: ed25519::Pair,
	operational: sr25519::Pair,
	bls_seed: u64,
	id: DeviceId,
}

fn device(n: u8) -> TestDevice {
	let hardware = ed25519::Pair::from_seed(&[n; 32]);
	let operational = sr25519::Pair::from_seed(&[n + 100; 32]);
	let id = device_id_of(&hardware.public().0);
	TestDevice { hardware, operational, bls_seed: u64::from(n), id }
}

/// The dev preset with the uptime rule "one slot earns full points", so one block's
/// heartbeats earn.
fn new_test_ext() -> sp_io::TestExternalities {
	let mut config = preset_config(sp_genesis_builder::DEV_RUNTIME_PRESET);
	json_merge(
		&mut config,
		serde_json::json!({ "coverage": { "uptimeRule": [{ "min_slots": 1, "multiplier": 1_000_000_000u32 }] } }),
	);
	let config: RuntimeGenesisConfig = serde_json::from_value(config).expect("valid config");
	let mut ext: sp_io::TestExternalities = config.build_storage().unwrap().into();
	ext.execute_with(|| System::set_block_number(0));
	ext
}

fn open(slot_offset: u64, relay_number: u32) {
	let slot = SLOT + slot_offset;
	common::open_block_at(RelayView { slot, timestamp_ms: slot * SLOT_DURATION, relay_number, dev_marker: false });
}

fn apply(who: sp_keyring::Sr25519Keyring, call: RuntimeCall, nonce: u32) {
	Executive::apply_extrinsic(signed(who, call, nonce)).expect("valid").expect("dispatches");
}

/// Bob registers `d` with a compact certificate of the dev manufacturer (root: the
/// Ed25519 key of //Alice) and sets its BLS key with its proof of possession.
fn register(d: &TestDevice, nonce: &mut u32) {
	let key = OperationalKey::Sr25519(d.operational.public());
	let call = common::compact_registration(Bob, &d.hardware, key, None);
	apply(Bob, call, *nonce);
	*nonce += 1;
	let proof = fixtures::bls_key(d.bls_seed, &d.id);
	let payload = DeviceRegistry::aggregation_key_payload_of(d.id, Some(proof.public)).unwrap();
	let call = RuntimeCall::DeviceRegistry(pallet_device_registry::Call::set_aggregation_key {
		device: d.id,
		key: Some(proof),
		hw_signature: HardwareSignature::Ed25519(d.hardware.sign(&payload).0),
	});
	apply(Bob, call, *nonce);
	*nonce += 1;
}

fn bare_heartbeat(d: &TestDevice) -> UncheckedExtrinsic {
	let info = Coverage::epoch_info().expect("clock running");
	let mut message = Coverage::heartbeat_message(info.epoch, info.slot).expect("current slot");
	message.extend_from_slice(d.id.as_bytes());
	let call = RuntimeCall::Coverage(pallet_coverage::Call::heartbeat {
		device: d.id,
		epoch: info.epoch,
		slot: info.slot,
		signature: DeviceSignature::Sr25519(d.operational.sign(&message)),
	});
	UncheckedExtrinsic::new_bare(call)
}

#[test]
fn devices_heartbeat_directly_and_aggregated_and_the_epoch_pays_the_runtime_emission() {
	new_test_ext().execute_with(|| {
		let devices: Vec<TestDevice> = (1..=3).map(device).collect();
		// Block 1, relay block 1000: epoch 10, slot 0.
		open(0, RELAY);
		// The clock moves once the inherents are in (with the first transaction).
		assert_eq!(Coverage::epoch_info(), None);
		let mut nonce = 0;
		apply(
			Bob,
			RuntimeCall::MicroBonds(pallet_micro_bonds::Call::bond {
				purpose: BondPurpose::Device,
				amount: DeviceBond::get() * 3,
			}),
			nonce,
		);
		nonce += 1;
		assert_eq!(Coverage::epoch_info().map(|i| (i.epoch, i.slot)), Some((10, 0)));
		for d in &devices {
			register(d, &mut nonce);
		}
		// A rogue key (attacker's key minus device 1's, so the sum of the two would be the
		// attacker's alone) cannot be set: no proof of possession exists for it.
		{
			use bls12_381::{G1Affine, G1Projective};
			let victim =
				G1Affine::from_compressed(&fixtures::bls_key(devices[0].bls_seed, &devices[0].id).public).unwrap();
			let attacker = fixtures::bls_secret(99);
			let rogue = G1Affine::from((G1Affine::generator() * attacker) - G1Projective::from(victim));
			let public = rogue.to_compressed();
			let forged = pallet_device_registry::AggregationKeyProof {
				public,
				proof_of_possession: bls::testing::proof_of_possession(&attacker, devices[2].id.as_fixed_bytes()),
			};
			let d = &devices[2];
			let payload = DeviceRegistry::aggregation_key_payload_of(d.id, Some(public)).unwrap();
			let call = RuntimeCall::DeviceRegistry(pallet_device_registry::Call::set_aggregation_key {
				device: d.id,
				key: Some(forged),
				hw_signature: HardwareSignature::Ed25519(d.hardware.sign(&payload).0),
			});
			let result = Executive::apply_extrinsic(signed(Bob, call, nonce)).expect("valid");
			nonce += 1;
			assert_eq!(result.unwrap_err(), pallet_device_registry::Error::<Runtime>::InvalidProofOfPossession.into());
		}
		for d in &devices {
			apply(Bob, RuntimeCall::Coverage(pallet_coverage::Call::enroll { device: d.id }), nonce);
			nonce += 1;
		}
		apply(
			Charlie,
			RuntimeCall::MicroBonds(pallet_micro_bonds::Call::bond {
				purpose: BondPurpose::Aggregator,
				amount: MinAggregatorBond::get(),
			}),
			0,
		);
		close_block();

		// The pool's view: a bare heartbeat, feeless, valid once per device and slot.
		let heartbeat = bare_heartbeat(&devices[0]);
		let parent = System::block_hash(System::block_number());
		let valid = Executive::validate_transaction(TransactionSource::External, heartbeat.clone(), parent)
			.expect("valid in the pool");
		assert_eq!(valid.provides, vec![("MachinaHeartbeat", devices[0].id, 10u32, 0u16).encode()]);
		let mut forged = bare_heartbeat(&devices[1]);
		if let RuntimeCall::Coverage(pallet_coverage::Call::heartbeat { ref mut device, .. }) = forged.function {
			*device = devices[0].id;
		}
		assert_eq!(
			Executive::validate_transaction(TransactionSource::External, forged, parent),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(HeartbeatRejection::BadSignature as u8)))
		);

		// Block 2, relay block 1001: still slot 0. The device's heartbeat, then the
		// aggregator's batch of all three (device 0 counts once).
		open(1, RELAY + 1);
		let bob_before = Balances::balance(&Bob.to_account_id());
		Executive::apply_extrinsic(heartbeat.clone()).expect("valid").expect("counted");
		let info = Coverage::epoch_info().unwrap();
		let message = Coverage::heartbeat_message(info.epoch, info.slot).unwrap();
		let secret =
			devices.iter().map(|d| fixtures::bls_secret(d.bls_seed)).fold(bls12_381::Scalar::zero(), |a, s| a + s);
		let signature = bls::testing::sign(&secret, &message, bls::SIGNATURE_DST);
		let batch = RuntimeCall::Coverage(pallet_coverage::Call::heartbeat_batch {
			epoch: info.epoch,
			slot: info.slot,
			shards: BoundedVec::truncate_from(vec![BatchShard { shard: 0, absent: BoundedVec::new() }]),
			signature,
		});
		apply(Charlie, batch, 1);
		assert!(System::events().iter().any(|r| matches!(
			r.event,
			RuntimeEvent::Coverage(pallet_coverage::Event::BatchCounted { counted: 2, .. })
		)));
		// Replayed: refused before dispatch, so nobody pays for it.
		assert_eq!(
			Executive::apply_extrinsic(heartbeat),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(
				HeartbeatRejection::AlreadyCounted as u8
			)))
		);
		// The device's owner paid nothing for the heartbeat.
		assert_eq!(Balances::balance(&Bob.to_account_id()), bob_before);
		for d in &devices {
			assert_eq!(Coverage::uptime(d.id, 10).unwrap().slots, 1);
		}
		close_block();

		// Block 3, relay block 1100: epoch 11 opens, epoch 10 closes with 60 % of the
		// runtime's emission, taken from the reward reserve; each device earned a third.
		let reserve_before = Balances::balance(&RewardReserve::get());
		open(2, RELAY + 100);
		Executive::inherents_applied();
		let reward = Perbill::from_percent(60) * COVERAGE_EMISSION;
		assert_eq!(reward, 600 * UNIT);
		let record = pallet_coverage::Epochs::<Runtime>::get(10).unwrap();
		assert_eq!(record.reward, reward);
		assert_eq!(reserve_before - Balances::balance(&RewardReserve::get()), reward);
		for d in &devices {
			assert_eq!(Coverage::pending_rewards(d.id), vec![(10, reward / 3)]);
		}
		// Claims wait for the challenge period (50 relay blocks).
		let claim = RuntimeCall::Coverage(pallet_coverage::Call::claim_rewards {
			device: devices[0].id,
			epochs: BoundedVec::truncate_from(vec![10]),
		});
		let result = Executive::apply_extrinsic(signed(Bob, claim, nonce)).expect("valid");
		assert_eq!(result.unwrap_err(), pallet_coverage::Error::<Runtime>::NotClaimable.into());
		close_block();
		Coverage::do_try_state().unwrap();
	});
}

/// The event of `device`'s claim in the current block: `(to owner, to pool)`.
fn claimed(device: DeviceId) -> (u128, u128) {
	System::events()
		.iter()
		.find_map(|r| match r.event {
			RuntimeEvent::Coverage(pallet_coverage::Event::RewardsClaimed { device: d, amount, to_pool, .. })
				if d == device =>
			{
				Some((amount - to_pool, to_pool))
			},
			_ => None,
		})
		.expect("claimed")
}

/// Blocks 1 and 2 of the pool tests: Bob operates a pool (10 % commission) that Dave
/// joins at relay block 1000; device 1 is backed by Bob's own bond, device 2 half by
/// the pool; both heartbeat in epoch 10, which closes at relay block 1100. Returns the
/// devices and each one's reward. (Three blocks at most: the test runtime's unincluded
/// segment holds no more.)
fn pool_backed_devices() -> (Vec<TestDevice>, u128) {
	use machina_runtime::configs::micro_bonds::MinPoolOperatorStake;
	use sp_keyring::Sr25519Keyring::Dave;
	// Device 1: Bob's own bond; device 2: half Bob's, half the pool's.
	let devices: Vec<TestDevice> = (1..=2).map(device).collect();
	let bond = DeviceBond::get();
	// Block 1, relay block 1000 (epoch 10): the pool, Dave's stake in it, the devices
	// and one heartbeat each.
	open(0, RELAY);
	let call = |c| RuntimeCall::MicroBonds(c);
	apply(
		Bob,
		call(pallet_micro_bonds::Call::create_pool {
			commission: Perbill::from_percent(10),
			stake: MinPoolOperatorStake::get(),
		}),
		0,
	);
	apply(Bob, call(pallet_micro_bonds::Call::bond { purpose: BondPurpose::Device, amount: bond + bond / 2 }), 1);
	apply(Dave, call(pallet_micro_bonds::Call::join_pool { pool: 0, amount: 100 * UNIT }), 0);
	let mut nonce = 2;
	for d in &devices {
		register(d, &mut nonce);
		apply(Bob, RuntimeCall::Coverage(pallet_coverage::Call::enroll { device: d.id }), nonce);
		nonce += 1;
	}
	let from_pool =
		|d: &TestDevice| pallet_micro_bonds::Commitments::<Runtime>::get(Bob.to_account_id(), d.id).unwrap().from_pool;
	assert_eq!(devices.iter().map(from_pool).collect::<Vec<_>>(), vec![0, bond / 2]);
	for d in &devices {
		Executive::apply_extrinsic(bare_heartbeat(d)).expect("valid").expect("counted");
	}
	close_block();

	// Block 2, relay block 1100: epoch 10 closes with 600 MACH, 300 each.
	open(1, RELAY + 100);
	Executive::inherents_applied();
	close_block();
	(devices, Perbill::from_percent(60) * COVERAGE_EMISSION / 2)
}

fn claim(d: &TestDevice) -> RuntimeCall {
	RuntimeCall::Coverage(pallet_coverage::Call::claim_rewards {
		device: d.id,
		epochs: BoundedVec::truncate_from(vec![10]),
	})
}

/// A device whose bond a delegated pool backs shares its reward with the pool, by the
/// part the pool backs; the pool's members are paid through the pool's reward points,
/// after the operator's commission.
#[test]
fn rewards_of_a_pool_backed_device_go_to_the_pool_by_the_part_it_backs() {
	use machina_runtime::{configs::micro_bonds::RewardWarmUp, MicroBonds};
	use sp_keyring::Sr25519Keyring::Dave;
	new_test_ext().execute_with(|| {
		let (devices, share) = pool_backed_devices();
		// Block 3, relay block 2200: claims are open and Dave's stake earns (from relay
		// block 1800). Device 1 pays Bob alone; device 2 half to the pool: 10 % commission
		// to Bob as its operator, 90 % to Dave.
		open(2, RELAY + 2 * RewardWarmUp::get());
		let reward_account = MicroBonds::pool_reward_account(0);
		let pool_before = Balances::balance(&reward_account);
		for (i, d) in devices.iter().enumerate() {
			apply(Charlie, claim(d), i as u32);
		}
		assert_eq!(claimed(devices[0].id), (share, 0));
		assert_eq!(claimed(devices[1].id), (share / 2, share / 2));
		assert_eq!(Balances::balance(&reward_account) - pool_before, share / 2 * 9 / 10);
		let dave_before = Balances::balance(&Dave.to_account_id());
		apply(Dave, RuntimeCall::MicroBonds(pallet_micro_bonds::Call::claim_pool_rewards { pool: 0 }), 1);
		let dave_gain = Balances::balance(&Dave.to_account_id()) - dave_before;
		// Less the call's fee, and rounding down in the pool's accumulator.
		assert!(dave_gain > share / 2 * 9 / 10 - UNIT, "Dave gained {dave_gain}");
		close_block();
		assert_eq!(pallet_coverage::Epochs::<Runtime>::get(10).unwrap().paid, share * 2);
		Coverage::do_try_state().unwrap();
		MicroBonds::do_try_state().unwrap();
	});
}

/// While the backing pool's stake still warms up, the pool-backed device's claim fails
/// whole, whoever sends it: the pool's part goes neither to the owner nor back to the
/// reserve, and the reward waits. The device the pool does not back is paid.
#[test]
fn a_pool_backed_claim_waits_while_the_pools_stake_warms_up() {
	use machina_runtime::MicroBonds;
	new_test_ext().execute_with(|| {
		let (devices, share) = pool_backed_devices();
		// Block 3, relay block 1200: the challenge period is over; Dave's stake earns
		// from relay block 1800 only.
		open(2, RELAY + 200);
		for (who, nonce) in [(Charlie, 0), (Bob, 8)] {
			let refused = Executive::apply_extrinsic(signed(who, claim(&devices[1]), nonce)).expect("valid");
			assert_eq!(refused, Err(pallet_micro_bonds::Error::<Runtime>::NoEarningStake.into()));
		}
		apply(Charlie, claim(&devices[0]), 1);
		assert_eq!(claimed(devices[0].id), (share, 0));
		close_block();
		assert_eq!(Coverage::pending_rewards(devices[1].id), vec![(10, share)]);
		assert_eq!(pallet_coverage::Epochs::<Runtime>::get(10).unwrap().paid, share);
		Coverage::do_try_state().unwrap();
		MicroBonds::do_try_state().unwrap();
	});
}

/// In the real runtime a sale tells coverage first: the device leaves its shard (the
/// seller's BLS key leaves the aggregate at once), and conflicting heartbeats the seller's
/// key signed before the sale still slash the seller's released commitment, with the
/// runtime's slash policy.
#[test]
fn a_sale_evicts_the_device_and_the_sellers_equivocation_stays_slashable() {
	use pallet_coverage::SignedHeartbeat;
	use sp_core::H256;
	use sp_keyring::Sr25519Keyring::Dave;
	new_test_ext().execute_with(|| {
		let d = device(7);
		let bond = DeviceBond::get();
		// Block 1, relay block 1000: Bob registers and enrolls the device, which
		// heartbeats; Dave bonds to buy it.
		open(0, RELAY);
		apply(
			Bob,
			RuntimeCall::MicroBonds(pallet_micro_bonds::Call::bond { purpose: BondPurpose::Device, amount: bond }),
			0,
		);
		let mut nonce = 1;
		register(&d, &mut nonce);
		apply(Bob, RuntimeCall::Coverage(pallet_coverage::Call::enroll { device: d.id }), nonce);
		nonce += 1;
		apply(
			Dave,
			RuntimeCall::MicroBonds(pallet_micro_bonds::Call::bond { purpose: BondPurpose::Device, amount: bond }),
			0,
		);
		Executive::apply_extrinsic(bare_heartbeat(&d)).expect("valid").expect("counted");
		let member = pallet_coverage::Members::<Runtime>::get(d.id).unwrap();
		assert!(pallet_coverage::Places::<Runtime>::get(member.shard, member.index).unwrap().key.is_some());
		// The same slot signed twice, over two anchors: equivocation.
		let sign = |anchor: H256| {
			let message = Coverage::direct_message(&d.id, 10, 0, anchor);
			SignedHeartbeat { anchor, signature: DeviceSignature::Sr25519(d.operational.sign(&message)) }
		};
		let anchor = pallet_coverage::CurrentSlot::<Runtime>::get().unwrap().anchor;
		let (first, second) = (sign(anchor), sign(H256::repeat_byte(7)));

		// The sale.
		apply(
			Bob,
			RuntimeCall::DeviceRegistry(pallet_device_registry::Call::offer_transfer {
				device: d.id,
				to: Dave.to_account_id(),
			}),
			nonce,
		);
		apply(Dave, RuntimeCall::DeviceRegistry(pallet_device_registry::Call::accept_transfer { device: d.id }), 1);
		assert!(pallet_coverage::Members::<Runtime>::get(d.id).unwrap().left.is_some());
		assert_eq!(pallet_coverage::Places::<Runtime>::get(member.shard, member.index).unwrap().key, None);
		let retired = pallet_coverage::RetiredSigners::<Runtime>::get(d.id).unwrap();
		assert_eq!((retired.owner, retired.last_epoch), (Bob.to_account_id(), 10));

		// Charlie reports it: Bob's released commitment pays, not Dave's.
		let report = RuntimeCall::Coverage(pallet_coverage::Call::report_equivocation {
			device: d.id,
			epoch: 10,
			slot: 0,
			first,
			second,
		});
		let bob_bond =
			|| pallet_micro_bonds::Bonds::<Runtime>::get(Bob.to_account_id(), BondPurpose::Device).unwrap().total();
		let dave_bond =
			|| pallet_micro_bonds::Bonds::<Runtime>::get(Dave.to_account_id(), BondPurpose::Device).unwrap().total();
		let (bob_before, dave_before) = (bob_bond(), dave_bond());
		apply(Charlie, report, 0);
		let slashed = System::events()
			.iter()
			.find_map(|r| match r.event {
				RuntimeEvent::Coverage(pallet_coverage::Event::Equivocation { slashed, .. }) => Some(slashed),
				_ => None,
			})
			.expect("reported");
		assert!(slashed > 0);
		assert_eq!(bob_before - bob_bond(), slashed);
		assert_eq!(dave_bond(), dave_before);
		close_block();
		Coverage::do_try_state().unwrap();
		DeviceRegistry::do_try_state().unwrap();
	});
}
