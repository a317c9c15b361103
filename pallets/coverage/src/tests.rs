#![allow(deprecated)] // `ValidateUnsigned` is what the pool calls for bare heartbeats.

use crate::{mock::*, *};
use frame_support::{
	assert_noop, assert_ok,
	traits::{fungible::Inspect, Get, Hooks},
	BoundedVec,
};
use machina_primitives::{DeviceStatus, OnSignerRetired, OperationalKey};
use sp_core::{Pair, H256};
use sp_runtime::{
	traits::ValidateUnsigned,
	transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
	DispatchError, Perbill,
};

fn sims(n: u32) -> Vec<SimDevice> {
	(0..n).map(SimDevice::new).collect()
}

fn enroll_all(devices: &[SimDevice]) {
	register(devices);
	for d in devices {
		assert_ok!(Coverage::enroll(RuntimeOrigin::signed(account(OWNER)), d.id));
	}
}

fn now() -> (EpochIndex, SlotIndex) {
	let s = CurrentSlot::<Test>::get().unwrap();
	(s.epoch, s.slot)
}

fn batch(
	shards: Vec<(ShardId, Vec<MemberIndex>)>,
) -> BoundedVec<BatchShard<<Test as Config>::MaxAbsentPerShard>, <Test as Config>::MaxShardsPerBatch> {
	BoundedVec::truncate_from(
		shards
			.into_iter()
			.map(|(shard, absent)| BatchShard { shard, absent: BoundedVec::truncate_from(absent) })
			.collect(),
	)
}

/// Submit the aggregated heartbeat of everybody in `devices` except `absent` (indices
/// into `devices`, whose places are `shard = i / 64, index = i % 64` when enrolled in
/// order): one batch, or one per shard when the absentees exceed `MaxAbsentPerBatch` (as
/// an aggregator splits them).
fn batch_heartbeat(devices: &[SimDevice], absent: &[usize]) -> sp_runtime::DispatchResult {
	let shards = (devices.len() as u32).div_ceil(SHARD);
	if absent.len() <= <<Test as Config>::MaxAbsentPerBatch as Get<u32>>::get() as usize {
		return shard_batch(devices, absent, 0..shards);
	}
	(0..shards).try_for_each(|s| shard_batch(devices, absent, s..s + 1))
}

fn shard_batch(devices: &[SimDevice], absent: &[usize], shards: core::ops::Range<u32>) -> sp_runtime::DispatchResult {
	let (epoch, slot) = now();
	let in_batch = |i: usize| shards.contains(&(i as u32 / SHARD));
	let signers: Vec<&SimDevice> =
		devices.iter().enumerate().filter(|(i, _)| in_batch(*i) && !absent.contains(i)).map(|(_, d)| d).collect();
	let signature = aggregate(&signers, epoch, slot);
	let listed = shards
		.clone()
		.map(|s| {
			let absent_here = absent
				.iter()
				.filter(|&&i| i as u32 / SHARD == s)
				.map(|&i| (i as u32 % SHARD) as MemberIndex)
				.collect::<Vec<_>>();
			(s, absent_here)
		})
		.collect();
	Coverage::heartbeat_batch(RuntimeOrigin::signed(account(AGGREGATOR)), epoch, slot, batch(listed), signature)
}

fn direct(d: &SimDevice) -> sp_runtime::DispatchResult {
	let (epoch, slot) = now();
	Coverage::heartbeat(RuntimeOrigin::none(), d.id, epoch, slot, d.heartbeat(epoch, slot))
}

/// Enroll `d`, heartbeat in two slots of epoch 1 (full points under the default rule) and
/// move past the epoch's challenge period, so epoch 1 is claimable.
fn full_points_claimable(d: &SimDevice) {
	enroll_all(core::slice::from_ref(d));
	assert_ok!(direct(d));
	advance_to(at(1, 1));
	assert_ok!(direct(d));
	advance_to(at(2, 0));
	advance_to(at(2, 0) + CHALLENGE);
}

/// `d` heartbeats in the current slot and signs it again over another anchor: the
/// counted heartbeat and the conflicting one.
fn equivocate(d: &SimDevice) -> (EpochIndex, SlotIndex, SignedHeartbeat, SignedHeartbeat) {
	let (epoch, slot) = now();
	assert_ok!(direct(d));
	let first = d.sign_anchor(epoch, slot, CurrentSlot::<Test>::get().unwrap().anchor);
	(epoch, slot, first, d.sign_anchor(epoch, slot, H256::repeat_byte(7)))
}

/// Relay block of `slot` of `epoch`.
fn at(epoch: u32, slot: u32) -> u32 {
	epoch * EPOCH + slot * SLOT
}

#[test]
fn slots_and_epochs_follow_the_relay_clock_not_parachain_blocks() {
	new_test_ext().execute_with(|| {
		assert_eq!(now(), (1, 0));
		let anchor = CurrentSlot::<Test>::get().unwrap().anchor;
		// Ten parachain blocks within one slot's relay blocks change nothing.
		for _ in 0..10 {
			advance_to(EPOCH + 9);
			assert_eq!(now(), (1, 0));
		}
		assert_eq!(CurrentSlot::<Test>::get().unwrap().anchor, anchor);
		advance_to(EPOCH + 10);
		assert_eq!(now(), (1, 1));
		// The anchor is the parent hash of the slot's first block.
		assert_eq!(CurrentSlot::<Test>::get().unwrap().anchor, System::parent_hash());
		assert_ne!(CurrentSlot::<Test>::get().unwrap().anchor, anchor);
		// A relay clock that skips epochs (a stalled chain) closes the open one and opens
		// the current one, nothing in between.
		advance_to(at(3, 2));
		assert_eq!(now(), (3, 2));
		assert!(Epochs::<Test>::get(1).unwrap().closed_at.is_some());
		assert!(Epochs::<Test>::get(2).is_none());
		assert!(Epochs::<Test>::get(3).is_some());
	});
}

#[test]
fn a_direct_heartbeat_counts_once_per_slot() {
	new_test_ext().execute_with(|| {
		let devices = sims(2);
		enroll_all(&devices);
		assert_ok!(direct(&devices[0]));
		assert_noop!(direct(&devices[0]), Error::<Test>::AlreadyCounted);
		assert_eq!(Coverage::uptime(devices[0].id, 1).unwrap().slots, 1);
		advance_to(at(1, 1));
		assert_ok!(direct(&devices[0]));
		assert_eq!(Coverage::uptime(devices[0].id, 1).unwrap().slots, 2);
		assert_eq!(Coverage::uptime(devices[1].id, 1).unwrap().slots, 0);
	});
}

#[test]
fn bad_heartbeats_are_rejected_with_clear_errors() {
	new_test_ext().execute_with(|| {
		let devices = sims(3);
		enroll_all(&devices[..2]);
		register(&devices[2..]);
		let (epoch, slot) = now();
		let d = &devices[0];
		let good = d.heartbeat(epoch, slot);
		let hb = |id, e, s, sig| Coverage::heartbeat(RuntimeOrigin::none(), id, e, s, sig);
		// Forged: another device's key.
		assert_noop!(hb(d.id, epoch, slot, devices[1].heartbeat(epoch, slot)), Error::<Test>::BadSignature);
		// Wrong epoch or slot (not the current one), even with a signature for it.
		assert_noop!(hb(d.id, epoch + 1, slot, good.clone()), Error::<Test>::WrongSlot);
		assert_noop!(hb(d.id, epoch, slot + 1, good.clone()), Error::<Test>::WrongSlot);
		// Signed for another chain (other genesis hash).
		let other_chain = {
			let hash = frame_system::BlockHash::<Test>::get(0);
			frame_system::BlockHash::<Test>::insert(0, H256::repeat_byte(0x43));
			let s = d.heartbeat(epoch, slot);
			frame_system::BlockHash::<Test>::insert(0, hash);
			s
		};
		assert_noop!(hb(d.id, epoch, slot, other_chain), Error::<Test>::BadSignature);
		// Signed over another anchor (ahead of the slot, or on another fork).
		let other_anchor = d.sign_anchor(epoch, slot, H256::repeat_byte(9)).signature;
		assert_noop!(hb(d.id, epoch, slot, other_anchor), Error::<Test>::BadSignature);
		// Not enrolled.
		assert_noop!(hb(devices[2].id, epoch, slot, devices[2].heartbeat(epoch, slot)), Error::<Test>::NotEnrolled);
		// Stale, revoked.
		FakeRegistry::update(&d.id, |f| f.active_until = UnixNow::get());
		assert_noop!(hb(d.id, epoch, slot, good.clone()), Error::<Test>::DeviceNotActive);
		FakeRegistry::update(&d.id, |f| {
			f.active_until = u64::MAX;
			f.status = DeviceStatus::Revoked
		});
		assert_noop!(hb(d.id, epoch, slot, good.clone()), Error::<Test>::DeviceNotActive);
		FakeRegistry::update(&d.id, |f| f.status = DeviceStatus::Active);
		assert_ok!(hb(d.id, epoch, slot, good.clone()));
		// Replayed in the same slot, and in the next slot.
		assert_noop!(hb(d.id, epoch, slot, good.clone()), Error::<Test>::AlreadyCounted);
		advance_to(at(1, 1));
		assert_noop!(hb(d.id, epoch, slot, good.clone()), Error::<Test>::WrongSlot);
		assert_noop!(hb(d.id, epoch, slot + 1, good), Error::<Test>::BadSignature);
		// Only unsigned: a signed origin is refused.
		assert_noop!(
			Coverage::heartbeat(
				RuntimeOrigin::signed(account(OWNER)),
				d.id,
				epoch,
				slot + 1,
				d.heartbeat(epoch, slot + 1)
			),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn the_pool_admits_one_feeless_heartbeat_per_device_and_slot() {
	new_test_ext().execute_with(|| {
		let devices = sims(2);
		enroll_all(&devices);
		let (epoch, slot) = now();
		let call = |d: &SimDevice, sig| crate::Call::<Test>::heartbeat { device: d.id, epoch, slot, signature: sig };
		let valid = Coverage::validate_unsigned(
			TransactionSource::External,
			&call(&devices[0], devices[0].heartbeat(epoch, slot)),
		)
		.unwrap();
		assert_eq!(valid.priority, 1_000_000);
		assert_eq!(valid.longevity, 5);
		assert!(valid.propagate);
		// The tag names device, epoch and slot: a second heartbeat of the device for the
		// slot replaces or is refused, it never adds up.
		let other = Coverage::validate_unsigned(
			TransactionSource::External,
			&call(&devices[1], devices[1].heartbeat(epoch, slot)),
		)
		.unwrap();
		assert_ne!(valid.provides, other.provides);
		assert_eq!(
			Coverage::validate_unsigned(
				TransactionSource::External,
				&call(&devices[0], devices[1].heartbeat(epoch, slot))
			),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(HeartbeatRejection::BadSignature as u8)))
		);
		assert_ok!(direct(&devices[0]));
		assert_eq!(
			Coverage::validate_unsigned(
				TransactionSource::External,
				&call(&devices[0], devices[0].heartbeat(epoch, slot))
			),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(
				HeartbeatRejection::AlreadyCounted as u8
			)))
		);
		// Other calls are never valid unsigned.
		assert!(Coverage::validate_unsigned(
			TransactionSource::External,
			&crate::Call::<Test>::enroll { device: devices[0].id }
		)
		.is_err());
	});
}

#[test]
fn an_aggregated_heartbeat_counts_every_signer_and_no_absentee() {
	new_test_ext().execute_with(|| {
		let devices = sims(150); // three shards: 64, 64, 22
		enroll_all(&devices);
		assert_eq!(ShardCount::<Test>::get(), 3);
		let absent = [0usize, 70, 149];
		assert_ok!(batch_heartbeat(&devices, &absent));
		for (i, d) in devices.iter().enumerate() {
			assert_eq!(Coverage::uptime(d.id, 1).unwrap().slots, u32::from(!absent.contains(&i)), "device {i}");
		}
		System::assert_last_event(
			Event::BatchCounted { aggregator: account(AGGREGATOR), epoch: 1, slot: 0, shards: 3, counted: 147 }.into(),
		);
		// Everybody already counted: a second batch for the slot counts nobody.
		assert_noop!(batch_heartbeat(&devices, &absent), Error::<Test>::NothingCounted);
		// An absentee omitted by this aggregator uses the direct path.
		assert_ok!(direct(&devices[70]));
		assert_eq!(Coverage::uptime(devices[70].id, 1).unwrap().slots, 1);
		Coverage::do_try_state().unwrap();
	});
}

#[test]
fn a_batch_claiming_a_device_that_did_not_sign_fails() {
	new_test_ext().execute_with(|| {
		let devices = sims(10);
		enroll_all(&devices);
		let (epoch, slot) = now();
		// Device 3 did not sign, but the batch lists nobody absent.
		let signers: Vec<&SimDevice> = devices.iter().enumerate().filter(|(i, _)| *i != 3).map(|(_, d)| d).collect();
		let signature = aggregate(&signers, epoch, slot);
		let agg = RuntimeOrigin::signed(account(AGGREGATOR));
		assert_noop!(
			Coverage::heartbeat_batch(agg.clone(), epoch, slot, batch(vec![(0, vec![])]), signature),
			Error::<Test>::InvalidAggregate
		);
		// Listing it absent makes the same signature valid.
		assert_ok!(Coverage::heartbeat_batch(agg.clone(), epoch, slot, batch(vec![(0, vec![3])]), signature));
		// Malformed batches.
		let all = aggregate(&devices.iter().collect::<Vec<_>>(), epoch, slot);
		assert_noop!(
			Coverage::heartbeat_batch(agg.clone(), epoch, slot, batch(vec![(0, vec![4, 2])]), all),
			Error::<Test>::AbsentNotSorted
		);
		assert_noop!(
			Coverage::heartbeat_batch(agg.clone(), epoch, slot, batch(vec![(0, vec![40])]), all),
			Error::<Test>::AbsentNotKeyed
		);
		assert_noop!(
			Coverage::heartbeat_batch(agg.clone(), epoch, slot, batch(vec![(0, vec![]), (0, vec![])]), all),
			Error::<Test>::ShardsNotSorted
		);
		assert_noop!(
			Coverage::heartbeat_batch(agg.clone(), epoch, slot, batch(vec![(7, vec![])]), all),
			Error::<Test>::UnknownShard
		);
		assert_noop!(
			Coverage::heartbeat_batch(agg.clone(), epoch + 1, slot, batch(vec![(0, vec![])]), all),
			Error::<Test>::WrongSlot
		);
		// Only bonded aggregators.
		assert_noop!(
			Coverage::heartbeat_batch(
				RuntimeOrigin::signed(account(OWNER)),
				epoch,
				slot,
				batch(vec![(0, vec![])]),
				all
			),
			Error::<Test>::NotAggregator
		);
	});
}

#[test]
fn a_copied_key_cannot_count_twice_and_a_rogue_key_cannot_enroll_unproven() {
	new_test_ext().execute_with(|| {
		let devices = sims(2);
		register(&devices);
		// Device 1's registry record holds device 0's key (the real registry refuses it;
		// here it is the case of a key handed over while a stale copy is enrolled).
		let key0 = <FakeRegistry as machina_primitives::DeviceInspect<AccountId>>::aggregation_key(&devices[0].id);
		assert_ok!(Coverage::enroll(RuntimeOrigin::signed(account(OWNER)), devices[0].id));
		FakeRegistry::update(&devices[1].id, |f| f.aggregation_key = key0);
		assert_noop!(Coverage::enroll(RuntimeOrigin::signed(account(OWNER)), devices[1].id), Error::<Test>::KeyInUse);
		// Once device 0 no longer holds it in the registry, the key moves: it is in one
		// shard sum only.
		FakeRegistry::update(&devices[0].id, |f| f.aggregation_key = None);
		assert_ok!(Coverage::enroll(RuntimeOrigin::signed(account(OWNER)), devices[1].id));
		assert_eq!(Places::<Test>::get(0, 0).unwrap().key, None);
		assert_eq!(Places::<Test>::get(0, 1).unwrap().key, key0);
		Coverage::do_try_state().unwrap();
	});
}

#[test]
fn direct_and_aggregated_paths_give_identical_accounting() {
	let run = |aggregated: bool| {
		new_test_ext().execute_with(|| {
			let devices = sims(100);
			enroll_all(&devices);
			for slot in 0..u32::from(SLOTS) {
				advance_to(at(1, slot));
				// Device i is up in slot s when (i + s) % 3 != 0.
				let absent: Vec<usize> = (0..devices.len()).filter(|i| (i + slot as usize).is_multiple_of(3)).collect();
				if aggregated {
					assert_ok!(batch_heartbeat(&devices, &absent));
				} else {
					for (i, d) in devices.iter().enumerate().filter(|(i, _)| !absent.contains(i)) {
						let _ = i;
						assert_ok!(direct(d));
					}
				}
			}
			let slots: Vec<u32> = devices.iter().map(|d| Coverage::uptime(d.id, 1).unwrap().slots).collect();
			(slots, Epochs::<Test>::get(1).unwrap().points)
		})
	};
	let (direct_slots, direct_points) = run(false);
	let (aggregated_slots, aggregated_points) = run(true);
	assert_eq!(direct_slots, aggregated_slots);
	assert_eq!(direct_points, aggregated_points);
	assert!(direct_points > 0);
}

#[test]
fn a_thousand_devices_with_mixed_uptime_are_paid_by_the_rule_and_the_pot_adds_up() {
	new_test_ext().execute_with(|| {
		// Helium-like steps: 2 of 4 slots earn half, 3 or 4 slots earn full.
		let rule = UptimeRule::truncate_from(vec![
			UptimeStep { min_slots: 2, multiplier: Perbill::from_percent(50) },
			UptimeStep { min_slots: 3, multiplier: Perbill::from_percent(100) },
		]);
		assert_ok!(Coverage::set_uptime_rule(RuntimeOrigin::root(), rule));
		let devices = sims(1_000);
		enroll_all(&devices);
		// Device i is up in (i % 5) slots of each epoch (0 to 4), for three epochs.
		let up_slots = |i: usize| (i % 5) as u32;
		let epochs = [2u32, 3, 4];
		for &epoch in &epochs {
			for slot in 0..u32::from(SLOTS) {
				advance_to(at(epoch, slot));
				let absent: Vec<usize> = (0..devices.len()).filter(|&i| slot >= up_slots(i)).collect();
				assert_ok!(batch_heartbeat(&devices, &absent));
			}
		}
		advance_to(at(5, 0));
		// Points: 200 devices each at 0, 1 (nothing), 2 (half), 3 and 4 (full) slots.
		let expected_points = 200 * (POINTS_PER_DEVICE / 2) + 400 * POINTS_PER_DEVICE;
		let reward = Perbill::from_percent(60) * EMISSION;
		for &epoch in &epochs {
			let record = Epochs::<Test>::get(epoch).unwrap();
			assert_eq!(record.points, expected_points);
			assert_eq!(record.reward, reward);
		}
		// Claims wait for the challenge period.
		assert_noop!(
			Coverage::claim_rewards(
				RuntimeOrigin::signed(account(REPORTER)),
				devices[4].id,
				BoundedVec::truncate_from(vec![4])
			),
			Error::<Test>::NotClaimable
		);
		advance_to(at(5, 0) + CHALLENGE);
		let owner_before = Balances::balance(&account(OWNER));
		// Claim epochs 2 and 3 for everybody who earned; epoch 4 stays unclaimed.
		let full = reward * u128::from(POINTS_PER_DEVICE) / u128::from(expected_points);
		let half = reward * u128::from(POINTS_PER_DEVICE / 2) / u128::from(expected_points);
		let mut paid = 0;
		for (i, d) in devices.iter().enumerate() {
			let claim = Coverage::claim_rewards(
				RuntimeOrigin::signed(account(REPORTER)),
				d.id,
				BoundedVec::truncate_from(vec![2, 3]),
			);
			let each = match up_slots(i) {
				0 | 1 => {
					assert_noop!(claim, Error::<Test>::NothingToClaim);
					continue;
				},
				2 => half,
				_ => full,
			};
			assert_ok!(claim);
			paid += 2 * each;
		}
		assert_eq!(Balances::balance(&account(OWNER)) - owner_before, paid);
		// Rewards are proportional to the rule: full = 2 x half, up to rounding.
		assert_eq!(full, 2 * half);
		assert!(2 * reward - paid < 1_000, "rounding dust only");
		assert_noop!(
			Coverage::claim_rewards(
				RuntimeOrigin::signed(account(REPORTER)),
				devices[4].id,
				BoundedVec::truncate_from(vec![2])
			),
			Error::<Test>::AlreadySettled
		);
		Coverage::do_try_state().unwrap();
		// Epochs expire after the claim window: their unclaimed rest returns to the source.
		let source_before = Balances::balance(&RewardSourceAccount::get());
		for epoch in 6..=4 + CLAIM_WINDOW + 1 {
			advance_to(at(epoch, 0));
		}
		assert!(Epochs::<Test>::get(4).is_none());
		assert_noop!(
			Coverage::claim_rewards(
				RuntimeOrigin::signed(account(REPORTER)),
				devices[4].id,
				BoundedVec::truncate_from(vec![4])
			),
			Error::<Test>::EpochNotLive
		);
		let totals = Totals::<Test>::get();
		assert_eq!(totals.funded, 3 * reward);
		assert_eq!(totals.paid, paid);
		assert_eq!(totals.expired, 3 * reward - paid);
		assert_eq!(Balances::balance(&RewardSourceAccount::get()) - source_before, 3 * reward - paid);
		// paid + expired + remaining == funded, and the source paid exactly what was funded.
		assert_eq!(Balances::balance(&Coverage::pot()), ED);
		assert_eq!(SOURCE_FUNDS - Balances::balance(&RewardSourceAccount::get()), paid);
		Coverage::do_try_state().unwrap();
		// The expired epochs' shard records are deleted in idle time.
		for _ in 0..4 {
			Coverage::on_idle(System::block_number(), frame_support::weights::Weight::MAX);
		}
		assert_eq!(Uptime::<Test>::iter_prefix(2).count(), 0);
		assert_eq!(PendingCleanup::<Test>::get().len(), 0);
	});
}

#[test]
fn stale_devices_are_not_counted_by_batches_and_refresh_restores_them() {
	new_test_ext().execute_with(|| {
		let devices = sims(4);
		register(&devices);
		// Device 1's attestation goes stale in 100 s: time only, the roster knows it.
		FakeRegistry::update(&devices[1].id, |f| f.active_until = UnixNow::get() + 100);
		for d in &devices {
			assert_ok!(Coverage::enroll(RuntimeOrigin::signed(account(OWNER)), d.id));
		}
		UnixNow::set(UnixNow::get() + 100);
		assert_ok!(batch_heartbeat(&devices, &[]));
		assert_eq!(Coverage::uptime(devices[1].id, 1).unwrap().slots, 0);
		assert_eq!(Coverage::uptime(devices[0].id, 1).unwrap().slots, 1);
		// It re-attests; refresh (anyone) brings the roster up to date.
		FakeRegistry::update(&devices[1].id, |f| f.active_until = UnixNow::get() + 1_000_000);
		assert_ok!(Coverage::refresh(RuntimeOrigin::signed(account(REPORTER)), devices[1].id));
		advance_to(at(1, 1));
		assert_ok!(batch_heartbeat(&devices, &[]));
		assert_eq!(Coverage::uptime(devices[1].id, 1).unwrap().slots, 1);
		// Revoked: anyone evicts it; its key leaves the shard sum.
		FakeRegistry::update(&devices[2].id, |f| f.status = DeviceStatus::Revoked);
		assert_ok!(Coverage::refresh(RuntimeOrigin::signed(account(REPORTER)), devices[2].id));
		System::assert_last_event(Event::Left { device: devices[2].id, epoch: 1, evicted: true }.into());
		advance_to(at(1, 2));
		// The evicted device can no longer be part of a batch: its signature breaks it.
		assert_noop!(batch_heartbeat(&devices, &[]), Error::<Test>::InvalidAggregate);
		let rest: Vec<&SimDevice> = devices.iter().enumerate().filter(|(i, _)| *i != 2).map(|(_, d)| d).collect();
		let (epoch, slot) = now();
		assert_ok!(Coverage::heartbeat_batch(
			RuntimeOrigin::signed(account(AGGREGATOR)),
			epoch,
			slot,
			batch(vec![(0, vec![])]),
			aggregate(&rest, epoch, slot)
		));
		Coverage::do_try_state().unwrap();
	});
}

#[test]
fn places_are_reused_only_after_their_claims_expired() {
	new_test_ext().execute_with(|| {
		let devices = sims(3);
		enroll_all(&devices[..2]);
		register(&devices[2..]);
		assert_ok!(direct(&devices[0]));
		advance_to(at(1, 1));
		assert_ok!(direct(&devices[0]));
		assert_noop!(Coverage::leave(RuntimeOrigin::signed(account(REPORTER)), devices[0].id), Error::<Test>::NotOwner);
		assert_ok!(Coverage::leave(RuntimeOrigin::signed(account(OWNER)), devices[0].id));
		// A newcomer does not take the place of a device whose claims are live.
		assert_ok!(Coverage::enroll(RuntimeOrigin::signed(account(OWNER)), devices[2].id));
		assert_eq!(Coverage::membership(devices[2].id).unwrap().index, 2);
		assert_ok!(Coverage::leave(RuntimeOrigin::signed(account(OWNER)), devices[2].id));
		// The leaver still claims the epoch it left in.
		advance_to(at(2, 0));
		advance_to(at(2, 0) + CHALLENGE);
		assert_ok!(Coverage::claim_rewards(
			RuntimeOrigin::signed(account(OWNER)),
			devices[0].id,
			BoundedVec::truncate_from(vec![1])
		));
		// After the claim window the place is free again.
		for epoch in 3..=1 + CLAIM_WINDOW + 1 {
			advance_to(at(epoch, 0));
		}
		let newcomer = SimDevice::new(99);
		register(core::slice::from_ref(&newcomer));
		assert_ok!(Coverage::enroll(RuntimeOrigin::signed(account(OWNER)), newcomer.id));
		assert_eq!(
			Coverage::membership(newcomer.id).unwrap(),
			Membership { shard: 0, index: 0, joined: 2 + CLAIM_WINDOW, left: None, vacancy: None }
		);
		assert!(Coverage::membership(devices[0].id).is_none());
		Coverage::do_try_state().unwrap();
	});
}

#[test]
fn equivocation_slashes_forfeits_and_pays_the_reporter() {
	new_test_ext().execute_with(|| {
		let devices = sims(2);
		enroll_all(&devices);
		let d = &devices[0];
		let (epoch, slot, first, second) = equivocate(d);
		assert_ok!(direct(&devices[1]));
		// The same heartbeat twice is no equivocation; another device's is no evidence.
		assert_noop!(
			Coverage::report_equivocation(
				RuntimeOrigin::signed(account(REPORTER)),
				d.id,
				epoch,
				slot,
				first.clone(),
				first.clone()
			),
			Error::<Test>::NotConflicting
		);
		assert_noop!(
			Coverage::report_equivocation(
				RuntimeOrigin::signed(account(REPORTER)),
				d.id,
				epoch,
				slot,
				first.clone(),
				devices[1].sign_anchor(epoch, slot, H256::repeat_byte(7))
			),
			Error::<Test>::BadSignature
		);
		let reporter_before = Balances::balance(&account(REPORTER));
		assert_ok!(Coverage::report_equivocation(
			RuntimeOrigin::signed(account(REPORTER)),
			d.id,
			epoch,
			slot,
			first.clone(),
			second.clone()
		));
		assert_eq!(Balances::balance(&account(REPORTER)) - reporter_before, REPORTER_SHARE);
		let (offence, reporter) = OFFENCES.with(|o| o.borrow()[0].clone());
		assert_eq!(offence.offender, account(OWNER));
		assert_eq!(offence.kind, machina_primitives::OffenceKind::Equivocation);
		assert_eq!(offence.target, machina_primitives::SlashTarget::Commitment(d.id));
		assert_eq!(offence.evidence_time, at(1, 0));
		assert_eq!(reporter, Some(account(REPORTER)));
		// Reported once.
		assert!(Coverage::report_equivocation(
			RuntimeOrigin::signed(account(REPORTER)),
			d.id,
			epoch,
			slot,
			second,
			first
		)
		.is_err());
		// The epoch's reward is forfeited; the honest device is paid.
		advance_to(at(2, 0));
		advance_to(at(2, 0) + CHALLENGE);
		assert_noop!(
			Coverage::claim_rewards(RuntimeOrigin::signed(account(OWNER)), d.id, BoundedVec::truncate_from(vec![1])),
			Error::<Test>::AlreadySettled
		);
		// Too late: after the challenge period evidence changes nothing.
		let (e2, s2) = (1, 1);
		let late = (d.sign_anchor(e2, s2, H256::repeat_byte(1)), d.sign_anchor(e2, s2, H256::repeat_byte(2)));
		assert_noop!(
			Coverage::report_equivocation(RuntimeOrigin::signed(account(REPORTER)), d.id, e2, s2, late.0, late.1),
			Error::<Test>::ChallengeClosed
		);
		Coverage::do_try_state().unwrap();
	});
}

#[test]
fn evidence_too_old_to_slash_still_forfeits_the_reward() {
	new_test_ext().execute_with(|| {
		let devices = sims(1);
		enroll_all(&devices);
		let d = &devices[0];
		assert_ok!(direct(d));
		let (epoch, slot) = now();
		let first = d.sign_anchor(epoch, slot, H256::repeat_byte(1));
		let second = d.sign_anchor(epoch, slot, H256::repeat_byte(2));
		// Past the bond manager's evidence window, within the challenge period.
		advance_to(at(2, 0) + 1);
		assert_ok!(Coverage::report_equivocation(
			RuntimeOrigin::signed(account(REPORTER)),
			d.id,
			epoch,
			slot,
			first,
			second
		));
		System::assert_last_event(
			Event::Equivocation { device: d.id, epoch, slot, reporter: account(REPORTER), slashed: 0, to_reporter: 0 }
				.into(),
		);
		assert!(Coverage::uptime(d.id, epoch).unwrap().settled);
	});
}

#[test]
fn governance_sets_the_rule_for_the_next_epoch_and_rejects_bad_curves() {
	new_test_ext().execute_with(|| {
		let step = |min_slots, pct| UptimeStep { min_slots, multiplier: Perbill::from_percent(pct) };
		let bad = [
			vec![],
			vec![step(0, 100)],
			vec![step(5, 100)],
			vec![step(2, 100), step(1, 100)],
			vec![step(1, 80), step(2, 50)],
		];
		for rule in bad {
			assert_noop!(
				Coverage::set_uptime_rule(RuntimeOrigin::root(), UptimeRule::truncate_from(rule)),
				Error::<Test>::InvalidRule
			);
		}
		let rule = UptimeRule::truncate_from(vec![step(1, 100)]);
		assert_noop!(
			Coverage::set_uptime_rule(RuntimeOrigin::signed(account(OWNER)), rule.clone()),
			DispatchError::BadOrigin
		);
		assert_ok!(Coverage::set_uptime_rule(RuntimeOrigin::root(), rule.clone()));
		// The open epoch keeps its rule (its points so far were counted by it).
		assert_eq!(Epochs::<Test>::get(1).unwrap().rule, Coverage::default_rule());
		advance_to(at(2, 0));
		assert_eq!(Epochs::<Test>::get(2).unwrap().rule, rule);
		assert_eq!(points_for(&rule, 1), POINTS_PER_DEVICE);
		assert_eq!(points_for(&Coverage::default_rule(), 1), 0);
		assert_eq!(points_for(&Coverage::default_rule(), 2), POINTS_PER_DEVICE);
	});
}

#[test]
fn an_epoch_without_funds_in_the_source_pays_what_there_is() {
	new_test_ext().execute_with(|| {
		let devices = sims(1);
		enroll_all(&devices);
		assert_ok!(direct(&devices[0]));
		advance_to(at(1, 1));
		assert_ok!(direct(&devices[0]));
		// Drain the source to 5 MACH above its existential deposit.
		let source = RewardSourceAccount::get();
		let _ = <Balances as frame_support::traits::fungible::Mutate<_>>::burn_from(
			&source,
			SOURCE_FUNDS - 5 * UNIT - ED,
			frame_support::traits::tokens::Preservation::Preserve,
			frame_support::traits::tokens::Precision::Exact,
			frame_support::traits::tokens::Fortitude::Force,
		);
		advance_to(at(2, 0));
		assert_eq!(Epochs::<Test>::get(1).unwrap().reward, 5 * UNIT);
		assert_eq!(Balances::balance(&source), ED);
		Coverage::do_try_state().unwrap();
	});
}

#[test]
fn a_direct_signature_speaks_for_its_own_device_only() {
	new_test_ext().execute_with(|| {
		let devices = sims(2);
		enroll_all(&devices);
		// Two devices under one operational key: device 0's heartbeat is not device 1's.
		let shared = sp_core::Pair::public(&devices[0].pair);
		FakeRegistry::update(&devices[1].id, |d| d.key = Some(machina_primitives::OperationalKey::Ed25519(shared)));
		let (epoch, slot) = now();
		let signature = devices[0].heartbeat(epoch, slot);
		assert_noop!(
			Coverage::heartbeat(RuntimeOrigin::none(), devices[1].id, epoch, slot, signature.clone()),
			Error::<Test>::BadSignature
		);
		assert_ok!(Coverage::heartbeat(RuntimeOrigin::none(), devices[0].id, epoch, slot, signature));
	});
}

#[test]
fn a_batch_lists_at_most_max_absent_per_batch_absentees() {
	new_test_ext().execute_with(|| {
		let (epoch, slot) = now();
		let over = batch(vec![(0, (0..33).collect()), (1, (0..32).collect())]);
		assert_noop!(
			Coverage::heartbeat_batch(RuntimeOrigin::signed(account(AGGREGATOR)), epoch, slot, over, [0; 96]),
			Error::<Test>::TooManyAbsent
		);
		// At the limit the batch is read (and here fails for want of shards).
		let limit = batch(vec![(0, (0..32).collect()), (1, (0..32).collect())]);
		assert_noop!(
			Coverage::heartbeat_batch(RuntimeOrigin::signed(account(AGGREGATOR)), epoch, slot, limit, [0; 96]),
			Error::<Test>::UnknownShard
		);
	});
}

#[test]
fn an_under_bonded_device_claims_once_topped_up() {
	new_test_ext().execute_with(|| {
		let devices = sims(1);
		let d = &devices[0];
		full_points_claimable(d);
		let claim = || {
			Coverage::claim_rewards(RuntimeOrigin::signed(account(REPORTER)), d.id, BoundedVec::truncate_from(vec![1]))
		};
		FakeRegistry::update(&d.id, |f| f.status = DeviceStatus::UnderBonded);
		assert_noop!(claim(), Error::<Test>::DeviceNotInGoodStanding);
		FakeRegistry::update(&d.id, |f| f.status = DeviceStatus::Active);
		assert_ok!(claim());
		Coverage::do_try_state().unwrap();
	});
}

/// A sale forfeits the device's unclaimed rewards: neither the seller (no longer the
/// owner) nor the buyer (not the account that enrolled it) can claim them, and they
/// return to the source when they expire. The buyer enrolls the device again, in the
/// same place with a fresh key, and earns from the next epoch.
#[test]
fn a_sale_forfeits_unclaimed_rewards_and_evicts_the_device() {
	new_test_ext().execute_with(|| {
		let devices = sims(2);
		enroll_all(&devices);
		let d = &devices[0];
		// Full points need half the epoch's slots (the default rule): two heartbeats.
		let two_slots = |epoch: u32, who: &[&SimDevice]| {
			for slot in 0..2 {
				advance_to(at(epoch, slot));
				for w in who {
					assert_ok!(direct(w));
				}
			}
		};
		two_slots(1, &[d, &devices[1]]);
		advance_to(at(2, 0));
		advance_to(at(2, 0) + CHALLENGE);
		// Sold: the registry tells coverage the seller's key retires (the device leaves
		// its shard, its BLS key leaves the sum at once) and drops the seller's keys.
		let buyer = account(REPORTER);
		let member = Members::<Test>::get(d.id).unwrap();
		let sum_before = Shards::<Test>::get(member.shard).unwrap().key_sum;
		assert_ok!(<Coverage as OnSignerRetired<_>>::on_signer_retired(
			&d.id,
			&account(OWNER),
			Some(&OperationalKey::Ed25519(d.pair.public())),
			true
		));
		assert!(Members::<Test>::get(d.id).unwrap().left.is_some());
		assert_eq!(Places::<Test>::get(member.shard, member.index).unwrap().key, None);
		assert_ne!(Shards::<Test>::get(member.shard).unwrap().key_sum, sum_before);
		FakeRegistry::update(&d.id, |f| {
			f.owner = buyer.clone();
			f.aggregation_key = None;
		});
		let claim = |epoch| {
			Coverage::claim_rewards(RuntimeOrigin::signed(buyer.clone()), d.id, BoundedVec::truncate_from(vec![epoch]))
		};
		assert_noop!(claim(1), Error::<Test>::OwnerChanged);
		assert!(Coverage::pending_rewards(d.id).is_empty());
		// The seller cannot enroll it any more; the buyer can, in the same place.
		assert_noop!(Coverage::enroll(RuntimeOrigin::signed(account(OWNER)), d.id), Error::<Test>::NotOwner);
		let place = Members::<Test>::get(d.id).map(|m| (m.shard, m.index));
		assert_ok!(Coverage::enroll(RuntimeOrigin::signed(buyer.clone()), d.id));
		assert_eq!(Members::<Test>::get(d.id).map(|m| (m.shard, m.index)), place);
		assert_eq!(Members::<Test>::get(d.id).unwrap().joined, 2);
		assert_noop!(claim(1), Error::<Test>::NothingToClaim);
		// The buyer earns from the epoch of the sale on, with its own heartbeats only.
		two_slots(3, &[d]);
		advance_to(at(4, 0));
		advance_to(at(4, 0) + CHALLENGE);
		assert_ok!(claim(3));
		// The other device's claim is untouched; epoch 1's forfeited share expires to the
		// source with the epoch.
		assert_ok!(Coverage::claim_rewards(
			RuntimeOrigin::signed(account(OWNER)),
			devices[1].id,
			BoundedVec::truncate_from(vec![1])
		));
		Coverage::do_try_state().unwrap();
		let expired_before = Totals::<Test>::get().expired;
		advance_to(at(1 + CLAIM_WINDOW + 1, 0));
		assert!(Totals::<Test>::get().expired > expired_before);
		Coverage::do_try_state().unwrap();
	});
}

/// A buyer that enrolls mid-epoch starts the epoch from nothing: the seller's heartbeats
/// of the epoch leave its points (they would otherwise dilute every other device's share
/// for a reward nobody can claim), and the buyer's own count and are paid in full.
#[test]
fn a_buyer_starts_the_epoch_of_the_sale_from_nothing() {
	new_test_ext().execute_with(|| {
		let devices = sims(1);
		let d = &devices[0];
		enroll_all(&devices);
		advance_to(at(1, 0));
		assert_ok!(direct(d));
		advance_to(at(1, 1));
		assert_ok!(direct(d));
		let full = Epochs::<Test>::get(1).unwrap().points;
		assert!(full > 0);
		let buyer = account(9);
		assert_ok!(<Coverage as OnSignerRetired<_>>::on_signer_retired(
			&d.id,
			&account(OWNER),
			Some(&OperationalKey::Ed25519(d.pair.public())),
			true
		));
		FakeRegistry::update(&d.id, |f| f.owner = buyer.clone());
		assert_ok!(Coverage::enroll(RuntimeOrigin::signed(buyer.clone()), d.id));
		assert_eq!(Epochs::<Test>::get(1).unwrap().points, 0);
		// Slot 1 was counted for the place already: not twice.
		assert_noop!(direct(d), Error::<Test>::AlreadyCounted);
		for slot in 2..4 {
			advance_to(at(1, slot));
			assert_ok!(direct(d));
		}
		assert_eq!(Epochs::<Test>::get(1).unwrap().points, full);
		advance_to(at(2, 0));
		advance_to(at(2, 0) + CHALLENGE);
		let reward = Epochs::<Test>::get(1).unwrap().reward;
		let before = Balances::balance(&buyer);
		assert_ok!(Coverage::claim_rewards(
			RuntimeOrigin::signed(buyer.clone()),
			d.id,
			BoundedVec::truncate_from(vec![1])
		));
		assert_eq!(Balances::balance(&buyer) - before, reward);
		Coverage::do_try_state().unwrap();
	});
}

/// Conflicting heartbeats signed before a sale (or a key rotation) stay reportable
/// through the epoch's challenge period: the retired key verifies them and the seller,
/// the owner of the time, is the offender, even when the buyer sets the same key again;
/// the buyer's fresh membership keeps its reward. A retired key proves nothing about a
/// slot after its retirement. A second retirement waits until the first can no longer be
/// reported, so two quick rotations cannot erase the evidence.
#[test]
fn equivocation_signed_before_a_sale_stays_reportable_and_slashes_the_seller() {
	new_test_ext().execute_with(|| {
		let devices = sims(1);
		enroll_all(&devices);
		let d = &devices[0];
		let (epoch, slot, first, second) = equivocate(d);
		let old_key = OperationalKey::Ed25519(d.pair.public());
		// Sold to a buyer who sets the seller's key again, and enrolls.
		let buyer = account(9);
		assert_ok!(<Coverage as OnSignerRetired<_>>::on_signer_retired(&d.id, &account(OWNER), Some(&old_key), true));
		FakeRegistry::update(&d.id, |f| {
			f.owner = buyer.clone();
			f.aggregation_key = None;
		});
		assert_ok!(Coverage::enroll(RuntimeOrigin::signed(buyer.clone()), d.id));
		assert_ok!(Coverage::report_equivocation(
			RuntimeOrigin::signed(account(REPORTER)),
			d.id,
			epoch,
			slot,
			first,
			second
		));
		let (offence, _) = OFFENCES.with(|o| o.borrow()[0].clone());
		assert_eq!(offence.offender, account(OWNER));
		assert_eq!(offence.target, machina_primitives::SlashTarget::Commitment(d.id));
		// The seller's offence forfeits nothing of the buyer's.
		assert!(!Coverage::uptime(d.id, epoch).unwrap().settled);
		// The buyer's own key now. The seller's proves nothing about a later slot.
		let new_pair = sp_core::ed25519::Pair::from_seed(&[9; 32]);
		let new_key = OperationalKey::Ed25519(new_pair.public());
		FakeRegistry::update(&d.id, |f| f.key = Some(new_key.clone()));
		advance_to(at(1, 1));
		let later = (d.sign_anchor(1, 1, H256::repeat_byte(1)), d.sign_anchor(1, 1, H256::repeat_byte(2)));
		assert_noop!(
			Coverage::report_equivocation(RuntimeOrigin::signed(account(REPORTER)), d.id, 1, 1, later.0, later.1),
			Error::<Test>::BadSignature
		);
		// The buyer cannot retire its key while the seller's is reportable.
		advance_to(at(2, 0));
		assert_noop!(
			<Coverage as OnSignerRetired<_>>::on_signer_retired(&d.id, &buyer, Some(&new_key), false),
			Error::<Test>::SignerRetiredRecently
		);
		// Once epoch 1's challenge period is over, the buyer may rotate.
		advance_to(at(2, 0) + CHALLENGE);
		assert_ok!(<Coverage as OnSignerRetired<_>>::on_signer_retired(&d.id, &buyer, Some(&new_key), false));
		assert_eq!(RetiredSigners::<Test>::get(d.id).unwrap().owner, buyer);
		Coverage::do_try_state().unwrap();
	});
}

/// While the backing pool cannot take its part (its stake still warms up), a claim
/// fails and changes nothing, whoever sends it: nobody can send the pool's part elsewhere
/// (to the owner, or back to the source). The reward waits and is paid once the pool
/// earns.
#[test]
fn a_claim_waits_while_the_backing_pool_cannot_take_its_part() {
	new_test_ext().execute_with(|| {
		let devices = sims(1);
		let d = &devices[0];
		full_points_claimable(d);
		let share = Coverage::pending_rewards(d.id)[0].1;
		assert!(share > 0);
		PoolNotEarning::set(true);
		for caller in [REPORTER, OWNER] {
			assert_noop!(
				Coverage::claim_rewards(
					RuntimeOrigin::signed(account(caller)),
					d.id,
					BoundedVec::truncate_from(vec![1])
				),
				DispatchError::Other("NoEarningStake")
			);
		}
		PoolNotEarning::set(false);
		let owner_before = Balances::balance(&account(OWNER));
		assert_ok!(Coverage::claim_rewards(
			RuntimeOrigin::signed(account(REPORTER)),
			d.id,
			BoundedVec::truncate_from(vec![1])
		));
		assert_eq!(Balances::balance(&account(OWNER)) - owner_before, share);
		System::assert_last_event(
			Event::RewardsClaimed { device: d.id, owner: account(OWNER), amount: share, to_pool: 0, epochs: 1 }.into(),
		);
		Coverage::do_try_state().unwrap();
	});
}

#[test]
fn a_place_is_not_reused_while_its_epoch_is_live_even_when_expiry_lags() {
	new_test_ext().execute_with(|| {
		let devices = sims(2);
		enroll_all(&devices);
		assert_ok!(direct(&devices[0]));
		advance_to(at(1, 1));
		assert_ok!(direct(&devices[0]));
		assert_ok!(Coverage::leave(RuntimeOrigin::signed(account(OWNER)), devices[0].id));
		// Cleanup is backed up (no idle weight for a while): epochs stop expiring.
		PendingCleanup::<Test>::put(BoundedVec::truncate_from(vec![0; 16]));
		for epoch in 2..=1 + CLAIM_WINDOW + 2 {
			advance_to(at(epoch, 0));
		}
		assert_eq!(LiveEpochs::<Test>::get().first(), Some(&1));
		// The claim window is over by the arithmetic, but epoch 1 is still claimable:
		// a newcomer gets a new place, and the leaver's claim still pays it.
		let newcomer = SimDevice::new(99);
		register(core::slice::from_ref(&newcomer));
		assert_ok!(Coverage::enroll(RuntimeOrigin::signed(account(OWNER)), newcomer.id));
		assert_eq!(Coverage::membership(newcomer.id).unwrap().index, 2);
		assert!(Coverage::pending_rewards(newcomer.id).is_empty());
		assert_ok!(Coverage::claim_rewards(
			RuntimeOrigin::signed(account(OWNER)),
			devices[0].id,
			BoundedVec::truncate_from(vec![1])
		));
		Coverage::do_try_state().unwrap();
	});
}

#[test]
fn leaving_and_rejoining_leaves_holes_that_do_not_block_reuse() {
	new_test_ext().execute_with(|| {
		let devices = sims(3);
		enroll_all(&devices);
		let owner = || RuntimeOrigin::signed(account(OWNER));
		for _ in 0..10 {
			assert_ok!(Coverage::leave(owner(), devices[1].id));
			assert_ok!(Coverage::enroll(owner(), devices[1].id));
			Coverage::do_try_state().unwrap();
		}
		assert_eq!(Coverage::membership(devices[1].id).unwrap().index, 1);
		assert_ok!(Coverage::leave(owner(), devices[2].id));
		assert_eq!(VacancyBounds::<Test>::get(), (0, 11));
		for epoch in 2..=1 + CLAIM_WINDOW + 2 {
			advance_to(at(epoch, 0));
		}
		// An enrollment skips a few holes, then takes a new place.
		let newcomers = [SimDevice::new(98), SimDevice::new(99)];
		register(&newcomers);
		assert_ok!(Coverage::enroll(owner(), newcomers[0].id));
		assert_eq!(Coverage::membership(newcomers[0].id).unwrap().index, 3);
		assert_eq!(VacancyBounds::<Test>::get(), (MAX_VACANCY_SKIPS, 11));
		// Idle blocks skip the rest: the next enrollment reuses the vacated place.
		Coverage::on_idle(System::block_number(), frame_support::weights::Weight::MAX);
		assert_eq!(VacancyBounds::<Test>::get(), (10, 11));
		assert_ok!(Coverage::enroll(owner(), newcomers[1].id));
		assert_eq!(Coverage::membership(newcomers[1].id).unwrap().index, 2);
		assert!(Coverage::membership(devices[2].id).is_none());
		assert_eq!(VacancyBounds::<Test>::get(), (11, 11));
		Coverage::do_try_state().unwrap();
	});
}

#[test]
fn a_slash_that_leaves_the_bond_short_evicts_the_device_at_once() {
	new_test_ext().execute_with(|| {
		use machina_primitives::{BondPurpose, OnBondShortfall};
		let short = |who: u8, purpose, d: &SimDevice| {
			<Coverage as OnBondShortfall<AccountId, Balance>>::on_shortfall(&account(who), purpose, d.id, 1)
		};
		let devices = sims(2);
		enroll_all(&devices);
		// Not the owner's device bond: nothing changes.
		short(REPORTER, BondPurpose::Device, &devices[0]);
		short(OWNER, BondPurpose::Aggregator, &devices[0]);
		assert!(Coverage::membership(devices[0].id).unwrap().left.is_none());
		short(OWNER, BondPurpose::Device, &devices[0]);
		System::assert_last_event(Event::Left { device: devices[0].id, epoch: 1, evicted: true }.into());
		// Its key left the shard sum: a batch claiming it no longer verifies.
		assert_noop!(batch_heartbeat(&devices, &[]), Error::<Test>::InvalidAggregate);
		Coverage::do_try_state().unwrap();
	});
}

#[test]
fn evidence_for_a_slot_that_has_not_begun_is_refused() {
	new_test_ext().execute_with(|| {
		let devices = sims(1);
		enroll_all(&devices);
		let d = &devices[0];
		let (epoch, slot) = now();
		let (first, second) = (
			d.sign_anchor(epoch, slot + 1, H256::repeat_byte(1)),
			d.sign_anchor(epoch, slot + 1, H256::repeat_byte(2)),
		);
		assert_noop!(
			Coverage::report_equivocation(
				RuntimeOrigin::signed(account(REPORTER)),
				d.id,
				epoch,
				slot + 1,
				first,
				second
			),
			Error::<Test>::WrongSlot
		);
	});
}

#[test]
fn config_is_consistent() {
	new_test_ext().execute_with(|| {
		assert_eq!(Coverage::slot_length(), SLOT);
		assert_eq!(<<Test as Config>::ShardBitmapBytes as Get<u32>>::get() * 8, SHARD);
		assert_eq!(Balances::balance(&Coverage::pot()), ED);
	});
}
