//! `machina-zombienet`: launch a local relay chain + Machina network (zombienet-sdk,
//! native provider), print where to reach it, and stop it cleanly on Ctrl-C or SIGTERM.
//!
//! ```sh
//! machina-zombienet                       # 2 relay validators + 2 Machina collators
//! machina-zombienet --full-node 30444     # + machina-full, for light clients (TCP 30444 and /ws)
//! machina-zombienet --info network.json   # also write the endpoints and specs as JSON
//! machina-zombienet --authoring lookahead # collators on the lookahead collator
//! machina-zombienet --elastic             # 3 validators, 3 cores for Machina: 2 s blocks
//! machina-zombienet --runtime-wasm W      # Machina's genesis runtime replaced by W
//! ```

use std::{path::PathBuf, time::Duration};

use clap::Parser;
use machina_zombienet::{client, network_info, para_lifecycle, spawn, wait_finalized, Options, COLLATORS, VALIDATORS};
use tokio::signal::unix::{signal, SignalKind};

#[derive(Parser, Debug)]
#[command(about = "A local relay chain + Machina network (zombienet-sdk, native provider)")]
struct Args {
	/// Add `machina-full`, a full node listening on this TCP port besides its WebSocket one.
	#[arg(long, value_name = "PORT")]
	full_node: Option<u16>,
	/// Enable the RFC-163 host functions on the relay (for a `bls-host-calls` node).
	#[arg(long)]
	rfc163: bool,
	/// Keep databases, specs and logs here (default: a new temp dir).
	#[arg(long)]
	base_dir: Option<PathBuf>,
	/// Write the endpoints and the generated chain specs' paths to this JSON file once
	/// Machina has finalized a block.
	#[arg(long)]
	info: Option<PathBuf>,
	/// Three relay cores for Machina (`machina-elastic.toml`): 2 s blocks.
	#[arg(long)]
	elastic: bool,
	/// The collators' block authoring: `slot-based` (the node's default) or `lookahead`.
	#[arg(long, value_name = "MODE")]
	authoring: Option<String>,
	/// Start Machina with this runtime (compact, compressed wasm) instead of the local
	/// chain spec's, e.g. the `block-time-500ms` trial runtime.
	#[arg(long, value_name = "WASM")]
	runtime_wasm: Option<PathBuf>,
	/// How long to wait for Machina's first finalized block.
	#[arg(long, default_value_t = 600)]
	ready_timeout_secs: u64,
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
	let args = Args::parse();
	let options = Options {
		full_node: args.full_node,
		rfc163: args.rfc163,
		elastic: args.elastic,
		base_dir: args.base_dir,
		authoring: args.authoring,
		runtime_wasm: args.runtime_wasm,
	};
	let mut terminate = signal(SignalKind::terminate())?;

	eprintln!("spawning the network (zombienet-sdk, native provider)…");
	let network = spawn(&options).await?;
	let info = network_info(&network);
	eprintln!("network files: {}", info["base_dir"].as_str().unwrap_or("?"));
	for (name, node) in info["nodes"].as_object().into_iter().flatten() {
		eprintln!(
			"  {name:<14} {:<18} {}  {}",
			node["kind"].as_str().unwrap_or(""),
			node["ws"].as_str().unwrap_or(""),
			node["apps"].as_str().unwrap_or("")
		);
	}

	let ready = async {
		let relay = client(network.get_node(VALIDATORS[0])?).await?;
		let para = client(network.get_node(COLLATORS[0])?).await?;
		let timeout = Duration::from_secs(args.ready_timeout_secs);
		let block = wait_finalized(&para, 1, timeout).await?;
		let lifecycle = para_lifecycle(&relay, machina_zombienet::PARA_ID).await?;
		anyhow::Ok((block, lifecycle))
	};
	tokio::select! {
		result = ready => {
			let (block, lifecycle) = result?;
			eprintln!("ready: Machina finalized #{block} (on the relay: {})", lifecycle.unwrap_or_else(|| "unknown".into()));
			if let Some(path) = &args.info {
				std::fs::write(path, serde_json::to_string_pretty(&info)?)?;
				eprintln!("wrote {}", path.display());
			}
		}
		_ = tokio::signal::ctrl_c() => { return stop(network).await }
		_ = terminate.recv() => { return stop(network).await }
	}
	eprintln!("running; Ctrl-C stops every node");
	tokio::select! {
		_ = tokio::signal::ctrl_c() => {}
		_ = terminate.recv() => {}
	}
	stop(network).await
}

async fn stop(network: zombienet_sdk::Network<zombienet_sdk::LocalFileSystem>) -> anyhow::Result<()> {
	eprintln!("stopping the network…");
	network.destroy().await.map_err(|e| anyhow::anyhow!("destroying the network: {e}"))?;
	eprintln!("stopped");
	Ok(())
}
