//! The runtime APIs: what a Cumulus collator, the transaction pool, wallets and
//! Polkadot.js call into the runtime for.

use alloc::vec::Vec;
use frame_support::{
	genesis_builder_helper::{build_state, get_preset},
	traits::Get,
	weights::Weight,
};
use sp_api::impl_runtime_apis;
use sp_core::{crypto::KeyTypeId, OpaqueMetadata};
use sp_runtime::{
	traits::Block as BlockT,
	transaction_validity::{TransactionSource, TransactionValidity},
	ApplyExtrinsicResult,
};
use sp_version::RuntimeVersion;
use xcm::{Version as XcmVersion, VersionedAsset, VersionedAssetId, VersionedAssets, VersionedLocation, VersionedXcm};
use xcm_runtime_apis::{
	dry_run::{CallDryRunEffects, Error as XcmDryRunApiError, XcmDryRunEffects},
	fees::Error as XcmPaymentApiError,
};

use crate::AuraId;
use crate::{
	configs::xcm::{HereLocation, LocationToAccountId, XcmConfig, XcmRouter},
	OriginCaller, PolkadotXcm, RuntimeEvent,
};
use crate::{
	constants::time::SLOT_DURATION, genesis_config_presets, AccountId, Balance, Block, BlockNumber, Executive,
	InherentDataExt, Nonce, ParachainSystem, Runtime, RuntimeCall, RuntimeGenesisConfig, SessionKeys, System,
	TransactionPayment, VERSION,
};

impl_runtime_apis! {
	impl sp_consensus_aura::AuraApi<Block, AuraId> for Runtime {
		fn slot_duration() -> sp_consensus_aura::SlotDuration {
			sp_consensus_aura::SlotDuration::from_millis(SLOT_DURATION)
		}

		fn authorities() -> Vec<AuraId> {
			pallet_aura::Authorities::<Runtime>::get().into_inner()
		}
	}

	impl cumulus_primitives_core::RelayParentOffsetApi<Block> for Runtime {
		fn relay_parent_offset() -> u32 {
			<Runtime as cumulus_pallet_parachain_system::Config>::RelayParentOffset::get()
		}

		fn max_claim_queue_offset() -> u8 {
			ParachainSystem::max_claim_queue_offset()
		}
	}

	impl cumulus_primitives_core::KeyToIncludeInRelayProof<Block> for Runtime {
		fn keys_to_prove() -> cumulus_primitives_core::RelayProofRequest {
			// No relay chain storage beyond what parachain-system always proves.
			Default::default()
		}
	}

	impl cumulus_primitives_core::TargetBlockRate<Block> for Runtime {
		fn target_block_rate() -> u32 {
			crate::constants::time::BLOCK_PROCESSING_VELOCITY
		}
	}

	impl cumulus_primitives_core::SchedulingV3EnabledApi<Block> for Runtime {
		fn scheduling_v3_enabled() -> bool {
			<<Runtime as cumulus_pallet_parachain_system::Config>::SchedulingSignatureVerifier
				as cumulus_primitives_core::VerifySchedulingSignature>::V3_SCHEDULING_ENABLED
		}
	}

	impl cumulus_primitives_aura::AuraUnincludedSegmentApi<Block> for Runtime {
		fn can_build_upon(
			included_hash: <Block as BlockT>::Hash,
			slot: cumulus_primitives_aura::Slot,
		) -> bool {
			super::configs::ConsensusHook::can_build_upon(included_hash, slot)
		}
	}

	impl sp_api::Core<Block> for Runtime {
		fn version() -> RuntimeVersion {
			VERSION
		}

		fn execute_block(block: <Block as BlockT>::LazyBlock) {
			Executive::execute_block(block)
		}

		fn initialize_block(header: &<Block as BlockT>::Header) -> sp_runtime::ExtrinsicInclusionMode {
			Executive::initialize_block(header)
		}
	}

	impl sp_api::Metadata<Block> for Runtime {
		fn metadata() -> OpaqueMetadata {
			OpaqueMetadata::new(Runtime::metadata().into())
		}

		fn metadata_at_version(version: u32) -> Option<OpaqueMetadata> {
			Runtime::metadata_at_version(version)
		}

		fn metadata_versions() -> Vec<u32> {
			Runtime::metadata_versions()
		}
	}

	impl sp_block_builder::BlockBuilder<Block> for Runtime {
		fn apply_extrinsic(extrinsic: <Block as BlockT>::Extrinsic) -> ApplyExtrinsicResult {
			Executive::apply_extrinsic(extrinsic)
		}

		fn finalize_block() -> <Block as BlockT>::Header {
			Executive::finalize_block()
		}

		fn inherent_extrinsics(data: sp_inherents::InherentData) -> Vec<<Block as BlockT>::Extrinsic> {
			data.create_extrinsics()
		}

		fn check_inherents(
			block: <Block as BlockT>::LazyBlock,
			data: sp_inherents::InherentData,
		) -> sp_inherents::CheckInherentsResult {
			data.check_extrinsics(&block)
		}
	}

	impl sp_transaction_pool::runtime_api::TaggedTransactionQueue<Block> for Runtime {
		fn validate_transaction(
			source: TransactionSource,
			tx: <Block as BlockT>::Extrinsic,
			block_hash: <Block as BlockT>::Hash,
		) -> TransactionValidity {
			Executive::validate_transaction(source, tx, block_hash)
		}
	}

	impl sp_offchain::OffchainWorkerApi<Block> for Runtime {
		fn offchain_worker(header: &<Block as BlockT>::Header) {
			Executive::offchain_worker(header)
		}
	}

	impl sp_session::SessionKeys<Block> for Runtime {
		fn generate_session_keys(
			owner: Vec<u8>,
			seed: Option<Vec<u8>>,
		) -> sp_session::OpaqueGeneratedSessionKeys {
			// The proof binds the keys to `owner`, so nobody can register them as theirs.
			SessionKeys::generate(&owner, seed).into()
		}

		fn decode_session_keys(
			encoded: Vec<u8>,
		) -> Option<Vec<(Vec<u8>, KeyTypeId)>> {
			SessionKeys::decode_into_raw_public_keys(&encoded)
		}
	}

	impl frame_system_rpc_runtime_api::AccountNonceApi<Block, AccountId, Nonce> for Runtime {
		fn account_nonce(account: AccountId) -> Nonce {
			System::account_nonce(account)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentApi<Block, Balance> for Runtime {
		fn query_info(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment_rpc_runtime_api::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_info(uxt, len)
		}
		fn query_fee_details(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_fee_details(uxt, len)
		}
		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}
		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentCallApi<Block, Balance, RuntimeCall>
		for Runtime
	{
		fn query_call_info(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_call_info(call, len)
		}
		fn query_call_fee_details(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_call_fee_details(call, len)
		}
		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}
		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl cumulus_primitives_core::CollectCollationInfo<Block> for Runtime {
		fn collect_collation_info(header: &<Block as BlockT>::Header) -> cumulus_primitives_core::CollationInfo {
			ParachainSystem::collect_collation_info(header)
		}
	}

	// Moments of micro-bonds are relay-chain block numbers (`u32`, like ours).
	impl pallet_micro_bonds::runtime_api::MicroBondsApi<Block, AccountId, Balance, BlockNumber> for Runtime {
		fn bond(who: AccountId, purpose: machina_primitives::BondPurpose) -> Option<(Balance, Balance)> {
			crate::MicroBonds::bond_info(&who, purpose)
		}
		fn unbonding_chunks(
			who: AccountId,
			purpose: machina_primitives::BondPurpose,
		) -> Vec<pallet_micro_bonds::UnbondingChunk<Balance, BlockNumber>> {
			crate::MicroBonds::unbonding_chunks(&who, purpose)
		}
		fn slashable_balance(who: AccountId, purpose: machina_primitives::BondPurpose) -> Balance {
			crate::MicroBonds::slashable_balance(&who, purpose)
		}
		fn commitment(
			who: AccountId,
			id: machina_primitives::CommitmentId,
		) -> Option<machina_primitives::CommitmentInfo<Balance>> {
			crate::MicroBonds::commitment_info(&who, id)
		}
		fn pool(pool: pallet_micro_bonds::PoolId) -> Option<pallet_micro_bonds::PoolInfo<AccountId, Balance>> {
			crate::MicroBonds::pool_info(pool)
		}
		fn pool_member(
			pool: pallet_micro_bonds::PoolId,
			who: AccountId,
		) -> Option<pallet_micro_bonds::PoolMemberInfo<Balance>> {
			crate::MicroBonds::pool_member_info(pool, &who)
		}
		fn insurance() -> (Balance, Balance) {
			(crate::MicroBonds::insurance_available(), pallet_micro_bonds::InsurancePaidOut::<Runtime>::get())
		}
	}

	impl pallet_coverage::runtime_api::CoverageApi<Block, Balance> for Runtime {
		fn epoch_info() -> Option<pallet_coverage::EpochInfo> {
			crate::Coverage::epoch_info()
		}
		fn heartbeat_message(epoch: pallet_coverage::EpochIndex, slot: pallet_coverage::SlotIndex) -> Option<Vec<u8>> {
			crate::Coverage::heartbeat_message(epoch, slot)
		}
		fn uptime(
			device: machina_primitives::DeviceId,
			epoch: pallet_coverage::EpochIndex,
		) -> Option<pallet_coverage::DeviceUptime> {
			crate::Coverage::uptime(device, epoch)
		}
		fn pending_rewards(device: machina_primitives::DeviceId) -> Vec<(pallet_coverage::EpochIndex, Balance)> {
			crate::Coverage::pending_rewards(device)
		}
		fn membership(device: machina_primitives::DeviceId) -> Option<pallet_coverage::Membership> {
			crate::Coverage::membership(device)
		}
		fn shard_members(shard: pallet_coverage::ShardId) -> Vec<pallet_coverage::ShardMember> {
			crate::Coverage::shard_members(shard)
		}
	}

	impl pallet_intents::runtime_api::IntentsApi<Block, AccountId, crate::configs::assets::AssetKind, Balance> for Runtime {
		fn market(
			market: pallet_intents::MarketId,
		) -> Option<pallet_intents::Market<AccountId, crate::configs::assets::AssetKind, Balance>> {
			pallet_intents::Markets::<Runtime>::get(market)
		}
		fn market_of(
			base: crate::configs::assets::AssetKind,
			quote: crate::configs::assets::AssetKind,
		) -> Option<pallet_intents::MarketId> {
			pallet_intents::MarketOfPair::<Runtime>::get(base, quote)
		}
		fn open_intents(
			market: pallet_intents::MarketId,
			start_after: Option<pallet_intents::IntentId>,
			limit: u32,
		) -> Vec<(pallet_intents::IntentId, pallet_intents::Intent<AccountId, Balance>)> {
			crate::Intents::open_intents(market, start_after, limit)
		}
		fn round_info() -> pallet_intents::RoundInfo<AccountId> {
			crate::Intents::round_info()
		}
		fn best_solution(
			market: pallet_intents::MarketKey<crate::configs::assets::AssetKind>,
		) -> Option<(AccountId, u128, pallet_intents::RoundIndex, Vec<pallet_intents::Fill>, Vec<pallet_intents::ServiceMatch>)> {
			crate::Intents::best_solution(market)
		}
		fn check_solution(
			fee: sp_runtime::Permill,
			prices: Vec<pallet_intents::ClearingPrice>,
			fills: Vec<pallet_intents::Fill>,
			service_prices: Vec<pallet_intents::ServicePrice<crate::configs::assets::AssetKind>>,
			services: Vec<pallet_intents::ServiceMatch>,
		) -> pallet_intents::runtime_api::SolutionCheck {
			crate::Intents::dry_run(fee, prices, fills, service_prices, services)
		}
		fn service_intents(
			class: pallet_intents::ServiceClass,
			start_after: Option<pallet_intents::IntentId>,
			limit: u32,
		) -> Vec<(
			pallet_intents::IntentId,
			Option<pallet_intents::ServiceOffer<AccountId, crate::configs::assets::AssetKind, Balance>>,
			Option<pallet_intents::ServicePurchase<AccountId, crate::configs::assets::AssetKind, Balance>>,
		)> {
			crate::Intents::service_intents(class, start_after, limit)
		}
		fn device_passes(device: machina_primitives::DeviceId, filter: pallet_intents::DeviceFilter) -> bool {
			crate::Intents::passes(&device, &filter)
		}
		fn order(
			order: pallet_intents::OrderId,
		) -> Option<pallet_intents::Order<AccountId, crate::configs::assets::AssetKind, Balance>> {
			pallet_intents::Orders::<Runtime>::get(order)
		}
		fn receipt_payload(order: pallet_intents::OrderId, units: u32, content: sp_core::H256) -> Vec<u8> {
			crate::Intents::receipt_payload(order, units, content)
		}
		fn channel(
			channel: pallet_intents::ChannelId,
		) -> Option<pallet_intents::Channel<AccountId, crate::configs::assets::AssetKind, Balance>> {
			pallet_intents::Channels::<Runtime>::get(channel)
		}
		fn voucher_payload(channel: pallet_intents::ChannelId, cumulative: u128) -> Vec<u8> {
			crate::Intents::voucher_payload(channel, cumulative)
		}
		fn sponsorship(account: AccountId) -> Option<pallet_intents::Sponsorship<AccountId, Balance>> {
			pallet_intents::Sponsorships::<Runtime>::get(account)
		}
		fn sponsor_pot(sponsor: AccountId) -> AccountId {
			crate::Intents::sponsor_pot_account(&sponsor)
		}
		fn sponsor_consent_payload(device: machina_primitives::DeviceId, sponsor: AccountId) -> Vec<u8> {
			crate::Intents::sponsor_consent_payload(device, &sponsor)
		}
	}

	impl pallet_device_registry::runtime_api::DeviceRegistryApi<Block, AccountId, Balance, BlockNumber> for Runtime {
		fn device(
			id: machina_primitives::DeviceId,
		) -> Option<pallet_device_registry::DeviceView<AccountId, Balance, BlockNumber>> {
			crate::DeviceRegistry::device(id)
		}
		fn devices_of(
			owner: AccountId,
			cursor: Option<machina_primitives::DeviceId>,
			limit: u32,
		) -> Vec<pallet_device_registry::DeviceView<AccountId, Balance, BlockNumber>> {
			crate::DeviceRegistry::devices_of(owner, cursor, limit)
		}
		fn manufacturer(
			id: pallet_device_registry::ManufacturerId,
		) -> Option<pallet_device_registry::ManufacturerView> {
			crate::DeviceRegistry::manufacturer(id)
		}
		fn key_id(key: pallet_device_registry::PublicKey) -> pallet_device_registry::KeyId {
			pallet_device_registry::key_id_of(&key)
		}
		fn registration_payload(
			manufacturer: pallet_device_registry::ManufacturerId,
			owner: AccountId,
			operational_key: machina_primitives::OperationalKey,
			reference_block: BlockNumber,
		) -> Vec<u8> {
			crate::DeviceRegistry::registration_payload(manufacturer, &owner, &operational_key, reference_block)
		}
		fn reattestation_payload(device: machina_primitives::DeviceId, reference_block: BlockNumber) -> Vec<u8> {
			crate::DeviceRegistry::reattestation_payload(&device, reference_block)
		}
		fn renewal_payload(device: machina_primitives::DeviceId, reference_block: BlockNumber) -> Option<Vec<u8>> {
			crate::DeviceRegistry::renewal_payload_of(device, reference_block)
		}
		fn rotation_payload(
			device: machina_primitives::DeviceId,
			key: machina_primitives::OperationalKey,
		) -> Option<Vec<u8>> {
			crate::DeviceRegistry::rotation_payload_of(device, key)
		}
		fn aggregation_key_payload(device: machina_primitives::DeviceId, key: Option<[u8; 48]>) -> Option<Vec<u8>> {
			crate::DeviceRegistry::aggregation_key_payload_of(device, key)
		}
	}

	// XCM: fees (MACH only), dry runs, and location-to-account conversion, for wallets and
	// XCM tools.
	impl xcm_runtime_apis::fees::XcmPaymentApi<Block> for Runtime {
		fn query_acceptable_payment_assets(xcm_version: XcmVersion) -> Result<Vec<VersionedAssetId>, XcmPaymentApiError> {
			PolkadotXcm::query_acceptable_payment_assets(xcm_version, alloc::vec![xcm::latest::AssetId(HereLocation::get())])
		}

		fn query_weight_to_asset_fee(weight: Weight, asset: VersionedAssetId) -> Result<u128, XcmPaymentApiError> {
			type Trader = <XcmConfig as xcm_executor::Config>::Trader;
			PolkadotXcm::query_weight_to_asset_fee::<Trader>(weight, asset)
		}

		fn query_xcm_weight(message: VersionedXcm<()>) -> Result<Weight, XcmPaymentApiError> {
			PolkadotXcm::query_xcm_weight(message)
		}

		fn query_delivery_fees(
			destination: VersionedLocation,
			message: VersionedXcm<()>,
			asset_id: VersionedAssetId,
		) -> Result<VersionedAssets, XcmPaymentApiError> {
			type AssetExchanger = <XcmConfig as xcm_executor::Config>::AssetExchanger;
			PolkadotXcm::query_delivery_fees::<AssetExchanger>(destination, message, asset_id)
		}
	}

	impl xcm_runtime_apis::dry_run::DryRunApi<Block, RuntimeCall, RuntimeEvent, OriginCaller> for Runtime {
		fn dry_run_call(
			origin: OriginCaller,
			call: RuntimeCall,
			result_xcms_version: XcmVersion,
		) -> Result<CallDryRunEffects<RuntimeEvent>, XcmDryRunApiError> {
			PolkadotXcm::dry_run_call::<Runtime, XcmRouter, OriginCaller, RuntimeCall>(origin, call, result_xcms_version)
		}

		fn dry_run_xcm(
			origin_location: VersionedLocation,
			xcm: VersionedXcm<RuntimeCall>,
		) -> Result<XcmDryRunEffects<RuntimeEvent>, XcmDryRunApiError> {
			PolkadotXcm::dry_run_xcm::<XcmRouter>(origin_location, xcm)
		}
	}

	impl xcm_runtime_apis::conversions::LocationToAccountApi<Block, AccountId> for Runtime {
		fn convert_location(location: VersionedLocation) -> Result<AccountId, xcm_runtime_apis::conversions::Error> {
			xcm_runtime_apis::conversions::LocationToAccountHelper::<AccountId, LocationToAccountId>::convert_location(location)
		}
	}

	impl xcm_runtime_apis::trusted_query::TrustedQueryApi<Block> for Runtime {
		fn is_trusted_reserve(asset: VersionedAsset, location: VersionedLocation) -> Result<bool, xcm_runtime_apis::trusted_query::Error> {
			PolkadotXcm::is_trusted_reserve(asset, location)
		}

		fn is_trusted_teleporter(asset: VersionedAsset, location: VersionedLocation) -> Result<bool, xcm_runtime_apis::trusted_query::Error> {
			PolkadotXcm::is_trusted_teleporter(asset, location)
		}
	}

	impl xcm_runtime_apis::authorized_aliases::AuthorizedAliasersApi<Block> for Runtime {
		fn authorized_aliasers(target: VersionedLocation) -> Result<Vec<xcm_runtime_apis::authorized_aliases::OriginAliaser>, xcm_runtime_apis::authorized_aliases::Error> {
			PolkadotXcm::authorized_aliasers(target)
		}

		fn is_authorized_alias(origin: VersionedLocation, target: VersionedLocation) -> Result<bool, xcm_runtime_apis::authorized_aliases::Error> {
			PolkadotXcm::is_authorized_alias(origin, target)
		}
	}

	impl cumulus_primitives_core::GetParachainInfo<Block> for Runtime {
		fn parachain_id() -> cumulus_primitives_core::ParaId {
			crate::ParachainInfo::parachain_id()
		}
	}

	#[cfg(feature = "try-runtime")]
	impl frame_try_runtime::TryRuntime<Block> for Runtime {
		fn on_runtime_upgrade(checks: frame_try_runtime::UpgradeCheckSelect) -> (Weight, Weight) {
			let weight = Executive::try_runtime_upgrade(checks).unwrap();
			if checks.try_state() {
				crate::configs::try_state(false).unwrap();
			}
			(weight, crate::configs::RuntimeBlockWeights::get().max_block)
		}

		fn execute_block(
			block: <Block as BlockT>::LazyBlock,
			state_root_check: bool,
			signature_check: bool,
			select: frame_try_runtime::TryStateSelect,
		) -> Weight {
			// Panics on failure: try-runtime is a tool, not consensus.
			let checked = !matches!(select, frame_try_runtime::TryStateSelect::None);
			let weight = Executive::try_execute_block(block, state_root_check, signature_check, select).unwrap();
			if checked {
				crate::configs::try_state(true).unwrap();
			}
			weight
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	impl frame_benchmarking::Benchmark<Block> for Runtime {
		fn benchmark_metadata(extra: bool) -> (
			Vec<frame_benchmarking::BenchmarkList>,
			Vec<frame_support::traits::StorageInfo>,
		) {
			crate::benchmarks::metadata(extra)
		}

		#[allow(non_local_definitions)]
		fn dispatch_benchmark(
			config: frame_benchmarking::BenchmarkConfig
		) -> Result<Vec<frame_benchmarking::BenchmarkBatch>, alloc::string::String> {
			crate::benchmarks::dispatch(config)
		}
	}

	impl sp_genesis_builder::GenesisBuilder<Block> for Runtime {
		fn build_state(config: Vec<u8>) -> sp_genesis_builder::Result {
			build_state::<RuntimeGenesisConfig>(config)
		}

		fn get_preset(id: &Option<sp_genesis_builder::PresetId>) -> Option<Vec<u8>> {
			get_preset::<RuntimeGenesisConfig>(id, genesis_config_presets::get_preset)
		}

		fn preset_names() -> Vec<sp_genesis_builder::PresetId> {
			genesis_config_presets::preset_names()
		}
	}
}
