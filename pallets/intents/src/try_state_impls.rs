//! Invariants: every held unit has a record, and every record is held.

use crate::*;
use alloc::collections::btree_map::BTreeMap;
use frame_support::{
	ensure,
	traits::{fungibles::InspectHold, Get},
};
use sp_runtime::{traits::Saturating, TryRuntimeError};

impl<T: Config> Pallet<T> {
	/// Check the pallet's invariants:
	/// - each account's `IntentEscrow` hold of each asset equals the remaining escrow of
	///   its open intents and purchases, its `OrderEscrow` hold the value of its open
	///   orders, and its `ChannelEscrow` hold the unclaimed deposits of its channels
	///   (nothing is lost or created);
	/// - its `StorageDeposit` hold equals the deposits of its intents, channels, markets and
	///   sponsorships; every sponsored account is kept alive by a sufficient reference;
	/// - the indexes (`IntentsOf`, `MarketIntents`, `Expiries`, `ChannelsOf`, market
	///   counters) agree with the records;
	/// - the round's best solution names open intents only.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let mut escrow: BTreeMap<(T::AccountId, T::AssetKind), u128> = BTreeMap::new();
		let mut channel_escrow: BTreeMap<(T::AccountId, T::AssetKind), u128> = BTreeMap::new();
		let mut deposits: BTreeMap<T::AccountId, u128> = BTreeMap::new();
		let mut per_market: BTreeMap<MarketId, u32> = BTreeMap::new();
		let mut intent_count: BTreeMap<T::AccountId, u32> = BTreeMap::new();
		for (id, intent) in OpenIntents::<T>::iter() {
			let market = Markets::<T>::get(intent.market).ok_or("intent of an unknown market")?;
			ensure!(intent.given <= intent.give, "intent over-executed");
			let (give_asset, _) = Self::assets_of(&market, intent.side);
			*escrow.entry((intent.owner.clone(), give_asset)).or_default() += intent.remaining().into();
			*deposits.entry(intent.owner.clone()).or_default() += intent.deposit.into();
			*per_market.entry(intent.market).or_default() += 1;
			*intent_count.entry(intent.owner.clone()).or_default() += 1;
			ensure!(IntentsOf::<T>::get(&intent.owner).contains(&id), "intent missing from IntentsOf");
			ensure!(MarketIntents::<T>::contains_key(intent.market, id), "intent missing from MarketIntents");
			ensure!(Expiries::<T>::contains_key(intent.deadline, id), "intent missing from Expiries");
		}
		let mut order_escrow: BTreeMap<(T::AccountId, T::AssetKind), u128> = BTreeMap::new();
		for (id, offer) in Offers::<T>::iter() {
			ensure!(offer.sold < offer.units, "a sold-out offer is open");
			*deposits.entry(offer.owner.clone()).or_default() += offer.deposit.into();
			*intent_count.entry(offer.owner.clone()).or_default() += 1;
			ensure!(IntentsOf::<T>::get(&offer.owner).contains(&id), "offer missing from IntentsOf");
			ensure!(ServiceIntents::<T>::contains_key(offer.class, id), "offer missing from ServiceIntents");
			ensure!(Expiries::<T>::contains_key(offer.deadline, id), "offer missing from Expiries");
		}
		for (id, purchase) in Purchases::<T>::iter() {
			ensure!(purchase.bought < purchase.units, "a bought-out purchase is open");
			let left = Self::times(purchase.max_price, purchase.units - purchase.bought).map_err(|_| "overflow")?;
			*escrow.entry((purchase.owner.clone(), purchase.asset.clone())).or_default() += left.into();
			*deposits.entry(purchase.owner.clone()).or_default() += purchase.deposit.into();
			*intent_count.entry(purchase.owner.clone()).or_default() += 1;
			ensure!(PurchaseOrders::<T>::get(id) <= T::MaxOrdersPerPurchase::get(), "a purchase made too many orders");
			ensure!(IntentsOf::<T>::get(&purchase.owner).contains(&id), "purchase missing from IntentsOf");
			ensure!(ServiceIntents::<T>::contains_key(purchase.class, id), "purchase missing from ServiceIntents");
			ensure!(Expiries::<T>::contains_key(purchase.deadline, id), "purchase missing from Expiries");
		}
		for (id, order) in Orders::<T>::iter() {
			let value = Self::times(order.price, order.units).map_err(|_| "overflow")?;
			*order_escrow.entry((order.buyer.clone(), order.asset.clone())).or_default() += value.into();
			*deposits.entry(order.buyer.clone()).or_default() +=
				OrderDeposits::<T>::get(id).saturating_add(order.dispute_deposit).into();
		}
		ensure!(OrderDeposits::<T>::iter().count() == Orders::<T>::iter().count(), "OrderDeposits out of sync");
		for (id, _) in DisputeRulings::<T>::iter() {
			ensure!(
				Orders::<T>::get(id).is_some_and(|o| matches!(o.status, OrderStatus::Disputed { .. })),
				"a ruling is recorded for an order that is not disputed"
			);
		}
		let services = Offers::<T>::iter().count() + Purchases::<T>::iter().count();
		ensure!(ServiceIntents::<T>::iter().count() == services, "ServiceIntents out of sync");
		for (owner, ids) in IntentsOf::<T>::iter() {
			ensure!(intent_count.get(&owner).copied().unwrap_or(0) == ids.len() as u32, "IntentsOf out of sync");
		}
		ensure!(MarketIntents::<T>::iter().count() == OpenIntents::<T>::iter().count(), "MarketIntents out of sync");
		ensure!(Expiries::<T>::iter().count() == OpenIntents::<T>::iter().count() + services, "Expiries out of sync");
		for (id, market) in Markets::<T>::iter() {
			ensure!(per_market.get(&id).copied().unwrap_or(0) == market.open_intents, "market counter out of sync");
			*deposits.entry(market.creator.clone()).or_default() += market.deposit.into();
		}
		let mut channels_of: BTreeMap<T::AccountId, u32> = BTreeMap::new();
		for (id, channel) in Channels::<T>::iter() {
			ensure!(channel.claimed <= channel.deposit, "channel over-claimed");
			*channel_escrow.entry((channel.payer.clone(), channel.asset.clone())).or_default() +=
				channel.deposit.saturating_sub(channel.claimed).into();
			*deposits.entry(channel.payer.clone()).or_default() += channel.storage_deposit.into();
			*channels_of.entry(channel.payer.clone()).or_default() += 1;
			ensure!(ChannelsOf::<T>::get(&channel.payer).contains(&id), "channel missing from ChannelsOf");
		}
		for (payer, ids) in ChannelsOf::<T>::iter() {
			ensure!(channels_of.get(&payer).copied().unwrap_or(0) == ids.len() as u32, "ChannelsOf out of sync");
		}
		for (account, sponsorship) in Sponsorships::<T>::iter() {
			*deposits.entry(sponsorship.sponsor.clone()).or_default() += sponsorship.deposit.into();
			ensure!(SponsoredAccountRefs::<T>::contains_key(&account), "sponsored account not kept alive");
			ensure!(sponsorship.period_start <= Self::now(), "sponsorship period starts in the future");
		}
		for (account, ()) in SponsoredAccountRefs::<T>::iter() {
			ensure!(frame_system::Pallet::<T>::sufficients(&account) > 0, "kept account has no sufficient reference");
			// Kept without a sponsorship only to keep a used nonce.
			ensure!(
				Sponsorships::<T>::contains_key(&account)
					|| !sp_runtime::traits::Zero::is_zero(&frame_system::Pallet::<T>::account_nonce(&account)),
				"an unused account kept without a sponsorship"
			);
		}
		// Holds: exactly what the records say, for every account that has a record.
		for ((who, asset), amount) in escrow.iter() {
			let held: u128 =
				T::AssetHolds::balance_on_hold(asset.clone(), &HoldReason::IntentEscrow.into(), who).into();
			ensure!(held == *amount, "intent escrow hold differs from open intents");
		}
		for ((who, asset), amount) in channel_escrow.iter() {
			let held: u128 =
				T::AssetHolds::balance_on_hold(asset.clone(), &HoldReason::ChannelEscrow.into(), who).into();
			ensure!(held == *amount, "channel escrow hold differs from open channels");
		}
		for ((who, asset), amount) in order_escrow.iter() {
			let held: u128 = T::AssetHolds::balance_on_hold(asset.clone(), &HoldReason::OrderEscrow.into(), who).into();
			ensure!(held == *amount, "order escrow hold differs from open orders");
		}
		for (who, amount) in deposits.iter() {
			let held: u128 =
				T::AssetHolds::balance_on_hold(T::NativeAsset::get(), &HoldReason::StorageDeposit.into(), who).into();
			ensure!(held == *amount, "storage deposit hold differs from records");
		}
		let (head, tail) = SettleQueueBounds::<T>::get();
		let queued: alloc::vec::Vec<MarketKeyOf<T>> =
			(0..tail.wrapping_sub(head)).filter_map(|i| SettleQueue::<T>::get(head.wrapping_add(i))).collect();
		ensure!(SettleQueue::<T>::iter().count() == queued.len(), "SettleQueue entries outside its bounds");
		let mut bests_of: BTreeMap<T::AccountId, u32> = BTreeMap::new();
		for (market, best) in Best::<T>::iter() {
			ensure!(queued.contains(&market), "a best solution is not queued to settle");
			ensure!(best.solution.market() == Some(market), "a best solution of another market");
			*bests_of.entry(best.solver.clone()).or_default() += 1;
			for fill in best.solution.fills.iter() {
				ensure!(OpenIntents::<T>::contains_key(fill.intent), "best solution names a closed intent");
			}
			for m in best.solution.services.iter() {
				ensure!(
					Purchases::<T>::contains_key(m.purchase) && Offers::<T>::contains_key(m.offer),
					"best solution names a closed service intent"
				);
			}
			ensure!(Solvers::<T>::contains_key(&best.solver), "best solution of an unregistered solver");
		}
		for (solver, n) in SolverBests::<T>::iter() {
			ensure!(bests_of.get(&solver).copied().unwrap_or(0) == n, "SolverBests out of sync");
		}
		ensure!(bests_of.len() == SolverBests::<T>::iter().count(), "SolverBests out of sync");
		Ok(())
	}

	/// Every account's `IntentEscrow` (0), `ChannelEscrow` (1), `StorageDeposit` (2) and
	/// `OrderEscrow` (3) holds summed
	/// per asset, as recorded by this pallet (for tests that compare them with the
	/// asset pallets' own books).
	pub fn recorded_holds() -> BTreeMap<(T::AssetKind, u8), u128> {
		let mut out: BTreeMap<(T::AssetKind, u8), u128> = BTreeMap::new();
		for (_, intent) in OpenIntents::<T>::iter() {
			if let Some(market) = Markets::<T>::get(intent.market) {
				let (asset, _) = Self::assets_of(&market, intent.side);
				*out.entry((asset, 0)).or_default() += intent.remaining().into();
			}
			*out.entry((T::NativeAsset::get(), 2)).or_default() += intent.deposit.into();
		}
		for (_, channel) in Channels::<T>::iter() {
			*out.entry((channel.asset.clone(), 1)).or_default() +=
				channel.deposit.saturating_sub(channel.claimed).into();
			*out.entry((T::NativeAsset::get(), 2)).or_default() += channel.storage_deposit.into();
		}
		for (_, market) in Markets::<T>::iter() {
			*out.entry((T::NativeAsset::get(), 2)).or_default() += market.deposit.into();
		}
		for (_, offer) in Offers::<T>::iter() {
			*out.entry((T::NativeAsset::get(), 2)).or_default() += offer.deposit.into();
		}
		for (_, p) in Purchases::<T>::iter() {
			let left: u128 = Self::times(p.max_price, p.units.saturating_sub(p.bought)).unwrap_or_default().into();
			*out.entry((p.asset.clone(), 0)).or_default() += left;
			*out.entry((T::NativeAsset::get(), 2)).or_default() += p.deposit.into();
		}
		for (id, o) in Orders::<T>::iter() {
			*out.entry((o.asset.clone(), 3)).or_default() += Self::times(o.price, o.units).unwrap_or_default().into();
			*out.entry((T::NativeAsset::get(), 2)).or_default() +=
				OrderDeposits::<T>::get(id).saturating_add(o.dispute_deposit).into();
		}
		for (_, sponsorship) in Sponsorships::<T>::iter() {
			*out.entry((T::NativeAsset::get(), 2)).or_default() += sponsorship.deposit.into();
		}
		out.retain(|_, v| *v > 0);
		out
	}
}
