//! Attestation verification: X.509 v3 chains and compact certificates, checked against
//! pinned roots. Pure functions over bytes, no storage: the pallet supplies the roots,
//! the time and the revocation list. Everything here runs inside the runtime wasm and
//! uses only standard host functions (SHA-256, Ed25519); P-256 is pure Rust (`p256`).

use alloc::vec::Vec;
use der::{
	asn1::{ObjectIdentifier, UintRef},
	Decode, Reader, SliceReader,
};
use p256::ecdsa::{signature::hazmat::PrehashVerifier, Signature as P256Signature, VerifyingKey};
use p384::ecdsa::{Signature as P384Signature, VerifyingKey as P384VerifyingKey};
use sha2::{Digest, Sha256, Sha384};
use sp_core::ed25519;
use x509_cert::{
	certificate::Version,
	ext::pkix::{BasicConstraints, CertificatePolicies, ExtendedKeyUsage, KeyUsage},
	Certificate,
};

use crate::types::*;

/// Why an attestation was rejected. Each maps to its own pallet error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttestationError {
	/// The chain has no certificate.
	EmptyChain,
	/// More intermediates than allowed.
	ChainTooLong,
	/// A certificate is longer than allowed.
	CertificateTooLarge,
	/// A certificate is not valid DER X.509.
	MalformedCertificate,
	/// A certificate is not X.509 v3.
	UnsupportedVersion,
	/// A signature or key algorithm other than ECDSA P-256/SHA-256 or Ed25519, or a
	/// signature algorithm that does not match the issuer's key.
	UnsupportedAlgorithm,
	/// A certificate's outer and inner signature algorithms differ.
	AlgorithmMismatch,
	/// A certificate's signature does not verify under its issuer's key.
	InvalidSignature,
	/// A certificate's issuer is not the subject of the next certificate.
	IssuerMismatch,
	/// No root of the manufacturer signed the top of the chain.
	UntrustedRoot,
	/// Only a revoked root of the manufacturer signed the top of the chain.
	RootRevoked,
	/// A certificate's validity ended before the on-chain time.
	Expired,
	/// A certificate's validity starts after the on-chain time.
	NotYetValid,
	/// An intermediate is not a CA (basic constraints missing or `cA` false), or the
	/// leaf claims to be one.
	NotACertificateAuthority,
	/// An intermediate's path length constraint is exceeded.
	PathLengthExceeded,
	/// Key usage forbids the use: an intermediate without `keyCertSign`, a leaf without
	/// `digitalSignature`.
	KeyUsageMismatch,
	/// A critical extension this verifier does not understand (RFC 5280 requires
	/// rejecting it).
	UnsupportedCriticalExtension,
	/// A serial in the chain is on the manufacturer's revocation list.
	CertificateRevoked,
	/// A serial longer than 20 octets.
	InvalidSerial,
	/// The hardware key is not a valid point / key.
	InvalidKey,
	/// The leaf lacks the object identifier the manufacturer requires (extended key
	/// usage or certificate policy).
	LeafPolicyMismatch,
	/// The manufacturer pins its issuing intermediates and the chain has none of them.
	IssuerNotPinned,
	/// A DICE chain needs an Alias leaf and a DeviceID CA above it.
	NotADiceChain,
	/// The leaf's firmware (DICE TcbInfo) is missing or not allowed.
	FirmwareNotAllowed,
	/// The leaf's firmware security version is below the manufacturer's minimum.
	FirmwareTooOld,
}

use AttestationError as E;

/// ecdsa-with-SHA256 (RFC 5758).
const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
/// id-Ed25519 (RFC 8410), both as signature and key algorithm.
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
/// id-ecPublicKey.
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// secp256r1 / prime256v1.
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// secp384r1.
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
/// ecdsa-with-SHA384 (RFC 5758).
const ECDSA_WITH_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
/// rsaEncryption (RFC 8017), the RSA key algorithm.
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// sha256WithRSAEncryption: RSASSA-PKCS1-v1_5 with SHA-256.
const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
/// sha384WithRSAEncryption.
const SHA384_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
/// id-RSASSA-PSS (RFC 4055), with its parameters.
const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
/// id-mgf1.
const MGF1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.8");
/// id-sha256, id-sha384.
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");

const BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
const KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
const EXTENDED_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
const CERTIFICATE_POLICIES: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.32");
/// tcg-dice-TcbInfo (TCG DICE Attestation Architecture).
const DICE_TCB_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.133.5.4.1");
/// Critical extensions accepted without interpretation: they restrict use elsewhere
/// (TLS, naming) and do not widen what a device certificate allows here.
const UNDERSTOOD_CRITICAL: [ObjectIdentifier; 4] = [
	ObjectIdentifier::new_unwrap("2.5.29.37"), // extKeyUsage
	ObjectIdentifier::new_unwrap("2.5.29.17"), // subjectAltName
	ObjectIdentifier::new_unwrap("2.5.29.32"), // certificatePolicies
	ObjectIdentifier::new_unwrap("2.5.29.14"), // subjectKeyIdentifier
];

/// What the verifier needs from the chain state.
pub struct Policy<'a, F: Fn(&CertificateRef) -> bool> {
	/// The root the attestation names (the only key tried).
	pub root: &'a RootKey,
	/// On-chain time, Unix seconds.
	pub now: u64,
	/// Whether (issuer, serial) is on the revocation list.
	pub is_revoked: F,
	/// The most intermediates allowed.
	pub max_intermediates: u32,
	/// The longest certificate allowed, in bytes.
	pub max_certificate_len: u32,
	/// The manufacturer's requirements of X.509 chains.
	pub manufacturer: &'a ManufacturerPolicy,
}

/// Strip leading zero octets; reject serials over 20 octets.
pub fn normalise_serial(bytes: &[u8]) -> Result<Serial, AttestationError> {
	let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
	Serial::try_from(bytes[start..].to_vec()).map_err(|_| E::InvalidSerial)
}

/// Check that a key is a valid point in its one canonical encoding (SEC1 compressed,
/// `0x02`/`0x03`): a key with two accepted encodings would have two `DeviceId`s.
pub fn validate_key(key: &PublicKey) -> Result<PublicKey, AttestationError> {
	match key {
		PublicKey::P256(bytes) => {
			let vk = VerifyingKey::from_sec1_bytes(bytes).map_err(|_| E::InvalidKey)?;
			if vk.to_encoded_point(true).as_bytes() != &bytes[..] {
				return Err(E::InvalidKey);
			}
			Ok(key.clone())
		},
		PublicKey::P384(bytes) => {
			let vk = P384VerifyingKey::from_sec1_bytes(bytes).map_err(|_| E::InvalidKey)?;
			if vk.to_encoded_point(true).as_bytes() != &bytes[..] {
				return Err(E::InvalidKey);
			}
			Ok(key.clone())
		},
		PublicKey::Rsa(modulus) => {
			if !rsa_modulus_ok(modulus) {
				return Err(E::InvalidKey);
			}
			Ok(key.clone())
		},
		PublicKey::Ed25519(bytes) => {
			// A small-order key verifies signatures anyone can make (the host verifier
			// accepts them), and a non-canonical encoding is a second id for one point.
			let compressed = curve25519_dalek::edwards::CompressedEdwardsY(*bytes);
			let point = compressed.decompress().ok_or(E::InvalidKey)?;
			if point.is_small_order() || point.compress().as_bytes() != bytes {
				return Err(E::InvalidKey);
			}
			Ok(key.clone())
		},
	}
}

/// An RSA modulus of exactly 2048 or 3072 bits (no leading zero octet, top bit set),
/// odd, as every RSA modulus is.
fn rsa_modulus_ok(modulus: &[u8]) -> bool {
	matches!(modulus.len(), 256 | 384) && modulus[0] & 0x80 != 0 && modulus[modulus.len() - 1] & 1 == 1
}

/// `signature ^ 65537 mod modulus`, big-endian, as long as the modulus: the RSA public
/// operation (RFC 8017 RSAVP1), on crypto-bigint's constant-time Montgomery arithmetic.
/// `None` for a bad modulus or a signature representative not below the modulus.
fn rsa_public_op(modulus: &[u8], signature: &[u8]) -> Option<Vec<u8>> {
	use crypto_bigint::{U2048, U3072};
	if !rsa_modulus_ok(modulus) || signature.len() != modulus.len() {
		return None;
	}
	match modulus.len() {
		256 => rsa_pow::<{ U2048::LIMBS }>(modulus, signature),
		384 => rsa_pow::<{ U3072::LIMBS }>(modulus, signature),
		_ => None,
	}
}

fn rsa_pow<const LIMBS: usize>(modulus: &[u8], signature: &[u8]) -> Option<Vec<u8>> {
	use crypto_bigint::{
		modular::runtime_mod::{DynResidue, DynResidueParams},
		Uint, Word, U64,
	};
	let n = Uint::<LIMBS>::from_be_slice(modulus);
	let s = Uint::<LIMBS>::from_be_slice(signature);
	// The modulus is odd (`rsa_modulus_ok`), as Montgomery arithmetic needs.
	if s >= n {
		return None;
	}
	let m = DynResidue::new(&s, DynResidueParams::new(&n)).pow(&U64::from_u64(RSA_EXPONENT as u64)).retrieve();
	let mut out = Vec::with_capacity(modulus.len());
	for word in m.as_words().iter().rev() {
		out.extend_from_slice(&Word::to_be_bytes(*word));
	}
	Some(out)
}

/// The hash of an RSA signature scheme.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RsaHash {
	Sha256,
	Sha384,
}

impl RsaHash {
	fn digest(self, parts: &[&[u8]]) -> Vec<u8> {
		match self {
			RsaHash::Sha256 => {
				let mut h = Sha256::new();
				parts.iter().for_each(|p| h.update(p));
				h.finalize().to_vec()
			},
			RsaHash::Sha384 => {
				let mut h = Sha384::new();
				parts.iter().for_each(|p| h.update(p));
				h.finalize().to_vec()
			},
		}
	}

	/// The DER `DigestInfo` prefix of EMSA-PKCS1-v1_5 (RFC 8017 9.2, note 1).
	fn digest_info_prefix(self) -> &'static [u8] {
		match self {
			RsaHash::Sha256 => &[
				0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
				0x04, 0x20,
			],
			RsaHash::Sha384 => &[
				0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00,
				0x04, 0x30,
			],
		}
	}
}

/// RSASSA-PKCS1-v1_5 verification (RFC 8017 8.2.2): the recovered encoding must equal
/// `00 01 FF..FF 00 DigestInfo(hash(message))` exactly.
fn verify_rsa_pkcs1(modulus: &[u8], hash: RsaHash, message: &[u8], signature: &[u8]) -> bool {
	let Some(em) = rsa_public_op(modulus, signature) else { return false };
	let prefix = hash.digest_info_prefix();
	let digest = hash.digest(&[message]);
	let t_len = prefix.len() + digest.len();
	let k = em.len();
	if k < t_len + 11 {
		return false;
	}
	let mut expected = Vec::with_capacity(k);
	expected.extend_from_slice(&[0x00, 0x01]);
	expected.resize(k - t_len - 1, 0xff);
	expected.push(0x00);
	expected.extend_from_slice(prefix);
	expected.extend_from_slice(&digest);
	expected == em
}

/// MGF1 (RFC 8017 B.2.1) of `seed`, `len` bytes.
fn mgf1(hash: RsaHash, seed: &[u8], len: usize) -> Vec<u8> {
	let mut out = Vec::with_capacity(len + 64);
	let mut counter: u32 = 0;
	while out.len() < len {
		out.extend_from_slice(&hash.digest(&[seed, &counter.to_be_bytes()]));
		counter = counter.wrapping_add(1);
	}
	out.truncate(len);
	out
}

/// RSASSA-PSS verification (RFC 8017 8.1.2 and EMSA-PSS-VERIFY, 9.1.2) with MGF1 over
/// the same hash and a salt of `salt_len` bytes, or of any length when `None` (TPMs
/// differ: the digest size or the largest that fits), for a modulus of a whole number
/// of bytes (its top bit set, as `rsa_modulus_ok` requires): `emBits = 8k - 1`.
fn verify_rsa_pss(modulus: &[u8], hash: RsaHash, salt_len: Option<usize>, message: &[u8], signature: &[u8]) -> bool {
	let Some(em) = rsa_public_op(modulus, signature) else { return false };
	let h_len = match hash {
		RsaHash::Sha256 => 32,
		RsaHash::Sha384 => 48,
	};
	let em_len = em.len();
	if em_len < h_len + salt_len.unwrap_or(0) + 2 || em[em_len - 1] != 0xbc || em[0] & 0x80 != 0 {
		return false;
	}
	let (masked_db, rest) = em.split_at(em_len - h_len - 1);
	let h = &rest[..h_len];
	let mut db: Vec<u8> = masked_db.iter().zip(mgf1(hash, h, masked_db.len())).map(|(a, b)| a ^ b).collect();
	db[0] &= 0x7f;
	// DB = PS (zeros) || 0x01 || salt.
	let padding = match salt_len {
		Some(salt_len) => em_len - h_len - salt_len - 2,
		None => match db.iter().position(|b| *b != 0) {
			Some(p) => p,
			None => return false,
		},
	};
	if db[..padding].iter().any(|b| *b != 0) || db[padding] != 0x01 {
		return false;
	}
	let salt = &db[padding + 1..];
	let m_hash = hash.digest(&[message]);
	hash.digest(&[&[0u8; 8], &m_hash, salt]) == h
}

/// Verify `signature` by `key` over `message` with the scheme the signature names,
/// which must fit the key: Ed25519; ECDSA P-256/SHA-256 or P-384/SHA-384 (`r || s`);
/// RSASSA-PKCS1-v1_5 or RSASSA-PSS (any salt length) with SHA-256.
pub fn verify_raw(key: &PublicKey, message: &[u8], signature: &HardwareSignature) -> bool {
	match (key, signature) {
		(PublicKey::P256(bytes), HardwareSignature::P256(signature)) => {
			let Ok(vk) = VerifyingKey::from_sec1_bytes(bytes) else { return false };
			let Ok(sig) = P256Signature::from_slice(signature) else { return false };
			vk.verify_prehash(&sp_io::hashing::sha2_256(message), &sig).is_ok()
		},
		(PublicKey::Ed25519(bytes), HardwareSignature::Ed25519(signature)) => sp_io::crypto::ed25519_verify(
			&ed25519::Signature::from_raw(*signature),
			message,
			&ed25519::Public::from_raw(*bytes),
		),
		(PublicKey::P384(bytes), HardwareSignature::P384(signature)) => {
			let Ok(vk) = P384VerifyingKey::from_sec1_bytes(bytes) else { return false };
			let Ok(sig) = P384Signature::from_slice(signature) else { return false };
			vk.verify_prehash(&Sha384::digest(message), &sig).is_ok()
		},
		(PublicKey::Rsa(modulus), HardwareSignature::RsaPkcs1v15Sha256(signature)) => {
			verify_rsa_pkcs1(modulus, RsaHash::Sha256, message, signature)
		},
		(PublicKey::Rsa(modulus), HardwareSignature::RsaPssSha256(signature)) => {
			verify_rsa_pss(modulus, RsaHash::Sha256, None, message, signature)
		},
		_ => false,
	}
}

/// The signature algorithms a certificate may use.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SignatureAlgorithm {
	EcdsaP256Sha256,
	EcdsaP384Sha384,
	Ed25519,
	RsaPkcs1v15(RsaHash),
	/// RSASSA-PSS with MGF1 over the same hash and this salt length.
	RsaPss(RsaHash, usize),
}

/// The parameters of an RSASSA-PSS signature algorithm: the hash, MGF1 with the same
/// hash, the trailer field 1; the salt length as given.
fn pss_parameters(parameters: Option<&der::asn1::Any>) -> Result<SignatureAlgorithm, AttestationError> {
	let der_bytes =
		der::Encode::to_der(parameters.ok_or(E::UnsupportedAlgorithm)?).map_err(|_| E::MalformedCertificate)?;
	let params = pkcs1::RsaPssParams::from_der(&der_bytes).map_err(|_| E::UnsupportedAlgorithm)?;
	let hash = match params.hash.oid {
		oid if oid == SHA256 => RsaHash::Sha256,
		oid if oid == SHA384 => RsaHash::Sha384,
		_ => return Err(E::UnsupportedAlgorithm),
	};
	let mgf_hash = params.mask_gen.parameters.map(|p| p.oid);
	if params.mask_gen.oid != MGF1 || mgf_hash != Some(params.hash.oid) {
		return Err(E::UnsupportedAlgorithm);
	}
	if params.trailer_field != pkcs1::TrailerField::BC {
		return Err(E::UnsupportedAlgorithm);
	}
	Ok(SignatureAlgorithm::RsaPss(hash, params.salt_len as usize))
}

/// One parsed certificate and the raw bytes its signature covers.
struct Parsed<'a> {
	cert: Certificate,
	tbs: &'a [u8],
	algorithm: SignatureAlgorithm,
	key: PublicKey,
}

fn parse(der_bytes: &[u8], max_len: u32) -> Result<Parsed<'_>, AttestationError> {
	if der_bytes.len() > max_len as usize {
		return Err(E::CertificateTooLarge);
	}
	let cert = Certificate::from_der(der_bytes).map_err(|_| E::MalformedCertificate)?;
	// The signed bytes exactly as received: the first element of the outer SEQUENCE.
	// `from_der` already proved the structure, so this cannot fail on valid input.
	let tbs = {
		let mut reader = SliceReader::new(der_bytes).map_err(|_| E::MalformedCertificate)?;
		let _outer = der::Header::decode(&mut reader).map_err(|_| E::MalformedCertificate)?;
		reader.tlv_bytes().map_err(|_| E::MalformedCertificate)?
	};
	let tbs_cert = &cert.tbs_certificate;
	if tbs_cert.version != Version::V3 {
		return Err(E::UnsupportedVersion);
	}
	if cert.signature_algorithm != tbs_cert.signature {
		return Err(E::AlgorithmMismatch);
	}
	let algorithm = match cert.signature_algorithm.oid {
		oid if oid == ECDSA_WITH_SHA256 => SignatureAlgorithm::EcdsaP256Sha256,
		oid if oid == ECDSA_WITH_SHA384 => SignatureAlgorithm::EcdsaP384Sha384,
		oid if oid == ED25519 => SignatureAlgorithm::Ed25519,
		oid if oid == SHA256_WITH_RSA => SignatureAlgorithm::RsaPkcs1v15(RsaHash::Sha256),
		oid if oid == SHA384_WITH_RSA => SignatureAlgorithm::RsaPkcs1v15(RsaHash::Sha384),
		oid if oid == RSASSA_PSS => pss_parameters(cert.signature_algorithm.parameters.as_ref())?,
		_ => return Err(E::UnsupportedAlgorithm),
	};
	let key = subject_key(&cert)?;
	Ok(Parsed { cert, tbs, algorithm, key })
}

fn subject_key(cert: &Certificate) -> Result<PublicKey, AttestationError> {
	let spki = &cert.tbs_certificate.subject_public_key_info;
	let bits = spki.subject_public_key.as_bytes().ok_or(E::MalformedCertificate)?;
	if spki.algorithm.oid == EC_PUBLIC_KEY {
		let curve: ObjectIdentifier =
			spki.algorithm.parameters.as_ref().and_then(|p| p.decode_as().ok()).ok_or(E::UnsupportedAlgorithm)?;
		if curve == SECP256R1 {
			let vk = VerifyingKey::from_sec1_bytes(bits).map_err(|_| E::InvalidKey)?;
			let mut out = [0u8; 33];
			out.copy_from_slice(vk.to_encoded_point(true).as_bytes());
			Ok(PublicKey::P256(out))
		} else if curve == SECP384R1 {
			let vk = P384VerifyingKey::from_sec1_bytes(bits).map_err(|_| E::InvalidKey)?;
			let mut out = [0u8; 49];
			out.copy_from_slice(vk.to_encoded_point(true).as_bytes());
			Ok(PublicKey::P384(out))
		} else {
			Err(E::UnsupportedAlgorithm)
		}
	} else if spki.algorithm.oid == RSA_ENCRYPTION {
		let key = pkcs1::RsaPublicKey::from_der(bits).map_err(|_| E::MalformedCertificate)?;
		if key.public_exponent.as_bytes() != &RSA_EXPONENT.to_be_bytes()[1..] {
			return Err(E::UnsupportedAlgorithm);
		}
		let modulus = RsaModulus::try_from(key.modulus.as_bytes().to_vec()).map_err(|_| E::UnsupportedAlgorithm)?;
		// 2048 or 3072 bits only (1024 is broken; larger is no TPM's).
		if !rsa_modulus_ok(&modulus) {
			return Err(E::UnsupportedAlgorithm);
		}
		Ok(PublicKey::Rsa(modulus))
	} else if spki.algorithm.oid == ED25519 {
		validate_key(&PublicKey::Ed25519(bits.try_into().map_err(|_| E::InvalidKey)?))
	} else {
		Err(E::UnsupportedAlgorithm)
	}
}

/// The role a certificate plays in the chain.
enum Role {
	Leaf,
	/// An intermediate with this many intermediates below it.
	Intermediate {
		below: u32,
	},
}

/// The firmware a DICE layer measured: the TcbInfo fields the runtime checks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TcbInfo {
	/// The security version, if stated.
	pub svn: Option<u64>,
	/// The FWID digests (one per hash algorithm; each of its algorithm's length).
	pub fwids: Vec<Vec<u8>>,
	/// Whether the operational flags say the layer is not in a secure, configured,
	/// production state (`notConfigured`, `notSecure`, `recovery` or `debug` set): its
	/// Alias key may be extractable.
	pub insecure: bool,
}

/// The digest length of an FWID hash algorithm (SHA-256, SHA-384, SHA-512).
fn fwid_length(algorithm: &ObjectIdentifier) -> Option<usize> {
	const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
	match algorithm {
		oid if *oid == SHA256 => Some(32),
		oid if *oid == SHA384 => Some(48),
		oid if *oid == SHA512 => Some(64),
		_ => None,
	}
}

/// Parse a DiceTcbInfo (`SEQUENCE` of optional `[n] IMPLICIT` fields): `svn` is `[3]
/// INTEGER`, `fwids` is `[6] SEQUENCE OF SEQUENCE { hashAlg OID, digest OCTET STRING }`;
/// the other fields are skipped.
pub fn parse_tcb_info(der_bytes: &[u8]) -> Result<TcbInfo, AttestationError> {
	use der::{asn1::AnyRef, Tag, TagNumber, Tagged};
	let mut info = TcbInfo::default();
	let mut reader = SliceReader::new(der_bytes).map_err(|_| E::MalformedCertificate)?;
	reader
		.sequence(|seq| {
			while !seq.is_finished() {
				let field = AnyRef::decode(seq)?;
				match field.tag() {
					Tag::ContextSpecific { number, constructed: false } if number == TagNumber::N3 => {
						let bytes = field.value();
						// A non-negative INTEGER of at most 8 octets (plus a sign octet).
						let bytes = match bytes {
							[0, rest @ ..] if !rest.is_empty() => rest,
							other => other,
						};
						if bytes.is_empty() || bytes.len() > 8 || bytes[0] & 0x80 != 0 && field.value()[0] != 0 {
							return Err(der::Tag::Integer.value_error());
						}
						info.svn = Some(bytes.iter().fold(0u64, |acc, b| acc << 8 | *b as u64));
					},
					Tag::ContextSpecific { number, constructed: true } if number == TagNumber::N6 => {
						let mut list = SliceReader::new(field.value())?;
						while !list.is_finished() {
							let digest = list.sequence(|fwid| {
								let algorithm = ObjectIdentifier::decode(fwid)?;
								let digest = der::asn1::OctetStringRef::decode(fwid)?.as_bytes().to_vec();
								// An unknown algorithm, or a digest not of its length, matches
								// nothing a policy allows.
								Ok((fwid_length(&algorithm) == Some(digest.len())).then_some(digest))
							})?;
							info.fwids.extend(digest);
						}
					},
					// flags [7] IMPLICIT OperationalFlags (BIT STRING): bits 0-3 are
					// notConfigured, notSecure, recovery, debug.
					Tag::ContextSpecific { number, constructed: false } if number == TagNumber::N7 => {
						let bits = field.value();
						// The first octet counts unused bits; bit 0 is the top bit of the next.
						info.insecure = bits.get(1).is_some_and(|b| b & 0xf0 != 0);
					},
					_ => {},
				}
			}
			Ok(())
		})
		.map_err(|_| E::MalformedCertificate)?;
	if !reader.is_finished() {
		return Err(E::MalformedCertificate);
	}
	Ok(info)
}

/// What the extensions tell the manufacturer policy about a certificate.
#[derive(Default)]
struct ExtensionFacts {
	/// Object identifiers of the extended key usage and certificate policies.
	purposes: Vec<ObjectIdentifier>,
	/// The DICE TcbInfo, if present.
	tcb: Option<TcbInfo>,
}

/// Check the extensions for `role`; return what a manufacturer policy may require of
/// a leaf.
fn check_extensions(cert: &Certificate, role: Role) -> Result<ExtensionFacts, AttestationError> {
	let mut basic: Option<BasicConstraints> = None;
	let mut usage: Option<KeyUsage> = None;
	let mut seen: Vec<ObjectIdentifier> = Vec::new();
	let mut facts = ExtensionFacts::default();
	for ext in cert.tbs_certificate.extensions.iter().flatten() {
		// RFC 5280 4.2: an extension appears at most once.
		if seen.contains(&ext.extn_id) {
			return Err(E::MalformedCertificate);
		}
		seen.push(ext.extn_id);
		let value = ext.extn_value.as_bytes();
		if ext.extn_id == BASIC_CONSTRAINTS {
			basic = Some(BasicConstraints::from_der(value).map_err(|_| E::MalformedCertificate)?);
		} else if ext.extn_id == KEY_USAGE {
			usage = Some(KeyUsage::from_der(value).map_err(|_| E::MalformedCertificate)?);
		} else if ext.extn_id == EXTENDED_KEY_USAGE {
			let eku = ExtendedKeyUsage::from_der(value).map_err(|_| E::MalformedCertificate)?;
			facts.purposes.extend(eku.0);
		} else if ext.extn_id == CERTIFICATE_POLICIES {
			let policies = CertificatePolicies::from_der(value).map_err(|_| E::MalformedCertificate)?;
			facts.purposes.extend(policies.0.into_iter().map(|p| p.policy_identifier));
		} else if ext.extn_id == DICE_TCB_INFO {
			facts.tcb = Some(parse_tcb_info(value)?);
		} else if ext.critical && !UNDERSTOOD_CRITICAL.contains(&ext.extn_id) {
			return Err(E::UnsupportedCriticalExtension);
		}
	}
	match role {
		Role::Leaf => {
			if basic.is_some_and(|b| b.ca) {
				return Err(E::NotACertificateAuthority);
			}
			if usage.is_some_and(|u| !u.digital_signature()) {
				return Err(E::KeyUsageMismatch);
			}
		},
		Role::Intermediate { below } => {
			let basic = basic.filter(|b| b.ca).ok_or(E::NotACertificateAuthority)?;
			if basic.path_len_constraint.is_some_and(|max| below > max as u32) {
				return Err(E::PathLengthExceeded);
			}
			if usage.is_some_and(|u| !u.key_cert_sign()) {
				return Err(E::KeyUsageMismatch);
			}
		},
	}
	Ok(facts)
}

/// Check the validity period at `now`; return its `notAfter`.
fn check_validity(cert: &Certificate, now: u64) -> Result<u64, AttestationError> {
	let validity = &cert.tbs_certificate.validity;
	let not_after = validity.not_after.to_unix_duration().as_secs();
	if now < validity.not_before.to_unix_duration().as_secs() {
		return Err(E::NotYetValid);
	}
	if now > not_after {
		return Err(E::Expired);
	}
	Ok(not_after)
}

/// Verify a certificate's signature with its issuer's key.
fn verify_certificate_signature(child: &Parsed, issuer: &PublicKey) -> bool {
	let sig_bits = match child.cert.signature.as_bytes() {
		Some(bits) => bits,
		None => return false,
	};
	match (child.algorithm, issuer) {
		(SignatureAlgorithm::EcdsaP256Sha256, PublicKey::P256(key)) => {
			let Ok(vk) = VerifyingKey::from_sec1_bytes(key) else { return false };
			let Some(sig) = ecdsa_from_der::<32>(sig_bits).and_then(|(r, s)| P256Signature::from_scalars(r, s).ok())
			else {
				return false;
			};
			vk.verify_prehash(&sp_io::hashing::sha2_256(child.tbs), &sig).is_ok()
		},
		(SignatureAlgorithm::EcdsaP384Sha384, PublicKey::P384(key)) => {
			let Ok(vk) = P384VerifyingKey::from_sec1_bytes(key) else { return false };
			let Some(sig) = ecdsa_from_der::<48>(sig_bits).and_then(|(r, s)| P384Signature::from_scalars(r, s).ok())
			else {
				return false;
			};
			vk.verify_prehash(&Sha384::digest(child.tbs), &sig).is_ok()
		},
		(SignatureAlgorithm::Ed25519, PublicKey::Ed25519(key)) => {
			let Ok(sig) = <[u8; 64]>::try_from(sig_bits) else { return false };
			sp_io::crypto::ed25519_verify(
				&ed25519::Signature::from_raw(sig),
				child.tbs,
				&ed25519::Public::from_raw(*key),
			)
		},
		(SignatureAlgorithm::RsaPkcs1v15(hash), PublicKey::Rsa(modulus)) => {
			verify_rsa_pkcs1(modulus, hash, child.tbs, sig_bits)
		},
		(SignatureAlgorithm::RsaPss(hash, salt), PublicKey::Rsa(modulus)) => {
			verify_rsa_pss(modulus, hash, Some(salt), child.tbs, sig_bits)
		},
		_ => false,
	}
}

/// An `Ecdsa-Sig-Value` (SEQUENCE of two INTEGERs) as two big-endian scalars of `N`
/// bytes.
fn ecdsa_from_der<const N: usize>(bytes: &[u8]) -> Option<([u8; N], [u8; N])> {
	let mut reader = SliceReader::new(bytes).ok()?;
	let (r, s) = reader.sequence(|seq| Ok((UintRef::decode(seq)?, UintRef::decode(seq)?))).ok()?;
	if !reader.is_finished() {
		return None;
	}
	let pad = |x: UintRef| -> Option<[u8; N]> {
		let bytes = x.as_bytes();
		if bytes.len() > N {
			return None;
		}
		let mut out = [0u8; N];
		out[N - bytes.len()..].copy_from_slice(bytes);
		Some(out)
	};
	Some((pad(r)?, pad(s)?))
}

/// The named root, if it is not revoked.
fn usable_root(root: &RootKey) -> Result<&PublicKey, AttestationError> {
	if root.revoked {
		return Err(E::RootRevoked);
	}
	Ok(&root.key)
}

/// Verify an X.509 chain (leaf first) against the policy.
///
/// The chain may end with the root certificate itself (self-signed, its key the named
/// root's); it is then dropped and the pinned key used. Checked for every other
/// certificate: DER structure and size, v3, signature algorithm, validity at `now`,
/// extensions (basic constraints, path length, key usage, unknown critical ones), name
/// chaining, the revocation list by (issuer, serial), and the signature by the next
/// certificate (or the root). Then the manufacturer's policy: the leaf's required
/// object identifier and the pinned issuing intermediates.
pub fn verify_x509_chain<F: Fn(&CertificateRef) -> bool>(
	chain: &[&[u8]],
	policy: &Policy<F>,
) -> Result<VerifiedAttestation, AttestationError> {
	if chain.is_empty() {
		return Err(E::EmptyChain);
	}
	if chain.len() > (policy.max_intermediates + 2) as usize {
		return Err(E::ChainTooLong);
	}
	let root_key = usable_root(policy.root)?;
	let mut parsed =
		chain.iter().map(|bytes| parse(bytes, policy.max_certificate_len)).collect::<Result<Vec<_>, _>>()?;
	// A trailing root certificate adds nothing but its name: drop it when its key is
	// the root's. (The leaf alone is never the root.)
	if parsed.len() > 1 && parsed.last().map(|p| &p.key) == Some(root_key) {
		parsed.pop();
	}
	let intermediates = parsed.len() as u32 - 1;
	if intermediates > policy.max_intermediates {
		return Err(E::ChainTooLong);
	}

	let dice = policy.manufacturer.identity == IdentityKind::DiceDeviceId;
	// The device is the DeviceID, the CA right above the Alias leaf.
	if dice && parsed.len() < 2 {
		return Err(E::NotADiceChain);
	}
	let mut certificates = DeviceCertificates::default();
	let mut expires_at = u64::MAX;
	let mut leaf = ExtensionFacts::default();
	for (i, cert) in parsed.iter().enumerate() {
		let role = if i == 0 { Role::Leaf } else { Role::Intermediate { below: i as u32 - 1 } };
		expires_at = expires_at.min(check_validity(&cert.cert, policy.now)?);
		let facts = check_extensions(&cert.cert, role)?;
		if i == 0 {
			leaf = facts;
		}
		let issuer = parsed.get(i + 1).map_or(root_key, |issuer| &issuer.key);
		let reference = CertificateRef {
			issuer: key_id_of(issuer),
			serial: normalise_serial(cert.cert.tbs_certificate.serial_number.as_bytes())?,
		};
		if (policy.is_revoked)(&reference) {
			return Err(E::CertificateRevoked);
		}
		// Bounded by the chain length check above.
		certificates.try_push(reference).map_err(|_| E::ChainTooLong)?;
	}

	for (i, cert) in parsed.iter().enumerate() {
		match parsed.get(i + 1) {
			Some(issuer) => {
				if cert.cert.tbs_certificate.issuer != issuer.cert.tbs_certificate.subject {
					return Err(E::IssuerMismatch);
				}
				if !verify_certificate_signature(cert, &issuer.key) {
					return Err(E::InvalidSignature);
				}
			},
			None => {
				if !verify_certificate_signature(cert, root_key) {
					return Err(E::UntrustedRoot);
				}
			},
		}
	}

	if let Some(required) = &policy.manufacturer.required_leaf_oid {
		if !leaf.purposes.iter().any(|oid| oid.as_bytes() == &required[..]) {
			return Err(E::LeafPolicyMismatch);
		}
	}
	// The issuing CAs are those above the device's own certificates.
	let own = if dice { 2 } else { 1 };
	let pinned = &policy.manufacturer.issuing_intermediates;
	if !pinned.is_empty() && !parsed[own..].iter().any(|ca| pinned.contains(&key_id_of(&ca.key))) {
		return Err(E::IssuerNotPinned);
	}
	// The DeviceID must be certified by the manufacturer itself: the root, or a pinned
	// CA right above it. Otherwise firmware holding a CA-capable Alias key (Open DICE
	// profiles have them) could certify a leaf of its own and pass its Alias off as the
	// DeviceID: any firmware, any number of identities.
	if dice && parsed.len() > 2 && !pinned.contains(&key_id_of(&parsed[2].key)) {
		return Err(E::NotADiceChain);
	}
	if let Some(firmware) = &policy.manufacturer.firmware {
		let tcb = leaf.tcb.as_ref().filter(|tcb| !tcb.insecure).ok_or(E::FirmwareNotAllowed)?;
		if !tcb.fwids.iter().any(|fwid| firmware.allowed_fwids.iter().any(|allowed| allowed[..] == fwid[..])) {
			return Err(E::FirmwareNotAllowed);
		}
		if tcb.svn.unwrap_or(0) < firmware.min_svn {
			return Err(E::FirmwareTooOld);
		}
	}
	let hardware_key = if dice { parsed[1].key.clone() } else { parsed[0].key.clone() };
	Ok(VerifiedAttestation {
		hardware_key,
		signing_key: parsed[0].key.clone(),
		own_certificates: own as u8,
		certificates,
		expires_at,
	})
}

/// Verify a compact certificate against the policy. The manufacturer's X.509 policy
/// does not apply: the root signs it under a domain tag of its own, so it cannot be a
/// certificate issued for another use.
pub fn verify_compact<F: Fn(&CertificateRef) -> bool>(
	cert: &CompactCertificate,
	policy: &Policy<F>,
) -> Result<VerifiedAttestation, AttestationError> {
	let root_key = usable_root(policy.root)?;
	let hardware_key = validate_key(&cert.hardware_key)?;
	if policy.now < cert.not_before {
		return Err(E::NotYetValid);
	}
	if policy.now > cert.not_after {
		return Err(E::Expired);
	}
	let reference = CertificateRef { issuer: compact_issuer_of(root_key), serial: normalise_serial(&cert.serial)? };
	if (policy.is_revoked)(&reference) {
		return Err(E::CertificateRevoked);
	}
	// Compact certificates are signed by Ed25519 or P-256 roots (64-byte signatures).
	let signature = match root_key {
		PublicKey::P256(_) => HardwareSignature::P256(cert.signature),
		PublicKey::Ed25519(_) => HardwareSignature::Ed25519(cert.signature),
		_ => return Err(E::UnsupportedAlgorithm),
	};
	if !verify_raw(root_key, &cert.signing_payload(), &signature) {
		return Err(E::UntrustedRoot);
	}
	let mut certificates = DeviceCertificates::default();
	certificates.try_push(reference).map_err(|_| E::InvalidSerial)?;
	Ok(VerifiedAttestation {
		signing_key: hardware_key.clone(),
		hardware_key,
		own_certificates: 1,
		certificates,
		expires_at: cert.not_after,
	})
}

/// The subject key of a DER certificate, checked as the verifier checks it. With
/// [`key_id_of`] it names the issuer of the certificates this one signed, as the
/// revocation list and manufacturer policies do.
pub fn certificate_key(der_bytes: &[u8]) -> Result<PublicKey, AttestationError> {
	let cert = Certificate::from_der(der_bytes).map_err(|_| E::MalformedCertificate)?;
	subject_key(&cert)
}
