//! Benchmarks, each at its worst case: full per-account lists, a best solution of
//! `MaxFills` fills to scan, solutions of `f` fills over `m` markets that pass every
//! check, settlement of `f` fills that each close their intent.

use crate::*;
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{EnsureOrigin, Get},
	BoundedVec,
};
use frame_system::RawOrigin;
use sp_runtime::Permill;

/// What the benchmarks need from the runtime.
pub trait BenchmarkHelper<T: Config> {
	/// The two assets of benchmark market `n`: different for each `n` (at least
	/// `MaxMarketsPerSolution + 1` of them), created if they need to be.
	fn market_assets(n: u32) -> (T::AssetKind, T::AssetKind);
	/// Give `who` `amount` of `asset`.
	fn fund(asset: T::AssetKind, who: &T::AccountId, amount: BalanceOf<T>);
	/// Bond `who` for `Solver` with at least `SolverBond`.
	fn bond_solver(who: &T::AccountId);
	/// Set the clock.
	fn set_clock(at: Moment);
	/// An account whose key is in the benchmark keystore.
	fn voucher_signer() -> T::AccountId;
	/// `signer`'s signature of `payload`.
	fn sign(signer: &T::AccountId, payload: &[u8]) -> T::Signature;
	/// Register active device `n` of `owner` with its bond committed; its operational key
	/// signs through [`Self::device_sign`].
	fn register_device(owner: &T::AccountId, n: u32) -> machina_primitives::DeviceId;
	/// Device `n`'s operational-key signature of `payload`.
	fn device_sign(n: u32, payload: &[u8]) -> machina_primitives::DeviceSignature;
	/// An ongoing referendum that rules on `order` (`T::Rulings::rules_on` holds), and
	/// its index.
	fn open_ruling(order: OrderId) -> u32;
}

const CLASS: ServiceClass = 1;

/// `s` offers (each its own device, of `seller`) and `s` purchases of one unit each,
/// matched one to one in a valid solution at 1 unit of `asset` per unit... scaled.
fn service_solution<T: Config>(s: u32) -> (SolutionOf<T>, T::AccountId) {
	let mk = market::<T>(0);
	let asset = Markets::<T>::get(mk).unwrap().quote;
	let first = funded::<T>("seller", 0, mk);
	let mut services = Vec::new();
	for i in 0..s {
		// One seller per offer: an account holds at most `MaxIntentsPerAccount`.
		let seller = if i == 0 { first.clone() } else { funded::<T>("seller", i, mk) };
		let device = T::BenchmarkHelper::register_device(&seller, i);
		let offer = NextIntentId::<T>::get();
		Pallet::<T>::do_offer_service(
			seller.clone(),
			device,
			CLASS,
			asset.clone(),
			1,
			amount().into(),
			Pallet::<T>::now() + T::MaxIntentLifetime::get(),
		)
		.expect("offer");
		let buyer = funded::<T>("buyer", i, mk);
		let purchase = NextIntentId::<T>::get();
		Pallet::<T>::do_purchase_service(
			buyer,
			CLASS,
			asset.clone(),
			1,
			(amount() + 1).into(),
			DeviceFilter::default(),
			false,
			Pallet::<T>::now() + T::MaxIntentLifetime::get(),
		)
		.expect("purchase");
		services.push(ServiceMatch { purchase, offer, units: 1 });
	}
	let solution = Solution {
		round: Pallet::<T>::round_at(Pallet::<T>::now()),
		fee: Permill::zero(),
		prices: BoundedVec::new(),
		fills: BoundedVec::new(),
		service_prices: BoundedVec::truncate_from(alloc::vec![ServicePrice {
			class: CLASS,
			asset,
			per_unit: amount()
		}]),
		services: BoundedVec::truncate_from(services),
	};
	(solution, first)
}

/// An order of one unit by device 0, awaiting delivery.
fn order<T: Config>() -> (OrderId, T::AccountId) {
	let (solution, seller) = service_solution::<T>(1);
	let execution = Pallet::<T>::check_solution(&solution).expect("valid");
	Pallet::<T>::settle_services(&execution).expect("settles");
	(NextOrderId::<T>::get() - 1, seller)
}

/// Plenty of every asset: 10^9 units of 12 decimals.
fn plenty<T: Config>() -> BalanceOf<T> {
	BalanceOf::<T>::from(1_000_000_000_000_000_000_000u128)
}

fn funded<T: Config>(name: &'static str, n: u32, market: MarketId) -> T::AccountId {
	let who: T::AccountId = account(name, n, 0);
	let m = Markets::<T>::get(market).expect("market");
	T::BenchmarkHelper::fund(T::NativeAsset::get(), &who, plenty::<T>());
	T::BenchmarkHelper::fund(m.base, &who, plenty::<T>());
	T::BenchmarkHelper::fund(m.quote, &who, plenty::<T>());
	who
}

fn start<T: Config>() {
	T::BenchmarkHelper::set_clock(Pallet::<T>::now().saturating_add(T::RoundLength::get().saturating_mul(10)));
	Pallet::<T>::tick();
}

/// Market `n`, created by a funded account.
fn market<T: Config>(n: u32) -> MarketId {
	let (base, quote) = T::BenchmarkHelper::market_assets(n);
	let creator: T::AccountId = account("creator", n, 0);
	T::BenchmarkHelper::fund(T::NativeAsset::get(), &creator, plenty::<T>());
	T::BenchmarkHelper::fund(base.clone(), &creator, plenty::<T>());
	T::BenchmarkHelper::fund(quote.clone(), &creator, plenty::<T>());
	Pallet::<T>::do_create_market(creator, base, quote).expect("market");
	NextMarketId::<T>::get() - 1
}

/// 10^6 units of 12 decimals: above any minimum balance.
fn amount() -> u128 {
	1_000_000_000_000_000_000
}

fn intent<T: Config>(who: &T::AccountId, market: MarketId, side: Side, partial: bool) -> IntentId {
	let id = NextIntentId::<T>::get();
	// Limit 1:1 minus one unit, so a fill at 1:1 scores.
	Pallet::<T>::do_submit_intent(
		who.clone(),
		market,
		side,
		amount().into(),
		(amount() - 1).into(),
		partial,
		Pallet::<T>::now() + T::MaxIntentLifetime::get(),
	)
	.expect("intent");
	id
}

/// A valid solution of `f` fills (rounded up to even) in one market at 1:1.
fn valid_solution<T: Config>(f: u32) -> SolutionOf<T> {
	let markets: Vec<MarketId> = alloc::vec![market::<T>(0)];
	let mut fills = Vec::new();
	for i in 0..f.div_ceil(2) {
		let mk = markets[0];
		let seller = funded::<T>("seller", i, mk);
		let buyer = funded::<T>("buyer", i, mk);
		fills.push(Fill { intent: intent::<T>(&seller, mk, Side::Sell, false), executed: amount() });
		fills.push(Fill { intent: intent::<T>(&buyer, mk, Side::Buy, false), executed: amount() });
	}
	fills.truncate(T::MaxFills::get() as usize);
	Solution {
		round: Pallet::<T>::round_at(Pallet::<T>::now()),
		fee: Permill::zero(),
		prices: BoundedVec::truncate_from(
			markets.iter().map(|&market| ClearingPrice { market, base: 1, quote: 1 }).collect(),
		),
		fills: BoundedVec::truncate_from(fills),
		service_prices: BoundedVec::new(),
		services: BoundedVec::new(),
	}
}

/// A best solution of `MaxFills` fills in market 0 to scan (its intents need not exist
/// for a scan).
fn full_best<T: Config>() {
	let solver: T::AccountId = account("other-solver", 0, 0);
	let fills = (0..T::MaxFills::get()).map(|i| Fill { intent: u64::MAX - i as u64, executed: 1 }).collect();
	Best::<T>::insert(
		MarketKey::Swap(0),
		BestSolution {
			solver,
			score: 0,
			solution: Solution {
				round: Pallet::<T>::round_at(Pallet::<T>::now()),
				fee: Permill::zero(),
				prices: BoundedVec::new(),
				fills: BoundedVec::truncate_from(fills),
				service_prices: BoundedVec::new(),
				services: BoundedVec::new(),
			},
		},
	);
}

fn registered_solver<T: Config>() -> T::AccountId {
	let solver: T::AccountId = account("solver", 0, 0);
	T::BenchmarkHelper::fund(T::NativeAsset::get(), &solver, plenty::<T>());
	T::BenchmarkHelper::bond_solver(&solver);
	Pallet::<T>::do_register_solver(solver.clone()).expect("registers");
	solver
}

/// `who` with `MaxIntentsPerAccount - 1` open intents in `market`.
fn nearly_full<T: Config>(who: &T::AccountId, market: MarketId) {
	for _ in 1..T::MaxIntentsPerAccount::get() {
		intent::<T>(who, market, Side::Sell, true);
	}
}

/// A funded payer (the whitelisted caller) with `n` open channels to one payee, in the
/// asset of benchmark market 0.
fn payer_with_channels<T: Config>(n: u32) -> (T::AccountId, T::AccountId, T::AssetKind) {
	let (asset, _) = T::BenchmarkHelper::market_assets(0);
	let payer: T::AccountId = whitelisted_caller();
	let payee: T::AccountId = account("payee", 0, 0);
	T::BenchmarkHelper::fund(T::NativeAsset::get(), &payer, plenty::<T>());
	T::BenchmarkHelper::fund(asset.clone(), &payer, plenty::<T>());
	for _ in 0..n {
		Pallet::<T>::do_open_channel(
			payer.clone(),
			payee.clone(),
			asset.clone(),
			amount().into(),
			Pallet::<T>::now() + 10,
		)
		.expect("opens");
	}
	(payer, payee, asset)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn create_market() {
		start::<T>();
		let (base, quote) = T::BenchmarkHelper::market_assets(0);
		let caller: T::AccountId = whitelisted_caller();
		T::BenchmarkHelper::fund(T::NativeAsset::get(), &caller, plenty::<T>());
		T::BenchmarkHelper::fund(base.clone(), &caller, plenty::<T>());
		T::BenchmarkHelper::fund(quote.clone(), &caller, plenty::<T>());
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), base, quote);
		assert_eq!(Markets::<T>::count(), 1);
	}

	#[benchmark]
	fn remove_market() -> Result<(), BenchmarkError> {
		start::<T>();
		let id = market::<T>(0);
		let origin = T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id);
		assert_eq!(Markets::<T>::count(), 0);
		Ok(())
	}

	#[benchmark]
	fn submit_intent() {
		start::<T>();
		let id = market::<T>(0);
		let caller = funded::<T>("caller", 0, id);
		nearly_full::<T>(&caller, id);
		let deadline = Pallet::<T>::now() + T::MaxIntentLifetime::get();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), id, Side::Buy, amount().into(), amount().into(), true, deadline);
		assert_eq!(IntentsOf::<T>::get(&caller).len() as u32, T::MaxIntentsPerAccount::get());
	}

	#[benchmark]
	fn cancel_intent() {
		start::<T>();
		let id = market::<T>(0);
		let caller = funded::<T>("caller", 0, id);
		nearly_full::<T>(&caller, id);
		let last = intent::<T>(&caller, id, Side::Buy, true);
		full_best::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), last);
		assert!(OpenIntents::<T>::get(last).is_none());
	}

	#[benchmark]
	fn expire_intent() {
		start::<T>();
		let id = market::<T>(0);
		let caller = funded::<T>("caller", 0, id);
		nearly_full::<T>(&caller, id);
		let last = intent::<T>(&caller, id, Side::Buy, true);
		T::BenchmarkHelper::set_clock(Pallet::<T>::now() + T::MaxIntentLifetime::get());
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), last);
		assert!(OpenIntents::<T>::get(last).is_none());
	}

	#[benchmark]
	fn register_solver() {
		start::<T>();
		let caller: T::AccountId = whitelisted_caller();
		T::BenchmarkHelper::fund(T::NativeAsset::get(), &caller, plenty::<T>());
		T::BenchmarkHelper::bond_solver(&caller);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));
		assert!(Solvers::<T>::contains_key(&caller));
	}

	#[benchmark]
	fn unregister_solver() {
		start::<T>();
		let solver = registered_solver::<T>();
		full_best::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(solver.clone()));
		assert!(!Solvers::<T>::contains_key(&solver));
	}

	/// `f` fills, all checked and tried (rolled back); it replaces a best solution.
	#[benchmark]
	fn submit_solution(f: Linear<2, { T::MaxFills::get() }>) {
		start::<T>();
		let solver = registered_solver::<T>();
		let solution = valid_solution::<T>(f);
		let market = solution.market().expect("one market");
		let mut previous = solution.clone();
		previous.fills.truncate(2);
		Best::<T>::insert(&market, BestSolution { solver: solver.clone(), score: 0, solution: previous });
		SolverBests::<T>::insert(&solver, 1);
		#[extrinsic_call]
		_(RawOrigin::Signed(solver.clone()), solution);
		assert!(Best::<T>::get(&market).is_some_and(|b| b.score > 0));
	}

	/// Settling `f` fills at round close, each closing its intent.
	#[benchmark]
	fn settle(f: Linear<2, { T::MaxFills::get() }>) {
		start::<T>();
		let solver = registered_solver::<T>();
		let solution = valid_solution::<T>(f);
		let best = BestSolution { solver, score: 1, solution };
		#[block]
		{
			Pallet::<T>::settle(&best).expect("settles");
		}
		assert!(OpenIntents::<T>::iter().next().is_none());
	}

	/// `e` intents expire after the cursor walks `v` empty clock instants.
	#[benchmark]
	fn expire_due(
		e: Linear<0, { T::MaxExpiriesPerBlock::get() / 2 }>,
		v: Linear<0, { T::MaxExpiriesPerBlock::get() / 2 }>,
	) {
		start::<T>();
		let id = market::<T>(0);
		let now = Pallet::<T>::now();
		let deadline = now + 1 + v;
		for i in 0..e {
			let who = funded::<T>("owner", i, id);
			Pallet::<T>::do_submit_intent(who, id, Side::Sell, amount().into(), amount().into(), true, deadline)
				.expect("intent");
		}
		ExpiryCursor::<T>::put(now + 1);
		T::BenchmarkHelper::set_clock(deadline);
		#[block]
		{
			Pallet::<T>::expire_due(deadline);
		}
		assert!(OpenIntents::<T>::iter().next().is_none());
	}

	#[benchmark]
	fn set_solver_fee_cap() -> Result<(), BenchmarkError> {
		let origin = T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, Permill::from_percent(1));
		assert_eq!(SolverFeeCap::<T>::get(), Permill::from_percent(1));
		Ok(())
	}

	#[benchmark]
	fn open_channel() {
		start::<T>();
		let (payer, payee, asset) = payer_with_channels::<T>(T::MaxChannelsPerPayer::get() - 1);
		let expires = Pallet::<T>::now() + 10;
		#[extrinsic_call]
		_(RawOrigin::Signed(payer.clone()), payee, asset, amount().into(), expires);
		assert_eq!(ChannelsOf::<T>::get(&payer).len() as u32, T::MaxChannelsPerPayer::get());
	}

	#[benchmark]
	fn top_up_channel() {
		start::<T>();
		let (payer, _, _) = payer_with_channels::<T>(1);
		let id = NextChannelId::<T>::get() - 1;
		let later = Pallet::<T>::now() + 20;
		#[extrinsic_call]
		_(RawOrigin::Signed(payer), id, amount().into(), Some(later));
		assert_eq!(Channels::<T>::get(id).unwrap().expires_at, later);
	}

	/// A claim verifies the payer's signature and moves the difference.
	#[benchmark]
	fn claim() {
		start::<T>();
		let (asset, _) = T::BenchmarkHelper::market_assets(0);
		let payer = T::BenchmarkHelper::voucher_signer();
		let payee: T::AccountId = account("payee", 0, 0);
		T::BenchmarkHelper::fund(T::NativeAsset::get(), &payer, plenty::<T>());
		T::BenchmarkHelper::fund(asset.clone(), &payer, plenty::<T>());
		T::BenchmarkHelper::fund(T::NativeAsset::get(), &payee, plenty::<T>());
		T::BenchmarkHelper::fund(asset.clone(), &payee, plenty::<T>());
		Pallet::<T>::do_open_channel(payer.clone(), payee.clone(), asset, amount().into(), Pallet::<T>::now() + 10)
			.expect("opens");
		let id = NextChannelId::<T>::get() - 1;
		let cumulative = amount() / 2;
		let signature = T::BenchmarkHelper::sign(&payer, &Pallet::<T>::voucher_payload(id, cumulative));
		#[extrinsic_call]
		_(RawOrigin::Signed(payee), id, cumulative.into(), signature);
		assert_eq!(Channels::<T>::get(id).unwrap().claimed, cumulative.into());
	}

	#[benchmark]
	fn close_channel() {
		start::<T>();
		let (payer, _, _) = payer_with_channels::<T>(T::MaxChannelsPerPayer::get());
		let id = NextChannelId::<T>::get() - 1;
		T::BenchmarkHelper::set_clock(Pallet::<T>::now() + 10);
		#[extrinsic_call]
		_(RawOrigin::Signed(payer), id);
		assert!(Channels::<T>::get(id).is_none());
	}

	/// Checking `s` service matches (each its own purchase, offer and device).
	#[benchmark]
	fn submit_services(s: Linear<1, { T::MaxFills::get() }>) {
		start::<T>();
		let solver = registered_solver::<T>();
		let (solution, _) = service_solution::<T>(s);
		#[extrinsic_call]
		submit_solution(RawOrigin::Signed(solver), solution);
		assert!(Best::<T>::iter().next().is_some());
	}

	/// Settling `s` service matches into orders.
	#[benchmark]
	fn settle_services(s: Linear<1, { T::MaxFills::get() }>) {
		start::<T>();
		let (solution, _) = service_solution::<T>(s);
		let execution = Pallet::<T>::check_solution(&solution).expect("valid");
		#[block]
		{
			Pallet::<T>::settle_services(&execution).expect("settles");
		}
		assert_eq!(Orders::<T>::iter().count() as u32, s);
	}

	#[benchmark]
	fn offer_service() {
		start::<T>();
		let id = market::<T>(0);
		let asset = Markets::<T>::get(id).unwrap().quote;
		let caller = funded::<T>("caller", 0, id);
		nearly_full::<T>(&caller, id);
		let device = T::BenchmarkHelper::register_device(&caller, 0);
		let deadline = Pallet::<T>::now() + T::MaxIntentLifetime::get();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), device, CLASS, asset, 10, amount().into(), deadline);
		assert_eq!(Offers::<T>::iter().count(), 1);
	}

	#[benchmark]
	fn purchase_service() {
		start::<T>();
		let id = market::<T>(0);
		let asset = Markets::<T>::get(id).unwrap().quote;
		let caller = funded::<T>("caller", 0, id);
		nearly_full::<T>(&caller, id);
		let deadline = Pallet::<T>::now() + T::MaxIntentLifetime::get();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), CLASS, asset, 10, 1_000_000u128.into(), DeviceFilter::default(), true, deadline);
		assert_eq!(Purchases::<T>::iter().count(), 1);
	}

	/// A receipt with the device's signature (the verification is the cost).
	#[benchmark]
	fn post_receipt() {
		start::<T>();
		let (order, seller) = order::<T>();
		let content = sp_core::H256::repeat_byte(1);
		let signature = T::BenchmarkHelper::device_sign(0, &Pallet::<T>::receipt_payload(order, 1, content));
		#[extrinsic_call]
		_(RawOrigin::Signed(seller), order, 1, content, Some(signature));
		assert!(matches!(Orders::<T>::get(order).unwrap().status, OrderStatus::Delivered { .. }));
	}

	#[benchmark]
	fn accept_delivery() {
		start::<T>();
		let (order, seller) = order::<T>();
		Pallet::<T>::do_post_receipt(seller, order, 1, Default::default(), None).expect("receipt");
		let buyer = Orders::<T>::get(order).unwrap().buyer;
		#[extrinsic_call]
		_(RawOrigin::Signed(buyer), order);
		assert!(Orders::<T>::get(order).is_none());
	}

	#[benchmark]
	fn dispute() {
		start::<T>();
		let (order, seller) = order::<T>();
		Pallet::<T>::do_post_receipt(seller, order, 1, Default::default(), None).expect("receipt");
		let buyer = Orders::<T>::get(order).unwrap().buyer;
		#[extrinsic_call]
		_(RawOrigin::Signed(buyer), order);
		assert!(matches!(Orders::<T>::get(order).unwrap().status, OrderStatus::Disputed { .. }));
	}

	/// Upheld: the failed-delivery path (refund, compensation; the slash is charged apart).
	#[benchmark]
	fn resolve_dispute() -> Result<(), BenchmarkError> {
		start::<T>();
		let (order, seller) = order::<T>();
		Pallet::<T>::do_post_receipt(seller, order, 1, Default::default(), None).expect("receipt");
		let buyer = Orders::<T>::get(order).unwrap().buyer;
		Pallet::<T>::do_dispute(buyer, order).expect("dispute");
		let origin = T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, order, true);
		assert!(Orders::<T>::get(order).is_none());
		Ok(())
	}

	/// The worst case: an earlier escalation was decided, so both referenda are read.
	#[benchmark]
	fn escalate_dispute() {
		start::<T>();
		let (order, seller) = order::<T>();
		Pallet::<T>::do_post_receipt(seller, order, 1, Default::default(), None).expect("receipt");
		let buyer = Orders::<T>::get(order).unwrap().buyer;
		Pallet::<T>::do_dispute(buyer.clone(), order).expect("dispute");
		// An index no referendum has: decided long ago, as far as the pallet can tell.
		DisputeRulings::<T>::insert(order, u32::MAX);
		let referendum = T::BenchmarkHelper::open_ruling(order);
		#[extrinsic_call]
		_(RawOrigin::Signed(buyer), order, referendum);
		assert_eq!(DisputeRulings::<T>::get(order), Some(referendum));
	}

	/// No delivery by the deadline: refund, SLA slash, compensation.
	#[benchmark]
	fn finish_order() {
		start::<T>();
		let (order, _) = order::<T>();
		T::BenchmarkHelper::set_clock(Pallet::<T>::now() + T::DeliveryWindow::get());
		let caller: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), order);
		assert!(Orders::<T>::get(order).is_none());
	}

	/// A device of a funded sponsor, with its account.
	fn sponsor_and_device<T: Config>() -> (T::AccountId, machina_primitives::DeviceId, T::AccountId) {
		let sponsor: T::AccountId = whitelisted_caller();
		T::BenchmarkHelper::fund(T::NativeAsset::get(), &sponsor, plenty::<T>());
		let device = T::BenchmarkHelper::register_device(&sponsor, 0);
		let account = Pallet::<T>::device_account(&device).expect("device key");
		(sponsor, device, account)
	}

	fn all_classes() -> BoundedVec<CallClass, MaxCallClasses> {
		alloc::vec![
			CallClass::Receipts,
			CallClass::Channels,
			CallClass::Intents,
			CallClass::Coverage,
			CallClass::Devices
		]
		.try_into()
		.expect("five classes")
	}

	/// The device's consent to `sponsor`.
	fn consent<T: Config>(
		device: machina_primitives::DeviceId,
		sponsor: &T::AccountId,
	) -> Option<machina_primitives::DeviceSignature> {
		Some(T::BenchmarkHelper::device_sign(0, &Pallet::<T>::sponsor_consent_payload(device, sponsor)))
	}

	/// A new sponsorship: the consent signature checked, the deposit held, the device
	/// account created.
	#[benchmark]
	fn sponsor_device() {
		start::<T>();
		let (sponsor, device, account) = sponsor_and_device::<T>();
		let consent = consent::<T>(device, &sponsor);
		#[extrinsic_call]
		_(RawOrigin::Signed(sponsor), device, amount().into(), all_classes(), consent);
		assert!(Sponsorships::<T>::contains_key(&account));
	}

	/// A device sponsored for every class by a funded sponsor: (sponsor, device account).
	fn sponsored_device<T: Config>() -> (T::AccountId, T::AccountId) {
		let (sponsor, device, account) = sponsor_and_device::<T>();
		let consent = consent::<T>(device, &sponsor);
		Pallet::<T>::do_sponsor_device(sponsor.clone(), device, amount().into(), all_classes(), consent)
			.expect("sponsored");
		(sponsor, account)
	}

	#[benchmark]
	fn end_sponsorship() {
		start::<T>();
		let (sponsor, account) = sponsored_device::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(sponsor), account.clone());
		assert!(!Sponsorships::<T>::contains_key(&account));
	}

	#[benchmark]
	fn fund_sponsor_pot() {
		let (sponsor, _, _) = sponsor_and_device::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(sponsor.clone()), amount().into());
		assert!(frame_system::Pallet::<T>::account_exists(&Pallet::<T>::sponsor_pot_account(&sponsor)));
	}

	#[benchmark]
	fn withdraw_sponsor_pot() {
		let (sponsor, _, _) = sponsor_and_device::<T>();
		Pallet::<T>::do_fund_sponsor_pot(sponsor.clone(), amount().into()).expect("funded");
		#[extrinsic_call]
		_(RawOrigin::Signed(sponsor.clone()), amount().into());
		assert!(!frame_system::Pallet::<T>::account_exists(&Pallet::<T>::sponsor_pot_account(&sponsor)));
	}

	/// What `SponsoredFees` adds to a transaction's fee charge, on its costliest path: a
	/// sponsored device's lookup, charge and refund.
	#[benchmark]
	fn charge_sponsored_fee() {
		start::<T>();
		let (sponsor, account) = sponsored_device::<T>();
		let fee: BalanceOf<T> = 1_000u128.into();
		let pot = Pallet::<T>::sponsor_pot_account(&sponsor);
		#[block]
		{
			// The pool's validation and the block's preparation each look it up; an empty
			// pot costs one more balance read before the device pays for itself.
			assert!(Pallet::<T>::sponsoring_pot(&account, Some(CallClass::Receipts), fee, false).is_some());
			assert!(Pallet::<T>::sponsoring_pot(&account, Some(CallClass::Receipts), fee, false).is_some());
			let _ = <T::Assets as frame_support::traits::fungibles::Inspect<_>>::reducible_balance(
				T::NativeAsset::get(),
				&pot,
				frame_support::traits::tokens::Preservation::Preserve,
				frame_support::traits::tokens::Fortitude::Polite,
			);
			Pallet::<T>::note_sponsored_charge(&account, fee);
			Pallet::<T>::note_sponsored_refund(&account, 100u128.into(), 900u128.into());
		}
		assert_eq!(Sponsorships::<T>::get(&account).expect("sponsored").spent, 900u128.into());
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
