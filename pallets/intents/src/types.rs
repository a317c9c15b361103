//! The domain types of the intents pallet: markets, intents, solutions, payment channels.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{traits::Get, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound};
use scale_info::TypeInfo;
use sp_core::{H256, U256};
use sp_runtime::Permill;

/// An intent's id: a counter, never reused.
pub type IntentId = u64;
/// A market's id: a counter, never reused.
pub type MarketId = u32;
/// A payment channel's id: a counter, never reused, so a voucher for a closed channel
/// never pays on a later one.
pub type ChannelId = u64;
/// An auction round: `clock / RoundLength`.
pub type RoundIndex = u32;
/// An instant on the pallet's clock: a relay-chain block number on the runtime.
pub type Moment = u32;

/// The domain tag of a payment-channel voucher.
pub const VOUCHER_TAG: [u8; 16] = *b"machina/voucher1";

/// A pair of assets traded against each other in batch auctions. Prices are quoted as
/// `quote` per `base`.
#[derive(Clone, Encode, Decode, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub struct Market<AccountId, AssetKind, Balance> {
	/// The asset whose price is quoted.
	pub base: AssetKind,
	/// The asset the price is quoted in; surplus (the auction score) is counted in it.
	pub quote: AssetKind,
	/// Who created the market and holds its deposit.
	pub creator: AccountId,
	/// The deposit held from `creator`, returned when governance removes the market.
	pub deposit: Balance,
	/// Open intents in the market; a market with any cannot be removed.
	pub open_intents: u32,
}

/// Which side of its market an intent is on.
#[derive(Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub enum Side {
	/// Gives `base`, wants `quote`.
	Sell,
	/// Gives `quote`, wants `base`.
	Buy,
}

/// A swap intent: give up to `give` of one asset of the market for at least
/// `want * executed / give` of the other. Its limit price is `want / give`.
#[derive(Clone, Encode, Decode, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub struct Intent<AccountId, Balance> {
	/// Who escrowed the funds and receives the proceeds.
	pub owner: AccountId,
	/// The market it trades in.
	pub market: MarketId,
	/// What it gives: `base` for `Sell`, `quote` for `Buy`.
	pub side: Side,
	/// How much it gives at most (escrowed at submission).
	pub give: Balance,
	/// The least it accepts for all of `give`.
	pub want: Balance,
	/// How much of `give` was executed so far; `give - given` is still escrowed.
	pub given: Balance,
	/// How much it received so far.
	pub received: Balance,
	/// Whether a solution may execute part of it. If not, a fill executes all of it.
	pub partial: bool,
	/// The clock instant from which it can no longer be filled and is refunded.
	pub deadline: Moment,
	/// The storage deposit held from `owner` (native).
	pub deposit: Balance,
}

impl<AccountId, Balance: sp_runtime::traits::Saturating + Copy> Intent<AccountId, Balance> {
	/// What is still escrowed and can be executed.
	pub fn remaining(&self) -> Balance {
		self.give.saturating_sub(self.given)
	}
}

/// A uniform clearing price: `quote` units of the quote asset per `base` units of the
/// base asset. A ratio of integers, so a cross at two limit prices clears exactly.
#[derive(Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub struct ClearingPrice {
	/// The market it clears.
	pub market: MarketId,
	/// Base units of the ratio (non-zero).
	pub base: u128,
	/// Quote units of the ratio (non-zero).
	pub quote: u128,
}

impl ClearingPrice {
	/// What `net` given on `side` receives at this price, rounded down (in favour of the
	/// batch, so it never pays out more than came in).
	pub fn proceeds(&self, side: Side, net: u128) -> Option<u128> {
		let (num, den) = match side {
			Side::Sell => (self.quote, self.base),
			Side::Buy => (self.base, self.quote),
		};
		if den == 0 {
			return None;
		}
		let out = U256::from(net) * U256::from(num) / U256::from(den);
		u128::try_from(out).ok()
	}

	/// `amount` of the base asset in quote units at this price, rounded down.
	pub fn base_in_quote(&self, amount: u128) -> u128 {
		self.proceeds(Side::Sell, amount).unwrap_or(u128::MAX)
	}
}

/// One intent's execution in a solution.
#[derive(Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub struct Fill {
	/// The intent filled.
	pub intent: IntentId,
	/// How much of its `give` is executed, the solver's fee included.
	pub executed: u128,
}

/// A solver's proposal for a round: a clearing price per market and the fills at those
/// prices. The runtime computes every amount from them, so a solution cannot state a
/// transfer the prices do not imply.
#[derive(
	CloneNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	DebugNoBound,
	PartialEqNoBound,
	EqNoBound,
)]
#[scale_info(skip_type_params(MaxMarkets, MaxFills))]
pub struct Solution<AssetKind: Clone + core::fmt::Debug + PartialEq + Eq, MaxMarkets: Get<u32>, MaxFills: Get<u32>> {
	/// The round it is for (the current one).
	pub round: RoundIndex,
	/// The solver's fee, taken from each fill's `executed` before it is priced; at most
	/// the governance cap ([`crate::SolverFeeCap`]).
	pub fee: Permill,
	/// One price per market it trades in.
	pub prices: BoundedVec<ClearingPrice, MaxMarkets>,
	/// The fills.
	pub fills: BoundedVec<Fill, MaxFills>,
	/// One price per service market it matches in.
	pub service_prices: BoundedVec<ServicePrice<AssetKind>, MaxMarkets>,
	/// Service purchases matched with offers (they count towards `MaxFills`).
	pub services: BoundedVec<ServiceMatch, MaxFills>,
}

/// A market an auction runs in: a swap market, or a service class paid in an asset.
/// Each market has its own auction and best solution, scored in its own quote asset, so
/// scores are never summed across units and a market that fails to settle holds up no
/// other.
#[derive(
	Clone, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq, PartialOrd, Ord,
)]
pub enum MarketKey<AssetKind> {
	Swap(MarketId),
	Service(ServiceClass, AssetKind),
}

impl<AssetKind: Clone + core::fmt::Debug + PartialEq + Eq, MaxMarkets: Get<u32>, MaxFills: Get<u32>>
	Solution<AssetKind, MaxMarkets, MaxFills>
{
	/// The one market this solution clears: one swap price and swap fills only, or one
	/// service price and service matches only.
	pub fn market(&self) -> Option<MarketKey<AssetKind>> {
		match (self.prices.len(), self.service_prices.len()) {
			(1, 0) if self.services.is_empty() => Some(MarketKey::Swap(self.prices[0].market)),
			(0, 1) if self.fills.is_empty() => {
				Some(MarketKey::Service(self.service_prices[0].class, self.service_prices[0].asset.clone()))
			},
			_ => None,
		}
	}
}

/// The best solution of a market in the current round, settled when the round closes.
#[derive(CloneNoBound, Encode, Decode, MaxEncodedLen, TypeInfo, DebugNoBound, PartialEqNoBound, EqNoBound)]
#[scale_info(skip_type_params(MaxMarkets, MaxFills))]
pub struct BestSolution<
	AccountId: Clone + core::fmt::Debug + PartialEq + Eq,
	AssetKind: Clone + core::fmt::Debug + PartialEq + Eq,
	MaxMarkets: Get<u32>,
	MaxFills: Get<u32>,
> {
	/// Who proposed it (paid the fees and rounding residue).
	pub solver: AccountId,
	/// Its score: the surplus over their limit prices it gives the intents' owners,
	/// counted in each market's quote asset.
	pub score: u128,
	/// The solution.
	pub solution: Solution<AssetKind, MaxMarkets, MaxFills>,
}

/// Why a solution was rejected. The solver is slashed for every reason here: each is a
/// rule the solver could check before submitting.
#[derive(Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub enum Violation {
	/// A market has two prices, or a price is zero.
	InvalidPrice,
	/// A fill's intent trades in a market the solution gives no price for.
	MissingPrice,
	/// An intent appears twice.
	IntentUsedTwice,
	/// A fill executes nothing, more than the intent's remaining escrow, or part of an
	/// intent that does not allow partial fills.
	OverFill,
	/// The intent's deadline is before the round closes.
	ExpiredIntent,
	/// A fill gives its owner less than its limit price.
	LimitPriceViolated,
	/// A fill pays out less than the asset's minimum balance.
	FillBelowMinimum,
	/// The batch pays out more of an asset than it takes in.
	ConservationBroken,
	/// A service match pairs a purchase and an offer of different classes or assets.
	ServiceMismatch,
	/// A service match's device does not pass the purchase's filter.
	FilterViolated,
	/// A purchase is matched with more orders than `MaxOrdersPerPurchase`.
	TooManyOrders,
}

/// Why [`crate::Pallet::check_solution`] refused a solution without judging the solver:
/// either the solution was stale (an intent it names was cancelled, filled or expired
/// since), or a [`Violation`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rejection {
	/// An intent it names is no longer open: a race, not the solver's fault.
	Stale,
	/// Its fee is above the governance cap: refused without a slash, as governance may
	/// have lowered the cap after the solver computed it.
	FeeAboveCap,
	/// A rule the solver broke.
	Violation(Violation),
}

/// What a valid solution moves, computed by the runtime.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Execution {
	/// Per fill, in the solution's order: (intent, executed, received).
	pub fills: alloc::vec::Vec<(IntentId, u128, u128)>,
	/// Per service match, in the solution's order: (purchase, offer, units, price).
	pub services: alloc::vec::Vec<(IntentId, IntentId, u32, u128)>,
	/// The surplus to intents' owners.
	pub score: u128,
}

/// A unidirectional payment channel: `payer` holds `deposit` of `asset`; `payee` claims
/// with the latest voucher `payer` signed.
#[derive(Clone, Encode, Decode, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub struct Channel<AccountId, AssetKind, Balance> {
	/// Who pays (and signs vouchers with its account key).
	pub payer: AccountId,
	/// Who is paid.
	pub payee: AccountId,
	/// The asset it pays in.
	pub asset: AssetKind,
	/// All the payer has put in (held).
	pub deposit: Balance,
	/// The cumulative amount claimed so far; `deposit - claimed` is still held.
	pub claimed: Balance,
	/// From this clock instant the payer may close it and take back the rest.
	pub expires_at: Moment,
	/// The storage deposit held from the payer (native).
	pub storage_deposit: Balance,
}

/// What a payer signs for each payment: the cumulative total owed on a channel. The
/// payee claims with the latest; an older one is worth nothing more.
#[derive(Clone, Encode, Decode, TypeInfo, Debug, PartialEq, Eq)]
pub struct Voucher {
	/// [`VOUCHER_TAG`].
	pub tag: [u8; 16],
	/// The chain's genesis hash: a voucher does not pay on another chain.
	pub genesis: H256,
	/// The channel: a voucher does not pay on another channel.
	pub channel: ChannelId,
	/// All the payer owes the payee on this channel so far.
	pub cumulative: u128,
}

/// The round as clients see it (runtime API).
#[derive(Clone, Encode, Decode, TypeInfo, Debug, PartialEq, Eq)]
pub struct RoundInfo<AccountId> {
	/// The current round.
	pub round: RoundIndex,
	/// The clock instant it closes (its best solution settles in the first block after).
	pub closes_at: Moment,
	/// The clock now.
	pub now: Moment,
	/// Markets with a best solution waiting to settle: this round's, and earlier
	/// rounds' not settled yet (a bounded number settle per block).
	pub queued: u32,
	/// Solvers registered.
	pub solvers: u32,
	#[codec(skip)]
	pub _account: core::marker::PhantomData<AccountId>,
	/// The highest solver fee allowed.
	pub fee_cap: Permill,
}

/// A kind of service devices sell (a data feed, a compute job, a charge); its meaning
/// is agreed off-chain. With a payment asset it names a service market.
pub type ServiceClass = u32;
/// A service order's id: a counter, never reused.
pub type OrderId = u64;

/// The domain tag of a delivery receipt signed by a device.
pub const RECEIPT_TAG: [u8; 16] = *b"machina/receipt1";

/// Which devices a buyer accepts.
#[derive(
	Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq, Default,
)]
pub struct DeviceFilter {
	/// The device's declared location lies in this H3 cell (at its resolution or finer).
	pub region: Option<machina_primitives::H3Cell>,
	/// The device was up at least this share of the last closed epoch (coverage).
	pub min_uptime: Option<Permill>,
	/// The device was attested under this manufacturer.
	pub manufacturer: Option<u32>,
}

/// An owner's offer to sell `units` of `class` from `device` at `min_price` per unit or
/// more. Nothing is escrowed: the device's bond answers for delivery (the SLA).
#[derive(Clone, Encode, Decode, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub struct ServiceOffer<AccountId, AssetKind, Balance> {
	/// The device's owner, paid for deliveries.
	pub owner: AccountId,
	/// The device that serves.
	pub device: machina_primitives::DeviceId,
	/// What it sells.
	pub class: ServiceClass,
	/// What it is paid in.
	pub asset: AssetKind,
	/// How many units it offers in all.
	pub units: u32,
	/// How many were sold so far.
	pub sold: u32,
	/// The least it accepts per unit.
	pub min_price: Balance,
	/// From this clock instant it is withdrawn.
	pub deadline: Moment,
	/// The storage deposit held from `owner` (native).
	pub deposit: Balance,
}

/// A buyer's intent to buy `units` of `class` from devices that pass `filter`, at
/// `max_price` per unit or less; `units * max_price` is escrowed at submission.
#[derive(Clone, Encode, Decode, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub struct ServicePurchase<AccountId, AssetKind, Balance> {
	/// Who pays.
	pub owner: AccountId,
	/// What it buys.
	pub class: ServiceClass,
	/// What it pays in.
	pub asset: AssetKind,
	/// How many units it wants.
	pub units: u32,
	/// How many were matched so far.
	pub bought: u32,
	/// The most it pays per unit.
	pub max_price: Balance,
	/// Which devices it accepts.
	pub filter: DeviceFilter,
	/// Whether it may be matched for fewer than `units` (and from several devices).
	pub partial: bool,
	/// From this clock instant it is refunded.
	pub deadline: Moment,
	/// The storage deposit held from `owner` (native): it also pays for the orders the
	/// purchase creates.
	pub deposit: Balance,
}

/// A uniform clearing price for a service market: `per_unit` of `asset` for one unit of
/// `class`.
#[derive(Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub struct ServicePrice<AssetKind> {
	pub class: ServiceClass,
	pub asset: AssetKind,
	pub per_unit: u128,
}

/// One match in a solution: `units` from `offer`'s device for `purchase`.
#[derive(Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub struct ServiceMatch {
	pub purchase: IntentId,
	pub offer: IntentId,
	pub units: u32,
}

/// Where a service order stands.
#[derive(Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub enum OrderStatus {
	/// Waiting for the device's delivery receipt, until `deadline`.
	AwaitingDelivery { deadline: Moment },
	/// Delivered `units` (hash `content`); the buyer may dispute until `deadline`, then
	/// the seller is paid.
	Delivered { units: u32, content: sp_core::H256, deadline: Moment },
	/// The buyer disputed; governance rules until `deadline`, after which the receipt
	/// stands.
	Disputed { units: u32, content: sp_core::H256, deadline: Moment },
}

/// An escrowed service order, made when a solution matched a purchase with an offer.
#[derive(Clone, Encode, Decode, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub struct Order<AccountId, AssetKind, Balance> {
	/// Who pays (its escrow is held under `OrderEscrow`).
	pub buyer: AccountId,
	/// The device's owner when matched: paid on delivery, its device bond slashed on a
	/// failure.
	pub seller: AccountId,
	/// The device that serves.
	pub device: machina_primitives::DeviceId,
	pub class: ServiceClass,
	pub asset: AssetKind,
	/// Units ordered.
	pub units: u32,
	/// The clearing price per unit.
	pub price: Balance,
	/// Where it stands.
	pub status: OrderStatus,
	/// The buyer's dispute deposit, while disputed (native, held).
	pub dispute_deposit: Balance,
}

/// What a device signs to say it delivered an order.
#[derive(Clone, Encode, Decode, TypeInfo, Debug, PartialEq, Eq)]
pub struct Receipt {
	/// [`RECEIPT_TAG`].
	pub tag: [u8; 16],
	/// The chain's genesis hash.
	pub genesis: H256,
	/// The order.
	pub order: OrderId,
	/// Units delivered.
	pub units: u32,
	/// The hash of what was delivered.
	pub content: H256,
}

/// The kinds of calls a sponsor may pay a device's fees for. The runtime sorts its calls
/// into these ([`ClassifyCall`]); a call it does not sort (a transfer, a batch, a proxy
/// call) is never sponsored, so a device key cannot spend a sponsor's pot on anything
/// but device work.
#[derive(
	Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq, PartialOrd, Ord,
)]
pub enum CallClass {
	/// Delivery receipts for service orders.
	Receipts,
	/// Payment-channel calls (claims and closes as payee, opens and top-ups as payer).
	Channels,
	/// Other intents calls: swaps, service offers and purchases.
	Intents,
	/// Coverage calls: heartbeats that are not feeless already, beacons, witnesses, claims.
	Coverage,
	/// Device-registry calls a device makes for itself.
	Devices,
}

/// The most call classes one sponsorship lists (one of each).
pub type MaxCallClasses = frame_support::traits::ConstU32<5>;

/// Sorts the runtime's calls into [`CallClass`]es for fee sponsorship.
pub trait ClassifyCall<Call> {
	/// The class of `call`, or `None` if it is never sponsored.
	fn classify(call: &Call) -> Option<CallClass>;
}

/// Nothing is ever sponsored.
impl<Call> ClassifyCall<Call> for () {
	fn classify(_: &Call) -> Option<CallClass> {
		None
	}
}

/// The governance referenda that may rule on a dispute, as the runtime sees them. A
/// dispute whose ruling referendum is still undecided (or approved and not yet enacted)
/// does not lapse at its deadline: otherwise a seller could stall the ruling (a queue of
/// referenda on a full track) until the receipt stands by default.
pub trait RulingReferenda {
	/// Whether referendum `index` is ongoing with `resolve_dispute(order, _)` as its
	/// proposal, on an origin that may rule.
	fn rules_on(index: u32, order: OrderId) -> bool;
	/// Whether referendum `index` may still take effect: ongoing (queued or deciding), or
	/// approved and not past its enactment.
	fn undecided(index: u32) -> bool;
	/// The weight of either query.
	fn query_weight() -> frame_support::weights::Weight;
}

/// No referenda: no dispute is ever escalated, each lapses at its deadline.
impl RulingReferenda for () {
	fn rules_on(_: u32, _: OrderId) -> bool {
		false
	}
	fn undecided(_: u32) -> bool {
		false
	}
	fn query_weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::zero()
	}
}

/// An owner's promise to pay one device's transaction fees from its sponsor pot: up to
/// `allowance` per `SponsorshipPeriod`, for the listed call classes only. Keyed by the
/// device's account (its operational key's); void as soon as the device changes owner,
/// rotates its operational key, or is revoked; paused while it is suspended.
#[derive(Clone, Encode, Decode, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub struct Sponsorship<AccountId, Balance> {
	/// The device's owner when it sponsored it: its pot pays.
	pub sponsor: AccountId,
	/// The device.
	pub device: machina_primitives::DeviceId,
	/// The most fees paid per period.
	pub allowance: Balance,
	/// The call classes paid for.
	pub calls: BoundedVec<CallClass, MaxCallClasses>,
	/// The clock instant the current period began.
	pub period_start: Moment,
	/// Fees paid in the current period.
	pub spent: Balance,
	/// The storage deposit held from the sponsor (native).
	pub deposit: Balance,
	/// Whether this sponsorship gave the device account its sufficient reference. If the
	/// account transacts on the pot, the reference (and the account) outlives the
	/// sponsorship, and the deposit pays for that state: it is burnt rather than returned.
	pub holds_account: bool,
	/// Whether the pot paid at least one of the device's transactions: only then does
	/// the deposit pay for an account kept in state.
	pub used: bool,
}

/// The domain tag of a device's consent to be sponsored.
pub const SPONSOR_TAG: [u8; 16] = *b"machina/sponsor1";

/// What a device's operational key signs to accept a sponsor: proof that the sponsored
/// account is the device's, so nobody can claim another device's key and block it.
#[derive(Clone, Encode, Decode, TypeInfo, Debug, PartialEq, Eq)]
pub struct SponsorConsent<AccountId> {
	/// [`SPONSOR_TAG`].
	pub tag: [u8; 16],
	/// The chain's genesis hash.
	pub genesis: H256,
	/// The device.
	pub device: machina_primitives::DeviceId,
	/// The sponsor it accepts.
	pub sponsor: AccountId,
}
