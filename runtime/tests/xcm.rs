//! XCM against the real runtime: no message mints MACH (the relay chain's token in
//! particular), MACH leaves by reserve transfer into a sibling's sovereign account with
//! priced delivery, comes back from it, and is never sent to the relay chain.

mod common;

use codec::Encode;
use common::{new_test_ext, open_block, signed};
use frame_support::traits::fungible::Inspect;
use machina_runtime::{
	configs::{
		xcm::{LocationToAccountId, UnitWeightCost, XcmConfig},
		WeightToFee,
	},
	constants::{currency::UNIT, PARACHAIN_ID},
	AccountId, Balances, CollatorSelection, Executive, ParachainSystem, RuntimeCall, RuntimeEvent, System, XcmpQueue,
};
use sp_keyring::Sr25519Keyring::{Alice, Bob};
use xcm::{latest::prelude::*, VersionedAssets, VersionedLocation};
use xcm_builder::InspectMessageQueues;
use xcm_executor::{traits::ConvertLocation, XcmExecutor};

const DEV: &str = sp_genesis_builder::DEV_RUNTIME_PRESET;
const SIBLING: u32 = 2001;

fn sibling() -> Location {
	Location::new(1, [Parachain(SIBLING)])
}

fn account(who: &AccountId) -> Location {
	AccountId32 { network: None, id: who.clone().into() }.into()
}

/// Execute as an inbound message is: no weight credit, so it must pass the barrier.
fn execute(origin: Location, message: Xcm<RuntimeCall>) -> Outcome {
	let mut id = message.using_encoded(sp_io::hashing::blake2_256);
	XcmExecutor::<XcmConfig>::prepare_and_execute(origin, message, &mut id, Weight::MAX, Weight::zero())
}

fn deposit_to(who: &AccountId, fees: Asset) -> Vec<Instruction<RuntimeCall>> {
	vec![
		ClearOrigin,
		BuyExecution { fees, weight_limit: Unlimited },
		DepositAsset { assets: Wild(AllCounted(1)), beneficiary: account(who) },
	]
}

fn transfer(dest: Location, beneficiary: &AccountId, amount: u128) -> RuntimeCall {
	RuntimeCall::PolkadotXcm(pallet_xcm::Call::transfer_assets {
		dest: Box::new(VersionedLocation::from(dest)),
		beneficiary: Box::new(VersionedLocation::from(account(beneficiary))),
		assets: Box::new(VersionedAssets::from(Assets::from((Here, amount)))),
		fee_asset_item: 0,
		weight_limit: Unlimited,
	})
}

/// The message stopped at its first instruction: no location is a trusted reserve.
fn assert_untrusted_reserve(outcome: Outcome) {
	assert!(
		matches!(
			outcome,
			Outcome::Incomplete { error: InstructionError { index: 0, error: XcmError::UntrustedReserveLocation }, .. }
		),
		"{outcome:?}"
	);
}

#[test]
fn a_reserve_deposit_never_mints_mach() {
	new_test_ext(DEV).execute_with(|| {
		open_block(1_000);
		let bob = Bob.to_account_id();
		let (issuance, bob_before) = (Balances::total_issuance(), Balances::balance(&bob));
		let amount = 1_000 * UNIT;

		// The relay chain "deposits" its token: past the barrier (it pays), refused at
		// instruction 0. (The template's config minted MACH 1:1 here.)
		let mut message = vec![ReserveAssetDeposited((Parent, amount).into())];
		message.extend(deposit_to(&bob, (Parent, amount).into()));
		assert_untrusted_reserve(execute(Location::parent(), Xcm(message)));

		// Nor may a sibling claim to be MACH's reserve.
		let mut message = vec![ReserveAssetDeposited((Here, amount).into())];
		message.extend(deposit_to(&bob, (Here, amount).into()));
		assert_untrusted_reserve(execute(sibling(), Xcm(message)));

		// Nor withdraw the relay token from anyone's balance.
		let mut message = vec![WithdrawAsset((Parent, amount).into())];
		message.extend(deposit_to(&bob, (Parent, amount).into()));
		assert!(!matches!(execute(Location::parent(), Xcm(message)), Outcome::Complete { .. }));

		assert_eq!(Balances::total_issuance(), issuance);
		assert_eq!(Balances::balance(&bob), bob_before);
	});
}

#[test]
fn mach_goes_to_a_sibling_by_reserve_transfer_and_comes_back() {
	new_test_ext(DEV).execute_with(|| {
		open_block(1_000);
		// The inherent just set the relay chain's view of our channels (none): open one.
		ParachainSystem::open_outbound_hrmp_channel_for_benchmarks_or_tests(SIBLING.into());

		let (alice, bob, pot) = (Alice.to_account_id(), Bob.to_account_id(), CollatorSelection::account_id());
		let sovereign = LocationToAccountId::convert_location(&sibling()).unwrap();
		let issuance = Balances::total_issuance();
		let (alice_before, pot_before) = (Balances::balance(&alice), Balances::balance(&pot));
		assert_eq!(Balances::balance(&sovereign), 0);

		// Alice sends 10 MACH to Bob on 2001.
		let amount = 10 * UNIT;
		Executive::apply_extrinsic(signed(Alice, transfer(sibling(), &bob, amount), 0))
			.expect("valid")
			.expect("dispatches");

		let events = System::events();
		let delivery_fee = events
			.iter()
			.find_map(|r| match &r.event {
				RuntimeEvent::PolkadotXcm(pallet_xcm::Event::FeesPaid { paying, fees })
					if *paying == account(&alice) =>
				{
					match fees.inner().as_slice() {
						[Asset { id: AssetId(id), fun: Fungible(f) }] if *id == Location::here() => Some(*f),
						_ => None,
					}
				},
				_ => None,
			})
			.expect("the sender paid for delivery");
		let tx_fee = events
			.iter()
			.find_map(|r| match &r.event {
				RuntimeEvent::TransactionPayment(pallet_transaction_payment::Event::TransactionFeePaid {
					who,
					actual_fee,
					..
				}) if *who == alice => Some(*actual_fee),
				_ => None,
			})
			.unwrap();
		// Base 0.03 MACH plus the bytes.
		assert!(delivery_fee > 30 * machina_runtime::MILLI_UNIT, "delivery fee {delivery_fee}");
		assert_eq!(Balances::balance(&sovereign), amount);
		assert_eq!(Balances::balance(&alice), alice_before - amount - delivery_fee - tx_fee);
		assert_eq!(Balances::balance(&pot), pot_before + delivery_fee + tx_fee);
		assert_eq!(Balances::total_issuance(), issuance);

		// One message queued to 2001, naming MACH as the sibling sees it.
		let queued = <XcmpQueue as InspectMessageQueues>::get_messages();
		assert_eq!(queued.len(), 1, "{queued:?}");
		assert_eq!(queued[0].0, VersionedLocation::from(sibling()));
		let Xcm(message) = Xcm::<()>::try_from(queued[0].1[0].clone()).unwrap();
		let mach_there = Location::new(1, [Parachain(PARACHAIN_ID)]);
		assert_eq!(message[0], ReserveAssetDeposited((mach_there, amount).into()));
		assert_eq!(message[1], ClearOrigin);
		assert!(matches!(&message[3], DepositAsset { beneficiary, .. } if *beneficiary == account(&bob)));

		// 2001 sends 4 MACH back to Bob, paying execution out of them.
		let back = 4 * UNIT;
		let (bob_before, pot_before) = (Balances::balance(&bob), Balances::balance(&pot));
		let mut message = vec![WithdrawAsset((Here, back).into())];
		message.extend(deposit_to(&bob, (Here, back).into()));
		let outcome = execute(sibling(), Xcm(message));
		assert!(matches!(outcome, Outcome::Complete { .. }), "{outcome:?}");
		// The barrier limits `Unlimited` to the message's weight: 4 instructions.
		let fee = <WeightToFee as frame_support::weights::WeightToFee>::weight_to_fee(
			&UnitWeightCost::get().saturating_mul(4),
		);
		assert_eq!(Balances::balance(&sovereign), amount - back);
		assert_eq!(Balances::balance(&bob), bob_before + back - fee);
		assert_eq!(Balances::balance(&pot), pot_before + fee);
		assert_eq!(Balances::total_issuance(), issuance);

		// The sibling cannot take more than its sovereign account holds.
		let mut message = vec![WithdrawAsset((Here, amount).into())];
		message.extend(deposit_to(&bob, (Here, amount).into()));
		assert!(!matches!(execute(sibling(), Xcm(message)), Outcome::Complete { .. }));
		assert_eq!(Balances::balance(&sovereign), amount - back);
	});
}

#[test]
fn mach_is_never_sent_to_the_relay_chain_and_send_is_root_only() {
	new_test_ext(DEV).execute_with(|| {
		open_block(1_000);
		let alice = Alice.to_account_id();
		let relay_sovereign = LocationToAccountId::convert_location(&Location::parent()).unwrap();
		let alice_before = Balances::balance(&alice);

		// A reserve transfer to the relay chain would trap the MACH there: refused, and
		// nothing moves (only the transaction fee is paid).
		let result = Executive::apply_extrinsic(signed(Alice, transfer(Location::parent(), &alice, 10 * UNIT), 0))
			.expect("valid");
		assert!(result.is_err(), "{result:?}");
		assert_eq!(Balances::balance(&relay_sovereign), 0);
		let tx_fee = System::events()
			.iter()
			.find_map(|r| match &r.event {
				RuntimeEvent::TransactionPayment(pallet_transaction_payment::Event::TransactionFeePaid {
					actual_fee,
					..
				}) => Some(*actual_fee),
				_ => None,
			})
			.unwrap();
		assert_eq!(Balances::balance(&alice), alice_before - tx_fee);

		// Arbitrary XCM from a signed account: refused (root only).
		let send = RuntimeCall::PolkadotXcm(pallet_xcm::Call::send {
			dest: Box::new(VersionedLocation::from(sibling())),
			message: Box::new(xcm::VersionedXcm::from(Xcm::<()>(vec![ClearOrigin]))),
		});
		let result = Executive::apply_extrinsic(signed(Alice, send, 1)).expect("valid");
		assert_eq!(result, Err(sp_runtime::DispatchError::BadOrigin));
	});
}

#[test]
fn version_subscriptions_and_unknown_responses_meet_the_barrier() {
	new_test_ext(DEV).execute_with(|| {
		open_block(1_000);
		// The relay chain (and siblings) may subscribe to our XCM version unpaid.
		let subscribe = Xcm(vec![SubscribeVersion { query_id: 7, max_response_weight: Weight::zero() }]);
		let outcome = execute(Location::parent(), subscribe);
		assert!(matches!(outcome, Outcome::Complete { .. }), "{outcome:?}");
		// A response to a query we never made is stopped at the barrier.
		let response = Xcm(vec![QueryResponse {
			query_id: 12_345,
			response: Response::Null,
			max_weight: Weight::zero(),
			querier: Some(Location::here()),
		}]);
		let outcome = execute(sibling(), response);
		assert!(
			matches!(outcome, Outcome::Incomplete { error: InstructionError { error: XcmError::Barrier, .. }, .. }),
			"{outcome:?}"
		);
	});
}
