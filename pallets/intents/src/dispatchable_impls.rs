//! Markets, intents and solvers.

use crate::*;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{
		fungibles::{Inspect, Mutate, MutateHold},
		tokens::{Fortitude, Precision, Preservation},
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use machina_primitives::{BondManager, BondPurpose, CommitmentId};
use sp_runtime::traits::{AccountIdConversion, BlockNumberProvider, Saturating, Zero};

/// The commitment a registered solver's bond backs.
pub fn solver_commitment() -> CommitmentId {
	sp_io::hashing::blake2_256(b"machina/intents/solver").into()
}

impl<T: Config> Pallet<T> {
	/// The clock now.
	pub fn now() -> Moment {
		T::Clock::current_block_number()
	}

	/// The round `at` falls in.
	pub fn round_at(at: Moment) -> RoundIndex {
		at / T::RoundLength::get().max(1)
	}

	/// The first clock instant after `round`.
	pub fn round_end(round: RoundIndex) -> Moment {
		round.saturating_add(1).saturating_mul(T::RoundLength::get().max(1))
	}

	/// The account batches settle `asset` through, one per asset: each non-sufficient
	/// asset costs its holder a consumer reference, and one account could hold only a
	/// handful. It holds the native existential deposit and the asset's minimum balance
	/// (paid by the asset's first market), plus rounding residue it could not pay out.
	pub fn settlement_account(asset: &T::AssetKind) -> T::AccountId {
		T::PalletId::get().into_sub_account_truncating(asset)
	}

	/// The chain's genesis hash (what vouchers bind).
	pub fn genesis_hash() -> sp_core::H256 {
		let hash = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
		sp_core::H256::from_slice(hash.as_ref())
	}

	/// (what it gives, what it receives) for an intent on `side` of `market`.
	pub fn assets_of(market: &MarketOf<T>, side: Side) -> (T::AssetKind, T::AssetKind) {
		match side {
			Side::Sell => (market.base.clone(), market.quote.clone()),
			Side::Buy => (market.quote.clone(), market.base.clone()),
		}
	}

	pub(crate) fn hold_deposit(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		if amount.is_zero() {
			return Ok(());
		}
		T::AssetHolds::hold(T::NativeAsset::get(), &HoldReason::StorageDeposit.into(), who, amount)
	}

	pub(crate) fn release_deposit(who: &T::AccountId, amount: BalanceOf<T>) {
		if amount.is_zero() {
			return;
		}
		// Held by this pallet under its own reason: releasing it cannot fail.
		let released = T::AssetHolds::release(
			T::NativeAsset::get(),
			&HoldReason::StorageDeposit.into(),
			who,
			amount,
			Precision::BestEffort,
		);
		debug_assert_eq!(released.ok(), Some(amount), "storage deposit missing");
	}

	pub(crate) fn do_create_market(who: T::AccountId, base: T::AssetKind, quote: T::AssetKind) -> DispatchResult {
		ensure!(base != quote, Error::<T>::SameAsset);
		ensure!(
			!MarketOfPair::<T>::contains_key(&base, &quote) && !MarketOfPair::<T>::contains_key(&quote, &base),
			Error::<T>::MarketExists
		);
		ensure!(Markets::<T>::count() < T::MaxMarkets::get(), Error::<T>::TooManyMarkets);
		// The settlement account must exist in each asset before batches of any size pass
		// through it (a non-sufficient asset also needs it to hold the native token).
		for traded in [base.clone(), quote.clone()] {
			let account = Self::settlement_account(&traded);
			let native = T::NativeAsset::get();
			for asset in [native.clone(), traded.clone()] {
				let min = T::Assets::minimum_balance(asset.clone());
				let has = T::Assets::balance(asset.clone(), &account);
				if has < min {
					T::Assets::transfer(
						asset.clone(),
						&who,
						&account,
						min.saturating_sub(has),
						Preservation::Preserve,
					)?;
				}
				if asset == native && traded == native {
					break;
				}
			}
		}
		let deposit = T::MarketDeposit::get();
		Self::hold_deposit(&who, deposit)?;
		let id = NextMarketId::<T>::get();
		NextMarketId::<T>::put(id.checked_add(1).ok_or(Error::<T>::Overflow)?);
		MarketOfPair::<T>::insert(&base, &quote, id);
		Markets::<T>::insert(
			id,
			Market { base: base.clone(), quote: quote.clone(), creator: who.clone(), deposit, open_intents: 0 },
		);
		Self::deposit_event(Event::MarketCreated { market: id, base, quote, creator: who });
		Ok(())
	}

	pub(crate) fn do_remove_market(id: MarketId) -> DispatchResult {
		let market = Markets::<T>::get(id).ok_or(Error::<T>::UnknownMarket)?;
		ensure!(market.open_intents == 0, Error::<T>::MarketNotEmpty);
		Markets::<T>::remove(id);
		MarketOfPair::<T>::remove(&market.base, &market.quote);
		Self::release_deposit(&market.creator, market.deposit);
		Self::deposit_event(Event::MarketRemoved { market: id });
		Ok(())
	}

	pub(crate) fn do_submit_intent(
		who: T::AccountId,
		market_id: MarketId,
		side: Side,
		give: BalanceOf<T>,
		want: BalanceOf<T>,
		partial: bool,
		deadline: Moment,
	) -> DispatchResult {
		ensure!(!give.is_zero() && !want.is_zero(), Error::<T>::ZeroAmount);
		let now = Self::now();
		ensure!(deadline > now && deadline <= now.saturating_add(T::MaxIntentLifetime::get()), Error::<T>::BadDeadline);
		let mut market = Markets::<T>::get(market_id).ok_or(Error::<T>::UnknownMarket)?;
		let id = NextIntentId::<T>::get();
		IntentsOf::<T>::try_mutate(&who, |ids| ids.try_push(id)).map_err(|_| Error::<T>::TooManyIntents)?;
		let (give_asset, _) = Self::assets_of(&market, side);
		T::AssetHolds::hold(give_asset, &HoldReason::IntentEscrow.into(), &who, give)?;
		let deposit = T::IntentDeposit::get();
		Self::hold_deposit(&who, deposit)?;
		NextIntentId::<T>::put(id.checked_add(1).ok_or(Error::<T>::Overflow)?);
		market.open_intents = market.open_intents.saturating_add(1);
		Markets::<T>::insert(market_id, market);
		OpenIntents::<T>::insert(
			id,
			Intent {
				owner: who.clone(),
				market: market_id,
				side,
				give,
				want,
				given: Zero::zero(),
				received: Zero::zero(),
				partial,
				deadline,
				deposit,
			},
		);
		MarketIntents::<T>::insert(market_id, id, ());
		Expiries::<T>::insert(deadline, id, ());
		Self::deposit_event(Event::IntentSubmitted {
			intent: id,
			owner: who,
			market: market_id,
			side,
			give,
			want,
			deadline,
		});
		Ok(())
	}

	/// Whether its market's best solution names `intent` (a fill or a service match).
	pub fn in_best(intent: IntentId) -> bool {
		let market = if let Some(i) = OpenIntents::<T>::get(intent) {
			MarketKey::Swap(i.market)
		} else if let Some(o) = Offers::<T>::get(intent) {
			MarketKey::Service(o.class, o.asset)
		} else if let Some(p) = Purchases::<T>::get(intent) {
			MarketKey::Service(p.class, p.asset)
		} else {
			return false;
		};
		Best::<T>::get(market).is_some_and(|best| {
			best.solution.fills.iter().any(|f| f.intent == intent)
				|| best.solution.services.iter().any(|m| m.purchase == intent || m.offer == intent)
		})
	}

	pub(crate) fn do_cancel_intent(who: T::AccountId, id: IntentId) -> DispatchResult {
		let (owner, _) = Self::owner_and_deadline(id).ok_or(Error::<T>::UnknownIntent)?;
		ensure!(owner == who, Error::<T>::NotOwner);
		ensure!(!Self::in_best(id), Error::<T>::IntentInAuction);
		Self::close_any(id, CloseReason::Cancelled)
	}

	pub(crate) fn do_expire_intent(id: IntentId) -> DispatchResult {
		let (_, deadline) = Self::owner_and_deadline(id).ok_or(Error::<T>::UnknownIntent)?;
		// An intent in the best solution has a deadline after the round closes, and the
		// round settles before any expiry: it is never expired from under a settlement.
		ensure!(Self::now() >= deadline, Error::<T>::NotExpired);
		Self::close_any(id, CloseReason::Expired)
	}

	/// Remove an intent, refund what it still escrows and its deposit.
	/// Fails, changing nothing, if the escrow cannot be released (an asset's issuer
	/// blocked the owner): the record stays, so the hold is never orphaned.
	pub(crate) fn close_intent(id: IntentId, intent: IntentOf<T>, reason: CloseReason) -> DispatchResult {
		let remaining = intent.remaining();
		let mut refunded = Zero::zero();
		if let Some(mut market) = Markets::<T>::get(intent.market) {
			let (give_asset, _) = Self::assets_of(&market, intent.side);
			if !remaining.is_zero() {
				refunded = T::AssetHolds::release(
					give_asset,
					&HoldReason::IntentEscrow.into(),
					&intent.owner,
					remaining,
					Precision::Exact,
				)?;
			}
			market.open_intents = market.open_intents.saturating_sub(1);
			Markets::<T>::insert(intent.market, market);
		}
		Self::release_deposit(&intent.owner, intent.deposit);
		OpenIntents::<T>::remove(id);
		IntentsOf::<T>::mutate_exists(&intent.owner, |ids| {
			if let Some(list) = ids {
				list.retain(|i| *i != id);
				if list.is_empty() {
					*ids = None;
				}
			}
		});
		MarketIntents::<T>::remove(intent.market, id);
		Expiries::<T>::remove(intent.deadline, id);
		Self::deposit_event(Event::IntentClosed { intent: id, reason, refunded });
		Ok(())
	}

	pub(crate) fn do_register_solver(who: T::AccountId) -> DispatchResult {
		ensure!(!Solvers::<T>::contains_key(&who), Error::<T>::AlreadySolver);
		ensure!(Solvers::<T>::count() < T::MaxSolvers::get(), Error::<T>::TooManySolvers);
		T::Bonds::require_bond(&who, BondPurpose::Solver, solver_commitment(), T::SolverBond::get())?;
		Solvers::<T>::insert(&who, Self::round_at(Self::now()));
		Self::deposit_event(Event::SolverRegistered { solver: who });
		Ok(())
	}

	pub(crate) fn do_unregister_solver(who: T::AccountId) -> DispatchResult {
		ensure!(Solvers::<T>::contains_key(&who), Error::<T>::NotSolver);
		ensure!(SolverBests::<T>::get(&who) == 0, Error::<T>::SolverInAuction);
		T::Bonds::release_and_unbond(&who, solver_commitment())?;
		Solvers::<T>::remove(&who);
		Self::deposit_event(Event::SolverUnregistered { solver: who });
		Ok(())
	}

	/// Move `amount` of `asset` held from `from` to `to`'s free balance.
	pub(crate) fn pay_from_hold(
		asset: T::AssetKind,
		reason: HoldReason,
		from: &T::AccountId,
		to: &T::AccountId,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		T::AssetHolds::transfer_on_hold(
			asset,
			&reason.into(),
			from,
			to,
			amount,
			Precision::Exact,
			frame_support::traits::tokens::Restriction::Free,
			// Held funds are owed: a freeze on the free balance must not block them.
			Fortitude::Force,
		)
		.map(|_| ())
	}
}

impl<T: Config> Pallet<T> {
	/// An open intent.
	pub fn get_intent(id: IntentId) -> Option<IntentOf<T>> {
		OpenIntents::<T>::get(id)
	}

	/// Whether `solver` is registered and its commitment fully backed (it may submit).
	pub fn bond_ok(solver: &T::AccountId) -> bool {
		Solvers::<T>::contains_key(solver)
			&& <T::Bonds as BondManager<_, _>>::commitment(solver, solver_commitment())
				.is_some_and(|c| c.shortfall().is_zero())
	}
}
