//! The runtime API of the device registry, served over RPC by the node
//! (`machina_device`, `machina_devicesOf`, `machina_manufacturer`), and the exact bytes
//! a device's hardware key signs, so SDKs do not re-implement SCALE layouts.

use crate::types::{DeviceView, KeyId, ManufacturerId, ManufacturerView, PublicKey};
use alloc::vec::Vec;
use codec::Codec;
use machina_primitives::{DeviceId, OperationalKey};

sp_api::decl_runtime_apis! {
	/// Query devices and manufacturers; build hardware signing payloads.
	///
	/// Version 2: per-issuer revocation, expiry, payloads.
	#[api_version(2)]
	pub trait DeviceRegistryApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// A device and its status now.
		fn device(id: DeviceId) -> Option<DeviceView<AccountId, Balance, BlockNumber>>;
		/// Up to `limit` (at most 100) devices of `owner` after `cursor`, the last id of
		/// the previous page.
		fn devices_of(owner: AccountId, cursor: Option<DeviceId>, limit: u32) -> Vec<DeviceView<AccountId, Balance, BlockNumber>>;
		/// A manufacturer.
		fn manufacturer(id: ManufacturerId) -> Option<ManufacturerView>;
		/// The key identifier of a key, as the revocation list and policies name issuers.
		fn key_id(key: PublicKey) -> KeyId;
		/// What the hardware key signs to register under `manufacturer` for `owner`.
		/// `reference_block` must be a past block (the parent of the block queried or
		/// older) within `ReattestationWindow` of the block the registration lands in.
		fn registration_payload(
			manufacturer: ManufacturerId,
			owner: AccountId,
			operational_key: OperationalKey,
			reference_block: BlockNumber,
		) -> Vec<u8>;
		/// What the hardware key signs to re-attest `device` at `reference_block`.
		fn reattestation_payload(device: DeviceId, reference_block: BlockNumber) -> Vec<u8>;
		/// What the hardware key signs to renew `device`'s chain for its current owner
		/// (`None`: no such device).
		fn renewal_payload(device: DeviceId, reference_block: BlockNumber) -> Option<Vec<u8>>;
		/// What the hardware key signs to make `key` the operational key of `device`, for
		/// its current owner and key nonce (`None`: no such device).
		fn rotation_payload(device: DeviceId, key: OperationalKey) -> Option<Vec<u8>>;
		/// What the hardware key signs to set (`Some`, compressed G1) or remove the
		/// aggregation key of `device` (`None`: no such device).
		fn aggregation_key_payload(device: DeviceId, key: Option<[u8; 48]>) -> Option<Vec<u8>>;
	}
}
