//! Weights of the device-registry calls.
//!
//! Placeholder estimates until `scripts/benchmark.sh` generates this file from
//! `benchmarking.rs` run on the wasm runtime. P-256 verification dominates
//! registration: estimated here at 1 ms per certificate.

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::Weight};

/// The weight of each call.
pub trait WeightInfo {
	fn register_manufacturer(r: u32) -> Weight;
	fn add_root() -> Weight;
	fn revoke_root() -> Weight;
	fn set_manufacturer_status() -> Weight;
	fn revoke_certificate() -> Weight;
	fn register_device_x509(c: u32) -> Weight;
	fn register_device_compact() -> Weight;
	fn reattest() -> Weight;
	fn rotate_operational_key() -> Weight;
	fn set_aggregation_key() -> Weight;
	fn set_location() -> Weight;
	fn offer_transfer() -> Weight;
	fn accept_transfer() -> Weight;
	fn deregister() -> Weight;
	fn mark_revoked() -> Weight;
}

/// Estimated weights for a runtime using `T::DbWeight`.
pub struct SubstrateWeight<T>(PhantomData<T>);

fn estimate<T: frame_system::Config>(reads: u64, writes: u64, compute_us: u64, proof: u64) -> Weight {
	Weight::from_parts(compute_us * 1_000_000, proof)
		.saturating_add(T::DbWeight::get().reads(reads))
		.saturating_add(T::DbWeight::get().writes(writes))
}

impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn register_manufacturer(r: u32) -> Weight { estimate::<T>(1, 2, 20 + 100 * r as u64, 1_000) }
	fn add_root() -> Weight { estimate::<T>(1, 1, 120, 2_000) }
	fn revoke_root() -> Weight { estimate::<T>(1, 1, 20, 2_000) }
	fn set_manufacturer_status() -> Weight { estimate::<T>(1, 1, 20, 2_000) }
	fn revoke_certificate() -> Weight { estimate::<T>(4, 2, 30, 4_000) }
	fn register_device_x509(c: u32) -> Weight { estimate::<T>(12, 8, 1_500 + 1_000 * c as u64, 12_000) }
	fn register_device_compact() -> Weight { estimate::<T>(12, 8, 2_000, 12_000) }
	fn reattest() -> Weight { estimate::<T>(8, 1, 1_000, 6_000) }
	fn rotate_operational_key() -> Weight { estimate::<T>(2, 1, 1_000, 4_000) }
	fn set_aggregation_key() -> Weight { estimate::<T>(2, 1, 20_000, 4_000) }
	fn set_location() -> Weight { estimate::<T>(1, 1, 20, 3_000) }
	fn offer_transfer() -> Weight { estimate::<T>(1, 1, 20, 3_000) }
	fn accept_transfer() -> Weight { estimate::<T>(6, 6, 60, 6_000) }
	fn deregister() -> Weight { estimate::<T>(6, 7, 60, 6_000) }
	fn mark_revoked() -> Weight { estimate::<T>(5, 1, 40, 5_000) }
}

impl WeightInfo for () {
	fn register_manufacturer(_: u32) -> Weight { Weight::zero() }
	fn add_root() -> Weight { Weight::zero() }
	fn revoke_root() -> Weight { Weight::zero() }
	fn set_manufacturer_status() -> Weight { Weight::zero() }
	fn revoke_certificate() -> Weight { Weight::zero() }
	fn register_device_x509(_: u32) -> Weight { Weight::zero() }
	fn register_device_compact() -> Weight { Weight::zero() }
	fn reattest() -> Weight { Weight::zero() }
	fn rotate_operational_key() -> Weight { Weight::zero() }
	fn set_aggregation_key() -> Weight { Weight::zero() }
	fn set_location() -> Weight { Weight::zero() }
	fn offer_transfer() -> Weight { Weight::zero() }
	fn accept_transfer() -> Weight { Weight::zero() }
	fn deregister() -> Weight { Weight::zero() }
	fn mark_revoked() -> Weight { Weight::zero() }
}
