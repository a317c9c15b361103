//! Elastic scaling in the real runtime: the block-rate settings agree with each other and
//! with what the node asks of the runtime, the relay chain admits `V + 1` blocks per
//! relay slot and no more, and the same scenario run at one and at three blocks per relay
//! block gives the same outcomes in relay chain time (durations are time, not blocks).

mod common;

use common::{close_block, new_test_ext, open_block_at, run_relay_blocks, RelayView};
use frame_support::traits::Get;
use machina_primitives::BondPurpose;
use machina_runtime::{
	configs::accounts::ProxyType,
	configs::{
		collators::SessionPeriod,
		micro_bonds::{RelayClock, UnbondingPeriod},
	},
	constants::currency::UNIT,
	Runtime, RuntimeCall, RuntimeOrigin, Session, System, BLOCK_PROCESSING_VELOCITY, MILLI_SECS_PER_BLOCK,
	RELAY_CHAIN_SLOT_DURATION_MILLIS, RELAY_PARENT_OFFSET, SLOT_DURATION, UNINCLUDED_SEGMENT_CAPACITY,
};
use sp_keyring::Sr25519Keyring::{Alice, Bob};
use sp_runtime::traits::{BlockNumberProvider, Dispatchable, Hash};

#[test]
fn the_block_rate_settings_agree() {
	// The elastic-scaling guide's numbers for 3 cores: velocity 3 (2 s blocks), relay
	// parent offset 1, capacity (2 + offset) * velocity + 1. The 500 ms trial: velocity 12.
	#[cfg(not(feature = "block-time-500ms"))]
	let (velocity, block_ms) = (3, 2_000);
	#[cfg(feature = "block-time-500ms")]
	let (velocity, block_ms) = (12, 500);
	assert_eq!(BLOCK_PROCESSING_VELOCITY, velocity);
	assert_eq!(MILLI_SECS_PER_BLOCK, block_ms);
	assert_eq!(RELAY_PARENT_OFFSET, 1);
	assert_eq!(UNINCLUDED_SEGMENT_CAPACITY, (2 + RELAY_PARENT_OFFSET) * BLOCK_PROCESSING_VELOCITY + 1);
	// The Aura slot stays the relay chain's 6 s, decoupled from the block time.
	assert_eq!(SLOT_DURATION, RELAY_CHAIN_SLOT_DURATION_MILLIS as u64);
	new_test_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		// What the slot-based collator reads from the runtime.
		use cumulus_primitives_core::{
			runtime_decl_for_relay_parent_offset_api::RelayParentOffsetApiV2,
			runtime_decl_for_target_block_rate::TargetBlockRateV1,
		};
		assert_eq!(<Runtime as TargetBlockRateV1<machina_runtime::Block>>::target_block_rate(), velocity);
		assert_eq!(<Runtime as RelayParentOffsetApiV2<machina_runtime::Block>>::relay_parent_offset(), 1);
		assert_eq!(<<Runtime as cumulus_pallet_parachain_system::Config>::RelayParentOffset as Get<u32>>::get(), 1);
	});
}

/// `blocks` blocks in one relay slot, `6 s / blocks` apart. `Err` carries the panic.
fn blocks_in_one_relay_slot(blocks: u64) -> Result<(), String> {
	common::catch_panic(|| {
		new_test_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
			let slot = 300_000_000;
			for i in 0..blocks {
				open_block_at(RelayView {
					slot,
					timestamp_ms: slot * SLOT_DURATION + i * SLOT_DURATION / blocks,
					relay_number: slot as u32,
					dev_marker: false,
				});
				close_block();
			}
		})
	})
}

#[test]
fn a_relay_slot_admits_velocity_plus_one_blocks() {
	// Aura-Ext admits V + 1 blocks per relay slot (one may be a slot-handover spare).
	assert_eq!(blocks_in_one_relay_slot(BLOCK_PROCESSING_VELOCITY as u64 + 1), Ok(()));
	let refused = blocks_in_one_relay_slot(BLOCK_PROCESSING_VELOCITY as u64 + 2).unwrap_err();
	assert!(refused.contains("authored blocks limit is reached"), "{refused}");
}

/// What a scenario's outcome is, in relay chain blocks.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
	/// The relay block of the first block of session 1.
	session_rotated_at: Option<u32>,
	/// The first relay block whose blocks could withdraw Alice's unbonded bond.
	withdrawn_at: Option<u32>,
	/// The first relay block whose blocks could execute Bob's announced proxy call.
	proxy_executed_at: Option<u32>,
	/// Coverage's (epoch, slot) at the end of each relay block.
	coverage_clock: Vec<(u32, u16)>,
	/// Seconds of chain time (timestamp) from the first block to the last.
	chain_seconds: u64,
}

/// Alice bonds and unbonds, gives Bob a proxy with a 5-relay-block delay which Bob
/// announces at once, around a session boundary and a coverage epoch boundary; at
/// `per_relay` parachain blocks per relay block.
fn scenario(per_relay: u32) -> Outcome {
	const PROXY_DELAY: u32 = 5;
	new_test_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let (alice, bob) = (Alice.to_account_id(), Bob.to_account_id());
		// Four relay blocks before the second session boundary, on a coverage epoch
		// boundary (100 relay blocks).
		let period = SessionPeriod::get();
		let first = 2 * period - 4;
		let remark = RuntimeCall::System(frame_system::Call::remark { remark: b"to withdraw".to_vec() });
		let remark_hash = <Runtime as frame_system::Config>::Hashing::hash_of(&remark);
		let mut outcome = Outcome {
			session_rotated_at: None,
			withdrawn_at: None,
			proxy_executed_at: None,
			coverage_clock: Vec::new(),
			chain_seconds: 0,
		};
		let mut first_stamp = None;
		let mut last_session = None;
		run_relay_blocks(first, 16, per_relay, |relay, i| {
			assert_eq!(RelayClock::current_block_number(), relay);
			let stamp = pallet_timestamp::Now::<Runtime>::get();
			first_stamp.get_or_insert(stamp);
			outcome.chain_seconds = (stamp - first_stamp.unwrap()) / 1000;
			let session = Session::current_index();
			if last_session.is_some_and(|s| s != session) && outcome.session_rotated_at.is_none() {
				outcome.session_rotated_at = Some(relay);
			}
			last_session = Some(session);
			if relay == first && i == 0 {
				let calls = [
					RuntimeCall::MicroBonds(pallet_micro_bonds::Call::bond {
						purpose: BondPurpose::Device,
						amount: 100 * UNIT,
					}),
					RuntimeCall::MicroBonds(pallet_micro_bonds::Call::unbond {
						purpose: BondPurpose::Device,
						amount: 100 * UNIT,
					}),
					RuntimeCall::Proxy(pallet_proxy::Call::add_proxy {
						delegate: bob.clone().into(),
						proxy_type: ProxyType::Any,
						delay: PROXY_DELAY,
					}),
				];
				for call in calls {
					call.dispatch(RuntimeOrigin::signed(alice.clone())).expect("Alice's setup");
				}
				RuntimeCall::Proxy(pallet_proxy::Call::announce { real: alice.clone().into(), call_hash: remark_hash })
					.dispatch(RuntimeOrigin::signed(bob.clone()))
					.expect("Bob announces");
			}
			if outcome.withdrawn_at.is_none() {
				let withdraw = RuntimeCall::MicroBonds(pallet_micro_bonds::Call::withdraw_unbonded {
					purpose: BondPurpose::Device,
				});
				if withdraw.dispatch(RuntimeOrigin::signed(alice.clone())).is_ok()
					&& pallet_micro_bonds::Bonds::<Runtime>::get(&alice, BondPurpose::Device).is_none()
				{
					outcome.withdrawn_at = Some(relay);
				}
			}
			if outcome.proxy_executed_at.is_none() {
				let execute = RuntimeCall::Proxy(pallet_proxy::Call::proxy_announced {
					delegate: bob.clone().into(),
					real: alice.clone().into(),
					force_proxy_type: None,
					call: Box::new(remark.clone()),
				});
				if execute.dispatch(RuntimeOrigin::signed(bob.clone())).is_ok() {
					outcome.proxy_executed_at = Some(relay);
				}
			}
			if i + 1 == per_relay {
				let clock = pallet_coverage::CurrentSlot::<Runtime>::get().expect("the coverage clock runs");
				outcome.coverage_clock.push((clock.epoch, clock.slot));
			}
		});
		assert_eq!(System::block_number(), 16 * per_relay);
		outcome
	})
}

/// One block per relay block against the runtime's velocity: 3 (2 s blocks), or 12 (500 ms)
/// with `block-time-500ms`.
#[test]
fn the_same_scenario_at_one_block_and_at_velocity_blocks_per_relay_block_ends_the_same() {
	let slow = scenario(1);
	let fast = scenario(BLOCK_PROCESSING_VELOCITY);
	// The outcomes are those the settings name, in relay blocks.
	let first = 2 * SessionPeriod::get() - 4;
	assert_eq!(slow.session_rotated_at, Some(2 * SessionPeriod::get()), "{slow:?}");
	assert_eq!(slow.withdrawn_at, Some(first + UnbondingPeriod::get()), "{slow:?}");
	assert_eq!(slow.proxy_executed_at, Some(first + 5), "{slow:?}");
	assert!(slow.coverage_clock.windows(2).any(|w| w[0].0 != w[1].0), "an epoch boundary: {slow:?}");
	// Chain time: 15 relay slots, and (V - 1) / V of the last one at V blocks (4 s at 3).
	assert_eq!(slow.chain_seconds, 15 * 6);
	let last_slot_ms = 6_000 * (BLOCK_PROCESSING_VELOCITY as u64 - 1) / BLOCK_PROCESSING_VELOCITY as u64;
	assert_eq!(fast.chain_seconds, (15 * 6_000 + last_slot_ms) / 1000);
	// And V times the blocks change none of the outcomes.
	assert_eq!(slow, Outcome { chain_seconds: slow.chain_seconds, ..fast });
}

#[test]
fn a_session_rotates_in_the_first_transaction_of_its_block_and_the_transaction_goes_through() {
	new_test_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let boundary = 2 * SessionPeriod::get();
		let at = |relay: u32| RelayView {
			slot: relay as u64,
			timestamp_ms: relay as u64 * SLOT_DURATION,
			relay_number: relay,
			dev_marker: false,
		};
		open_block_at(at(boundary - 1));
		close_block();
		assert_eq!(Session::current_index(), 0);
		// The rotation runs when the block's first transaction arrives (post-inherents):
		// it must leave room for that transaction.
		open_block_at(at(boundary));
		let remark = RuntimeCall::System(frame_system::Call::remark { remark: b"first".to_vec() });
		machina_runtime::Executive::apply_extrinsic(common::signed(Alice, remark, 0))
			.expect("valid")
			.expect("dispatched");
		assert_eq!(Session::current_index(), 1);
		close_block();
		assert_eq!(Session::current_index(), 1, "one rotation per window");
	});
}
