//! Pallet configuration, one module per concern. Machina's own pallets get one file
//! each as they land.

pub mod accounts;
pub mod assets;
pub mod collators;
pub mod coverage;
pub mod device_registry;
pub mod governance;
pub mod intents;
pub mod micro_bonds;
pub mod migrations;
mod monetary;
mod parachain;
mod system;
pub mod xcm;

pub use collators::ConsensusHook;
pub use monetary::WeightToFee;
pub use system::{RuntimeBlockLength, RuntimeBlockWeights};

/// Invariants of the runtime's own glue, outside any pallet's `try_state`: checked by the
/// `TryRuntime` API after every pallet's (`try-runtime execute-block`, `on-runtime-upgrade`).
/// `after_block`: the state is the end of a block this runtime executed.
#[cfg(feature = "try-runtime")]
pub fn try_state(after_block: bool) -> Result<(), sp_runtime::TryRuntimeError> {
	collators::RelaySessions::<collators::SessionPeriod>::do_try_state(after_block)
}
