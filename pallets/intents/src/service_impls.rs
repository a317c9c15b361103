//! Service intents: devices' offers, buyers' purchases, the orders a solution makes of
//! them, and delivery: receipts, acceptance, disputes, and the SLA when delivery fails.

use crate::*;
use alloc::collections::btree_map::BTreeMap;
use codec::Encode;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{
		fungibles::{Inspect, MutateHold},
		tokens::Precision,
	},
};
use machina_primitives::{
	BondPurpose, BondSlasher, DeviceId, DeviceInspect, InsuranceFund, Offence, OffenceKind, SlashTarget, UptimeInspect,
};
use sp_runtime::traits::{Saturating, Zero};

impl<T: Config> Pallet<T> {
	pub(crate) fn check_deadline(deadline: Moment) -> DispatchResult {
		let now = Self::now();
		ensure!(deadline > now && deadline <= now.saturating_add(T::MaxIntentLifetime::get()), Error::<T>::BadDeadline);
		Ok(())
	}

	/// `amount` times `units`, or `Overflow`.
	pub(crate) fn times(amount: BalanceOf<T>, units: u32) -> Result<BalanceOf<T>, Error<T>> {
		let total: u128 = amount.into();
		total.checked_mul(units as u128).map(Into::into).ok_or(Error::<T>::Overflow)
	}

	pub(crate) fn do_offer_service(
		who: T::AccountId,
		device: DeviceId,
		class: ServiceClass,
		asset: T::AssetKind,
		units: u32,
		min_price: BalanceOf<T>,
		deadline: Moment,
	) -> DispatchResult {
		ensure!(units > 0 && !min_price.is_zero(), Error::<T>::ZeroUnits);
		ensure!(
			T::Devices::owner(&device).as_ref() == Some(&who) && T::Devices::is_active(&device),
			Error::<T>::NotDeviceOwner
		);
		Self::check_deadline(deadline)?;
		Self::times(min_price, units)?;
		let id = NextIntentId::<T>::get();
		IntentsOf::<T>::try_mutate(&who, |ids| ids.try_push(id)).map_err(|_| Error::<T>::TooManyIntents)?;
		let deposit = T::IntentDeposit::get();
		Self::hold_deposit(&who, deposit)?;
		NextIntentId::<T>::put(id.checked_add(1).ok_or(Error::<T>::Overflow)?);
		Offers::<T>::insert(
			id,
			ServiceOffer { owner: who.clone(), device, class, asset, units, sold: 0, min_price, deadline, deposit },
		);
		ServiceIntents::<T>::insert(class, id, ());
		Expiries::<T>::insert(deadline, id, ());
		Self::deposit_event(Event::ServiceOffered { intent: id, owner: who, device, class, units, min_price });
		Ok(())
	}

	pub(crate) fn do_purchase_service(
		who: T::AccountId,
		class: ServiceClass,
		asset: T::AssetKind,
		units: u32,
		max_price: BalanceOf<T>,
		filter: DeviceFilter,
		partial: bool,
		deadline: Moment,
	) -> DispatchResult {
		ensure!(units > 0 && !max_price.is_zero(), Error::<T>::ZeroUnits);
		Self::check_deadline(deadline)?;
		let escrow = Self::times(max_price, units)?;
		let id = NextIntentId::<T>::get();
		IntentsOf::<T>::try_mutate(&who, |ids| ids.try_push(id)).map_err(|_| Error::<T>::TooManyIntents)?;
		T::AssetHolds::hold(asset.clone(), &HoldReason::IntentEscrow.into(), &who, escrow)?;
		// The purchase's record and every order it may create.
		let deposit = T::IntentDeposit::get()
			.saturating_add(Self::times(T::OrderDeposit::get(), T::MaxOrdersPerPurchase::get())?);
		Self::hold_deposit(&who, deposit)?;
		NextIntentId::<T>::put(id.checked_add(1).ok_or(Error::<T>::Overflow)?);
		Purchases::<T>::insert(
			id,
			ServicePurchase {
				owner: who.clone(),
				class,
				asset,
				units,
				bought: 0,
				max_price,
				filter,
				partial,
				deadline,
				deposit,
			},
		);
		ServiceIntents::<T>::insert(class, id, ());
		Expiries::<T>::insert(deadline, id, ());
		Self::deposit_event(Event::ServiceRequested { intent: id, owner: who, class, units, max_price });
		Ok(())
	}

	/// The owner of open intent `id` of any kind, and its deadline.
	pub(crate) fn owner_and_deadline(id: IntentId) -> Option<(T::AccountId, Moment)> {
		if let Some(i) = OpenIntents::<T>::get(id) {
			return Some((i.owner, i.deadline));
		}
		if let Some(o) = Offers::<T>::get(id) {
			return Some((o.owner, o.deadline));
		}
		Purchases::<T>::get(id).map(|p| (p.owner, p.deadline))
	}

	/// Close open intent `id` of any kind, refunding what it escrows and its deposit.
	pub(crate) fn close_any(id: IntentId, reason: CloseReason) -> DispatchResult {
		if let Some(intent) = OpenIntents::<T>::get(id) {
			Self::close_intent(id, intent, reason)?;
		} else if let Some(offer) = Offers::<T>::get(id) {
			Self::close_offer(id, offer, reason);
		} else if let Some(purchase) = Purchases::<T>::get(id) {
			Self::close_purchase(id, purchase, reason)?;
		} else {
			return Err(Error::<T>::UnknownIntent.into());
		}
		Ok(())
	}

	fn forget(owner: &T::AccountId, id: IntentId, deadline: Moment) {
		IntentsOf::<T>::mutate_exists(owner, |ids| {
			if let Some(list) = ids {
				list.retain(|i| *i != id);
				if list.is_empty() {
					*ids = None;
				}
			}
		});
		Expiries::<T>::remove(deadline, id);
	}

	pub(crate) fn close_offer(id: IntentId, offer: OfferOf<T>, reason: CloseReason) {
		Self::release_deposit(&offer.owner, offer.deposit);
		Offers::<T>::remove(id);
		ServiceIntents::<T>::remove(offer.class, id);
		Self::forget(&offer.owner, id, offer.deadline);
		Self::deposit_event(Event::IntentClosed { intent: id, reason, refunded: Zero::zero() });
	}

	/// Fails, changing nothing, if the escrow cannot be released.
	pub(crate) fn close_purchase(id: IntentId, purchase: PurchaseOf<T>, reason: CloseReason) -> DispatchResult {
		let escrow = Self::times(purchase.max_price, purchase.units.saturating_sub(purchase.bought))?;
		let mut refunded = Zero::zero();
		if !escrow.is_zero() {
			refunded = T::AssetHolds::release(
				purchase.asset.clone(),
				&HoldReason::IntentEscrow.into(),
				&purchase.owner,
				escrow,
				Precision::Exact,
			)?;
		}
		Self::release_deposit(&purchase.owner, purchase.deposit);
		Purchases::<T>::remove(id);
		PurchaseOrders::<T>::remove(id);
		ServiceIntents::<T>::remove(purchase.class, id);
		Self::forget(&purchase.owner, id, purchase.deadline);
		Self::deposit_event(Event::IntentClosed { intent: id, reason, refunded });
		Ok(())
	}

	/// Whether `device` passes `filter` now.
	pub fn passes(device: &DeviceId, filter: &DeviceFilter) -> bool {
		if let Some(region) = filter.region {
			let inside = T::Devices::location(device).is_some_and(|cell| {
				cell.resolution() >= region.resolution() && cell.parent(region.resolution()) == Some(region)
			});
			if !inside {
				return false;
			}
		}
		if let Some(min) = filter.min_uptime {
			if T::Uptime::uptime(device).is_none_or(|up| up < min) {
				return false;
			}
		}
		if let Some(m) = filter.manufacturer {
			if T::Devices::manufacturer(device) != Some(m) {
				return false;
			}
		}
		true
	}

	/// Check the service part of a solution; add its matches and surplus to `execution`.
	pub(crate) fn check_services(
		solution: &SolutionOf<T>,
		closes_at: Moment,
		execution: &mut Execution,
	) -> Result<(), Rejection> {
		use Violation::*;
		let v = Rejection::Violation;
		if solution.services.is_empty() && solution.service_prices.is_empty() {
			return Ok(());
		}
		if solution.fills.len().saturating_add(solution.services.len()) > T::MaxFills::get() as usize {
			return Err(v(OverFill));
		}
		// Everything named must still be open, its device still active and owned by the
		// offer's owner: a third party can change those, so they are not the solver's fault.
		let mut purchases: BTreeMap<IntentId, PurchaseOf<T>> = BTreeMap::new();
		let mut offers: BTreeMap<IntentId, OfferOf<T>> = BTreeMap::new();
		for m in solution.services.iter() {
			if let alloc::collections::btree_map::Entry::Vacant(e) = purchases.entry(m.purchase) {
				e.insert(Purchases::<T>::get(m.purchase).ok_or(Rejection::Stale)?);
			}
			if let alloc::collections::btree_map::Entry::Vacant(e) = offers.entry(m.offer) {
				let offer = Offers::<T>::get(m.offer).ok_or(Rejection::Stale)?;
				if !T::Devices::is_active(&offer.device)
					|| T::Devices::owner(&offer.device).as_ref() != Some(&offer.owner)
				{
					return Err(Rejection::Stale);
				}
				e.insert(offer);
			}
		}
		let mut prices = BTreeMap::new();
		for p in solution.service_prices.iter() {
			if p.per_unit == 0 || prices.insert((p.class, p.asset.clone()), p.per_unit).is_some() {
				return Err(v(InvalidPrice));
			}
		}
		let mut bought: BTreeMap<IntentId, (u32, u32)> = BTreeMap::new();
		let mut sold: BTreeMap<IntentId, u32> = BTreeMap::new();
		for m in solution.services.iter() {
			let (purchase, offer) = (&purchases[&m.purchase], &offers[&m.offer]);
			if purchase.class != offer.class || purchase.asset != offer.asset {
				return Err(v(ServiceMismatch));
			}
			let price = *prices.get(&(purchase.class, purchase.asset.clone())).ok_or(v(MissingPrice))?;
			if m.units == 0 {
				return Err(v(OverFill));
			}
			if purchase.deadline <= closes_at || offer.deadline <= closes_at {
				return Err(v(ExpiredIntent));
			}
			let (max, min): (u128, u128) = (purchase.max_price.into(), offer.min_price.into());
			if price > max || price < min {
				return Err(v(LimitPriceViolated));
			}
			if !Self::passes(&offer.device, &purchase.filter) {
				return Err(v(FilterViolated));
			}
			let pay = price.checked_mul(m.units as u128).ok_or(v(InvalidPrice))?;
			if pay < T::Assets::minimum_balance(offer.asset.clone()).into() {
				return Err(v(FillBelowMinimum));
			}
			let b = bought.entry(m.purchase).or_default();
			b.0 = b.0.saturating_add(m.units);
			b.1 = b.1.saturating_add(1);
			let s = sold.entry(m.offer).or_default();
			*s = s.saturating_add(m.units);
			let surplus = (max - price)
				.checked_add(price - min)
				.and_then(|s| s.checked_mul(m.units as u128))
				.ok_or(v(InvalidPrice))?;
			execution.score = execution.score.checked_add(surplus).ok_or(v(InvalidPrice))?;
			execution.services.push((m.purchase, m.offer, m.units, price));
		}
		for (id, (units, orders)) in bought {
			let p = &purchases[&id];
			let left = p.units.saturating_sub(p.bought);
			if units > left || (!p.partial && units != left) {
				return Err(v(OverFill));
			}
			if PurchaseOrders::<T>::get(id).saturating_add(orders) > T::MaxOrdersPerPurchase::get() {
				return Err(v(TooManyOrders));
			}
		}
		for (id, units) in sold {
			let o = &offers[&id];
			if units > o.units.saturating_sub(o.sold) {
				return Err(v(OverFill));
			}
		}
		Ok(())
	}

	/// Turn each checked match into an escrowed order: the purchase's escrow for those
	/// units moves to the order at the clearing price, the rest of it goes back.
	pub(crate) fn settle_services(execution: &Execution) -> DispatchResult {
		let now = Self::now();
		for (purchase_id, offer_id, units, price) in execution.services.iter().copied() {
			let mut purchase = Purchases::<T>::get(purchase_id).ok_or(Error::<T>::UnknownIntent)?;
			let mut offer = Offers::<T>::get(offer_id).ok_or(Error::<T>::UnknownIntent)?;
			// Both must still be open when the round settles (a stalled relay clock).
			ensure!(purchase.deadline > now && offer.deadline > now, Error::<T>::StaleSolution);
			let buyer = purchase.owner.clone();
			let reserved = Self::times(purchase.max_price, units)?;
			let pay = Self::times(price.into(), units)?;
			T::AssetHolds::release(
				purchase.asset.clone(),
				&HoldReason::IntentEscrow.into(),
				&buyer,
				reserved,
				Precision::Exact,
			)?;
			T::AssetHolds::hold(purchase.asset.clone(), &HoldReason::OrderEscrow.into(), &buyer, pay)?;
			// The order's storage deposit comes out of the purchase's.
			let deposit = T::OrderDeposit::get().min(purchase.deposit);
			purchase.deposit = purchase.deposit.saturating_sub(deposit);
			purchase.bought = purchase.bought.saturating_add(units);
			offer.sold = offer.sold.saturating_add(units);
			PurchaseOrders::<T>::mutate(purchase_id, |n| n.saturating_inc());
			let order = NextOrderId::<T>::get();
			NextOrderId::<T>::put(order.checked_add(1).ok_or(Error::<T>::Overflow)?);
			Orders::<T>::insert(
				order,
				Order {
					buyer,
					seller: offer.owner.clone(),
					device: offer.device,
					class: offer.class,
					asset: offer.asset.clone(),
					units,
					price: price.into(),
					status: OrderStatus::AwaitingDelivery { deadline: now.saturating_add(T::DeliveryWindow::get()) },
					dispute_deposit: Zero::zero(),
				},
			);
			OrderDeposits::<T>::insert(order, deposit);
			Self::deposit_event(Event::OrderCreated {
				order,
				purchase: purchase_id,
				offer: offer_id,
				device: offer.device,
				units,
				price: price.into(),
			});
			if purchase.bought >= purchase.units || !purchase.partial {
				Self::close_purchase(purchase_id, purchase, CloseReason::Filled)?;
			} else {
				Purchases::<T>::insert(purchase_id, purchase);
			}
			if offer.sold >= offer.units {
				Self::close_offer(offer_id, offer, CloseReason::Filled);
			} else {
				Offers::<T>::insert(offer_id, offer);
			}
		}
		Ok(())
	}

	/// The bytes a device signs to say it delivered `units` of `order` (`content`).
	pub fn receipt_payload(order: OrderId, units: u32, content: sp_core::H256) -> alloc::vec::Vec<u8> {
		Receipt { tag: RECEIPT_TAG, genesis: Self::genesis_hash(), order, units, content }.encode()
	}

	pub(crate) fn do_post_receipt(
		who: T::AccountId,
		id: OrderId,
		units: u32,
		content: sp_core::H256,
		signature: Option<machina_primitives::DeviceSignature>,
	) -> DispatchResult {
		let mut order = Orders::<T>::get(id).ok_or(Error::<T>::UnknownOrder)?;
		let OrderStatus::AwaitingDelivery { deadline } = order.status else {
			return Err(Error::<T>::WrongOrderState.into());
		};
		ensure!(Self::now() < deadline, Error::<T>::WrongOrderState);
		ensure!(units <= order.units, Error::<T>::TooManyUnits);
		let valid = match signature {
			// The device transacting as its own key's account signed the transaction.
			None => who == order.seller || Self::device_account(&order.device).as_ref() == Some(&who),
			Some(sig) => T::Devices::operational_key(&order.device)
				.is_some_and(|key| sig.verify(&key, &Self::receipt_payload(id, units, content))),
		};
		ensure!(valid, Error::<T>::BadReceipt);
		order.status =
			OrderStatus::Delivered { units, content, deadline: Self::now().saturating_add(T::DisputeWindow::get()) };
		Orders::<T>::insert(id, order);
		Self::deposit_event(Event::OrderDelivered { order: id, units, content });
		Ok(())
	}

	pub(crate) fn do_accept_delivery(who: T::AccountId, id: OrderId) -> DispatchResult {
		let order = Orders::<T>::get(id).ok_or(Error::<T>::UnknownOrder)?;
		ensure!(order.buyer == who, Error::<T>::NotBuyer);
		let units = match order.status {
			OrderStatus::Delivered { units, .. } | OrderStatus::Disputed { units, .. } => units,
			_ => return Err(Error::<T>::WrongOrderState.into()),
		};
		// An accepted dispute is withdrawn: its deposit pays the seller for the wait, as a
		// lapsed one's does (otherwise a buyer could hold a payment for the whole
		// arbitration period for free, accepting just before the deadline).
		Self::pay_order(id, order, units, true)
	}

	pub(crate) fn do_dispute(who: T::AccountId, id: OrderId) -> DispatchResult {
		let mut order = Orders::<T>::get(id).ok_or(Error::<T>::UnknownOrder)?;
		ensure!(order.buyer == who, Error::<T>::NotBuyer);
		let OrderStatus::Delivered { units, content, deadline } = order.status else {
			return Err(Error::<T>::WrongOrderState.into());
		};
		ensure!(Self::now() < deadline, Error::<T>::WrongOrderState);
		let deposit = T::DisputeDeposit::get();
		Self::hold_deposit(&who, deposit)?;
		order.dispute_deposit = deposit;
		order.status =
			OrderStatus::Disputed { units, content, deadline: Self::now().saturating_add(T::ArbitrationPeriod::get()) };
		Orders::<T>::insert(id, order);
		Self::deposit_event(Event::OrderDisputed { order: id });
		Ok(())
	}

	pub(crate) fn do_resolve_dispute(id: OrderId, upheld: bool) -> DispatchResult {
		let order = Orders::<T>::get(id).ok_or(Error::<T>::UnknownOrder)?;
		let OrderStatus::Disputed { units, .. } = order.status else {
			return Err(Error::<T>::WrongOrderState.into());
		};
		if upheld {
			Self::fail_order(id, order, None)
		} else {
			Self::pay_order(id, order, units, true)
		}
	}

	pub(crate) fn do_escalate_dispute(who: T::AccountId, id: OrderId, referendum: u32) -> DispatchResult {
		let order = Orders::<T>::get(id).ok_or(Error::<T>::UnknownOrder)?;
		// Only the buyer: a seller could otherwise record a referendum of its own that
		// times out, and shut out the buyer's.
		ensure!(order.buyer == who, Error::<T>::NotBuyer);
		let OrderStatus::Disputed { deadline, .. } = order.status else {
			return Err(Error::<T>::WrongOrderState.into());
		};
		// Before the deadline: otherwise a chain of escalations would hold the order.
		ensure!(Self::now() < deadline, Error::<T>::WrongOrderState);
		// One undecided ruling at a time: replacing it with one that ends sooner would let
		// the dispute lapse while the first is still deciding.
		if let Some(current) = DisputeRulings::<T>::get(id) {
			ensure!(!T::Rulings::undecided(current), Error::<T>::RulingPending);
		}
		ensure!(T::Rulings::rules_on(referendum, id), Error::<T>::NotARuling);
		DisputeRulings::<T>::insert(id, referendum);
		Self::deposit_event(Event::DisputeEscalated { order: id, referendum });
		Ok(())
	}

	pub(crate) fn do_finish_order(who: T::AccountId, id: OrderId) -> DispatchResult {
		let order = Orders::<T>::get(id).ok_or(Error::<T>::UnknownOrder)?;
		let now = Self::now();
		match order.status {
			OrderStatus::AwaitingDelivery { deadline } if now >= deadline => Self::fail_order(id, order, Some(who)),
			// Silence pays the seller.
			OrderStatus::Delivered { units, deadline, .. } if now >= deadline => {
				Self::pay_order(id, order, units, false)
			},
			// So does a dispute nobody took to governance, or whose ruling was rejected or
			// never enacted; the buyer's deposit pays the seller for the wait.
			OrderStatus::Disputed { units, deadline, .. } if now >= deadline => {
				// The hard limit, counted from the dispute (`deadline` is the dispute plus
				// `ArbitrationPeriod`).
				let limit =
					deadline.saturating_add(T::MaxArbitrationPeriod::get().saturating_sub(T::ArbitrationPeriod::get()));
				if let Some(referendum) = DisputeRulings::<T>::get(id) {
					ensure!(now >= limit || !T::Rulings::undecided(referendum), Error::<T>::RulingPending);
				}
				Self::pay_order(id, order, units, true)
			},
			_ => Err(Error::<T>::WrongOrderState.into()),
		}
	}

	/// Pay the seller for `units` delivered, refund the rest, close the order. With
	/// `forfeit`, the buyer's dispute deposit goes to the seller; otherwise back.
	fn pay_order(id: OrderId, order: OrderOf<T>, units: u32, forfeit: bool) -> DispatchResult {
		let escrow = Self::times(order.price, order.units)?;
		let paid = Self::times(order.price, units.min(order.units))?;
		if !paid.is_zero() {
			Self::pay_from_hold(order.asset.clone(), HoldReason::OrderEscrow, &order.buyer, &order.seller, paid)?;
		}
		let refunded = escrow.saturating_sub(paid);
		if !refunded.is_zero() {
			T::AssetHolds::release(
				order.asset.clone(),
				&HoldReason::OrderEscrow.into(),
				&order.buyer,
				refunded,
				Precision::Exact,
			)?;
		}
		if !order.dispute_deposit.is_zero() {
			if forfeit {
				Self::pay_from_hold(
					T::NativeAsset::get(),
					HoldReason::StorageDeposit,
					&order.buyer,
					&order.seller,
					order.dispute_deposit,
				)?;
			} else {
				Self::release_deposit(&order.buyer, order.dispute_deposit);
			}
		}
		Self::close_order(id, &order);
		Self::deposit_event(Event::OrderPaid { order: id, paid, refunded });
		Ok(())
	}

	/// Delivery failed: the buyer gets its escrow (and any dispute deposit) back, the
	/// device's bond is slashed under the SLA policy (`ServiceDefault`) with `reporter`
	/// rewarded, and insurance pays the buyer `SlaCompensation` of the slash.
	fn fail_order(id: OrderId, order: OrderOf<T>, reporter: Option<T::AccountId>) -> DispatchResult {
		let escrow = Self::times(order.price, order.units)?;
		T::AssetHolds::release(
			order.asset.clone(),
			&HoldReason::OrderEscrow.into(),
			&order.buyer,
			escrow,
			Precision::Exact,
		)?;
		Self::release_deposit(&order.buyer, order.dispute_deposit);
		let offence = Offence {
			offender: order.seller.clone(),
			purpose: BondPurpose::Device,
			target: SlashTarget::Commitment(order.device),
			kind: OffenceKind::ServiceDefault,
			evidence_time: Self::now(),
			id: sp_io::hashing::blake2_256(&(b"machina/intents/order", id).encode()).into(),
		};
		// The reporter must not be the offender; a seller whose bond is gone pays nothing
		// more, and the buyer still gets its refund.
		let reporter = reporter.filter(|r| *r != order.seller);
		let slashed = T::Slasher::report_offence(offence, reporter).map(|o| o.slashed).unwrap_or_default();
		let compensation = T::SlaCompensation::get().mul_floor(slashed).min(T::Insurance::balance());
		let compensation = if !compensation.is_zero() && T::Insurance::pay(&order.buyer, compensation).is_ok() {
			compensation
		} else {
			Zero::zero()
		};
		Self::close_order(id, &order);
		Self::deposit_event(Event::OrderFailed { order: id, refunded: escrow, slashed, compensation });
		Ok(())
	}

	fn close_order(id: OrderId, order: &OrderOf<T>) {
		Self::release_deposit(&order.buyer, OrderDeposits::<T>::take(id));
		DisputeRulings::<T>::remove(id);
		Orders::<T>::remove(id);
	}
}
