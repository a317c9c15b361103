//! `machina_txStatus`: how far a transaction has come, so that a machine can act before
//! finality when its risk allows.
//!
//! A parachain block passes four stages: in a block of this node's best chain; *backed*
//! on the relay chain (a relay block holds its candidate, pending availability);
//! *included* (the relay chain's best block records it, or a descendant, as Machina's
//! head); *finalized* (the relay chain's GRANDPA finalized a relay block including it,
//! which the node follows). Each stage can still be undone except the last:
//!
//! - `inBlock`: a competing fork of the parachain (two collators in one slot) may win;
//! - `backed`: the candidate may time out before it is available, or the relay block
//!   holding it may be re-orged away (rare: collators build one relay block behind the
//!   best, `RELAY_PARENT_OFFSET`);
//! - `included`: only a relay chain re-org of its best blocks, before GRANDPA, reverts it.
//!
//! The node answers from its own database and relay chain view; nothing is stored. It
//! finds the transaction by scanning back from the best block (`maxDepth`, default 150
//! blocks: 5 minutes at 2 s; at most 600, and at most two scans at once). A stage counts
//! only if the relay chain's head is the transaction's block or a descendant of it by
//! hash, as this node knows the chain: a head on another fork holds nothing. In `--dev`
//! mode there is no relay chain: blocks are `inBlock` until the instant finality of dev
//! mode makes them `finalized`.

use std::sync::{
	atomic::{AtomicUsize, Ordering},
	Arc,
};

use codec::{Decode, Encode};
use cumulus_primitives_core::{relay_chain::OccupiedCoreAssumption, ParaId};
use cumulus_relay_chain_interface::RelayChainInterface;
use jsonrpsee::{core::RpcResult, proc_macros::rpc, types::ErrorObjectOwned};
use machina_runtime::{opaque::Block, BlockNumber, Header};
use sc_client_api::BlockBackend;
use serde::{Deserialize, Serialize};
use sp_blockchain::HeaderBackend;
use sp_core::H256;
use sp_runtime::traits::{BlakeTwo256, Hash as _, Header as HeaderT};

/// The default and the largest number of blocks scanned back from the best.
pub const DEFAULT_DEPTH: u32 = 150;
pub const MAX_DEPTH: u32 = 600;
/// Scans at once; more callers get error 2 (busy) rather than queue on the blocking
/// pool that block import and authoring share.
pub const MAX_CONCURRENT_SCANS: usize = 2;

/// How far a transaction has come.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Stage {
	/// Not in the best chain's last `maxDepth` blocks (pending, dropped, or older).
	Unknown,
	/// In a block of the best chain, not yet backed on the relay chain.
	InBlock,
	/// Its block (or a descendant) is backed on the relay chain, pending availability.
	Backed,
	/// Its block (or a descendant) is Machina's head in the relay chain's best block.
	Included,
	/// Its block is finalized.
	Finalized,
}

/// The answer of `machina_txStatus`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TxStatus {
	/// How far the transaction has come.
	pub status: Stage,
	/// The block holding it, `0x` hex (absent when `unknown`).
	pub block_hash: Option<String>,
	/// That block's number.
	pub block_number: Option<BlockNumber>,
	/// The transaction's index in that block.
	pub index: Option<u32>,
	/// This node's best block number.
	pub best_number: BlockNumber,
	/// The highest Machina block backed in the relay chain's best block.
	pub backed_number: Option<BlockNumber>,
	/// Machina's head in the relay chain's best block.
	pub included_number: Option<BlockNumber>,
	/// The finalized block number.
	pub finalized_number: BlockNumber,
	/// Whether the node follows a relay chain (`false` in `--dev` mode).
	pub relay_chain: bool,
}

#[rpc(server, namespace = "machina")]
pub trait TxStatusApi {
	/// How far the transaction with this hash (the hash `author_submitExtrinsic` returns)
	/// has come: `unknown`, `inBlock`, `backed`, `included` or `finalized`.
	#[method(name = "txStatus")]
	async fn tx_status(&self, hash: H256, max_depth: Option<u32>) -> RpcResult<TxStatus>;
}

/// The `machina_txStatus` handler.
pub struct TxStatusRpc<C> {
	client: Arc<C>,
	relay: Option<(Arc<dyn RelayChainInterface>, ParaId)>,
	scans: Arc<AtomicUsize>,
}

impl<C> TxStatusRpc<C> {
	/// `relay`: the relay chain and Machina's para id, `None` in `--dev` mode.
	pub fn new(client: Arc<C>, relay: Option<(Arc<dyn RelayChainInterface>, ParaId)>) -> Self {
		Self { client, relay, scans: Arc::new(AtomicUsize::new(0)) }
	}
}

fn internal(message: impl ToString) -> ErrorObjectOwned {
	ErrorObjectOwned::owned(1, message.to_string(), None::<()>)
}

/// A head the relay chain records (an encoded Machina header): its hash and number.
fn head_of(head: &[u8]) -> Option<(H256, BlockNumber)> {
	let header = Header::decode(&mut &head[..]).ok()?;
	Some((header.hash(), *header.number()))
}

/// Whether `head` (numbered `head_number`) is `block` (numbered `number`) or one of its
/// descendants, as this node knows the chain: heads on another fork, or unknown to the
/// node, are not.
fn holds<C: HeaderBackend<Block>>(
	client: &C,
	(head, head_number): (H256, BlockNumber),
	block: H256,
	number: BlockNumber,
) -> bool {
	if head_number < number || head_number - number > MAX_DEPTH {
		return false;
	}
	let mut at = head;
	for _ in number..head_number {
		match client.header(at) {
			Ok(Some(header)) => at = *header.parent_hash(),
			_ => return false,
		}
	}
	at == block
}

/// Releases a scan slot when dropped.
struct ScanSlot(Arc<AtomicUsize>);

impl Drop for ScanSlot {
	fn drop(&mut self) {
		self.0.fetch_sub(1, Ordering::SeqCst);
	}
}

/// Where `hash` is among the last `depth` blocks of the chain ending at `best`.
fn find<C>(client: &C, hash: H256, best: H256, depth: u32) -> Result<Option<(H256, BlockNumber, u32)>, String>
where
	C: HeaderBackend<Block> + BlockBackend<Block>,
{
	let mut at = best;
	for _ in 0..depth {
		let Some(header) = client.header(at).map_err(|e| e.to_string())? else { break };
		if let Some(body) = client.block_body(at).map_err(|e| e.to_string())? {
			let found = body.iter().position(|xt| BlakeTwo256::hash(&xt.encode()) == hash);
			if let Some(index) = found {
				return Ok(Some((at, *header.number(), index as u32)));
			}
		}
		if header.number() == &0 {
			break;
		}
		at = *header.parent_hash();
	}
	Ok(None)
}

/// The furthest stage a block has reached, from what is known of it (each stage implies
/// the ones before it).
pub fn stage_of(final_and_canonical: bool, included: bool, backed: bool) -> Stage {
	if final_and_canonical {
		Stage::Finalized
	} else if included {
		Stage::Included
	} else if backed {
		Stage::Backed
	} else {
		Stage::InBlock
	}
}

#[jsonrpsee::core::async_trait]
impl<C> TxStatusApiServer for TxStatusRpc<C>
where
	C: HeaderBackend<Block> + BlockBackend<Block> + Send + Sync + 'static,
{
	async fn tx_status(&self, hash: H256, max_depth: Option<u32>) -> RpcResult<TxStatus> {
		if self.scans.fetch_add(1, Ordering::SeqCst) >= MAX_CONCURRENT_SCANS {
			self.scans.fetch_sub(1, Ordering::SeqCst);
			return Err(ErrorObjectOwned::owned(2, "busy: too many txStatus calls at once, retry", None::<()>));
		}
		let slot = ScanSlot(self.scans.clone());
		let info = self.client.info();
		let depth = max_depth.unwrap_or(DEFAULT_DEPTH).min(MAX_DEPTH);

		// The relay chain's best block: Machina's included head and the heads of its
		// candidates pending availability (backed).
		let (included, backed) = match &self.relay {
			Some((relay, para_id)) => {
				let relay_best = relay.best_block_hash().await.map_err(internal)?;
				// With the pending candidates timed out, the parent head is the included one.
				let included = relay
					.persisted_validation_data(relay_best, *para_id, OccupiedCoreAssumption::TimedOut)
					.await
					.map_err(internal)?
					.and_then(|pvd| head_of(&pvd.parent_head.0));
				let backed: Vec<_> = relay
					.candidates_pending_availability(relay_best, *para_id)
					.await
					.map_err(internal)?
					.iter()
					.filter_map(|c| head_of(&c.commitments.head_data.0))
					.collect();
				(included, backed)
			},
			None => (None, Vec::new()),
		};

		let client = self.client.clone();
		let best = info.best_hash;
		let finalized_number = info.finalized_number;
		let relay_heads = (included, backed.clone());
		let found = tokio::task::spawn_blocking(move || {
			let _slot = slot;
			let Some((block, number, index)) = find(&*client, hash, best, depth)? else { return Ok(None) };
			let (included, backed) = relay_heads;
			// By hash, not number: a head on another fork holds nothing of this block.
			let finalized =
				number <= finalized_number && client.hash(number).map_err(|e| e.to_string())? == Some(block);
			let is_included = included.is_some_and(|head| holds(&*client, head, block, number));
			let is_backed = is_included || backed.iter().any(|head| holds(&*client, *head, block, number));
			Ok::<_, String>(Some((block, number, index, stage_of(finalized, is_included, is_backed))))
		})
		.await
		.map_err(internal)?
		.map_err(internal)?;

		Ok(TxStatus {
			status: found.map_or(Stage::Unknown, |(_, _, _, stage)| stage),
			block_hash: found.map(|(h, _, _, _)| format!("{h:?}")),
			block_number: found.map(|(_, n, _, _)| n),
			index: found.map(|(_, _, i, _)| i),
			best_number: info.best_number,
			backed_number: backed.iter().map(|(_, n)| *n).max(),
			included_number: included.map(|(_, n)| n),
			finalized_number,
			relay_chain: self.relay.is_some(),
		})
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn each_stage_implies_the_ones_before() {
		assert_eq!(stage_of(false, false, false), Stage::InBlock);
		assert_eq!(stage_of(false, false, true), Stage::Backed);
		assert_eq!(stage_of(false, true, true), Stage::Included);
		assert_eq!(stage_of(true, true, true), Stage::Finalized);
		// Dev mode: no relay chain, straight to finalized.
		assert_eq!(stage_of(true, false, false), Stage::Finalized);
	}

	#[test]
	fn heads_decode_as_machina_headers() {
		let header = Header::new(42, Default::default(), Default::default(), Default::default(), Default::default());
		assert_eq!(head_of(&header.encode()), Some((header.hash(), 42)));
		assert_eq!(head_of(&[1, 2]), None);
	}

	#[test]
	fn statuses_serialize_in_camel_case() {
		assert_eq!(serde_json::to_string(&Stage::InBlock).unwrap(), "\"inBlock\"");
		assert_eq!(serde_json::to_string(&Stage::Finalized).unwrap(), "\"finalized\"");
	}
}
