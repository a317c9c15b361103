//! The pallets benchmarked in this runtime (`--features runtime-benchmarks`).

use alloc::{string::String, vec::Vec};
use frame_benchmarking::{BenchmarkBatch, BenchmarkConfig, BenchmarkList};
use frame_support::traits::StorageInfo;

use crate::*;

frame_benchmarking::define_benchmarks!(
	[frame_system, SystemBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_session, SessionBench::<Runtime>]
	[pallet_timestamp, Timestamp]
	[pallet_message_queue, MessageQueue]
	[pallet_scheduler, Scheduler]
	[pallet_preimage, Preimage]
	[pallet_migrations, MultiBlockMigrations]
	[pallet_treasury, Treasury]
	[pallet_conviction_voting, ConvictionVoting]
	[pallet_referenda, Referenda]
	[pallet_whitelist, Whitelist]
	[pallet_ranked_collective, FellowshipCollective]
	[pallet_referenda, FellowshipReferenda]
	[pallet_collator_selection, CollatorSelection]
	[pallet_utility, Utility]
	[pallet_proxy, Proxy]
	[pallet_multisig, Multisig]
	[cumulus_pallet_parachain_system, ParachainSystem]
	[cumulus_pallet_xcmp_queue, XcmpQueue]
	[cumulus_pallet_weight_reclaim, WeightReclaim]
	[pallet_xcm, PalletXcmExtrinsicsBenchmark::<Runtime>]
	[pallet_micro_bonds, MicroBonds]
	[pallet_device_registry, DeviceRegistry]
	[pallet_coverage, Coverage]
	[pallet_intents, Intents]
);

use cumulus_pallet_session_benchmarking::Pallet as SessionBench;
use frame_system_benchmarking::Pallet as SystemBench;
use pallet_xcm::benchmarking::Pallet as PalletXcmExtrinsicsBenchmark;

frame_support::parameter_types! {
	/// MACH's existential deposit, which the delivery helpers give senders.
	pub ExistentialDepositAsset: Option<xcm::latest::Asset> =
		Some((xcm::latest::Location::here(), EXISTENTIAL_DEPOSIT).into());
	/// A sibling with no channel yet; the helper opens one.
	pub const BenchmarkSiblingParaId: cumulus_primitives_core::ParaId = cumulus_primitives_core::ParaId::new(43211234);
}

impl pallet_xcm::benchmarking::Config for Runtime {
	type DeliveryHelper = (
		cumulus_primitives_utility::ToParentDeliveryHelper<
			configs::xcm::XcmConfig,
			ExistentialDepositAsset,
			configs::xcm::PriceForParentDelivery,
		>,
		polkadot_runtime_common::xcm_sender::ToParachainDeliveryHelper<
			configs::xcm::XcmConfig,
			ExistentialDepositAsset,
			configs::xcm::PriceForSiblingParachainDelivery,
			BenchmarkSiblingParaId,
			ParachainSystem,
		>,
	);

	fn reachable_dest() -> Option<xcm::latest::Location> {
		Some(xcm::latest::Parent.into())
	}

	// Teleports are off: the benchmark weighs `Weight::MAX` (the call is filtered anyway).
	fn teleportable_asset_and_dest() -> Option<(xcm::latest::Asset, xcm::latest::Location)> {
		None
	}

	// MACH from its reserve (here) to a sibling.
	fn reserve_transferable_asset_and_dest() -> Option<(xcm::latest::Asset, xcm::latest::Location)> {
		use xcm::latest::{Asset, AssetId, Fungibility::Fungible, Junction::Parachain, Location};
		Some((
			Asset { fun: Fungible(EXISTENTIAL_DEPOSIT), id: AssetId(Location::here()) },
			Location::new(1, [Parachain(BenchmarkSiblingParaId::get().into())]),
		))
	}

	// `transfer_assets` of MACH to a sibling: a local-reserve transfer with fees in MACH.
	fn set_up_complex_asset_transfer(
	) -> Option<(xcm::latest::Assets, u32, xcm::latest::Location, alloc::boxed::Box<dyn FnOnce()>)> {
		use xcm::latest::{Junction::Parachain, Location};
		pallet_xcm::benchmarking::helpers::native_teleport_as_asset_transfer::<Runtime>(
			Location::here(),
			Location::new(1, [Parachain(BenchmarkSiblingParaId::get().into())]),
		)
	}

	fn get_asset() -> xcm::latest::Asset {
		use xcm::latest::{Asset, AssetId, Fungibility::Fungible, Location};
		Asset { id: AssetId(Location::here()), fun: Fungible(EXISTENTIAL_DEPOSIT) }
	}

	fn batch_call(calls: Vec<RuntimeCall>) -> Option<RuntimeCall> {
		Some(RuntimeCall::Utility(pallet_utility::Call::batch { calls }))
	}
}

impl frame_system_benchmarking::Config for Runtime {
	fn setup_set_code_requirements(code: &Vec<u8>) -> Result<(), frame_benchmarking::BenchmarkError> {
		ParachainSystem::initialize_for_set_code_benchmark(code.len() as u32);
		Ok(())
	}

	fn verify_set_code() {
		System::assert_last_event(cumulus_pallet_parachain_system::Event::<Runtime>::ValidationFunctionStored.into());
	}
}

impl cumulus_pallet_session_benchmarking::Config for Runtime {
	fn generate_session_keys_and_proof(owner: AccountId) -> (SessionKeys, Vec<u8>) {
		use codec::Encode;
		// Keys generated in the benchmark's keystore, with the proof that binds them to
		// `owner` (what `set_keys` checks).
		let generated = SessionKeys::generate(&owner.encode(), None);
		(generated.keys, generated.proof.encode())
	}
}

pub fn metadata(extra: bool) -> (Vec<BenchmarkList>, Vec<StorageInfo>) {
	use frame_support::traits::StorageInfoTrait;
	let mut list = Vec::<BenchmarkList>::new();
	list_benchmarks!(list, extra);
	let storage_info = AllPalletsWithSystem::storage_info();
	(list, storage_info)
}

pub fn dispatch(config: BenchmarkConfig) -> Result<Vec<BenchmarkBatch>, String> {
	use frame_support::traits::WhitelistedStorageKeys;

	impl frame_benchmarking::baseline::Config for Runtime {}

	let whitelist = AllPalletsWithSystem::whitelisted_storage_keys();
	let mut batches = Vec::<BenchmarkBatch>::new();
	let params = (&config, &whitelist);
	add_benchmarks!(params, batches);
	Ok(batches)
}
