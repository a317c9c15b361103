//! Migrations run on runtime upgrades, beyond the pallets' own.

#[cfg(feature = "try-runtime")]
use alloc::vec::Vec;
use codec::{Decode, Encode, MaxEncodedLen};
use frame_support::{
	migrations::{SteppedMigration, SteppedMigrationError},
	pallet_prelude::ValueQuery,
	storage_alias,
	traits::{Get, OnRuntimeUpgrade},
	weights::{Weight, WeightMeter},
	BoundedVec, Twox64Concat,
};
use pallet_migrations::WeightInfo as _;
use sp_io::KillStorageResult;
use sp_runtime::{traits::BlockNumberProvider, SaturatedConversion};

use crate::{configs::micro_bonds::RelayClock, AccountId, Balance, BlockNumber, Hash, Runtime, System};

type MigrationWeights = <Runtime as pallet_migrations::Config>::WeightInfo;

/// The least time between two blocks before spec 7: velocity 1 admitted two blocks per
/// 6 s relay slot.
const OLD_MIN_MILLI_SECS_PER_BLOCK: u32 = 3000;

/// A proxy announcement as `pallet-proxy` stores it (its fields are private there; the
/// encoding is the same).
#[derive(Encode, Decode, MaxEncodedLen, Clone, PartialEq, Debug, scale_info::TypeInfo)]
pub struct StoredAnnouncement {
	pub real: AccountId,
	pub call_hash: Hash,
	pub height: BlockNumber,
}

type MaxPending = <Runtime as pallet_proxy::Config>::MaxPending;

#[storage_alias(pallet_name)]
type Announcements = StorageMap<
	crate::Proxy,
	Twox64Concat,
	AccountId,
	(BoundedVec<StoredAnnouncement, MaxPending>, Balance),
	ValueQuery,
>;

/// Spec 7 moves `pallet-proxy` from parachain blocks to the relay chain clock (blocks
/// become faster, announcement delays must not). A stored announcement height is a
/// parachain block; it becomes a relay block no earlier than the announcement: the relay
/// parent now, less the least time the blocks since can have taken (before spec 7 at
/// most two blocks shared a 6 s relay slot, so 3 s each). A delay is never shortened;
/// it may run up to half of the time already waited longer. Proxy delays were counted
/// in 6 s blocks and are now counted in 6 s relay blocks: unchanged.
///
/// Every other duration was already on the relay clock or in seconds; sessions move to
/// the relay clock without stored state (`RelaySessions` starts its window at the first
/// block after the upgrade).
///
/// Runs only when upgrading from a spec before 7 (`LastRuntimeUpgrade`, which the
/// executive updates after the migrations): a chain that starts at spec 7 or later
/// stores relay heights already and is never touched, even if this stays listed.
pub struct RelayClockV1;

/// The first spec on the relay clock.
pub const RELAY_CLOCK_SPEC: u32 = 7;

impl RelayClockV1 {
	/// `height` (a parachain block before spec 7) as a relay block no earlier than it.
	pub fn relay_height(height: BlockNumber, para_now: BlockNumber, relay_now: BlockNumber) -> BlockNumber {
		let least_ago_ms = para_now.saturating_sub(height).saturating_mul(OLD_MIN_MILLI_SECS_PER_BLOCK);
		relay_now.saturating_sub(least_ago_ms / crate::RELAY_CHAIN_SLOT_DURATION_MILLIS)
	}

	/// Whether the chain is upgrading from a spec before [`RELAY_CLOCK_SPEC`].
	pub fn due() -> bool {
		frame_system::LastRuntimeUpgrade::<Runtime>::get().is_some_and(|last| last.spec_version.0 < RELAY_CLOCK_SPEC)
	}
}

impl OnRuntimeUpgrade for RelayClockV1 {
	fn on_runtime_upgrade() -> Weight {
		let db = <Runtime as frame_system::Config>::DbWeight::get();
		if !Self::due() {
			return db.reads(1);
		}
		let para_now = System::block_number();
		// In `on_runtime_upgrade` the relay clock is the previous block's relay parent.
		let relay_now = RelayClock::current_block_number();
		let mut entries = 0u64;
		Announcements::translate_values::<(BoundedVec<StoredAnnouncement, MaxPending>, Balance), _>(
			|(mut pending, deposit)| {
				entries += 1;
				for announcement in pending.iter_mut() {
					announcement.height = Self::relay_height(announcement.height, para_now, relay_now);
				}
				Some((pending, deposit))
			},
		);
		log::info!(target: "runtime::migrations", "RelayClockV1: {entries} proxy announcement lists on the relay clock");
		db.reads_writes(entries + 3, entries)
	}

	#[cfg(feature = "try-runtime")]
	fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
		let total: u32 = Announcements::iter_values().map(|(pending, _)| pending.len() as u32).sum();
		Ok(total.encode())
	}

	#[cfg(feature = "try-runtime")]
	fn post_upgrade(state: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
		let before = u32::decode(&mut &state[..]).map_err(|_| "pre_upgrade state")?;
		let after: u32 = Announcements::iter_values().map(|(pending, _)| pending.len() as u32).sum();
		frame_support::ensure!(before == after, "announcements lost");
		let relay_now = RelayClock::current_block_number();
		frame_support::ensure!(
			Announcements::iter_values().all(|(pending, _)| pending.iter().all(|a| a.height <= relay_now)),
			"an announcement in the future"
		);
		Ok(())
	}
}

frame_support::parameter_types! {
	pub const SudoPalletName: &'static str = "Sudo";
}

/// Spec 8 replaces the sudo key with OpenGov: `pallet-sudo`'s storage (the key) is
/// removed, so that no state refers to a pallet the runtime no longer has.
pub type RemoveSudo = RemovePalletStepped<SudoPalletName>;

/// The least proof size charged per removed key: a trie leaf of a hashed map key with its
/// branch share (the benchmark measured 39 bytes on short keys).
const MIN_PROOF_PER_KEY: u64 = 150;

/// Removes every key of a pallet the runtime no longer has, as many keys per block as the
/// migration weight allows: unlike `frame_support::migrations::RemovePallet`, which deletes
/// all in the upgrade block, a pallet of any size fits. Blocks carry no transactions
/// until it is done. Each step's weight is `pallet-migrations`' benchmark of removing keys.
pub struct RemovePalletStepped<Name>(core::marker::PhantomData<Name>);

impl<Name: Get<&'static str>> RemovePalletStepped<Name> {
	/// The pallet's storage prefix.
	pub fn prefix() -> [u8; 16] {
		sp_io::hashing::twox_128(Name::get().as_bytes())
	}

	/// How many keys are left under the prefix (try-runtime and tests).
	pub fn keys_left() -> u64 {
		let prefix = Self::prefix();
		frame_support::storage::KeyPrefixIterator::new(prefix.to_vec(), prefix.to_vec(), |_| Ok(())).count() as u64
	}
}

impl<Name: Get<&'static str>> SteppedMigration for RemovePalletStepped<Name> {
	/// Keys removed so far (informative: each step starts at the prefix again, the keys
	/// removed before are gone).
	type Cursor = u64;
	type Identifier = [u8; 16];

	fn id() -> Self::Identifier {
		("machina::RemovePalletStepped", Name::get()).using_encoded(sp_io::hashing::twox_128)
	}

	fn step(cursor: Option<u64>, meter: &mut WeightMeter) -> Result<Option<u64>, SteppedMigrationError> {
		let base = MigrationWeights::reset_pallet_migration(0);
		// The benchmark's keys are short; a pallet's hashed map keys cost the proof more.
		let per_key = MigrationWeights::reset_pallet_migration(1).saturating_sub(base);
		let per_key = per_key.max(Weight::from_parts(per_key.ref_time(), MIN_PROOF_PER_KEY));
		let one_key = base.saturating_add(per_key);
		let budget: u32 = meter
			.remaining()
			.saturating_sub(base)
			.checked_div_per_component(&per_key)
			.unwrap_or_default()
			.saturated_into();
		if budget == 0 {
			// A step that could never fit fails; one that only finds this block used up
			// by other migrations waits for the next (failing would freeze the chain).
			return if meter.limit().all_gte(one_key) {
				Ok(Some(cursor.unwrap_or_default()))
			} else {
				Err(SteppedMigrationError::InsufficientWeight { required: one_key })
			};
		}
		let (removed, done) = match sp_io::storage::clear_prefix(&Self::prefix(), Some(budget)) {
			KillStorageResult::AllRemoved(n) => (n, true),
			KillStorageResult::SomeRemaining(n) => (n, false),
		};
		meter.consume(base.saturating_add(per_key.saturating_mul(removed.into())));
		let total = cursor.unwrap_or_default().saturating_add(removed.into());
		log::info!(target: "runtime::migrations", "RemovePalletStepped<{}>: {total} keys removed", Name::get());
		Ok((!done).then_some(total))
	}

	#[cfg(feature = "try-runtime")]
	fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
		Ok(Self::keys_left().encode())
	}

	#[cfg(feature = "try-runtime")]
	fn post_upgrade(_state: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
		frame_support::ensure!(Self::keys_left() == 0, "keys left under a removed pallet");
		Ok(())
	}
}
