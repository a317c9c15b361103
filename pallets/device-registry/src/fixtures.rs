//! Real attestation fixtures made by `fixtures/generate.sh` (openssl), for the tests and
//! the benchmarks, with helpers to sign as the device would.

use crate::types::*;
use frame_support::BoundedVec;

/// Unix times relative to the fixtures' validity (issued 2026-11-23, leaves and
/// intermediates valid 10 years, roots 20; `acme::SHORT` 30 days).
pub mod time {
	/// 2026-12-01: every fixture is valid, `acme::SHORT` too.
	pub const SHORT_VALID: u64 = 1796083200;
	/// 2027-01-01: `acme::SHORT` has expired, the others are valid.
	pub const SHORT_EXPIRED: u64 = 1798761600;
	/// 2027-06-01: every fixture is valid.
	pub const VALID: u64 = 1_811_808_000;
	/// 2040-01-01: leaves and intermediates have expired.
	pub const EXPIRED: u64 = 2_208_988_800;
	/// 2026-01-01: nothing is valid yet.
	pub const BEFORE: u64 = 1_767_225_600;
}

/// P-256 chains of "Acme Sensors".
pub mod acme {
	pub const ROOT: &[u8] = include_bytes!("../fixtures/p256/root.der");
	pub const ROOT_PUB: &[u8; 33] = include_bytes!("../fixtures/p256/root.pub");
	pub const INT1: &[u8] = include_bytes!("../fixtures/p256/int1.der");
	pub const INT2: &[u8] = include_bytes!("../fixtures/p256/int2.der");
	pub const INT3: &[u8] = include_bytes!("../fixtures/p256/int3.der");
	pub const INT4: &[u8] = include_bytes!("../fixtures/p256/int4.der");
	pub const LEAF1: &[u8] = include_bytes!("../fixtures/p256/leaf1.der");
	pub const LEAF1_KEY: &[u8] = include_bytes!("../fixtures/p256/leaf1.key.der");
	pub const LEAF2: &[u8] = include_bytes!("../fixtures/p256/leaf2.der");
	pub const LEAF2_KEY: &[u8] = include_bytes!("../fixtures/p256/leaf2.key.der");
	pub const LEAF3: &[u8] = include_bytes!("../fixtures/p256/leaf3.der");
	pub const LEAF3_KEY: &[u8] = include_bytes!("../fixtures/p256/leaf3.key.der");
	pub const LEAF4: &[u8] = include_bytes!("../fixtures/p256/leaf4.der");
	pub const LEAF4_KEY: &[u8] = include_bytes!("../fixtures/p256/leaf4.key.der");
	pub const LEAF5: &[u8] = include_bytes!("../fixtures/p256/leaf5.der");
	pub const NOT_CA: &[u8] = include_bytes!("../fixtures/p256/notca.der");
	pub const LEAF_UNDER_NOT_CA: &[u8] = include_bytes!("../fixtures/p256/leaf-notca.der");
	pub const LEAF_UNDER_NOT_CA_KEY: &[u8] = include_bytes!("../fixtures/p256/leaf-notca.key.der");
	pub const LEAF_WITHOUT_DIGITAL_SIGNATURE: &[u8] = include_bytes!("../fixtures/p256/leaf-nods.der");
	pub const LEAF_WITHOUT_DIGITAL_SIGNATURE_KEY: &[u8] = include_bytes!("../fixtures/p256/leaf-nods.key.der");
	/// Issued by the root; the leaves below it repeat serials of other issuers.
	pub const INT5: &[u8] = include_bytes!("../fixtures/p256/int5.der");
	/// By `INT5`, with the serial of `LEAF3` (0x1003, by `INT2`).
	pub const LEAF6: &[u8] = include_bytes!("../fixtures/p256/leaf6.der");
	pub const LEAF6_KEY: &[u8] = include_bytes!("../fixtures/p256/leaf6.key.der");
	/// By `INT5`, with the serial of `INT1` (0x0201, by the root).
	pub const LEAF7: &[u8] = include_bytes!("../fixtures/p256/leaf7.der");
	pub const LEAF7_KEY: &[u8] = include_bytes!("../fixtures/p256/leaf7.key.der");
	/// A TLS server certificate by the root: no device policy, EKU serverAuth.
	pub const LEAF_TLS: &[u8] = include_bytes!("../fixtures/p256/leaf-tls.der");
	pub const LEAF_TLS_KEY: &[u8] = include_bytes!("../fixtures/p256/leaf-tls.key.der");
	/// One device key, certified three times: by `INT1` for 30 days (`SHORT`), by
	/// `INT1` for 10 years (`RENEWED`), by the second root (`MIGRATED`).
	pub const SHORT: &[u8] = include_bytes!("../fixtures/p256/short.der");
	pub const SHORT_KEY: &[u8] = include_bytes!("../fixtures/p256/short.key.der");
	pub const RENEWED: &[u8] = include_bytes!("../fixtures/p256/renewed.der");
	pub const MIGRATED: &[u8] = include_bytes!("../fixtures/p256/migrated.der");
	/// A leaf with 17 extensions, close to `MaxCertificateLen` (the parsing worst case).
	pub const FAT: &[u8] = include_bytes!("../fixtures/p256/fat.der");
	pub const FAT_KEY: &[u8] = include_bytes!("../fixtures/p256/fat.key.der");
	/// Acme's second root.
	pub const ROOT2_PUB: &[u8; 33] = include_bytes!("../fixtures/p256/root2.pub");
	/// The certificate policy every device leaf carries (1.3.6.1.4.1.59999.1.1), as DER
	/// content octets.
	pub const DEVICE_POLICY_OID: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xd4, 0x5f, 0x01, 0x01];
	/// id-kp-clientAuth (1.3.6.1.5.5.7.3.2), the EKU of every device leaf.
	pub const CLIENT_AUTH_OID: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02];

	/// The chain of `n` certificates (1 to 4, or 5 with the root appended) and the
	/// device key that goes with it.
	pub fn chain_of(n: u32) -> (&'static [&'static [u8]], &'static [u8]) {
		match n {
			1 => (&[LEAF1], LEAF1_KEY),
			2 => (&[LEAF2, INT1], LEAF2_KEY),
			3 => (&[LEAF3, INT2, INT1], LEAF3_KEY),
			4 => (&[LEAF4, INT3, INT2, INT1], LEAF4_KEY),
			_ => (&[LEAF4, INT3, INT2, INT1, ROOT], LEAF4_KEY),
		}
	}
}

/// DICE chains of "Dice Devices": root -> `INT` (certifies DeviceIDs) -> `DEVICE_ID`
/// (the device, a CA) -> Alias leaves carrying a DiceTcbInfo (firmware FWID, svn).
pub mod dice {
	pub const ROOT_PUB: &[u8; 33] = include_bytes!("../fixtures/dice/root.pub");
	pub const INT: &[u8] = include_bytes!("../fixtures/dice/int.der");
	pub const DEVICE_ID: &[u8] = include_bytes!("../fixtures/dice/deviceid.der");
	/// Firmware "firmware v2", svn 2.
	pub const ALIAS_V2: &[u8] = include_bytes!("../fixtures/dice/alias-v2.der");
	pub const ALIAS_V2_KEY: &[u8] = include_bytes!("../fixtures/dice/alias-v2.key.der");
	/// After an update: "firmware v3", svn 3, a new Alias key.
	pub const ALIAS_V3: &[u8] = include_bytes!("../fixtures/dice/alias-v3.der");
	pub const ALIAS_V3_KEY: &[u8] = include_bytes!("../fixtures/dice/alias-v3.key.der");
	/// Old firmware: "firmware v1", svn 1.
	pub const ALIAS_V1: &[u8] = include_bytes!("../fixtures/dice/alias-v1.der");
	pub const ALIAS_V1_KEY: &[u8] = include_bytes!("../fixtures/dice/alias-v1.key.der");
	/// Unknown firmware: "evil firmware", svn 9.
	pub const ALIAS_EVIL: &[u8] = include_bytes!("../fixtures/dice/alias-evil.der");
	pub const ALIAS_EVIL_KEY: &[u8] = include_bytes!("../fixtures/dice/alias-evil.key.der");
	/// No TcbInfo.
	pub const ALIAS_NO_TCB: &[u8] = include_bytes!("../fixtures/dice/alias-notcb.der");
	pub const ALIAS_NO_TCB_KEY: &[u8] = include_bytes!("../fixtures/dice/alias-notcb.key.der");
	/// Allowed firmware, but the layer runs in debug mode (TcbInfo flags).
	pub const ALIAS_DEBUG: &[u8] = include_bytes!("../fixtures/dice/alias-debug.der");
	pub const ALIAS_DEBUG_KEY: &[u8] = include_bytes!("../fixtures/dice/alias-debug.key.der");
	/// A CA-capable Alias, and a leaf its firmware issued itself (with allowed TcbInfo).
	pub const ALIAS_CA: &[u8] = include_bytes!("../fixtures/dice/alias-ca.der");
	pub const FORGED: &[u8] = include_bytes!("../fixtures/dice/forged.der");
	pub const FORGED_KEY: &[u8] = include_bytes!("../fixtures/dice/forged.key.der");
}

/// TPM 2.0 IDevID chains of "Trusted Modules": RSA-3072 vendor CAs signing with
/// RSASSA-PSS (SHA-256, salt 32).
pub mod tpm {
	/// The root's modulus (RSA-3072).
	pub const ROOT_PUB: &[u8] = include_bytes!("../fixtures/tpm/root.pub");
	pub const ROOT: &[u8] = include_bytes!("../fixtures/tpm/root.der");
	pub const INT1: &[u8] = include_bytes!("../fixtures/tpm/int1.der");
	pub const INT2: &[u8] = include_bytes!("../fixtures/tpm/int2.der");
	pub const INT3: &[u8] = include_bytes!("../fixtures/tpm/int3.der");
	pub const LEAF1: &[u8] = include_bytes!("../fixtures/tpm/leaf1.der");
	pub const LEAF1_KEY: &[u8] = include_bytes!("../fixtures/tpm/leaf1.key.der");
	pub const LEAF2: &[u8] = include_bytes!("../fixtures/tpm/leaf2.der");
	pub const LEAF2_KEY: &[u8] = include_bytes!("../fixtures/tpm/leaf2.key.der");
	pub const LEAF3: &[u8] = include_bytes!("../fixtures/tpm/leaf3.der");
	pub const LEAF3_KEY: &[u8] = include_bytes!("../fixtures/tpm/leaf3.key.der");
	pub const LEAF4: &[u8] = include_bytes!("../fixtures/tpm/leaf4.der");
	pub const LEAF4_KEY: &[u8] = include_bytes!("../fixtures/tpm/leaf4.key.der");
	/// An RSA-2048 IDevID by `INT1` (PSS), with a hardwareModuleName.
	pub const IDEVID: &[u8] = include_bytes!("../fixtures/tpm/idevid.der");
	pub const IDEVID_KEY: &[u8] = include_bytes!("../fixtures/tpm/idevid.key.der");
	/// An RSA-2048 IDevID by `INT1`, sha384WithRSAEncryption.
	pub const IDEVID_PKCS1: &[u8] = include_bytes!("../fixtures/tpm/idevid-pkcs1.der");
	pub const IDEVID_PKCS1_KEY: &[u8] = include_bytes!("../fixtures/tpm/idevid-pkcs1.key.der");
	/// Refused: an RSA-1024 key; a SHA-1 signature.
	pub const RSA1024: &[u8] = include_bytes!("../fixtures/tpm/rsa1024.der");
	pub const SHA1: &[u8] = include_bytes!("../fixtures/tpm/sha1.der");

	/// The RSA-3072 chain of `n` certificates (1 to 4, or 5 with the root certificate)
	/// and its device key (PKCS#1 DER).
	pub fn chain_of(n: u32) -> (&'static [&'static [u8]], &'static [u8]) {
		match n {
			1 => (&[LEAF1], LEAF1_KEY),
			2 => (&[LEAF2, INT1], LEAF2_KEY),
			3 => (&[LEAF3, INT2, INT1], LEAF3_KEY),
			4 => (&[LEAF4, INT3, INT2, INT1], LEAF4_KEY),
			_ => (&[LEAF4, INT3, INT2, INT1, ROOT], LEAF4_KEY),
		}
	}
}

/// A P-384 (SHA-384) TPM IDevID chain.
pub mod p384 {
	pub const ROOT_PUB: &[u8; 49] = include_bytes!("../fixtures/p384/root.pub");
	pub const INT: &[u8] = include_bytes!("../fixtures/p384/int.der");
	pub const IDEVID: &[u8] = include_bytes!("../fixtures/p384/idevid.der");
	pub const IDEVID_KEY: &[u8] = include_bytes!("../fixtures/p384/idevid.key.der");
}

/// Ed25519 chain of "Edwards Devices".
pub mod edwards {
	pub const ROOT_PUB: &[u8; 32] = include_bytes!("../fixtures/ed25519/root.pub");
	pub const INT: &[u8] = include_bytes!("../fixtures/ed25519/int.der");
	pub const LEAF: &[u8] = include_bytes!("../fixtures/ed25519/leaf.der");
	pub const LEAF_KEY: &[u8] = include_bytes!("../fixtures/ed25519/leaf.key.der");
}

/// Another manufacturer ("Other Corp") and an RSA certificate.
pub mod other {
	pub const ROOT_PUB: &[u8; 33] = include_bytes!("../fixtures/other/root.pub");
	pub const LEAF: &[u8] = include_bytes!("../fixtures/other/leaf.der");
	pub const LEAF_KEY: &[u8] = include_bytes!("../fixtures/other/leaf.key.der");
	pub const RSA: &[u8] = include_bytes!("../fixtures/other/rsa.der");
}

/// A certificate chain as a call takes it.
pub fn chain(certs: &[&[u8]]) -> CertificateChain {
	BoundedVec::truncate_from(certs.iter().map(|c| BoundedVec::truncate_from(c.to_vec())).collect())
}

/// The private scalar of an OpenSSL SEC1 `ECPrivateKey` (P-256) DER.
pub fn p256_secret(sec1_der: &[u8]) -> [u8; 32] {
	// SEQUENCE(0x77) { INTEGER 1, OCTET STRING(32) key, ... }
	assert_eq!(&sec1_der[..7], &[0x30, 0x77, 0x02, 0x01, 0x01, 0x04, 0x20], "not a P-256 SEC1 key");
	sec1_der[7..39].try_into().expect("32 bytes")
}

/// The seed of an OpenSSL PKCS#8 Ed25519 private key DER.
pub fn ed25519_seed(pkcs8_der: &[u8]) -> [u8; 32] {
	const PREFIX: [u8; 16] =
		[0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
	assert_eq!(&pkcs8_der[..16], &PREFIX, "not a PKCS#8 Ed25519 key");
	pkcs8_der[16..48].try_into().expect("32 bytes")
}

/// Sign `message` with a P-256 key (ECDSA over SHA-256, `r || s`), as a secure element
/// would.
pub fn sign_p256_raw(secret: &[u8; 32], message: &[u8]) -> RawSignature {
	use ::p256::ecdsa::{signature::Signer, Signature, SigningKey};
	let key = SigningKey::from_bytes(&(*secret).into()).expect("valid P-256 secret");
	let signature: Signature = key.sign(message);
	signature.to_bytes().into()
}

/// [`sign_p256_raw`] as a hardware signature.
pub fn sign_p256(secret: &[u8; 32], message: &[u8]) -> HardwareSignature {
	HardwareSignature::P256(sign_p256_raw(secret, message))
}

/// The private scalar of an OpenSSL SEC1 `ECPrivateKey` (P-384) DER.
pub fn p384_secret(sec1_der: &[u8]) -> [u8; 48] {
	assert_eq!(&sec1_der[..8], &[0x30, 0x81, 0xa4, 0x02, 0x01, 0x01, 0x04, 0x30], "not a P-384 SEC1 key");
	sec1_der[8..56].try_into().expect("48 bytes")
}

/// Sign `message` with a P-384 key (ECDSA over SHA-384, `r || s`), as a TPM would.
pub fn sign_p384(secret: &[u8; 48], message: &[u8]) -> HardwareSignature {
	use ::p384::ecdsa::{signature::Signer, Signature, SigningKey};
	let key = SigningKey::from_bytes(&(*secret).into()).expect("valid P-384 secret");
	let signature: Signature = key.sign(message);
	let mut raw = [0u8; 96];
	raw.copy_from_slice(&signature.to_bytes());
	HardwareSignature::P384(raw)
}

/// The compressed public key of a P-384 secret.
pub fn p384_public(secret: &[u8; 48]) -> PublicKey {
	let key = ::p384::ecdsa::SigningKey::from_bytes(&(*secret).into()).expect("valid P-384 secret");
	PublicKey::P384(key.verifying_key().to_encoded_point(true).as_bytes().try_into().expect("49 bytes"))
}

fn rsa_private(pkcs1_der: &[u8]) -> ::rsa::RsaPrivateKey {
	use ::rsa::pkcs1::DecodeRsaPrivateKey;
	::rsa::RsaPrivateKey::from_pkcs1_der(pkcs1_der).expect("an OpenSSL PKCS#1 RSA key")
}

/// The public key of an RSA private key (PKCS#1 DER).
pub fn rsa_public(pkcs1_der: &[u8]) -> PublicKey {
	use ::rsa::traits::PublicKeyParts;
	PublicKey::Rsa(frame_support::BoundedVec::truncate_from(rsa_private(pkcs1_der).n().to_bytes_be()))
}

/// Sign `message` with an RSA key, RSASSA-PKCS1-v1_5 with SHA-256, as a TPM does with
/// `TPM_ALG_RSASSA`.
pub fn sign_rsa_pkcs1(pkcs1_der: &[u8], message: &[u8]) -> HardwareSignature {
	use ::rsa::signature::{SignatureEncoding, Signer};
	let key = ::rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(rsa_private(pkcs1_der));
	HardwareSignature::RsaPkcs1v15Sha256(frame_support::BoundedVec::truncate_from(key.sign(message).to_vec()))
}

/// Sign `message` with an RSA key, RSASSA-PSS with SHA-256 and a 32-byte salt, as a TPM
/// does with `TPM_ALG_RSAPSS` (the salt from a fixed test generator).
#[cfg(feature = "std")]
pub fn sign_rsa_pss(pkcs1_der: &[u8], message: &[u8]) -> HardwareSignature {
	use ::rsa::signature::{RandomizedSigner, SignatureEncoding};
	struct TestRng(u64);
	impl ::rsa::rand_core::RngCore for TestRng {
		fn next_u32(&mut self) -> u32 {
			self.next_u64() as u32
		}
		fn next_u64(&mut self) -> u64 {
			self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
			self.0
		}
		fn fill_bytes(&mut self, dest: &mut [u8]) {
			dest.iter_mut().for_each(|b| *b = self.next_u64() as u8);
		}
		fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), ::rsa::rand_core::Error> {
			self.fill_bytes(dest);
			Ok(())
		}
	}
	impl ::rsa::rand_core::CryptoRng for TestRng {}
	let key = ::rsa::pss::SigningKey::<sha2::Sha256>::new(rsa_private(pkcs1_der));
	let signature = key.sign_with_rng(&mut TestRng(7), message);
	HardwareSignature::RsaPssSha256(frame_support::BoundedVec::truncate_from(signature.to_vec()))
}

/// The compressed public key of a P-256 secret.
pub fn p256_public(secret: &[u8; 32]) -> PublicKey {
	let key = ::p256::ecdsa::SigningKey::from_bytes(&(*secret).into()).expect("valid P-256 secret");
	let point = key.verifying_key().to_encoded_point(true);
	PublicKey::P256(point.as_bytes().try_into().expect("33 bytes"))
}

/// Sign `message` with an Ed25519 seed.
#[cfg(feature = "std")]
pub fn sign_ed25519_raw(seed: &[u8; 32], message: &[u8]) -> RawSignature {
	use sp_core::Pair;
	sp_core::ed25519::Pair::from_seed(seed).sign(message).0
}

/// [`sign_ed25519_raw`] as a hardware signature.
#[cfg(feature = "std")]
pub fn sign_ed25519(seed: &[u8; 32], message: &[u8]) -> HardwareSignature {
	HardwareSignature::Ed25519(sign_ed25519_raw(seed, message))
}

/// The public key of an Ed25519 seed.
#[cfg(feature = "std")]
pub fn ed25519_public(seed: &[u8; 32]) -> PublicKey {
	use sp_core::Pair;
	PublicKey::Ed25519(sp_core::ed25519::Pair::from_seed(seed).public().0)
}

/// A compact certificate signed by a P-256 root secret.
pub fn compact_p256(
	manufacturer: ManufacturerId,
	root_secret: &[u8; 32],
	hardware_key: PublicKey,
	serial: &[u8],
	not_before: u64,
	not_after: u64,
) -> CompactCertificate {
	let mut cert = CompactCertificate {
		manufacturer,
		hardware_key,
		model: BoundedVec::truncate_from(b"sensor-v1".to_vec()),
		serial: BoundedVec::truncate_from(serial.to_vec()),
		not_before,
		not_after,
		signature: [0; 64],
	};
	cert.signature = sign_p256_raw(root_secret, &cert.signing_payload());
	cert
}

/// The BLS12-381 secret a test device derives from `seed`.
pub fn bls_secret(seed: u64) -> bls12_381::Scalar {
	machina_primitives::bls::testing::secret(&sp_io::hashing::blake2_256(&seed.to_le_bytes()))
}

/// A BLS12-381 aggregation key made from `seed`: the compressed key and its proof of
/// possession for `device`, as the device would submit them.
pub fn bls_key(seed: u64, device: &machina_primitives::DeviceId) -> AggregationKeyProof {
	use machina_primitives::bls::testing;
	let secret = bls_secret(seed);
	AggregationKeyProof {
		public: testing::public(&secret),
		proof_of_possession: testing::proof_of_possession(&secret, device.as_fixed_bytes()),
	}
}
