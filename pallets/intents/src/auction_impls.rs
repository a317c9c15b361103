//! Batch auctions: checking a solution, scoring it, settling the round's best.

use crate::*;
use alloc::collections::{btree_map::BTreeMap, btree_set::BTreeSet};
use frame_support::{
	pallet_prelude::*,
	storage::{with_transaction, TransactionOutcome},
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
			return Err(Rejection::FeeAboveCap);
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
			if let alloc::collections::btree_map::Entry::Vacant(e) = markets.entry(intent.market) {
				e.insert(Markets::<T>::get(intent.market).ok_or(Rejection::Stale)?);
			}
			let market = &markets[&intent.market];
			let remaining: u128 = intent.remaining().into();
			let (give, want): (u128, u128) = (intent.give.into(), intent.want.into());
			let executed = fill.executed;
			if executed == 0 || executed > remaining || (!intent.partial && executed != remaining) {
				return Err(v(OverFill));
			}
			// It must still be open when the round settles, at `closes_at`.
			if intent.deadline <= closes_at {
				return Err(v(ExpiredIntent));
			}
			let fee = solution.fee.mul_floor(executed);
			let net = executed - fee;
			let out = price.proceeds(intent.side, net).ok_or(v(InvalidPrice))?;
			// The limit price: out / executed >= want / give, in exact integers.
			if U256::from(out) * U256::from(give) < U256::from(executed) * U256::from(want) {
				return Err(v(LimitPriceViolated));
			}
			// A partial fill executes the least input that buys its output: anything more
			// would only feed the solver's residue.
			if executed < remaining && net > 0 && price.proceeds(intent.side, net - 1) == Some(out) {
				return Err(v(OverFill));
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
			// Checked, not saturating: a saturated sum would hide a broken balance or let
			// an absurd score pin the round (nothing could beat it).
			let overflow = v(InvalidPrice);
			let surplus = match intent.side {
				Side::Sell => {
					flow.base_in = flow.base_in.checked_add(net).ok_or(overflow)?;
					flow.quote_out = flow.quote_out.checked_add(out).ok_or(overflow)?;
					surplus
				},
				Side::Buy => {
					flow.quote_in = flow.quote_in.checked_add(net).ok_or(overflow)?;
					flow.base_out = flow.base_out.checked_add(out).ok_or(overflow)?;
					price.proceeds(Side::Sell, surplus).ok_or(overflow)?
				},
			};
			execution.score = execution.score.checked_add(surplus).ok_or(overflow)?;
			execution.fills.push((fill.intent, executed, out));
		}
		Self::check_services(solution, closes_at, &mut execution)?;
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
		ensure!(!solution.fills.is_empty() || !solution.services.is_empty(), Error::<T>::EmptySolution);
		let market = solution.market().ok_or(Error::<T>::OneMarketPerSolution)?;
		ensure!(Self::bond_ok(&who), Error::<T>::SolverUnderBonded);
		let previous = Best::<T>::get(&market);
		if let Some(best) = &previous {
			ensure!(best.solution.round == round, Error::<T>::PreviousRoundPending);
		}
		match Self::check_solution(&solution) {
			Err(Rejection::Stale) => Err(Error::<T>::StaleSolution.into()),
			Err(Rejection::FeeAboveCap) => Err(Error::<T>::FeeAboveCap.into()),
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
				if let Some(best) = &previous {
					ensure!(execution.score > best.score, Error::<T>::NotBetter);
				}
				// It must settle as things stand: try it and roll everything back. A
				// solution whose transfers an asset refuses is turned away here, not left
				// to fail at the round's close.
				let trial = with_transaction(|| TransactionOutcome::Rollback(Self::execute(&who, &execution)));
				ensure!(trial.is_ok(), Error::<T>::WouldNotSettle);
				match previous {
					Some(best) => Self::release_best(&best.solver),
					None => {
						let (head, tail) = SettleQueueBounds::<T>::get();
						SettleQueue::<T>::insert(tail, &market);
						SettleQueueBounds::<T>::put((head, tail.wrapping_add(1)));
					},
				}
				SolverBests::<T>::mutate(&who, |n| n.saturating_inc());
				let fills = (solution.fills.len() + solution.services.len()) as u32;
				Best::<T>::insert(&market, BestSolution { solver: who.clone(), score: execution.score, solution });
				Self::deposit_event(Event::SolutionAccepted {
					round,
					market,
					solver: who,
					score: execution.score,
					fills,
				});
				Ok(())
			},
		}
	}

	/// `solver` holds one best solution fewer.
	pub(crate) fn release_best(solver: &T::AccountId) {
		SolverBests::<T>::mutate_exists(solver, |n| {
			*n = n.and_then(|n| n.checked_sub(1)).filter(|n| *n > 0);
		});
	}

	/// Settle `best` atomically: every fill moves, or nothing does. Runs in a storage
	/// layer; an error leaves no trace.
	pub(crate) fn settle(best: &BestSolutionOf<T>) -> DispatchResult {
		let execution = Self::check_solution(&best.solution).map_err(|_| Error::<T>::StaleSolution)?;
		Self::execute(&best.solver, &execution)
	}

	/// Move what a checked solution says: escrow to the settlement accounts, proceeds
	/// to the owners, fees and residue to `solver`; fill, close or turn into orders the
	/// intents. Not transactional by itself: callers run it in a storage layer.
	pub(crate) fn execute(solver: &T::AccountId, execution: &Execution) -> DispatchResult {
		// Per asset: taken in (executed, fees included) and paid out.
		let mut totals: BTreeMap<T::AssetKind, (u128, u128)> = BTreeMap::new();
		let mut moves = alloc::vec::Vec::with_capacity(execution.fills.len());
		for (id, executed, out) in execution.fills.iter().copied() {
			let intent = OpenIntents::<T>::get(id).ok_or(Error::<T>::UnknownIntent)?;
			let market = Markets::<T>::get(intent.market).ok_or(Error::<T>::UnknownMarket)?;
			let (give_asset, want_asset) = Self::assets_of(&market, intent.side);
			// A fill whose deadline passed while the round waited to settle (a stalled
			// relay clock) is not executed: the owner's limit had a time too.
			ensure!(intent.deadline > Self::now(), Error::<T>::StaleSolution);
			let account = Self::settlement_account(&give_asset);
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
			let account = Self::settlement_account(want_asset);
			T::Assets::transfer(want_asset.clone(), &account, &intent.owner, (*out).into(), Preservation::Preserve)?;
			let t = totals.entry(want_asset.clone()).or_default();
			t.1 = t.1.saturating_add(*out);
		}
		// The fees and the rounding residue go to the solver; what it cannot receive (below
		// the asset's minimum balance for a new account) stays with the settlement account.
		for (asset, (taken, paid)) in totals {
			let residue = taken.checked_sub(paid).ok_or(Error::<T>::Overflow)?;
			if residue > 0 {
				let account = Self::settlement_account(&asset);
				let _ = T::Assets::transfer(asset, &account, solver, residue.into(), Preservation::Preserve);
			}
		}
		Self::settle_services(execution)?;
		for (id, mut intent, _, executed, out) in moves {
			intent.given = intent.given.saturating_add(executed.into());
			intent.received = intent.received.saturating_add(out.into());
			Self::deposit_event(Event::IntentFilled { intent: id, executed: executed.into(), received: out.into() });
			if !intent.partial || intent.remaining().is_zero() {
				Self::close_intent(id, intent, CloseReason::Filled)?;
			} else {
				OpenIntents::<T>::insert(id, intent);
			}
		}
		Ok(())
	}
}
