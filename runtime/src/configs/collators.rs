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
	AccountId, Aura, AuraId, Balance, Balances, CollatorSelection, Runtime, RuntimeEvent, Session, SessionKeys,
	BLOCK_PROCESSING_VELOCITY, DEV_RELAY_CHAIN_MARKER, HOURS, RELAY_CHAIN_SLOT_DURATION_MILLIS, SLOT_DURATION,
	UNINCLUDED_SEGMENT_CAPACITY,
};

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
	/// A session lasts six hours.
	pub const Period: u32 = 6 * HOURS;
	pub const Offset: u32 = 0;
	/// Where fees wait until collators are paid.
	pub const PotId: PalletId = PalletId(*b"PotStake");
	/// Registering session keys holds no deposit (collators are vetted by selection).
	pub const SessionKeyDeposit: Balance = 0;
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = pallet_collator_selection::IdentityCollator;
	type ShouldEndSession = pallet_session::PeriodicSessions<Period, Offset>;
	type NextSessionRotation = pallet_session::PeriodicSessions<Period, Offset>;
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
	// A candidate that authored nothing in two sessions is dropped.
	type KickThreshold = Period;
	type ValidatorId = AccountId;
	type ValidatorIdOf = pallet_collator_selection::IdentityCollator;
	type ValidatorRegistration = Session;
	type WeightInfo = ();
}
