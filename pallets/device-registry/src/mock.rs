//! A test runtime: frame-system, timestamp and the registry, with an in-memory bond
//! manager (the registry depends on the `BondManager` trait, not on micro-bonds; the
//! runtime integration tests use the real one).

use core::cell::RefCell;
use frame_support::{derive_impl, parameter_types, traits::ConstU32};
use frame_system::EnsureRoot;
use machina_primitives::{BondManager, BondPurpose, CommitmentId, CommitmentInfo};
use sp_runtime::{BuildStorage, DispatchError, DispatchResult};
use std::collections::BTreeMap;

use crate::{self as pallet_device_registry, fixtures};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u128;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Timestamp: pallet_timestamp,
		Registry: pallet_device_registry,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type BlockHashCount = frame_support::traits::ConstU64<250>;
}

impl pallet_timestamp::Config for Test {
	type Moment = u64;
	type OnTimestampSet = ();
	type MinimumPeriod = frame_support::traits::ConstU64<1>;
	type WeightInfo = ();
}

/// A device's bond.
pub const DEVICE_BOND: Balance = 100;
/// Seconds.
pub const ATTESTATION_VALIDITY: u64 = 600;
/// Blocks.
pub const REATTESTATION_WINDOW: u64 = 10;
/// Seconds.
pub const LOCATION_INTERVAL: u64 = 120;
/// Seconds.
pub const TRANSFER_TTL: u64 = 300;
/// Seconds per block in `run_to_block`.
pub const BLOCK_SECS: u64 = 6;

parameter_types! {
	pub const DeviceBond: Balance = DEVICE_BOND;
	pub const AttestationValidity: u64 = ATTESTATION_VALIDITY;
	pub const TransferOfferTtl: u64 = TRANSFER_TTL;
	pub const ReattestationWindow: u64 = REATTESTATION_WINDOW;
	pub const LocationUpdateInterval: u64 = LOCATION_INTERVAL;
	pub const MinLocationResolution: u8 = 5;
	pub const MaxLocationResolution: u8 = 12;
	/// Lowered by the chain-length tests.
	pub static MaxIntermediates: u32 = 3;
}

impl pallet_device_registry::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Balance = Balance;
	type Bonds = MockBonds;
	type Slasher = MockSlasher;
	type Clock = System;
	type SignerRetired = RecordRetired;
	type DeviceBond = DeviceBond;
	type UnixTime = Timestamp;
	type ManufacturerOrigin = EnsureRoot<AccountId>;
	type AttestationValidity = AttestationValidity;
	type ReattestationWindow = ReattestationWindow;
	type LocationUpdateInterval = LocationUpdateInterval;
	type TransferOfferTtl = TransferOfferTtl;
	type MinLocationResolution = MinLocationResolution;
	type MaxLocationResolution = MaxLocationResolution;
	type MaxNameLen = ConstU32<32>;
	type MaxRoots = ConstU32<4>;
	type MaxCertificateLen = ConstU32<2048>;
	type MaxIntermediates = MaxIntermediates;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
}

#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for MockBenchmarkHelper {
	fn set_unix_time(secs: u64) {
		set_time(secs);
	}
	fn bond_for_devices(who: &AccountId, devices: u32) {
		// Benchmarks roll storage back between runs, not this thread-local: start afresh.
		BONDS.with(|b| {
			b.borrow_mut().insert(*who, MockBond { active: DEVICE_BOND * devices as Balance, ..Default::default() })
		});
		COMMITMENTS.with(|c| c.borrow_mut().retain(|(owner, _), _| owner != who));
	}
	fn slash_device_bond(who: &AccountId, device: machina_primitives::DeviceId) {
		slash_commitment(*who, device, DEVICE_BOND / 10);
	}
}

/// Per account: (active bond, committed, unbonding).
#[derive(Default, Clone, Copy, Debug, PartialEq, Eq)]
pub struct MockBond {
	pub active: Balance,
	pub committed: Balance,
	pub unbonding: Balance,
}

thread_local! {
	static BONDS: RefCell<BTreeMap<AccountId, MockBond>> = const { RefCell::new(BTreeMap::new()) };
}

/// Give `who` an active device bond of `amount`.
pub fn set_bond(who: AccountId, amount: Balance) {
	BONDS.with(|b| b.borrow_mut().entry(who).or_default().active = amount);
}

/// `who`'s device bond.
pub fn bond_of(who: AccountId) -> MockBond {
	BONDS.with(|b| b.borrow().get(&who).copied().unwrap_or_default())
}

thread_local! {
	/// Commitments: (owner, device) -> (required, backing).
	static COMMITMENTS: RefCell<BTreeMap<(AccountId, CommitmentId), (Balance, Balance)>> =
		const { RefCell::new(BTreeMap::new()) };
}

/// Take `amount` from the bond backing `device` of `who`, as a slash would.
pub fn slash_commitment(who: AccountId, device: CommitmentId, amount: Balance) {
	COMMITMENTS.with(|c| c.borrow_mut().get_mut(&(who, device)).expect("committed").1 -= amount);
	BONDS.with(|b| {
		let mut b = b.borrow_mut();
		let bond = b.entry(who).or_default();
		bond.active -= amount;
		bond.committed -= amount;
	});
}

/// The real micro-bonds semantics the registry relies on, in miniature: named
/// commitments, `require_bond` tops a commitment up to the amount, release by id.
pub struct MockBonds;
impl BondManager<AccountId, Balance> for MockBonds {
	fn require_bond(who: &AccountId, purpose: BondPurpose, id: CommitmentId, amount: Balance) -> DispatchResult {
		assert_eq!(purpose, BondPurpose::Device);
		let backing = COMMITMENTS.with(|c| c.borrow().get(&(*who, id)).map(|(_, b)| *b).unwrap_or(0));
		let needed = amount.saturating_sub(backing);
		BONDS.with(|b| {
			let mut b = b.borrow_mut();
			let bond = b.entry(*who).or_default();
			if bond.active - bond.committed < needed {
				return Err(DispatchError::Other("InsufficientBondToCommit"));
			}
			bond.committed += needed;
			Ok(())
		})?;
		COMMITMENTS.with(|c| c.borrow_mut().insert((*who, id), (amount, backing + needed)));
		Ok(())
	}
	fn release_bond(who: &AccountId, id: CommitmentId) -> Result<Balance, DispatchError> {
		let (_, backing) = COMMITMENTS
			.with(|c| c.borrow_mut().remove(&(*who, id)))
			.ok_or(DispatchError::Other("UnknownCommitment"))?;
		BONDS.with(|b| b.borrow_mut().entry(*who).or_default().committed -= backing);
		Ok(backing)
	}
	fn release_and_unbond(who: &AccountId, id: CommitmentId) -> Result<Balance, DispatchError> {
		let released = Self::release_bond(who, id)?;
		BONDS.with(|b| {
			let mut b = b.borrow_mut();
			let bond = b.entry(*who).or_default();
			bond.active -= released;
			bond.unbonding += released;
		});
		Ok(released)
	}
	fn commitment(who: &AccountId, id: CommitmentId) -> Option<CommitmentInfo<Balance>> {
		COMMITMENTS.with(|c| {
			c.borrow().get(&(*who, id)).map(|(required, backing)| CommitmentInfo {
				purpose: BondPurpose::Device,
				required: *required,
				backing: *backing,
			})
		})
	}
	fn bonded(who: &AccountId, _: BondPurpose) -> Balance {
		bond_of(*who).active
	}
	fn committed(who: &AccountId, _: BondPurpose) -> Balance {
		bond_of(*who).committed
	}
}

thread_local! {
	/// The slash policy for revoked devices, in percent (`None`: no policy set).
	pub static REVOKED_DEVICE_SLASH: RefCell<Option<u32>> = const { RefCell::new(None) };
	/// Offences reported.
	pub static OFFENCES: RefCell<Vec<machina_primitives::Offence<AccountId, u64>>> = const { RefCell::new(Vec::new()) };
}

/// Slashes as micro-bonds does, in miniature: the policy's share of the commitment;
/// refuses an offence without a policy or reported twice.
pub struct MockSlasher;
impl machina_primitives::BondSlasher<AccountId, Balance, u64> for MockSlasher {
	fn report_offence(
		offence: machina_primitives::Offence<AccountId, u64>,
		_reporter: Option<AccountId>,
	) -> Result<machina_primitives::SlashOutcome<Balance>, DispatchError> {
		assert_eq!(offence.kind, machina_primitives::OffenceKind::RevokedDevice);
		let percent = REVOKED_DEVICE_SLASH.with(|p| *p.borrow()).ok_or(DispatchError::Other("NoSlashPolicy"))?;
		if OFFENCES.with(|o| o.borrow().iter().any(|seen| seen.id == offence.id)) {
			return Err(DispatchError::Other("DuplicateOffence"));
		}
		let machina_primitives::SlashTarget::Commitment(id) = offence.target else { panic!("devices slash by id") };
		let backing = MockBonds::commitment(&offence.offender, id).map_or(0, |c| c.backing);
		let slashed = backing * percent as Balance / 100;
		slash_commitment(offence.offender, id, slashed);
		OFFENCES.with(|o| o.borrow_mut().push(offence));
		Ok(machina_primitives::SlashOutcome { slashed, ..Default::default() })
	}
	fn report_offence_weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::from_parts(1_000_000, 1_000)
	}
}

pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CHARLIE: AccountId = 3;

/// Manufacturer 0: "Acme Sensors" (P-256 root). 1: "Edwards Devices" (Ed25519 root).
pub const ACME: u32 = 0;
pub const EDWARDS: u32 = 1;

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_device_registry::GenesisConfig::<Test> {
		manufacturers: vec![
			(b"Acme Sensors".to_vec(), vec![fixtures::acme::ROOT_PUB.to_vec()]),
			(b"Edwards Devices".to_vec(), vec![fixtures::edwards::ROOT_PUB.to_vec()]),
		],
		_config: Default::default(),
	}
	.assimilate_storage(&mut t)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| {
		BONDS.with(|b| b.borrow_mut().clear());
		COMMITMENTS.with(|c| c.borrow_mut().clear());
		REVOKED_DEVICE_SLASH.with(|p| *p.borrow_mut() = None);
		OFFENCES.with(|o| o.borrow_mut().clear());
		MaxIntermediates::set(3);
		// Block hashes as a real chain has them: genesis and every block since.
		frame_system::BlockHash::<Test>::insert(0, sp_core::H256::repeat_byte(0x99));
		System::set_block_number(1);
		set_time(fixtures::time::VALID);
		for who in [ALICE, BOB, CHARLIE] {
			set_bond(who, 10 * DEVICE_BOND);
		}
	});
	ext
}

/// Set on-chain time (Unix seconds).
pub fn set_time(secs: u64) {
	pallet_timestamp::Now::<Test>::put(secs * 1000);
}

/// On-chain time (Unix seconds).
pub fn now_secs() -> u64 {
	pallet_timestamp::Now::<Test>::get() / 1000
}

/// Advance to block `n`, recording the hash of each block passed; time moves
/// `BLOCK_SECS` a block.
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		let now = System::block_number();
		frame_system::BlockHash::<Test>::insert(now, sp_core::H256::from_low_u64_be(now * 7 + 1));
		System::set_block_number(now + 1);
		set_time(now_secs() + BLOCK_SECS);
	}
}

/// Advance time by at least `secs`, block by block.
pub fn run_for(secs: u64) {
	run_to_block(System::block_number() + secs.div_ceil(BLOCK_SECS));
}

thread_local! {
	/// Every retirement the registry announced: `(device, owner, key, left_owner)`.
	pub static RETIRED: RefCell<Vec<(machina_primitives::DeviceId, AccountId, Option<machina_primitives::OperationalKey>, bool)>> =
		const { RefCell::new(Vec::new()) };
}
parameter_types! {
	/// Whether the retirement hook refuses, as coverage does while a previous retired key
	/// can still be reported.
	pub static RefuseRetirement: bool = false;
}

/// Records what the registry tells the coverage pallet, and refuses on demand.
pub struct RecordRetired;
impl machina_primitives::OnSignerRetired<AccountId> for RecordRetired {
	fn on_signer_retired(
		device: &machina_primitives::DeviceId,
		owner: &AccountId,
		key: Option<&machina_primitives::OperationalKey>,
		left_owner: bool,
	) -> DispatchResult {
		if RefuseRetirement::get() {
			return Err(DispatchError::Other("SignerRetiredRecently"));
		}
		RETIRED.with(|r| r.borrow_mut().push((*device, *owner, key.cloned(), left_owner)));
		Ok(())
	}
	fn on_signer_retired_weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::zero()
	}
}
