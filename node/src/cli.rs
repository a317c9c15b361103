//! Command-line interface.

use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches};

/// Sub-commands beyond running the node.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Build a chain specification (`--chain dev|local|<path>`; `--raw` for storage form).
	BuildSpec(sc_cli::BuildSpecCmd),
	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),
	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),
	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),
	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),
	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),
	/// Remove the whole chain (parachain and in-process relay chain databases).
	PurgeChain(cumulus_client_cli::PurgeChainCmd),
	/// Export the genesis head data of the parachain, for registering it on a relay chain.
	#[command(alias = "export-genesis-state")]
	ExportGenesisHead(cumulus_client_cli::ExportGenesisHeadCommand),
	/// Export the genesis wasm of the parachain, for registering it on a relay chain.
	ExportGenesisWasm(cumulus_client_cli::ExportGenesisWasmCommand),
	/// Benchmarks. `benchmark pallet --runtime <wasm>` runs a runtime built with
	/// `runtime-benchmarks` (see scripts/benchmark.sh); `storage` needs the node built
	/// with that feature.
	#[command(subcommand)]
	Benchmark(frame_benchmarking_cli::BenchmarkCmd),
	/// Key management: generate, inspect, insert session keys.
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),
	/// A device's direct heartbeat, signed with its operational key and submitted to a
	/// running node over RPC (a Rust client of the coverage pallet).
	Heartbeat(crate::heartbeat::HeartbeatCmd),
}

const AFTER_HELP: &str = "Examples:
  machina-node --dev
        A single-node development chain on ws://127.0.0.1:9944, a block every 2 s.
  machina-node build-spec --chain local --raw --disable-default-bootnode > machina-local-raw.json
        A raw chain spec for a local network.
  machina-node --collator --chain machina-local-raw.json --base-path /tmp/c1 -- --chain rococo-local-raw.json
        A collator with an in-process relay chain node.";

#[derive(Debug, clap::Parser)]
#[command(
	propagate_version = true,
	args_conflicts_with_subcommands = true,
	subcommand_negates_reqs = true,
	after_help = AFTER_HELP
)]
pub struct Cli {
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	#[command(flatten)]
	pub run: cumulus_client_cli::RunCmd,

	/// In `--dev` mode, milliseconds between sealed blocks. Every block is finalized
	/// at once. Without a relay chain, block time is the node's choice.
	#[arg(long, value_name = "MILLISECONDS", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(100..))]
	pub dev_block_time: u64,

	/// How a collator authors blocks: `slot-based` (the default; the elastic-scaling
	/// collator, which builds blocks on a timer and submits them on every core the relay
	/// chain assigns) or `lookahead` (async backing on one core).
	#[arg(long, value_enum, default_value_t = Authoring::SlotBased)]
	pub authoring: Authoring,

	/// Skip the hardware benchmark run at start-up.
	#[arg(long)]
	pub no_hardware_benchmarks: bool,

	/// Arguments for the in-process relay chain node, after `--`.
	#[arg(raw = true)]
	pub relay_chain_args: Vec<String>,
}

/// A collator's block-authoring engine (`--authoring`), as polkadot-omni-node names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Authoring {
	/// `cumulus_client_consensus_aura::collators::slot_based`: blocks on a timer of
	/// `relay slot / TargetBlockRate`, collations on every assigned core.
	SlotBased,
	/// `cumulus_client_consensus_aura::collators::lookahead`: one block per Aura slot.
	Lookahead,
}

/// The relay chain node's command line, parsed from the arguments after `--`.
#[derive(Debug)]
pub struct RelayChainCli {
	/// The relay chain's own `RunCmd`.
	pub base: polkadot_cli::RunCmd,
	/// The relay chain spec named in the parachain's chain spec.
	pub chain_id: Option<String>,
	/// `<parachain base path>/polkadot` unless given.
	pub base_path: Option<PathBuf>,
}

impl RelayChainCli {
	pub fn new<'a>(
		para_config: &sc_service::Configuration,
		relay_chain_args: impl Iterator<Item = &'a String>,
	) -> Self {
		let cmd = polkadot_cli::RunCmd::command().no_binary_name(true);
		let matches = cmd.get_matches_from(relay_chain_args);
		let base = polkadot_cli::RunCmd::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
		let chain_id = crate::chain_spec::Extensions::try_get(&*para_config.chain_spec).map(|e| e.relay_chain.clone());
		let base_path = para_config.base_path.path().join("polkadot");
		Self { base, chain_id, base_path: Some(base_path) }
	}
}
