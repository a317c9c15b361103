//! BLS12-381 aggregation keys: the IETF BLS signature scheme, minimal-pubkey-size
//! variant (keys in G1, signatures in G2), proof-of-possession ciphersuite. A device
//! proves it holds the secret of its key once, here; the coverage pallet can then add
//! keys of many devices and check one aggregate signature without rogue-key attacks.

use crate::device::AggregationKey;
use bls12_381::{
	hash_to_curve::{ExpandMsgXmd, HashToCurve},
	G1Affine, G1Projective, G2Affine, G2Projective, Scalar,
};
#[cfg(any(test, not(feature = "ec-host-calls")))]
use bls12_381::{multi_miller_loop, G2Prepared, Gt};

/// Domain separation of proofs of possession.
pub const POP_DST: &[u8] = b"BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";
/// Domain separation of signatures (heartbeats) under this ciphersuite.
pub const SIGNATURE_DST: &[u8] = b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

/// Why an aggregation key was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlsError {
	/// Not a compressed G1 point in the prime-order subgroup, or the identity.
	InvalidPublicKey,
	/// Not a compressed G2 point in the subgroup, or not a signature of the key by
	/// its own secret.
	InvalidProofOfPossession,
}

/// Whether `e(p1, q1) · e(p2, q2)` is the identity of Gt. With the `ec-host-calls`
/// feature the Miller loop and the final exponentiation run on the host (RFC-163 host
/// functions, see [`crate::bls_host`]); the points go there as their uncompressed bytes.
/// Every point must be checked (on the curve, in the subgroup) already.
#[cfg(feature = "ec-host-calls")]
fn pairing_product_is_identity(pairs: [(G1Affine, G2Affine); 2]) -> bool {
	crate::bls_host::pairing_check(&pairs.map(|(p, q)| (p.to_uncompressed(), q.to_uncompressed())))
}

/// Whether `e(p1, q1) · e(p2, q2)` is the identity of Gt, computed in the runtime.
#[cfg(not(feature = "ec-host-calls"))]
fn pairing_product_is_identity(pairs: [(G1Affine, G2Affine); 2]) -> bool {
	pairing_product_is_identity_in_runtime(pairs)
}

/// [`pairing_product_is_identity`] computed by the zcash crate, in the runtime.
#[cfg(any(test, not(feature = "ec-host-calls")))]
fn pairing_product_is_identity_in_runtime(pairs: [(G1Affine, G2Affine); 2]) -> bool {
	let [(p1, q1), (p2, q2)] = pairs;
	let (q1, q2) = (G2Prepared::from(q1), G2Prepared::from(q2));
	multi_miller_loop(&[(&p1, &q1), (&p2, &q2)]).final_exponentiation() == Gt::identity()
}

/// Hash `message` to G2 under `dst`.
pub fn hash_to_g2(message: &[u8], dst: &[u8]) -> G2Affine {
	G2Affine::from(<G2Projective as HashToCurve<ExpandMsgXmd<sha2_digest09::Sha256>>>::hash_to_curve(message, dst))
}

/// What a proof of possession signs (under [`POP_DST`]): the compressed key followed by
/// the id of the device that will hold it. Binding the device means a key and its
/// proof, public once submitted, cannot be copied to another device (to squat the key
/// or count one signature twice); the standard proof signs the key alone.
pub fn proof_of_possession_message(public: &[u8; 48], device: &[u8; 32]) -> [u8; 80] {
	let mut message = [0u8; 80];
	message[..48].copy_from_slice(public);
	message[48..].copy_from_slice(device);
	message
}

/// Check `proof` (compressed G2) proves possession of `public` (compressed G1) for
/// `device`: `e(public, H_pop(public || device)) == e(g1, proof)`. Returns the key
/// uncompressed.
pub fn verify_proof_of_possession(
	public: &[u8; 48],
	proof: &[u8; 96],
	device: &[u8; 32],
) -> Result<AggregationKey, BlsError> {
	// `from_compressed` checks the encoding, the curve and the subgroup.
	let key: G1Affine = Option::from(G1Affine::from_compressed(public)).ok_or(BlsError::InvalidPublicKey)?;
	if bool::from(key.is_identity()) {
		return Err(BlsError::InvalidPublicKey);
	}
	let proof: G2Affine = Option::from(G2Affine::from_compressed(proof)).ok_or(BlsError::InvalidProofOfPossession)?;
	let hashed = hash_to_g2(&proof_of_possession_message(public, device), POP_DST);
	if !pairing_product_is_identity([(key, hashed), (-G1Affine::generator(), proof)]) {
		return Err(BlsError::InvalidProofOfPossession);
	}
	Ok(key.to_uncompressed())
}

/// The empty sum of keys (the identity of G1), uncompressed.
pub fn empty_key_sum() -> AggregationKey {
	G1Affine::identity().to_uncompressed()
}

/// A sum of aggregation keys. Keys are read without the subgroup check: every stored key
/// was checked when it was registered, and sums of checked keys stay in the subgroup.
#[derive(Clone, Copy, Debug)]
pub struct KeySum(G1Projective);

impl KeySum {
	/// Start from a stored sum (or key).
	pub fn from_stored(key: &AggregationKey) -> Option<Self> {
		Option::<G1Affine>::from(G1Affine::from_uncompressed_unchecked(key)).map(|k| Self(k.into()))
	}

	/// The empty sum.
	pub fn empty() -> Self {
		Self(G1Projective::identity())
	}

	/// Add a stored key.
	pub fn add(&mut self, key: &AggregationKey) -> Option<()> {
		let k = Option::<G1Affine>::from(G1Affine::from_uncompressed_unchecked(key))?;
		self.0 += k;
		Some(())
	}

	/// Take a stored key out.
	pub fn sub(&mut self, key: &AggregationKey) -> Option<()> {
		let k = Option::<G1Affine>::from(G1Affine::from_uncompressed_unchecked(key))?;
		self.0 -= k;
		Some(())
	}

	/// Add another sum.
	pub fn merge(&mut self, other: &KeySum) {
		self.0 += other.0;
	}

	/// Whether the sum is the identity (no key, or keys that cancel).
	pub fn is_empty(&self) -> bool {
		bool::from(self.0.is_identity())
	}

	/// The sum, uncompressed, to store.
	pub fn to_stored(&self) -> AggregationKey {
		G1Affine::from(self.0).to_uncompressed()
	}

	/// Whether `signature` (compressed G2) is a signature of `message` by the sum of the
	/// keys: `e(sum, H(message)) == e(g1, signature)`. Every key signed the same message
	/// and each key came with a proof of possession, so this is the fast aggregate
	/// verification of the proof-of-possession scheme. An empty sum verifies nothing.
	pub fn verifies(&self, message: &[u8], signature: &[u8; 96]) -> bool {
		if self.is_empty() {
			return false;
		}
		let Some(signature) = Option::<G2Affine>::from(G2Affine::from_compressed(signature)) else {
			return false;
		};
		let key = G1Affine::from(self.0);
		let hashed = hash_to_g2(message, SIGNATURE_DST);
		pairing_product_is_identity([(key, hashed), (-G1Affine::generator(), signature)])
	}
}

/// Key material derived from a seed, for tests, benchmarks and load tools (a device
/// keeps its secret in its secure element; the runtime never signs).
pub mod testing {
	use super::*;

	/// A secret scalar from a 32-byte seed (wide reduction of the seed twice).
	pub fn secret(seed: &[u8; 32]) -> Scalar {
		let mut wide = [0u8; 64];
		wide[..32].copy_from_slice(seed);
		wide[32..].copy_from_slice(seed);
		wide[0] ^= 0x5a;
		Scalar::from_bytes_wide(&wide)
	}

	/// The compressed public key of `secret`.
	pub fn public(secret: &Scalar) -> [u8; 48] {
		G1Affine::from(G1Affine::generator() * secret).to_compressed()
	}

	/// The uncompressed public key of `secret`, as stored.
	pub fn stored_public(secret: &Scalar) -> AggregationKey {
		G1Affine::from(G1Affine::generator() * secret).to_uncompressed()
	}

	/// `secret`'s signature of `message` under `dst`, compressed.
	pub fn sign(secret: &Scalar, message: &[u8], dst: &[u8]) -> [u8; 96] {
		G2Affine::from(G2Projective::from(hash_to_g2(message, dst)) * secret).to_compressed()
	}

	/// `secret`'s proof of possession of its key for `device`.
	pub fn proof_of_possession(secret: &Scalar, device: &[u8; 32]) -> [u8; 96] {
		sign(secret, &proof_of_possession_message(&public(secret), device), POP_DST)
	}

	/// The sum of compressed signatures (all of the same message).
	pub fn aggregate_signatures<'a>(signatures: impl IntoIterator<Item = &'a [u8; 96]>) -> [u8; 96] {
		let mut sum = G2Projective::identity();
		for s in signatures {
			sum += Option::<G2Affine>::from(G2Affine::from_compressed(s)).expect("signatures are valid points");
		}
		G2Affine::from(sum).to_compressed()
	}
}

#[cfg(test)]
mod tests {
	use super::{testing::*, *};

	#[test]
	fn an_aggregate_of_one_message_verifies_against_the_key_sum_only() {
		let secrets: alloc::vec::Vec<_> = (0u8..4).map(|i| secret(&[i; 32])).collect();
		let message = b"slot";
		let signatures: alloc::vec::Vec<_> = secrets.iter().map(|s| sign(s, message, SIGNATURE_DST)).collect();
		let aggregate = aggregate_signatures(signatures.iter());
		let mut sum = KeySum::empty();
		for s in &secrets {
			sum.add(&stored_public(s)).unwrap();
		}
		assert!(sum.verifies(message, &aggregate));
		assert!(!sum.verifies(b"other slot", &aggregate));
		// One key missing from the sum, or one signature missing from the aggregate.
		let mut three = sum;
		three.sub(&stored_public(&secrets[3])).unwrap();
		assert!(!three.verifies(message, &aggregate));
		assert!(three.verifies(message, &aggregate_signatures(signatures[..3].iter())));
		assert!(!KeySum::empty().verifies(message, &aggregate));
		// Stored and reloaded sums are the same sum.
		assert!(KeySum::from_stored(&sum.to_stored()).unwrap().verifies(message, &aggregate));
		assert!(KeySum::from_stored(&empty_key_sum()).unwrap().is_empty());
	}

	/// The host pairing (natively, in `cargo test`) agrees with the zcash one on valid
	/// and invalid signatures.
	#[cfg(feature = "ec-host-calls")]
	#[test]
	fn the_host_pairing_agrees_with_the_runtime_pairing() {
		let secrets: alloc::vec::Vec<_> = (0u8..3).map(|i| secret(&[i; 32])).collect();
		let mut sum = G1Projective::identity();
		for s in &secrets {
			sum += G1Affine::generator() * s;
		}
		let key = G1Affine::from(sum);
		let signature = |m: &[u8]| {
			aggregate_signatures(
				secrets.iter().map(|s| sign(s, m, SIGNATURE_DST)).collect::<alloc::vec::Vec<_>>().iter(),
			)
		};
		let cases: [(&[u8], &[u8]); 3] = [(b"slot", b"slot"), (b"slot", b"other"), (b"", b"")];
		for (message, signed) in cases {
			let sig = G2Affine::from_compressed(&signature(signed)).unwrap();
			let pairs = [(key, hash_to_g2(message, SIGNATURE_DST)), (-G1Affine::generator(), sig)];
			assert_eq!(pairing_product_is_identity(pairs), pairing_product_is_identity_in_runtime(pairs));
			assert_eq!(pairing_product_is_identity(pairs), message == signed);
		}
	}

	#[test]
	fn a_proof_of_possession_is_bound_to_its_device() {
		let s = secret(&[9; 32]);
		let proof = proof_of_possession(&s, &[1; 32]);
		assert!(verify_proof_of_possession(&public(&s), &proof, &[1; 32]).is_ok());
		assert_eq!(verify_proof_of_possession(&public(&s), &proof, &[2; 32]), Err(BlsError::InvalidProofOfPossession));
	}
}
