//! Intents in the real runtime, through signed transactions: a token created by a user, a
//! market, a bonded solver, a batch at a uniform clearing price settled when the round
//! closes on the relay-chain clock, a slash for an invalid solution with the genesis
//! policy, and a payment channel paid by a voucher (with what a claim costs).

mod common;

use codec::Encode;
use common::{close_block, new_test_ext, open_block, signed};
use frame_support::traits::{
	fungible::{Inspect as _, InspectHold as _, NativeOrWithId},
	fungibles::Inspect,
};
use machina_primitives::BondPurpose;
use machina_runtime::{
	configs::{assets::NativeAndAssets, intents::RoundLength},
	constants::currency::UNIT,
	Balances, Executive, Intents, MicroBonds, Runtime, RuntimeCall, RuntimeHoldReason, TransactionPayment,
};
use pallet_intents::{ClearingPrice, Fill, Side, Solution};
use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Charlie, Dave, Eve, Ferdie};
use sp_runtime::{MultiAddress, Permill};

const USD: u32 = 1;
const USD_UNIT: u128 = 1_000_000;

fn ok(who: Sr25519Keyring, call: RuntimeCall, nonce: u32) {
	Executive::apply_extrinsic(signed(who, call, nonce))
		.expect("valid")
		.unwrap_or_else(|e| panic!("{who:?} {nonce}: {e:?}"));
}

fn intents(call: pallet_intents::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::Intents(call)
}

fn assets(call: pallet_assets::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::Assets(call)
}

fn usd() -> NativeOrWithId<u32> {
	NativeOrWithId::WithId(USD)
}

/// In block 1 (relay block 1,000, round 500): Bob creates USD and gives Eve 1,000, Alice
/// opens MACH/USD, Charlie bonds and registers as a solver; Dave sells 100 MACH for at
/// least 150 USD, Eve gives up to 300 USD for at least 80 MACH (partially).
fn setup() {
	open_block(1_000);
	Executive::inherents_applied();
	ok(
		Bob,
		assets(pallet_assets::Call::create {
			id: USD.into(),
			admin: MultiAddress::Id(Bob.to_account_id()),
			min_balance: 10_000,
		}),
		0,
	);
	ok(
		Bob,
		assets(pallet_assets::Call::mint {
			id: USD.into(),
			beneficiary: MultiAddress::Id(Eve.to_account_id()),
			amount: 1_000 * USD_UNIT,
		}),
		1,
	);
	ok(
		Bob,
		assets(pallet_assets::Call::mint {
			id: USD.into(),
			beneficiary: MultiAddress::Id(Alice.to_account_id()),
			amount: 1_000 * USD_UNIT,
		}),
		2,
	);
	ok(Alice, intents(pallet_intents::Call::create_market { base: NativeOrWithId::Native, quote: usd() }), 0);
	for solver in [Charlie, Ferdie] {
		ok(
			solver,
			RuntimeCall::MicroBonds(pallet_micro_bonds::Call::bond {
				purpose: BondPurpose::Solver,
				amount: 1_000 * UNIT,
			}),
			0,
		);
		ok(solver, intents(pallet_intents::Call::register_solver {}), 1);
	}
	ok(
		Dave,
		intents(pallet_intents::Call::submit_intent {
			market: 0,
			side: Side::Sell,
			give: 100 * UNIT,
			want: 150 * USD_UNIT,
			partial: false,
			deadline: 1_100,
		}),
		0,
	);
	ok(
		Eve,
		intents(pallet_intents::Call::submit_intent {
			market: 0,
			side: Side::Buy,
			give: 300 * USD_UNIT,
			want: 80 * UNIT,
			partial: true,
			deadline: 1_100,
		}),
		0,
	);
}

fn solution(fills: Vec<(u64, u128)>) -> pallet_intents::SolutionOf<Runtime> {
	Solution {
		round: 1_000 / RoundLength::get(),
		fee: Permill::zero(),
		prices: vec![ClearingPrice { market: 0, base: UNIT, quote: 2 * USD_UNIT }].try_into().unwrap(),
		fills: fills
			.into_iter()
			.map(|(intent, executed)| Fill { intent, executed })
			.collect::<Vec<_>>()
			.try_into()
			.unwrap(),
		service_prices: Default::default(),
		services: Default::default(),
	}
}

#[test]
fn a_batch_settles_when_the_round_closes_on_the_relay_clock() {
	new_test_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		setup();
		// At 2 USD/MACH: Dave's 100 MACH for 200 USD, Eve's 200 of 300 USD for 100 MACH.
		ok(
			Charlie,
			intents(pallet_intents::Call::submit_solution {
				solution: solution(vec![(0, 100 * UNIT), (1, 200 * USD_UNIT)]),
			}),
			2,
		);
		// Dave's surplus 50 USD; Eve's 100 - 53.33.. MACH rounded up = 46.66.. MACH = 93.33.. USD.
		let best = pallet_intents::Best::<Runtime>::get(pallet_intents::MarketKey::Swap(0)).expect("best");
		assert_eq!(best.score, 50 * USD_UNIT + 93_333_333);
		close_block();
		Intents::do_try_state().unwrap();
		let (dave_mach, eve_mach) =
			(Balances::total_balance(&Dave.to_account_id()), Balances::total_balance(&Eve.to_account_id()));

		// Another parachain block in the same round settles nothing: rounds are relay time.
		open_block(1_001);
		Executive::inherents_applied();
		assert!(pallet_intents::Best::<Runtime>::get(pallet_intents::MarketKey::Swap(0)).is_some());
		close_block();

		open_block(1_002);
		Executive::inherents_applied();
		assert!(pallet_intents::Best::<Runtime>::get(pallet_intents::MarketKey::Swap(0)).is_none());
		assert_eq!(NativeAndAssets::balance(usd(), &Dave.to_account_id()), 200 * USD_UNIT);
		assert_eq!(Balances::total_balance(&Dave.to_account_id()), dave_mach - 100 * UNIT);
		assert_eq!(Balances::total_balance(&Eve.to_account_id()), eve_mach + 100 * UNIT);
		// Eve's intent stays open with 100 USD escrowed.
		let reason: RuntimeHoldReason = pallet_intents::HoldReason::IntentEscrow.into();
		assert_eq!(
			<machina_runtime::configs::assets::NativeAndAssetHolds as frame_support::traits::fungibles::InspectHold<
				_,
			>>::balance_on_hold(usd(), &reason, &Eve.to_account_id()),
			100 * USD_UNIT
		);
		close_block();
		Intents::do_try_state().unwrap();
		MicroBonds::do_try_state().unwrap();
	});
}

#[test]
fn an_invalid_solution_costs_a_tenth_of_the_solver_bond() {
	new_test_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		setup();
		let insurance = MicroBonds::insurance_available();
		// 101 MACH of Dave's 100: an over-fill. The call succeeds, so the slash stands.
		ok(
			Ferdie,
			intents(pallet_intents::Call::submit_solution {
				solution: solution(vec![(0, 101 * UNIT), (1, 202 * USD_UNIT)]),
			}),
			2,
		);
		let bonded =
			<MicroBonds as machina_primitives::BondManager<_, _>>::bonded(&Ferdie.to_account_id(), BondPurpose::Solver);
		assert_eq!(bonded, 900 * UNIT);
		// Of the 100 MACH slashed, insurance takes its half and the reporter's tenth (the
		// runtime caught it, nobody reported it); the rest is burned (genesis policy).
		assert_eq!(MicroBonds::insurance_available(), insurance + 60 * UNIT);
		assert!(pallet_intents::Best::<Runtime>::get(pallet_intents::MarketKey::Swap(0)).is_none());
		// Under-bonded now: refused until it tops up.
		let again = Executive::apply_extrinsic(signed(
			Ferdie,
			intents(pallet_intents::Call::submit_solution {
				solution: solution(vec![(0, 100 * UNIT), (1, 200 * USD_UNIT)]),
			}),
			3,
		))
		.unwrap();
		assert!(again.is_err());
		close_block();
		Intents::do_try_state().unwrap();
		MicroBonds::do_try_state().unwrap();
	});
}

#[test]
fn a_voucher_pays_through_a_channel_and_what_a_claim_costs() {
	new_test_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		open_block(1_000);
		Executive::inherents_applied();
		let (alice, bob) = (Alice.to_account_id(), Bob.to_account_id());
		ok(
			Alice,
			intents(pallet_intents::Call::open_channel {
				payee: bob.clone(),
				asset: NativeOrWithId::Native,
				deposit: 10 * UNIT,
				expires_at: 1_600,
			}),
			0,
		);
		let held = Balances::balance_on_hold(&pallet_intents::HoldReason::ChannelEscrow.into(), &alice);
		assert_eq!(held, 10 * UNIT);
		// 1,000 calls of 1 mMACH, paid off-chain by 1,000 vouchers; Bob claims the last.
		let cumulative = 1_000 * UNIT / 1_000;
		let voucher = Alice.sign(&Intents::voucher_payload(0, cumulative));
		let claim =
			signed(Bob, intents(pallet_intents::Call::claim { channel: 0, cumulative, signature: voucher.into() }), 0);
		let fee = TransactionPayment::query_info(claim.clone(), claim.encoded_size() as u32).partial_fee;
		let bob_before = Balances::total_balance(&bob);
		Executive::apply_extrinsic(claim).unwrap().unwrap();
		assert_eq!(Balances::total_balance(&bob), bob_before + cumulative - fee);
		eprintln!(
			"one claim settles any number of vouchers: fee {} pMACH ({:.6} MACH), {:.9} MACH per payment over 1,000",
			fee,
			fee as f64 / UNIT as f64,
			fee as f64 / UNIT as f64 / 1_000.0
		);
		// A replay pays nothing.
		let replay = signed(
			Bob,
			intents(pallet_intents::Call::claim {
				channel: 0,
				cumulative,
				signature: Alice.sign(&Intents::voucher_payload(0, cumulative)).into(),
			}),
			1,
		);
		assert!(Executive::apply_extrinsic(replay).unwrap().is_err());
		close_block();
		Intents::do_try_state().unwrap();
	});
}
