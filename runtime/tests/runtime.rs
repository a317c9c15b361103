//! Integration tests against the real Machina runtime (native build): genesis presets,
//! the collator set, a whole block with a transfer, and the metadata served to wallets.

mod common;

use common::{close_block, new_test_ext, open_block, open_block_at, preset_storage, signed, RelayView};
use frame_support::traits::fungible::Inspect;
use machina_runtime::{
	constants::{currency::UNIT, PARACHAIN_ID},
	genesis_config_presets::{COLLATOR_BOND, ENDOWMENT},
	AccountId, Aura, Balances, CollatorSelection, Executive, ParachainInfo, Runtime, RuntimeCall, RuntimeEvent,
	Session, System,
};
use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Charlie};
use sp_runtime::transaction_validity::InvalidTransaction;

const PRESETS: [&str; 2] = [sp_genesis_builder::DEV_RUNTIME_PRESET, sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET];

fn accounts(keys: &[Sr25519Keyring]) -> Vec<AccountId> {
	keys.iter().map(|k| k.to_account_id()).collect()
}

#[test]
fn runtime_offers_exactly_the_documented_presets() {
	let names: Vec<String> = machina_runtime::genesis_config_presets::preset_names()
		.into_iter()
		.map(|p| {
			let bytes: &[u8] = p.as_ref();
			String::from_utf8(bytes.to_vec()).unwrap()
		})
		.collect();
	assert_eq!(names, ["development", "local_testnet"]);
	assert!(machina_runtime::genesis_config_presets::get_preset(&"mainnet".into()).is_none());
}

#[test]
fn both_presets_build_a_genesis_state() {
	for preset in PRESETS {
		// The `GenesisBuilder` path a node takes, and the typed path tests take.
		let storage = preset_storage(preset);
		assert!(storage.top.len() > 20, "{preset}: genesis wrote {} keys", storage.top.len());
		new_test_ext(preset).execute_with(|| {
			assert_eq!(u32::from(ParachainInfo::parachain_id()), PARACHAIN_ID, "{preset}");
			// No sudo key: the fellowship is seeded instead (Alice and Bob rank 3).
			use frame_support::traits::RankedMembers;
			assert_eq!(machina_runtime::FellowshipCollective::rank_of(&Alice.to_account_id()), Some(3), "{preset}");
			for who in Sr25519Keyring::well_known() {
				assert_eq!(Balances::balance(&who.to_account_id()), ENDOWMENT, "{preset} {who:?}");
			}
		});
	}
}

#[test]
fn collator_set_comes_from_genesis() {
	let expected = [
		(sp_genesis_builder::DEV_RUNTIME_PRESET, vec![Alice]),
		(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET, vec![Alice, Bob]),
	];
	for (preset, collators) in expected {
		new_test_ext(preset).execute_with(|| {
			// Collator selection keeps invulnerables sorted; session and Aura follow it.
			let mut ids = accounts(&collators);
			ids.sort();
			assert_eq!(pallet_collator_selection::Invulnerables::<Runtime>::get().into_inner(), ids, "{preset}");
			assert_eq!(pallet_collator_selection::CandidacyBond::<Runtime>::get(), COLLATOR_BOND);
			assert_eq!(Session::validators(), ids, "{preset}");
			let mut keyed: Vec<_> = collators.iter().map(|k| (k.to_account_id(), k.public())).collect();
			keyed.sort();
			let aura: Vec<machina_runtime::AuraId> = keyed.into_iter().map(|(_, k)| k.into()).collect();
			assert_eq!(pallet_aura::Authorities::<Runtime>::get().into_inner(), aura, "{preset}");
			assert_eq!(Aura::authorities_len(), collators.len());
		});
	}
}

#[test]
fn a_block_with_a_transfer_executes_and_charges_fees() {
	new_test_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let pot = CollatorSelection::account_id();
		let pot_before = Balances::balance(&pot);
		let alice_before = Balances::balance(&Alice.to_account_id());
		let charlie_before = Balances::balance(&Charlie.to_account_id());

		open_block(1_000);
		let transfer = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
			dest: Charlie.to_account_id().into(),
			value: 10 * UNIT,
		});
		Executive::apply_extrinsic(signed(Alice, transfer, 0))
			.expect("the transaction is valid")
			.expect("the transfer dispatches");
		let header = close_block();
		assert_eq!(header.number, 1);

		let fee = System::events()
			.into_iter()
			.find_map(|r| match r.event {
				RuntimeEvent::TransactionPayment(pallet_transaction_payment::Event::TransactionFeePaid {
					who,
					actual_fee,
					tip,
				}) if who == Alice.to_account_id() => {
					assert_eq!(tip, 0);
					Some(actual_fee)
				},
				_ => None,
			})
			.expect("a fee was charged");
		assert!(fee > 0);
		assert_eq!(Balances::balance(&Alice.to_account_id()), alice_before - 10 * UNIT - fee);
		assert_eq!(Balances::balance(&Charlie.to_account_id()), charlie_before + 10 * UNIT);
		// Fees go to the collators' pot.
		assert_eq!(Balances::balance(&pot), pot_before + fee);
		assert_eq!(System::account_nonce(Alice.to_account_id()), 1);
	});
}

#[test]
fn a_replayed_or_unsigned_transfer_is_rejected() {
	new_test_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		open_block(1_000);
		let call = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
			dest: Bob.to_account_id().into(),
			value: UNIT,
		});
		let xt = signed(Alice, call.clone(), 0);
		Executive::apply_extrinsic(xt.clone()).unwrap().unwrap();
		// The same signed bytes again: the nonce is spent.
		assert_eq!(Executive::apply_extrinsic(xt), Err(InvalidTransaction::Stale.into()));
		// A signature by someone else than the claimed sender, with Alice's next nonce.
		let mut forged = signed(Bob, call, 1);
		if let sp_runtime::generic::Preamble::Signed(ref mut from, _, _) = forged.preamble {
			*from = Alice.to_account_id().into();
		}
		assert_eq!(Executive::apply_extrinsic(forged), Err(InvalidTransaction::BadProof.into()));
	});
}

#[test]
fn metadata_v16_is_served() {
	new_test_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let versions = Runtime::metadata_versions();
		assert!(versions.contains(&16), "metadata versions: {versions:?}");
		let v16 = Runtime::metadata_at_version(16).expect("v16 metadata");
		// `meta` magic, then the version byte.
		assert_eq!(&v16[..5], &[0x6d, 0x65, 0x74, 0x61, 16][..]);
	});
}

/// Velocity + 3 blocks in one relay slot, evenly apart (six, 1 s apart, at velocity 3, as
/// the dev node builds them at a 1 s block time). `Err` carries the panic message.
fn more_blocks_than_the_velocity_in_one_relay_slot(dev_marker: bool) -> Result<(), String> {
	let blocks = machina_runtime::BLOCK_PROCESSING_VELOCITY as u64 + 3;
	common::catch_panic(|| {
		new_test_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
			let slot = 300_000_000;
			for i in 0..blocks {
				open_block_at(RelayView {
					slot,
					timestamp_ms: slot * machina_runtime::SLOT_DURATION + i * machina_runtime::SLOT_DURATION / blocks,
					relay_number: slot as u32,
					dev_marker,
				});
				close_block();
			}
			assert_eq!(System::block_number() as u64, blocks);
		})
	})
}

#[test]
fn only_the_dev_relay_chain_admits_blocks_at_wall_clock_pace() {
	// The dev node's mock: 1 s blocks share a 6 s relay slot, so chain time keeps the
	// wall clock's pace.
	assert_eq!(more_blocks_than_the_velocity_in_one_relay_slot(true), Ok(()));
	// On a relay chain (no marker in its state) elastic scaling's limit holds: velocity V
	// admits V + 1 blocks per relay slot, the V + 2nd is refused.
	let refused = more_blocks_than_the_velocity_in_one_relay_slot(false).unwrap_err();
	assert!(refused.contains("authored blocks limit is reached"), "{refused}");
}

#[test]
fn the_wasm_hashes_its_metadata_with_the_chains_token() {
	// Wallets hash the metadata with the token symbol and decimals from the chain
	// properties; the runtime's build must use the same, or every mode-1 signature fails.
	// (A native build has no metadata hash: the node-tier smoke test signs a mode-1
	// transaction against the node's wasm.)
	let build = include_str!("../build.rs");
	let expected = format!(
		"enable_metadata_hash(\"{}\", {})",
		machina_runtime::constants::currency::TOKEN_SYMBOL,
		machina_runtime::constants::currency::TOKEN_DECIMALS
	);
	assert!(build.contains(&expected), "runtime/build.rs must call {expected}");
	// And the node embeds the runtime built that way.
	let node_manifest = include_str!("../../node/Cargo.toml");
	assert!(
		node_manifest.lines().any(|l| l.starts_with("machina-runtime") && l.contains("\"metadata-hash\"")),
		"node/Cargo.toml must enable machina-runtime/metadata-hash"
	);
}
