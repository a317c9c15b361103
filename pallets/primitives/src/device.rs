//! Device identity and the read-only view of the device registry other pallets use.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::fmt::Debug;
use scale_info::TypeInfo;
use sp_core::{ed25519, sr25519, H256};
use sp_runtime::traits::{BlakeTwo256, Hash};

use crate::h3::H3Cell;

/// A device's identity: the blake2-256 hash of its hardware public key.
///
/// Derived, never chosen: one hardware key gives exactly one `DeviceId`, so a second
/// registration of the same secure element collides.
pub type DeviceId = H256;

/// Derive the [`DeviceId`] of a hardware public key (its encoding as attested).
pub fn device_id_of(hardware_public_key: &[u8]) -> DeviceId {
	<BlakeTwo256 as Hash>::hash(hardware_public_key)
}

/// Where a device stands in its lifecycle. Only `Active` devices earn rewards.
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
	serde::Serialize,
	serde::Deserialize,
)]
pub enum DeviceStatus {
	/// Attested and within its attestation validity.
	Active,
	/// Its last attestation is older than the validity period; it must re-attest.
	Stale,
	/// Its certificate or manufacturer root was revoked; permanent.
	Revoked,
	/// Suspended by governance or because its manufacturer is suspended.
	Suspended,
	/// Its bond was slashed (or its pool lost stake) below what it requires: it earns
	/// nothing until the owner tops it up (`top_up_bond`).
	UnderBonded,
	/// A certificate of its attestation passed its `notAfter`: it earns nothing until
	/// its owner renews the attestation with a new chain.
	Expired,
}

/// The key a device signs day-to-day messages (heartbeats, receipts) with.
#[derive(Clone, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub enum OperationalKey {
	Ed25519(ed25519::Public),
	Sr25519(sr25519::Public),
}

/// A signature by a device's operational key.
#[derive(Clone, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub enum DeviceSignature {
	Ed25519(ed25519::Signature),
	Sr25519(sr25519::Signature),
}

impl DeviceSignature {
	/// Whether this is `key`'s signature of `message` (a signature of the other scheme
	/// never is).
	pub fn verify(&self, key: &OperationalKey, message: &[u8]) -> bool {
		use sp_runtime::traits::Verify;
		match (self, key) {
			(Self::Ed25519(s), OperationalKey::Ed25519(k)) => s.verify(message, k),
			(Self::Sr25519(s), OperationalKey::Sr25519(k)) => s.verify(message, k),
			_ => false,
		}
	}
}

/// A device's BLS12-381 aggregation key: a G1 point, uncompressed (96 bytes), checked
/// on the curve and in the subgroup, with a proof of possession, when registered. Stored
/// uncompressed because aggregating keys then needs no square roots.
pub type AggregationKey = [u8; 96];

/// Read-only access to registered devices. Implemented by `pallet-device-registry`;
/// used by coverage and intents, which must not depend on the registry's crate.
pub trait DeviceInspect<AccountId> {
	/// The account that owns `device`, if it is registered.
	fn owner(device: &DeviceId) -> Option<AccountId>;
	/// The lifecycle status of `device`, if it is registered.
	fn status(device: &DeviceId) -> Option<DeviceStatus>;
	/// The operational key `device` signs with, if it is registered.
	fn operational_key(device: &DeviceId) -> Option<OperationalKey>;
	/// The H3 cell `device` declared, if any.
	fn location(device: &DeviceId) -> Option<H3Cell>;
	/// The manufacturer whose root attested `device`, if it is registered.
	fn manufacturer(_device: &DeviceId) -> Option<u32> {
		None
	}
	/// The BLS aggregation key of `device`, if it set one.
	fn aggregation_key(device: &DeviceId) -> Option<AggregationKey>;
	/// The first Unix second at which `device` is no longer `Active` if nothing but time
	/// changes (its attestation goes stale or a certificate expires). `None` unless `Active` now.
	/// Lets another pallet cache eligibility for many devices and check only the time.
	fn active_until(device: &DeviceId) -> Option<u64>;
	/// Whether `device` is registered and `Active`.
	fn is_active(device: &DeviceId) -> bool {
		Self::status(device) == Some(DeviceStatus::Active)
	}
}

/// No devices at all: for runtimes and mocks without a registry.
impl<AccountId> DeviceInspect<AccountId> for () {
	fn owner(_: &DeviceId) -> Option<AccountId> {
		None
	}
	fn status(_: &DeviceId) -> Option<DeviceStatus> {
		None
	}
	fn operational_key(_: &DeviceId) -> Option<OperationalKey> {
		None
	}
	fn location(_: &DeviceId) -> Option<H3Cell> {
		None
	}
	fn aggregation_key(_: &DeviceId) -> Option<AggregationKey> {
		None
	}
	fn active_until(_: &DeviceId) -> Option<u64> {
		None
	}
}

/// How much of the time a device was up, as proven by heartbeats. Implemented by
/// coverage; used by intents to filter the devices a buyer accepts.
pub trait UptimeInspect {
	/// The share of the last closed epoch's slots `device` was counted up in; `None` if
	/// it was not enrolled then.
	fn uptime(device: &DeviceId) -> Option<sp_runtime::Permill>;
}

/// No uptime records: for runtimes and mocks without coverage.
impl UptimeInspect for () {
	fn uptime(_: &DeviceId) -> Option<sp_runtime::Permill> {
		None
	}
}

/// Told by the registry before a device's heartbeat signer retires: its operational key
/// is rotated, or the device changes hands or is deregistered (its key and owner go).
/// Implemented by coverage, which keeps the retired signer so that conflicting
/// heartbeats it signed can still be reported and slashed on the owner of the time,
/// and takes a device that `left_owner` out of its shard (its BLS key leaves the
/// aggregate with it).
pub trait OnSignerRetired<AccountId> {
	/// `key` (if it had one) of `owner` stops signing for `device`; `left_owner`: the
	/// device changes hands or leaves the registry. An error refuses the change
	/// (coverage: the device's previous retired key can still be reported).
	fn on_signer_retired(
		device: &DeviceId,
		owner: &AccountId,
		key: Option<&OperationalKey>,
		left_owner: bool,
	) -> sp_runtime::DispatchResult;
	/// The most weight [`Self::on_signer_retired`] uses.
	fn on_signer_retired_weight() -> frame_support::weights::Weight;
}

/// Nobody to tell: for runtimes and mocks without coverage.
impl<AccountId> OnSignerRetired<AccountId> for () {
	fn on_signer_retired(
		_: &DeviceId,
		_: &AccountId,
		_: Option<&OperationalKey>,
		_: bool,
	) -> sp_runtime::DispatchResult {
		Ok(())
	}
	fn on_signer_retired_weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::zero()
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn device_id_is_blake2_of_the_hardware_key() {
		let key = [7u8; 33];
		assert_eq!(device_id_of(&key), <BlakeTwo256 as Hash>::hash(&key));
		assert_ne!(device_id_of(&key), device_id_of(&[8u8; 33]));
	}

	#[test]
	fn unit_inspector_knows_no_device() {
		let id = device_id_of(b"k");
		assert_eq!(<() as DeviceInspect<u64>>::owner(&id), None);
		assert!(!<() as DeviceInspect<u64>>::is_active(&id));
	}
}
