//! Block authoring: authorship, collator selection, session, Aura and Aura-Ext.
//!
//! Collator selection is the interim election: invulnerables from genesis plus bonded
//! candidates. The staking issue replaces it with `pallet-staking`.

use frame_support::{
	parameter_types,
	traits::{ConstBool, ConstU32},
	weights::Weight,
	PalletId,
};
use frame_system::EnsureRoot;

use crate::{
	configs::micro_bonds::{RelayBlocks, RelayClock},
	AccountId, Aura, AuraId, Balance, Balances, BlockNumber, CollatorSelection, Runtime, RuntimeEvent, Session,
	SessionKeys, BLOCK_PROCESSING_VELOCITY, DEV_RELAY_CHAIN_MARKER, MILLI_SECS_PER_BLOCK,
	RELAY_CHAIN_SLOT_DURATION_MILLIS, RELAY_HOURS, SLOT_DURATION, UNINCLUDED_SEGMENT_CAPACITY,
};
use core::marker::PhantomData;
use frame_support::traits::{EstimateNextSessionRotation, Get};
use sp_runtime::{traits::BlockNumberProvider, Permill};

/// The consensus rules on a relay chain: at most `BLOCK_PROCESSING_VELOCITY` blocks per
/// relay chain slot (aura-ext admits V + 1), `UNINCLUDED_SEGMENT_CAPACITY` ahead of
/// inclusion, and the Aura slot equal to the relay chain's.
type RelayChainConsensusHook = cumulus_pallet_aura_ext::FixedVelocityConsensusHook<
	Runtime,
	RELAY_CHAIN_SLOT_DURATION_MILLIS,
	BLOCK_PROCESSING_VELOCITY,
	UNINCLUDED_SEGMENT_CAPACITY,
>;

/// The same rules on the dev node's mocked relay chain, but with as many blocks per relay
/// slot as the dev block time asks (`--dev-block-time` down to 100 ms), so that dev chain
/// time can follow the wall clock. Timestamps are in milliseconds and strictly increase,
/// so no slot ever holds more than `SLOT_DURATION` blocks.
type DevRelayChainConsensusHook = cumulus_pallet_aura_ext::FixedVelocityConsensusHook<
	Runtime,
	RELAY_CHAIN_SLOT_DURATION_MILLIS,
	{ SLOT_DURATION as u32 },
	UNINCLUDED_SEGMENT_CAPACITY,
>;

/// The consensus hook of async backing. It applies the dev rules only when the relay
/// chain state proof carries [`DEV_RELAY_CHAIN_MARKER`]: a real relay chain never stores
/// that key, and validators check the proof against the relay parent's state root, so a
/// collator cannot claim it on a live network.
pub struct ConsensusHook;

impl cumulus_pallet_parachain_system::consensus_hook::ConsensusHook for ConsensusHook {
	fn on_state_proof(
		state_proof: &cumulus_pallet_parachain_system::RelayChainStateProof,
	) -> (Weight, cumulus_pallet_parachain_system::consensus_hook::UnincludedSegmentCapacity) {
		let dev = matches!(state_proof.read_optional_entry::<bool>(DEV_RELAY_CHAIN_MARKER), Ok(Some(true)));
		let (weight, capacity) = if dev {
			DevRelayChainConsensusHook::on_state_proof(state_proof)
		} else {
			RelayChainConsensusHook::on_state_proof(state_proof)
		};
		(weight.saturating_add(<Runtime as frame_system::Config>::DbWeight::get().reads(1)), capacity)
	}
}

impl ConsensusHook {
	/// Whether a collator may build on `included_hash` in `new_slot` (relay chain rules;
	/// the dev node does not ask).
	pub fn can_build_upon(included_hash: crate::Hash, new_slot: sp_consensus_aura::Slot) -> bool {
		RelayChainConsensusHook::can_build_upon(included_hash, new_slot)
	}
}

impl pallet_authorship::Config for Runtime {
	type FindAuthor = pallet_session::FindAccountFromAuthorIndex<Self, Aura>;
	type EventHandler = (CollatorSelection,);
}

parameter_types! {
	/// A session lasts six hours of relay chain time.
	pub const SessionPeriod: RelayBlocks = 6 * RELAY_HOURS;
	/// A candidate that authored nothing for two sessions is dropped. Collator selection
	/// counts in parachain blocks, so this is two sessions at the target block rate.
	pub const KickThreshold: BlockNumber =
		(2 * SessionPeriod::get() as u64 * RELAY_CHAIN_SLOT_DURATION_MILLIS as u64 / MILLI_SECS_PER_BLOCK) as BlockNumber;
	/// Where fees wait until collators are paid.
	pub const PotId: PalletId = PalletId(*b"PotStake");
	/// Registering session keys holds no deposit (collators are vetted by selection).
	pub const SessionKeyDeposit: Balance = 0;
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = pallet_collator_selection::IdentityCollator;
	type ShouldEndSession = RelaySessions<SessionPeriod>;
	type NextSessionRotation = RelaySessions<SessionPeriod>;
	type SessionManager = CollatorSelection;
	type SessionHandler = <SessionKeys as sp_runtime::traits::OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	type DisablingStrategy = ();
	type WeightInfo = ();
	type Currency = Balances;
	type KeyDeposit = SessionKeyDeposit;
}

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = ConstU32<100_000>;
	// Async backing may build more than one block per relay parent; Aura-Ext bounds it.
	type AllowMultipleBlocksPerSlot = ConstBool<true>;
	type SlotDuration = ConstU64Slot;
}

parameter_types! {
	pub const ConstU64Slot: u64 = SLOT_DURATION;
}

impl cumulus_pallet_aura_ext::Config for Runtime {}

impl pallet_collator_selection::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type UpdateOrigin = EnsureRoot<AccountId>;
	type PotId = PotId;
	type MaxCandidates = ConstU32<100>;
	type MinEligibleCollators = ConstU32<1>;
	type MaxInvulnerables = ConstU32<20>;
	type KickThreshold = KickThreshold;
	type ValidatorId = AccountId;
	type ValidatorIdOf = pallet_collator_selection::IdentityCollator;
	type ValidatorRegistration = Session;
	type WeightInfo = ();
}

/// The relay chain window (`relay block / SessionPeriod`) of the current session.
#[frame_support::storage_alias(verbatim)]
pub type SessionRelayWindow = StorageValue<MachinaSessions, RelayBlocks, frame_support::pallet_prelude::OptionQuery>;

/// Sessions on the relay chain clock: a session ends in the first block whose relay
/// parent enters a new `Period`-long window, however many parachain blocks that took.
///
/// `pallet-session` asks [`ShouldEndSession`](pallet_session::ShouldEndSession) in
/// `on_initialize`, before the block's relay parent is known, so the answer there is
/// always no; the rotation runs as a post-inherents hook (`frame_system::Config::
/// PostInherents`), once the parachain inherent has set the relay parent.
pub struct RelaySessions<Period>(PhantomData<Period>);

impl<Period: Get<RelayBlocks>> RelaySessions<Period> {
	fn window(relay: RelayBlocks) -> RelayBlocks {
		relay / Period::get().max(1)
	}
}

#[cfg(feature = "try-runtime")]
impl<Period: Get<RelayBlocks>> RelaySessions<Period> {
	/// The session clock's invariant: after a block, the stored window is the window of
	/// the block's relay parent. Ahead, it would hold back every rotation until the relay
	/// chain caught up; behind, a rotation was skipped. `after_block` is false for a state
	/// not yet touched by this runtime's blocks (`on_runtime_upgrade` on a chain that
	/// predates the relay clock sessions), where no window may be set yet.
	pub fn do_try_state(after_block: bool) -> Result<(), sp_runtime::TryRuntimeError> {
		let relay = RelayClock::current_block_number();
		match SessionRelayWindow::get() {
			Some(stored) if stored > Self::window(relay) => {
				Err("SessionRelayWindow is ahead of the relay chain's clock".into())
			},
			Some(stored) if stored < Self::window(relay) => {
				Err("SessionRelayWindow is behind the relay chain's clock: a rotation was skipped".into())
			},
			None if after_block && frame_system::Pallet::<Runtime>::block_number() > 0 => {
				Err("a block ran without opening the session window".into())
			},
			_ => Ok(()),
		}
	}
}

impl<Period: Get<RelayBlocks>> pallet_session::ShouldEndSession<BlockNumber> for RelaySessions<Period> {
	fn should_end_session(_now: BlockNumber) -> bool {
		false
	}
}

impl<Period: Get<RelayBlocks>> frame_support::traits::PostInherents for RelaySessions<Period> {
	fn post_inherents() {
		let window = Self::window(RelayClock::current_block_number());
		let db = <Runtime as frame_system::Config>::DbWeight::get();
		let rotate = match SessionRelayWindow::get() {
			Some(current) if window <= current => false,
			Some(_) => true,
			// The first block after genesis (or the upgrade) opens the window.
			None => {
				SessionRelayWindow::put(window);
				false
			},
		};
		frame_system::Pallet::<Runtime>::register_extra_weight_unchecked(
			db.reads_writes(2, 1),
			frame_support::dispatch::DispatchClass::Mandatory,
		);
		if rotate {
			SessionRelayWindow::put(window);
			Session::rotate_session();
			// What a rotation reads and writes: the session's own items (index, queued
			// keys and validators, disabled set) and, per validator, its keys and Aura's
			// authority entry. Collator selection registers its own `new_session` weight.
			// Not the whole block, as `pallet-session` claims in `on_initialize`: here the
			// hook runs inside the first transaction of the block, which would then fail
			// for weight and be rolled back with the rotation, again for every candidate.
			let validators = Session::validators().len() as u64;
			frame_system::Pallet::<Runtime>::register_extra_weight_unchecked(
				db.reads_writes(8 + 2 * validators, 8 + 2 * validators),
				frame_support::dispatch::DispatchClass::Mandatory,
			);
		}
	}
}

impl<Period: Get<RelayBlocks>> EstimateNextSessionRotation<BlockNumber> for RelaySessions<Period> {
	fn average_session_length() -> BlockNumber {
		crate::para_blocks(Period::get() as u64 * RELAY_CHAIN_SLOT_DURATION_MILLIS as u64)
	}

	fn estimate_current_session_progress(_now: BlockNumber) -> (Option<Permill>, Weight) {
		let period = Period::get().max(1);
		let into = RelayClock::current_block_number() % period;
		(Some(Permill::from_rational(into, period)), <Runtime as frame_system::Config>::DbWeight::get().reads(1))
	}

	fn estimate_next_session_rotation(now: BlockNumber) -> (Option<BlockNumber>, Weight) {
		let period = Period::get().max(1);
		let left = period - RelayClock::current_block_number() % period;
		let blocks = crate::para_blocks(left as u64 * RELAY_CHAIN_SLOT_DURATION_MILLIS as u64);
		(Some(now.saturating_add(blocks)), <Runtime as frame_system::Config>::DbWeight::get().reads(1))
	}
}
