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
	///   its open intents, and its `ChannelEscrow` hold the unclaimed deposits of its
	///   channels (nothing is lost or created);
	/// - its `StorageDeposit` hold equals the deposits of its intents, channels and markets;
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
		for (owner, ids) in IntentsOf::<T>::iter() {
			ensure!(intent_count.get(&owner).copied().unwrap_or(0) == ids.len() as u32, "IntentsOf out of sync");
		}
		ensure!(MarketIntents::<T>::iter().count() == OpenIntents::<T>::iter().count(), "MarketIntents out of sync");
		ensure!(Expiries::<T>::iter().count() == OpenIntents::<T>::iter().count(), "Expiries out of sync");
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
		for (who, amount) in deposits.iter() {
			let held: u128 =
				T::AssetHolds::balance_on_hold(T::NativeAsset::get(), &HoldReason::StorageDeposit.into(), who).into();
			ensure!(held == *amount, "storage deposit hold differs from records");
		}
		if let Some(best) = Best::<T>::get() {
			for fill in best.solution.fills.iter() {
				ensure!(OpenIntents::<T>::contains_key(fill.intent), "best solution names a closed intent");
			}
			ensure!(Solvers::<T>::contains_key(&best.solver), "best solution of an unregistered solver");
		}
		Ok(())
	}

	/// Every account's `IntentEscrow`, `ChannelEscrow` and `StorageDeposit` holds summed
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
		out.retain(|_, v| *v > 0);
		out
	}
}
