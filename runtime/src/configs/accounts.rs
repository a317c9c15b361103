//! Utility (batches), proxy and multisig.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{parameter_types, traits::InstanceFilter};
use scale_info::TypeInfo;

use crate::{
	constants::currency::deposit, Balance, Balances, OriginCaller, Runtime, RuntimeCall, RuntimeEvent, System,
};

impl pallet_utility::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type PalletsOrigin = OriginCaller;
	type WeightInfo = pallet_utility::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	// One storage item; key size 32, value size 8.
	pub const ProxyDepositBase: Balance = deposit(1, 40);
	// Additional storage item size of 33 bytes.
	pub const ProxyDepositFactor: Balance = deposit(0, 33);
	// One storage item; key size 32, value size 16.
	pub const AnnouncementDepositBase: Balance = deposit(1, 48);
	pub const AnnouncementDepositFactor: Balance = deposit(0, 66);
	// One storage item; key size is 32; value is size 4+4+16+32 bytes = 56 bytes.
	pub const MultisigDepositBase: Balance = deposit(1, 88);
	// Additional storage item size of 32 bytes.
	pub const MultisigDepositFactor: Balance = deposit(0, 32);
}

/// What a proxy may do on its delegator's behalf.
#[derive(
	Copy,
	Clone,
	Eq,
	PartialEq,
	Ord,
	PartialOrd,
	Encode,
	Decode,
	DecodeWithMemTracking,
	core::fmt::Debug,
	MaxEncodedLen,
	TypeInfo,
	Default,
)]
pub enum ProxyType {
	/// Anything.
	#[default]
	Any,
	/// Anything but moving funds.
	NonTransfer,
	/// Only cancelling another proxy's announced calls.
	CancelProxy,
	/// Only collator operations: session keys and candidacy.
	Collator,
}

impl InstanceFilter<RuntimeCall> for ProxyType {
	/// Allow-lists: a call a type does not name is refused, including every call of a
	/// pallet added later. Nested calls (`utility`, `proxy`) are filtered again.
	fn filter(&self, c: &RuntimeCall) -> bool {
		match self {
			ProxyType::Any => true,
			ProxyType::NonTransfer => non_transfer(c),
			ProxyType::CancelProxy => matches!(
				c,
				RuntimeCall::Proxy(pallet_proxy::Call::reject_announcement { .. })
					| RuntimeCall::Utility { .. }
					| RuntimeCall::Multisig { .. }
			),
			ProxyType::Collator => matches!(
				c,
				RuntimeCall::CollatorSelection { .. }
					| RuntimeCall::Session { .. }
					| RuntimeCall::Utility { .. }
					| RuntimeCall::Multisig { .. }
			),
		}
	}

	fn is_superset(&self, o: &Self) -> bool {
		match (self, o) {
			(x, y) if x == y => true,
			(ProxyType::Any, _) => true,
			(_, ProxyType::Any) => false,
			(ProxyType::NonTransfer, _) => true,
			_ => false,
		}
	}
}

/// What a `NonTransfer` proxy may do: manage the delegator's own bonds, devices,
/// collator candidacy and proxies, never move value to another account. Refused,
/// among others: balance transfers, XCM, `join_pool` and `create_pool` (funds move to a
/// pool's account), `reward_pool` (funds move to the pool and its operator), device
/// transfers (a device and its bond change hands).
fn non_transfer(c: &RuntimeCall) -> bool {
	use pallet_device_registry::Call as Registry;
	use pallet_micro_bonds::Call as Bonds;
	matches!(
		c,
		RuntimeCall::System(frame_system::Call::remark { .. } | frame_system::Call::remark_with_event { .. })
			| RuntimeCall::Session(..)
			| RuntimeCall::CollatorSelection(..)
			| RuntimeCall::Utility(..)
			| RuntimeCall::Multisig(..)
			| RuntimeCall::Proxy(
				pallet_proxy::Call::proxy { .. }
					| pallet_proxy::Call::add_proxy { .. }
					| pallet_proxy::Call::remove_proxy { .. }
					| pallet_proxy::Call::remove_proxies { .. }
					| pallet_proxy::Call::create_pure { .. }
					| pallet_proxy::Call::kill_pure { .. }
					| pallet_proxy::Call::announce { .. }
					| pallet_proxy::Call::remove_announcement { .. }
					| pallet_proxy::Call::reject_announcement { .. }
					| pallet_proxy::Call::proxy_announced { .. }
					| pallet_proxy::Call::poke_deposit { .. },
			) | RuntimeCall::MicroBonds(
			Bonds::bond { .. }
				| Bonds::bond_extra { .. }
				| Bonds::unbond { .. }
				| Bonds::rebond { .. }
				| Bonds::withdraw_unbonded { .. }
				| Bonds::leave_pool { .. }
				| Bonds::withdraw_pool { .. }
				| Bonds::claim_pool_rewards { .. }
				| Bonds::set_pool_commission { .. }
				| Bonds::close_pool { .. }
				| Bonds::destroy_pool { .. },
		) | RuntimeCall::DeviceRegistry(
			Registry::register_device { .. }
				| Registry::reattest { .. }
				| Registry::rotate_operational_key { .. }
				| Registry::set_aggregation_key { .. }
				| Registry::set_location { .. }
				| Registry::deregister { .. }
				| Registry::top_up_bond { .. }
				| Registry::renew_attestation { .. }
				| Registry::cancel_transfer { .. },
		)
	)
}

impl pallet_proxy::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type Currency = Balances;
	type ProxyType = ProxyType;
	type ProxyDepositBase = ProxyDepositBase;
	type ProxyDepositFactor = ProxyDepositFactor;
	type MaxProxies = frame_support::traits::ConstU32<32>;
	type WeightInfo = pallet_proxy::weights::SubstrateWeight<Runtime>;
	type MaxPending = frame_support::traits::ConstU32<32>;
	type CallHasher = sp_runtime::traits::BlakeTwo256;
	type AnnouncementDepositBase = AnnouncementDepositBase;
	type AnnouncementDepositFactor = AnnouncementDepositFactor;
	// Announcement delays on the relay clock: faster blocks must not shorten them
	// (stored heights migrated by `migrations::RelayClockV1`).
	type BlockNumberProvider = crate::configs::micro_bonds::RelayClock;
}

impl pallet_multisig::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type Currency = Balances;
	type DepositBase = MultisigDepositBase;
	type DepositFactor = MultisigDepositFactor;
	type MaxSignatories = frame_support::traits::ConstU32<100>;
	type WeightInfo = pallet_multisig::weights::SubstrateWeight<Runtime>;
	// A multisig's timepoint names the block and index of its first approval: an
	// identifier, not a duration, so it stays in parachain blocks.
	type BlockNumberProvider = System;
}
