//! Weights of upstream pallets, generated for this runtime by `scripts/benchmark.sh`.

pub mod pallet_xcm;
