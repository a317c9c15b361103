//! The node's RPC set: Substrate's `system_*` and `payment_*` methods, plus Machina's
//! own `machina_*` namespace (see [`machina`]). The standard `chain_*`, `state_*`,
//! `author_*` and new JSON-RPC spec methods are added by `sc-service`.

pub mod machina;

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
}

/// Build the RPC module.
pub fn create_full<C, P>(deps: FullDeps<C, P>) -> Result<RpcExtension, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ HeaderMetadata<Block, Error = BlockChainError>
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
	let FullDeps { client, pool, node_facts } = deps;

	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client.clone()).into_rpc())?;
	module.merge(Machina::new(client, node_facts).into_rpc())?;
	Ok(module)
}
