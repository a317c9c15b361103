//! XCM. MACH, the token in `Balances`, is this chain's own asset: `Here` to us,
//! `(1, Parachain(id))` to siblings. Machina is its reserve: a reserve transfer out moves
//! MACH into the destination's sovereign account here, and it comes back by
//! `WithdrawAsset` from that account. No foreign asset is held (no pallet-assets), so no
//! location is trusted as a reserve and nothing is teleported: XCM never mints MACH (the
//! relay chain's token in particular is refused).
//!
//! Execution is bought with MACH; delivery to the relay chain and to siblings is priced in
//! MACH (a base fee plus a fee per byte, times the queue's congestion factor) and charged
//! to the sender. Execution and delivery fees go to the collators' pot, like transaction
//! fees. Arbitrary `send` is root only; users move MACH with `transfer_assets`.

use core::marker::PhantomData;

use frame_support::{
	parameter_types,
	traits::{tokens::imbalance::ResolveTo, ConstU32, Contains, Disabled, Equals, Everything, Nothing},
	weights::Weight,
};
use frame_system::EnsureRoot;
use pallet_collator_selection::StakingPotAccountId;
use pallet_xcm::XcmPassthrough;
use parachains_common::xcm_config::{
	AllSiblingSystemParachains, ParentRelayOrSiblingParachains, RelayOrOtherSystemParachains,
};
use polkadot_parachain_primitives::primitives::Sibling;
use polkadot_runtime_common::xcm_sender::ExponentialPrice;
use xcm::latest::prelude::*;
use xcm_builder::{
	AccountId32Aliases, AllowExplicitUnpaidExecutionFrom, AllowKnownQueryResponses, AllowSubscriptionsFrom,
	AllowTopLevelPaidExecutionFrom, DenyRecursively, DenyReserveTransferToRelayChain, DenyThenTry, EnsureXcmOrigin,
	FixedWeightBounds, FrameTransactionalProcessor, FungibleAdapter, InspectMessageQueues, IsConcrete, ParentIsPreset,
	RelayChainAsNative, SendXcmFeeToAccount, SiblingParachainAsNative, SiblingParachainConvertsVia,
	SignedAccountId32AsNative, SignedToAccountId32, SovereignSignedViaLocation, TakeWeightCredit, TrailingSetTopicAsId,
	UsingComponents, WithComputedOrigin, WithUniqueTopic, XcmFeeManagerFromComponents,
};
use xcm_executor::XcmExecutor;

use super::{monetary::TransactionByteFee, WeightToFee};
use crate::{
	constants::currency::MILLI_UNIT, AccountId, AllPalletsWithSystem, Balances, CollatorSelection, ParachainInfo,
	ParachainSystem, PolkadotXcm, Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin, XcmpQueue,
};

parameter_types! {
	/// MACH, as this chain names it (siblings see `(1, Parachain(id))`). Also the root
	/// origin's location.
	pub const HereLocation: Location = Location::here();
	pub const RelayNetwork: Option<NetworkId> = None;
	pub RelayChainOrigin: RuntimeOrigin = cumulus_pallet_xcm::Origin::Relay.into();
	pub UniversalLocation: InteriorLocation = Parachain(ParachainInfo::parachain_id().into()).into();
	/// A conservative flat weight per XCM instruction: the executor's instructions are not
	/// benchmarked yet (`pallet_xcm`'s own calls are, see `weights/pallet_xcm.rs`).
	pub UnitWeightCost: Weight = Weight::from_parts(1_000_000_000, 64 * 1024);
	pub const MaxInstructions: u32 = 100;
	pub const MaxAssetsIntoHolding: u32 = 64;
	/// Delivery fees are paid in MACH.
	pub FeeAssetId: AssetId = AssetId(HereLocation::get());
	/// The flat part of a delivery fee (0.03 MACH); each encoded byte adds
	/// `TransactionByteFee`, and the sum is multiplied by the queue's congestion factor.
	pub const BaseDeliveryFee: u128 = 30 * MILLI_UNIT;
	/// Delivery fees go to the collators' pot, like transaction fees.
	pub StakingPotLocation: Location =
		AccountId32 { network: None, id: CollatorSelection::account_id().into() }.into();
}

/// How a `Location` maps to a local account.
pub type LocationToAccountId = (
	// The relay chain's sovereign account.
	ParentIsPreset<AccountId>,
	// Sibling parachains' sovereign accounts (where MACH sent to them is held).
	SiblingParachainConvertsVia<Sibling, AccountId>,
	// Plain 32-byte accounts on the same network.
	AccountId32Aliases<RelayNetwork, AccountId>,
);

/// MACH, and only MACH. No checking account: teleports are off, and reserve transfers
/// park MACH in the destination's sovereign account instead of burning it.
pub type LocalAssetTransactor = FungibleAdapter<Balances, IsConcrete<HereLocation>, LocationToAccountId, AccountId, ()>;

/// How an XCM origin becomes a dispatch origin for `Transact`.
pub type XcmOriginToTransactDispatchOrigin = (
	SovereignSignedViaLocation<LocationToAccountId, RuntimeOrigin>,
	RelayChainAsNative<RelayChainOrigin, RuntimeOrigin>,
	SiblingParachainAsNative<cumulus_pallet_xcm::Origin, RuntimeOrigin>,
	SignedAccountId32AsNative<RelayNetwork, RuntimeOrigin>,
	XcmPassthrough<RuntimeOrigin>,
);

/// The relay chain, or its executive body, may execute unpaid.
pub struct ParentOrParentsExecutivePlurality;
impl Contains<Location> for ParentOrParentsExecutivePlurality {
	fn contains(location: &Location) -> bool {
		matches!(location.unpack(), (1, []) | (1, [Plurality { id: BodyId::Executive, .. }]))
	}
}

/// What incoming XCM may run.
pub type Barrier = TrailingSetTopicAsId<
	DenyThenTry<
		DenyRecursively<DenyReserveTransferToRelayChain>,
		(
			TakeWeightCredit,
			// Responses to queries this chain made (version discovery, reports).
			AllowKnownQueryResponses<PolkadotXcm>,
			WithComputedOrigin<
				(
					AllowTopLevelPaidExecutionFrom<Everything>,
					AllowExplicitUnpaidExecutionFrom<ParentOrParentsExecutivePlurality>,
					// XCM version subscriptions from the relay chain and siblings.
					AllowSubscriptionsFrom<ParentRelayOrSiblingParachains>,
				),
				UniversalLocation,
				ConstU32<8>,
			>,
		),
	>,
>;

/// Delivery prices: base + bytes, times the congestion factor of the UMP queue
/// (`ParachainSystem`) or of the HRMP channel to that sibling (`XcmpQueue`).
pub type PriceForParentDelivery = ExponentialPrice<FeeAssetId, BaseDeliveryFee, TransactionByteFee, ParachainSystem>;
/// See [`PriceForParentDelivery`].
pub type PriceForSiblingParachainDelivery =
	ExponentialPrice<FeeAssetId, BaseDeliveryFee, TransactionByteFee, XcmpQueue>;

/// Refuses to send the relay chain a reserve deposit. The relay chain holds no MACH: a
/// reserve transfer there would take the sender's MACH into the relay's sovereign account
/// here and trap the message on the relay. The send fails, so the transfer is undone.
pub struct NoReserveDepositsToRelay<Router>(PhantomData<Router>);

impl<Router: SendXcm> SendXcm for NoReserveDepositsToRelay<Router> {
	type Ticket = Router::Ticket;

	fn validate(destination: &mut Option<Location>, message: &mut Option<Xcm<()>>) -> SendResult<Self::Ticket> {
		let to_relay = destination.as_ref().is_some_and(|d| d.contains_parents_only(1));
		let reserve_deposit =
			message.as_ref().is_some_and(|m| m.0.iter().any(|i| matches!(i, ReserveAssetDeposited(..))));
		if to_relay && reserve_deposit {
			return Err(SendError::Transport("the relay chain is not a destination for MACH"));
		}
		Router::validate(destination, message)
	}

	fn deliver(ticket: Self::Ticket) -> Result<XcmHash, SendError> {
		Router::deliver(ticket)
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn ensure_successful_delivery(location: Option<Location>) {
		Router::ensure_successful_delivery(location)
	}
}

impl<Router: InspectMessageQueues> InspectMessageQueues for NoReserveDepositsToRelay<Router> {
	fn clear_messages() {
		Router::clear_messages()
	}

	fn get_messages() -> alloc::vec::Vec<(xcm::VersionedLocation, alloc::vec::Vec<xcm::VersionedXcm<()>>)> {
		Router::get_messages()
	}
}

/// Where outgoing XCM goes: UMP to the relay chain, XCMP to siblings, both priced.
pub type XcmRouter = WithUniqueTopic<(
	NoReserveDepositsToRelay<
		cumulus_primitives_utility::ParentAsUmp<ParachainSystem, PolkadotXcm, PriceForParentDelivery>,
	>,
	XcmpQueue,
)>;

/// Who sends without paying delivery: root (`Here`, which has no account to charge), the
/// relay chain and system parachains.
pub type WaivedLocations = (Equals<HereLocation>, RelayOrOtherSystemParachains<AllSiblingSystemParachains, Runtime>);

pub struct XcmConfig;
impl xcm_executor::Config for XcmConfig {
	type RuntimeCall = RuntimeCall;
	type XcmSender = XcmRouter;
	type XcmEventEmitter = PolkadotXcm;
	type AssetTransactor = LocalAssetTransactor;
	type OriginConverter = XcmOriginToTransactDispatchOrigin;
	// We hold no foreign asset: no one is trusted as a reserve, so `ReserveAssetDeposited`
	// always fails with `UntrustedReserveLocation` and never reaches `mint_asset`.
	type IsReserve = ();
	type IsTeleporter = ();
	type UniversalLocation = UniversalLocation;
	type Barrier = Barrier;
	type Weigher = FixedWeightBounds<UnitWeightCost, RuntimeCall, MaxInstructions>;
	type Trader = UsingComponents<
		WeightToFee,
		HereLocation,
		AccountId,
		Balances,
		ResolveTo<StakingPotAccountId<Runtime>, Balances>,
	>;
	type ResponseHandler = PolkadotXcm;
	type AssetTrap = PolkadotXcm;
	type SubscriptionService = PolkadotXcm;
	type PalletInstancesInfo = AllPalletsWithSystem;
	type MaxAssetsIntoHolding = MaxAssetsIntoHolding;
	type AssetLocker = ();
	type AssetExchanger = ();
	type FeeManager =
		XcmFeeManagerFromComponents<WaivedLocations, SendXcmFeeToAccount<Self::AssetTransactor, StakingPotLocation>>;
	type MessageExporter = ();
	type UniversalAliases = Nothing;
	type CallDispatcher = RuntimeCall;
	type SafeCallFilter = Everything;
	type Aliasers = Nothing;
	type TransactionalProcessor = FrameTransactionalProcessor;
	type HrmpNewChannelOpenRequestHandler = ();
	type HrmpChannelAcceptedHandler = ();
	type HrmpChannelClosingHandler = ();
	type XcmRecorder = PolkadotXcm;
}

/// A local signed origin becomes an `AccountId32` location.
pub type LocalOriginToLocation = SignedToAccountId32<RuntimeOrigin, AccountId, RelayNetwork>;

impl pallet_xcm::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	// Arbitrary `send` is root only (`()` converts no signed origin; root becomes `Here`).
	// Users move MACH with `transfer_assets`, governed by `ExecuteXcmOrigin`.
	type SendXcmOrigin = EnsureXcmOrigin<RuntimeOrigin, ()>;
	type XcmRouter = XcmRouter;
	type ExecuteXcmOrigin = EnsureXcmOrigin<RuntimeOrigin, LocalOriginToLocation>;
	type XcmExecuteFilter = Nothing;
	type XcmExecutor = XcmExecutor<XcmConfig>;
	type XcmTeleportFilter = Nothing;
	type XcmReserveTransferFilter = Everything;
	type Weigher = FixedWeightBounds<UnitWeightCost, RuntimeCall, MaxInstructions>;
	type UniversalLocation = UniversalLocation;
	type RuntimeOrigin = RuntimeOrigin;
	type RuntimeCall = RuntimeCall;
	const VERSION_DISCOVERY_QUEUE_SIZE: u32 = 100;
	type AdvertisedXcmVersion = pallet_xcm::CurrentXcmVersion;
	type Currency = Balances;
	type CurrencyMatcher = IsConcrete<HereLocation>;
	type TrustedLockers = ();
	type SovereignAccountOf = LocationToAccountId;
	type MaxLockers = ConstU32<8>;
	type WeightInfo = crate::weights::pallet_xcm::WeightInfo<Runtime>;
	type AdminOrigin = EnsureRoot<AccountId>;
	type MaxRemoteLockConsumers = ConstU32<0>;
	type RemoteLockConsumerIdentifier = ();
	type AuthorizedAliasConsideration = Disabled;
}

impl cumulus_pallet_xcm::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type XcmExecutor = XcmExecutor<XcmConfig>;
}
