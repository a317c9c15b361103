//! The runtime API of the device registry, served over RPC by the node
//! (`machina_device`, `machina_devicesOf`, `machina_manufacturer`).

use crate::types::{DeviceView, ManufacturerId, ManufacturerView};
use alloc::vec::Vec;
use codec::Codec;
use machina_primitives::DeviceId;

sp_api::decl_runtime_apis! {
	/// Query devices and manufacturers.
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
	}
}
