//! The node service: the client, import queue and pool shared by every mode, then either
//! a collator following a relay chain ([`start_parachain_node`]) or a single-node dev
//! chain sealed by a timer ([`start_dev_node`]).

use std::{sync::Arc, time::Duration};

use codec::Encode;
use cumulus_client_cli::CollatorOptions;
use cumulus_client_collator::service::CollatorService;
use cumulus_client_consensus_aura::collators::{
	lookahead::{self as aura, Params as AuraParams},
	slot_based::{self, Params as SlotBasedParams, SlotBasedBlockImport, SlotBasedBlockImportHandle},
};
use cumulus_client_consensus_common::ParachainBlockImport as TParachainBlockImport;
use cumulus_client_parachain_inherent::MockValidationDataInherentDataProvider;
use cumulus_client_service::{
	build_network, build_relay_chain_interface, prepare_node_config, start_relay_chain_tasks, BuildNetworkParams,
	DARecoveryProfile, ParachainTracingExecuteBlock, StartRelayChainTasksParams,
};
use cumulus_primitives_core::{
	relay_chain::{CollatorPair, ValidationCode},
	CollectCollationInfo, ParaId, RelayParentOffsetApi,
};
use cumulus_relay_chain_interface::{OverseerHandle, RelayChainInterface};
use futures::FutureExt;
use machina_runtime::{apis::RuntimeApi, opaque::Block};
use polkadot_primitives::UpgradeGoAhead;
use prometheus_endpoint::Registry;
use sc_client_api::Backend;
use sc_consensus::{DefaultImportQueue, ImportQueue, LongestChain};
use sc_consensus_manual_seal::consensus::aura::AuraConsensusDataProvider;
use sc_executor::{HeapAllocStrategy, WasmExecutor, DEFAULT_HEAP_ALLOC_STRATEGY};
use sc_network::{config::FullNetworkConfiguration, NetworkBackend, NetworkBlock, NotificationMetrics, PeerId};
use sc_service::{Configuration, PartialComponents, TFullBackend, TFullClient, TaskManager};
use sc_telemetry::{Telemetry, TelemetryHandle, TelemetryWorker, TelemetryWorkerHandle};
use sc_transaction_pool::TransactionPoolHandle;
use sc_transaction_pool_api::OffchainTransactionPoolFactory;
use sp_api::ProvideRuntimeApi;
use sp_keystore::KeystorePtr;
use sp_runtime::traits::{Header as HeaderT, UniqueSaturatedInto};

use crate::rpc::machina::NodeFacts;

/// Host functions of a parachain node: the standard set plus the storage-proof-size
/// extension that weight reclaim reads.
#[cfg(not(feature = "runtime-benchmarks"))]
pub type HostFunctions = cumulus_client_service::ParachainHostFunctions;
#[cfg(feature = "runtime-benchmarks")]
pub type HostFunctions =
	(cumulus_client_service::ParachainHostFunctions, frame_benchmarking::benchmarking::HostFunctions);

pub type ParachainExecutor = WasmExecutor<HostFunctions>;
pub type ParachainClient = TFullClient<Block, RuntimeApi, ParachainExecutor>;
pub type ParachainBackend = TFullBackend<Block>;
/// Blocks are imported through the slot-based collator's import, which records the
/// storage proof of every imported block for the collation task (a full node or a
/// lookahead collator drops its handle and nothing waits on it).
pub type ParachainBlockImport =
	TParachainBlockImport<Block, SlotBasedBlockImport<Block, Arc<ParachainClient>, ParachainClient>, ParachainBackend>;
pub type ParachainPool = TransactionPoolHandle<Block, ParachainClient>;

/// What every mode and the chain-operation sub-commands share.
pub type Service = PartialComponents<
	ParachainClient,
	ParachainBackend,
	(),
	DefaultImportQueue<Block>,
	ParachainPool,
	(ParachainBlockImport, SlotBasedBlockImportHandle<Block>, Option<Telemetry>, Option<TelemetryWorkerHandle>),
>;

/// The relay chain's slot duration; the Machina runtime builds one block per slot.
const RELAY_CHAIN_SLOT_DURATION: Duration = Duration::from_secs(6);

/// Build the client, backend, keystore, pool and import queue.
pub fn new_partial(config: &Configuration) -> Result<Service, sc_service::Error> {
	let telemetry = config
		.telemetry_endpoints
		.clone()
		.filter(|x| !x.is_empty())
		.map(|endpoints| -> Result<_, sc_telemetry::Error> {
			let worker = TelemetryWorker::new(16)?;
			let telemetry = worker.handle().new_telemetry(endpoints);
			Ok((worker, telemetry))
		})
		.transpose()?;

	let heap_pages = config
		.executor
		.default_heap_pages
		.map_or(DEFAULT_HEAP_ALLOC_STRATEGY, |h| HeapAllocStrategy::Static { extra_pages: h as _ });

	let executor = ParachainExecutor::builder()
		.with_execution_method(config.executor.wasm_method)
		.with_max_runtime_instances(config.executor.max_runtime_instances)
		.with_runtime_cache_size(config.executor.runtime_cache_size)
		.with_onchain_heap_alloc_strategy(heap_pages)
		.with_offchain_heap_alloc_strategy(heap_pages)
		.build();

	// Import proof recording: the collator needs the storage proof of what it imports.
	let (client, backend, keystore_container, task_manager) =
		sc_service::new_full_parts_record_import::<Block, RuntimeApi, _>(
			config,
			telemetry.as_ref().map(|(_, telemetry)| telemetry.handle()),
			executor,
			true,
			Default::default(),
		)?;
	let client = Arc::new(client);

	let telemetry_worker_handle = telemetry.as_ref().map(|(worker, _)| worker.handle());
	let telemetry = telemetry.map(|(worker, telemetry)| {
		task_manager.spawn_handle().spawn("telemetry", None, worker.run());
		telemetry
	});

	let transaction_pool = Arc::from(
		sc_transaction_pool::Builder::new(
			task_manager.spawn_essential_handle(),
			client.clone(),
			config.role.is_authority().into(),
		)
		.with_options(config.transaction_pool.clone())
		.with_prometheus(config.prometheus_registry())
		.build(),
	);

	let (slot_based_import, slot_based_handle) = SlotBasedBlockImport::new(client.clone(), client.clone());
	let block_import = ParachainBlockImport::new(slot_based_import, backend.clone());

	let import_queue = build_import_queue(
		client.clone(),
		block_import.clone(),
		config,
		telemetry.as_ref().map(|telemetry| telemetry.handle()),
		&task_manager,
	);

	Ok(PartialComponents {
		backend,
		client,
		import_queue,
		keystore_container,
		task_manager,
		transaction_pool,
		select_chain: (),
		other: (block_import, slot_based_handle, telemetry, telemetry_worker_handle),
	})
}

/// An import queue that checks Aura seals, slots and equivocations.
fn build_import_queue(
	client: Arc<ParachainClient>,
	block_import: ParachainBlockImport,
	config: &Configuration,
	telemetry: Option<TelemetryHandle>,
	task_manager: &TaskManager,
) -> DefaultImportQueue<Block> {
	cumulus_client_consensus_aura::equivocation_import_queue::fully_verifying_import_queue::<
		sp_consensus_aura::sr25519::AuthorityPair,
		_,
		_,
		_,
		_,
	>(
		client,
		block_import,
		move |_, _| async move {
			let timestamp = sp_timestamp::InherentDataProvider::from_system_time();
			Ok(timestamp)
		},
		&task_manager.spawn_essential_handle(),
		config.prometheus_registry(),
		telemetry,
	)
}

fn rpc_builder(
	client: Arc<ParachainClient>,
	pool: Arc<ParachainPool>,
	node_facts: NodeFacts,
	relay: Option<(Arc<dyn RelayChainInterface>, ParaId)>,
) -> Box<dyn Fn(sc_rpc::SubscriptionTaskExecutor) -> Result<crate::rpc::RpcExtension, sc_service::Error>> {
	Box::new(move |_| {
		let deps = crate::rpc::FullDeps {
			client: client.clone(),
			pool: pool.clone(),
			node_facts: node_facts.clone(),
			relay: relay.clone(),
		};
		crate::rpc::create_full(deps).map_err(sc_service::Error::Application)
	})
}

fn start_offchain_workers(
	config: &Configuration,
	client: &Arc<ParachainClient>,
	backend: &Arc<ParachainBackend>,
	keystore: KeystorePtr,
	pool: &Arc<ParachainPool>,
	network: Arc<dyn sc_network::service::traits::NetworkService>,
	task_manager: &TaskManager,
) -> Result<(), sc_service::Error> {
	if !config.offchain_worker.enabled {
		return Ok(());
	}
	let offchain_workers = sc_offchain::OffchainWorkers::new(sc_offchain::OffchainWorkerOptions {
		runtime_api_provider: client.clone(),
		keystore: Some(keystore),
		offchain_db: backend.offchain_storage(),
		transaction_pool: Some(OffchainTransactionPoolFactory::new(pool.clone())),
		network_provider: Arc::new(network),
		is_validator: config.role.is_authority(),
		enable_http_requests: false,
		custom_extensions: |_| vec![],
	})?;
	task_manager.spawn_handle().spawn(
		"offchain-workers-runner",
		"offchain-work",
		offchain_workers.run(client.clone(), task_manager.spawn_handle()).boxed(),
	);
	Ok(())
}

/// Start a parachain node: a full node, or a collator with `--collator`.
#[sc_tracing::logging::prefix_logs_with("Parachain")]
pub async fn start_parachain_node<Net: NetworkBackend<Block, <Block as sp_runtime::traits::Block>::Hash>>(
	parachain_config: Configuration,
	polkadot_config: Configuration,
	collator_options: CollatorOptions,
	para_id: ParaId,
	hwbench: Option<sc_sysinfo::HwBench>,
	node_facts: NodeFacts,
	authoring: crate::cli::Authoring,
) -> sc_service::error::Result<TaskManager> {
	let parachain_config = prepare_node_config(parachain_config);

	let parachain_public_addresses = parachain_config.network.public_addresses.clone();
	let parachain_fork_id = parachain_config.chain_spec.fork_id().map(ToString::to_string);
	let advertise_non_global_ips = parachain_config.network.allow_non_globals_in_dht;
	let relay_chain_fork_id = polkadot_config.chain_spec.fork_id().map(ToString::to_string);

	let params = new_partial(&parachain_config)?;
	let (block_import, slot_based_handle, mut telemetry, telemetry_worker_handle) = params.other;
	let client = params.client.clone();
	let backend = params.backend.clone();
	let mut task_manager = params.task_manager;

	let prometheus_registry = parachain_config.prometheus_registry().cloned();
	let net_config = FullNetworkConfiguration::<_, _, Net>::new(&parachain_config.network, prometheus_registry.clone());

	let (relay_chain_interface, collator_key, relay_chain_network, paranode_rx) = build_relay_chain_interface(
		polkadot_config,
		&parachain_config,
		telemetry_worker_handle,
		&mut task_manager,
		collator_options.clone(),
		hwbench.clone(),
	)
	.await
	.map_err(|e| sc_service::Error::Application(Box::new(e) as Box<_>))?;

	let validator = parachain_config.role.is_authority();
	let transaction_pool = params.transaction_pool.clone();
	let import_queue_service = params.import_queue.service();

	let metrics =
		Net::register_notification_metrics(parachain_config.prometheus_config.as_ref().map(|config| &config.registry));
	let (network, system_rpc_tx, tx_handler_controller, sync_service, _bitswap) = build_network(BuildNetworkParams {
		parachain_config: &parachain_config,
		net_config,
		client: client.clone(),
		transaction_pool: transaction_pool.clone(),
		para_id,
		spawn_handle: task_manager.spawn_handle(),
		spawn_essential_handle: task_manager.spawn_essential_handle(),
		relay_chain_interface: relay_chain_interface.clone(),
		import_queue: params.import_queue,
		metrics,
		gap_sync_body_policy: None,
	})
	.await?;

	start_offchain_workers(
		&parachain_config,
		&client,
		&backend,
		params.keystore_container.keystore(),
		&transaction_pool,
		network.clone(),
		&task_manager,
	)?;

	let rpc_builder = rpc_builder(
		client.clone(),
		transaction_pool.clone(),
		node_facts,
		Some((relay_chain_interface.clone(), para_id)),
	);

	sc_service::spawn_tasks(sc_service::SpawnTasksParams {
		rpc_builder,
		client: client.clone(),
		transaction_pool: transaction_pool.clone(),
		task_manager: &mut task_manager,
		config: parachain_config,
		keystore: params.keystore_container.keystore(),
		backend: backend.clone(),
		network: network.clone(),
		sync_service: sync_service.clone(),
		system_rpc_tx,
		tx_handler_controller,
		telemetry: telemetry.as_mut(),
		tracing_execute_block: Some(Arc::new(ParachainTracingExecuteBlock::new(client.clone()))),
	})?;

	if let Some(hwbench) = hwbench {
		sc_sysinfo::print_hwbench(&hwbench);
		if let Some(ref mut telemetry) = telemetry {
			let telemetry_handle = telemetry.handle();
			task_manager.spawn_handle().spawn(
				"telemetry_hwbench",
				None,
				sc_sysinfo::initialize_hwbench_telemetry(telemetry_handle, hwbench),
			);
		}
	}

	let announce_block = {
		let sync_service = sync_service.clone();
		Arc::new(move |hash, data| sync_service.announce_block(hash, data))
	};

	let overseer_handle =
		relay_chain_interface.overseer_handle().map_err(|e| sc_service::Error::Application(Box::new(e)))?;

	start_relay_chain_tasks(StartRelayChainTasksParams {
		client: client.clone(),
		announce_block: announce_block.clone(),
		para_id,
		relay_chain_interface: relay_chain_interface.clone(),
		task_manager: &mut task_manager,
		da_recovery_profile: if validator { DARecoveryProfile::Collator } else { DARecoveryProfile::FullNode },
		import_queue: import_queue_service,
		relay_chain_slot_duration: RELAY_CHAIN_SLOT_DURATION,
		recovery_handle: Box::new(overseer_handle.clone()),
		sync_service: sync_service.clone(),
		prometheus_registry: prometheus_registry.as_ref(),
	})?;

	cumulus_client_bootnodes::start_bootnode_tasks(cumulus_client_bootnodes::StartBootnodeTasksParams {
		embedded_dht_bootnode: collator_options.embedded_dht_bootnode,
		dht_bootnode_discovery: collator_options.dht_bootnode_discovery,
		para_id,
		task_manager: &mut task_manager,
		relay_chain_interface: relay_chain_interface.clone(),
		relay_chain_fork_id,
		relay_chain_network: relay_chain_network.clone(),
		request_receiver: paranode_rx,
		parachain_network: network.clone(),
		advertise_non_global_ips,
		parachain_genesis_hash: client.chain_info().genesis_hash.encode(),
		parachain_fork_id,
		parachain_public_addresses,
	});

	if validator {
		start_consensus(
			client.clone(),
			backend,
			block_import,
			prometheus_registry.as_ref(),
			telemetry.as_ref().map(|t| t.handle()),
			&task_manager,
			relay_chain_interface,
			transaction_pool,
			params.keystore_container.keystore(),
			para_id,
			collator_key.expect("`--collator` makes the relay chain interface create a key; qed"),
			relay_chain_network.local_peer_id(),
			overseer_handle,
			announce_block,
			authoring,
			slot_based_handle,
		)?;
	}

	Ok(task_manager)
}

/// Start the collator's Aura authoring: slot-based (elastic scaling: blocks on a timer
/// of the relay slot divided by the runtime's `TargetBlockRate`, collations on every core
/// the relay chain assigns) or lookahead (async backing: one block per Aura slot).
#[allow(clippy::too_many_arguments)]
fn start_consensus(
	client: Arc<ParachainClient>,
	backend: Arc<ParachainBackend>,
	block_import: ParachainBlockImport,
	prometheus_registry: Option<&Registry>,
	telemetry: Option<TelemetryHandle>,
	task_manager: &TaskManager,
	relay_chain_interface: Arc<dyn RelayChainInterface>,
	transaction_pool: Arc<ParachainPool>,
	keystore: KeystorePtr,
	para_id: ParaId,
	collator_key: CollatorPair,
	collator_peer_id: PeerId,
	overseer_handle: OverseerHandle,
	announce_block: Arc<dyn Fn(<Block as sp_runtime::traits::Block>::Hash, Option<Vec<u8>>) + Send + Sync>,
	authoring: crate::cli::Authoring,
	slot_based_handle: SlotBasedBlockImportHandle<Block>,
) -> Result<(), sc_service::Error> {
	let proposer = sc_basic_authorship::ProposerFactory::new(
		task_manager.spawn_handle(),
		client.clone(),
		transaction_pool,
		prometheus_registry,
		telemetry.clone(),
	);
	let collator_service = CollatorService::new(client.clone(), announce_block, client.clone());
	let code_client = client.clone();
	let code_hash_provider =
		move |block_hash| code_client.code_at(block_hash).ok().map(|c| ValidationCode::from(c).hash());

	match authoring {
		crate::cli::Authoring::SlotBased => {
			let params = SlotBasedParams {
				// The collator adds the timestamp, slot and parachain inherents itself.
				create_inherent_data_providers: move |_, ()| async move {
					Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
				},
				block_import,
				para_client: client,
				para_backend: backend,
				relay_client: relay_chain_interface,
				code_hash_provider,
				keystore,
				collator_key,
				collator_peer_id,
				para_id,
				proposer,
				collator_service,
				reinitialize: false,
				// Build a second into the relay slot, as polkadot-omni-node does: the
				// relay parent of the slot is known by then.
				slot_offset: Duration::from_secs(1),
				block_import_handle: slot_based_handle,
				spawner: task_manager.spawn_essential_handle(),
				relay_chain_slot_duration: RELAY_CHAIN_SLOT_DURATION,
				export_pov: None,
				max_pov_percentage: None,
			};
			// Spawns the block-builder and collation tasks itself.
			slot_based::run::<Block, sp_consensus_aura::sr25519::AuthorityPair, _, _, _, _, _, _, _, _, _>(params);
		},
		crate::cli::Authoring::Lookahead => {
			drop(slot_based_handle);
			// The lookahead collator builds on the best relay block and sends no relay
			// parent descendants: a runtime with a relay parent offset would refuse its
			// blocks (the runtime panics on the missing descendants).
			let best = sc_client_api::UsageProvider::usage_info(&*client).chain.best_hash;
			let offset = client
				.runtime_api()
				.relay_parent_offset(best)
				.map_err(|e| sc_service::Error::Other(format!("reading the runtime's relay parent offset: {e}")))?;
			if offset > 0 {
				return Err(sc_service::Error::Other(format!(
					"--authoring lookahead cannot build for this runtime (relay parent offset {offset}): use \
					 --authoring slot-based"
				)));
			}
			let params = AuraParams {
				create_inherent_data_providers: move |_, ()| async move {
					Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
				},
				block_import,
				para_client: client,
				para_backend: backend,
				relay_client: relay_chain_interface,
				code_hash_provider,
				keystore,
				collator_key,
				collator_peer_id,
				para_id,
				overseer_handle,
				relay_chain_slot_duration: RELAY_CHAIN_SLOT_DURATION,
				proposer,
				collator_service,
				// A third of the 6 s slot, leaving time to build the PoV and gossip it.
				authoring_duration: Duration::from_millis(2000),
				reinitialize: false,
				max_pov_percentage: None,
			};
			let fut = aura::run::<Block, sp_consensus_aura::sr25519::AuthorityPair, _, _, _, _, _, _, _, _>(params);
			task_manager.spawn_essential_handle().spawn("aura", None, fut);
		},
	}
	Ok(())
}

/// Start a single-node dev chain: no relay chain and no peers; a block is sealed every
/// `block_time_ms` and finalized at once. The relay chain is mocked, and chain time
/// follows the wall clock whatever the block time (see `dev_inherent_data_providers`).
pub fn start_dev_node(
	mut config: Configuration,
	block_time_ms: u64,
	node_facts: NodeFacts,
) -> sc_service::error::Result<TaskManager> {
	let PartialComponents {
		client,
		backend,
		mut task_manager,
		import_queue,
		keystore_container,
		select_chain: _,
		transaction_pool,
		other: (_, _, mut telemetry, _),
	} = new_partial(&config)?;

	// A dev node talks to nobody.
	config.network.default_peers_set.in_peers = 0;
	config.network.default_peers_set.out_peers = 0;
	let net_config = FullNetworkConfiguration::<_, _, sc_network::Litep2pNetworkBackend>::new(&config.network, None);
	let metrics = NotificationMetrics::new(None);

	let (network, system_rpc_tx, tx_handler_controller, sync_service, _bitswap) =
		sc_service::build_network(sc_service::BuildNetworkParams {
			config: &config,
			client: client.clone(),
			transaction_pool: transaction_pool.clone(),
			spawn_handle: task_manager.spawn_handle(),
			spawn_essential_handle: task_manager.spawn_essential_handle(),
			import_queue,
			net_config,
			block_announce_validator_builder: None,
			warp_sync_config: None,
			block_relay: None,
			metrics,
			gap_sync_body_policy: None,
		})?;

	start_offchain_workers(
		&config,
		&client,
		&backend,
		keystore_container.keystore(),
		&transaction_pool,
		network.clone(),
		&task_manager,
	)?;

	let proposer = sc_basic_authorship::ProposerFactory::new(
		task_manager.spawn_handle(),
		client.clone(),
		transaction_pool.clone(),
		None,
		None,
	);

	let slot_duration = {
		use sp_consensus_aura::AuraApi;
		client
			.runtime_api()
			.slot_duration(client.chain_info().best_hash)
			.map_err(|e| sc_service::Error::Application(Box::new(e)))?
	};
	// Digests that match the timestamp, or the runtime rejects the slot.
	let aura_digest_provider = AuraConsensusDataProvider::<Block>::new_with_slot_duration(slot_duration);

	let para_id = {
		use cumulus_primitives_core::GetParachainInfo;
		client
			.runtime_api()
			.parachain_id(client.chain_info().best_hash)
			.map_err(|e| sc_service::Error::Application(Box::new(e)))?
	};
	// The Aura slot is derived from the timestamp; the mocked relay slot must equal it.
	if slot_duration.as_millis() != RELAY_CHAIN_SLOT_DURATION.as_millis() as u64 {
		return Err(sc_service::Error::Other(format!(
			"dev mode needs the Aura slot ({} ms) to equal the relay chain slot ({} ms)",
			slot_duration.as_millis(),
			RELAY_CHAIN_SLOT_DURATION.as_millis()
		)));
	}
	let create_inherent_data_providers = dev_inherent_data_providers(client.clone(), para_id);

	let (mut seal_sink, seal_stream) = futures::channel::mpsc::channel(1024);
	task_manager.spawn_essential_handle().spawn("dev-block-timer", None, async move {
		loop {
			futures_timer::Delay::new(Duration::from_millis(block_time_ms)).await;
			let command = sc_consensus_manual_seal::EngineCommand::SealNewBlock {
				create_empty: true,
				finalize: true,
				parent_hash: None,
				sender: None,
			};
			if seal_sink.try_send(command).is_err() {
				log::warn!("dev block timer: the sealing task is gone or behind; skipping a block");
			}
		}
	});

	let authorship_future = sc_consensus_manual_seal::run_manual_seal(sc_consensus_manual_seal::ManualSealParams {
		block_import: client.clone(),
		env: proposer,
		client: client.clone(),
		pool: transaction_pool.clone(),
		select_chain: LongestChain::new(backend.clone()),
		commands_stream: Box::pin(seal_stream),
		consensus_data_provider: Some(Box::new(aura_digest_provider)),
		create_inherent_data_providers,
	});
	task_manager.spawn_essential_handle().spawn_blocking("manual-seal", None, authorship_future);

	let rpc_builder = rpc_builder(client.clone(), transaction_pool.clone(), node_facts, None);
	sc_service::spawn_tasks(sc_service::SpawnTasksParams {
		network,
		client,
		keystore: keystore_container.keystore(),
		task_manager: &mut task_manager,
		transaction_pool,
		rpc_builder,
		backend,
		system_rpc_tx,
		tx_handler_controller,
		sync_service,
		config,
		telemetry: telemetry.as_mut(),
		tracing_execute_block: None,
	})?;

	Ok(task_manager)
}

/// Read a plain storage value of the runtime at `at` (`pallet`, `item` as in metadata).
fn read_storage_value<T: codec::Decode>(
	client: &ParachainClient,
	at: <Block as sp_runtime::traits::Block>::Hash,
	pallet: &str,
	item: &str,
) -> Result<Option<T>, Box<dyn std::error::Error + Send + Sync>> {
	use sc_client_api::StorageProvider;
	let key = sp_core::storage::StorageKey(
		[sp_io::hashing::twox_128(pallet.as_bytes()), sp_io::hashing::twox_128(item.as_bytes())].concat(),
	);
	Ok(client.storage(at, &key)?.map(|data| T::decode(&mut &data.0[..])).transpose()?)
}

/// Inherent data for dev blocks: chain time follows the wall clock.
///
/// Each block's timestamp is the wall clock when it is built (never below its parent's
/// plus 1 ms), so `--dev-block-time` changes how many blocks there are, not how fast
/// chain time runs. The mocked relay chain's block number and slot are that time in 6 s
/// relay slots, so durations counted in relay blocks (unbonding) take their real time
/// too. Several blocks share a relay slot; the runtime admits that only on a relay chain
/// whose state carries `DEV_RELAY_CHAIN_MARKER`, which only this mock does.
fn dev_inherent_data_providers(
	client: Arc<ParachainClient>,
	para_id: ParaId,
) -> impl Fn(
	<Block as sp_runtime::traits::Block>::Hash,
	(),
) -> futures::future::Ready<
	Result<
		(sp_timestamp::InherentDataProvider, MockValidationDataInherentDataProvider<()>),
		Box<dyn std::error::Error + Send + Sync>,
	>,
> + Send
       + Sync {
	let relay_slot_ms = RELAY_CHAIN_SLOT_DURATION.as_millis() as u64;
	move |parent, ()| {
		let result = (|| {
			let parent_header = client.header(parent)?.ok_or_else(|| format!("parent header {parent:?} not found"))?;
			// A pending runtime upgrade gets its go-ahead from the (mocked) relay chain.
			let should_send_go_ahead = client
				.runtime_api()
				.collect_collation_info(parent, &parent_header)
				.map(|info| info.new_validation_code.is_some())
				.unwrap_or_default();
			let block_number = UniqueSaturatedInto::<u32>::unique_saturated_into(*parent_header.number()) + 1;
			let relay_parent_offset = client.runtime_api().relay_parent_offset(parent).unwrap_or_default();

			// Never backwards: a chain restarted from an older run (whose clock ran ahead)
			// creeps forward by 1 ms a block until the wall clock catches up.
			let previous: u64 = read_storage_value(&client, parent, "Timestamp", "Now")?.unwrap_or(0);
			let last_relay: u32 =
				read_storage_value(&client, parent, "ParachainSystem", "LastRelayChainBlockNumber")?.unwrap_or(0);
			let wall = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_millis() as u64;
			let now = wall.max(previous + 1).max(u64::from(last_relay) * relay_slot_ms);
			if now > wall + relay_slot_ms {
				log::warn!(
					"dev chain time is {} s ahead of the wall clock (an earlier run's chain); it waits for the clock",
					(now - wall) / 1000
				);
			}
			let relay_number = u32::try_from(now / relay_slot_ms)?;

			let mocked_parachain = MockValidationDataInherentDataProvider::<()> {
				current_para_block: block_number,
				para_id,
				current_para_block_head: Some(polkadot_primitives::HeadData(parent_header.encode())),
				// The relay parent (and its slot) is the wall clock's relay slot.
				relay_blocks_per_para_block: 0,
				relay_offset: relay_number,
				relay_parent_offset,
				para_blocks_per_relay_epoch: 10,
				additional_key_values: Some(vec![(machina_runtime::DEV_RELAY_CHAIN_MARKER.to_vec(), true.encode())]),
				upgrade_go_ahead: should_send_go_ahead.then(|| {
					log::info!("pending validation code: sending the go-ahead");
					UpgradeGoAhead::GoAhead
				}),
				..Default::default()
			};
			let timestamp = sp_timestamp::InherentDataProvider::new(now.into());
			Ok::<_, Box<dyn std::error::Error + Send + Sync>>((timestamp, mocked_parachain))
		})();
		futures::future::ready(result)
	}
}
