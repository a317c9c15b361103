//! Weights of the micro-bonds calls.
//!
//! NOT YET GENERATED. The values below are estimates (storage accesses at RocksDB
//! costs plus a flat compute term) until `benchmarking.rs` is run through
//! `frame-omni-bencher` on the wasm runtime and this file is replaced by its output.

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::Weight};

/// The weight of each call.
pub trait WeightInfo {
	fn bond() -> Weight;
	fn bond_extra() -> Weight;
	fn unbond() -> Weight;
	fn rebond(c: u32) -> Weight;
	fn withdraw_unbonded(c: u32) -> Weight;
	fn set_slash_policy() -> Weight;
	fn set_max_commission() -> Weight;
	fn create_pool() -> Weight;
	fn join_pool() -> Weight;
	fn leave_pool() -> Weight;
	fn withdraw_pool(c: u32) -> Weight;
	fn claim_pool_rewards() -> Weight;
	fn reward_pool() -> Weight;
	fn set_pool_commission() -> Weight;
	fn destroy_pool() -> Weight;
	fn pay_insurance() -> Weight;
	fn report_offence(c: u32) -> Weight;
	fn report_offence_pool_members(m: u32) -> Weight;
}

/// Estimated weights for a runtime using `T::DbWeight`.
pub struct SubstrateWeight<T>(PhantomData<T>);

fn estimate<T: frame_system::Config>(reads: u64, writes: u64, compute_ns: u64, proof: u64) -> Weight {
	Weight::from_parts(compute_ns * 1_000, proof)
		.saturating_add(T::DbWeight::get().reads(reads))
		.saturating_add(T::DbWeight::get().writes(writes))
}

impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn bond() -> Weight { estimate::<T>(3, 3, 40, 4_000) }
	fn bond_extra() -> Weight { estimate::<T>(3, 3, 40, 4_000) }
	fn unbond() -> Weight { estimate::<T>(1, 1, 25, 3_000) }
	fn rebond(c: u32) -> Weight { estimate::<T>(1, 1, 25 + c as u64, 3_000) }
	fn withdraw_unbonded(c: u32) -> Weight { estimate::<T>(3, 3, 40 + c as u64, 4_000) }
	fn set_slash_policy() -> Weight { estimate::<T>(0, 1, 10, 0) }
	fn set_max_commission() -> Weight { estimate::<T>(0, 1, 10, 0) }
	fn create_pool() -> Weight { estimate::<T>(8, 9, 90, 8_000) }
	fn join_pool() -> Weight { estimate::<T>(6, 6, 70, 7_000) }
	fn leave_pool() -> Weight { estimate::<T>(4, 4, 50, 6_000) }
	fn withdraw_pool(c: u32) -> Weight { estimate::<T>(5, 5, 60 + c as u64, 7_000) }
	fn claim_pool_rewards() -> Weight { estimate::<T>(4, 3, 45, 6_000) }
	fn reward_pool() -> Weight { estimate::<T>(4, 4, 50, 6_000) }
	fn set_pool_commission() -> Weight { estimate::<T>(2, 1, 15, 3_000) }
	fn destroy_pool() -> Weight { estimate::<T>(8, 8, 90, 8_000) }
	fn pay_insurance() -> Weight { estimate::<T>(3, 3, 40, 4_000) }
	fn report_offence(c: u32) -> Weight { estimate::<T>(8, 8, 100 + c as u64, 8_000) }
	fn report_offence_pool_members(_: u32) -> Weight { estimate::<T>(8, 8, 100, 8_000) }
}

impl WeightInfo for () {
	fn bond() -> Weight { Weight::zero() }
	fn bond_extra() -> Weight { Weight::zero() }
	fn unbond() -> Weight { Weight::zero() }
	fn rebond(_: u32) -> Weight { Weight::zero() }
	fn withdraw_unbonded(_: u32) -> Weight { Weight::zero() }
	fn set_slash_policy() -> Weight { Weight::zero() }
	fn set_max_commission() -> Weight { Weight::zero() }
	fn create_pool() -> Weight { Weight::zero() }
	fn join_pool() -> Weight { Weight::zero() }
	fn leave_pool() -> Weight { Weight::zero() }
	fn withdraw_pool(_: u32) -> Weight { Weight::zero() }
	fn claim_pool_rewards() -> Weight { Weight::zero() }
	fn reward_pool() -> Weight { Weight::zero() }
	fn set_pool_commission() -> Weight { Weight::zero() }
	fn destroy_pool() -> Weight { Weight::zero() }
	fn pay_insurance() -> Weight { Weight::zero() }
	fn report_offence(_: u32) -> Weight { Weight::zero() }
	fn report_offence_pool_members(_: u32) -> Weight { Weight::zero() }
}
