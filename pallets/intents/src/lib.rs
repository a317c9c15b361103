#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod auction_impls;
mod channel_impls;
mod dispatchable_impls;
pub mod runtime_api;
pub mod solver;
mod tick_impls;
pub mod types;
pub mod weights;

// Native builds (tests) and try-runtime check invariants; the wasm does not carry them.
#[cfg(any(feature = "try-runtime", feature = "std", test))]
mod try_state_impls;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungibles::{Inspect, InspectHold, Mutate, MutateHold},
			tokens::Balance as BalanceT,
		},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use machina_primitives::{BondManager, BondSlasher};
	use sp_runtime::{
		traits::{BlockNumberProvider, IdentifyAccount, Verify},
		Permill,
	};

	/// The balance type of every asset.
	pub type BalanceOf<T> = <T as Config>::Balance;
	/// A market as stored.
	pub type MarketOf<T> = Market<<T as frame_system::Config>::AccountId, <T as Config>::AssetKind, BalanceOf<T>>;
	/// An intent as stored.
	pub type IntentOf<T> = Intent<<T as frame_system::Config>::AccountId, BalanceOf<T>>;
	/// A solution of this runtime's bounds.
	pub type SolutionOf<T> = Solution<<T as Config>::MaxMarketsPerSolution, <T as Config>::MaxFills>;
	/// The round's best solution as stored.
	pub type BestSolutionOf<T> = BestSolution<
		<T as frame_system::Config>::AccountId,
		<T as Config>::MaxMarketsPerSolution,
		<T as Config>::MaxFills,
	>;
	/// A payment channel as stored.
	pub type ChannelOf<T> = Channel<<T as frame_system::Config>::AccountId, <T as Config>::AssetKind, BalanceOf<T>>;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The balance type of every asset.
		type Balance: BalanceT + MaxEncodedLen + From<u128> + Into<u128>;

		/// Names an asset: the native token or a `pallet-assets` id.
		type AssetKind: Parameter + MaxEncodedLen + Ord;

		/// Every asset, the native one included (`fungible::UnionOf` of balances and
		/// `pallet-assets` on the runtime): transfers out of the settlement account.
		type Assets: Inspect<Self::AccountId, AssetId = Self::AssetKind, Balance = Self::Balance>
			+ Mutate<Self::AccountId>;

		/// The same assets with holds (`UnionOf` of balances and `pallet-assets-holder`):
		/// escrow stays in its owner's account, held, until it is paid out or released.
		type AssetHolds: Inspect<Self::AccountId, AssetId = Self::AssetKind, Balance = Self::Balance>
			+ InspectHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The native asset: storage deposits are held in it.
		#[pallet::constant]
		type NativeAsset: Get<Self::AssetKind>;

		/// The runtime's hold reason, of which [`HoldReason`] is a part.
		type RuntimeHoldReason: From<HoldReason>;

		/// The clock every duration here is measured on: relay-chain blocks on the runtime,
		/// so rounds, deadlines and channel expiries do not shrink with faster blocks.
		type Clock: BlockNumberProvider<BlockNumber = Moment>;

		/// Solver bonds (purpose `Solver`).
		type Bonds: BondManager<Self::AccountId, BalanceOf<Self>>;

		/// Punishes a solver whose solution breaks a rule.
		type Slasher: BondSlasher<Self::AccountId, BalanceOf<Self>, Moment>;

		/// What a payer signs vouchers with: its account key (`MultiSignature`).
		type Signature: Parameter + Verify<Signer: IdentifyAccount<AccountId = Self::AccountId>>;

		/// Sets the solver fee cap and removes markets.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Names the settlement account (`PalletId::into_account_truncating`).
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// The length of an auction round, on the clock.
		#[pallet::constant]
		type RoundLength: Get<Moment>;

		/// The bond a solver commits while it is registered.
		#[pallet::constant]
		type SolverBond: Get<BalanceOf<Self>>;

		/// The most solvers registered at once.
		#[pallet::constant]
		type MaxSolvers: Get<u32>;

		/// The most fills in one solution.
		#[pallet::constant]
		type MaxFills: Get<u32>;

		/// The most markets one solution prices.
		#[pallet::constant]
		type MaxMarketsPerSolution: Get<u32>;

		/// The most markets at once.
		#[pallet::constant]
		type MaxMarkets: Get<u32>;

		/// The deposit held for a market.
		#[pallet::constant]
		type MarketDeposit: Get<BalanceOf<Self>>;

		/// The storage deposit held per open intent (native).
		#[pallet::constant]
		type IntentDeposit: Get<BalanceOf<Self>>;

		/// The most open intents one account may have.
		#[pallet::constant]
		type MaxIntentsPerAccount: Get<u32>;

		/// The longest an intent may live, on the clock.
		#[pallet::constant]
		type MaxIntentLifetime: Get<Moment>;

		/// The most expired intents (or empty clock instants) refunded per block.
		#[pallet::constant]
		type MaxExpiriesPerBlock: Get<u32>;

		/// The storage deposit held per open channel (native).
		#[pallet::constant]
		type ChannelDeposit: Get<BalanceOf<Self>>;

		/// The most open channels one payer may have.
		#[pallet::constant]
		type MaxChannelsPerPayer: Get<u32>;

		/// The longest a channel may run before its payer may close it, on the clock.
		#[pallet::constant]
		type MaxChannelLifetime: Get<Moment>;

		/// Weights of this pallet.
		type WeightInfo: WeightInfo;

		/// Creates assets and funds accounts for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: crate::benchmarking::BenchmarkHelper<Self>;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// An open intent's unexecuted escrow.
		IntentEscrow,
		/// A payment channel's unclaimed deposit.
		ChannelEscrow,
		/// Storage deposits for intents, channels and markets.
		StorageDeposit,
	}

	/// Markets by id.
	#[pallet::storage]
	pub type Markets<T: Config> = CountedStorageMap<_, Twox64Concat, MarketId, MarketOf<T>, OptionQuery>;

	/// The market of each (base, quote) pair: one market per ordered pair.
	#[pallet::storage]
	pub type MarketOfPair<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AssetKind, Blake2_128Concat, T::AssetKind, MarketId, OptionQuery>;

	/// The next market id.
	#[pallet::storage]
	pub type NextMarketId<T: Config> = StorageValue<_, MarketId, ValueQuery>;

	/// Open intents by id (filled, cancelled and expired ones are removed).
	#[pallet::storage]
	pub type OpenIntents<T: Config> = StorageMap<_, Twox64Concat, IntentId, IntentOf<T>, OptionQuery>;

	/// The next intent id.
	#[pallet::storage]
	pub type NextIntentId<T: Config> = StorageValue<_, IntentId, ValueQuery>;

	/// Each account's open intents (at most `MaxIntentsPerAccount`).
	#[pallet::storage]
	pub type IntentsOf<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, BoundedVec<IntentId, T::MaxIntentsPerAccount>, ValueQuery>;

	/// Open intents by market, for clients and solvers to page through (runtime API).
	#[pallet::storage]
	pub type MarketIntents<T: Config> =
		StorageDoubleMap<_, Twox64Concat, MarketId, Twox64Concat, IntentId, (), OptionQuery>;

	/// Open intents by deadline: refunded from the first block at or after it.
	#[pallet::storage]
	pub type Expiries<T: Config> = StorageDoubleMap<_, Twox64Concat, Moment, Twox64Concat, IntentId, (), OptionQuery>;

	/// The first clock instant whose expiries are not all processed yet.
	#[pallet::storage]
	pub type ExpiryCursor<T: Config> = StorageValue<_, Moment, OptionQuery>;

	/// Registered solvers and the round they registered in.
	#[pallet::storage]
	pub type Solvers<T: Config> = CountedStorageMap<_, Blake2_128Concat, T::AccountId, RoundIndex, OptionQuery>;

	/// The round whose solutions are being collected (the last round seen by a block).
	#[pallet::storage]
	pub type CurrentRound<T: Config> = StorageValue<_, RoundIndex, ValueQuery>;

	/// The best solution of [`CurrentRound`], settled when the round closes.
	#[pallet::storage]
	pub type Best<T: Config> = StorageValue<_, BestSolutionOf<T>, OptionQuery>;

	/// The highest fee a solution may take. Set by governance.
	#[pallet::storage]
	pub type SolverFeeCap<T: Config> = StorageValue<_, Permill, ValueQuery>;

	/// Open payment channels by id.
	#[pallet::storage]
	pub type Channels<T: Config> = StorageMap<_, Twox64Concat, ChannelId, ChannelOf<T>, OptionQuery>;

	/// Each payer's open channels (at most `MaxChannelsPerPayer`).
	#[pallet::storage]
	pub type ChannelsOf<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, BoundedVec<ChannelId, T::MaxChannelsPerPayer>, ValueQuery>;

	/// The next channel id.
	#[pallet::storage]
	pub type NextChannelId<T: Config> = StorageValue<_, ChannelId, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The highest solver fee.
		pub solver_fee_cap: Permill,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			SolverFeeCap::<T>::put(self.solver_fee_cap);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A market opened.
		MarketCreated { market: MarketId, base: T::AssetKind, quote: T::AssetKind, creator: T::AccountId },
		/// Governance removed an empty market; its deposit went back.
		MarketRemoved { market: MarketId },
		/// An intent was submitted and its `give` escrowed.
		IntentSubmitted {
			intent: IntentId,
			owner: T::AccountId,
			market: MarketId,
			side: Side,
			give: BalanceOf<T>,
			want: BalanceOf<T>,
			deadline: Moment,
		},
		/// An auction executed `executed` of an intent's `give`, paying it `received`.
		IntentFilled { intent: IntentId, executed: BalanceOf<T>, received: BalanceOf<T> },
		/// An intent closed: filled, cancelled or expired; `refunded` of its escrow went back.
		IntentClosed { intent: IntentId, reason: CloseReason, refunded: BalanceOf<T> },
		/// A solver registered with its bond committed.
		SolverRegistered { solver: T::AccountId },
		/// A solver left; its bond unbonds.
		SolverUnregistered { solver: T::AccountId },
		/// A solution became the round's best.
		SolutionAccepted { round: RoundIndex, solver: T::AccountId, score: u128, fills: u32 },
		/// A solution broke a rule; its solver was slashed `slashed`.
		SolutionRejected { round: RoundIndex, solver: T::AccountId, violation: Violation, slashed: BalanceOf<T> },
		/// A round's best solution settled atomically.
		RoundSettled { round: RoundIndex, solver: T::AccountId, score: u128, fills: u32 },
		/// A round's best solution could not settle (an asset's rules changed since it was
		/// checked); nothing moved and nobody was slashed.
		SettlementFailed { round: RoundIndex, solver: T::AccountId, error: DispatchError },
		/// Governance set the solver fee cap.
		SolverFeeCapSet { cap: Permill },
		/// A payment channel opened.
		ChannelOpened {
			channel: ChannelId,
			payer: T::AccountId,
			payee: T::AccountId,
			asset: T::AssetKind,
			deposit: BalanceOf<T>,
			expires_at: Moment,
		},
		/// A payer added funds or time to a channel.
		ChannelToppedUp { channel: ChannelId, deposit: BalanceOf<T>, expires_at: Moment },
		/// A payee claimed up to `cumulative` in all; `paid` moved now.
		ChannelClaimed { channel: ChannelId, cumulative: BalanceOf<T>, paid: BalanceOf<T> },
		/// A channel closed; `refunded` went back to the payer.
		ChannelClosed { channel: ChannelId, refunded: BalanceOf<T> },
	}

	/// Why an intent closed.
	#[derive(Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
	pub enum CloseReason {
		/// Executed in full (or, without partial fills, at all).
		Filled,
		/// Its owner cancelled it.
		Cancelled,
		/// Its deadline passed.
		Expired,
	}

	#[pallet::error]
	pub enum Error<T> {
		/// A market needs two different assets.
		SameAsset,
		/// This pair (in either order) already has a market.
		MarketExists,
		/// No such market.
		UnknownMarket,
		/// The market limit is reached.
		TooManyMarkets,
		/// The market still has open intents.
		MarketNotEmpty,
		/// An intent must give and want a non-zero amount.
		ZeroAmount,
		/// The deadline is not in the future, or beyond `MaxIntentLifetime`.
		BadDeadline,
		/// The account has `MaxIntentsPerAccount` open intents.
		TooManyIntents,
		/// No such open intent.
		UnknownIntent,
		/// Only the owner may do this.
		NotOwner,
		/// The intent is in the round's best solution: it can be cancelled after the round.
		IntentInAuction,
		/// The intent's deadline has not passed.
		NotExpired,
		/// The caller is already a registered solver.
		AlreadySolver,
		/// The caller is not a registered solver.
		NotSolver,
		/// The solver limit is reached.
		TooManySolvers,
		/// The solver's committed bond was slashed below `SolverBond`: top it up first.
		SolverUnderBonded,
		/// The solver holds the round's best solution: it can leave after the round.
		SolverInAuction,
		/// The solution is not for the current round.
		WrongRound,
		/// The solution fills nothing.
		EmptySolution,
		/// An intent the solution names was cancelled, filled or expired since.
		StaleSolution,
		/// The solution does not score higher than the round's best.
		NotBetter,
		/// The solution broke a rule, and the slash could not be applied (the same
		/// solution was already punished).
		InvalidSolution,
		/// An amount overflowed.
		Overflow,
		/// A channel needs a non-zero deposit.
		ZeroDeposit,
		/// A channel cannot pay its own payer.
		PayeeIsPayer,
		/// The payer has `MaxChannelsPerPayer` open channels.
		TooManyChannels,
		/// No such open channel.
		UnknownChannel,
		/// Only the channel's payer may do this.
		NotPayer,
		/// Only the channel's payee may do this.
		NotPayee,
		/// The expiry is not later than the current one, in the past, or beyond
		/// `MaxChannelLifetime`.
		BadExpiry,
		/// The voucher's signature is not the payer's over this chain, channel and amount.
		BadVoucher,
		/// The voucher's cumulative amount is not above what was claimed (it was paid).
		StaleVoucher,
		/// The voucher is for more than the channel's deposit.
		VoucherExceedsDeposit,
		/// The channel has not expired: only its payee may close it now.
		ChannelNotExpired,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call(weight(<T as Config>::WeightInfo))]
	impl<T: Config> Pallet<T> {
		/// Open a market trading `base` against `quote` (prices in `quote` per `base`).
		/// Holds `MarketDeposit`; the first market of an asset also pays the asset's
		/// minimum balance into the settlement account, once, so settlements of any size
		/// can pass through it.
		#[pallet::call_index(0)]
		pub fn create_market(origin: OriginFor<T>, base: T::AssetKind, quote: T::AssetKind) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_create_market(who, base, quote)
		}

		/// Remove a market with no open intents; its deposit goes back to its creator.
		#[pallet::call_index(1)]
		pub fn remove_market(origin: OriginFor<T>, market: MarketId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_remove_market(market)
		}

		/// Offer to give up to `give` (of `base` to sell, of `quote` to buy) for at least
		/// `want` in all, until the clock reaches `deadline`. Escrows `give` and holds
		/// `IntentDeposit`.
		#[pallet::call_index(2)]
		pub fn submit_intent(
			origin: OriginFor<T>,
			market: MarketId,
			side: Side,
			give: BalanceOf<T>,
			want: BalanceOf<T>,
			partial: bool,
			deadline: Moment,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_submit_intent(who, market, side, give, want, partial, deadline)
		}

		/// Cancel an open intent: its escrow and deposit go back.
		#[pallet::call_index(3)]
		pub fn cancel_intent(origin: OriginFor<T>, intent: IntentId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_cancel_intent(who, intent)
		}

		/// Refund an intent whose deadline passed (anyone; blocks also do it, a bounded
		/// number each).
		#[pallet::call_index(4)]
		pub fn expire_intent(origin: OriginFor<T>, intent: IntentId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_expire_intent(intent)
		}

		/// Register as a solver: commits `SolverBond` of the caller's `Solver` bond
		/// (bond it in micro-bonds first).
		#[pallet::call_index(5)]
		pub fn register_solver(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_register_solver(who)
		}

		/// Leave: the bond's commitment is released and it starts unbonding (slashable for
		/// the evidence window).
		#[pallet::call_index(6)]
		pub fn unregister_solver(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_unregister_solver(who)
		}

		/// Propose a solution for the current round. The runtime checks every rule; a
		/// solution that breaks one is rejected and its solver slashed (the call succeeds,
		/// so the slash stands: see `SolutionRejected`). A valid one that scores higher
		/// than the round's best replaces it; ties keep the earlier.
		#[pallet::call_index(7)]
		#[pallet::weight(<T as Config>::WeightInfo::submit_solution(
			solution.fills.len() as u32,
			solution.prices.len() as u32,
		).saturating_add(T::Slasher::report_offence_weight()))]
		pub fn submit_solution(origin: OriginFor<T>, solution: SolutionOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_submit_solution(who, solution)
		}

		/// Set the highest fee a solution may take.
		#[pallet::call_index(8)]
		pub fn set_solver_fee_cap(origin: OriginFor<T>, cap: Permill) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			SolverFeeCap::<T>::put(cap);
			Self::deposit_event(Event::SolverFeeCapSet { cap });
			Ok(())
		}

		/// Open a payment channel to `payee`: holds `deposit` of `asset` (and
		/// `ChannelDeposit`); the payer may close it from `expires_at` on.
		#[pallet::call_index(9)]
		pub fn open_channel(
			origin: OriginFor<T>,
			payee: T::AccountId,
			asset: T::AssetKind,
			deposit: BalanceOf<T>,
			expires_at: Moment,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_open_channel(who, payee, asset, deposit, expires_at)
		}

		/// Add `amount` to a channel's deposit and optionally push its expiry later.
		#[pallet::call_index(10)]
		pub fn top_up_channel(
			origin: OriginFor<T>,
			channel: ChannelId,
			amount: BalanceOf<T>,
			expires_at: Option<Moment>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_top_up_channel(who, channel, amount, expires_at)
		}

		/// The payee claims with a voucher the payer signed over ([`VOUCHER_TAG`], genesis
		/// hash, channel, cumulative): pays `cumulative` minus what was claimed.
		#[pallet::call_index(11)]
		pub fn claim(
			origin: OriginFor<T>,
			channel: ChannelId,
			cumulative: BalanceOf<T>,
			signature: T::Signature,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_claim(who, channel, cumulative, signature)
		}

		/// Close a channel: its payee at any time, its payer from `expires_at` on. The
		/// unclaimed deposit goes back to the payer.
		#[pallet::call_index(12)]
		pub fn close_channel(origin: OriginFor<T>, channel: ChannelId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_close_channel(who, channel)
		}
	}

	/// Rounds close and intents expire after the inherents, when the relay-chain clock
	/// of this block is known: the runtime sets `frame_system::Config::PostInherents` to
	/// this pallet (with coverage).
	impl<T: Config> frame_support::traits::PostInherents for Pallet<T> {
		fn post_inherents() {
			let weight = Self::tick();
			frame_system::Pallet::<T>::register_extra_weight_unchecked(weight, DispatchClass::Mandatory);
		}
	}
}
