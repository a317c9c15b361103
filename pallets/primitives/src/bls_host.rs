//! BLS12-381 pairing checks through the RFC-163 elliptic-curve host functions
//! (`sp-crypto-ec-utils` 0.24, crate feature `bls12-381`). Compiled only with the
//! `ec-host-calls` feature of machina-primitives; `bls.rs` falls back to the zcash
//! `bls12_381` pairing without it.
//!
//! Where things run. The types below are `ark-bls12-381-ext` 0.6 types instantiated with
//! `sp_crypto_ec_utils::bls12_381::HostHooks`. In the runtime (`cfg(substrate_runtime)`,
//! set by substrate-wasm-builder) their multi Miller loop and final exponentiation are
//! the wasm imports `ext_host_calls_bls12_381_multi_miller_loop_version_1` and
//! `ext_host_calls_bls12_381_final_exponentiation_version_1`: the host decodes the points
//! (uncompressed, *not validated*), runs upstream `ark_bls12_381::Bls12_381`
//! natively and sends the `Fq12` result back. Without `cfg(substrate_runtime)` (native
//! `cargo test`, the node's native code) the same host implementation is called
//! directly, with no externalities needed (the host functions take no `&mut self`).
//! Decoding our byte strings, `G2Prepared` (which for these types is only the affine
//! point), hashing to the curve and key sums stay in the runtime.
//!
//! Every point passed here must already be a checked point of the prime-order subgroup:
//! the host does not check it, and a host error is a runtime panic
//! (`HostHooks` does `.expect(FAIL_MSG)`). The callers in `bls.rs` give zcash points
//! from `from_compressed` (checked), stored sums of checked keys, the generator, or
//! hash-to-curve outputs.
//!
//! Encoding. `ark-bls12-381(-ext)` 0.6 reads and writes G1/G2 in the zcash / IETF
//! format: big-endian `Fq`s, flags in the three top bits of byte 0 (0x80 compressed,
//! 0x40 infinity, 0x20 lexicographically largest y), G2 `x.c1 || x.c0 [|| y.c1 || y.c0]`.
//! So the bytes `bls12_381::G{1,2}Affine::to_{un,}compressed` writes are read as they
//! are (see the tests below).

use alloc::vec::Vec;
use ark_ec::{
	pairing::{Pairing, PairingOutput},
	AdditiveGroup,
};
use ark_serialize::CanonicalDeserialize;
use sp_crypto_ec_utils::bls12_381::{Bls12_381, G1Affine, G2Affine};

/// A G1 point, uncompressed (`bls12_381::G1Affine::to_uncompressed`, our stored keys and sums).
pub type G1Uncompressed = [u8; 96];
/// A G2 point, uncompressed (`bls12_381::G2Affine::to_uncompressed`).
pub type G2Uncompressed = [u8; 192];

/// Reads an uncompressed G1 point without curve or subgroup checks, as
/// `bls12_381::G1Affine::from_uncompressed_unchecked` (which does not check the curve
/// either). Only for bytes this runtime wrote from a checked point.
pub fn g1_unchecked(bytes: &G1Uncompressed) -> Option<G1Affine> {
	G1Affine::deserialize_uncompressed_unchecked(&bytes[..]).ok()
}

/// Reads an uncompressed G2 point without curve or subgroup checks. Only for bytes this
/// runtime wrote from a checked point.
pub fn g2_unchecked(bytes: &G2Uncompressed) -> Option<G2Affine> {
	G2Affine::deserialize_uncompressed_unchecked(&bytes[..]).ok()
}

/// Whether `e(p_1, q_1) · … · e(p_n, q_n)` is the identity of Gt, for points given as
/// trusted uncompressed bytes. `false` if a point does not decode (cannot happen for
/// bytes written by `to_uncompressed`).
pub fn pairing_check(pairs: &[(G1Uncompressed, G2Uncompressed)]) -> bool {
	let mut g1 = Vec::with_capacity(pairs.len());
	let mut g2 = Vec::with_capacity(pairs.len());
	for (p, q) in pairs {
		let (Some(p), Some(q)) = (g1_unchecked(p), g2_unchecked(q)) else {
			return false;
		};
		g1.push(p);
		g2.push(q);
	}
	pairing_check_points(&g1, &g2)
}

/// Whether `∏ e(g1[i], g2[i])` is the identity of Gt: one host call for the multi Miller
/// loop, one for the final exponentiation. Pairs with an identity point contribute 1 (the
/// host's arkworks Miller loop skips them).
pub fn pairing_check_points(g1: &[G1Affine], g2: &[G2Affine]) -> bool {
	// The host zips the two vectors with `zip_eq`, which panics on unequal lengths.
	if g1.len() != g2.len() {
		return false;
	}
	Bls12_381::multi_pairing(g1.iter().copied(), g2.iter().copied()) == PairingOutput::<Bls12_381>::ZERO
}

#[cfg(test)]
mod tests {
	use super::*;
	use ark_ec::AffineRepr;
	use ark_serialize::CanonicalSerialize;

	fn ark_bytes<T: CanonicalSerialize>(point: &T, compressed: bool) -> Vec<u8> {
		let mut out = Vec::new();
		if compressed {
			point.serialize_compressed(&mut out).unwrap();
		} else {
			point.serialize_uncompressed(&mut out).unwrap();
		}
		out
	}

	fn zcash_g1(i: u64) -> bls12_381::G1Affine {
		(bls12_381::G1Affine::generator() * bls12_381::Scalar::from(i)).into()
	}

	fn zcash_g2(i: u64) -> bls12_381::G2Affine {
		(bls12_381::G2Affine::generator() * bls12_381::Scalar::from(i)).into()
	}

	#[test]
	fn arkworks_writes_the_zcash_encoding() {
		for i in [1u64, 2, 3, 0xdead_beef] {
			let (z1, z2) = (zcash_g1(i), zcash_g2(i));
			let k = sp_crypto_ec_utils::bls12_381::ScalarField::from(i);
			// `Affine * scalar` goes through the `mul_g1`/`mul_g2` host functions.
			let a1: G1Affine = (G1Affine::generator() * k).into();
			let a2: G2Affine = (G2Affine::generator() * k).into();
			assert_eq!(ark_bytes(&a1, true), z1.to_compressed().to_vec());
			assert_eq!(ark_bytes(&a1, false), z1.to_uncompressed().to_vec());
			assert_eq!(ark_bytes(&a2, true), z2.to_compressed().to_vec());
			assert_eq!(ark_bytes(&a2, false), z2.to_uncompressed().to_vec());
			// And reads it back, both ways.
			assert_eq!(g1_unchecked(&z1.to_uncompressed()), Some(a1));
			assert_eq!(g2_unchecked(&z2.to_uncompressed()), Some(a2));
		}
		// The identity, as `bls::empty_key_sum` stores it.
		let id = bls12_381::G1Affine::identity().to_uncompressed();
		assert!(g1_unchecked(&id).unwrap().is_zero());
		assert_eq!(ark_bytes(&G1Affine::zero(), false), id.to_vec());
	}

	#[test]
	fn pairing_check_is_bilinear() {
		// e(2·g1, 3·g2) · e(-6·g1, g2) == 1, and not with 5 in place of 6.
		let pairs = |k: u64| {
			[
				(zcash_g1(2).to_uncompressed(), zcash_g2(3).to_uncompressed()),
				((-zcash_g1(k)).to_uncompressed(), zcash_g2(1).to_uncompressed()),
			]
		};
		assert!(pairing_check(&pairs(6)));
		assert!(!pairing_check(&pairs(5)));
		assert!(pairing_check(&[]));
		assert!(!pairing_check_points(&[G1Affine::generator()], &[]));
	}
}
