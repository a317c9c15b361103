//! The `machina_*` RPC namespace. Domain pallets add their query methods here, each
//! backed by a runtime API so that answers come from chain state, not node memory.

use std::sync::Arc;

use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::{error::ErrorObject, ErrorObjectOwned},
};
use machina_runtime::opaque::Block;
use serde::{Deserialize, Serialize};
use sp_api::{Core, ProvideRuntimeApi};
use sp_blockchain::HeaderBackend;

/// How this node runs: fixed at start-up.
#[derive(Clone, Debug)]
pub struct NodeFacts {
	/// The node's version (`machina-node --version`).
	pub node_version: String,
	/// The chain spec's name.
	pub chain_name: String,
	/// `true` for `--dev` (manual seal, no relay chain).
	pub dev_mode: bool,
	/// The dev-mode block time in milliseconds, `None` when following a relay chain.
	pub dev_block_time_ms: Option<u64>,
}

/// The answer of `machina_nodeInfo`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeInfo {
	/// The node's version.
	pub node_version: String,
	/// The chain spec's name.
	pub chain_name: String,
	/// Whether the node runs in `--dev` mode.
	pub dev_mode: bool,
	/// The dev-mode block time in milliseconds.
	pub dev_block_time_ms: Option<u64>,
	/// The parachain id, read from the runtime at the best block.
	pub para_id: u32,
	/// The runtime's `spec_name` at the best block.
	pub spec_name: String,
	/// The runtime's `spec_version` at the best block.
	pub spec_version: u32,
	/// The best block's number.
	pub best_number: u32,
	/// The best block's hash, `0x`-prefixed hex.
	pub best_hash: String,
	/// The finalized block's number.
	pub finalized_number: u32,
}

#[rpc(server)]
pub trait MachinaApi {
	/// The node's version and mode, and the runtime's identity and para id at the best
	/// block.
	#[method(name = "machina_nodeInfo")]
	fn node_info(&self) -> RpcResult<NodeInfo>;
}

/// The `machina_*` methods.
pub struct Machina<C> {
	client: Arc<C>,
	facts: NodeFacts,
}

impl<C> Machina<C> {
	pub fn new(client: Arc<C>, facts: NodeFacts) -> Self {
		Self { client, facts }
	}
}

/// The error code of a runtime API call that failed.
pub const RUNTIME_ERROR: i32 = 1;

fn runtime_error(e: impl std::fmt::Display) -> ErrorObjectOwned {
	ErrorObject::owned(RUNTIME_ERROR, "Runtime API call failed", Some(e.to_string()))
}

impl<C> MachinaApiServer for Machina<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: cumulus_primitives_core::GetParachainInfo<Block> + Core<Block>,
{
	fn node_info(&self) -> RpcResult<NodeInfo> {
		use cumulus_primitives_core::GetParachainInfo;

		let info = self.client.info();
		let api = self.client.runtime_api();
		let version = api.version(info.best_hash).map_err(runtime_error)?;
		let para_id = api.parachain_id(info.best_hash).map_err(runtime_error)?;
		Ok(NodeInfo {
			node_version: self.facts.node_version.clone(),
			chain_name: self.facts.chain_name.clone(),
			dev_mode: self.facts.dev_mode,
			dev_block_time_ms: self.facts.dev_block_time_ms,
			para_id: para_id.into(),
			spec_name: version.spec_name.to_string(),
			spec_version: version.spec_version,
			best_number: info.best_number,
			best_hash: format!("{:?}", info.best_hash),
			finalized_number: info.finalized_number,
		})
	}
}
