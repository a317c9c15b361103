//! Intents: rounds, deadlines and channel expiries on the relay-chain clock (6 s blocks),
//! so they keep their length when Machina's blocks get faster.

use codec::Encode;
use frame_support::{
	parameter_types,
	traits::{ConstU32, Get},
	PalletId,
};
use frame_system::EnsureRoot;

use super::{
	assets::{AssetKind, NativeAndAssetHolds, NativeAndAssets},
	micro_bonds::{RelayBlocks, RelayClock},
};
use crate::{
	constants::currency::{deposit, UNIT},
	AccountId, Balance, MicroBonds, Runtime, RuntimeCall, RuntimeEvent, RuntimeHoldReason, Signature,
};

parameter_types! {
	/// An auction round: 2 relay blocks (12 s). Solvers see a round's intents for at
	/// least one relay block before it closes.
	pub const RoundLength: RelayBlocks = 2;
	/// What a solver commits: large enough that a slash (10% by the genesis policy)
	/// costs more than verifying a maximal solution.
	pub const SolverBond: Balance = 1_000 * UNIT;
	/// A market's storage (record, pair index) and its presence.
	pub const MarketDeposit: Balance = 10 * UNIT;
	/// An intent's storage: its record (~120 bytes) and three index entries.
	pub const IntentDeposit: Balance = deposit(4, 200);
	/// A channel's storage: its record (~150 bytes) and an index entry.
	pub const ChannelDeposit: Balance = deposit(2, 200);
	/// An intent lives at most a day (14,400 relay blocks).
	pub const MaxIntentLifetime: RelayBlocks = 14_400;
	/// A channel runs at most a week before its payer may close it.
	pub const MaxChannelLifetime: RelayBlocks = 100_800;
	/// A matched device has 10 minutes to deliver (100 relay blocks).
	pub const DeliveryWindow: RelayBlocks = 100;
	/// A buyer has 10 minutes to dispute a receipt.
	pub const DisputeWindow: RelayBlocks = 100;
	/// A buyer has a day to take a dispute to governance: to submit an `economic_admin`
	/// (or root) referendum for `resolve_dispute` and `escalate_dispute` it. An escalated
	/// dispute then waits for the referendum, which no fixed period could bound (a
	/// queued referendum does not time out), and lapses only once it is decided.
	pub const ArbitrationPeriod: RelayBlocks = 14_400;
	/// An escalated dispute waits at most this long from the dispute: the arbitration
	/// period, a referendum's wait for a decision deposit (14 days), the slowest ruling
	/// track's longest path (2 h prepare, 14 days decision, a day's confirm and
	/// enactment), and a week for a queue on a full track: about 38 days.
	pub const MaxArbitrationPeriod: RelayBlocks = ArbitrationPeriod::get()
		+ crate::configs::governance::UndecidingTimeout::get()
		+ crate::configs::governance::tracks::longest_path(crate::configs::governance::tracks::ids::ECONOMIC_ADMIN)
		+ 7 * crate::constants::time::RELAY_DAYS;
	/// A dispute costs 1 MACH if rejected, withdrawn or left to lapse.
	pub const DisputeDeposit: Balance = UNIT;
	/// An order's storage: its record (~180 bytes) and its deposit entry.
	pub const OrderDeposit: Balance = deposit(2, 220);
	/// A buyer whose device failed gets half the device's slash from insurance.
	pub const SlaCompensation: sp_runtime::Permill = sp_runtime::Permill::from_percent(50);
	pub const IntentsPalletId: PalletId = PalletId(*b"mch/ints");
	/// A sponsored device's allowance renews every hour (600 relay blocks).
	pub const SponsorshipPeriod: RelayBlocks = 600;
	/// A sponsorship's storage: its record (~130 bytes), and the device account it keeps.
	pub const SponsorshipDeposit: Balance = deposit(2, 260);
}

/// The calls a sponsor may pay a device's fees for, by class. Everything else (transfers,
/// batches, proxies, governance) is never sponsored: a device key cannot move its
/// sponsor's money, only spend the allowance on device work.
pub struct SponsoredCalls;
impl pallet_intents::ClassifyCall<RuntimeCall> for SponsoredCalls {
	fn classify(call: &RuntimeCall) -> Option<pallet_intents::CallClass> {
		use pallet_intents::{Call as I, CallClass};
		match call {
			RuntimeCall::Intents(I::post_receipt { .. }) => Some(CallClass::Receipts),
			RuntimeCall::Intents(
				I::open_channel { .. } | I::top_up_channel { .. } | I::claim { .. } | I::close_channel { .. },
			) => Some(CallClass::Channels),
			// Pot and sponsorship management is the owner's business, never the device's.
			RuntimeCall::Intents(
				I::sponsor_device { .. }
				| I::end_sponsorship { .. }
				| I::fund_sponsor_pot { .. }
				| I::withdraw_sponsor_pot { .. },
			) => None,
			RuntimeCall::Intents(_) => Some(CallClass::Intents),
			RuntimeCall::Coverage(_) => Some(CallClass::Coverage),
			RuntimeCall::DeviceRegistry(_) => Some(CallClass::Devices),
			_ => None,
		}
	}
}

/// The public referenda that rule on disputes: `resolve_dispute` is their proposal and
/// they dispatch as `EconomicAdmin` or root (the pallet's `AdminOrigin`).
pub struct DisputeRulings;

/// The longest a ruling may ask its enactment to wait (`DispatchTime::After`); the tracks
/// that rule wait at least their minimum (a day) anyway.
pub const RULING_MAX_ENACTMENT_DELAY: RelayBlocks = crate::constants::time::RELAY_DAYS;

/// How long after its approval a ruling counts as undecided: its enactment (at most a
/// day, above) and a day's grace for a postponed task (an overweight or full agenda).
/// Read from the approval time, not from the scheduler, whose lookup entry is gone
/// while a postponed task waits.
pub const RULING_ENACTMENT_BOUND: RelayBlocks = 2 * crate::constants::time::RELAY_DAYS;

impl pallet_intents::RulingReferenda for DisputeRulings {
	fn rules_on(index: u32, order: pallet_intents::OrderId) -> bool {
		use frame_support::traits::{schedule::DispatchTime, Bounded};
		use sp_runtime::traits::{BlakeTwo256, Hash};
		let Some(pallet_referenda::ReferendumInfo::Ongoing(status)) =
			pallet_referenda::ReferendumInfoFor::<Runtime>::get(index)
		else {
			return false;
		};
		let may_rule = matches!(
			status.origin,
			crate::OriginCaller::system(frame_system::RawOrigin::Root)
				| crate::OriginCaller::Origins(crate::configs::governance::origins::Origin::EconomicAdmin)
		);
		let enacts_soon = matches!(status.enactment, DispatchTime::After(delay) if delay <= RULING_MAX_ENACTMENT_DELAY);
		// The call itself, inline or as a preimage of its exact length (a wrong length
		// would never be found, and the ruling never enacted).
		let is_ruling = [true, false].into_iter().any(|upheld| {
			let call = RuntimeCall::Intents(pallet_intents::Call::resolve_dispute { order, upheld }).encode();
			match &status.proposal {
				Bounded::Inline(bytes) => bytes[..] == call[..],
				Bounded::Lookup { hash, len } => *hash == BlakeTwo256::hash(&call) && *len as usize == call.len(),
				Bounded::Legacy { .. } => false,
			}
		});
		may_rule && enacts_soon && is_ruling
	}

	fn undecided(index: u32) -> bool {
		use sp_runtime::traits::BlockNumberProvider;
		match pallet_referenda::ReferendumInfoFor::<Runtime>::get(index) {
			Some(pallet_referenda::ReferendumInfo::Ongoing(_)) => true,
			Some(pallet_referenda::ReferendumInfo::Approved(approved, ..)) => {
				RelayClock::current_block_number() < approved.saturating_add(RULING_ENACTMENT_BOUND)
			},
			_ => false,
		}
	}

	fn query_weight() -> frame_support::weights::Weight {
		// A referendum: 366 bytes at most upstream; ours, with a larger origin, within 1 KiB.
		<Runtime as frame_system::Config>::DbWeight::get()
			.reads(1)
			.saturating_add(frame_support::weights::Weight::from_parts(0, 3_500))
	}
}

/// A device transacts as its operational key's account: the key's 32 bytes, as for any
/// sr25519 or ed25519 account.
pub struct OperationalKeyAccount;
impl sp_runtime::traits::Convert<machina_primitives::OperationalKey, AccountId> for OperationalKeyAccount {
	fn convert(key: machina_primitives::OperationalKey) -> AccountId {
		match key {
			machina_primitives::OperationalKey::Ed25519(k) => k.0.into(),
			machina_primitives::OperationalKey::Sr25519(k) => k.0.into(),
		}
	}
}

/// The native asset, MACH.
pub struct Native;
impl Get<AssetKind> for Native {
	fn get() -> AssetKind {
		AssetKind::Native
	}
}

/// Markets settled per block after a round: a 64-fill batch weighs ~77 ms with its
/// database accesses (126 µs of compute and 16 accesses per fill), so two take at most
/// ~155 ms of a 2 s block; busier rounds settle over the next blocks. A 500 ms block
/// (velocity 12) has 166 ms in all: one.
pub const MAX_SETTLEMENTS_PER_BLOCK: u32 = if crate::BLOCK_PROCESSING_VELOCITY > 3 { 1 } else { 2 };

impl pallet_intents::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Balance = Balance;
	type AssetKind = AssetKind;
	type Assets = NativeAndAssets;
	type AssetHolds = NativeAndAssetHolds;
	type NativeAsset = Native;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Clock = RelayClock;
	type Bonds = MicroBonds;
	type Slasher = MicroBonds;
	type Devices = crate::DeviceRegistry;
	type Uptime = crate::Coverage;
	type Insurance = MicroBonds;
	type Signature = Signature;
	// Solver fee caps, market removal, disputes: an `economic_admin` referendum (or root).
	type AdminOrigin =
		frame_support::traits::EitherOf<EnsureRoot<AccountId>, crate::configs::governance::origins::EconomicAdmin>;
	type PalletId = IntentsPalletId;
	type RoundLength = RoundLength;
	type SolverBond = SolverBond;
	// Large enough that squatting every slot costs a million MACH of locked bond.
	type MaxSolvers = ConstU32<1_024>;
	type MaxFills = ConstU32<64>;
	// Each market has its own auction.
	type MaxMarketsPerSolution = ConstU32<1>;
	type MaxSettlementsPerBlock = ConstU32<MAX_SETTLEMENTS_PER_BLOCK>;
	type MaxMarkets = ConstU32<1_024>;
	type MarketDeposit = MarketDeposit;
	type IntentDeposit = IntentDeposit;
	type MaxIntentsPerAccount = ConstU32<64>;
	type MaxIntentLifetime = MaxIntentLifetime;
	type MaxExpiriesPerBlock = ConstU32<32>;
	type ChannelDeposit = ChannelDeposit;
	type MaxChannelsPerPayer = ConstU32<32>;
	type MaxChannelLifetime = MaxChannelLifetime;
	type DeliveryWindow = DeliveryWindow;
	type DisputeWindow = DisputeWindow;
	type ArbitrationPeriod = ArbitrationPeriod;
	type MaxArbitrationPeriod = MaxArbitrationPeriod;
	type Rulings = DisputeRulings;
	type DisputeDeposit = DisputeDeposit;
	type OrderDeposit = OrderDeposit;
	type MaxOrdersPerPurchase = ConstU32<16>;
	type SlaCompensation = SlaCompensation;
	type CallClassifier = SponsoredCalls;
	type OperationalAccount = OperationalKeyAccount;
	type SponsorshipPeriod = SponsorshipPeriod;
	type SponsorshipDeposit = SponsorshipDeposit;
	type WeightInfo = pallet_intents::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = IntentsBenchmarks;
}

/// Tokens, funds, solver bonds and voucher keys for the intents benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct IntentsBenchmarks;

#[cfg(feature = "runtime-benchmarks")]
const VOUCHER_KEY: sp_core::crypto::KeyTypeId = sp_core::crypto::KeyTypeId(*b"ints");

#[cfg(feature = "runtime-benchmarks")]
impl pallet_intents::benchmarking::BenchmarkHelper<Runtime> for IntentsBenchmarks {
	fn market_assets(n: u32) -> (AssetKind, AssetKind) {
		let ids = [1_000 + 2 * n, 1_001 + 2 * n];
		for id in ids {
			if !pallet_assets::Asset::<Runtime>::contains_key(id) {
				let owner: AccountId = sp_runtime::AccountId32::new([0x77; 32]);
				crate::Assets::force_create(crate::RuntimeOrigin::root(), id.into(), owner.into(), true, 1)
					.expect("creates");
			}
		}
		(AssetKind::WithId(ids[0]), AssetKind::WithId(ids[1]))
	}
	fn fund(asset: AssetKind, who: &AccountId, amount: Balance) {
		use frame_support::traits::fungibles::Mutate;
		NativeAndAssets::mint_into(asset, who, amount).expect("mints");
	}
	fn bond_solver(who: &AccountId) {
		use frame_support::traits::fungible::Mutate;
		crate::Balances::mint_into(who, SolverBond::get() * 2).expect("mints");
		MicroBonds::bond(
			crate::RuntimeOrigin::signed(who.clone()),
			machina_primitives::BondPurpose::Solver,
			SolverBond::get(),
		)
		.expect("bonds");
	}
	fn set_clock(at: u32) {
		use sp_runtime::traits::BlockNumberProvider;
		RelayClock::set_block_number(at);
	}
	fn voucher_signer() -> AccountId {
		sp_io::crypto::sr25519_generate(VOUCHER_KEY, Some(b"//voucher".to_vec())).into()
	}
	fn register_device(owner: &AccountId, n: u32) -> machina_primitives::DeviceId {
		use frame_support::traits::fungible::Mutate;
		use machina_primitives::{BondManager, BondPurpose, OperationalKey};
		let id = sp_core::H256(sp_io::hashing::blake2_256(&(b"intents-bench", n).encode()));
		let key = sp_io::crypto::sr25519_generate(VOUCHER_KEY, Some(alloc::format!("//device{n}").into_bytes()));
		crate::DeviceRegistry::insert_benchmark_device(owner, id, OperationalKey::Sr25519(key), None);
		let bond = crate::configs::device_registry::DeviceBond::get();
		crate::Balances::mint_into(owner, bond * 2).expect("mints");
		MicroBonds::bond(crate::RuntimeOrigin::signed(owner.clone()), BondPurpose::Device, bond).expect("bonds");
		<MicroBonds as BondManager<_, _>>::require_bond(owner, BondPurpose::Device, id, bond).expect("commits");
		id
	}
	fn device_sign(n: u32, payload: &[u8]) -> machina_primitives::DeviceSignature {
		let key = sp_io::crypto::sr25519_generate(VOUCHER_KEY, Some(alloc::format!("//device{n}").into_bytes()));
		machina_primitives::DeviceSignature::Sr25519(
			sp_io::crypto::sr25519_sign(VOUCHER_KEY, &key, payload).expect("key in keystore"),
		)
	}
	fn open_ruling(order: pallet_intents::OrderId) -> u32 {
		use frame_support::traits::{fungible::Mutate, schedule::DispatchTime, StorePreimage};
		let who: AccountId = sp_runtime::AccountId32::new([0x78; 32]);
		crate::Balances::mint_into(&who, 1_000 * UNIT).expect("mints");
		let call = RuntimeCall::Intents(pallet_intents::Call::resolve_dispute { order, upheld: true });
		let index = pallet_referenda::ReferendumCount::<Runtime>::get();
		crate::Referenda::submit(
			crate::RuntimeOrigin::signed(who),
			alloc::boxed::Box::new(crate::OriginCaller::Origins(
				crate::configs::governance::origins::Origin::EconomicAdmin,
			)),
			crate::Preimage::bound(call).expect("small call"),
			DispatchTime::After(0),
		)
		.expect("submits");
		index
	}
	fn sign(signer: &AccountId, payload: &[u8]) -> Signature {
		let public = sp_core::sr25519::Public::from_raw(*signer.as_ref());
		sp_io::crypto::sr25519_sign(VOUCHER_KEY, &public, payload).expect("key in keystore").into()
	}
}
