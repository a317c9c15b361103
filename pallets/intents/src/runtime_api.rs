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
	/// Valid, but an asset refuses one of its transfers now (a frozen or blocked
	/// account): a submission would be refused, unslashed.
	WouldNotSettle,
	/// It prices more than one market, or none: each market has its own auction.
	NotOneMarket,
	/// Its fee is above the governance cap: a submission would be refused, unslashed.
	FeeAboveCap,
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
		/// The current round, when it closes, how many markets wait to settle.
		fn round_info() -> RoundInfo<AccountId>;
		/// A market's best solution so far: its solver, score, round, and the fills or
		/// service matches.
		fn best_solution(market: MarketKey<AssetKind>) -> Option<(AccountId, u128, RoundIndex, Vec<Fill>, Vec<ServiceMatch>)>;
		/// Check a solution for the current round as `submit_solution` would, without
		/// slashing anyone.
		fn check_solution(
			fee: Permill,
			prices: Vec<ClearingPrice>,
			fills: Vec<Fill>,
			service_prices: Vec<ServicePrice<AssetKind>>,
			services: Vec<ServiceMatch>,
		) -> SolutionCheck;
		/// Up to `limit` (at most 256) open service offers and purchases of `class`, after
		/// `start_after` in storage order.
		fn service_intents(
			class: ServiceClass,
			start_after: Option<IntentId>,
			limit: u32,
		) -> Vec<(IntentId, Option<ServiceOffer<AccountId, AssetKind, Balance>>, Option<ServicePurchase<AccountId, AssetKind, Balance>>)>;
		/// Whether `device` passes `filter` now.
		fn device_passes(device: machina_primitives::DeviceId, filter: DeviceFilter) -> bool;
		/// A service order by id.
		fn order(order: OrderId) -> Option<Order<AccountId, AssetKind, Balance>>;
		/// The bytes a device signs to say it delivered `units` of `order`.
		fn receipt_payload(order: OrderId, units: u32, content: sp_core::H256) -> Vec<u8>;
		/// A payment channel by id.
		fn channel(channel: ChannelId) -> Option<Channel<AccountId, AssetKind, Balance>>;
		/// The bytes a payer signs to owe `cumulative` in all on `channel`.
		fn voucher_payload(channel: ChannelId, cumulative: u128) -> Vec<u8>;
		/// The fee sponsorship of a device account (its operational key's), if any.
		fn sponsorship(account: AccountId) -> Option<Sponsorship<AccountId, Balance>>;
		/// The account `sponsor`'s pot is kept in: fund it with `fund_sponsor_pot`.
		fn sponsor_pot(sponsor: AccountId) -> AccountId;
		/// The bytes `device`'s operational key signs to accept `sponsor`.
		fn sponsor_consent_payload(device: machina_primitives::DeviceId, sponsor: AccountId) -> Vec<u8>;
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

	pub fn service_intents(
		class: ServiceClass,
		start_after: Option<IntentId>,
		limit: u32,
	) -> Vec<(IntentId, Option<crate::OfferOf<T>>, Option<crate::PurchaseOf<T>>)> {
		let limit = limit.min(MAX_INTENTS_PAGE) as usize;
		let ids: Vec<IntentId> = match start_after {
			None => crate::ServiceIntents::<T>::iter_key_prefix(class).take(limit).collect(),
			Some(after) => crate::ServiceIntents::<T>::iter_key_prefix_from(
				class,
				crate::ServiceIntents::<T>::hashed_key_for(class, after),
			)
			.take(limit)
			.collect(),
		};
		ids.into_iter().map(|id| (id, crate::Offers::<T>::get(id), crate::Purchases::<T>::get(id))).collect()
	}

	pub fn round_info() -> RoundInfo<T::AccountId> {
		let now = Self::now();
		let round = Self::round_at(now);
		RoundInfo {
			round,
			closes_at: Self::round_end(round),
			now,
			queued: {
				let (head, tail) = crate::SettleQueueBounds::<T>::get();
				tail.wrapping_sub(head)
			},
			solvers: crate::Solvers::<T>::count(),
			_account: Default::default(),
			fee_cap: crate::SolverFeeCap::<T>::get(),
		}
	}

	pub fn best_solution(
		market: crate::MarketKeyOf<T>,
	) -> Option<(T::AccountId, u128, RoundIndex, Vec<Fill>, Vec<ServiceMatch>)> {
		crate::Best::<T>::get(market).map(|b| {
			(b.solver, b.score, b.solution.round, b.solution.fills.into_inner(), b.solution.services.into_inner())
		})
	}

	pub fn dry_run(
		fee: Permill,
		prices: Vec<ClearingPrice>,
		fills: Vec<Fill>,
		service_prices: Vec<ServicePrice<T::AssetKind>>,
		services: Vec<ServiceMatch>,
	) -> SolutionCheck {
		let (Ok(prices), Ok(fills), Ok(service_prices), Ok(services)) =
			(prices.try_into(), fills.try_into(), service_prices.try_into(), services.try_into())
		else {
			return SolutionCheck::TooLarge;
		};
		let solution = Solution { round: Self::round_at(Self::now()), fee, prices, fills, service_prices, services };
		if solution.market().is_none() {
			return SolutionCheck::NotOneMarket;
		}
		match Self::check_solution(&solution) {
			Ok(execution) => {
				let trial = frame_support::storage::with_transaction(|| {
					frame_support::storage::TransactionOutcome::Rollback(Self::execute(
						&Self::settlement_account(&<T::NativeAsset as frame_support::traits::Get<_>>::get()),
						&execution,
					))
				});
				if trial.is_err() {
					return SolutionCheck::WouldNotSettle;
				}
				SolutionCheck::Valid { score: execution.score, fills: execution.fills }
			},
			Err(Rejection::Stale) => SolutionCheck::Stale,
			Err(Rejection::FeeAboveCap) => SolutionCheck::FeeAboveCap,
			Err(Rejection::Violation(v)) => SolutionCheck::Invalid(v),
		}
	}
}
