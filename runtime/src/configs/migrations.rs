//! Multi-block migrations (`pallet-migrations`): a migration too large for one block runs
//! in steps over the following blocks, during which blocks carry inherents only (no
//! transaction can see half-migrated state). The single-block ones are `crate::Migrations`.

use frame_support::{parameter_types, traits::ConstU32, weights::Weight};
use sp_runtime::Perbill;

use super::RuntimeBlockWeights;
use crate::{Runtime, RuntimeEvent};

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
	// Our cursors are a counter; kept small because every block reads the cursor.
	type CursorMaxLen = ConstU32<256>;
	type IdentifierMaxLen = ConstU32<64>;
	type MigrationStatusHandler = ();
	// A failed migration leaves state that no transaction may touch: the chain stops
	// (blocks keep only inherents) until governance, through the relay chain if need be,
	// replaces the code.
	type FailedMigrationHandler = frame_support::migrations::FreezeChainOnFailedMigration;
	type MaxServiceWeight = MigrationServiceWeight;
	type WeightInfo = pallet_migrations::weights::SubstrateWeight<Runtime>;
}
