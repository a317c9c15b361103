//! Chain specifications: built from the runtime's genesis presets, so the node holds no
//! genesis logic of its own.

use machina_runtime::constants::{
	currency::{SS58_PREFIX, TOKEN_DECIMALS, TOKEN_SYMBOL},
	PARACHAIN_ID,
};
use sc_chain_spec::{ChainSpecExtension, ChainSpecGroup, ChainType};
use serde::{Deserialize, Serialize};

/// A chain spec of the Machina runtime, with the parachain extensions.
pub type ChainSpec = sc_service::GenericChainSpec<Extensions>;

/// The relay chain that local specs name: the `id` of the `rococo-local` relay chain spec,
/// which light clients (smoldot) match against the relay spec they were given.
pub const LOCAL_RELAY_CHAIN: &str = "rococo_local_testnet";

/// Chain spec extensions a Cumulus node reads: which relay chain, which para id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ChainSpecGroup, ChainSpecExtension)]
#[serde(rename_all = "camelCase")]
pub struct Extensions {
	/// The relay chain of the parachain.
	#[serde(alias = "relayChain", alias = "RelayChain")]
	pub relay_chain: String,
	/// The id of the parachain.
	#[serde(alias = "paraId", alias = "ParaId")]
	pub para_id: u32,
}

impl Extensions {
	/// The extensions of `chain_spec`, if it has them.
	pub fn try_get(chain_spec: &dyn sc_service::ChainSpec) -> Option<&Self> {
		sc_chain_spec::get_extension(chain_spec.extensions())
	}
}

fn properties() -> sc_chain_spec::Properties {
	let mut properties = sc_chain_spec::Properties::new();
	properties.insert("tokenSymbol".into(), TOKEN_SYMBOL.into());
	properties.insert("tokenDecimals".into(), TOKEN_DECIMALS.into());
	properties.insert("ss58Format".into(), SS58_PREFIX.into());
	properties
}

fn wasm() -> Result<&'static [u8], String> {
	machina_runtime::WASM_BINARY
		.ok_or_else(|| "the runtime's wasm was not built (the node was compiled with SKIP_WASM_BUILD)".to_string())
}

fn machina_spec(name: &str, id: &str, chain_type: ChainType, preset: &str) -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, Extensions { relay_chain: LOCAL_RELAY_CHAIN.into(), para_id: PARACHAIN_ID })
		.with_name(name)
		.with_id(id)
		.with_chain_type(chain_type)
		.with_genesis_config_preset_name(preset)
		.with_protocol_id(id)
		.with_properties(properties())
		.build())
}

/// The `development` preset: one collator (Alice), for `--dev`.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	machina_spec("Machina Development", "machina_dev", ChainType::Development, sp_genesis_builder::DEV_RUNTIME_PRESET)
}

/// The `local_testnet` preset: two collators (Alice, Bob), for zombienet.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	machina_spec(
		"Machina Local Testnet",
		"machina_local",
		ChainType::Local,
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET,
	)
}
