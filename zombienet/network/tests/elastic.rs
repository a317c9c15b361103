//! Elastic scaling on a local relay chain: `zombienet/machina-elastic.toml` (three relay
//! validators, three cores assigned to Machina in the relay genesis, two slot-based
//! collators), spawned with the native provider and the real binaries.
//!
//! 1. Machina is a parachain and finalizes;
//! 2. over two minutes, the typical relay block backs three Machina candidates (median;
//!    one core backs at most one), more than 1.5 on average (each change of the relay's
//!    10-block fast-runtime sessions backs none for three relay blocks), and Machina
//!    builds at least 17 blocks a minute (30 at 2 s, 21 with those gaps); finality keeps up;
//! 3. `machina_txStatus` follows a transfer through `inBlock`, `included` (backed on the
//!    relay chain) and `finalized`, in that order.
//!
//! Needs the binaries of `scripts/zombienet-setup.sh`; run by `scripts/e2e.sh`:
//! `cargo test -p machina-zombienet --test elastic -- --nocapture`.

use std::time::{Duration, Instant};

use anyhow::{anyhow, ensure};
use codec::Encode;
use machina_runtime::RuntimeCall;
use machina_zombienet::{
	client, finalized_number, para_lifecycle, spawn, wait_finalized, Options, RawCall, COLLATORS, PARA_ID, VALIDATORS,
};
use zombienet_sdk::{
	subxt::{
		self,
		ext::subxt_rpcs::{rpc_params, RpcClient},
		OnlineClient, PolkadotConfig,
	},
	subxt_signer::sr25519::dev,
	LocalFileSystem, Network,
};

type Client = OnlineClient<PolkadotConfig>;

/// The best block's number, as the node's RPC reports it (subxt's latest is finalized).
async fn best(rpc: &RpcClient) -> anyhow::Result<u64> {
	let header: serde_json::Value = rpc.request("chain_getHeader", rpc_params![]).await?;
	let hex = header["number"].as_str().ok_or_else(|| anyhow!("no number in {header}"))?;
	Ok(u64::from_str_radix(hex.trim_start_matches("0x"), 16)?)
}

fn log(start: Instant, message: impl AsRef<str>) {
	println!("[{:>6.1} s] {}", start.elapsed().as_secs_f64(), message.as_ref());
}

#[tokio::test(flavor = "multi_thread")]
async fn machina_on_three_cores() -> anyhow::Result<()> {
	let start = Instant::now();
	let network = spawn(&Options { elastic: true, ..Default::default() }).await?;
	log(start, format!("spawned in {:?}", network.base_dir()));
	let outcome = scenarios(&network, start).await;
	if outcome.is_err() {
		println!("node logs are under {:?}", network.base_dir());
	}
	network.destroy().await.map_err(|e| anyhow!("destroying the network: {e}"))?;
	outcome
}

/// `ParaInclusion::CandidateBacked` events in relay block `number` (Machina is the only
/// parachain of this network).
async fn candidates_backed(relay: &Client, relay_rpc: &RpcClient, number: u64) -> anyhow::Result<usize> {
	let hash: Option<subxt::utils::H256> = relay_rpc.request("chain_getBlockHash", rpc_params![number]).await?;
	let Some(hash) = hash else { return Ok(0) };
	let events = relay.blocks().at(hash).await?.events().await?;
	Ok(events
		.iter()
		.flatten()
		.filter(|e| e.pallet_name() == "ParaInclusion" && e.variant_name() == "CandidateBacked")
		.count())
}

async fn scenarios(network: &Network<LocalFileSystem>, start: Instant) -> anyhow::Result<()> {
	let relay_node = network.get_node(VALIDATORS[0])?;
	let relay = client(relay_node).await?;
	let relay_rpc = RpcClient::from_insecure_url(relay_node.ws_uri()).await?;
	let alice_node = network.get_node(COLLATORS[0])?;
	let alice = client(alice_node).await?;

	// 1. Registered and finalizing.
	let finalized = wait_finalized(&alice, 3, Duration::from_secs(600)).await?;
	let lifecycle = para_lifecycle(&relay, PARA_ID).await?;
	ensure!(lifecycle.as_deref() == Some("Parachain"), "para {PARA_ID} on the relay: {lifecycle:?}");
	log(start, format!("Machina finalized #{finalized}; para {PARA_ID} is a parachain"));

	// 2. Two minutes of blocks, after the first relay sessions (the relay chain's
	// fast-runtime sessions last a minute; its first ones back fewer candidates).
	let para_rpc = RpcClient::from_insecure_url(alice_node.ws_uri()).await?;
	wait_finalized(&alice, 20, Duration::from_secs(300)).await?;
	let (para_from, relay_from) = (best(&para_rpc).await?, best(&relay_rpc).await?);
	let finalized_from = finalized_number(&alice).await?;
	let window = Instant::now();
	tokio::time::sleep(Duration::from_secs(120)).await;
	let seconds = window.elapsed().as_secs_f64();
	let (para_to, relay_to) = (best(&para_rpc).await?, best(&relay_rpc).await?);
	let finalized_to = finalized_number(&alice).await?;
	let (para_blocks, relay_blocks) = (para_to - para_from, (relay_to - relay_from).max(1));
	let mut per_relay_block = Vec::new();
	for number in relay_from + 1..=relay_to {
		per_relay_block.push(candidates_backed(&relay, &relay_rpc, number).await?);
	}
	let backed: usize = per_relay_block.iter().sum();
	let mut sorted = per_relay_block.clone();
	sorted.sort();
	let median = sorted.get(sorted.len() / 2).copied().unwrap_or_default();
	let per_minute = para_blocks as f64 * 60.0 / seconds;
	let backed_per_relay = backed as f64 / relay_blocks as f64;
	log(
		start,
		format!(
			"in {seconds:.1} s: {para_blocks} Machina blocks ({per_minute:.1}/min, {:.2} s each, {:.2} per relay block), \
			 {relay_blocks} relay blocks, {backed} candidates backed ({backed_per_relay:.2} per relay block, median \
			 {median}: {per_relay_block:?}), finalized #{finalized_from} -> #{finalized_to}, lag {} blocks",
			seconds / para_blocks.max(1) as f64,
			para_blocks as f64 / relay_blocks as f64,
			para_to - finalized_to,
		),
	);
	// Three candidates per relay block (three 2 s blocks per 6 s) in the typical relay
	// block: one core backs at most one. At each relay session change (every 10 relay
	// blocks with its fast-runtime) three relay blocks back none: a candidate's relay
	// parent, one behind the best, must be in the current session. So the mean is lower
	// here than on a relay chain with hours-long sessions.
	ensure!(median >= 3, "median {median} candidates per relay block: {per_relay_block:?}");
	ensure!(backed_per_relay > 1.5, "{backed} candidates in {relay_blocks} relay blocks: not three cores");
	// 30 a minute at 2 s (21 with the session changes); one core at 6 s gives 10.
	ensure!(per_minute >= 17.0, "{per_minute:.1} blocks a minute: not 2 s blocks");
	ensure!(finalized_to > finalized_from, "finality stalled at #{finalized_to}");
	ensure!(para_to - finalized_to <= 36, "finality lags {} blocks", para_to - finalized_to);

	// 3. machina_txStatus follows a transfer to finality.
	let transfer = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
		dest: sp_keyring::Sr25519Keyring::Ferdie.to_account_id().into(),
		value: 1_000_000_000_000,
	});
	let progress = alice.tx().sign_and_submit_then_watch_default(&RawCall(transfer.encode()), &dev::alice()).await?;
	let hash = progress.extrinsic_hash();
	let submitted = Instant::now();
	let rpc = para_rpc;
	let mut seen: Vec<(String, f64)> = Vec::new();
	loop {
		let status: serde_json::Value = rpc.request("machina_txStatus", rpc_params![hash]).await?;
		let stage = status["status"].as_str().unwrap_or_default().to_string();
		if seen.last().map(|(s, _)| s != &stage).unwrap_or(true) {
			log(start, format!("txStatus after {:.2} s: {status}", submitted.elapsed().as_secs_f64()));
			seen.push((stage.clone(), submitted.elapsed().as_secs_f64()));
		}
		if stage == "finalized" {
			ensure!(status["relayChain"] == serde_json::Value::Bool(true), "{status}");
			break;
		}
		ensure!(submitted.elapsed() < Duration::from_secs(180), "not finalized in 180 s: {seen:?}");
		tokio::time::sleep(Duration::from_millis(200)).await;
	}
	// The first time each stage was seen. A relay chain re-org of its best block may
	// briefly take a stage back (included -> backed); the first sightings keep the order.
	let first = |stage: &str| seen.iter().find(|(s, _)| s == stage).map(|(_, t)| *t);
	let (in_block, included, finalized) = (first("inBlock"), first("included"), first("finalized"));
	ensure!(in_block.is_some() && included.is_some(), "inBlock and included before finalized: {seen:?}");
	ensure!(in_block < included && included < finalized, "stages out of order: {seen:?}");
	log(start, format!("transfer {hash:?}: {seen:?}"));
	Ok(())
}
