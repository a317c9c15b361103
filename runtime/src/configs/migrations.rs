//! Multi-block migrations (`pallet-migrations`): a migration too large for one block runs
//! in steps over the following blocks, during which blocks carry inherents only and the
//! message queue is paused (no transaction or XCM program can see half-migrated state;
//! scheduled tasks, such as enacted referenda, still run). The single-block ones are
//! `crate::Migrations`.

use frame_support::{migrations::MultiStepMigrator, parameter_types, traits::ConstU32, weights::Weight};
use sp_runtime::Perbill;

use super::RuntimeBlockWeights;
use crate::{MultiBlockMigrations, Runtime, RuntimeEvent};

parameter_types! {
	/// Half of a block for migration steps: the other half stays for the inherents and
	/// the pallets' hooks, which keep running (the relay clock, sessions, coverage slots).
	pub MigrationServiceWeight: Weight = Perbill::from_percent(50) * RuntimeBlockWeights::get().max_block;
}

/// The multi-block migrations of the next upgrade, in order. Each one runs once: its id
/// is remembered (`MultiBlockMigrations::Historic`) and it is skipped on later upgrades.
#[cfg(not(feature = "runtime-benchmarks"))]
pub type MultiBlock = (crate::migrations::RemoveSudo,);

impl pallet_migrations::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	#[cfg(not(feature = "runtime-benchmarks"))]
	type Migrations = MultiBlock;
	// The pallet's benchmarks run their own mocked migrations.
	#[cfg(feature = "runtime-benchmarks")]
	type Migrations = pallet_migrations::mock_helpers::MockedMigrations;
	// Our cursors are a counter; kept small because every block reads the cursor. The
	// benchmarks' mocked migrations need the upstream bounds.
	#[cfg(not(feature = "runtime-benchmarks"))]
	type CursorMaxLen = ConstU32<256>;
	#[cfg(not(feature = "runtime-benchmarks"))]
	type IdentifierMaxLen = ConstU32<64>;
	#[cfg(feature = "runtime-benchmarks")]
	type CursorMaxLen = ConstU32<65_536>;
	#[cfg(feature = "runtime-benchmarks")]
	type IdentifierMaxLen = ConstU32<256>;
	type MigrationStatusHandler = ();
	// A failed migration leaves state that no transaction may touch: the chain keeps only
	// inherents, its cursor `Stuck`. No transaction can reach `force_set_cursor` then, and
	// new code alone restarts nothing (the stuck cursor stays): the fix is new code, set
	// through the relay chain, whose single-block migrations (they run before this pallet's
	// hook) repair the state and kill `MultiBlockMigrations::Cursor`.
	type FailedMigrationHandler = frame_support::migrations::FreezeChainOnFailedMigration;
	type MaxServiceWeight = MigrationServiceWeight;
	type WeightInfo = pallet_migrations::weights::SubstrateWeight<Runtime>;
}

/// Pauses every message queue while a multi-block migration runs.
pub struct PausedWhileMigrating;

impl<Origin> frame_support::traits::QueuePausedQuery<Origin> for PausedWhileMigrating {
	fn is_paused(_origin: &Origin) -> bool {
		MultiBlockMigrations::ongoing()
	}
}
