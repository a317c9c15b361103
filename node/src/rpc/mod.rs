//! The node's RPC set: Substrate's `system_*` and `payment_*` methods, plus Machina's
//! own `machina_*` namespace (see [`machina`]). The standard `chain_*`, `state_*`,
//! `author_*` and new JSON-RPC spec methods are added by `sc-service`.

pub mod machina;
pub mod tx_status;

use std::sync::Arc;

use machina_runtime::{opaque::Block, AccountId, Balance, Nonce};
use sc_transaction_pool_api::TransactionPool;
use sp_api::ProvideRuntimeApi;
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};

/// An RPC module with every method of this node.
pub type RpcExtension = jsonrpsee::RpcModule<()>;

/// What the RPC methods need from the node.
pub struct FullDeps<C, P> {
	/// The client.
	pub client: Arc<C>,
	/// The transaction pool.
	pub pool: Arc<P>,
	/// Facts about how this node runs, for `machina_nodeInfo`.
	pub node_facts: machina::NodeFacts,
	/// The relay chain and Machina's para id, for `machina_txStatus` (`None` in `--dev`).
	pub relay: Option<(
		std::sync::Arc<dyn cumulus_relay_chain_interface::RelayChainInterface>,
		cumulus_primitives_core::ParaId,
	)>,
}

/// Build the RPC module.
pub fn create_full<C, P>(deps: FullDeps<C, P>) -> Result<RpcExtension, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ HeaderMetadata<Block, Error = BlockChainError>
		+ sc_client_api::BlockBackend<Block>
		+ Send
		+ Sync
		+ 'static,
	C::Api: pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>
		+ substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>
		+ cumulus_primitives_core::GetParachainInfo<Block>
		+ sp_api::Core<Block>
		+ pallet_device_registry::runtime_api::DeviceRegistryApi<Block, AccountId, Balance, machina_runtime::BlockNumber>
		+ pallet_coverage::runtime_api::CoverageApi<Block, Balance>
		+ BlockBuilder<Block>,
	P: TransactionPool + Sync + Send + 'static,
{
	use machina::{Machina, MachinaApiServer};
	use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
	use substrate_frame_rpc_system::{System, SystemApiServer};

	let mut module = RpcExtension::new(());
	use tx_status::{TxStatusApiServer, TxStatusRpc};
	let FullDeps { client, pool, node_facts, relay } = deps;

	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client.clone()).into_rpc())?;
	module.merge(TxStatusRpc::new(client.clone(), relay).into_rpc())?;
	module.merge(Machina::new(client, node_facts).into_rpc())?;
	Ok(module)
}
