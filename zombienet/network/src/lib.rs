//! Local relay chain + Machina networks on zombienet-sdk's native provider (no Docker).
//!
//! The networks are the TOML files of `zombienet/` (also usable with `zombie-cli`):
//! `machina-local.toml` (a `rococo-local` relay with validators Alice and Bob, Machina
//! para 2000 with collators `machina-alice` and `machina-bob`), and
//! `machina-local-rfc163.toml` (the same with the RFC-163 host functions enabled on the
//! relay), and `machina-elastic.toml` (three validators, three cores for Machina: 2 s
//! blocks). [`Options::full_node`] adds `machina-full`, a non-collating full node that
//! light clients can dial over TCP and WebSocket.
//!
//! The binaries (`polkadot`, its two PVF workers and `machina-node`) are taken from
//! `$MACHINA_BIN_DIR`, else `$CARGO_TARGET_DIR/release`, else the project's default
//! target dir: `scripts/zombienet-setup.sh` builds them there.

use std::{
	path::{Path, PathBuf},
	time::Duration,
};

use anyhow::{anyhow, bail, Context};
use zombienet_sdk::{
	subxt::{self, OnlineClient, PolkadotConfig},
	LocalFileSystem, Network, NetworkConfig, NetworkConfigExt, NetworkNode,
};

/// Machina's para id on the local relay chain.
pub const PARA_ID: u32 = 2000;
/// The relay chain validators (the elastic network adds [`ELASTIC_VALIDATOR`]).
pub const VALIDATORS: [&str; 2] = ["alice", "bob"];
/// The third validator of `machina-elastic.toml` (a core needs a backing group).
pub const ELASTIC_VALIDATOR: &str = "charlie";
/// The Machina collators.
pub const COLLATORS: [&str; 2] = ["machina-alice", "machina-bob"];
/// The full node added by [`Options::full_node`].
pub const FULL_NODE: &str = "machina-full";
/// What a network needs on `PATH`; the relay node finds its workers next to itself.
pub const BINARIES: [&str; 4] = ["polkadot", "polkadot-prepare-worker", "polkadot-execute-worker", "machina-node"];

/// Which network to launch.
#[derive(Clone, Debug, Default)]
pub struct Options {
	/// Add [`FULL_NODE`], which listens on plain TCP at this port besides zombienet's
	/// WebSocket listener (light clients in Node.js dial either; browsers need `/ws`).
	pub full_node: Option<u16>,
	/// The relay with `EnabledHostFunction(EccRfc163)` (for a `bls-host-calls` node).
	pub rfc163: bool,
	/// Three cores for Machina (`machina-elastic.toml`).
	pub elastic: bool,
	/// Where zombienet keeps the nodes' databases, specs and logs (default: a new
	/// directory under the system's temp dir).
	pub base_dir: Option<PathBuf>,
	/// The collators' `--authoring` (`slot-based`, the node's default, or `lookahead`).
	pub authoring: Option<String>,
	/// Start Machina with this runtime (a compact, compressed wasm) in place of the local
	/// chain spec's: e.g. the `block-time-500ms` trial runtime (`scripts/measure.sh`).
	pub runtime_wasm: Option<PathBuf>,
}

/// The repository's root.
pub fn repo_root() -> PathBuf {
	Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Where the binaries are looked for.
pub fn binaries_dir() -> PathBuf {
	if let Some(dir) = std::env::var_os("MACHINA_BIN_DIR") {
		return dir.into();
	}
	let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| {
		let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
		home.join(".cache/machina/target")
	});
	target.join("release")
}

/// Check that every binary is there and put their directory first on `PATH`, where
/// zombienet's native provider looks commands up.
pub fn put_binaries_on_path() -> anyhow::Result<PathBuf> {
	let dir = binaries_dir();
	let missing: Vec<_> = BINARIES.iter().filter(|b| !dir.join(b).is_file()).collect();
	if !missing.is_empty() {
		bail!("missing in {}: {missing:?}; build them with scripts/zombienet-setup.sh", dir.display());
	}
	let path = std::env::var_os("PATH").unwrap_or_default();
	let joined = std::env::join_paths(std::iter::once(dir.clone()).chain(std::env::split_paths(&path)))?;
	std::env::set_var("PATH", joined);
	Ok(dir)
}

/// The zombienet configuration of `options`.
pub fn config(options: &Options) -> anyhow::Result<NetworkConfig> {
	let dir = repo_root().join("zombienet");
	let file = match (options.rfc163, options.elastic) {
		(true, true) => bail!("--rfc163 and --elastic are separate networks"),
		(true, false) => "machina-local-rfc163.toml",
		(false, true) => "machina-elastic.toml",
		(false, false) => "machina-local.toml",
	};
	let mut text = std::fs::read_to_string(dir.join(file)).with_context(|| format!("reading zombienet/{file}"))?;
	// The files name the spec relative to the repository (for `zombie-cli` run from its
	// root); zombienet-sdk would resolve that against the current directory.
	let specs = repo_root().join("chain-specs").canonicalize().context("chain-specs/")?;
	text = text.replace("\"chain-specs/", &format!("\"{}/", specs.display()));
	if let Some(wasm) = &options.runtime_wasm {
		let local = specs.join("machina-local-raw.json");
		let spec = spec_with_runtime(&local, wasm)?;
		let named = format!("{:?}", local.display().to_string());
		if !text.contains(&named) {
			bail!("zombienet/{file} does not name {named}: --runtime-wasm would not apply");
		}
		text = text.replace(&named, &format!("{:?}", spec.display().to_string()));
	}
	// Nodes may be stopped and restarted on purpose (the tests kill a collator): never
	// tear the whole network down because one node stopped answering.
	let mut settings = String::from("[settings]\ntear_down_on_failure = false\n");
	if let Some(base_dir) = &options.base_dir {
		settings += &format!("base_dir = {:?}\n", base_dir.display().to_string());
	}
	text = text.replacen("[settings]\n", &settings, 1);
	if let Some(authoring) = &options.authoring {
		// One `--authoring` per collator: this one replaces the file's, if any.
		text = text.replace(", \"--authoring=slot-based\"", "");
		text = text.replace("\"--collator\",", &format!("\"--collator\", \"--authoring={authoring}\","));
	}
	if let Some(port) = options.full_node {
		// Appended to the last (only) parachain. A full node is a "collator" entry that
		// does not validate; zombienet adds its `/ws` listener, this adds plain TCP.
		text.push_str(&format!(
			"\n  [[parachains.collators]]\n  name = \"{FULL_NODE}\"\n  validator = false\n  command = \"machina-node\"\n  args = [\"--listen-addr=/ip4/0.0.0.0/tcp/{port}\"]\n"
		));
	}
	NetworkConfig::load_from_toml_string_with_base_dir(&text, &dir)
}

/// The raw chain spec `spec` with its genesis `:code` replaced by the runtime `wasm`, written
/// next to the wasm (`<wasm>.chain-spec.json`). The node's slot-based collator reads the
/// block rate from the runtime, so the same node binary runs either runtime.
pub fn spec_with_runtime(spec: &Path, wasm: &Path) -> anyhow::Result<PathBuf> {
	const CODE_KEY: &str = "0x3a636f6465";
	let code = std::fs::read(wasm).with_context(|| format!("reading {}", wasm.display()))?;
	let mut json: serde_json::Value =
		serde_json::from_slice(&std::fs::read(spec).with_context(|| format!("reading {}", spec.display()))?)?;
	let top = json
		.pointer_mut("/genesis/raw/top")
		.and_then(|top| top.as_object_mut())
		.ok_or_else(|| anyhow!("{} is not a raw chain spec", spec.display()))?;
	if !top.contains_key(CODE_KEY) {
		bail!("{} holds no :code", spec.display());
	}
	let hex: String = code.iter().map(|b| format!("{b:02x}")).collect();
	top.insert(CODE_KEY.into(), format!("0x{hex}").into());
	let out = wasm.with_extension("chain-spec.json");
	std::fs::write(&out, serde_json::to_vec(&json)?).with_context(|| format!("writing {}", out.display()))?;
	Ok(out)
}

/// Spawn the network of `options` with the native provider.
pub async fn spawn(options: &Options) -> anyhow::Result<Network<LocalFileSystem>> {
	put_binaries_on_path()?;
	let network = config(options)?.spawn_native().await.map_err(|e| anyhow!("spawning the network: {e}"))?;
	Ok(network)
}

/// A call encoded with the runtime's own types, submitted as is: the tests check the
/// runtime's call encoding, not a second description of it.
pub struct RawCall(pub Vec<u8>);

impl subxt::tx::Payload for RawCall {
	fn encode_call_data_to(
		&self,
		_metadata: &subxt::Metadata,
		out: &mut Vec<u8>,
	) -> Result<(), subxt::ext::subxt_core::Error> {
		out.extend_from_slice(&self.0);
		Ok(())
	}
}

/// A subxt client of `node`, once its RPC server answers.
pub async fn client(node: &NetworkNode) -> anyhow::Result<OnlineClient<PolkadotConfig>> {
	node.wait_client_with_timeout::<PolkadotConfig>(120u64).await
}

/// The number of the latest finalized block `client` reports.
pub async fn finalized_number(client: &OnlineClient<PolkadotConfig>) -> anyhow::Result<u64> {
	let hash = client.backend().latest_finalized_block_ref().await?.hash();
	let header = client.backend().block_header(hash).await?.ok_or_else(|| anyhow!("no header for {hash:?}"))?;
	Ok(header.number.into())
}

/// The number of the best block `client` reports.
pub async fn best_number(client: &OnlineClient<PolkadotConfig>) -> anyhow::Result<u64> {
	let block = client.blocks().at_latest().await?;
	Ok(block.number().into())
}

/// Wait until `client`'s finalized block reaches `target`; returns the number reached.
pub async fn wait_finalized(
	client: &OnlineClient<PolkadotConfig>,
	target: u64,
	timeout: Duration,
) -> anyhow::Result<u64> {
	let deadline = tokio::time::Instant::now() + timeout;
	loop {
		let number = finalized_number(client).await?;
		if number >= target {
			return Ok(number);
		}
		if tokio::time::Instant::now() >= deadline {
			bail!("finalized #{number} after {timeout:?}, waiting for #{target}");
		}
		tokio::time::sleep(Duration::from_secs(2)).await;
	}
}

/// Whether the relay chain knows `para` as a parachain (`Paras::ParaLifecycles`).
pub async fn para_lifecycle(relay: &OnlineClient<PolkadotConfig>, para: u32) -> anyhow::Result<Option<String>> {
	let address = subxt::dynamic::storage("Paras", "ParaLifecycles", vec![subxt::dynamic::Value::u128(para.into())]);
	let Some(value) = relay.storage().at_latest().await?.fetch(&address).await? else { return Ok(None) };
	let value = value.to_value()?;
	match value.value {
		subxt::ext::scale_value::ValueDef::Variant(variant) => Ok(Some(variant.name)),
		other => bail!("unexpected ParaLifecycles value {other:?}"),
	}
}

/// A Polkadot.js apps link to the node at `ws_uri`.
pub fn apps_url(ws_uri: &str) -> String {
	let encoded = ws_uri.replace(':', "%3A").replace('/', "%2F");
	format!("https://polkadot.js.org/apps/?rpc={encoded}#/explorer")
}

/// What the launcher prints and writes for clients (`--info`): the specs zombienet
/// generated (with bootnodes, for light clients) and every node's endpoints.
pub fn network_info(network: &Network<LocalFileSystem>) -> serde_json::Value {
	let nodes: serde_json::Map<String, serde_json::Value> = network
		.nodes()
		.into_iter()
		.map(|node| {
			let kind = if VALIDATORS.contains(&node.name()) || node.name() == ELASTIC_VALIDATOR {
				"relay validator"
			} else if node.name() == FULL_NODE {
				"machina full node"
			} else {
				"machina collator"
			};
			(
				node.name().to_string(),
				serde_json::json!({
					"kind": kind,
					"ws": node.ws_uri(),
					"multiaddr": node.multiaddr(),
					"apps": apps_url(node.ws_uri()),
					"log": node.base_dir().join(format!("{}.log", node.name())),
				}),
			)
		})
		.collect();
	// zombienet keeps the generated specs' paths relative to its base dir.
	let base_dir = PathBuf::from(network.base_dir().unwrap_or_default());
	serde_json::json!({
		"base_dir": base_dir,
		"relay_chain_spec": base_dir.join(network.relaychain().chain_spec_path()),
		"para_chain_spec": network.parachain(PARA_ID).and_then(|p| p.chain_spec_path()).map(|p| base_dir.join(p)),
		"para_id": PARA_ID,
		"nodes": nodes,
	})
}
