//! BLS12-381 aggregation keys: the IETF BLS signature scheme, minimal-pubkey-size
//! variant (keys in G1, signatures in G2), proof-of-possession ciphersuite. A device
//! proves it holds the secret of its key once, here; the coverage pallet can then add
//! keys of many devices and check one aggregate signature without rogue-key attacks.

use bls12_381::{
	hash_to_curve::{ExpandMsgXmd, HashToCurve},
	multi_miller_loop, G1Affine, G2Affine, G2Prepared, G2Projective, Gt,
};
use machina_primitives::AggregationKey;

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
	let hashed = G2Prepared::from(hash_to_g2(&proof_of_possession_message(public, device), POP_DST));
	let proof = G2Prepared::from(proof);
	let check = multi_miller_loop(&[(&key, &hashed), (&-G1Affine::generator(), &proof)]).final_exponentiation();
	if check != Gt::identity() {
		return Err(BlsError::InvalidProofOfPossession);
	}
	Ok(key.to_uncompressed())
}
