#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod attestation;
pub mod bls;
mod dispatchable_impls;
mod inspect_impls;
pub mod runtime_api;
mod try_state_impls;
pub mod types;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(any(test, feature = "runtime-benchmarks", feature = "test-fixtures"))]
pub mod fixtures;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use pallet::*;
pub use types::*;

/// What the benchmarks need from the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Make `UnixTime::now()` return `secs`.
	fn set_unix_time(secs: u64);
	/// Give `who` enough free device bond for `devices` devices.
	fn bond_for_devices(who: &AccountId, devices: u32);
	/// Leave `device`'s bond of `who` short, as a slash does.
	fn slash_device_bond(who: &AccountId, device: machina_primitives::DeviceId);
}
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{tokens::Balance as BalanceT, UnixTime},
	};
	use frame_system::pallet_prelude::*;
	use machina_primitives::{BondManager, BondSlasher, DeviceId, H3Cell, OnSignerRetired, OperationalKey};
	use sp_runtime::traits::BlockNumberProvider;

	/// The balance type bonds are counted in.
	pub type BalanceOf<T> = <T as Config>::Balance;
	/// A stored device record.
	pub type DeviceOf<T> = Device<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;
	/// A device as the runtime API reports it.
	pub type DeviceViewOf<T> = DeviceView<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;
	/// A stored manufacturer record.
	pub type ManufacturerOf<T> = Manufacturer<<T as Config>::MaxNameLen, <T as Config>::MaxRoots>;
	/// A list of root keys as governance submits it.
	pub type RootKeysOf<T> = BoundedVec<PublicKey, <T as Config>::MaxRoots>;
	/// A moment on the bond manager's clock (evidence time of offences).
	pub type ClockMomentOf<T> = <<T as Config>::Clock as BlockNumberProvider>::BlockNumber;

	/// 1: revocation by (issuer, serial), attestation history and expiry, ownership
	/// clears keys. No chain ran version 0 with devices, so there is nothing to migrate.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The balance type of device bonds.
		type Balance: BalanceT + MaxEncodedLen;

		/// Holds the device bonds (`pallet-micro-bonds` in the runtime).
		type Bonds: BondManager<Self::AccountId, Self::Balance>;

		/// Slashes the bond of a revoked device when it leaves (`pallet-micro-bonds`),
		/// by the governance policy for `OffenceKind::RevokedDevice`.
		type Slasher: BondSlasher<Self::AccountId, Self::Balance, ClockMomentOf<Self>>;

		/// The bond manager's clock (relay-chain blocks in the runtime): when an offence
		/// happened.
		type Clock: BlockNumberProvider;

		/// Told before a device's operational key stops signing for it (rotation, sale,
		/// deregistration), and may refuse (`pallet-coverage`: evidence against the
		/// retired key stays reportable, one retired key per device at a time).
		type SignerRetired: OnSignerRetired<Self::AccountId>;

		/// The bond each registered device commits, from the owner's own bond or the pool
		/// the owner operates.
		#[pallet::constant]
		type DeviceBond: Get<Self::Balance>;

		/// On-chain time: certificate validity and every duration of this pallet.
		type UnixTime: UnixTime;

		/// Manages manufacturers, roots, policies and the revocation list (governance).
		type ManufacturerOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Seconds an attestation stays fresh; after that the device is `Stale` (earns
		/// nothing) until it re-attests.
		#[pallet::constant]
		type AttestationValidity: Get<u64>;

		/// How many blocks old the block a hardware signature names (registration,
		/// renewal, re-attestation) may be. Counted in blocks because it bounds which
		/// block hashes are known, not a duration users plan with; keep it within
		/// `frame_system::BlockHashCount`.
		#[pallet::constant]
		type ReattestationWindow: Get<BlockNumberFor<Self>>;

		/// Seconds between two location changes of a device.
		#[pallet::constant]
		type LocationUpdateInterval: Get<u64>;

		/// Seconds a transfer offer can be accepted.
		#[pallet::constant]
		type TransferOfferTtl: Get<u64>;

		/// The coarsest H3 resolution a device may declare.
		#[pallet::constant]
		type MinLocationResolution: Get<u8>;

		/// The finest H3 resolution a device may declare.
		#[pallet::constant]
		type MaxLocationResolution: Get<u8>;

		/// The longest manufacturer name.
		#[pallet::constant]
		type MaxNameLen: Get<u32>;

		/// The most root keys a manufacturer may have over its life (revoked ones keep
		/// their slot).
		#[pallet::constant]
		type MaxRoots: Get<u32>;

		/// The longest DER certificate accepted (at most 4096).
		#[pallet::constant]
		type MaxCertificateLen: Get<u32>;

		/// The most intermediates between leaf and root (at most 3).
		#[pallet::constant]
		type MaxIntermediates: Get<u32>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;

		/// Sets time and bonds up for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// Manufacturers, by id.
	#[pallet::storage]
	pub type Manufacturers<T: Config> = StorageMap<_, Twox64Concat, ManufacturerId, ManufacturerOf<T>, OptionQuery>;

	/// The next manufacturer id to assign.
	#[pallet::storage]
	pub type NextManufacturerId<T: Config> = StorageValue<_, ManufacturerId, ValueQuery>;

	/// The manufacturer and slot of every root key ever added: a key is the root of one
	/// manufacturer only. Bounded by governance, the only writer.
	#[pallet::storage]
	pub type RootOwners<T: Config> = StorageMap<_, Identity, KeyId, (ManufacturerId, RootIndex), OptionQuery>;

	/// What each manufacturer requires of its devices' X.509 chains (default: nothing
	/// beyond a valid chain). Set by governance.
	#[pallet::storage]
	pub type ManufacturerPolicies<T: Config> =
		StorageMap<_, Twox64Concat, ManufacturerId, ManufacturerPolicy, ValueQuery>;

	/// The certificate revocation list, by (issuer key identifier, serial): a revoked
	/// intermediate revokes exactly its own certificate, whatever other issuers number
	/// theirs. Bounded by governance, the only writer.
	#[pallet::storage]
	pub type RevokedCertificates<T: Config> =
		StorageDoubleMap<_, Identity, KeyId, Blake2_128Concat, Serial, Revocation<BlockNumberFor<T>>, OptionQuery>;

	/// Registered devices. Bounded by `DeviceBond`: each costs its owner a bond.
	#[pallet::storage]
	pub type Devices<T: Config> = StorageMap<_, Identity, DeviceId, DeviceOf<T>, OptionQuery>;

	/// The devices of each owner (for listing with a cursor).
	#[pallet::storage]
	pub type DevicesByOwner<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Identity, DeviceId, (), OptionQuery>;

	/// The device holding each of its own certificates (the leaf; with DICE also the
	/// DeviceID), by (issuer, serial): one certificate registers one device, and revoking
	/// it names the device.
	#[pallet::storage]
	pub type DeviceByCertificate<T: Config> =
		StorageDoubleMap<_, Identity, KeyId, Blake2_128Concat, Serial, DeviceId, OptionQuery>;

	/// The last block each hardware key signed in an attestation (registration, renewal
	/// or re-attestation). Kept after deregistration, so a signature is never accepted
	/// twice and re-registering needs the hardware to sign again. One entry per device
	/// ever registered; each registration cost a bond and a fee.
	#[pallet::storage]
	pub type LastAttestation<T: Config> = StorageMap<_, Identity, DeviceId, BlockNumberFor<T>, OptionQuery>;

	/// Hardware keys whose own leaf certificate was revoked while they were registered,
	/// with that certificate: such a key cannot register or renew again with another of
	/// its certificates (an older one, one under another root, a compact one) until the
	/// revocation is withdrawn. Bounded by governance's revocations.
	#[pallet::storage]
	pub type RevokedHardware<T: Config> = StorageMap<_, Identity, DeviceId, CertificateRef, OptionQuery>;

	/// The device holding each BLS aggregation key (uncompressed, as stored on the
	/// device; one-to-one with the compressed form): a key counts for one device only, so
	/// a copied key and its public proof of possession cannot make one signature count
	/// for many devices.
	#[pallet::storage]
	pub type AggregationKeyOwners<T: Config> =
		StorageMap<_, Blake2_128Concat, machina_primitives::AggregationKey, DeviceId, OptionQuery>;

	/// Transfers offered and not yet accepted or cancelled (one per device).
	#[pallet::storage]
	pub type PendingTransfers<T: Config> = StorageMap<_, Identity, DeviceId, TransferOffer<T::AccountId>, OptionQuery>;

	/// How many devices are registered.
	#[pallet::storage]
	pub type DeviceCount<T: Config> = StorageValue<_, u32, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Manufacturers at genesis: name and raw root keys (33 bytes: compressed P-256,
		/// 32: Ed25519). Ids are assigned from 0.
		pub manufacturers: alloc::vec::Vec<(alloc::vec::Vec<u8>, alloc::vec::Vec<alloc::vec::Vec<u8>>)>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for (name, roots) in &self.manufacturers {
				let name = BoundedVec::try_from(name.clone()).expect("genesis manufacturer name too long");
				let roots: alloc::vec::Vec<PublicKey> = roots
					.iter()
					.map(|raw| PublicKey::from_raw(raw).expect("genesis root key must be 32 or 33 bytes"))
					.collect();
				let roots = BoundedVec::try_from(roots).expect("genesis manufacturer has too many roots");
				Pallet::<T>::do_register_manufacturer(name, roots).expect("invalid genesis manufacturer");
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// Governance registered a manufacturer.
		ManufacturerRegistered { manufacturer: ManufacturerId, name: BoundedVec<u8, T::MaxNameLen>, roots: u32 },
		/// Governance added a root key.
		RootAdded { manufacturer: ManufacturerId, root: RootIndex, key: PublicKey },
		/// Governance revoked a root key: every device under it reads as `Revoked`.
		RootRevoked { manufacturer: ManufacturerId, root: RootIndex },
		/// Governance suspended a manufacturer: no registrations, its devices read as
		/// `Suspended`.
		ManufacturerSuspended { manufacturer: ManufacturerId },
		/// Governance resumed a suspended manufacturer.
		ManufacturerResumed { manufacturer: ManufacturerId },
		/// Governance set what a manufacturer requires of device chains.
		ManufacturerPolicySet { manufacturer: ManufacturerId, policy: ManufacturerPolicy },
		/// Governance put a certificate on the revocation list. Every device whose chain
		/// contains it reads as `Revoked` from now on.
		CertificateRevoked {
			manufacturer: ManufacturerId,
			/// The key identifier of the certificate's issuer.
			issuer: KeyId,
			serial: Serial,
			/// The device whose leaf certificate it is, if one is registered.
			device: Option<DeviceId>,
		},
		/// Governance took a certificate off the revocation list.
		CertificateUnrevoked { manufacturer: ManufacturerId, issuer: KeyId, serial: Serial },
		/// A device registered.
		DeviceRegistered {
			device: DeviceId,
			owner: T::AccountId,
			manufacturer: ManufacturerId,
			/// The bond committed for it.
			bond: BalanceOf<T>,
			location: Option<H3Cell>,
			/// When its chain's first certificate expires (Unix seconds).
			expires_at: u64,
		},
		/// A device proved it still holds its hardware key.
		DeviceReattested { device: DeviceId, reference_block: BlockNumberFor<T> },
		/// A device's chain was replaced (renewal, or migration to another root).
		AttestationRenewed { device: DeviceId, root: RootIndex, expires_at: u64 },
		/// A device's operational key changed (signed by its hardware key).
		OperationalKeyRotated { device: DeviceId, key: OperationalKey },
		/// A device set (compressed key) or removed (`None`) its BLS aggregation key.
		AggregationKeySet { device: DeviceId, key: Option<[u8; 48]> },
		/// A device moved. The coverage pallet resets the trust it earned at `from`.
		DeviceMoved { device: DeviceId, from: Option<H3Cell>, to: H3Cell },
		/// The owner offered the device to `to`, until `expires_at` (Unix seconds).
		TransferOffered { device: DeviceId, from: T::AccountId, to: T::AccountId, expires_at: u64 },
		/// The owner withdrew a transfer offer.
		TransferCancelled { device: DeviceId },
		/// The device changed owner; the bond moved from `from` to `to`, and its
		/// operational key, aggregation key and location were cleared for `to` to set.
		DeviceTransferred { device: DeviceId, from: T::AccountId, to: T::AccountId },
		/// A device was deregistered; its bond was released and started unbonding.
		DeviceDeregistered { device: DeviceId, owner: T::AccountId },
		/// A device whose own leaf certificate is revoked left: the revoked-device slash
		/// policy took `slashed` of its bond before the rest was released.
		RevokedDeviceSlashed { device: DeviceId, owner: T::AccountId, slashed: BalanceOf<T> },
		/// A slash left `device`'s bond `shortfall` short: it is `UnderBonded` until
		/// topped up.
		DeviceUnderBonded { device: DeviceId, owner: T::AccountId, shortfall: BalanceOf<T> },
		/// The owner committed `amount` more to `device`'s bond.
		BondToppedUp { device: DeviceId, owner: T::AccountId, amount: BalanceOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The device's bond lacks nothing: there is nothing to top up.
		FullyBonded,
		/// No manufacturer with this id.
		ManufacturerNotFound,
		/// The manufacturer is suspended.
		ManufacturerSuspended,
		/// The manufacturer is not suspended.
		ManufacturerNotSuspended,
		/// A manufacturer needs at least one root key.
		NoRoots,
		/// The manufacturer already has `MaxRoots` root keys.
		TooManyRoots,
		/// The key is already one of the manufacturer's roots.
		DuplicateRoot,
		/// The key is already a root of another manufacturer.
		RootInUse,
		/// No root at this index.
		RootNotFound,
		/// The root is already revoked.
		RootAlreadyRevoked,
		/// The certificate is already revoked.
		AlreadyRevoked,
		/// The certificate is not on the revocation list.
		NotRevoked,
		/// A key is not a valid encoding: a P-256 point off the curve or not compressed,
		/// an Ed25519 key not canonical or of small order.
		InvalidKey,
		/// A policy's object identifier is not a valid encoding, or a firmware digest is
		/// not 32, 48 or 64 bytes.
		InvalidPolicy,
		/// A manufacturer with registered devices cannot change what identifies them.
		IdentityChangeWithDevices,
		/// The certificate chain is empty.
		EmptyChain,
		/// The chain has more intermediates than `MaxIntermediates`.
		ChainTooLong,
		/// A certificate is longer than `MaxCertificateLen`.
		CertificateTooLarge,
		/// A certificate is not valid DER-encoded X.509.
		MalformedCertificate,
		/// A certificate is not X.509 v3.
		UnsupportedCertificateVersion,
		/// A signature or key algorithm other than ECDSA P-256/SHA-256 or Ed25519.
		UnsupportedAlgorithm,
		/// A certificate's outer and signed signature algorithms differ.
		AlgorithmMismatch,
		/// A certificate's signature does not verify under its issuer's key.
		InvalidCertificateSignature,
		/// A certificate's issuer name is not the next certificate's subject.
		IssuerMismatch,
		/// The root the attestation names did not sign the top of the chain.
		UntrustedRoot,
		/// The chain is anchored in a revoked root.
		RootRevoked,
		/// A certificate's validity period ended before the on-chain time.
		CertificateExpired,
		/// A certificate's validity period starts after the on-chain time.
		CertificateNotYetValid,
		/// An intermediate is not a CA, or the leaf claims to be one.
		NotACertificateAuthority,
		/// An intermediate's path length constraint is exceeded.
		PathLengthExceeded,
		/// A certificate's key usage forbids its role in the chain.
		KeyUsageMismatch,
		/// A certificate has a critical extension the runtime does not understand.
		UnsupportedCriticalExtension,
		/// A certificate in the chain is on the revocation list.
		CertificateRevoked,
		/// The leaf lacks the extended key usage or certificate policy the manufacturer
		/// requires.
		LeafPolicyMismatch,
		/// The chain has none of the issuing intermediates the manufacturer pins.
		IssuerNotPinned,
		/// The manufacturer's devices are DICE devices: the chain needs an Alias leaf and
		/// a DeviceID CA above it, certified by the root or by a pinned intermediate.
		NotADiceChain,
		/// The leaf's firmware (DICE TcbInfo FWID) is missing or not allowed by the
		/// manufacturer's firmware policy.
		FirmwareNotAllowed,
		/// The leaf's firmware security version is below the manufacturer's minimum.
		FirmwareTooOld,
		/// A serial number longer than 20 octets.
		InvalidSerial,
		/// The hardware signature does not verify: wrong key, owner, manufacturer,
		/// nonce, block, or chain.
		InvalidHardwareSignature,
		/// Not a valid BLS12-381 G1 public key (or the identity).
		InvalidAggregationKey,
		/// The BLS proof of possession does not verify for the key.
		InvalidProofOfPossession,
		/// Another device holds this aggregation key.
		AggregationKeyInUse,
		/// This hardware key is already registered.
		AlreadyRegistered,
		/// Another registered device holds this leaf certificate (same issuer, same
		/// serial).
		SerialInUse,
		/// The renewed chain certifies another hardware key than the device's.
		DifferentHardwareKey,
		/// A renewal must stay with the device's manufacturer; a revocation must be filed
		/// under the manufacturer whose root or device it names.
		ManufacturerMismatch,
		/// No device with this id.
		DeviceNotFound,
		/// Only the device's owner may do this.
		NotOwner,
		/// The device is revoked.
		DeviceRevoked,
		/// The device's certificates expired: renew its attestation.
		AttestationExpired,
		/// The hardware signature names a block that is too old, in the future, or not
		/// newer than the last one the device signed.
		StaleReference,
		/// Not a valid H3 cell index.
		InvalidLocation,
		/// The H3 resolution is outside the allowed bounds.
		LocationResolutionOutOfBounds,
		/// The location changed less than `LocationUpdateInterval` ago.
		LocationUpdateTooSoon,
		/// The location is unchanged.
		SameLocation,
		/// No transfer of this device is offered to the caller.
		NoPendingTransfer,
		/// The transfer offer expired.
		TransferOfferExpired,
		/// A device cannot be transferred to its owner.
		TransferToSelf,
		/// A counter overflowed.
		Overflow,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(
				T::MaxIntermediates::get() <= MAX_INTERMEDIATES,
				"MaxIntermediates above the decoding bound MAX_INTERMEDIATES"
			);
			assert!(
				T::MaxCertificateLen::get() <= MAX_DER_CERTIFICATE_LEN,
				"MaxCertificateLen above the decoding bound MAX_DER_CERTIFICATE_LEN"
			);
			assert!(T::MaxRoots::get() >= 1 && T::MaxRoots::get() <= RootIndex::MAX as u32 + 1);
			assert!(
				T::MinLocationResolution::get() <= T::MaxLocationResolution::get()
					&& T::MaxLocationResolution::get() <= machina_primitives::h3::MAX_RESOLUTION,
				"location resolution bounds out of order"
			);
			assert!(T::AttestationValidity::get() > 0, "AttestationValidity must be positive");
			// Beyond BlockHashCount old block hashes read as zero, and a signature over a
			// zero hash could be made ahead of time.
			assert!(
				T::ReattestationWindow::get() < <T as frame_system::Config>::BlockHashCount::get(),
				"ReattestationWindow must be shorter than BlockHashCount"
			);
			assert!(T::TransferOfferTtl::get() > 0, "TransferOfferTtl must be positive");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Register a manufacturer with its root keys (governance). A key may be the root
		/// of one manufacturer only.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_manufacturer(roots.len() as u32))]
		pub fn register_manufacturer(
			origin: OriginFor<T>,
			name: BoundedVec<u8, T::MaxNameLen>,
			roots: RootKeysOf<T>,
		) -> DispatchResult {
			T::ManufacturerOrigin::ensure_origin(origin)?;
			Self::do_register_manufacturer(name, roots).map(|_| ())
		}

		/// Add a root key to a manufacturer (governance).
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::add_root())]
		pub fn add_root(origin: OriginFor<T>, manufacturer: ManufacturerId, key: PublicKey) -> DispatchResult {
			T::ManufacturerOrigin::ensure_origin(origin)?;
			Self::do_add_root(manufacturer, key)
		}

		/// Revoke a root key (governance). Every device attested under it reads as
		/// `Revoked` from now on, at no per-device cost.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::revoke_root())]
		pub fn revoke_root(origin: OriginFor<T>, manufacturer: ManufacturerId, root: RootIndex) -> DispatchResult {
			T::ManufacturerOrigin::ensure_origin(origin)?;
			Self::do_revoke_root(manufacturer, root)
		}

		/// Suspend a manufacturer (governance).
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::set_manufacturer_status())]
		pub fn suspend_manufacturer(origin: OriginFor<T>, manufacturer: ManufacturerId) -> DispatchResult {
			T::ManufacturerOrigin::ensure_origin(origin)?;
			Self::do_set_manufacturer_status(manufacturer, ManufacturerStatus::Suspended)
		}

		/// Resume a suspended manufacturer (governance).
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_manufacturer_status())]
		pub fn resume_manufacturer(origin: OriginFor<T>, manufacturer: ManufacturerId) -> DispatchResult {
			T::ManufacturerOrigin::ensure_origin(origin)?;
			Self::do_set_manufacturer_status(manufacturer, ManufacturerStatus::Active)
		}

		/// Put the certificate `issuer` (the key identifier of the key that signed it)
		/// numbered `serial` on the revocation list (governance). Every device whose
		/// chain contains it reads as `Revoked` at once.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::revoke_certificate())]
		pub fn revoke_certificate(
			origin: OriginFor<T>,
			manufacturer: ManufacturerId,
			issuer: KeyId,
			serial: Serial,
		) -> DispatchResult {
			T::ManufacturerOrigin::ensure_origin(origin)?;
			Self::do_revoke_certificate(manufacturer, issuer, serial)
		}

		/// Take a certificate off the revocation list (governance), for a revocation made
		/// in error: its devices are no longer `Revoked`.
		#[pallet::call_index(16)]
		#[pallet::weight(T::WeightInfo::unrevoke_certificate())]
		pub fn unrevoke_certificate(origin: OriginFor<T>, issuer: KeyId, serial: Serial) -> DispatchResult {
			T::ManufacturerOrigin::ensure_origin(origin)?;
			Self::do_unrevoke_certificate(issuer, serial)
		}

		/// Set what a manufacturer requires of its devices' X.509 chains (governance):
		/// an object identifier on the leaf, pinned issuing intermediates. Applies to
		/// registrations and renewals from now on.
		#[pallet::call_index(17)]
		#[pallet::weight(T::WeightInfo::set_manufacturer_policy())]
		pub fn set_manufacturer_policy(
			origin: OriginFor<T>,
			manufacturer: ManufacturerId,
			policy: ManufacturerPolicy,
		) -> DispatchResult {
			T::ManufacturerOrigin::ensure_origin(origin)?;
			Self::do_set_manufacturer_policy(manufacturer, policy)
		}

		/// Register the device the attestation certifies, owned by the caller.
		///
		/// `hw_signature` is the hardware key's signature over
		/// [`Pallet::registration_payload`]: `(REGISTER_TAG, genesis hash, manufacturer,
		/// caller, operational_key, reference_block, hash of reference_block)` in SCALE
		/// (P-256: ECDSA over SHA-256 as `r || s`), for a block at most
		/// `ReattestationWindow` old and newer than any the hardware signed before. The
		/// runtime API `registration_payload` returns these bytes. Commits `DeviceBond` of
		/// the caller's device bond (own or from the pool it operates).
		#[pallet::call_index(6)]
		#[pallet::weight(Pallet::<T>::register_weight(attestation))]
		pub fn register_device(
			origin: OriginFor<T>,
			attestation: Attestation,
			operational_key: OperationalKey,
			location: Option<H3Cell>,
			reference_block: BlockNumberFor<T>,
			hw_signature: HardwareSignature,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_register_device(owner, attestation, operational_key, location, reference_block, hw_signature)
		}

		/// Refresh a device's attestation: its hardware key signs
		/// `(REATTEST_TAG, genesis hash, device, reference_block, hash of reference_block)`
		/// for a block at most `ReattestationWindow` old and newer than the last one it
		/// signed. Anyone may submit it; the signature is the proof.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::reattest().saturating_add(Pallet::<T>::hardware_signature_extra()))]
		pub fn reattest(
			origin: OriginFor<T>,
			device: DeviceId,
			reference_block: BlockNumberFor<T>,
			hw_signature: HardwareSignature,
		) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_reattest(device, reference_block, hw_signature)
		}

		/// Replace a device's certificate chain (owner): a renewal before or after
		/// expiry, or a migration to another root of its manufacturer. The new chain must
		/// certify the same hardware key, which signs [`Pallet::renewal_payload`]. The
		/// device keeps its owner, bond, keys, location and history. Charged for the
		/// longest chain under the strictest policy.
		#[pallet::call_index(18)]
		#[pallet::weight(T::WeightInfo::renew_attestation().max(Pallet::<T>::register_weight(attestation)))]
		pub fn renew_attestation(
			origin: OriginFor<T>,
			device: DeviceId,
			attestation: Attestation,
			reference_block: BlockNumberFor<T>,
			hw_signature: HardwareSignature,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_renew_attestation(who, device, attestation, reference_block, hw_signature)
		}

		/// Replace the device's operational key (owner). The hardware key signs
		/// `(ROTATE_KEY_TAG, genesis hash, owner, device, new key, device's key nonce)`.
		/// Coverage keeps the old key reportable for conflicting heartbeats, and refuses a
		/// second rotation while the previous old key still is.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::rotate_operational_key()
			.saturating_add(Pallet::<T>::hardware_signature_extra())
			.saturating_add(T::SignerRetired::on_signer_retired_weight()))]
		pub fn rotate_operational_key(
			origin: OriginFor<T>,
			device: DeviceId,
			key: OperationalKey,
			hw_signature: HardwareSignature,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_rotate_operational_key(who, device, key, hw_signature)
		}

		/// Set or remove the device's BLS12-381 aggregation key (owner), for aggregated
		/// heartbeats. The key comes with its proof of possession for this device (see
		/// [`bls::proof_of_possession_message`]) and may belong to no other device; the hardware key signs `(AGGREGATION_KEY_TAG, genesis hash,
		/// owner, device, compressed key or None, key nonce)`.
		#[pallet::call_index(14)]
		#[pallet::weight(T::WeightInfo::set_aggregation_key().saturating_add(Pallet::<T>::hardware_signature_extra()))]
		pub fn set_aggregation_key(
			origin: OriginFor<T>,
			device: DeviceId,
			key: Option<AggregationKeyProof>,
			hw_signature: HardwareSignature,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_aggregation_key(who, device, key, hw_signature)
		}

		/// Declare the device's location (owner), at most once per
		/// `LocationUpdateInterval`.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::set_location())]
		pub fn set_location(origin: OriginFor<T>, device: DeviceId, location: H3Cell) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_location(who, device, location)
		}

		/// Offer the device to `to` (owner), for `TransferOfferTtl`. It changes hands
		/// when `to` accepts. A new offer replaces the previous one.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::offer_transfer())]
		pub fn offer_transfer(origin: OriginFor<T>, device: DeviceId, to: T::AccountId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_offer_transfer(who, device, to)
		}

		/// Withdraw the device's transfer offer (owner).
		#[pallet::call_index(19)]
		#[pallet::weight(T::WeightInfo::cancel_transfer())]
		pub fn cancel_transfer(origin: OriginFor<T>, device: DeviceId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_cancel_transfer(who, device)
		}

		/// Accept a device offered to the caller: the caller's bond is committed, the
		/// previous owner's released, and the device's operational key, aggregation key
		/// and location are cleared, so the seller can no longer sign for it (coverage keeps
		/// the seller's key reportable, and takes the device out of its shard).
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::accept_transfer().saturating_add(T::SignerRetired::on_signer_retired_weight()))]
		pub fn accept_transfer(origin: OriginFor<T>, device: DeviceId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_accept_transfer(who, device)
		}

		/// Remove the device (owner). Its bond is released and, where it was the owner's
		/// own, starts unbonding. A device whose own leaf certificate is revoked (evidence
		/// against this device, unlike a retired root or intermediate) first loses the
		/// governance slash policy for revoked devices.
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::deregister()
			.saturating_add(T::Slasher::report_offence_weight())
			.saturating_add(T::SignerRetired::on_signer_retired_weight()))]
		pub fn deregister(origin: OriginFor<T>, device: DeviceId) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			Self::do_deregister(who, device)
		}

		/// Top up the device's bond to `DeviceBond` after a slash or a pool's loss of stake
		/// left it `UnderBonded` (owner): the missing part is committed from the owner's
		/// bond or pool.
		#[pallet::call_index(15)]
		#[pallet::weight(T::WeightInfo::top_up_bond())]
		pub fn top_up_bond(origin: OriginFor<T>, device: DeviceId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_top_up_bond(who, device)
		}
	}
}
