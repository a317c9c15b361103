//! `polkadot`: the relay chain node for local Machina networks, exactly upstream's
//! `polkadot_cli::run()`. Its PVF workers are the two sibling binaries of this crate;
//! the node finds them next to its own executable.

fn main() -> Result<(), Box<dyn std::error::Error>> {
	polkadot_cli::run()?;
	Ok(())
}
