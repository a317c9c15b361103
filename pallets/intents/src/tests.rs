//! Tests on the mock runtime (the runtime's economics; real micro-bonds for solver bonds).

use crate::{mock::*, *};
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::NativeOrWithId,
		fungibles::{Inspect, InspectHold},
	},
	BoundedVec,
};
use machina_primitives::BondPurpose;
use sp_core::{sr25519, Pair};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{MultiSignature, Permill};

const MACH: AssetKind = NativeOrWithId::Native;
const USDT: AssetKind = NativeOrWithId::WithId(USD);
const ENERGY: AssetKind = NativeOrWithId::WithId(KWH);

fn origin(who: &AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who.clone())
}

fn balance(asset: AssetKind, who: &AccountId) -> Balance {
	AllAssets::balance(asset, who)
}

/// Free and held.
fn total(asset: AssetKind, who: &AccountId) -> Balance {
	AllAssets::total_balance(asset, who)
}

fn held(asset: AssetKind, reason: crate::HoldReason, who: &AccountId) -> Balance {
	AllAssetHolds::balance_on_hold(asset, &RuntimeHoldReason::Intents(reason), who)
}

/// The issuer opens MACH/USD (market 0) and USD/KWH (market 1).
fn markets() {
	assert_ok!(Intents::create_market(origin(&issuer()), MACH, USDT));
	assert_ok!(Intents::create_market(origin(&issuer()), ENERGY, USDT));
}

fn register(who: &AccountId) {
	assert_ok!(MicroBonds::bond(origin(who), BondPurpose::Solver, SOLVER_BOND));
	assert_ok!(Intents::register_solver(origin(who)));
}

fn submit(who: &AccountId, market: MarketId, side: Side, give: Balance, want: Balance, partial: bool) -> IntentId {
	let id = NextIntentId::<Test>::get();
	assert_ok!(Intents::submit_intent(origin(who), market, side, give, want, partial, RelayBlock::get() + 100));
	id
}

fn solution(fee: Permill, prices: Vec<ClearingPrice>, fills: Vec<(IntentId, Balance)>) -> SolutionOf<Test> {
	Solution {
		round: Intents::round_at(RelayBlock::get()),
		fee,
		prices: BoundedVec::truncate_from(prices),
		fills: BoundedVec::truncate_from(
			fills.into_iter().map(|(intent, executed)| Fill { intent, executed }).collect(),
		),
		service_prices: BoundedVec::new(),
		services: BoundedVec::new(),
	}
}

/// 2 USD per MACH.
fn two_usd(market: MarketId) -> ClearingPrice {
	ClearingPrice { market, base: UNIT, quote: 2 * USD_UNIT }
}

fn close_round() {
	let now = RelayBlock::get();
	run_to_relay(Intents::round_end(Intents::round_at(now)));
}

fn solver_bond(who: &AccountId) -> Balance {
	<MicroBonds as machina_primitives::BondManager<_, _>>::bonded(who, BondPurpose::Solver)
}

/// The worked CoW batch of the README: two sellers and two buyers of MACH for USD clear
/// at one price, 2 USD/MACH, between every limit; the surplus is checked by hand.
#[test]
fn cow_batch_settles_at_a_uniform_clearing_price_with_hand_checked_surplus() {
	new_test_ext().execute_with(|| {
		markets();
		register(&solver());
		// Alice sells 100 MACH for at least 150 USD (1.5 USD/MACH); Bob 50 MACH for at
		// least 90 USD (1.8). Charlie gives up to 320 USD for at least 160 MACH (at most
		// 2.0 USD/MACH), partially; Dave 50 USD for at least 20 MACH (at most 2.5).
		let a = submit(&alice(), 0, Side::Sell, 100 * UNIT, 150 * USD_UNIT, false);
		let b = submit(&bob(), 0, Side::Sell, 50 * UNIT, 90 * USD_UNIT, false);
		let c = submit(&charlie(), 0, Side::Buy, 320 * USD_UNIT, 160 * UNIT, true);
		let d = submit(&dave(), 0, Side::Buy, 50 * USD_UNIT, 20 * UNIT, false);
		check();
		assert_eq!(held(USDT, HoldReason::IntentEscrow, &charlie()), 320 * USD_UNIT);
		let before: Vec<_> =
			[alice(), bob(), charlie(), dave()].iter().map(|w| (total(MACH, w), total(USDT, w))).collect();

		// At 2 USD/MACH: 150 MACH are sold for 300 USD; Charlie buys 125 MACH with 250 of
		// its 320 USD, Dave 25 MACH with 50 USD. Surplus over the limits, in USD: Alice
		// 200 - 150 = 50, Bob 100 - 90 = 10, Charlie 125 - 125 = 0 MACH, Dave 25 - 20 = 5
		// MACH = 10 USD: 70 USD.
		let s = solution(
			Permill::zero(),
			vec![two_usd(0)],
			vec![(a, 100 * UNIT), (b, 50 * UNIT), (c, 250 * USD_UNIT), (d, 50 * USD_UNIT)],
		);
		assert_eq!(
			Intents::dry_run(s.fee, s.prices.to_vec(), s.fills.to_vec(), vec![], vec![]),
			crate::runtime_api::SolutionCheck::Valid {
				score: 70 * USD_UNIT,
				fills: vec![
					(a, 100 * UNIT, 200 * USD_UNIT),
					(b, 50 * UNIT, 100 * USD_UNIT),
					(c, 250 * USD_UNIT, 125 * UNIT),
					(d, 50 * USD_UNIT, 25 * UNIT)
				]
			}
		);
		assert_ok!(Intents::submit_solution(origin(&solver()), s));
		assert_eq!(Best::<Test>::get(MarketKey::Swap(0)).unwrap().score, 70 * USD_UNIT);
		// In the auction: not cancellable until the round closes.
		assert_noop!(Intents::cancel_intent(origin(&charlie()), c), Error::<Test>::IntentInAuction);
		check();

		close_round();
		assert!(events().contains(&Event::RoundSettled {
			market: MarketKey::Swap(0),
			round: 50,
			solver: solver(),
			score: 70 * USD_UNIT,
			fills: 4
		}));
		let after: Vec<_> =
			[alice(), bob(), charlie(), dave()].iter().map(|w| (total(MACH, w), total(USDT, w))).collect();
		// Totals (free and held): the escrow left, the proceeds arrived; deposits were
		// held, so they never left.
		assert_eq!(after[0], (before[0].0 - 100 * UNIT, before[0].1 + 200 * USD_UNIT));
		assert_eq!(after[1], (before[1].0 - 50 * UNIT, before[1].1 + 100 * USD_UNIT));
		assert_eq!(after[2], (before[2].0 + 125 * UNIT, before[2].1 - 250 * USD_UNIT));
		assert_eq!(after[3], (before[3].0 + 25 * UNIT, before[3].1 - 50 * USD_UNIT));
		// Charlie's intent stays open with 70 USD escrowed; the others closed.
		let open = Intents::get_intent(c).unwrap();
		assert_eq!((open.given, open.received), (250 * USD_UNIT, 125 * UNIT));
		assert_eq!(held(USDT, HoldReason::IntentEscrow, &charlie()), 70 * USD_UNIT);
		for id in [a, b, d] {
			assert!(Intents::get_intent(id).is_none());
		}
		assert_eq!(held(MACH, HoldReason::StorageDeposit, &alice()), 0);
		assert!(Best::<Test>::get(MarketKey::Swap(0)).is_none());
		check();
	});
}

/// The solver's fee comes out of each fill before pricing, goes to the solver, and the
/// limits still hold with it.
#[test]
fn solver_fee_is_paid_from_the_fills_and_capped() {
	new_test_ext().execute_with(|| {
		markets();
		register(&solver());
		let a = submit(&alice(), 0, Side::Sell, 100 * UNIT, 150 * USD_UNIT, false);
		let c = submit(&charlie(), 0, Side::Buy, 400 * USD_UNIT, 100 * UNIT, true);
		let fee = Permill::from_parts(3_000); // 0.3%: the cap
										// Alice's 100 MACH: 0.3 MACH fee, 99.7 sold for 199.4 USD. Charlie pays 200 USD:
										// 0.6 USD fee, 199.4 USD buys 99.7 MACH.
		let s = solution(fee, vec![two_usd(0)], vec![(a, 100 * UNIT), (c, 200 * USD_UNIT)]);
		let solver_before = (balance(MACH, &solver()), balance(USDT, &solver()));
		assert_ok!(Intents::submit_solution(origin(&solver()), s));
		close_round();
		assert_eq!(balance(USDT, &alice()), USD_ENDOWMENT + 199_400_000);
		assert_eq!(total(MACH, &charlie()), ENDOWMENT + 99_700_000_000_000);
		assert_eq!(balance(MACH, &solver()), solver_before.0 + 300_000_000_000);
		assert_eq!(balance(USDT, &solver()), solver_before.1 + 600_000);
		check();

		// Above the cap: refused, not slashed (governance may lower the cap while the
		// solution is in the pool).
		let b = submit(&bob(), 0, Side::Sell, 10 * UNIT, 15 * USD_UNIT, false);
		let d = submit(&dave(), 0, Side::Buy, 20 * USD_UNIT, 5 * UNIT, false);
		let s = solution(Permill::from_parts(3_001), vec![two_usd(0)], vec![(b, 10 * UNIT), (d, 20 * USD_UNIT)]);
		let bond = <MicroBonds as machina_primitives::BondManager<_, _>>::bonded(&solver(), BondPurpose::Solver);
		assert_noop!(Intents::submit_solution(origin(&solver()), s.clone()), Error::<Test>::FeeAboveCap);
		assert!(matches!(
			Intents::dry_run(s.fee, s.prices.to_vec(), s.fills.to_vec(), vec![], vec![]),
			runtime_api::SolutionCheck::FeeAboveCap
		));
		assert_eq!(<MicroBonds as machina_primitives::BondManager<_, _>>::bonded(&solver(), BondPurpose::Solver), bond);
	});
}

/// Every broken rule is rejected, leaves the round untouched, and slashes the solver's
/// bond by the governance policy (10% of it).
#[test]
fn adversarial_solutions_are_rejected_and_the_solver_slashed() {
	new_test_ext().execute_with(|| {
		markets();
		let a = submit(&alice(), 0, Side::Sell, 100 * UNIT, 150 * USD_UNIT, false);
		let b = submit(&bob(), 0, Side::Sell, 50 * UNIT, 90 * USD_UNIT, true);
		let c = submit(&charlie(), 0, Side::Buy, 320 * USD_UNIT, 160 * UNIT, true);
		let late = NextIntentId::<Test>::get();
		assert_ok!(Intents::submit_intent(
			origin(&dave()),
			0,
			Side::Buy,
			50 * USD_UNIT,
			20 * UNIT,
			false,
			RelayBlock::get() + 1
		));
		let cases: Vec<(Violation, SolutionOf<Test>)> = vec![
			// More than Bob escrowed.
			(
				Violation::OverFill,
				solution(Permill::zero(), vec![two_usd(0)], vec![(b, 51 * UNIT), (c, 102 * USD_UNIT)]),
			),
			// Part of Alice, who allows no partial fill.
			(
				Violation::OverFill,
				solution(Permill::zero(), vec![two_usd(0)], vec![(a, 50 * UNIT), (c, 100 * USD_UNIT)]),
			),
			// 1.7 USD/MACH is below Bob's 1.8.
			(
				Violation::LimitPriceViolated,
				solution(
					Permill::zero(),
					vec![ClearingPrice { market: 0, base: 10 * UNIT, quote: 17 * USD_UNIT }],
					vec![(b, 50 * UNIT), (c, 85 * USD_UNIT)],
				),
			),
			// 2.1 USD/MACH is above Charlie's 2.0.
			(
				Violation::LimitPriceViolated,
				solution(
					Permill::zero(),
					vec![ClearingPrice { market: 0, base: 10 * UNIT, quote: 21 * USD_UNIT }],
					vec![(b, 50 * UNIT), (c, 105 * USD_UNIT)],
				),
			),
			// Bob twice.
			(
				Violation::IntentUsedTwice,
				solution(Permill::zero(), vec![two_usd(0)], vec![(b, 25 * UNIT), (b, 25 * UNIT), (c, 100 * USD_UNIT)]),
			),
			// Pays Bob 100 USD while Charlie pays in 60.
			(
				Violation::ConservationBroken,
				solution(Permill::zero(), vec![two_usd(0)], vec![(b, 50 * UNIT), (c, 60 * USD_UNIT)]),
			),
			// Sells only: the quote paid out comes from nowhere.
			(Violation::ConservationBroken, solution(Permill::zero(), vec![two_usd(0)], vec![(b, 50 * UNIT)])),
			// Dave's deadline is before the round closes.
			(
				Violation::ExpiredIntent,
				solution(Permill::zero(), vec![two_usd(0)], vec![(b, 25 * UNIT), (late, 50 * USD_UNIT)]),
			),
			// A price for market 1, fills in market 0.
			(
				Violation::MissingPrice,
				solution(Permill::zero(), vec![two_usd(1)], vec![(b, 50 * UNIT), (c, 100 * USD_UNIT)]),
			),
			// A zero price.
			(
				Violation::InvalidPrice,
				solution(
					Permill::zero(),
					vec![ClearingPrice { market: 0, base: 0, quote: 1 }],
					vec![(b, 50 * UNIT), (c, 100 * USD_UNIT)],
				),
			),
			// Pays Bob less than USD's minimum balance.
			(Violation::FillBelowMinimum, solution(Permill::zero(), vec![two_usd(0)], vec![(b, 1_000_000), (c, 2)])),
		];
		for (i, (violation, s)) in cases.into_iter().enumerate() {
			// A fresh solver each time: the slash leaves the previous one under-bonded.
			let who = sp_runtime::AccountId32::new(sp_io::hashing::blake2_256(&(i as u32).to_le_bytes()));
			assert_ok!(<Balances as frame_support::traits::fungible::Mutate<_>>::mint_into(&who, 2 * SOLVER_BOND));
			if Solvers::<Test>::count() == 4 {
				// Make room: the limit is 4 solvers.
				let leaving = Solvers::<Test>::iter_keys().next().unwrap();
				assert_ok!(Intents::unregister_solver(origin(&leaving)));
			}
			register(&who);
			let bond = solver_bond(&who);
			assert_ok!(Intents::submit_solution(origin(&who), s));
			assert_eq!(
				events().last(),
				Some(&Event::SolutionRejected {
					round: Intents::round_at(RelayBlock::get()),
					solver: who.clone(),
					violation,
					slashed: bond / 10
				}),
				"case {i}"
			);
			assert_eq!(solver_bond(&who), bond - bond / 10, "case {i}");
			assert!(Best::<Test>::iter().next().is_none());
			// Slashed below its commitment: no more solutions until it tops up.
			let again = solution(Permill::zero(), vec![two_usd(0)], vec![(b, 50 * UNIT), (c, 100 * USD_UNIT)]);
			assert_noop!(Intents::submit_solution(origin(&who), again), Error::<Test>::SolverUnderBonded);
		}
		// Nothing moved.
		assert_eq!(held(USDT, HoldReason::IntentEscrow, &charlie()), 320 * USD_UNIT);
		assert_eq!(held(MACH, HoldReason::IntentEscrow, &bob()), 50 * UNIT);
		check();
	});
}

#[test]
fn a_stale_solution_is_refused_without_a_slash() {
	new_test_ext().execute_with(|| {
		markets();
		register(&solver());
		let b = submit(&bob(), 0, Side::Sell, 50 * UNIT, 90 * USD_UNIT, false);
		let c = submit(&charlie(), 0, Side::Buy, 100 * USD_UNIT, 40 * UNIT, false);
		// Charlie cancels before the solver's solution lands.
		assert_ok!(Intents::cancel_intent(origin(&charlie()), c));
		let s = solution(Permill::zero(), vec![two_usd(0)], vec![(b, 50 * UNIT), (c, 100 * USD_UNIT)]);
		assert_noop!(Intents::submit_solution(origin(&solver()), s), Error::<Test>::StaleSolution);
		assert_eq!(solver_bond(&solver()), SOLVER_BOND);
	});
}

#[test]
fn only_registered_bonded_solvers_submit_for_the_current_round() {
	new_test_ext().execute_with(|| {
		markets();
		let b = submit(&bob(), 0, Side::Sell, 50 * UNIT, 90 * USD_UNIT, false);
		let c = submit(&charlie(), 0, Side::Buy, 100 * USD_UNIT, 40 * UNIT, false);
		let s = solution(Permill::zero(), vec![two_usd(0)], vec![(b, 50 * UNIT), (c, 100 * USD_UNIT)]);
		assert_noop!(Intents::submit_solution(origin(&solver()), s.clone()), Error::<Test>::NotSolver);
		// No bond, no registration.
		assert!(Intents::register_solver(origin(&solver())).is_err());
		register(&solver());
		assert_noop!(Intents::register_solver(origin(&solver())), Error::<Test>::AlreadySolver);
		let mut old = s.clone();
		old.round -= 1;
		assert_noop!(Intents::submit_solution(origin(&solver()), old), Error::<Test>::WrongRound);
		assert_noop!(
			Intents::submit_solution(origin(&solver()), solution(Permill::zero(), vec![two_usd(0)], vec![])),
			Error::<Test>::EmptySolution
		);
		assert_ok!(Intents::submit_solution(origin(&solver()), s));
		// The holder of the best solution stays until the round settles.
		assert_noop!(Intents::unregister_solver(origin(&solver())), Error::<Test>::SolverInAuction);
		close_round();
		assert_ok!(Intents::unregister_solver(origin(&solver())));
		// Its bond is no longer committed: it unbonds.
		assert_eq!(<MicroBonds as machina_primitives::BondManager<_, _>>::committed(&solver(), BondPurpose::Solver), 0);
	});
}

#[test]
fn a_better_solution_replaces_the_best_and_a_tie_keeps_the_earlier() {
	new_test_ext().execute_with(|| {
		markets();
		register(&solver());
		register(&solver2());
		let a = submit(&alice(), 0, Side::Sell, 100 * UNIT, 150 * USD_UNIT, false);
		let c = submit(&charlie(), 0, Side::Buy, 400 * USD_UNIT, 100 * UNIT, true);
		// At 1.6 USD/MACH Alice's surplus is 10 USD, Charlie's 0 (pays 160 for 100 MACH
		// against at most 4 USD/MACH: (100 - 40) MACH = 96 USD): 106 USD.
		let low = ClearingPrice { market: 0, base: 10 * UNIT, quote: 16 * USD_UNIT };
		let s1 = solution(Permill::zero(), vec![low], vec![(a, 100 * UNIT), (c, 160 * USD_UNIT)]);
		assert_ok!(Intents::submit_solution(origin(&solver()), s1.clone()));
		let first = Best::<Test>::get(MarketKey::Swap(0)).unwrap().score;
		assert_eq!(first, 10 * USD_UNIT + 96 * USD_UNIT);
		// The same score from another solver: the earlier stays.
		assert_noop!(Intents::submit_solution(origin(&solver2()), s1), Error::<Test>::NotBetter);
		// At 2 USD/MACH: Alice 50, Charlie (100 - 50) MACH = 100 USD: 150 USD, better.
		let s2 = solution(Permill::zero(), vec![two_usd(0)], vec![(a, 100 * UNIT), (c, 200 * USD_UNIT)]);
		assert_ok!(Intents::submit_solution(origin(&solver2()), s2));
		assert_eq!(Best::<Test>::get(MarketKey::Swap(0)).unwrap().solver, solver2());
		assert_eq!(Best::<Test>::get(MarketKey::Swap(0)).unwrap().score, 150 * USD_UNIT);
		close_round();
		assert!(
			matches!(events().last(), Some(Event::RoundSettled { .. }))
				|| events().iter().any(|e| matches!(e, Event::RoundSettled { solver, .. } if *solver == solver2()))
		);
		check();
	});
}

/// Two markets in one solution, one of them between two `pallet-assets` tokens.
#[test]
fn each_market_has_its_own_auction_and_a_failing_one_holds_up_no_other() {
	new_test_ext().execute_with(|| {
		markets();
		register(&solver());
		let a = submit(&alice(), 0, Side::Sell, 10 * UNIT, 15 * USD_UNIT, false);
		let c = submit(&charlie(), 0, Side::Buy, 20 * USD_UNIT, 10 * UNIT, false);
		// 0.25 USD per kWh.
		let e = submit(&eve(), 1, Side::Sell, 40 * KWH_UNIT, 8 * USD_UNIT, false);
		let d = submit(&dave(), 1, Side::Buy, 10 * USD_UNIT, 40 * KWH_UNIT, false);
		let kwh = ClearingPrice { market: 1, base: 4 * KWH_UNIT, quote: USD_UNIT };
		// One solution per market (a solution's type holds one price).
		let mach = solution(Permill::zero(), vec![two_usd(0)], vec![(a, 10 * UNIT), (c, 20 * USD_UNIT)]);
		let energy = solution(Permill::zero(), vec![kwh], vec![(e, 40 * KWH_UNIT), (d, 10 * USD_UNIT)]);
		assert_ok!(Intents::submit_solution(origin(&solver()), mach));
		assert_ok!(Intents::submit_solution(origin(&solver()), energy.clone()));
		assert_eq!(SolverBests::<Test>::get(solver()), 2);
		check();
		// The kWh issuer freezes it before the round closes: that market cannot settle,
		// MACH/USD settles all the same.
		assert_ok!(Assets::freeze_asset(origin(&issuer()), KWH));
		let eve_kwh = total(ENERGY, &eve());
		close_round();
		assert!(events().iter().any(|e| matches!(e, Event::SettlementFailed { market: MarketKey::Swap(1), .. })));
		assert!(events().iter().any(|e| matches!(e, Event::RoundSettled { market: MarketKey::Swap(0), .. })));
		assert_eq!(balance(USDT, &alice()), USD_ENDOWMENT + 20 * USD_UNIT);
		assert_eq!(total(ENERGY, &eve()), eve_kwh);
		assert_eq!(held(ENERGY, HoldReason::IntentEscrow, &eve()), 40 * KWH_UNIT);
		assert_eq!(SolverBests::<Test>::get(solver()), 0);
		check();
		// While frozen, a solution that cannot settle is refused up front, unslashed.
		let mut again = energy.clone();
		again.round = Intents::round_at(RelayBlock::get());
		assert_eq!(
			Intents::dry_run(again.fee, again.prices.to_vec(), again.fills.to_vec(), vec![], vec![]),
			crate::runtime_api::SolutionCheck::WouldNotSettle
		);
		assert_noop!(Intents::submit_solution(origin(&solver()), again.clone()), Error::<Test>::WouldNotSettle);
		assert_ok!(Assets::thaw_asset(origin(&issuer()), KWH));
		assert_ok!(Intents::submit_solution(origin(&solver()), again));
		close_round();
		assert_eq!(total(ENERGY, &eve()), eve_kwh - 40 * KWH_UNIT);
		assert_eq!(balance(ENERGY, &dave()), KWH_ENDOWMENT + 40 * KWH_UNIT);
		assert_eq!(balance(USDT, &eve()), USD_ENDOWMENT + 10 * USD_UNIT);
		check();
	});
}

#[test]
fn cancel_and_expiry_refund_escrow_and_deposit_with_bounded_work_per_block() {
	new_test_ext().execute_with(|| {
		markets();
		let usd = balance(USDT, &charlie());
		let c = submit(&charlie(), 0, Side::Buy, 100 * USD_UNIT, 40 * UNIT, false);
		assert_eq!(held(USDT, HoldReason::IntentEscrow, &charlie()), 100 * USD_UNIT);
		assert_eq!(held(MACH, HoldReason::StorageDeposit, &charlie()), INTENT_DEPOSIT);
		assert_noop!(Intents::cancel_intent(origin(&bob()), c), Error::<Test>::NotOwner);
		assert_ok!(Intents::cancel_intent(origin(&charlie()), c));
		assert_eq!(held(USDT, HoldReason::IntentEscrow, &charlie()), 0);
		assert_eq!(held(MACH, HoldReason::StorageDeposit, &charlie()), 0);
		assert_eq!(
			AllAssets::reducible_balance(
				USDT,
				&charlie(),
				frame_support::traits::tokens::Preservation::Expendable,
				frame_support::traits::tokens::Fortitude::Polite
			),
			usd
		);
		assert!(events().contains(&Event::IntentClosed {
			intent: c,
			reason: CloseReason::Cancelled,
			refunded: 100 * USD_UNIT
		}));

		// 12 intents expiring at the same instant: 8 refunded in the first block, 4 in
		// the next (an empty instant costs one unit of the budget too).
		let deadline = RelayBlock::get() + 10;
		for _ in 0..12 {
			assert_ok!(Intents::submit_intent(origin(&dave()), 0, Side::Sell, UNIT, USD_UNIT, true, deadline));
		}
		assert_noop!(
			Intents::submit_intent(origin(&dave()), 0, Side::Sell, UNIT, USD_UNIT, true, RelayBlock::get()),
			Error::<Test>::BadDeadline
		);
		assert_noop!(
			Intents::submit_intent(
				origin(&dave()),
				0,
				Side::Sell,
				UNIT,
				USD_UNIT,
				true,
				RelayBlock::get() + MAX_LIFETIME + 1
			),
			Error::<Test>::BadDeadline
		);
		let first = NextIntentId::<Test>::get() - 12;
		assert_noop!(Intents::expire_intent(origin(&eve()), first), Error::<Test>::NotExpired);
		run_to_relay(deadline - 1);
		assert_eq!(IntentsOf::<Test>::get(dave()).len(), 12);
		// The cursor walks the empty instants up to now, a budget's worth per block.
		while ExpiryCursor::<Test>::get().unwrap() < deadline {
			run_to_relay(deadline - 1);
		}
		run_to_relay(deadline);
		assert_eq!(IntentsOf::<Test>::get(dave()).len(), 4);
		check();
		run_to_relay(deadline + 1);
		assert_eq!(IntentsOf::<Test>::get(dave()).len(), 0);
		assert_eq!(held(MACH, HoldReason::IntentEscrow, &dave()), 0);
		assert_eq!(held(MACH, HoldReason::StorageDeposit, &dave()), 0);
		check();

		// Anyone may expire an intent past its deadline (the queue may be behind).
		let x = submit(&eve(), 0, Side::Sell, UNIT, USD_UNIT, false);
		let deadline = Intents::get_intent(x).unwrap().deadline;
		RelayBlock::set(deadline);
		assert_ok!(Intents::expire_intent(origin(&alice()), x));
		assert!(Intents::get_intent(x).is_none());
		check();
	});
}

#[test]
fn an_account_holds_a_bounded_number_of_intents() {
	new_test_ext().execute_with(|| {
		markets();
		for _ in 0..MAX_INTENTS {
			submit(&eve(), 0, Side::Sell, UNIT, USD_UNIT, true);
		}
		assert_noop!(
			Intents::submit_intent(origin(&eve()), 0, Side::Sell, UNIT, USD_UNIT, true, RelayBlock::get() + 5),
			Error::<Test>::TooManyIntents
		);
		// Escrow that is not there is not promised.
		let poor = sp_runtime::AccountId32::new([7; 32]);
		assert_ok!(<Balances as frame_support::traits::fungible::Mutate<_>>::mint_into(&poor, UNIT));
		assert!(Intents::submit_intent(origin(&poor), 0, Side::Sell, 2 * UNIT, USD_UNIT, true, RelayBlock::get() + 5)
			.is_err());
	});
}

#[test]
fn markets_are_unique_per_pair_and_removed_only_when_empty() {
	new_test_ext().execute_with(|| {
		markets();
		assert_noop!(Intents::create_market(origin(&alice()), USDT, MACH), Error::<Test>::MarketExists);
		assert_noop!(Intents::create_market(origin(&alice()), MACH, MACH), Error::<Test>::SameAsset);
		// The settlement account holds each asset's minimum balance.
		let account = Intents::settlement_account(&USDT);
		assert_eq!(balance(USDT, &account), USD_MIN);
		assert_eq!(balance(MACH, &account), ED);
		assert_eq!(balance(MACH, &Intents::settlement_account(&MACH)), ED);
		let a = submit(&alice(), 0, Side::Sell, UNIT, USD_UNIT, false);
		assert_noop!(Intents::remove_market(RuntimeOrigin::root(), 0), Error::<Test>::MarketNotEmpty);
		assert_ok!(Intents::cancel_intent(origin(&alice()), a));
		assert_noop!(Intents::remove_market(origin(&alice()), 0), sp_runtime::DispatchError::BadOrigin);
		assert_ok!(Intents::remove_market(RuntimeOrigin::root(), 0));
		assert_eq!(held(MACH, HoldReason::StorageDeposit, &issuer()), MARKET_DEPOSIT);
		check();
	});
}

fn voucher(payer: Sr25519Keyring, channel: ChannelId, cumulative: Balance) -> MultiSignature {
	MultiSignature::Sr25519(payer.pair().sign(&Intents::voucher_payload(channel, cumulative)))
}

#[test]
fn payment_channel_pays_the_latest_voucher_once() {
	new_test_ext().execute_with(|| {
		// Alice (a machine) pays Bob per call in USD.
		let expires = RelayBlock::get() + 600;
		assert_ok!(Intents::open_channel(origin(&alice()), bob(), USDT, 10 * USD_UNIT, expires));
		assert_eq!(held(USDT, HoldReason::ChannelEscrow, &alice()), 10 * USD_UNIT);
		let bob_usd = balance(USDT, &bob());
		// 1,000 calls at 1 mUSD each, one voucher per call off-chain; Bob claims the 400th
		// and later the 1,000th.
		assert_ok!(Intents::claim(origin(&bob()), 0, 400 * 1_000, voucher(Sr25519Keyring::Alice, 0, 400 * 1_000)));
		assert_eq!(balance(USDT, &bob()), bob_usd + 400_000);
		// Replaying it, or an older one, pays nothing.
		assert_noop!(
			Intents::claim(origin(&bob()), 0, 400 * 1_000, voucher(Sr25519Keyring::Alice, 0, 400 * 1_000)),
			Error::<Test>::StaleVoucher
		);
		assert_noop!(
			Intents::claim(origin(&bob()), 0, 300 * 1_000, voucher(Sr25519Keyring::Alice, 0, 300 * 1_000)),
			Error::<Test>::StaleVoucher
		);
		assert_ok!(Intents::claim(origin(&bob()), 0, USD_UNIT, voucher(Sr25519Keyring::Alice, 0, USD_UNIT)));
		assert_eq!(balance(USDT, &bob()), bob_usd + USD_UNIT);
		check();
		// Over the deposit.
		assert_noop!(
			Intents::claim(origin(&bob()), 0, 11 * USD_UNIT, voucher(Sr25519Keyring::Alice, 0, 11 * USD_UNIT)),
			Error::<Test>::VoucherExceedsDeposit
		);
		// Signed by someone else, or for another amount.
		assert_noop!(
			Intents::claim(origin(&bob()), 0, 2 * USD_UNIT, voucher(Sr25519Keyring::Charlie, 0, 2 * USD_UNIT)),
			Error::<Test>::BadVoucher
		);
		assert_noop!(
			Intents::claim(origin(&bob()), 0, 3 * USD_UNIT, voucher(Sr25519Keyring::Alice, 0, 2 * USD_UNIT)),
			Error::<Test>::BadVoucher
		);
		// Only the payee claims.
		assert_noop!(
			Intents::claim(origin(&charlie()), 0, 2 * USD_UNIT, voucher(Sr25519Keyring::Alice, 0, 2 * USD_UNIT)),
			Error::<Test>::NotPayee
		);
		// The payer cannot close before expiry; the payee can, and the rest goes back.
		assert_noop!(Intents::close_channel(origin(&alice()), 0), Error::<Test>::ChannelNotExpired);
		let alice_usd = balance(USDT, &alice());
		assert_ok!(Intents::close_channel(origin(&bob()), 0));
		assert_eq!(held(USDT, HoldReason::ChannelEscrow, &alice()), 0);
		assert_eq!(balance(USDT, &alice()), alice_usd + 9 * USD_UNIT);
		assert_eq!(
			AllAssets::reducible_balance(
				USDT,
				&alice(),
				frame_support::traits::tokens::Preservation::Expendable,
				frame_support::traits::tokens::Fortitude::Polite
			),
			USD_ENDOWMENT - USD_UNIT
		);
		// A voucher for the closed channel pays nothing anywhere.
		assert_noop!(
			Intents::claim(origin(&bob()), 0, 2 * USD_UNIT, voucher(Sr25519Keyring::Alice, 0, 2 * USD_UNIT)),
			Error::<Test>::UnknownChannel
		);
		check();
	});
}

#[test]
fn a_voucher_pays_only_on_its_channel_and_chain() {
	new_test_ext().execute_with(|| {
		let expires = RelayBlock::get() + 600;
		assert_ok!(Intents::open_channel(origin(&alice()), bob(), MACH, 10 * UNIT, expires));
		assert_ok!(Intents::open_channel(origin(&alice()), bob(), MACH, 10 * UNIT, expires));
		// Signed for channel 0, presented on channel 1.
		assert_noop!(
			Intents::claim(origin(&bob()), 1, UNIT, voucher(Sr25519Keyring::Alice, 0, UNIT)),
			Error::<Test>::BadVoucher
		);
		// Signed over another genesis hash.
		let foreign =
			Voucher { tag: VOUCHER_TAG, genesis: sp_core::H256::repeat_byte(9), channel: 0, cumulative: UNIT };
		let sig = MultiSignature::Sr25519(Sr25519Keyring::Alice.pair().sign(&codec::Encode::encode(&foreign)));
		assert_noop!(Intents::claim(origin(&bob()), 0, UNIT, sig), Error::<Test>::BadVoucher);
		// An sr25519 key that is not the payer's account.
		let (other, _) = sr25519::Pair::generate();
		let sig = MultiSignature::Sr25519(other.sign(&Intents::voucher_payload(0, UNIT)));
		assert_noop!(Intents::claim(origin(&bob()), 0, UNIT, sig), Error::<Test>::BadVoucher);
	});
}

#[test]
fn channel_expiry_top_up_and_payer_close() {
	new_test_ext().execute_with(|| {
		let now = RelayBlock::get();
		assert_noop!(
			Intents::open_channel(origin(&alice()), alice(), MACH, UNIT, now + 10),
			Error::<Test>::PayeeIsPayer
		);
		assert_noop!(Intents::open_channel(origin(&alice()), bob(), MACH, 0, now + 10), Error::<Test>::ZeroDeposit);
		assert_noop!(Intents::open_channel(origin(&alice()), bob(), MACH, UNIT, now), Error::<Test>::BadExpiry);
		assert_noop!(
			Intents::open_channel(origin(&alice()), bob(), MACH, UNIT, now + MAX_CHANNEL_LIFETIME + 1),
			Error::<Test>::BadExpiry
		);
		assert_ok!(Intents::open_channel(origin(&alice()), bob(), MACH, UNIT, now + 10));
		assert_noop!(Intents::top_up_channel(origin(&bob()), 0, UNIT, None), Error::<Test>::NotPayer);
		assert_noop!(Intents::top_up_channel(origin(&alice()), 0, UNIT, Some(now + 5)), Error::<Test>::BadExpiry);
		assert_ok!(Intents::top_up_channel(origin(&alice()), 0, UNIT, Some(now + 20)));
		assert_eq!(held(MACH, HoldReason::ChannelEscrow, &alice()), 2 * UNIT);
		assert_ok!(Intents::claim(origin(&bob()), 0, UNIT + 1, voucher(Sr25519Keyring::Alice, 0, UNIT + 1)));
		run_to_relay(now + 19);
		assert_noop!(Intents::close_channel(origin(&alice()), 0), Error::<Test>::ChannelNotExpired);
		run_to_relay(now + 20);
		// The payee may still claim until the payer closes.
		assert_ok!(Intents::claim(origin(&bob()), 0, UNIT + 2, voucher(Sr25519Keyring::Alice, 0, UNIT + 2)));
		assert_ok!(Intents::close_channel(origin(&alice()), 0));
		assert!(events().contains(&Event::ChannelClosed { channel: 0, refunded: UNIT - 2 }));
		assert_eq!(held(MACH, HoldReason::ChannelEscrow, &alice()), 0);
		assert_eq!(held(MACH, HoldReason::StorageDeposit, &alice()), 0);
		check();
	});
}

mod properties {
	use super::*;
	use proptest::prelude::*;

	#[derive(Clone, Debug)]
	enum Action {
		Submit { who: u8, market: u8, sell: bool, give: u16, price: u8, partial: bool, life: u8 },
		Cancel { nth: u8 },
		Solve { market: u8, price: u8 },
		Advance { by: u8 },
		Open { who: u8, amount: u16 },
		Claim { nth: u8, part: u8 },
		Close { nth: u8 },
		Offer { who: u8, units: u8, price: u8 },
		Purchase { who: u8, units: u8, price: u8, partial: bool },
		MatchServices,
		Deliver { nth: u8, units: u8, outcome: u8 },
	}

	fn action() -> impl Strategy<Value = Action> {
		prop_oneof![
			4 => (0u8..5, 0u8..2, any::<bool>(), 1u16..1000, 1u8..40, any::<bool>(), 1u8..30).prop_map(
				|(who, market, sell, give, price, partial, life)| Action::Submit { who, market, sell, give, price, partial, life }
			),
			1 => any::<u8>().prop_map(|nth| Action::Cancel { nth }),
			3 => (0u8..2, 1u8..40).prop_map(|(market, price)| Action::Solve { market, price }),
			2 => (1u8..6).prop_map(|by| Action::Advance { by }),
			1 => (0u8..5, 1u16..1000).prop_map(|(who, amount)| Action::Open { who, amount }),
			1 => (any::<u8>(), 1u8..=100).prop_map(|(nth, part)| Action::Claim { nth, part }),
			1 => any::<u8>().prop_map(|nth| Action::Close { nth }),
			2 => (0u8..5, 1u8..10, 1u8..20).prop_map(|(who, units, price)| Action::Offer { who, units, price }),
			2 => (0u8..5, 1u8..10, 1u8..20, any::<bool>())
				.prop_map(|(who, units, price, partial)| Action::Purchase { who, units, price, partial }),
			2 => Just(Action::MatchServices),
			2 => (any::<u8>(), 0u8..10, 0u8..5).prop_map(|(nth, units, outcome)| Action::Deliver { nth, units, outcome }),
		]
	}

	const KEYS: [Sr25519Keyring; 5] = [
		Sr25519Keyring::Alice,
		Sr25519Keyring::Bob,
		Sr25519Keyring::Charlie,
		Sr25519Keyring::Dave,
		Sr25519Keyring::Eve,
	];

	/// The reference batch (`solver::batch_at_price`) at a price in tenths of a quote
	/// unit per base unit.
	fn reference(market: MarketId, tenths: u8) -> Option<SolutionOf<Test>> {
		let (bu, qu) = if market == 0 { (UNIT, USD_UNIT) } else { (KWH_UNIT, USD_UNIT) };
		let price = ClearingPrice { market, base: 10 * bu, quote: tenths as u128 * qu };
		let intents = Intents::open_intents(market, None, 256);
		let fills = crate::solver::batch_at_price(&price, Permill::zero(), &intents);
		(!fills.is_empty()).then(|| Solution {
			round: Intents::round_at(RelayBlock::get()),
			fee: Permill::zero(),
			prices: BoundedVec::truncate_from(vec![price]),
			fills: BoundedVec::truncate_from(fills),
			service_prices: BoundedVec::new(),
			services: BoundedVec::new(),
		})
	}

	std::thread_local! {
		static SETTLED: std::cell::RefCell<usize> = const { std::cell::RefCell::new(0) };
		static ORDERS: std::cell::RefCell<usize> = const { std::cell::RefCell::new(0) };
	}

	fn scenario(actions: Vec<Action>) {
		new_test_ext().execute_with(|| {
			markets();
			register(&solver());
			// One device per test account, each owned by it and bonded.
			for (n, key) in KEYS.iter().enumerate() {
				let who = key.to_account_id();
				let id = sp_core::H256::repeat_byte(n as u8 + 1);
				FakeRegistry::add(
					id,
					FakeDevice {
						owner: who.clone(),
						active: true,
						key: None,
						location: None,
						manufacturer: 1,
						uptime: None,
					},
				);
				assert_ok!(MicroBonds::bond(origin(&who), BondPurpose::Device, 100 * UNIT));
				assert_ok!(<MicroBonds as machina_primitives::BondManager<_, _>>::require_bond(
					&who,
					BondPurpose::Device,
					id,
					100 * UNIT
				));
			}
			let mut valid = 0u32;
			for action in actions {
				match action {
					Action::Submit { who, market, sell, give, price, partial, life } => {
						let who = KEYS[who as usize].to_account_id();
						let (bu, qu) = if market == 0 { (UNIT, USD_UNIT) } else { (KWH_UNIT, USD_UNIT) };
						let base = give as u128 * bu / 10;
						let quote = base / bu * qu * price as u128 / 10 + price as u128 * qu / 10;
						let (side, g, w) = if sell { (Side::Sell, base, quote) } else { (Side::Buy, quote, base) };
						let _ = Intents::submit_intent(
							origin(&who),
							market as u32,
							side,
							g,
							w,
							partial,
							RelayBlock::get() + life as u32,
						);
					},
					Action::Cancel { nth } => {
						let ids: Vec<_> = OpenIntents::<Test>::iter_keys().collect();
						if !ids.is_empty() {
							let id = ids[nth as usize % ids.len()];
							let owner = Intents::get_intent(id).unwrap().owner;
							let _ = Intents::cancel_intent(origin(&owner), id);
						}
					},
					Action::Solve { market, price } => {
						if let Some(s) = reference(market as u32, price) {
							// The reference batch is valid whenever the runtime's dry run
							// says so, and a valid batch is accepted unless one scoring at
							// least as much is in.
							let check = Intents::dry_run(s.fee, s.prices.to_vec(), s.fills.to_vec(), vec![], vec![]);
							if let crate::runtime_api::SolutionCheck::Valid { score, .. } = check {
								valid += 1;
								match Intents::submit_solution(origin(&solver()), s) {
									Ok(()) => assert_eq!(
										Best::<Test>::get(MarketKey::Swap(market as u32)).unwrap().score,
										score
									),
									Err(e) => assert!(
										[Error::<Test>::NotBetter.into(), Error::<Test>::PreviousRoundPending.into()]
											.contains(&e),
										"{e:?}"
									),
								}
							}
						}
					},
					Action::Advance { by } => run_to_relay(RelayBlock::get() + by as u32),
					Action::Open { who, amount } => {
						let payer = KEYS[who as usize].to_account_id();
						let payee = KEYS[(who as usize + 1) % 5].to_account_id();
						let _ = Intents::open_channel(
							origin(&payer),
							payee,
							USDT,
							amount as u128 * 1_000,
							RelayBlock::get() + 20,
						);
					},
					Action::Claim { nth, part } => {
						let ids: Vec<_> = Channels::<Test>::iter().collect();
						if !ids.is_empty() {
							let (id, ch) = &ids[nth as usize % ids.len()];
							let key = KEYS.iter().find(|k| k.to_account_id() == ch.payer).unwrap();
							let cumulative = ch.deposit * part as u128 / 100;
							let _ = Intents::claim(origin(&ch.payee), *id, cumulative, voucher(*key, *id, cumulative));
						}
					},
					Action::Close { nth } => {
						let ids: Vec<_> = Channels::<Test>::iter().collect();
						if !ids.is_empty() {
							let (id, ch) = &ids[nth as usize % ids.len()];
							let _ = Intents::close_channel(origin(&ch.payer), *id);
						}
					},
					Action::Offer { who, units, price } => {
						let owner = KEYS[who as usize].to_account_id();
						let device = sp_core::H256::repeat_byte(who + 1);
						let deadline = RelayBlock::get() + 30;
						let _ = Intents::offer_service(
							origin(&owner),
							device,
							1,
							USDT,
							units as u32,
							price as u128 * USD_UNIT / 10,
							deadline,
						);
					},
					Action::Purchase { who, units, price, partial } => {
						let buyer = KEYS[who as usize].to_account_id();
						let deadline = RelayBlock::get() + 30;
						let _ = Intents::purchase_service(
							origin(&buyer),
							1,
							USDT,
							units as u32,
							price as u128 * USD_UNIT / 10,
							DeviceFilter::default(),
							partial,
							deadline,
						);
					},
					Action::MatchServices => {
						// Greedy: highest bid against lowest ask while they cross, at the
						// highest matched ask; submitted when the dry run calls it valid.
						let mut offers: Vec<_> = Offers::<Test>::iter().collect();
						let mut purchases: Vec<_> = Purchases::<Test>::iter().collect();
						offers.sort_by_key(|(_, o)| o.min_price);
						purchases.sort_by_key(|(_, p)| core::cmp::Reverse(p.max_price));
						let mut left: Vec<u32> = offers.iter().map(|(_, o)| o.units - o.sold).collect();
						let (mut matches, mut price) = (vec![], 0u128);
						for (pid, p) in &purchases {
							let mut need = p.units - p.bought;
							let mut got = vec![];
							for (k, (oid, o)) in offers.iter().enumerate() {
								if need > 0
									&& left[k] > 0 && o.min_price <= p.max_price
									&& got.len() < MAX_ORDERS as usize
								{
									let u = left[k].min(need);
									got.push((k, *oid, u, o.min_price));
									need -= u;
								}
							}
							if got.is_empty() || (!p.partial && need > 0) {
								continue;
							}
							for (k, oid, u, min) in got {
								left[k] -= u;
								price = price.max(min);
								matches.push(ServiceMatch { purchase: *pid, offer: oid, units: u });
							}
						}
						if !matches.is_empty() {
							let mut s = solution(Permill::zero(), vec![], vec![]);
							s.service_prices = BoundedVec::truncate_from(vec![ServicePrice {
								class: 1,
								asset: USDT,
								per_unit: price,
							}]);
							s.services = BoundedVec::truncate_from(matches);
							let check =
								Intents::dry_run(s.fee, vec![], vec![], s.service_prices.to_vec(), s.services.to_vec());
							if matches!(check, crate::runtime_api::SolutionCheck::Valid { .. })
								&& Intents::bond_ok(&solver())
							{
								valid += 1;
								if let Err(e) = Intents::submit_solution(origin(&solver()), s) {
									assert!(
										[Error::<Test>::NotBetter.into(), Error::<Test>::PreviousRoundPending.into()]
											.contains(&e),
										"{e:?}"
									);
								}
							}
						}
					},
					Action::Deliver { nth, units, outcome } => {
						let orders: Vec<_> = Orders::<Test>::iter().collect();
						if !orders.is_empty() {
							let (id, o) = &orders[nth as usize % orders.len()];
							let _ = match outcome {
								0 => Intents::post_receipt(
									origin(&o.seller),
									*id,
									(units as u32).min(o.units),
									Default::default(),
									None,
								),
								1 => Intents::accept_delivery(origin(&o.buyer), *id),
								2 => Intents::dispute(origin(&o.buyer), *id),
								3 => Intents::resolve_dispute(RuntimeOrigin::root(), *id, units % 2 == 0),
								_ => Intents::finish_order(origin(&KEYS[0].to_account_id()), *id),
							};
						}
					},
				}
				check();
			}
			// Everything ends: nothing is left held.
			run_to_relay(RelayBlock::get() + 300);
			while OpenIntents::<Test>::iter().next().is_some()
				|| Offers::<Test>::iter().next().is_some()
				|| Purchases::<Test>::iter().next().is_some()
			{
				run_to_relay(RelayBlock::get() + 1);
			}
			for (id, ch) in Channels::<Test>::iter().collect::<Vec<_>>() {
				assert_ok!(Intents::close_channel(origin(&ch.payee), id));
			}
			// Every order ends: after the longest window, anyone finishes it.
			run_to_relay(RelayBlock::get() + ARBITRATION + DELIVERY_WINDOW + DISPUTE_WINDOW);
			for id in Orders::<Test>::iter_keys().collect::<Vec<_>>() {
				assert_ok!(Intents::finish_order(origin(&KEYS[0].to_account_id()), id));
			}
			let orders = System::events()
				.iter()
				.filter(|r| matches!(r.event, RuntimeEvent::Intents(Event::OrderCreated { .. })))
				.count();
			ORDERS.with(|o| *o.borrow_mut() += orders);
			check();
			assert!(Intents::recorded_holds().keys().all(|(_, tag)| *tag == 2), "only market deposits remain");
			let settled = System::events()
				.iter()
				.filter(|r| matches!(r.event, RuntimeEvent::Intents(Event::RoundSettled { .. })))
				.count();
			assert!(settled as u32 <= valid);
			SETTLED.with(|s| *s.borrow_mut() += settled);
		});
	}

	/// Whatever happens (swap intents, service offers and purchases, batches, orders
	/// delivered, accepted, disputed, ruled on or failed, channels), every held unit is an
	/// open intent's or purchase's escrow, an order's, a channel's unclaimed deposit or a
	/// storage deposit, and each of those is held (checked after every step against the
	/// asset pallets' books); at the end nothing but market deposits is held. Rounds
	/// settle and orders are made in the runs (asserted), so both are covered.
	#[test]
	fn escrow_always_equals_open_intents_and_channels() {
		let mut runner =
			proptest::test_runner::TestRunner::new(ProptestConfig { cases: 64, ..ProptestConfig::default() });
		runner
			.run(&proptest::collection::vec(action(), 1..60), |actions| {
				scenario(actions);
				Ok(())
			})
			.unwrap();
		let settled = SETTLED.with(|s| *s.borrow());
		assert!(settled >= 5, "only {settled} rounds settled in 64 runs");
		let orders = ORDERS.with(|o| *o.borrow());
		assert!(orders >= 5, "only {orders} service orders in 64 runs");
	}
}

mod services {
	use super::*;
	use machina_primitives::{BondManager, DeviceId, DeviceSignature, H3Cell, OperationalKey};

	const CLASS: ServiceClass = 7;

	fn device(n: u8) -> DeviceId {
		sp_core::H256::repeat_byte(n)
	}

	/// A resolution-9 cell (in San Francisco) and its resolution-5 ancestor.
	fn region() -> H3Cell {
		inside().parent(5).unwrap()
	}
	fn inside() -> H3Cell {
		H3Cell::new(0x8928308280fffff).unwrap()
	}

	/// Alice's device 1 (operational key //Alice-device) in the region, up 90%, maker 1;
	/// Bob's device 2 outside it. Both bonded 100 MACH in micro-bonds.
	fn devices() -> sr25519::Pair {
		let key = sr25519::Pair::from_string("//Alice-device", None).unwrap();
		FakeRegistry::add(
			device(1),
			FakeDevice {
				owner: alice(),
				active: true,
				key: Some(OperationalKey::Sr25519(key.public())),
				location: Some(inside()),
				manufacturer: 1,
				uptime: Some(Permill::from_percent(90)),
			},
		);
		FakeRegistry::add(
			device(2),
			FakeDevice { owner: bob(), active: true, key: None, location: None, manufacturer: 2, uptime: None },
		);
		for (who, d) in [(alice(), device(1)), (bob(), device(2))] {
			assert_ok!(MicroBonds::bond(origin(&who), BondPurpose::Device, 100 * UNIT));
			assert_ok!(<MicroBonds as BondManager<_, _>>::require_bond(&who, BondPurpose::Device, d, 100 * UNIT));
		}
		key
	}

	fn filter() -> DeviceFilter {
		DeviceFilter { region: Some(region()), min_uptime: Some(Permill::from_percent(80)), manufacturer: Some(1) }
	}

	fn offer(who: &AccountId, d: u8, units: u32, min_price: Balance) -> IntentId {
		let id = NextIntentId::<Test>::get();
		assert_ok!(Intents::offer_service(
			origin(who),
			device(d),
			CLASS,
			USDT,
			units,
			min_price,
			RelayBlock::get() + 100
		));
		id
	}

	fn purchase(units: u32, max_price: Balance, partial: bool) -> IntentId {
		let id = NextIntentId::<Test>::get();
		assert_ok!(Intents::purchase_service(
			origin(&charlie()),
			CLASS,
			USDT,
			units,
			max_price,
			filter(),
			partial,
			RelayBlock::get() + 100
		));
		id
	}

	fn matched(per_unit: Balance, services: Vec<(IntentId, IntentId, u32)>) -> SolutionOf<Test> {
		let mut s = solution(Permill::zero(), vec![], vec![]);
		s.service_prices = BoundedVec::truncate_from(vec![ServicePrice { class: CLASS, asset: USDT, per_unit }]);
		s.services = BoundedVec::truncate_from(
			services.into_iter().map(|(purchase, offer, units)| ServiceMatch { purchase, offer, units }).collect(),
		);
		s
	}

	/// Alice's device sells 8 units to Charlie at 1.5 USD: an order; the device's signed
	/// receipt, then silence through the dispute window, pays Alice.
	fn ordered() -> (sr25519::Pair, OrderId) {
		let key = devices();
		register(&solver());
		let o = offer(&alice(), 1, 10, USD_UNIT);
		let p = purchase(8, 2 * USD_UNIT, true);
		assert_eq!(held(USDT, HoldReason::IntentEscrow, &charlie()), 16 * USD_UNIT);
		// Surplus: (2 - 1.5) * 8 to Charlie, (1.5 - 1) * 8 to Alice: 8 USD.
		let s = matched(3 * USD_UNIT / 2, vec![(p, o, 8)]);
		assert_eq!(
			Intents::dry_run(s.fee, vec![], vec![], s.service_prices.to_vec(), s.services.to_vec()),
			crate::runtime_api::SolutionCheck::Valid { score: 8 * USD_UNIT, fills: vec![] }
		);
		assert_ok!(Intents::submit_solution(origin(&solver()), s));
		close_round();
		assert!(events().contains(&Event::OrderCreated {
			order: 0,
			purchase: p,
			offer: o,
			device: device(1),
			units: 8,
			price: 3 * USD_UNIT / 2
		}));
		// 12 USD moved to the order, 4 back; the purchase is done, the offer has 2 left.
		assert_eq!(held(USDT, HoldReason::OrderEscrow, &charlie()), 12 * USD_UNIT);
		assert_eq!(held(USDT, HoldReason::IntentEscrow, &charlie()), 0);
		assert!(Purchases::<Test>::get(p).is_none());
		assert_eq!(Offers::<Test>::get(o).unwrap().sold, 8);
		check();
		(key, 0)
	}

	fn receipt(key: &sr25519::Pair, order: OrderId, units: u32) -> DeviceSignature {
		DeviceSignature::Sr25519(key.sign(&Intents::receipt_payload(order, units, sp_core::H256::repeat_byte(0xcc))))
	}

	#[test]
	fn a_matched_purchase_becomes_an_order_and_silence_pays_the_seller() {
		new_test_ext().execute_with(|| {
			let (key, order) = ordered();
			let alice_usd = balance(USDT, &alice());
			// Posted by anyone with the device's signature.
			assert_ok!(Intents::post_receipt(
				origin(&eve()),
				order,
				8,
				sp_core::H256::repeat_byte(0xcc),
				Some(receipt(&key, order, 8))
			));
			assert_noop!(Intents::finish_order(origin(&eve()), order), Error::<Test>::WrongOrderState);
			run_to_relay(RelayBlock::get() + DISPUTE_WINDOW);
			assert_ok!(Intents::finish_order(origin(&eve()), order));
			assert_eq!(balance(USDT, &alice()), alice_usd + 12 * USD_UNIT);
			assert_eq!(held(USDT, HoldReason::OrderEscrow, &charlie()), 0);
			assert!(Orders::<Test>::get(order).is_none());
			check();
		});
	}

	#[test]
	fn accepting_a_partial_delivery_pays_it_and_refunds_the_rest() {
		new_test_ext().execute_with(|| {
			let (_, order) = ordered();
			let (alice_usd, charlie_usd) = (balance(USDT, &alice()), balance(USDT, &charlie()));
			// The owner reports 5 of 8 units without a device signature.
			assert_noop!(
				Intents::post_receipt(origin(&bob()), order, 5, sp_core::H256::zero(), None),
				Error::<Test>::BadReceipt
			);
			assert_noop!(
				Intents::post_receipt(origin(&alice()), order, 9, sp_core::H256::zero(), None),
				Error::<Test>::TooManyUnits
			);
			assert_ok!(Intents::post_receipt(origin(&alice()), order, 5, sp_core::H256::zero(), None));
			assert_noop!(Intents::accept_delivery(origin(&bob()), order), Error::<Test>::NotBuyer);
			assert_ok!(Intents::accept_delivery(origin(&charlie()), order));
			assert_eq!(balance(USDT, &alice()), alice_usd + 15 * USD_UNIT / 2);
			assert_eq!(balance(USDT, &charlie()), charlie_usd + 9 * USD_UNIT / 2);
			check();
		});
	}

	#[test]
	fn receipts_bind_the_device_key_the_order_and_the_units() {
		new_test_ext().execute_with(|| {
			let (key, order) = ordered();
			let other = sr25519::Pair::from_string("//Mallory", None).unwrap();
			let content = sp_core::H256::repeat_byte(0xcc);
			// Another key; a signature for another unit count; for another order.
			assert_noop!(
				Intents::post_receipt(origin(&eve()), order, 8, content, Some(receipt(&other, order, 8))),
				Error::<Test>::BadReceipt
			);
			assert_noop!(
				Intents::post_receipt(origin(&eve()), order, 8, content, Some(receipt(&key, order, 7))),
				Error::<Test>::BadReceipt
			);
			assert_noop!(
				Intents::post_receipt(origin(&eve()), order, 8, content, Some(receipt(&key, order + 1, 8))),
				Error::<Test>::BadReceipt
			);
			// Without a signature only the owner or the device itself (its operational key's
			// account, as a transaction signer) may post.
			assert_noop!(Intents::post_receipt(origin(&eve()), order, 8, content, None), Error::<Test>::BadReceipt);
			let device_account = AccountId::from(key.public().0);
			assert_ok!(Intents::post_receipt(origin(&device_account), order, 8, content, None));
			assert!(matches!(Orders::<Test>::get(order).unwrap().status, OrderStatus::Delivered { units: 8, .. }));
		});
	}

	#[test]
	fn a_receipt_comes_too_late_after_the_delivery_window() {
		new_test_ext().execute_with(|| {
			let (key, order) = ordered();
			let content = sp_core::H256::repeat_byte(0xcc);
			run_to_relay(RelayBlock::get() + DELIVERY_WINDOW);
			assert_noop!(
				Intents::post_receipt(origin(&eve()), order, 8, content, Some(receipt(&key, order, 8))),
				Error::<Test>::WrongOrderState
			);
		});
	}

	#[test]
	fn no_delivery_refunds_the_buyer_slashes_the_device_bond_and_insurance_compensates() {
		new_test_ext().execute_with(|| {
			let (_, order) = ordered();
			let charlie_usd = balance(USDT, &charlie());
			let charlie_mach = balance(MACH, &charlie());
			assert_noop!(Intents::finish_order(origin(&eve()), order), Error::<Test>::WrongOrderState);
			run_to_relay(RelayBlock::get() + DELIVERY_WINDOW);
			assert_ok!(Intents::finish_order(origin(&eve()), order));
			// 10% of the device's 100 MACH bond; half of it to Charlie from insurance.
			assert!(events().contains(&Event::OrderFailed {
				order,
				refunded: 12 * USD_UNIT,
				slashed: 10 * UNIT,
				compensation: 5 * UNIT
			}));
			assert_eq!(balance(USDT, &charlie()), charlie_usd + 12 * USD_UNIT);
			// The order's deposit came back too.
			assert_eq!(balance(MACH, &charlie()), charlie_mach + 5 * UNIT + ORDER_DEPOSIT);
			let info = <MicroBonds as BondManager<_, _>>::commitment(&alice(), device(1)).unwrap();
			assert_eq!(info.backing, 90 * UNIT);
			check();
		});
	}

	#[test]
	fn disputes_go_to_governance_and_a_missing_ruling_lets_the_receipt_stand() {
		for ruling in [Some(true), Some(false), None] {
			new_test_ext().execute_with(|| {
				let (key, order) = ordered();
				let content = sp_core::H256::repeat_byte(0xcc);
				assert_ok!(Intents::post_receipt(origin(&eve()), order, 8, content, Some(receipt(&key, order, 8))));
				assert_noop!(Intents::dispute(origin(&alice()), order), Error::<Test>::NotBuyer);
				assert_ok!(Intents::dispute(origin(&charlie()), order));
				assert_eq!(held(MACH, HoldReason::StorageDeposit, &charlie()), ORDER_DEPOSIT + DISPUTE_DEPOSIT);
				check();
				let (alice_usd, alice_mach) = (balance(USDT, &alice()), total(MACH, &alice()));
				let charlie_usd = balance(USDT, &charlie());
				match ruling {
					Some(true) => {
						assert_noop!(
							Intents::resolve_dispute(origin(&alice()), order, false),
							sp_runtime::DispatchError::BadOrigin
						);
						assert_ok!(Intents::resolve_dispute(RuntimeOrigin::root(), order, true));
						assert_eq!(balance(USDT, &charlie()), charlie_usd + 12 * USD_UNIT);
						assert_eq!(balance(USDT, &alice()), alice_usd);
					},
					Some(false) => {
						assert_ok!(Intents::resolve_dispute(RuntimeOrigin::root(), order, false));
						assert_eq!(balance(USDT, &alice()), alice_usd + 12 * USD_UNIT);
						// The frivolous dispute's deposit goes to the seller.
						assert_eq!(total(MACH, &alice()), alice_mach + DISPUTE_DEPOSIT);
					},
					None => {
						assert_noop!(Intents::finish_order(origin(&eve()), order), Error::<Test>::WrongOrderState);
						run_to_relay(RelayBlock::get() + ARBITRATION);
						assert_ok!(Intents::finish_order(origin(&eve()), order));
						assert_eq!(balance(USDT, &alice()), alice_usd + 12 * USD_UNIT);
						assert_eq!(held(MACH, HoldReason::StorageDeposit, &charlie()), 0);
						// A dispute nobody took to governance costs its deposit: freezing a
						// seller's payment is not free.
						assert_eq!(total(MACH, &alice()), alice_mach + DISPUTE_DEPOSIT);
					},
				}
				assert!(Orders::<Test>::get(order).is_none());
				check();
			});
		}
	}

	/// A dispute taken to governance does not lapse while its ruling referendum is
	/// undecided (a queue on a full track), up to `MaxArbitrationPeriod` from the
	/// dispute; once the referendum is decided without a ruling, the receipt stands and
	/// the deposit pays the seller. Only the buyer escalates, before the deadline, to an
	/// ongoing `resolve_dispute` of the same order, and an undecided escalation cannot be
	/// swapped for one that ends sooner.
	#[test]
	fn an_escalated_dispute_waits_for_its_ruling_referendum() {
		for decided in [true, false] {
			new_test_ext().execute_with(|| {
				let (key, order) = ordered();
				let receipt = Some(receipt(&key, order, 8));
				assert_ok!(Intents::post_receipt(origin(&eve()), order, 8, sp_core::H256::repeat_byte(0xcc), receipt));
				// Not disputed yet.
				FakeRulings::open(1, order);
				assert_noop!(Intents::escalate_dispute(origin(&charlie()), order, 1), Error::<Test>::WrongOrderState);
				assert_ok!(Intents::dispute(origin(&charlie()), order));
				let disputed = RelayBlock::get();
				// A referendum on another order, or none, is no ruling.
				FakeRulings::open(2, order + 1);
				assert_noop!(Intents::escalate_dispute(origin(&charlie()), order, 2), Error::<Test>::NotARuling);
				assert_noop!(Intents::escalate_dispute(origin(&charlie()), order, 3), Error::<Test>::NotARuling);
				// The seller cannot escalate (it would pick a referendum that times out).
				assert_noop!(Intents::escalate_dispute(origin(&alice()), order, 1), Error::<Test>::NotBuyer);
				assert_ok!(Intents::escalate_dispute(origin(&charlie()), order, 1));
				assert!(events().contains(&Event::DisputeEscalated { order, referendum: 1 }));
				// Nor can the buyer swap it while it is undecided.
				FakeRulings::open(4, order);
				assert_noop!(Intents::escalate_dispute(origin(&charlie()), order, 4), Error::<Test>::RulingPending);
				check();
				// Past the deadline the undecided ruling holds the order; no new escalation.
				run_to_relay(disputed + ARBITRATION);
				assert_noop!(Intents::finish_order(origin(&alice()), order), Error::<Test>::RulingPending);
				FakeRulings::decide(1);
				assert_noop!(Intents::escalate_dispute(origin(&charlie()), order, 4), Error::<Test>::WrongOrderState);
				if decided {
					// Decided without a ruling (rejected): the receipt stands.
				} else {
					// Still undecided at the hard limit: the receipt stands all the same.
					FakeRulings::open(1, order);
					run_to_relay(disputed + MAX_ARBITRATION - 1);
					assert_noop!(Intents::finish_order(origin(&alice()), order), Error::<Test>::RulingPending);
					run_to_relay(disputed + MAX_ARBITRATION);
				}
				let alice_mach = total(MACH, &alice());
				assert_ok!(Intents::finish_order(origin(&alice()), order));
				assert_eq!(total(MACH, &alice()), alice_mach + DISPUTE_DEPOSIT);
				assert!(Orders::<Test>::get(order).is_none());
				assert!(DisputeRulings::<Test>::get(order).is_none());
				check();
			});
		}
	}

	/// A buyer who withdraws a dispute (accepts the delivery) pays the seller its deposit,
	/// as a lapsed dispute does: holding a payment until just before the deadline and
	/// then accepting is not free.
	#[test]
	fn a_withdrawn_dispute_pays_the_seller_its_deposit() {
		new_test_ext().execute_with(|| {
			let (key, order) = ordered();
			assert_ok!(Intents::post_receipt(
				origin(&eve()),
				order,
				8,
				sp_core::H256::repeat_byte(0xcc),
				Some(receipt(&key, order, 8))
			));
			assert_ok!(Intents::dispute(origin(&charlie()), order));
			run_to_relay(RelayBlock::get() + ARBITRATION - 1);
			let (alice_usd, alice_mach) = (balance(USDT, &alice()), total(MACH, &alice()));
			assert_ok!(Intents::accept_delivery(origin(&charlie()), order));
			assert_eq!(balance(USDT, &alice()), alice_usd + 12 * USD_UNIT);
			assert_eq!(total(MACH, &alice()), alice_mach + DISPUTE_DEPOSIT);
			assert_eq!(held(MACH, HoldReason::StorageDeposit, &charlie()), 0);
			check();
		});
	}

	#[test]
	fn service_matches_that_break_a_rule_are_slashed_and_stale_ones_are_not() {
		new_test_ext().execute_with(|| {
			devices();
			let a = offer(&alice(), 1, 10, USD_UNIT);
			let b = offer(&bob(), 2, 10, USD_UNIT / 2);
			let p = purchase(8, 2 * USD_UNIT, false);
			let cases = vec![
				// Bob's device is outside the region, unmeasured, another maker.
				(Violation::FilterViolated, matched(USD_UNIT, vec![(p, b, 8)])),
				// Above Charlie's 2 USD.
				(Violation::LimitPriceViolated, matched(3 * USD_UNIT, vec![(p, a, 8)])),
				// Below Alice's 1 USD.
				(Violation::LimitPriceViolated, matched(USD_UNIT / 2, vec![(p, a, 8)])),
				// Part of a purchase that wants all 8.
				(Violation::OverFill, matched(USD_UNIT, vec![(p, a, 4)])),
				// More than Alice offers.
				(Violation::OverFill, matched(USD_UNIT, vec![(p, a, 11)])),
			];
			for (i, (violation, s)) in cases.into_iter().enumerate() {
				let who = sp_runtime::AccountId32::new(sp_io::hashing::blake2_256(&(i as u32 + 100).to_le_bytes()));
				assert_ok!(<Balances as frame_support::traits::fungible::Mutate<_>>::mint_into(&who, 2 * SOLVER_BOND));
				if Solvers::<Test>::count() == 4 {
					let leaving = Solvers::<Test>::iter_keys().next().unwrap();
					assert_ok!(Intents::unregister_solver(origin(&leaving)));
				}
				register(&who);
				assert_ok!(Intents::submit_solution(origin(&who), s));
				assert!(
					matches!(events().last(), Some(Event::SolutionRejected { violation: v, .. }) if *v == violation),
					"case {i}: {:?}",
					events().last()
				);
			}
			// Alice's device suspended since: stale, the solver is not at fault.
			let leaving = Solvers::<Test>::iter_keys().next().unwrap();
			assert_ok!(Intents::unregister_solver(origin(&leaving)));
			register(&solver());
			FakeRegistry::update(&device(1), |d| d.active = false);
			assert_noop!(
				Intents::submit_solution(origin(&solver()), matched(USD_UNIT, vec![(p, a, 8)])),
				Error::<Test>::StaleSolution
			);
			// A suspended device cannot offer either.
			assert_noop!(
				Intents::offer_service(origin(&alice()), device(1), CLASS, USDT, 1, 1, RelayBlock::get() + 5),
				Error::<Test>::NotDeviceOwner
			);
			assert_noop!(
				Intents::offer_service(origin(&charlie()), device(2), CLASS, USDT, 1, 1, RelayBlock::get() + 5),
				Error::<Test>::NotDeviceOwner
			);
			check();
		});
	}

	#[test]
	fn a_purchase_makes_a_bounded_number_of_orders_and_cancels_with_a_refund() {
		new_test_ext().execute_with(|| {
			devices();
			register(&solver());
			let offers: Vec<_> = (0..5).map(|_| offer(&alice(), 1, 1, USD_UNIT)).collect();
			let p = purchase(5, USD_UNIT, true);
			let five = matched(USD_UNIT, offers.iter().map(|o| (p, *o, 1)).collect());
			assert_ok!(Intents::submit_solution(origin(&solver()), five));
			assert!(matches!(
				events().last(),
				Some(Event::SolutionRejected { violation: Violation::TooManyOrders, .. })
			));
			register(&solver2());
			let four = matched(USD_UNIT, offers.iter().take(4).map(|o| (p, *o, 1)).collect());
			assert_ok!(Intents::submit_solution(origin(&solver2()), four));
			close_round();
			assert_eq!(Orders::<Test>::iter().count(), 4);
			assert_eq!(Purchases::<Test>::get(p).unwrap().bought, 4);
			check();
			// Cancelling the rest refunds 1 USD and what is left of the deposit.
			assert_ok!(Intents::cancel_intent(origin(&charlie()), p));
			assert_eq!(held(USDT, HoldReason::IntentEscrow, &charlie()), 0);
			assert_eq!(held(MACH, HoldReason::StorageDeposit, &charlie()), 4 * ORDER_DEPOSIT);
			check();
		});
	}
}

mod sponsorship {
	use super::*;
	use frame_support::{
		dispatch::{GetDispatchInfo, PostDispatchInfo},
		traits::fungible::Inspect as _,
		weights::Weight,
	};
	use machina_primitives::{DeviceId, OperationalKey};
	use pallet_transaction_payment::ChargeTransactionPayment;
	use sp_runtime::{
		traits::DispatchTransaction,
		transaction_validity::{InvalidTransaction, TransactionValidityError},
	};

	fn device(n: u8) -> DeviceId {
		sp_core::H256::repeat_byte(n)
	}

	/// Alice's device 1, whose operational key (//Alice-device) has no balance at all.
	fn alice_device() -> (DeviceId, AccountId) {
		let key = sr25519::Pair::from_string("//Alice-device", None).unwrap();
		FakeRegistry::add(
			device(1),
			FakeDevice {
				owner: alice(),
				active: true,
				key: Some(OperationalKey::Sr25519(key.public())),
				location: None,
				manufacturer: 1,
				uptime: None,
			},
		);
		(device(1), AccountId::from(key.public().0))
	}

	fn classes(c: &[CallClass]) -> BoundedVec<CallClass, MaxCallClasses> {
		c.to_vec().try_into().unwrap()
	}

	fn pot() -> AccountId {
		Intents::sponsor_pot_account(&alice())
	}

	fn native(who: &AccountId) -> Balance {
		Balances::total_balance(who)
	}

	/// The fee `who` would be charged for `call` with `tip`.
	fn fee_of(call: &RuntimeCall, tip: Balance) -> Balance {
		let len = codec::Encode::encoded_size(call) as u32;
		TransactionPayment::compute_fee(len, &call.get_dispatch_info(), tip)
	}

	/// Dispatch `call` as a signed transaction of `who`, fees and all.
	fn transact(
		who: &AccountId,
		call: RuntimeCall,
		tip: Balance,
	) -> Result<sp_runtime::DispatchResultWithInfo<PostDispatchInfo>, TransactionValidityError> {
		let info = call.get_dispatch_info();
		let len = codec::Encode::encoded_size(&call);
		ChargeTransactionPayment::<Test>::from(tip).dispatch_transaction(origin(who), call, &info, len, 0)
	}

	/// Bob opens a native channel to the device; the call that claims `cumulative`.
	fn claim_call(device_account: &AccountId, cumulative: Balance) -> RuntimeCall {
		if Channels::<Test>::get(0).is_none() {
			let expires = RelayBlock::get() + 600;
			assert_ok!(Intents::open_channel(origin(&bob()), device_account.clone(), MACH, 10 * UNIT, expires));
		}
		RuntimeCall::Intents(Call::claim {
			channel: 0,
			cumulative,
			signature: voucher(Sr25519Keyring::Bob, 0, cumulative),
		})
	}

	/// //Alice-device's consent to `sponsor` for `device`.
	fn consent(device: DeviceId, sponsor: &AccountId) -> Option<machina_primitives::DeviceSignature> {
		let key = sr25519::Pair::from_string("//Alice-device", None).unwrap();
		Some(machina_primitives::DeviceSignature::Sr25519(key.sign(&Intents::sponsor_consent_payload(device, sponsor))))
	}

	/// Alice sponsors her device 1, with its consent.
	fn sponsor(allowance: Balance, calls: &[CallClass]) -> sp_runtime::DispatchResult {
		Intents::sponsor_device(origin(&alice()), device(1), allowance, classes(calls), consent(device(1), &alice()))
	}

	fn sponsored(allowance: Balance, calls: &[CallClass]) -> (DeviceId, AccountId) {
		let (device, account) = alice_device();
		assert_ok!(Intents::fund_sponsor_pot(origin(&alice()), UNIT));
		assert_ok!(sponsor(allowance, calls));
		(device, account)
	}

	#[test]
	fn a_device_without_balance_transacts_on_its_owners_pot() {
		new_test_ext().execute_with(|| {
			let (device, account) = sponsored(UNIT / 10, &[CallClass::Channels, CallClass::Receipts]);
			assert_eq!(native(&account), 0);
			assert_eq!(held(MACH, crate::HoldReason::StorageDeposit, &alice()), SPONSORSHIP_DEPOSIT);
			// The device account exists (a sufficient reference), so it has a nonce.
			assert!(System::account_exists(&account));

			let call = claim_call(&account, UNIT);
			let fee = fee_of(&call, 0);
			assert!(fee > 0);
			assert_ok!(transact(&account, call, 0).unwrap());
			// The device got its whole payment; the pot paid the fee.
			assert_eq!(native(&account), UNIT);
			assert_eq!(native(&pot()), UNIT - fee);
			assert_eq!(Sponsorships::<Test>::get(&account).unwrap().spent, fee);
			System::assert_has_event(Event::FeeSponsored { sponsor: alice(), account: account.clone(), fee }.into());
			// Still sponsored while it has a balance of its own: the pot pays first.
			let call = claim_call(&account, 2 * UNIT);
			let fee2 = fee_of(&call, 0);
			assert_ok!(transact(&account, call, 0).unwrap());
			assert_eq!(native(&account), 2 * UNIT);
			assert_eq!(native(&pot()), UNIT - fee - fee2);
			assert_eq!(System::account_nonce(&account), 0, "nonces are the CheckNonce extension's");
			let _ = device;
			assert_ok!(Intents::do_try_state());
		});
	}

	#[test]
	fn only_listed_calls_without_tip_are_sponsored() {
		new_test_ext().execute_with(|| {
			let (_, account) = sponsored(UNIT / 10, &[CallClass::Receipts]);
			let payment = Err(TransactionValidityError::Invalid(InvalidTransaction::Payment));
			// A class the sponsor did not list.
			assert_eq!(transact(&account, claim_call(&account, UNIT), 0).map(|_| ()), payment);
			// A call no class covers: a transfer out of the pot's money is impossible.
			let transfer = RuntimeCall::Balances(pallet_balances::Call::transfer_allow_death { dest: bob(), value: 1 });
			assert_eq!(transact(&account, transfer, 0).map(|_| ()), payment);
			// A tip is never sponsored. (An update of the classes needs no new consent.)
			assert_ok!(Intents::sponsor_device(
				origin(&alice()),
				device(1),
				UNIT / 10,
				classes(&[CallClass::Channels]),
				None
			));
			assert_eq!(transact(&account, claim_call(&account, UNIT), 1).map(|_| ()), payment);
			assert_eq!(native(&pot()), UNIT, "the pot paid nothing");
			assert_ok!(transact(&account, claim_call(&account, UNIT), 0).unwrap());
			assert!(native(&pot()) < UNIT);
		});
	}

	#[test]
	fn the_allowance_renews_each_period_and_refunds_count() {
		new_test_ext().execute_with(|| {
			let (_, account) = alice_device();
			let fee = fee_of(&claim_call(&account, UNIT), 0);
			assert_ok!(Intents::fund_sponsor_pot(origin(&alice()), UNIT));
			// Room for two claims a period, not three.
			assert_ok!(sponsor(2 * fee + fee / 2, &[CallClass::Channels]));
			assert_ok!(transact(&account, claim_call(&account, UNIT), 0).unwrap());
			assert_ok!(transact(&account, claim_call(&account, 2 * UNIT), 0).unwrap());
			// The third is the device's own to pay; it now has 2 MACH, so it does.
			let pot_before = native(&pot());
			assert_ok!(transact(&account, claim_call(&account, 3 * UNIT), 0).unwrap());
			assert_eq!(native(&pot()), pot_before);
			assert_eq!(native(&account), 3 * UNIT - fee);
			// A period later (10 relay blocks) the allowance is whole again.
			run_to_relay(RelayBlock::get() + SPONSORSHIP_PERIOD);
			assert_ok!(transact(&account, claim_call(&account, 4 * UNIT), 0).unwrap());
			assert_eq!(native(&pot()), pot_before - fee);
			assert_eq!(Sponsorships::<Test>::get(&account).unwrap().spent, fee);

			// A call that weighs less than declared gets the difference back, in the pot and
			// in the allowance.
			let call = claim_call(&account, 5 * UNIT);
			let info = call.get_dispatch_info();
			let len = codec::Encode::encoded_size(&call);
			let before = native(&pot());
			let actual = Weight::from_parts(info.call_weight.ref_time() / 2, 0);
			assert_ok!(ChargeTransactionPayment::<Test>::from(0)
				.test_run(origin(&account), &call, &info, len, 0, |_| Ok(PostDispatchInfo {
					actual_weight: Some(actual),
					pays_fee: frame_support::dispatch::Pays::Yes,
				}))
				.unwrap());
			let paid = before - native(&pot());
			assert!(paid < fee, "refunded: paid {paid} of {fee}");
			assert_eq!(Sponsorships::<Test>::get(&account).unwrap().spent, fee + paid);
			assert_ok!(Intents::do_try_state());
		});
	}

	#[test]
	fn an_empty_pot_leaves_the_device_to_pay() {
		new_test_ext().execute_with(|| {
			let (_, account) = alice_device();
			assert_ok!(sponsor(UNIT, &[CallClass::Channels]));
			let payment = Err(TransactionValidityError::Invalid(InvalidTransaction::Payment));
			assert_eq!(transact(&account, claim_call(&account, UNIT), 0).map(|_| ()), payment);
			// Funded, then emptied by its sponsor: the same.
			assert_ok!(Intents::fund_sponsor_pot(origin(&alice()), UNIT));
			assert_ok!(Intents::withdraw_sponsor_pot(origin(&alice()), UNIT));
			assert!(!System::account_exists(&pot()));
			assert_eq!(transact(&account, claim_call(&account, UNIT), 0).map(|_| ()), payment);
			assert_noop!(Intents::fund_sponsor_pot(origin(&alice()), 0), Error::<Test>::ZeroAmount);
		});
	}

	#[test]
	fn a_sponsorship_is_void_when_the_device_changes() {
		new_test_ext().execute_with(|| {
			let payment = Err(TransactionValidityError::Invalid(InvalidTransaction::Payment));
			let (_, account) = sponsored(UNIT / 10, &[CallClass::Channels]);
			// Only its sponsor may end one in force.
			assert_noop!(Intents::end_sponsorship(origin(&bob()), account.clone()), Error::<Test>::NotSponsor);

			// Sold to Bob: Alice's pot no longer pays, and anyone may clear the record.
			FakeRegistry::update(&device(1), |d| d.owner = bob());
			assert_eq!(transact(&account, claim_call(&account, UNIT), 0).map(|_| ()), payment);
			FakeRegistry::update(&device(1), |d| d.owner = alice());
			// Suspended: the pot pays nothing meanwhile, but a suspension can be lifted, so
			// the sponsorship is not void and only Alice may end it.
			FakeRegistry::update(&device(1), |d| d.active = false);
			assert_eq!(transact(&account, claim_call(&account, UNIT), 0).map(|_| ()), payment);
			assert_noop!(Intents::end_sponsorship(origin(&bob()), account.clone()), Error::<Test>::NotSponsor);
			FakeRegistry::update(&device(1), |d| d.active = true);
			assert_ok!(transact(&account, claim_call(&account, UNIT), 0).unwrap());
			frame_system::Pallet::<Test>::inc_account_nonce(&account);
			// A new operational key: the old key's account is no longer the device's.
			let new_key = sr25519::Pair::from_string("//Alice-device-2", None).unwrap();
			FakeRegistry::update(&device(1), |d| d.key = Some(OperationalKey::Sr25519(new_key.public())));
			// (The account was paid 1 MACH by the claim, so it could pay for itself now.)
			assert_eq!(Intents::sponsoring_pot(&account, Some(CallClass::Channels), 1, false), None);
			assert_ok!(Intents::end_sponsorship(origin(&bob()), account.clone()));
			assert_eq!(held(MACH, crate::HoldReason::StorageDeposit, &alice()), 0);
			// It transacted on the pot, so its account stays, paid for by the deposit.
			System::assert_has_event(
				Event::SponsorshipEnded {
					sponsor: alice(),
					device: device(1),
					account: account.clone(),
					burnt: SPONSORSHIP_DEPOSIT,
				}
				.into(),
			);
			assert!(System::account_exists(&account));
			assert_noop!(Intents::end_sponsorship(origin(&alice()), account), Error::<Test>::NotSponsored);
			assert_ok!(Intents::do_try_state());
		});
	}

	#[test]
	fn sponsoring_needs_the_owner_the_devices_consent_and_a_class() {
		new_test_ext().execute_with(|| {
			let (device, account) = alice_device();
			let channels = classes(&[CallClass::Channels]);
			assert_noop!(
				Intents::sponsor_device(origin(&bob()), device, UNIT, channels.clone(), consent(device, &bob())),
				Error::<Test>::NotDeviceOwner
			);
			assert_noop!(sponsor(UNIT, &[]), Error::<Test>::NoCallClasses);
			FakeRegistry::add(
				device_id(2),
				FakeDevice { owner: alice(), active: true, key: None, location: None, manufacturer: 1, uptime: None },
			);
			assert_noop!(
				Intents::sponsor_device(origin(&alice()), device_id(2), UNIT, channels.clone(), None),
				Error::<Test>::NoOperationalKey
			);
			// The key must consent, to this sponsor and this device.
			for bad in [None, consent(device, &bob()), consent(device_id(3), &alice())] {
				assert_noop!(
					Intents::sponsor_device(origin(&alice()), device, UNIT, channels.clone(), bad),
					Error::<Test>::BadConsent
				);
			}
			assert_ok!(sponsor(UNIT, &[CallClass::Channels]));

			// Squatting: Bob points his device 3 at Alice's device key, which is public. He
			// cannot sign for it, so he cannot sponsor it, with or without Alice's consent.
			let key = FakeRegistry::get_key(&device);
			FakeRegistry::add(
				device_id(3),
				FakeDevice { owner: bob(), active: true, key, location: None, manufacturer: 1, uptime: None },
			);
			for bad in [None, consent(device, &alice())] {
				assert_noop!(
					Intents::sponsor_device(origin(&bob()), device_id(3), UNIT, channels.clone(), bad),
					Error::<Test>::BadConsent
				);
			}
			// Even the key's holder cannot move it while Alice's sponsorship is in force.
			assert_noop!(bob_sponsors_device_3(), Error::<Test>::AlreadySponsored);
			// Suspending Alice's device does not void it either.
			FakeRegistry::update(&device, |d| d.active = false);
			assert_noop!(bob_sponsors_device_3(), Error::<Test>::AlreadySponsored);
			// Once Alice's is void (her device has another key now), the holder's choice
			// replaces it; Alice's deposit comes back (her sponsorship paid nothing).
			FakeRegistry::update(&device, |d| {
				d.active = true;
				d.key = Some(OperationalKey::Sr25519(sr25519::Pair::from_string("//other", None).unwrap().public()))
			});
			assert_ok!(bob_sponsors_device_3());
			assert_eq!(Sponsorships::<Test>::get(&account).unwrap().sponsor, bob());
			assert_eq!(held(MACH, crate::HoldReason::StorageDeposit, &alice()), 0);
			assert_eq!(held(MACH, crate::HoldReason::StorageDeposit, &bob()), SPONSORSHIP_DEPOSIT);
			assert_ok!(Intents::do_try_state());
		});
	}

	#[test]
	fn an_account_that_transacted_outlives_its_sponsorship_which_pays_for_it() {
		new_test_ext().execute_with(|| {
			// A device sends one sponsored transaction and is then dropped.
			let (_, account) = sponsored(UNIT / 10, &[CallClass::Channels]);
			let call = RuntimeCall::Intents(Call::close_channel { channel: 7 });
			// A failed call is still paid for, by the pot.
			let result = transact(&account, call, 0).unwrap();
			assert!(result.is_err());
			frame_system::Pallet::<Test>::inc_account_nonce(&account);
			let issuance = Balances::total_issuance();
			assert_ok!(Intents::end_sponsorship(origin(&alice()), account.clone()));
			// Its nonce stays 1: its signed transaction cannot be replayed later.
			assert!(System::account_exists(&account));
			assert_eq!(System::account_nonce(&account), 1);
			assert!(SponsoredAccountRefs::<Test>::contains_key(&account));
			// The deposit pays for the account left in state: burnt, not returned.
			assert_eq!(held(MACH, crate::HoldReason::StorageDeposit, &alice()), 0);
			assert_eq!(Balances::total_issuance(), issuance - SPONSORSHIP_DEPOSIT);
			System::assert_has_event(
				Event::SponsorshipEnded {
					sponsor: alice(),
					device: device(1),
					account: account.clone(),
					burnt: SPONSORSHIP_DEPOSIT,
				}
				.into(),
			);
			// Sponsored again, no second reference is taken, and this deposit comes back.
			assert_ok!(sponsor(UNIT, &[CallClass::Channels]));
			assert_eq!(System::sufficients(&account), 1);
			assert_ok!(Intents::end_sponsorship(origin(&alice()), account.clone()));
			System::assert_last_event(
				Event::SponsorshipEnded { sponsor: alice(), device: device(1), account: account.clone(), burnt: 0 }
					.into(),
			);
			assert_eq!(Balances::total_issuance(), issuance - SPONSORSHIP_DEPOSIT);
			assert_ok!(Intents::do_try_state());
		});
	}

	#[test]
	fn the_deposit_is_burnt_only_if_the_pot_paid_for_the_device() {
		new_test_ext().execute_with(|| {
			// The device transacts on its own (its nonce moves) but never on the pot.
			let (_, account) = sponsored(UNIT / 10, &[CallClass::Receipts]);
			frame_system::Pallet::<Test>::inc_account_nonce(&account);
			assert_ok!(Intents::end_sponsorship(origin(&alice()), account.clone()));
			System::assert_last_event(
				Event::SponsorshipEnded { sponsor: alice(), device: device(1), account: account.clone(), burnt: 0 }
					.into(),
			);
			// Kept for its nonce all the same.
			assert!(System::account_exists(&account));
			assert_ok!(Intents::do_try_state());
		});
	}

	#[test]
	fn a_free_transaction_is_not_sponsored() {
		new_test_ext().execute_with(|| {
			let (_, account) = sponsored(UNIT / 10, &[CallClass::Channels]);
			assert_eq!(Intents::sponsoring_pot(&account, Some(CallClass::Channels), 0, false), None);
			assert_eq!(Intents::sponsoring_pot(&account, Some(CallClass::Channels), 1, false), Some(pot()));
			assert_eq!(Intents::sponsoring_pot(&account, None, 1, false), None);
		});
	}

	fn device_id(n: u8) -> DeviceId {
		device(n)
	}

	/// Bob sponsors his device 3 for channels, with its key's consent (the test's key
	/// holder signs for any device).
	fn bob_sponsors_device_3() -> sp_runtime::DispatchResult {
		let channels = classes(&[CallClass::Channels]);
		Intents::sponsor_device(origin(&bob()), device_id(3), UNIT, channels, consent(device_id(3), &bob()))
	}
}
