//! H3 cell indexes (Uber's hexagonal hierarchical grid), validated without the H3
//! library so the check runs inside the runtime.
//!
//! Layout of a 64-bit H3 cell index, most significant bit first:
//! 1 reserved bit (0), 4 bits mode (1 = cell), 3 reserved bits (0), 4 bits resolution
//! (0..=15), 7 bits base cell (0..=121), then 15 digits of 3 bits each. Digits up to
//! the resolution are 0..=6; digits below it are 7. A pentagon base cell has no
//! sub-cell whose first non-zero digit is 1 (the "K axis" is deleted).

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::fmt::Debug;
use scale_info::TypeInfo;

/// The highest H3 resolution.
pub const MAX_RESOLUTION: u8 = 15;
const NUM_BASE_CELLS: u8 = 122;
const CELL_MODE: u64 = 1;
/// Base cells that are pentagons.
const PENTAGON_BASE_CELLS: [u8; 12] = [4, 14, 24, 38, 49, 58, 63, 72, 83, 97, 107, 117];

/// Why a `u64` is not a valid H3 cell index.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum H3Error {
	/// The reserved high bit is set.
	HighBitSet,
	/// Not in cell mode (edges and vertices are not locations).
	NotACell,
	/// The reserved bits after the mode are not zero.
	ReservedBitsSet,
	/// The base cell is 122 or more.
	InvalidBaseCell,
	/// A digit at or above the resolution is 7, or one below it is not 7.
	InvalidDigit,
	/// A pentagon sub-cell on the deleted K axis.
	DeletedPentagonSubsequence,
}

/// A validated H3 cell index. Construct it with [`H3Cell::new`]; a decoded value is
/// checked again where it enters a pallet (`H3Cell::validate`), since SCALE decoding
/// cannot reject it.
#[derive(
	Clone,
	Copy,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Hash,
	serde::Serialize,
	serde::Deserialize,
)]
pub struct H3Cell(u64);

impl H3Cell {
	/// Check `index` and wrap it.
	pub fn new(index: u64) -> Result<Self, H3Error> {
		let cell = H3Cell(index);
		cell.validate()?;
		Ok(cell)
	}

	/// The raw 64-bit index.
	pub fn index(&self) -> u64 {
		self.0
	}

	/// Resolution, 0 (coarsest) to 15.
	pub fn resolution(&self) -> u8 {
		((self.0 >> 52) & 0xF) as u8
	}

	/// Base cell, 0 to 121.
	pub fn base_cell(&self) -> u8 {
		((self.0 >> 45) & 0x7F) as u8
	}

	/// Digit `r` (1-based resolution level).
	fn digit(&self, r: u8) -> u8 {
		((self.0 >> ((MAX_RESOLUTION - r) as u64 * 3)) & 0x7) as u8
	}

	/// Check every structural rule of an H3 cell index.
	pub fn validate(&self) -> Result<(), H3Error> {
		let h = self.0;
		if h >> 63 != 0 {
			return Err(H3Error::HighBitSet);
		}
		if (h >> 59) & 0xF != CELL_MODE {
			return Err(H3Error::NotACell);
		}
		if (h >> 56) & 0x7 != 0 {
			return Err(H3Error::ReservedBitsSet);
		}
		if self.base_cell() >= NUM_BASE_CELLS {
			return Err(H3Error::InvalidBaseCell);
		}
		let res = self.resolution();
		for r in 1..=MAX_RESOLUTION {
			let d = self.digit(r);
			if (r <= res && d == 7) || (r > res && d != 7) {
				return Err(H3Error::InvalidDigit);
			}
		}
		if PENTAGON_BASE_CELLS.contains(&self.base_cell()) {
			if let Some(first) = (1..=res).map(|r| self.digit(r)).find(|d| *d != 0) {
				if first == 1 {
					return Err(H3Error::DeletedPentagonSubsequence);
				}
			}
		}
		Ok(())
	}

	/// The ancestor of this cell at resolution `res` (`None` if `res` is finer).
	pub fn parent(&self, res: u8) -> Option<H3Cell> {
		let own = self.resolution();
		if res > own {
			return None;
		}
		let mut h = self.0 & !(0xF << 52) | ((res as u64) << 52);
		for r in (res + 1)..=MAX_RESOLUTION {
			h |= 0x7 << ((MAX_RESOLUTION - r) as u64 * 3);
		}
		Some(H3Cell(h))
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	// The H3 documentation's example cell (San Francisco, resolution 9), and its
	// resolution-5 ancestor: the same digits 1..=5, then 7s.
	const SF_RES9: u64 = 0x8928308280fffff;
	const SF_RES5: u64 = 0x85283083fffffff;
	// A resolution 0 base cell.
	const BASE_RES0: u64 = 0x8001fffffffffff;

	#[test]
	fn accepts_reference_cells() {
		for idx in [SF_RES9, SF_RES5, BASE_RES0] {
			assert!(H3Cell::new(idx).is_ok(), "{idx:x}");
		}
		let c = H3Cell::new(SF_RES9).unwrap();
		assert_eq!(c.resolution(), 9);
		assert_eq!(c.base_cell(), 20);
	}

	#[test]
	fn parent_matches_reference() {
		let c = H3Cell::new(SF_RES9).unwrap();
		assert_eq!(c.parent(5).unwrap().index(), SF_RES5);
		assert_eq!(c.parent(9), Some(c));
		assert_eq!(c.parent(10), None);
	}

	#[test]
	fn rejects_malformed_indexes() {
		assert_eq!(H3Cell::new(0), Err(H3Error::NotACell));
		assert_eq!(H3Cell::new(SF_RES9 | 1 << 63), Err(H3Error::HighBitSet));
		// Edge mode (2) instead of cell mode.
		assert_eq!(H3Cell::new(SF_RES9 & !(0xF << 59) | 2 << 59), Err(H3Error::NotACell));
		assert_eq!(H3Cell::new(SF_RES9 | 1 << 56), Err(H3Error::ReservedBitsSet));
		// Base cell 122.
		assert_eq!(H3Cell::new(BASE_RES0 & !(0x7F << 45) | 122 << 45), Err(H3Error::InvalidBaseCell));
		// Resolution 9 but digit 10 is not 7.
		assert_eq!(H3Cell::new(SF_RES9 & !(0x7 << 15)), Err(H3Error::InvalidDigit));
		// Resolution 9 index with an unused digit 7 inside the resolution.
		assert_eq!(H3Cell::new(SF_RES9 | 0x7 << 18), Err(H3Error::InvalidDigit));
	}

	#[test]
	fn rejects_deleted_pentagon_subsequence() {
		// Base cell 4 is a pentagon; resolution 1 with digit 1 is on the deleted axis.
		let res1_base4 = (1u64 << 59) | (1 << 52) | (4 << 45) | (1 << 42) | ((1u64 << 42) - 1);
		assert_eq!(H3Cell::new(res1_base4), Err(H3Error::DeletedPentagonSubsequence));
		let res1_base4_digit2 = res1_base4 & !(0x7 << 42) | (2 << 42);
		assert!(H3Cell::new(res1_base4_digit2).is_ok());
	}
}
