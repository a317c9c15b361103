//! Batch auctions: checking a solution, scoring it, settling the round's best.

use crate::*;
use alloc::collections::{btree_map::BTreeMap, btree_set::BTreeSet};
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungibles::{Inspect, Mutate},
		tokens::Preservation,
	},
};
use machina_primitives::{BondPurpose, BondSlasher, Offence, OffenceKind, SlashTarget};
use sp_core::U256;
use sp_runtime::traits::{Saturating, Zero};

/// Per market, what a batch takes in (net of fees) and pays out of each asset.
#[derive(Default)]
struct Flow {
	base_in: u128,
	base_out: u128,
	quote_in: u128,
	quote_out: u128,
}

impl<T: Config> Pallet<T> {
	/// Check `solution` against every rule and compute what it moves. Reads state only.
	///
	/// `Rejection::Stale` when an intent it names is no longer open (a race with a
	/// cancellation or an earlier round: not the solver's fault); otherwise the first
	/// rule it breaks.
	pub fn check_solution(solution: &SolutionOf<T>) -> Result<Execution, Rejection> {
		use Violation::*;
		let v = Rejection::Violation;
		// Every intent must still be open before the solver is judged.
		let mut intents = alloc::vec::Vec::with_capacity(solution.fills.len());
		let mut seen = BTreeSet::new();
		for fill in solution.fills.iter() {
			if !seen.insert(fill.intent) {
				return Err(v(IntentUsedTwice));
			}
			intents.push(OpenIntents::<T>::get(fill.intent).ok_or(Rejection::Stale)?);
		}
		if solution.fee > SolverFeeCap::<T>::get() {
			return Err(v(FeeAboveCap));
		}
		let mut prices = BTreeMap::new();
		for price in solution.prices.iter() {
			if price.base == 0 || price.quote == 0 || prices.insert(price.market, *price).is_some() {
				return Err(v(InvalidPrice));
			}
		}
		let closes_at = Self::round_end(solution.round);
		let mut markets: BTreeMap<MarketId, MarketOf<T>> = BTreeMap::new();
		let mut flows: BTreeMap<MarketId, Flow> = BTreeMap::new();
		let mut execution = Execution::default();
		for (fill, intent) in solution.fills.iter().zip(intents) {
			let price = prices.get(&intent.market).ok_or(v(MissingPrice))?;
			if !markets.contains_key(&intent.market) {
				let market = Markets::<T>::get(intent.market).ok_or(Rejection::Stale)?;
				markets.insert(intent.market, market);
			}
			let market = &markets[&intent.market];
			let remaining: u128 = intent.remaining().into();
			let (give, want): (u128, u128) = (intent.give.into(), intent.want.into());
			let executed = fill.executed;
			if executed == 0 || executed > remaining || (!intent.partial && executed != remaining) {
				return Err(v(OverFill));
			}
			if intent.deadline < closes_at {
				return Err(v(ExpiredIntent));
			}
			let fee = solution.fee.mul_floor(executed);
			let net = executed - fee;
			let out = price.proceeds(intent.side, net).ok_or(v(InvalidPrice))?;
			// The limit price: out / executed >= want / give, in exact integers.
			if U256::from(out) * U256::from(give) < U256::from(executed) * U256::from(want) {
				return Err(v(LimitPriceViolated));
			}
			let (_, want_asset) = Self::assets_of(market, intent.side);
			if out < T::Assets::minimum_balance(want_asset).into() {
				return Err(v(FillBelowMinimum));
			}
			// The least the owner would accept for `executed`, rounded up: the surplus is
			// what it gets above it, valued in the market's quote asset.
			let least = (U256::from(executed) * U256::from(want)).div_mod(U256::from(give));
			let least = least.0 + if least.1.is_zero() { U256::zero() } else { U256::one() };
			let surplus = out.saturating_sub(u128::try_from(least).unwrap_or(u128::MAX));
			let flow = flows.entry(intent.market).or_default();
			let surplus = match intent.side {
				Side::Sell => {
					flow.base_in = flow.base_in.saturating_add(net);
					flow.quote_out = flow.quote_out.saturating_add(out);
					surplus
				},
				Side::Buy => {
					flow.quote_in = flow.quote_in.saturating_add(net);
					flow.base_out = flow.base_out.saturating_add(out);
					price.base_in_quote(surplus)
				},
			};
			execution.score = execution.score.saturating_add(surplus);
			execution.fills.push((fill.intent, executed, out));
		}
		// Nothing is created: every market pays out at most what it took in, of each asset.
		// (With a uniform price this also makes it clear: a side that sold more than the
		// other bought would have to be paid more than the other side paid in.)
		for flow in flows.values() {
			if flow.base_out > flow.base_in || flow.quote_out > flow.quote_in {
				return Err(v(ConservationBroken));
			}
		}
		Ok(execution)
	}

	pub(crate) fn do_submit_solution(who: T::AccountId, solution: SolutionOf<T>) -> DispatchResult {
		ensure!(Solvers::<T>::contains_key(&who), Error::<T>::NotSolver);
		let round = Self::round_at(Self::now());
		ensure!(solution.round == round && CurrentRound::<T>::get() == round, Error::<T>::WrongRound);
		ensure!(!solution.fills.is_empty(), Error::<T>::EmptySolution);
		let backed = <T::Bonds as machina_primitives::BondManager<_, _>>::commitment(
			&who,
			crate::dispatchable_impls::solver_commitment(),
		)
		.is_some_and(|c| c.shortfall().is_zero());
		ensure!(backed, Error::<T>::SolverUnderBonded);
		match Self::check_solution(&solution) {
			Err(Rejection::Stale) => Err(Error::<T>::StaleSolution.into()),
			Err(Rejection::Violation(violation)) => {
				// The solver is slashed and the call succeeds, so the slash stands. The
				// same solution is punished once (its hash is the offence id).
				let offence = Offence {
					offender: who.clone(),
					purpose: BondPurpose::Solver,
					target: SlashTarget::Purpose,
					kind: OffenceKind::InvalidSolution,
					evidence_time: Self::now(),
					id: sp_io::hashing::blake2_256(&(b"machina/intents/solution", &who, &solution).encode()).into(),
				};
				let outcome = T::Slasher::report_offence(offence, None).map_err(|_| Error::<T>::InvalidSolution)?;
				Self::deposit_event(Event::SolutionRejected {
					round,
					solver: who,
					violation,
					slashed: outcome.slashed,
				});
				Ok(())
			},
			Ok(execution) => {
				if let Some(best) = Best::<T>::get() {
					ensure!(execution.score > best.score, Error::<T>::NotBetter);
				}
				let fills = solution.fills.len() as u32;
				Best::<T>::put(BestSolution { solver: who.clone(), score: execution.score, solution });
				Self::deposit_event(Event::SolutionAccepted { round, solver: who, score: execution.score, fills });
				Ok(())
			},
		}
	}

	/// Settle `best` atomically: every fill moves, or nothing does. Runs in a storage
	/// layer; an error leaves no trace.
	pub(crate) fn settle(best: &BestSolutionOf<T>) -> DispatchResult {
		let execution = Self::check_solution(&best.solution).map_err(|_| Error::<T>::StaleSolution)?;
		let account = Self::settlement_account();
		// Per asset: taken in (executed, fees included) and paid out.
		let mut totals: BTreeMap<T::AssetKind, (u128, u128)> = BTreeMap::new();
		let mut moves = alloc::vec::Vec::with_capacity(execution.fills.len());
		for (id, executed, out) in execution.fills.iter().copied() {
			let intent = OpenIntents::<T>::get(id).ok_or(Error::<T>::UnknownIntent)?;
			let market = Markets::<T>::get(intent.market).ok_or(Error::<T>::UnknownMarket)?;
			let (give_asset, want_asset) = Self::assets_of(&market, intent.side);
			Self::pay_from_hold(
				give_asset.clone(),
				HoldReason::IntentEscrow,
				&intent.owner,
				&account,
				executed.into(),
			)?;
			let t = totals.entry(give_asset).or_default();
			t.0 = t.0.saturating_add(executed);
			moves.push((id, intent, want_asset, executed, out));
		}
		for (_, intent, want_asset, _, out) in moves.iter() {
			T::Assets::transfer(want_asset.clone(), &account, &intent.owner, (*out).into(), Preservation::Preserve)?;
			let t = totals.entry(want_asset.clone()).or_default();
			t.1 = t.1.saturating_add(*out);
		}
		// The fees and the rounding residue go to the solver; what it cannot receive (below
		// the asset's minimum balance for a new account) stays with the settlement account.
		for (asset, (taken, paid)) in totals {
			let residue = taken.checked_sub(paid).ok_or(Error::<T>::Overflow)?;
			if residue > 0 {
				let _ = T::Assets::transfer(asset, &account, &best.solver, residue.into(), Preservation::Preserve);
			}
		}
		for (id, mut intent, _, executed, out) in moves {
			intent.given = intent.given.saturating_add(executed.into());
			intent.received = intent.received.saturating_add(out.into());
			Self::deposit_event(Event::IntentFilled { intent: id, executed: executed.into(), received: out.into() });
			if !intent.partial || intent.remaining().is_zero() {
				Self::close_intent(id, intent, CloseReason::Filled);
			} else {
				OpenIntents::<T>::insert(id, intent);
			}
		}
		Ok(())
	}
}
