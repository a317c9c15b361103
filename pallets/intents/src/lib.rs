#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod auction_impls;
mod channel_impls;
mod dispatchable_impls;
pub mod runtime_api;
mod service_impls;
pub mod solver;
pub mod sponsorship;
mod sponsorship_impls;
mod tick_impls;
pub mod types;
pub mod weights;

// Native builds (tests) and try-runtime check invariants; the wasm does not carry them.
#[cfg(any(feature = "try-runtime", feature = "std", test))]
mod try_state_impls;

/// Benchmarks, and what they need from a runtime ([`benchmarking::BenchmarkHelper`]).
#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
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
	pub type SolutionOf<T> =
		Solution<<T as Config>::AssetKind, <T as Config>::MaxMarketsPerSolution, <T as Config>::MaxFills>;
	/// The round's best solution as stored.
	pub type BestSolutionOf<T> = BestSolution<
		<T as frame_system::Config>::AccountId,
		<T as Config>::AssetKind,
		<T as Config>::MaxMarketsPerSolution,
		<T as Config>::MaxFills,
	>;
	/// A service offer as stored.
	pub type OfferOf<T> = ServiceOffer<<T as frame_system::Config>::AccountId, <T as Config>::AssetKind, BalanceOf<T>>;
	/// A service purchase as stored.
	pub type PurchaseOf<T> =
		ServicePurchase<<T as frame_system::Config>::AccountId, <T as Config>::AssetKind, BalanceOf<T>>;
	/// A market key of this runtime's assets.
	pub type MarketKeyOf<T> = MarketKey<<T as Config>::AssetKind>;
	/// A service order as stored.
	pub type OrderOf<T> = Order<<T as frame_system::Config>::AccountId, <T as Config>::AssetKind, BalanceOf<T>>;
	/// A device's fee sponsorship as stored.
	pub type SponsorshipOf<T> = Sponsorship<<T as frame_system::Config>::AccountId, BalanceOf<T>>;
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

		/// Registered devices: who owns them, whether they are active, where they are.
		type Devices: machina_primitives::DeviceInspect<Self::AccountId>;

		/// Devices' proven uptime (coverage).
		type Uptime: machina_primitives::UptimeInspect;

		/// The insurance pool: it pays a buyer part of a failed seller's slash.
		type Insurance: machina_primitives::InsuranceFund<Self::AccountId, BalanceOf<Self>>;

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

		/// The most markets one solution prices (one: each market has its own auction;
		/// kept as a bound of the solution's type).
		#[pallet::constant]
		type MaxMarketsPerSolution: Get<u32>;

		/// The most markets' best solutions settled in one block after a round closes
		/// (the rest settle in the next blocks).
		#[pallet::constant]
		type MaxSettlementsPerBlock: Get<u32>;

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

		/// From a service order's creation to its delivery deadline, on the clock.
		#[pallet::constant]
		type DeliveryWindow: Get<Moment>;

		/// How long a buyer may dispute a delivery receipt, on the clock.
		#[pallet::constant]
		type DisputeWindow: Get<Moment>;

		/// How long a dispute waits for a ruling before the receipt stands, on the clock:
		/// the time to take it to governance (`escalate_dispute`). An escalated dispute
		/// waits for its ruling referendum however long that takes.
		#[pallet::constant]
		type ArbitrationPeriod: Get<Moment>;

		/// The longest a dispute waits for an escalated ruling, from the dispute, on the
		/// clock: past it the receipt stands whatever the referendum's state, so neither
		/// a jammed track nor a far-off enactment freezes a payment forever.
		#[pallet::constant]
		type MaxArbitrationPeriod: Get<Moment>;

		/// The referenda that rule on disputes (`resolve_dispute` proposals).
		type Rulings: RulingReferenda;

		/// What a buyer holds to dispute (native); lost to the seller if governance
		/// rejects the dispute or the dispute lapses without a ruling.
		#[pallet::constant]
		type DisputeDeposit: Get<BalanceOf<Self>>;

		/// The storage deposit of a service order (native), set aside from its
		/// purchase's deposit.
		#[pallet::constant]
		type OrderDeposit: Get<BalanceOf<Self>>;

		/// The most orders one purchase may create.
		#[pallet::constant]
		type MaxOrdersPerPurchase: Get<u32>;

		/// The share of a failed seller's slash the insurance pool pays its buyer.
		#[pallet::constant]
		type SlaCompensation: Get<Permill>;

		/// Sorts calls into the classes a sponsor may pay a device's fees for.
		type CallClassifier: ClassifyCall<<Self as frame_system::Config>::RuntimeCall>;

		/// The account a device transacts as: its operational key's (`AccountId32` of the
		/// public key on the runtime).
		type OperationalAccount: sp_runtime::traits::Convert<machina_primitives::OperationalKey, Self::AccountId>;

		/// The period a sponsorship's allowance renews over, on the clock.
		#[pallet::constant]
		type SponsorshipPeriod: Get<Moment>;

		/// The storage deposit held per sponsored device (native).
		#[pallet::constant]
		type SponsorshipDeposit: Get<BalanceOf<Self>>;

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
		/// A service order's payment, until delivery is settled.
		OrderEscrow,
		/// Storage deposits for intents, channels, markets and sponsorships.
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

	/// Each market's best solution: of [`CurrentRound`], or of an earlier round while it
	/// waits in [`SettleQueue`].
	#[pallet::storage]
	pub type Best<T: Config> = StorageMap<_, Blake2_128Concat, MarketKeyOf<T>, BestSolutionOf<T>, OptionQuery>;

	/// Markets with a best solution, in the order they got their first one: settled from
	/// the head, `MaxSettlementsPerBlock` per block, once their round closed.
	#[pallet::storage]
	pub type SettleQueue<T: Config> = StorageMap<_, Twox64Concat, u32, MarketKeyOf<T>, OptionQuery>;

	/// (head, tail) of [`SettleQueue`].
	#[pallet::storage]
	pub type SettleQueueBounds<T: Config> = StorageValue<_, (u32, u32), ValueQuery>;

	/// How many markets' best solutions each solver holds (it may leave at zero).
	#[pallet::storage]
	pub type SolverBests<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// The highest fee a solution may take. Set by governance.
	#[pallet::storage]
	pub type SolverFeeCap<T: Config> = StorageValue<_, Permill, ValueQuery>;

	/// Open service offers by id (ids shared with swap intents).
	#[pallet::storage]
	pub type Offers<T: Config> = StorageMap<_, Twox64Concat, IntentId, OfferOf<T>, OptionQuery>;

	/// Open service purchases by id (ids shared with swap intents).
	#[pallet::storage]
	pub type Purchases<T: Config> = StorageMap<_, Twox64Concat, IntentId, PurchaseOf<T>, OptionQuery>;

	/// How many orders each open purchase created so far (at most `MaxOrdersPerPurchase`).
	#[pallet::storage]
	pub type PurchaseOrders<T: Config> = StorageMap<_, Twox64Concat, IntentId, u32, ValueQuery>;

	/// Open service offers and purchases by class, for solvers to page through.
	#[pallet::storage]
	pub type ServiceIntents<T: Config> =
		StorageDoubleMap<_, Twox64Concat, ServiceClass, Twox64Concat, IntentId, (), OptionQuery>;

	/// Open service orders by id.
	#[pallet::storage]
	pub type Orders<T: Config> = StorageMap<_, Twox64Concat, OrderId, OrderOf<T>, OptionQuery>;

	/// Each order's storage deposit (native, held from its buyer).
	#[pallet::storage]
	pub type OrderDeposits<T: Config> = StorageMap<_, Twox64Concat, OrderId, BalanceOf<T>, ValueQuery>;

	/// The referendum that rules on each escalated dispute (`escalate_dispute`); removed
	/// with its order.
	#[pallet::storage]
	pub type DisputeRulings<T: Config> = StorageMap<_, Twox64Concat, OrderId, u32, OptionQuery>;

	/// The next order id.
	#[pallet::storage]
	pub type NextOrderId<T: Config> = StorageValue<_, OrderId, ValueQuery>;

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

	/// Fee sponsorships by the sponsored device's account (its operational key's).
	#[pallet::storage]
	pub type Sponsorships<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, SponsorshipOf<T>, OptionQuery>;

	/// Device accounts this pallet keeps in existence with a sufficient reference, so a
	/// device without any balance has a nonce. Kept after the sponsorship ends if the
	/// account has sent a transaction: dropping it would reset its nonce and let its old
	/// transactions be replayed.
	#[pallet::storage]
	pub type SponsoredAccountRefs<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, (), OptionQuery>;

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
		/// A solution became its market's best this round.
		SolutionAccepted { round: RoundIndex, market: MarketKeyOf<T>, solver: T::AccountId, score: u128, fills: u32 },
		/// A solution broke a rule; its solver was slashed `slashed`.
		SolutionRejected { round: RoundIndex, solver: T::AccountId, violation: Violation, slashed: BalanceOf<T> },
		/// A market's best solution of a round settled atomically.
		RoundSettled { round: RoundIndex, market: MarketKeyOf<T>, solver: T::AccountId, score: u128, fills: u32 },
		/// A market's best solution could not settle (an asset's rules changed since it
		/// was checked); nothing moved in that market and nobody was slashed.
		SettlementFailed { round: RoundIndex, market: MarketKeyOf<T>, solver: T::AccountId, error: DispatchError },
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
		/// A device's owner offered units of a service.
		ServiceOffered {
			intent: IntentId,
			owner: T::AccountId,
			device: machina_primitives::DeviceId,
			class: ServiceClass,
			units: u32,
			min_price: BalanceOf<T>,
		},
		/// A buyer asked for units of a service and escrowed `units * max_price`.
		ServiceRequested {
			intent: IntentId,
			owner: T::AccountId,
			class: ServiceClass,
			units: u32,
			max_price: BalanceOf<T>,
		},
		/// A solution matched a purchase with an offer: an escrowed order.
		OrderCreated {
			order: OrderId,
			purchase: IntentId,
			offer: IntentId,
			device: machina_primitives::DeviceId,
			units: u32,
			price: BalanceOf<T>,
		},
		/// The device delivered `units` of an order (`content` hashes what it delivered).
		OrderDelivered { order: OrderId, units: u32, content: sp_core::H256 },
		/// The buyer disputed a delivery.
		OrderDisputed { order: OrderId },
		/// A dispute was taken to governance: it waits for `referendum` past its deadline.
		DisputeEscalated { order: OrderId, referendum: u32 },
		/// The seller was paid `paid`; `refunded` went back to the buyer.
		OrderPaid { order: OrderId, paid: BalanceOf<T>, refunded: BalanceOf<T> },
		/// Delivery failed: the buyer got its escrow back (`refunded`), the device bond was
		/// slashed `slashed`, and insurance paid the buyer `compensation`.
		OrderFailed { order: OrderId, refunded: BalanceOf<T>, slashed: BalanceOf<T>, compensation: BalanceOf<T> },
		/// `sponsor` pays `device`'s fees (as `account`) up to `allowance` per period, for
		/// `calls`.
		DeviceSponsored {
			sponsor: T::AccountId,
			device: machina_primitives::DeviceId,
			account: T::AccountId,
			allowance: BalanceOf<T>,
			calls: BoundedVec<CallClass, MaxCallClasses>,
		},
		/// A sponsorship ended. Its deposit went back to `sponsor`, or was burnt (`burnt`)
		/// because the device account it created transacted and stays in state.
		SponsorshipEnded {
			sponsor: T::AccountId,
			device: machina_primitives::DeviceId,
			account: T::AccountId,
			burnt: BalanceOf<T>,
		},
		/// `amount` moved from `sponsor` into its sponsor pot.
		SponsorPotFunded { sponsor: T::AccountId, amount: BalanceOf<T> },
		/// `amount` moved from `sponsor`'s pot back to it.
		SponsorPotWithdrawn { sponsor: T::AccountId, amount: BalanceOf<T> },
		/// `sponsor`'s pot paid `fee` (after refunds) for a transaction of `account`.
		FeeSponsored { sponsor: T::AccountId, account: T::AccountId, fee: BalanceOf<T> },
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
		/// The solution does not score higher than its market's best this round.
		NotBetter,
		/// The solution's fee is above the governance cap (`SolverFeeCap`). Refused
		/// without a slash: governance may have lowered the cap after it was computed.
		FeeAboveCap,
		/// A solution clears exactly one market: one price and that market's fills.
		OneMarketPerSolution,
		/// The market's best solution of the last round has not settled yet (a few
		/// blocks after a busy round): try again next block.
		PreviousRoundPending,
		/// The solution is valid but would not settle now (an asset refuses one of its
		/// transfers: a frozen or blocked account, a missing minimum balance); it is
		/// refused without a slash. Leave out the intent whose transfer fails.
		WouldNotSettle,
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
		/// The device is not registered, not active, or not the caller's.
		NotDeviceOwner,
		/// An offer or purchase needs at least one unit and a non-zero price.
		ZeroUnits,
		/// No such open order.
		UnknownOrder,
		/// Only the order's buyer may do this.
		NotBuyer,
		/// The order is not in the state this needs (or its deadline passed / has not).
		WrongOrderState,
		/// The referendum is not an ongoing `resolve_dispute` of this order on an origin
		/// that may rule.
		NotARuling,
		/// The dispute's escalated referendum is still undecided: it cannot be replaced,
		/// and the dispute does not lapse until it is decided (and enacted, if approved).
		RulingPending,
		/// The receipt's signature is not the device's, or (without one) the caller is
		/// neither the device's owner nor the device's own account.
		BadReceipt,
		/// A receipt cannot claim more units than were ordered.
		TooManyUnits,
		/// The device has no operational key to transact with.
		NoOperationalKey,
		/// A sponsorship must list at least one call class.
		NoCallClasses,
		/// Another sponsorship of this account is not void (its device still has this key
		/// and owner, and is not revoked).
		AlreadySponsored,
		/// The account is not sponsored.
		NotSponsored,
		/// Only the sponsor may end a sponsorship that is not void.
		NotSponsor,
		/// A new sponsorship needs the device's consent: its operational key's signature of
		/// (tag, genesis hash, device, sponsor).
		BadConsent,
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
		)
		.saturating_add(<T as Config>::WeightInfo::submit_services(solution.services.len() as u32))
		.saturating_add(T::Slasher::report_offence_weight()))]
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

		/// Offer `units` of `class` from the caller's active `device` for at least
		/// `min_price` of `asset` per unit, until `deadline`. Holds `IntentDeposit`.
		#[pallet::call_index(13)]
		pub fn offer_service(
			origin: OriginFor<T>,
			device: machina_primitives::DeviceId,
			class: ServiceClass,
			asset: T::AssetKind,
			units: u32,
			min_price: BalanceOf<T>,
			deadline: Moment,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_offer_service(who, device, class, asset, units, min_price, deadline)
		}

		/// Ask for `units` of `class` from devices that pass `filter`, for at most
		/// `max_price` of `asset` per unit, until `deadline`. Escrows `units * max_price`
		/// and holds `IntentDeposit` plus `OrderDeposit` per order it may create.
		#[pallet::call_index(14)]
		pub fn purchase_service(
			origin: OriginFor<T>,
			class: ServiceClass,
			asset: T::AssetKind,
			units: u32,
			max_price: BalanceOf<T>,
			filter: DeviceFilter,
			partial: bool,
			deadline: Moment,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_purchase_service(who, class, asset, units, max_price, filter, partial, deadline)
		}

		/// Report delivery of an order: by the device's owner, by the device itself (its
		/// operational key's account, which a sponsor may pay the fee for), or by anyone
		/// with the device's operational-key signature over ([`RECEIPT_TAG`], genesis hash,
		/// order, units, content). Before the delivery deadline.
		#[pallet::call_index(15)]
		pub fn post_receipt(
			origin: OriginFor<T>,
			order: OrderId,
			units: u32,
			content: sp_core::H256,
			signature: Option<machina_primitives::DeviceSignature>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_post_receipt(who, order, units, content, signature)
		}

		/// The buyer accepts a delivery: the seller is paid for the units delivered at
		/// once, the rest goes back.
		#[pallet::call_index(16)]
		pub fn accept_delivery(origin: OriginFor<T>, order: OrderId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_accept_delivery(who, order)
		}

		/// The buyer disputes a delivery within `DisputeWindow`, holding `DisputeDeposit`.
		/// Governance rules (`resolve_dispute`, by referendum: see `escalate_dispute`);
		/// a dispute not escalated within `ArbitrationPeriod` lapses: the receipt stands
		/// and the deposit goes to the seller.
		#[pallet::call_index(17)]
		pub fn dispute(origin: OriginFor<T>, order: OrderId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_dispute(who, order)
		}

		/// Governance rules on a dispute: upheld, the delivery failed (refund, SLA slash,
		/// compensation, the deposit back); rejected, the seller is paid and takes the
		/// buyer's dispute deposit.
		#[pallet::call_index(18)]
		#[pallet::weight(<T as Config>::WeightInfo::resolve_dispute().saturating_add(T::Slasher::report_offence_weight()))]
		pub fn resolve_dispute(origin: OriginFor<T>, order: OrderId, upheld: bool) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_resolve_dispute(order, upheld)
		}

		/// Anyone settles an order whose deadline passed: no receipt, the delivery failed
		/// (refund, SLA slash of the device's bond with the caller as reporter,
		/// compensation); a receipt not disputed in time, or a dispute not ruled on in
		/// time, pays the seller (a lapsed dispute's deposit too). A dispute waits while its
		/// ruling referendum is undecided (`RulingPending`).
		#[pallet::call_index(19)]
		#[pallet::weight(<T as Config>::WeightInfo::finish_order()
			.saturating_add(T::Slasher::report_offence_weight())
			.saturating_add(T::Rulings::query_weight())
			.saturating_add(T::DbWeight::get().reads(1)))]
		pub fn finish_order(origin: OriginFor<T>, order: OrderId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_finish_order(who, order)
		}

		/// Pay `device`'s transaction fees from the caller's sponsor pot: up to `allowance`
		/// per `SponsorshipPeriod`, for calls of the listed classes only, with no tip. The
		/// caller must own the device; the device transacts as its operational key's account,
		/// which needs no balance. A new sponsorship needs `consent`: the operational key's
		/// signature of [`Pallet::sponsor_consent_payload`] (tag, genesis hash, device,
		/// sponsor), so nobody can sponsor a key it does not control and block its device.
		/// Holds `SponsorshipDeposit`; called again, it updates the allowance and classes.
		#[pallet::call_index(20)]
		// Replacing a void sponsorship of the same key ends it first.
		#[pallet::weight(<T as Config>::WeightInfo::sponsor_device().saturating_add(<T as Config>::WeightInfo::end_sponsorship()))]
		pub fn sponsor_device(
			origin: OriginFor<T>,
			device: machina_primitives::DeviceId,
			allowance: BalanceOf<T>,
			calls: BoundedVec<CallClass, MaxCallClasses>,
			consent: Option<machina_primitives::DeviceSignature>,
		) -> DispatchResult {
			let sponsor = ensure_signed(origin)?;
			Self::do_sponsor_device(sponsor, device, allowance, calls, consent)
		}

		/// End the sponsorship of `account`. Its sponsor may always; anyone may once it is
		/// void (the device changed owner or key, left the registry, or was revoked). The
		/// deposit goes back to the sponsor, unless the account must stay in state because
		/// it transacted on the pot: then it pays for that state and is burnt.
		#[pallet::call_index(21)]
		// The benchmark's path releases the deposit; burning it also writes the total
		// issuance (a read and a write).
		#[pallet::weight(<T as Config>::WeightInfo::end_sponsorship().saturating_add(T::DbWeight::get().reads_writes(1, 1)))]
		pub fn end_sponsorship(origin: OriginFor<T>, account: T::AccountId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_end_sponsorship(who, account)
		}

		/// Move `amount` of the native token into the caller's sponsor pot.
		#[pallet::call_index(22)]
		pub fn fund_sponsor_pot(origin: OriginFor<T>, amount: BalanceOf<T>) -> DispatchResult {
			let sponsor = ensure_signed(origin)?;
			Self::do_fund_sponsor_pot(sponsor, amount)
		}

		/// Move `amount` from the caller's sponsor pot back to it (all of it empties the pot).
		#[pallet::call_index(23)]
		pub fn withdraw_sponsor_pot(origin: OriginFor<T>, amount: BalanceOf<T>) -> DispatchResult {
			let sponsor = ensure_signed(origin)?;
			Self::do_withdraw_sponsor_pot(sponsor, amount)
		}

		/// The buyer takes its dispute to governance, before the dispute's deadline:
		/// `referendum` must be an ongoing referendum whose proposal is
		/// `resolve_dispute(order, _)` on an origin that may rule (`T::Rulings`). Until it is
		/// decided (and, if approved, enacted) the dispute does not lapse, for at most
		/// `MaxArbitrationPeriod` from the dispute. An undecided escalation cannot be
		/// replaced.
		#[pallet::call_index(24)]
		pub fn escalate_dispute(origin: OriginFor<T>, order: OrderId, referendum: u32) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_escalate_dispute(who, order, referendum)
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
