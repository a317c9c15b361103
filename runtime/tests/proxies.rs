//! Proxy types are allow-lists: a `NonTransfer` proxy cannot move value through any
//! pallet, and a call a type does not name is refused.

mod common;

use common::{close_block, new_test_ext, open_block, signed};
use frame_support::traits::{fungible::Inspect, InstanceFilter};
use machina_primitives::BondPurpose;
use machina_runtime::{
	configs::accounts::ProxyType, constants::currency::UNIT, Balances, Executive, Runtime, RuntimeCall, RuntimeEvent,
	System,
};
use sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie};
use sp_runtime::Perbill;

/// Calls that move value from the delegator to another account, one per pallet that
/// has any.
fn value_moving_calls() -> Vec<(&'static str, RuntimeCall)> {
	let to = Charlie.to_account_id();
	let device = sp_core::H256::repeat_byte(1);
	vec![
		(
			"balances.transfer_allow_death",
			RuntimeCall::Balances(pallet_balances::Call::transfer_allow_death { dest: to.clone().into(), value: UNIT }),
		),
		(
			"balances.transfer_keep_alive",
			RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive { dest: to.clone().into(), value: UNIT }),
		),
		(
			"balances.transfer_all",
			RuntimeCall::Balances(pallet_balances::Call::transfer_all { dest: to.clone().into(), keep_alive: false }),
		),
		(
			"polkadotXcm.force_suspension",
			RuntimeCall::PolkadotXcm(pallet_xcm::Call::force_suspension { suspended: true }),
		),
		(
			"microBonds.reward_pool",
			RuntimeCall::MicroBonds(pallet_micro_bonds::Call::reward_pool { pool: 0, amount: UNIT }),
		),
		(
			"microBonds.join_pool",
			RuntimeCall::MicroBonds(pallet_micro_bonds::Call::join_pool { pool: 0, amount: UNIT }),
		),
		(
			"microBonds.create_pool",
			RuntimeCall::MicroBonds(pallet_micro_bonds::Call::create_pool { commission: Perbill::zero(), stake: UNIT }),
		),
		(
			"deviceRegistry.offer_transfer",
			RuntimeCall::DeviceRegistry(pallet_device_registry::Call::offer_transfer { device, to }),
		),
		(
			"deviceRegistry.accept_transfer",
			RuntimeCall::DeviceRegistry(pallet_device_registry::Call::accept_transfer { device }),
		),
	]
}

#[test]
fn non_transfer_proxies_cannot_move_value_through_any_pallet() {
	for (name, call) in value_moving_calls() {
		assert!(!ProxyType::NonTransfer.filter(&call), "a NonTransfer proxy may call {name}");
		assert!(!ProxyType::CancelProxy.filter(&call), "a CancelProxy proxy may call {name}");
		assert!(!ProxyType::Collator.filter(&call), "a Collator proxy may call {name}");
		assert!(ProxyType::Any.filter(&call));
	}
	// What it is for: managing the delegator's own bonds and devices.
	let bond = RuntimeCall::MicroBonds(pallet_micro_bonds::Call::bond { purpose: BondPurpose::Device, amount: UNIT });
	assert!(ProxyType::NonTransfer.filter(&bond));
	let deregister =
		RuntimeCall::DeviceRegistry(pallet_device_registry::Call::deregister { device: sp_core::H256::repeat_byte(1) });
	assert!(ProxyType::NonTransfer.filter(&deregister));
	// Not governance: a deposit left held by a rejected referendum, or a vote locked for
	// 32 weeks, would be the principal's value lost.
	let vote = RuntimeCall::ConvictionVoting(pallet_conviction_voting::Call::vote {
		poll_index: 0,
		vote: pallet_conviction_voting::AccountVote::Standard {
			vote: pallet_conviction_voting::Vote {
				aye: true,
				conviction: pallet_conviction_voting::Conviction::Locked6x,
			},
			balance: UNIT,
		},
	});
	assert!(!ProxyType::NonTransfer.filter(&vote));
}

#[test]
fn a_non_transfer_proxy_is_refused_a_transfer_and_a_pool_reward_on_chain() {
	new_test_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let (alice, bob) = (Alice.to_account_id(), Bob.to_account_id());
		open_block(1_000);
		let add = RuntimeCall::Proxy(pallet_proxy::Call::add_proxy {
			delegate: bob.clone().into(),
			proxy_type: ProxyType::NonTransfer,
			delay: 0,
		});
		Executive::apply_extrinsic(signed(Alice, add, 0)).unwrap().unwrap();
		let alice_before = Balances::total_balance(&alice);
		for (nonce, (name, call)) in value_moving_calls().into_iter().take(5).enumerate() {
			System::reset_events();
			let via_proxy = RuntimeCall::Proxy(pallet_proxy::Call::proxy {
				real: alice.clone().into(),
				force_proxy_type: None,
				call: Box::new(call),
			});
			// The proxy call itself is valid; the call inside is filtered.
			Executive::apply_extrinsic(signed(Bob, via_proxy, nonce as u32)).unwrap().unwrap();
			let filtered = System::events().iter().any(|r| {
				matches!(
					&r.event,
					RuntimeEvent::Proxy(pallet_proxy::Event::ProxyExecuted { result: Err(e) })
						if *e == frame_system::Error::<Runtime>::CallFiltered.into()
				)
			});
			assert!(filtered, "{name} was not filtered");
		}
		close_block();
		// Alice's balance is where it was once the proxy was added.
		assert_eq!(
			Balances::total_balance(&alice),
			alice_before,
			"a NonTransfer proxy moved value out of the delegator's account"
		);
	});
}
