//! Weights for `pallet_intents`.
//!
//! PLACEHOLDERS, not generated yet: estimates from the storage each call touches, with
//! a margin. Replace with `scripts/benchmark.sh pallet_intents` output.

#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions needed for `pallet_intents`.
pub trait WeightInfo {
	fn create_market() -> Weight;
	fn remove_market() -> Weight;
	fn submit_intent() -> Weight;
	fn cancel_intent() -> Weight;
	fn expire_intent() -> Weight;
	fn register_solver() -> Weight;
	fn unregister_solver() -> Weight;
	/// `f` fills (checked, and settled in a rolled-back trial).
	fn submit_solution(f: u32) -> Weight;
	/// Settling a best solution of `f` fills at round close.
	fn settle(f: u32) -> Weight;
	/// `e` intents expired, `v` empty clock instants visited.
	fn expire_due(e: u32, v: u32) -> Weight;
	fn set_solver_fee_cap() -> Weight;
	fn open_channel() -> Weight;
	fn top_up_channel() -> Weight;
	fn claim() -> Weight;
	fn close_channel() -> Weight;
	fn offer_service() -> Weight;
	fn purchase_service() -> Weight;
	fn post_receipt() -> Weight;
	fn accept_delivery() -> Weight;
	fn dispute() -> Weight;
	fn resolve_dispute() -> Weight;
	/// The failed-delivery path (refund, slash, compensation) without the slash itself.
	fn finish_order() -> Weight;
	/// Checking `s` service matches of a solution.
	fn submit_services(s: u32) -> Weight;
	/// Settling `s` service matches into orders.
	fn settle_services(s: u32) -> Weight;
}

fn rw(r: u64, w: u64) -> Weight {
	RocksDbWeight::get().reads_writes(r, w)
}

/// Estimates (see the module docs).
impl WeightInfo for () {
	fn create_market() -> Weight {
		Weight::from_parts(120_000_000, 12_000).saturating_add(rw(10, 10))
	}
	fn remove_market() -> Weight {
		Weight::from_parts(60_000_000, 6_000).saturating_add(rw(3, 4))
	}
	fn submit_intent() -> Weight {
		Weight::from_parts(100_000_000, 12_000).saturating_add(rw(8, 9))
	}
	fn cancel_intent() -> Weight {
		Weight::from_parts(100_000_000, 12_000).saturating_add(rw(8, 9))
	}
	fn expire_intent() -> Weight {
		Self::cancel_intent()
	}
	fn register_solver() -> Weight {
		Weight::from_parts(80_000_000, 10_000).saturating_add(rw(6, 5))
	}
	fn unregister_solver() -> Weight {
		Weight::from_parts(80_000_000, 10_000).saturating_add(rw(6, 5))
	}
	fn submit_solution(f: u32) -> Weight {
		Weight::from_parts(60_000_000, 8_000)
			.saturating_add(Weight::from_parts(30_000_000, 4_000).saturating_mul(f as u64))
			.saturating_add(rw(5 + 3 * f as u64, 3))
			.saturating_add(Self::settle(f))
	}
	fn settle(f: u32) -> Weight {
		Weight::from_parts(80_000_000, 8_000)
			.saturating_add(Weight::from_parts(150_000_000, 16_000).saturating_mul(f as u64))
			.saturating_add(rw(4 + 12 * f as u64, 2 + 12 * f as u64))
	}
	fn expire_due(e: u32, v: u32) -> Weight {
		Weight::from_parts(10_000_000, 2_000)
			.saturating_add(Self::cancel_intent().saturating_mul(e as u64))
			.saturating_add(Weight::from_parts(5_000_000, 600).saturating_mul(v as u64))
			.saturating_add(rw(1 + v as u64, 1))
	}
	fn set_solver_fee_cap() -> Weight {
		Weight::from_parts(10_000_000, 0).saturating_add(rw(0, 1))
	}
	fn open_channel() -> Weight {
		Weight::from_parts(100_000_000, 10_000).saturating_add(rw(6, 6))
	}
	fn top_up_channel() -> Weight {
		Weight::from_parts(80_000_000, 10_000).saturating_add(rw(4, 4))
	}
	fn claim() -> Weight {
		Weight::from_parts(150_000_000, 12_000).saturating_add(rw(6, 6))
	}
	fn close_channel() -> Weight {
		Weight::from_parts(100_000_000, 10_000).saturating_add(rw(6, 6))
	}
	fn offer_service() -> Weight {
		Weight::from_parts(90_000_000, 10_000).saturating_add(rw(6, 6))
	}
	fn purchase_service() -> Weight {
		Weight::from_parts(110_000_000, 12_000).saturating_add(rw(7, 7))
	}
	fn post_receipt() -> Weight {
		Weight::from_parts(120_000_000, 8_000).saturating_add(rw(3, 1))
	}
	fn accept_delivery() -> Weight {
		Weight::from_parts(150_000_000, 12_000).saturating_add(rw(8, 8))
	}
	fn dispute() -> Weight {
		Weight::from_parts(80_000_000, 8_000).saturating_add(rw(3, 3))
	}
	fn resolve_dispute() -> Weight {
		Self::finish_order()
	}
	fn finish_order() -> Weight {
		Weight::from_parts(180_000_000, 16_000).saturating_add(rw(10, 10))
	}
	fn submit_services(s: u32) -> Weight {
		Weight::from_parts(60_000_000, 8_000)
			.saturating_add(Weight::from_parts(40_000_000, 6_000).saturating_mul(s as u64))
			.saturating_add(rw(4 + 6 * s as u64, 1))
			.saturating_add(Self::settle_services(s))
	}
	fn settle_services(s: u32) -> Weight {
		Weight::from_parts(20_000_000, 4_000)
			.saturating_add(Weight::from_parts(200_000_000, 16_000).saturating_mul(s as u64))
			.saturating_add(rw(10 * s as u64, 12 * s as u64))
	}
}
