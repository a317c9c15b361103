//! Block authoring: authorship, collator selection, session, Aura and Aura-Ext.
//!
//! Collator selection is the interim election: invulnerables from genesis plus bonded
//! candidates. The staking issue replaces it with `pallet-staking`.

use frame_support::{
	parameter_types,
	traits::{ConstBool, ConstU32},
	PalletId,
};
use frame_system::EnsureRoot;

use crate::{
	AccountId, Aura, AuraId, Balance, Balances, CollatorSelection, Runtime, RuntimeEvent, Session, SessionKeys,
	BLOCK_PROCESSING_VELOCITY, HOURS, RELAY_CHAIN_SLOT_DURATION_MILLIS, SLOT_DURATION, UNINCLUDED_SEGMENT_CAPACITY,
};

/// The consensus hook of async backing: at most `BLOCK_PROCESSING_VELOCITY` blocks per
/// relay chain slot, and `UNINCLUDED_SEGMENT_CAPACITY` blocks ahead of inclusion.
pub type ConsensusHook = cumulus_pallet_aura_ext::FixedVelocityConsensusHook<
	Runtime,
	RELAY_CHAIN_SLOT_DURATION_MILLIS,
	BLOCK_PROCESSING_VELOCITY,
	UNINCLUDED_SEGMENT_CAPACITY,
>;

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
