//! Device registry: hardware-attested devices backed by a micro-bond.

use frame_support::{parameter_types, traits::ConstU32};
use frame_system::EnsureRoot;

use crate::{constants::currency::UNIT, AccountId, Balance, BlockNumber, MicroBonds, Runtime, RuntimeEvent, Timestamp};

/// Seconds per hour and per day: the registry's durations are in on-chain time, so
/// faster blocks change none of them.
const HOURS: u64 = 3_600;
const DAYS: u64 = 24 * HOURS;

parameter_types! {
	/// What each device commits from its owner's device bond.
	pub const DeviceBond: Balance = 10 * UNIT;
	/// A device re-attests at least weekly or stops earning.
	pub const AttestationValidity: u64 = 7 * DAYS;
	/// A hardware signature names a block at most 10 minutes old. The window names a
	/// block hash the runtime still knows, so the pallet counts it in parachain blocks
	/// (300 at 2 s; `BlockHashCount` is 4096): converted from time at the target rate.
	pub const ReattestationWindow: BlockNumber = crate::para_blocks(10 * 60_000);
	/// One move per hour: each move resets the coverage trust a device earned.
	pub const LocationUpdateInterval: u64 = HOURS;
	/// A transfer offer stands for a day.
	pub const TransferOfferTtl: u64 = DAYS;
	/// Resolution 5 (~250 km²) to 12 (~300 m²): coarser says nothing, finer is false
	/// precision for a radio's coverage.
	pub const MinLocationResolution: u8 = 5;
	pub const MaxLocationResolution: u8 = 12;
}

impl pallet_device_registry::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Balance = Balance;
	type Bonds = MicroBonds;
	// Revoked devices leave through the `RevokedDevice` slash policy of micro-bonds.
	type Slasher = MicroBonds;
	type Clock = crate::configs::micro_bonds::RelayClock;
	type SignerRetired = crate::Coverage;
	type DeviceBond = DeviceBond;
	type UnixTime = Timestamp;
	// A `device_admin` referendum (or root).
	type ManufacturerOrigin =
		frame_support::traits::EitherOf<EnsureRoot<AccountId>, crate::configs::governance::origins::DeviceAdmin>;
	type AttestationValidity = AttestationValidity;
	type ReattestationWindow = ReattestationWindow;
	type LocationUpdateInterval = LocationUpdateInterval;
	type TransferOfferTtl = TransferOfferTtl;
	type MinLocationResolution = MinLocationResolution;
	type MaxLocationResolution = MaxLocationResolution;
	type MaxNameLen = ConstU32<64>;
	type MaxRoots = ConstU32<8>;
	type MaxCertificateLen = ConstU32<2048>;
	type MaxIntermediates = ConstU32<3>;
	type WeightInfo = pallet_device_registry::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = DeviceRegistryBenchmarks;
}

/// Sets the timestamp and bonds accounts with micro-bonds for the benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct DeviceRegistryBenchmarks;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_device_registry::BenchmarkHelper<AccountId> for DeviceRegistryBenchmarks {
	fn set_unix_time(secs: u64) {
		pallet_timestamp::Now::<Runtime>::put(secs * 1000);
	}

	fn bond_for_devices(who: &AccountId, devices: u32) {
		use frame_support::traits::fungible::Mutate;
		let bond = DeviceBond::get() * devices.max(1) as Balance;
		crate::Balances::set_balance(who, bond * 2 + UNIT);
		MicroBonds::bond(crate::RuntimeOrigin::signed(who.clone()), machina_primitives::BondPurpose::Device, bond)
			.expect("benchmark account can bond");
	}

	fn slash_device_bond(who: &AccountId, device: machina_primitives::DeviceId) {
		use machina_primitives::{BondSlasher, Offence, OffenceKind, SlashTarget};
		use sp_runtime::traits::BlockNumberProvider;
		let offence = Offence {
			offender: who.clone(),
			purpose: machina_primitives::BondPurpose::Device,
			target: SlashTarget::Commitment(device),
			kind: OffenceKind::Equivocation,
			evidence_time: crate::configs::micro_bonds::RelayClock::current_block_number(),
			id: sp_core::H256::repeat_byte(0xbe),
		};
		MicroBonds::report_offence(offence, None).expect("the development preset has an equivocation policy");
	}
}
