//! Genesis presets, served through the `GenesisBuilder` runtime API so that any node
//! (machina-node, polkadot-omni-node, chain-spec-builder) can build a chain spec from
//! the runtime alone.
//!
//! - `development`: one collator (Alice), for `machina-node --dev` and single-collator
//!   networks.
//! - `local_testnet`: two collators (Alice and Bob), for zombienet networks.
//!
//! Both endow the well-known development accounts and seed the technical fellowship
//! with Alice and Bob (rank 3) and Charlie (rank 1). There is no sudo key: admin actions
//! go through referenda (docs/governance.md). These keys are public: never use these
//! presets for a real network.

use alloc::{vec, vec::Vec};
use cumulus_primitives_core::ParaId;
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_genesis_builder::PresetId;
use sp_keyring::Sr25519Keyring;

use machina_primitives::OffenceKind;
use pallet_micro_bonds::SlashPolicy;
use sp_runtime::Perbill;

use crate::{
	constants::{currency::EXISTENTIAL_DEPOSIT, PARACHAIN_ID},
	AccountId, AuraId, Balance, BalancesConfig, CollatorSelectionConfig, CoverageConfig, DeviceRegistryConfig,
	IntentsConfig, MicroBondsConfig, OriginsConfig, ParachainInfoConfig, PolkadotXcmConfig, RuntimeGenesisConfig,
	SessionConfig, SessionKeys, UNIT,
};

/// The balance each endowed development account starts with: one million MACH.
pub const ENDOWMENT: u128 = 1_000_000 * UNIT;
/// MACH emitted per coverage epoch (10 minutes); 60 % pays uptime, the rest is kept for
/// proof-of-coverage rewards.
pub const COVERAGE_EMISSION: Balance = 1_000 * UNIT;
/// What each invulnerable collator bonds with collator selection.
pub const COLLATOR_BOND: u128 = 16 * EXISTENTIAL_DEPOSIT;
/// The XCM version the chain speaks until told otherwise.
const SAFE_XCM_VERSION: u32 = xcm::prelude::XCM_VERSION;

/// The highest solver fee at genesis: 0.3% of each fill.
pub const SOLVER_FEE_CAP: sp_runtime::Permill = sp_runtime::Permill::from_parts(3_000);

/// The highest pool commission at genesis.
pub const MAX_POOL_COMMISSION: Perbill = Perbill::from_percent(20);

/// How each provable offence is punished at genesis: the fraction of the slashable bond,
/// a cap, and the split (reporter, insurance, burn). Governance changes them later.
pub fn slash_policies() -> Vec<(OffenceKind, SlashPolicy<Balance>)> {
	let policy = |fraction: u32, cap: Balance| SlashPolicy {
		fraction: Perbill::from_percent(fraction),
		cap: cap * UNIT,
		reporter: Perbill::from_percent(10),
		insurance: Perbill::from_percent(50),
		burn: Perbill::from_percent(40),
	};
	vec![
		(OffenceKind::Equivocation, policy(10, 10_000)),
		(OffenceKind::FalseCoverage, policy(20, 10_000)),
		(OffenceKind::InvalidAggregate, policy(20, 50_000)),
		(OffenceKind::SolverDefault, policy(5, 10_000)),
		// A device whose certificate was revoked (cloned or compromised hardware) leaves
		// a quarter of its bond behind.
		(OffenceKind::RevokedDevice, policy(25, 10_000)),
		// A solution that breaks a batch rule: a tenth of the solver's bond.
		(OffenceKind::InvalidSolution, policy(10, 10_000)),
		// A device that did not deliver an order it sold: a tenth of its bond.
		(OffenceKind::ServiceDefault, policy(10, 10_000)),
	]
}

/// The session keys of a collator whose Aura key is `aura`.
pub fn session_keys(aura: AuraId) -> SessionKeys {
	SessionKeys { aura }
}

fn machina_genesis(
	invulnerables: Vec<(AccountId, AuraId)>,
	endowed_accounts: Vec<AccountId>,
	fellows: Vec<(AccountId, u16)>,
	id: ParaId,
) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed_accounts
				.iter()
				.cloned()
				.map(|k| (k, ENDOWMENT))
				// The coverage reward reserve: 1,666 epochs (11 days) of uptime rewards.
				.chain([(crate::configs::coverage::RewardReserve::get(), ENDOWMENT)])
				.collect::<Vec<_>>(),
		},
		parachain_info: ParachainInfoConfig { parachain_id: id },
		collator_selection: CollatorSelectionConfig {
			invulnerables: invulnerables.iter().cloned().map(|(acc, _)| acc).collect::<Vec<_>>(),
			candidacy_bond: COLLATOR_BOND,
		},
		session: SessionConfig {
			keys: invulnerables
				.into_iter()
				.map(|(acc, aura)| (acc.clone(), acc, session_keys(aura)))
				.collect::<Vec<_>>(),
		},
		polkadot_xcm: PolkadotXcmConfig { safe_xcm_version: Some(SAFE_XCM_VERSION) },
		origins: OriginsConfig { fellows },
		micro_bonds: MicroBondsConfig { max_commission: MAX_POOL_COMMISSION, slash_policies: slash_policies() },
		device_registry: DeviceRegistryConfig { manufacturers: dev_manufacturers() },
		coverage: CoverageConfig {
			uptime_rule: vec![],
			split: pallet_coverage::RewardSplit { per_epoch: COVERAGE_EMISSION, uptime: Perbill::from_percent(60) },
		},
		intents: IntentsConfig { solver_fee_cap: SOLVER_FEE_CAP },
	})
}

/// Manufacturer 0 on development chains, "Machina Dev Devices": its root is the
/// well-known Ed25519 key of `//Alice`, so anyone can issue compact certificates for
/// test devices (e.g. with @polkadot/keyring's ed25519 `//Alice`).
fn dev_manufacturers() -> Vec<(Vec<u8>, Vec<Vec<u8>>)> {
	vec![(b"Machina Dev Devices".to_vec(), vec![sp_keyring::Ed25519Keyring::Alice.public().0.to_vec()])]
}

/// The technical fellowship of development chains: Alice and Bob at rank 3 (they vote
/// on whitelisting), Charlie at rank 1 (may propose).
fn dev_fellows() -> Vec<(AccountId, u16)> {
	vec![
		(Sr25519Keyring::Alice.to_account_id(), 3),
		(Sr25519Keyring::Bob.to_account_id(), 3),
		(Sr25519Keyring::Charlie.to_account_id(), 1),
	]
}

/// The well-known development accounts, all endowed.
fn dev_accounts() -> Vec<AccountId> {
	Sr25519Keyring::well_known().map(|k| k.to_account_id()).collect()
}

fn collator(k: Sr25519Keyring) -> (AccountId, AuraId) {
	(k.to_account_id(), k.public().into())
}

fn development_config_genesis() -> Value {
	machina_genesis(vec![collator(Sr25519Keyring::Alice)], dev_accounts(), dev_fellows(), PARACHAIN_ID.into())
}

fn local_testnet_genesis() -> Value {
	machina_genesis(
		vec![collator(Sr25519Keyring::Alice), collator(Sr25519Keyring::Bob)],
		dev_accounts(),
		dev_fellows(),
		PARACHAIN_ID.into(),
	)
}

/// The JSON patch of a named preset.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_testnet_genesis(),
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		_ => return None,
	};
	Some(serde_json::to_string(&patch).expect("serialization to json is expected to work. qed.").into_bytes())
}

/// The names of the presets this runtime offers.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}
