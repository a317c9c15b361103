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
pub struct Solution<MaxMarkets: Get<u32>, MaxFills: Get<u32>> {
	/// The round it is for (the current one).
	pub round: RoundIndex,
	/// The solver's fee, taken from each fill's `executed` before it is priced; at most
	/// the governance cap ([`crate::SolverFeeCap`]).
	pub fee: Permill,
	/// One price per market it trades in.
	pub prices: BoundedVec<ClearingPrice, MaxMarkets>,
	/// The fills.
	pub fills: BoundedVec<Fill, MaxFills>,
}

/// The best solution of the current round, settled when the round closes.
#[derive(CloneNoBound, Encode, Decode, MaxEncodedLen, TypeInfo, DebugNoBound, PartialEqNoBound, EqNoBound)]
#[scale_info(skip_type_params(MaxMarkets, MaxFills))]
pub struct BestSolution<AccountId: Clone + core::fmt::Debug + PartialEq + Eq, MaxMarkets: Get<u32>, MaxFills: Get<u32>>
{
	/// Who proposed it (paid the fees and rounding residue).
	pub solver: AccountId,
	/// Its score: the surplus over their limit prices it gives the intents' owners,
	/// counted in each market's quote asset.
	pub score: u128,
	/// The solution.
	pub solution: Solution<MaxMarkets, MaxFills>,
}

/// Why a solution was rejected. The solver is slashed for every reason here: each is a
/// rule the solver could check before submitting.
#[derive(Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub enum Violation {
	/// The fee is above the governance cap.
	FeeAboveCap,
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
}

/// Why [`crate::Pallet::check_solution`] refused a solution without judging the solver:
/// either the solution was stale (an intent it names was cancelled, filled or expired
/// since), or a [`Violation`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rejection {
	/// An intent it names is no longer open: a race, not the solver's fault.
	Stale,
	/// A rule the solver broke.
	Violation(Violation),
}

/// What a valid solution moves, computed by the runtime.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Execution {
	/// Per fill, in the solution's order: (intent, executed, received).
	pub fills: alloc::vec::Vec<(IntentId, u128, u128)>,
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
	/// The best solution's solver and score so far.
	pub best: Option<(AccountId, u128)>,
	/// The highest solver fee allowed.
	pub fee_cap: Permill,
}
