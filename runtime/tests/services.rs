//! Service intents in the real runtime: a device registered in the real registry (with
//! an H3 location, under the dev manufacturer) offers a service; a buyer's purchase
//! filters by region and manufacturer through the registry; a solver's batch settles into
//! an escrowed order when the round closes on the relay clock; the owner's receipt and
//! the buyer's acceptance pay the owner. And the same with fee sponsorship: the device,
//! without any balance, posts its own receipt and its owner's pot pays the fee.

mod common;

use common::{close_block, compact_registration, new_test_ext, open_block, signed, signed_by};
use frame_support::traits::fungible::{Inspect, NativeOrWithId};
use machina_primitives::{device_id_of, BondPurpose, H3Cell, OperationalKey};
use machina_runtime::{
	configs::{device_registry::DeviceBond, intents::RoundLength},
	constants::currency::{MILLI_UNIT, UNIT},
	Balances, Executive, Intents, MicroBonds, Runtime, RuntimeCall,
};
use pallet_intents::{runtime_api::SolutionCheck, DeviceFilter, MarketKey, ServiceMatch, ServicePrice, Solution};
use sp_core::{ed25519, sr25519, Pair};
use sp_keyring::Sr25519Keyring::{self, Bob, Charlie, Ferdie};
use sp_runtime::Permill;

const CLASS: u32 = 7;

fn ok(who: Sr25519Keyring, call: RuntimeCall, nonce: u32) {
	Executive::apply_extrinsic(signed(who, call, nonce))
		.expect("valid")
		.unwrap_or_else(|e| panic!("{who:?} {nonce}: {e:?}"));
}

fn intents(call: pallet_intents::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::Intents(call)
}

/// A resolution-9 cell; the buyer's region is its resolution-5 ancestor.
fn cell() -> H3Cell {
	H3Cell::new(0x8928308280fffff).unwrap()
}

fn matched(per_unit: u128, purchase: u64, offer: u64, units: u32) -> pallet_intents::SolutionOf<Runtime> {
	Solution {
		round: 1_000 / RoundLength::get(),
		fee: Permill::zero(),
		prices: Default::default(),
		fills: Default::default(),
		service_prices: vec![ServicePrice { class: CLASS, asset: NativeOrWithId::Native, per_unit }]
			.try_into()
			.unwrap(),
		services: vec![ServiceMatch { purchase, offer, units }].try_into().unwrap(),
	}
}

/// Bob's device (in the cell, dev manufacturer) sells 4 units to Charlie through Ferdie's
/// batch; returns in block 1,002, with order 0 awaiting delivery, the device and its
/// operational key.
fn order_of_four_units() -> (machina_primitives::DeviceId, sr25519::Pair) {
	open_block(1_000);
	Executive::inherents_applied();
	// Bob's device, located in the cell, registered under the dev manufacturer (id 0).
	let hardware = ed25519::Pair::from_seed(&[7; 32]);
	let device = device_id_of(&hardware.public().0);
	let operational = sr25519::Pair::from_seed(&[8; 32]);
	ok(
		Bob,
		RuntimeCall::MicroBonds(pallet_micro_bonds::Call::bond {
			purpose: BondPurpose::Device,
			amount: DeviceBond::get(),
		}),
		0,
	);
	ok(Bob, compact_registration(Bob, &hardware, OperationalKey::Sr25519(operational.public()), Some(cell())), 1);
	let deadline = 1_100;
	ok(
		Bob,
		intents(pallet_intents::Call::offer_service {
			device,
			class: CLASS,
			asset: NativeOrWithId::Native,
			units: 10,
			min_price: MILLI_UNIT,
			deadline,
		}),
		2,
	);
	// Charlie wants 4 units from a device in the region, of manufacturer 0.
	let filter = DeviceFilter { region: cell().parent(5), min_uptime: None, manufacturer: Some(0) };
	ok(
		Charlie,
		intents(pallet_intents::Call::purchase_service {
			class: CLASS,
			asset: NativeOrWithId::Native,
			units: 4,
			max_price: 2 * MILLI_UNIT,
			filter,
			partial: false,
			deadline,
		}),
		0,
	);
	ok(
		Ferdie,
		RuntimeCall::MicroBonds(pallet_micro_bonds::Call::bond { purpose: BondPurpose::Solver, amount: 1_000 * UNIT }),
		0,
	);
	ok(Ferdie, intents(pallet_intents::Call::register_solver {}), 1);
	let (offer, purchase) = (0, 1);
	// The registry answers the filter: the device passes, and would not for maker 1.
	assert!(Intents::passes(&device, &filter));
	assert!(!Intents::passes(&device, &DeviceFilter { manufacturer: Some(1), ..filter }));
	let s = matched(MILLI_UNIT, purchase, offer, 4);
	assert!(matches!(
		Intents::dry_run(s.fee, vec![], vec![], s.service_prices.to_vec(), s.services.to_vec()),
		SolutionCheck::Valid { .. }
	));
	ok(Ferdie, intents(pallet_intents::Call::submit_solution { solution: s }), 2);
	close_block();
	Intents::do_try_state().unwrap();

	// The round closes at relay block 1,002: the match becomes an order.
	open_block(1_002);
	Executive::inherents_applied();
	assert!(pallet_intents::Best::<Runtime>::get(MarketKey::Service(CLASS, NativeOrWithId::Native)).is_none());
	let order = pallet_intents::Orders::<Runtime>::get(0).expect("an order");
	assert_eq!(
		(order.units, order.price, order.device, order.seller.clone()),
		(4, MILLI_UNIT, device, Bob.to_account_id())
	);
	(device, operational)
}

#[test]
fn a_registered_device_sells_a_service_through_a_batch_and_is_paid_on_delivery() {
	new_test_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		order_of_four_units();
		let bob_before = Balances::total_balance(&Bob.to_account_id());
		// The owner reports delivery; the buyer accepts: 4 mMACH to Bob.
		ok(
			Bob,
			intents(pallet_intents::Call::post_receipt {
				order: 0,
				units: 4,
				content: Default::default(),
				signature: None,
			}),
			3,
		);
		ok(Charlie, intents(pallet_intents::Call::accept_delivery { order: 0 }), 1);
		assert!(pallet_intents::Orders::<Runtime>::get(0).is_none());
		let fees = bob_before + 4 * MILLI_UNIT - Balances::total_balance(&Bob.to_account_id());
		assert!(fees < MILLI_UNIT * 10, "Bob paid {fees} in fees for the receipt");
		close_block();
		Intents::do_try_state().unwrap();
		MicroBonds::do_try_state().unwrap();
	});
}

#[test]
fn a_sponsored_device_without_balance_posts_its_own_receipt() {
	use frame_support::traits::fungible::InspectHold;
	use machina_runtime::{configs::intents::SponsorshipDeposit, RuntimeEvent, System};
	use pallet_intents::CallClass;
	use sp_runtime::transaction_validity::{InvalidTransaction, TransactionValidityError};
	new_test_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let (device, operational) = order_of_four_units();
		let account = sp_runtime::AccountId32::from(operational.public().0);
		assert_eq!(Balances::total_balance(&account), 0);
		let payment = Err(TransactionValidityError::Invalid(InvalidTransaction::Payment));
		// Unsponsored, the device cannot even be charged: it has no account.
		let receipt = intents(pallet_intents::Call::post_receipt {
			order: 0,
			units: 4,
			content: sp_core::H256::repeat_byte(4),
			signature: None,
		});
		assert_eq!(Executive::apply_extrinsic(signed_by(&operational, receipt.clone(), 0)).map(|_| ()), payment);

		// Bob funds his pot with 1 MACH and pays the device's receipts, up to 0.1 MACH an hour.
		let bob = Bob.to_account_id();
		let deposits = || {
			Balances::balance_on_hold(
				&machina_runtime::RuntimeHoldReason::Intents(pallet_intents::HoldReason::StorageDeposit),
				&bob,
			)
		};
		let held_before = deposits();
		ok(Bob, intents(pallet_intents::Call::fund_sponsor_pot { amount: UNIT }), 3);
		ok(
			Bob,
			intents(pallet_intents::Call::sponsor_device {
				device,
				allowance: 100 * MILLI_UNIT,
				calls: vec![CallClass::Receipts].try_into().unwrap(),
				// The device's key accepts Bob: nobody else can claim it.
				consent: Some(machina_primitives::DeviceSignature::Sr25519(
					operational.sign(&Intents::sponsor_consent_payload(device, &Bob.to_account_id())),
				)),
			}),
			4,
		);
		assert_eq!(deposits(), held_before + SponsorshipDeposit::get());
		let pot = Intents::sponsor_pot_account(&bob);
		assert_eq!(Balances::total_balance(&pot), UNIT);

		Executive::apply_extrinsic(signed_by(&operational, receipt, 0)).expect("valid").expect("posted");
		assert_eq!(Balances::total_balance(&account), 0, "the device paid nothing");
		let fee = UNIT - Balances::total_balance(&pot);
		assert!(fee > 0 && fee < 10 * MILLI_UNIT, "the pot paid {fee}");
		assert!(System::events().iter().any(|r| r.event
			== RuntimeEvent::Intents(pallet_intents::Event::FeeSponsored {
				sponsor: bob.clone(),
				account: account.clone(),
				fee
			})));
		println!("a sponsored receipt costs its sponsor {fee} pMACH ({:.6} MACH)", fee as f64 / UNIT as f64);
		assert!(matches!(
			pallet_intents::Orders::<Runtime>::get(0).unwrap().status,
			pallet_intents::OrderStatus::Delivered { units: 4, .. }
		));

		// The device key cannot spend the pot on anything else: a transfer is refused, and
		// so is a receipt wrapped in a batch.
		let transfer = RuntimeCall::Balances(pallet_balances::Call::transfer_allow_death {
			dest: Charlie.to_account_id().into(),
			value: 1,
		});
		assert_eq!(Executive::apply_extrinsic(signed_by(&operational, transfer.clone(), 1)).map(|_| ()), payment);
		let batch = RuntimeCall::Utility(pallet_utility::Call::batch {
			calls: vec![
				intents(pallet_intents::Call::post_receipt {
					order: 0,
					units: 4,
					content: Default::default(),
					signature: None,
				}),
				transfer,
			],
		});
		assert_eq!(Executive::apply_extrinsic(signed_by(&operational, batch, 1)).map(|_| ()), payment);
		let pot_after = Balances::total_balance(&pot);
		assert_eq!(pot_after, UNIT - fee, "the pot paid for nothing refused");

		// Charlie accepts; Bob is paid.
		ok(Charlie, intents(pallet_intents::Call::accept_delivery { order: 0 }), 1);
		close_block();
		Intents::do_try_state().unwrap();
		MicroBonds::do_try_state().unwrap();
	});
}

/// A disputed order waits for its ruling referendum in the real runtime, with the
/// production governance periods: the buyer submits an `economic_admin` referendum for
/// `resolve_dispute` and escalates the dispute to it; a day later (the arbitration
/// period) the undecided referendum still holds the seller's payment, and so does the
/// approved one for the day its enactment waits. Enacted, the ruling refunds the buyer.
/// A referendum on another track (one that cannot rule) is refused.
#[test]
fn an_escalated_dispute_waits_for_its_ruling_through_enactment() {
	use common::gov::{self, apply, in_a_block, note_preimage, open_relay_block, relay_now, run_until};
	use machina_runtime::{
		configs::{governance::origins::Origin, intents::ArbitrationPeriod},
		OriginCaller, RuntimeEvent, System,
	};
	new_test_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		order_of_four_units();
		let receipt =
			pallet_intents::Call::post_receipt { order: 0, units: 4, content: Default::default(), signature: None };
		ok(Bob, intents(receipt), 3);
		ok(Charlie, intents(pallet_intents::Call::dispute { order: 0 }), 1);
		close_block();

		// Charlie asks governance to uphold the dispute, on the economic_admin track, and
		// (to check the origin rule) on device_admin, which cannot rule.
		let ruling = intents(pallet_intents::Call::resolve_dispute { order: 0, upheld: true });
		// The first inline, the second as a noted preimage: a ruling may come either way.
		let submit = |origin: Origin, inline: bool| {
			let index = pallet_referenda::ReferendumCount::<Runtime>::get();
			in_a_block(|| {
				let proposal = if inline {
					use codec::Encode;
					frame_support::traits::Bounded::Inline(ruling.encode().try_into().expect("a small call"))
				} else {
					note_preimage(Charlie, &ruling)
				};
				let submit = pallet_referenda::Call::<Runtime>::submit {
					proposal_origin: Box::new(OriginCaller::Origins(origin)),
					proposal,
					enactment_moment: frame_support::traits::schedule::DispatchTime::After(0),
				};
				apply(Charlie, submit.into()).expect("submitted");
			});
			index
		};
		let wrong_track = submit(Origin::DeviceAdmin, true);
		let index = submit(Origin::EconomicAdmin, false);
		let escalate = |referendum| intents(pallet_intents::Call::escalate_dispute { order: 0, referendum });
		in_a_block(|| {
			let refused = pallet_intents::Error::<Runtime>::NotARuling.into();
			assert_eq!(apply(Charlie, escalate(wrong_track)), Err(refused));
			assert_eq!(apply(Charlie, escalate(index + 7)), Err(refused));
			apply(Charlie, escalate(index)).expect("escalated");
		});
		let finish = || in_a_block(|| apply(Bob, intents(pallet_intents::Call::finish_order { order: 0 })));
		let pending = Err(pallet_intents::Error::<Runtime>::RulingPending.into());

		// Past the arbitration period the referendum has not even started deciding (no
		// decision deposit yet): the seller cannot take the escrow.
		let deadline = relay_now() + ArbitrationPeriod::get();
		while relay_now() < deadline {
			open_relay_block(relay_now() + gov::RELAY_STEP);
			close_block();
		}
		assert_eq!(finish(), pending);

		// It decides and is approved; its enactment waits a day, and so does the order.
		in_a_block(|| {
			apply(gov::PROPOSER, pallet_referenda::Call::<Runtime>::place_decision_deposit { index }.into())
				.expect("decision deposit")
		});
		for voter in gov::voters() {
			use pallet_conviction_voting::{AccountVote, Conviction, Vote};
			let vote = AccountVote::Standard {
				vote: Vote { aye: true, conviction: Conviction::None },
				balance: 999_000 * UNIT,
			};
			in_a_block(|| {
				apply(voter, pallet_conviction_voting::Call::vote { poll_index: index, vote }.into()).expect("voted")
			});
		}
		let approved = run_until(|event| match event {
			RuntimeEvent::Referenda(pallet_referenda::Event::Confirmed { index: i, .. }) if *i == index => Some(()),
			_ => None,
		});
		assert!(approved.is_some(), "the ruling passed");
		assert!(pallet_intents::Orders::<Runtime>::get(0).is_some());
		assert_eq!(finish(), pending);

		// Enacted: the dispute is upheld, Charlie's escrow and deposit come back.
		let enactment = gov::enactment_id(index);
		let enacted = run_until(|event| match event {
			RuntimeEvent::Scheduler(pallet_scheduler::Event::Dispatched { id: Some(id), result, .. })
				if *id == enactment =>
			{
				Some(*result)
			},
			_ => None,
		});
		assert_eq!(enacted.map(|(_, result)| result), Some(Ok(())));
		assert!(pallet_intents::Orders::<Runtime>::get(0).is_none());
		assert!(pallet_intents::DisputeRulings::<Runtime>::get(0).is_none());
		assert!(System::events().iter().any(|r| matches!(
			r.event,
			RuntimeEvent::Intents(pallet_intents::Event::OrderFailed { order: 0, refunded, .. }) if refunded == 4 * MILLI_UNIT
		)));
		// Nothing of Charlie's stays held for the order: escrow and dispute deposit are back.
		use frame_support::traits::fungible::InspectHold;
		let held = |reason: pallet_intents::HoldReason| {
			Balances::balance_on_hold(&machina_runtime::RuntimeHoldReason::Intents(reason), &Charlie.to_account_id())
		};
		assert_eq!(held(pallet_intents::HoldReason::OrderEscrow), 0);
		assert_eq!(held(pallet_intents::HoldReason::StorageDeposit), 0);
		Intents::do_try_state().unwrap();
		MicroBonds::do_try_state().unwrap();
	});
}
