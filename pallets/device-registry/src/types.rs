//! Domain types of the device registry: keys, manufacturers, attestations and devices.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::ConstU32, traits::Get, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use machina_primitives::{H3Cell, OperationalKey};
use scale_info::TypeInfo;
use sp_core::H256;

/// A manufacturer's id, assigned in registration order.
pub type ManufacturerId = u32;
/// The position of a root key in its manufacturer's root list. Stable: a revoked root
/// keeps its slot, so devices can keep pointing at it.
pub type RootIndex = u8;

/// The longest certificate serial number: RFC 5280 allows 20 octets.
pub const MAX_SERIAL_LEN: u32 = 20;
/// A certificate serial number, without leading zero octets (so `0x00FF` and `0xFF`,
/// the DER and the human form of one serial, are the same key in the revocation list).
pub type Serial = BoundedVec<u8, ConstU32<MAX_SERIAL_LEN>>;

/// A key identifier: the blake2-256 hash of a public key's bytes (SEC1 compressed for
/// P-256, raw for Ed25519). A device's `DeviceId` is the key identifier of its hardware
/// key; an issuer is named by the key identifier of the key that signed a certificate.
pub type KeyId = H256;

/// The key identifier of `key`.
pub fn key_id_of(key: &PublicKey) -> KeyId {
	machina_primitives::device_id_of(key.as_bytes())
}

/// The issuer a compact certificate signed by `root` is filed under: not the root's own
/// key identifier, so compact serials and the serials of X.509 certificates the root
/// signed never collide on the revocation list.
pub fn compact_issuer_of(root: &PublicKey) -> KeyId {
	sp_io::hashing::blake2_256(&(COMPACT_CERTIFICATE_TAG, root).encode()).into()
}

/// One certificate of a device's chain as the revocation list names it: only
/// (issuer, serial) is unique (RFC 5280 4.1.2.2), a serial alone is not.
#[derive(Clone, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub struct CertificateRef {
	/// The key identifier of the key that signed it (the next certificate's, or the
	/// root's).
	pub issuer: KeyId,
	/// Its serial number, normalised.
	pub serial: Serial,
}

/// The most intermediates a chain may have between the device's leaf and the pinned
/// root. The runtime may lower it (`Config::MaxIntermediates`), never raise it.
pub const MAX_INTERMEDIATES: u32 = 3;
/// Decoding bound of one DER certificate in a call. The runtime's policy
/// (`Config::MaxCertificateLen`) is at most this.
pub const MAX_DER_CERTIFICATE_LEN: u32 = 4096;
/// Decoding bound of a chain: leaf, intermediates and, optionally, the root itself.
pub const MAX_CHAIN_CERTIFICATES: u32 = MAX_INTERMEDIATES + 2;
/// Certificates recorded per device: its leaf and each intermediate.
pub const MAX_DEVICE_CERTIFICATES: u32 = MAX_INTERMEDIATES + 1;
/// The most issuing intermediates a manufacturer may pin.
pub const MAX_PINNED_INTERMEDIATES: u32 = 8;
/// The longest object identifier a manufacturer policy may require (DER content bytes).
pub const MAX_OID_LEN: u32 = 32;
/// The most firmware digests a manufacturer's firmware policy may allow.
pub const MAX_FIRMWARE_DIGESTS: u32 = 16;
/// The longest firmware digest (SHA-512).
pub const MAX_DIGEST_LEN: u32 = 64;

/// The most devices one `devices_of` query returns.
pub const MAX_DEVICES_PER_PAGE: u32 = 100;

/// One DER-encoded X.509 certificate.
pub type DerCertificate = BoundedVec<u8, ConstU32<MAX_DER_CERTIFICATE_LEN>>;
/// A certificate chain, leaf first.
pub type CertificateChain = BoundedVec<DerCertificate, ConstU32<MAX_CHAIN_CERTIFICATES>>;
/// A device's certificates, leaf first, as (issuer, serial).
pub type DeviceCertificates = BoundedVec<CertificateRef, ConstU32<MAX_DEVICE_CERTIFICATES>>;
/// A device model name, as a compact certificate states it.
pub type ModelName = BoundedVec<u8, ConstU32<32>>;
/// An object identifier as the DER content octets of its encoding (for example
/// `2b 06 01 05 05 07 03 02` for id-kp-clientAuth, 1.3.6.1.5.5.7.3.2).
pub type OidBytes = BoundedVec<u8, ConstU32<MAX_OID_LEN>>;

/// A 64-byte signature: Ed25519, or ECDSA P-256 as `r || s` (big-endian), the format
/// secure elements such as the ATECC608 output. Compact certificates carry one.
pub type RawSignature = [u8; 64];

/// The largest RSA modulus accepted, in bytes (3072 bits).
pub const MAX_RSA_MODULUS_LEN: u32 = 384;
/// The RSA public exponent accepted (the TPM and X.509 default).
pub const RSA_EXPONENT: u32 = 65_537;

/// A hardware key's signature over a payload of this pallet, tagged by scheme; it must
/// match the key's algorithm.
#[derive(Clone, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub enum HardwareSignature {
	/// Ed25519.
	Ed25519([u8; 64]),
	/// ECDSA P-256 over SHA-256, `r || s`.
	P256([u8; 64]),
	/// ECDSA P-384 over SHA-384, `r || s` (TPM 2.0).
	P384([u8; 96]),
	/// RSASSA-PKCS1-v1_5 with SHA-256 (TPM 2.0 `TPM_ALG_RSASSA`), as long as the modulus.
	RsaPkcs1v15Sha256(BoundedVec<u8, ConstU32<MAX_RSA_MODULUS_LEN>>),
	/// RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt (TPM 2.0
	/// `TPM_ALG_RSAPSS`).
	RsaPssSha256(BoundedVec<u8, ConstU32<MAX_RSA_MODULUS_LEN>>),
}

/// An RSA public key: the modulus, big-endian without leading zeros, of 2048 or 3072
/// bits; the exponent is [`RSA_EXPONENT`].
pub type RsaModulus = BoundedVec<u8, ConstU32<MAX_RSA_MODULUS_LEN>>;

/// Domain tags: a signature made for one purpose is never valid for another. The
/// version changes whenever the signed layout does.
pub const REGISTER_TAG: &[u8; 26] = b"machina:device:register:v2";
pub const REATTEST_TAG: &[u8; 26] = b"machina:device:reattest:v1";
pub const RENEW_TAG: &[u8; 23] = b"machina:device:renew:v1";
pub const ROTATE_KEY_TAG: &[u8; 28] = b"machina:device:rotate-key:v2";
pub const COMPACT_CERTIFICATE_TAG: &[u8; 29] = b"machina:compact-certificate:1";
pub const AGGREGATION_KEY_TAG: &[u8; 33] = b"machina:device:aggregation-key:v2";

/// A BLS12-381 aggregation key as a device submits it: the compressed G1 key and its
/// proof of possession (the key's signature of itself, compressed G2), see [`crate::bls`].
#[derive(Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub struct AggregationKeyProof {
	/// The public key, compressed G1.
	pub public: [u8; 48],
	/// Its proof of possession, compressed G2.
	pub proof_of_possession: [u8; 96],
}

/// A public key of a root or of a device's hardware.
#[derive(Clone, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub enum PublicKey {
	/// ECDSA P-256, SEC1 compressed (33 bytes). Keys arriving uncompressed in a
	/// certificate are stored compressed, so one key has one `DeviceId`.
	P256([u8; 33]),
	/// Ed25519.
	Ed25519([u8; 32]),
	/// ECDSA P-384, SEC1 compressed (49 bytes).
	P384([u8; 49]),
	/// RSA, 2048 or 3072 bits, exponent 65537: the modulus.
	Rsa(RsaModulus),
}

impl PublicKey {
	/// A key from its raw bytes: 33 are a compressed P-256 key, 32 an Ed25519 key, 49 a
	/// compressed P-384 key, 256 or 384 an RSA modulus.
	pub fn from_raw(bytes: &[u8]) -> Option<PublicKey> {
		match bytes.len() {
			33 => Some(PublicKey::P256(bytes.try_into().ok()?)),
			32 => Some(PublicKey::Ed25519(bytes.try_into().ok()?)),
			49 => Some(PublicKey::P384(bytes.try_into().ok()?)),
			256 | 384 => Some(PublicKey::Rsa(RsaModulus::try_from(bytes.to_vec()).ok()?)),
			_ => None,
		}
	}

	/// The bytes the `DeviceId` and key identifiers are derived from.
	pub fn as_bytes(&self) -> &[u8] {
		match self {
			PublicKey::P256(k) => &k[..],
			PublicKey::Ed25519(k) => &k[..],
			PublicKey::P384(k) => &k[..],
			PublicKey::Rsa(n) => &n[..],
		}
	}
}

/// A manufacturer's root key and whether governance revoked it.
#[derive(Clone, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub struct RootKey {
	/// The key certificates and compact certificates are checked against.
	pub key: PublicKey,
	/// A revoked root verifies nothing new, and every device attested under it reads
	/// as `Revoked`.
	pub revoked: bool,
}

/// Whether a manufacturer's devices may register and earn.
#[derive(Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub enum ManufacturerStatus {
	Active,
	/// No new registrations; existing devices read as `Suspended` until resumed.
	Suspended,
}

/// A device manufacturer, managed by governance.
#[derive(
	CloneNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	DebugNoBound,
	PartialEqNoBound,
	EqNoBound,
)]
#[scale_info(skip_type_params(MaxNameLen, MaxRoots))]
pub struct Manufacturer<MaxNameLen: Get<u32>, MaxRoots: Get<u32>> {
	/// Human-readable name.
	pub name: BoundedVec<u8, MaxNameLen>,
	/// Pinned root keys; index = [`RootIndex`].
	pub roots: BoundedVec<RootKey, MaxRoots>,
	/// Active or suspended.
	pub status: ManufacturerStatus,
	/// Devices currently registered under this manufacturer.
	pub devices: u32,
	/// Entries of the revocation list filed under this manufacturer. While it is zero a
	/// device's status reads none of them.
	pub revocations: u32,
}

/// A firmware measurement (an FWID digest of a DICE TcbInfo).
pub type FirmwareDigest = BoundedVec<u8, ConstU32<MAX_DIGEST_LEN>>;

/// Which key of an X.509 chain is the device's identity (its `DeviceId`).
#[derive(
	Clone, Copy, Default, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq,
)]
pub enum IdentityKind {
	/// The leaf's key: secure elements, TPM IDevIDs, compact certificates.
	#[default]
	Leaf,
	/// TCG DICE layering: the leaf is the Alias certificate, whose key the firmware
	/// holds and which changes with the firmware; the device is its DeviceID, the first
	/// per-device CA above the leaf (the second certificate of the chain). Hardware
	/// signatures are made with the Alias key.
	DiceDeviceId,
}

/// The firmware a manufacturer's devices may run, checked against the DICE TcbInfo
/// extension (2.23.133.5.4.1) of the leaf.
#[derive(Clone, Default, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub struct FirmwarePolicy {
	/// Firmware digests allowed: one of the leaf's FWIDs must be among them.
	pub allowed_fwids: BoundedVec<FirmwareDigest, ConstU32<MAX_FIRMWARE_DIGESTS>>,
	/// The lowest security version (TcbInfo `svn`; absent reads as 0).
	pub min_svn: u64,
}

/// What a manufacturer requires of its devices' X.509 chains beyond a valid path to a
/// root, set by governance. Certificates a shared chip-vendor root signed for other
/// uses (TLS, test keys) then do not register as devices.
#[derive(Clone, Default, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub struct ManufacturerPolicy {
	/// An object identifier the leaf must carry, in its extended key usage or its
	/// certificate policies.
	pub required_leaf_oid: Option<OidBytes>,
	/// When not empty: the chain must contain one of these intermediates (by the key
	/// identifier of its key), the CAs that issue device certificates.
	pub issuing_intermediates: BoundedVec<KeyId, ConstU32<MAX_PINNED_INTERMEDIATES>>,
	/// Which certificate's key is the device.
	pub identity: IdentityKind,
	/// The firmware its devices may run (DICE TcbInfo of the leaf), if it says.
	pub firmware: Option<FirmwarePolicy>,
}

/// An entry of the revocation list.
#[derive(Clone, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub struct Revocation<BlockNumber> {
	/// The manufacturer it was filed under (its counter counts it).
	pub manufacturer: ManufacturerId,
	/// When it was revoked.
	pub revoked_at: BlockNumber,
}

/// A compact certificate for constrained devices: the manufacturer's root signs
/// (`COMPACT_CERTIFICATE_TAG`, manufacturer, hardware key, model, serial, validity)
/// in SCALE, see [`CompactCertificate::signing_payload`].
#[derive(Clone, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub struct CompactCertificate {
	/// The issuing manufacturer; any of its non-revoked roots may have signed.
	pub manufacturer: ManufacturerId,
	/// The device's hardware key.
	pub hardware_key: PublicKey,
	/// The device model.
	pub model: ModelName,
	/// The certificate's serial (revocable like an X.509 serial).
	pub serial: Serial,
	/// Valid from this Unix time (seconds), inclusive.
	pub not_before: u64,
	/// Valid until this Unix time (seconds), inclusive.
	pub not_after: u64,
	/// The root's signature over [`CompactCertificate::signing_payload`].
	pub signature: RawSignature,
}

impl CompactCertificate {
	/// What the root signs.
	pub fn signing_payload(&self) -> alloc::vec::Vec<u8> {
		(
			COMPACT_CERTIFICATE_TAG,
			self.manufacturer,
			&self.hardware_key,
			&self.model,
			&self.serial,
			self.not_before,
			self.not_after,
		)
			.encode()
	}
}

/// Evidence that a hardware key belongs to a genuine device of a manufacturer. It
/// names the root it chains to, so the runtime verifies against one root key only.
#[derive(Clone, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub enum Attestation {
	/// An X.509 v3 chain, leaf (the device's hardware key) first, then up to
	/// `MaxIntermediates` intermediates, optionally ending with the root certificate
	/// itself. The last certificate must be signed by `manufacturer`'s root `root`.
	X509 { manufacturer: ManufacturerId, root: RootIndex, chain: CertificateChain },
	/// A compact certificate signed directly by `certificate.manufacturer`'s root `root`.
	Compact { root: RootIndex, certificate: CompactCertificate },
}

impl Attestation {
	/// The manufacturer the attestation claims.
	pub fn manufacturer(&self) -> ManufacturerId {
		match self {
			Attestation::X509 { manufacturer, .. } => *manufacturer,
			Attestation::Compact { certificate, .. } => certificate.manufacturer,
		}
	}

	/// The root the attestation claims to chain to.
	pub fn root(&self) -> RootIndex {
		match self {
			Attestation::X509 { root, .. } | Attestation::Compact { root, .. } => *root,
		}
	}

	/// How many certificates the runtime verifies (for the weight).
	pub fn certificates(&self) -> u32 {
		match self {
			Attestation::X509 { chain, .. } => chain.len() as u32,
			Attestation::Compact { .. } => 0,
		}
	}
}

/// What a verified attestation establishes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedAttestation {
	/// The device's identity key: `DeviceId` is its hash.
	pub hardware_key: PublicKey,
	/// The key that signs for the device (the leaf's): the identity key itself, or a
	/// DICE Alias key.
	pub signing_key: PublicKey,
	/// How many certificates from the leaf up are the device's own (1, or 2 for DICE:
	/// Alias and DeviceID); revoking one is evidence against the device.
	pub own_certificates: u8,
	/// The leaf, then the intermediates, as (issuer, serial).
	pub certificates: DeviceCertificates,
	/// The earliest `notAfter` of the chain (Unix seconds): the device is `Expired`
	/// after it.
	pub expires_at: u64,
}

/// An offer to hand a device over.
#[derive(Clone, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub struct TransferOffer<AccountId> {
	/// Who may accept it.
	pub to: AccountId,
	/// Until when (Unix seconds, inclusive).
	pub expires_at: u64,
}

/// A registered device.
#[derive(Clone, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub struct Device<AccountId, Balance, BlockNumber> {
	/// Who registered it (or accepted its transfer), and whose bond backs it.
	pub owner: AccountId,
	/// The bond committed for it through the bond manager.
	pub bond: Balance,
	/// Its manufacturer.
	pub manufacturer: ManufacturerId,
	/// The root its attestation chains to.
	pub root: RootIndex,
	/// The hardware identity key; `DeviceId` is its blake2-256 hash.
	pub hardware_key: PublicKey,
	/// The key its hardware signatures are checked with: the identity key, or the
	/// DICE Alias key of the firmware it runs (replaced by a renewal after an update).
	pub signing_key: PublicKey,
	/// Its certificates, leaf first, as the revocation list names them.
	pub certificates: DeviceCertificates,
	/// How many of them, from the leaf up, are the device's own (1, or 2 with DICE).
	pub own_certificates: u8,
	/// The earliest `notAfter` of its chain (Unix seconds).
	pub expires_at: u64,
	/// The key it signs day-to-day messages with. Cleared when the device changes
	/// hands, until the new owner sets one.
	pub operational_key: Option<OperationalKey>,
	/// Its BLS12-381 aggregation key (uncompressed G1), for aggregated heartbeats.
	pub aggregation_key: Option<machina_primitives::AggregationKey>,
	/// Bumped by every hardware-signed key change, so such a signature works once.
	pub key_nonce: u32,
	/// Its declared location.
	pub location: Option<H3Cell>,
	/// When the location last changed (Unix seconds; rate limit).
	pub location_updated_at: u64,
	/// When it registered.
	pub registered_at: BlockNumber,
	/// When its last attestation (registration, renewal or re-attestation) was
	/// accepted (Unix seconds).
	pub attested_at: u64,
}

/// A manufacturer as the runtime API reports it.
#[derive(Clone, Encode, Decode, TypeInfo, Debug, PartialEq, Eq)]
pub struct ManufacturerView {
	/// Its id.
	pub id: ManufacturerId,
	/// Its name.
	pub name: alloc::vec::Vec<u8>,
	/// Its roots, by index.
	pub roots: alloc::vec::Vec<RootKey>,
	/// Active or suspended.
	pub status: ManufacturerStatus,
	/// Devices registered under it.
	pub devices: u32,
	/// Entries of the revocation list filed under it.
	pub revocations: u32,
	/// What it requires of device chains.
	pub policy: ManufacturerPolicy,
}

/// A device as the runtime API reports it: the record and its status now.
#[derive(Clone, Encode, Decode, TypeInfo, Debug, PartialEq, Eq)]
pub struct DeviceView<AccountId, Balance, BlockNumber> {
	/// Its id.
	pub id: machina_primitives::DeviceId,
	/// Its lifecycle status at the queried block (staleness, expiry and revocation
	/// applied).
	pub status: machina_primitives::DeviceStatus,
	/// Whether a certificate of its chain (or its root) is revoked.
	pub revoked: bool,
	/// The last block its hardware signed (registration or re-attestation): the next
	/// signature must be over a later one.
	pub last_reference: BlockNumber,
	/// The account a transfer is offered to, and until when.
	pub pending_transfer: Option<TransferOffer<AccountId>>,
	/// The stored record.
	pub device: Device<AccountId, Balance, BlockNumber>,
}
