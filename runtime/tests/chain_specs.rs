//! The committed chain specs in `chain-specs/` must match this runtime: regenerate them
//! with `scripts/gen-chain-specs.sh` when this test fails.
//!
//! Checked: the plain specs' genesis equals the runtime's preset; the raw specs' storage
//! equals the storage the preset builds (every key but `:code`); para id, relay chain and
//! token properties.
//!
//! `:code` is checked by hash. The CI tier builds no optimised wasm (20 minutes of one
//! core), so the check has two halves:
//! - here: every raw spec's `:code` hashes (blake2-256) to `code_blake2_256` in
//!   `chain-specs/runtime-code.txt`, and `sources_sha256` there equals the fingerprint
//!   of today's runtime sources (`scripts/runtime-fingerprint.sh`: runtime and pallet
//!   crates, Cargo.lock, toolchain pin, scripts/common.sh). Any change to what goes into the wasm fails this
//!   test until the specs are regenerated;
//! - in the node tier (`scripts/smoke.sh`): `scripts/gen-chain-specs.sh --check` builds
//!   the specs from the node's embedded runtime and compares them byte for byte. The
//!   wasm is built with its paths remapped (`reproducible_wasm` in
//!   `scripts/common.sh`), so that the bytes do not depend on where the repository lives.
//!
//! The `:code`'s embedded version is also decoded and compared.

mod common;

use std::{collections::BTreeMap, path::PathBuf};

use codec::Encode;

use machina_runtime::{
	constants::{
		currency::{SS58_PREFIX, TOKEN_DECIMALS, TOKEN_SYMBOL},
		PARACHAIN_ID,
	},
	VERSION,
};
use serde_json::Value;

const CODE_KEY: &[u8] = b":code";

fn spec(file: &str) -> Value {
	let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../chain-specs").join(file);
	let text = std::fs::read_to_string(&path)
		.unwrap_or_else(|e| panic!("{}: {e}; run scripts/gen-chain-specs.sh", path.display()));
	serde_json::from_str(&text).expect("a chain spec is JSON")
}

fn unhex(s: &str) -> Vec<u8> {
	let s = s.strip_prefix("0x").unwrap_or(s);
	(0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn check_common_fields(spec: &Value, file: &str) {
	// The extension is written camelCase; readers accept snake_case too.
	let field = |camel: &str, snake: &str| spec.get(camel).or_else(|| spec.get(snake)).cloned();
	assert_eq!(field("paraId", "para_id").and_then(|v| v.as_u64()), Some(PARACHAIN_ID as u64), "{file}: para id");
	assert_eq!(
		field("relayChain", "relay_chain").and_then(|v| v.as_str().map(String::from)).as_deref(),
		// The relay spec's `id`, which smoldot matches (not the preset name).
		Some("rococo_local_testnet"),
		"{file}: relay chain"
	);
	let props = &spec["properties"];
	assert_eq!(props["tokenSymbol"].as_str(), Some(TOKEN_SYMBOL), "{file}");
	assert_eq!(props["tokenDecimals"].as_u64(), Some(TOKEN_DECIMALS as u64), "{file}");
	assert_eq!(props["ss58Format"].as_u64(), Some(SS58_PREFIX as u64), "{file}");
}

/// Read a custom section of a wasm module.
fn custom_section<'a>(wasm: &'a [u8], wanted: &str) -> Option<&'a [u8]> {
	fn leb(bytes: &[u8], pos: &mut usize) -> usize {
		let (mut result, mut shift) = (0usize, 0);
		loop {
			let b = bytes[*pos];
			*pos += 1;
			result |= ((b & 0x7f) as usize) << shift;
			if b & 0x80 == 0 {
				return result;
			}
			shift += 7;
		}
	}
	assert_eq!(&wasm[..4], b"\0asm", "not a wasm module");
	let mut pos = 8;
	while pos < wasm.len() {
		let id = wasm[pos];
		pos += 1;
		let size = leb(wasm, &mut pos);
		let end = pos + size;
		if id == 0 {
			let mut p = pos;
			let name_len = leb(wasm, &mut p);
			if &wasm[p..p + name_len] == wanted.as_bytes() {
				return Some(&wasm[p + name_len..end]);
			}
		}
		pos = end;
	}
	None
}

#[test]
fn plain_specs_hold_the_runtime_presets() {
	for (file, preset) in [("machina-dev.json", "development"), ("machina-local.json", "local_testnet")] {
		let spec = spec(file);
		check_common_fields(&spec, file);
		let genesis = &spec["genesis"]["runtimeGenesis"];
		if let Some(patch) = genesis.get("patch") {
			let expected: Value =
				serde_json::from_slice(&machina_runtime::genesis_config_presets::get_preset(&preset.into()).unwrap())
					.unwrap();
			assert_eq!(patch, &expected, "{file}: the genesis patch differs from preset {preset}");
		} else {
			let config = genesis.get("config").expect("a plain spec has a patch or a config");
			assert_eq!(config, &common::preset_config(preset), "{file}: config differs from {preset}");
		}
	}
}

#[test]
fn raw_specs_hold_the_genesis_the_runtime_builds() {
	for (file, preset) in [("machina-dev-raw.json", "development"), ("machina-local-raw.json", "local_testnet")] {
		let spec = spec(file);
		check_common_fields(&spec, file);
		let top = spec["genesis"]["raw"]["top"].as_object().expect("a raw spec has top storage");
		let mut raw: BTreeMap<Vec<u8>, Vec<u8>> =
			top.iter().map(|(k, v)| (unhex(k), unhex(v.as_str().unwrap()))).collect();

		let code = raw.remove(CODE_KEY).expect("the raw spec holds the runtime code");
		let wasm = sp_maybe_compressed_blob::decompress(&code, 64 * 1024 * 1024)
			.expect("the code is a (compressed) wasm blob");
		let mut section = custom_section(&wasm, "runtime_version").expect("a runtime_version section");
		// The section's `apis` is empty (they have a section of their own), and plain
		// `decode` reads a version without the Core API as Core < 3: no
		// `transaction_version`, silently 1. Decode it as the Core version we build.
		let core = <dyn sp_api::Core<machina_runtime::Block> as sp_api::RuntimeApiInfo>::VERSION;
		let version =
			sp_version::RuntimeVersion::decode_with_version_hint(&mut section, Some(core)).expect("a RuntimeVersion");
		// The chain specs are built by the node, whose runtime has `fast-runtime`.
		assert_eq!(version.spec_name, "machina-fast", "{file}: spec_name");
		assert_eq!(version.spec_version, VERSION.spec_version, "{file}: spec_version of :code");
		assert_eq!(version.transaction_version, VERSION.transaction_version, "{file}");

		let mut expected: BTreeMap<Vec<u8>, Vec<u8>> = common::preset_storage(preset).top.into_iter().collect();
		// Natively there is no wasm: `:code` is compared by version above.
		expected.remove(CODE_KEY);
		// The genesis records the runtime's version: the node's has the fast spec name.
		let mut fast = VERSION;
		fast.spec_name = "machina-fast".into();
		expected.insert(
			frame_system::LastRuntimeUpgrade::<machina_runtime::Runtime>::hashed_key().to_vec(),
			frame_system::LastRuntimeUpgradeInfo::from(fast).encode(),
		);
		let missing: Vec<_> = expected.keys().filter(|k| !raw.contains_key(*k)).map(|k| hex_of(k)).collect();
		let extra: Vec<_> = raw.keys().filter(|k| !expected.contains_key(*k)).map(|k| hex_of(k)).collect();
		let differing: Vec<_> =
			expected.iter().filter(|(k, v)| raw.get(*k).is_some_and(|r| r != *v)).map(|(k, _)| hex_of(k)).collect();
		assert!(
			missing.is_empty() && extra.is_empty() && differing.is_empty(),
			"{file} is stale (run scripts/gen-chain-specs.sh): missing {missing:?}, extra {extra:?}, differing {differing:?}"
		);
	}
}

/// `key=value` lines of `chain-specs/runtime-code.txt`.
fn recorded(key: &str) -> String {
	let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../chain-specs/runtime-code.txt");
	let text = std::fs::read_to_string(&path)
		.unwrap_or_else(|e| panic!("{}: {e}; run scripts/gen-chain-specs.sh", path.display()));
	text.lines()
		.find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
		.unwrap_or_else(|| panic!("{key} missing from {}", path.display()))
		.trim()
		.to_string()
}

#[test]
fn raw_specs_code_is_the_recorded_build_of_todays_runtime_sources() {
	let recorded_code = recorded("code_blake2_256");
	for file in ["machina-dev-raw.json", "machina-local-raw.json", "machina-dev.json", "machina-local.json"] {
		let spec = spec(file);
		let code = spec["genesis"]["raw"]["top"][format!("0x{}", hex_of(CODE_KEY))]
			.as_str()
			.or_else(|| spec["genesis"]["runtimeGenesis"]["code"].as_str())
			.unwrap_or_else(|| panic!("{file} holds no code"));
		let hash = format!("0x{}", hex_of(&sp_io::hashing::blake2_256(&unhex(code))));
		assert_eq!(hash, recorded_code, "{file}: `:code` is not the recorded runtime build");
	}

	let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
	let out = std::process::Command::new("bash")
		.arg(root.join("scripts/runtime-fingerprint.sh"))
		.output()
		.expect("bash runs scripts/runtime-fingerprint.sh");
	assert!(out.status.success(), "runtime-fingerprint.sh failed: {}", String::from_utf8_lossy(&out.stderr));
	let today = String::from_utf8(out.stdout).unwrap().trim().to_string();
	assert_eq!(
		today,
		recorded("sources_sha256"),
		"the runtime's sources changed since chain-specs/ was generated: run scripts/gen-chain-specs.sh \
		 (and bump spec_version if a live chain would need the change, see docs/runtime-versions.md)"
	);
}

fn hex_of(k: &[u8]) -> String {
	k.iter().map(|b| format!("{b:02x}")).collect()
}
