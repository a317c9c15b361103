//! machina-node: the Machina collator.
//!
//! - `machina-node --dev`: a single-node chain without a relay chain, sealing a block
//!   every `--dev-block-time` milliseconds (2000 by default) and finalizing each.
//! - `machina-node --collator --chain <spec> -- --chain <relay spec>`: a collator with an
//!   in-process relay chain node, or `--relay-chain-rpc-url` for an external one.

mod chain_spec;
mod cli;
mod command;
mod heartbeat;
mod rpc;
mod rpc_client;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
