//! What clients and solvers ask of the intents pallet: open intents of a market (paged),
//! the round, the best solution so far, a dry run of a solution, and channel state.

use crate::types::*;
use alloc::vec::Vec;
use codec::{Decode, Encode};
use scale_info::TypeInfo;
use sp_runtime::Permill;

/// What a dry run of a solution found (runtime API; nothing is slashed).
#[derive(Clone, Encode, Decode, TypeInfo, Debug, PartialEq, Eq)]
pub enum SolutionCheck {
	/// Valid: its score and, per fill, (intent, executed, received).
	Valid { score: u128, fills: Vec<(IntentId, u128, u128)> },
	/// An intent it names is no longer open.
	Stale,
	/// It breaks a rule (a submission would be slashed).
	Invalid(Violation),
	/// More fills or markets than a solution may have.
	TooLarge,
}

sp_api::decl_runtime_apis! {
	/// Intents queries.
	pub trait IntentsApi<AccountId, AssetKind, Balance>
	where
		AccountId: codec::Codec,
		AssetKind: codec::Codec,
		Balance: codec::Codec,
	{
		/// A market by id.
		fn market(market: MarketId) -> Option<Market<AccountId, AssetKind, Balance>>;
		/// The market of `(base, quote)`, in that order.
		fn market_of(base: AssetKind, quote: AssetKind) -> Option<MarketId>;
		/// Up to `limit` (at most 256) open intents of `market`, after the intent
		/// `start_after` in storage order (`None`: from the start). Page with the last id
		/// returned.
		fn open_intents(market: MarketId, start_after: Option<IntentId>, limit: u32) -> Vec<(IntentId, Intent<AccountId, Balance>)>;
		/// The current round, when it closes, the best solution's solver and score.
		fn round_info() -> RoundInfo<AccountId>;
		/// The best solution so far: its solver, score, prices and fills.
		fn best_solution() -> Option<(AccountId, u128, Vec<ClearingPrice>, Vec<Fill>)>;
		/// Check a solution for the current round as `submit_solution` would, without
		/// slashing anyone.
		fn check_solution(fee: Permill, prices: Vec<ClearingPrice>, fills: Vec<Fill>) -> SolutionCheck;
		/// A payment channel by id.
		fn channel(channel: ChannelId) -> Option<Channel<AccountId, AssetKind, Balance>>;
		/// The bytes a payer signs to owe `cumulative` in all on `channel`.
		fn voucher_payload(channel: ChannelId, cumulative: u128) -> Vec<u8>;
	}
}

/// The most intents one `open_intents` call returns.
pub const MAX_INTENTS_PAGE: u32 = 256;

impl<T: crate::Config> crate::Pallet<T> {
	pub fn open_intents(
		market: MarketId,
		start_after: Option<IntentId>,
		limit: u32,
	) -> Vec<(IntentId, crate::IntentOf<T>)> {
		let limit = limit.min(MAX_INTENTS_PAGE) as usize;
		let ids: Vec<IntentId> = match start_after {
			None => crate::MarketIntents::<T>::iter_key_prefix(market).take(limit).collect(),
			Some(after) => crate::MarketIntents::<T>::iter_key_prefix_from(
				market,
				crate::MarketIntents::<T>::hashed_key_for(market, after),
			)
			.take(limit)
			.collect(),
		};
		ids.into_iter().filter_map(|id| crate::OpenIntents::<T>::get(id).map(|i| (id, i))).collect()
	}

	pub fn round_info() -> RoundInfo<T::AccountId> {
		let now = Self::now();
		let round = Self::round_at(now);
		RoundInfo {
			round,
			closes_at: Self::round_end(round),
			now,
			best: crate::Best::<T>::get().map(|b| (b.solver, b.score)),
			fee_cap: crate::SolverFeeCap::<T>::get(),
		}
	}

	pub fn best_solution() -> Option<(T::AccountId, u128, Vec<ClearingPrice>, Vec<Fill>)> {
		crate::Best::<T>::get()
			.map(|b| (b.solver, b.score, b.solution.prices.into_inner(), b.solution.fills.into_inner()))
	}

	pub fn dry_run(fee: Permill, prices: Vec<ClearingPrice>, fills: Vec<Fill>) -> SolutionCheck {
		let (Ok(prices), Ok(fills)) = (prices.try_into(), fills.try_into()) else {
			return SolutionCheck::TooLarge;
		};
		let solution = Solution { round: Self::round_at(Self::now()), fee, prices, fills };
		match Self::check_solution(&solution) {
			Ok(execution) => SolutionCheck::Valid { score: execution.score, fills: execution.fills },
			Err(Rejection::Stale) => SolutionCheck::Stale,
			Err(Rejection::Violation(v)) => SolutionCheck::Invalid(v),
		}
	}
}
