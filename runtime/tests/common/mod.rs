//! Helpers for tests against the real runtime: genesis from a preset, signed
//! transactions, and whole blocks with the inherents a collator would provide.
#![allow(dead_code)]

pub mod gov;

use codec::Encode;
use cumulus_primitives_core::PersistedValidationData;
use cumulus_primitives_parachain_inherent::ParachainInherentData;
use cumulus_test_relay_sproof_builder::RelayStateSproofBuilder;
use frame_support::genesis_builder_helper::build_state;
use machina_runtime::{
	constants::{time::SLOT_DURATION, PARACHAIN_ID},
	genesis_config_presets, Block, Executive, Header, Runtime, RuntimeCall, RuntimeGenesisConfig, System, TxExtension,
	UncheckedExtrinsic,
};
use serde_json::Value;
use sp_consensus_aura::{Slot, AURA_ENGINE_ID};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{
	generic::{Digest, DigestItem, Era, SignedPayload},
	traits::Header as HeaderT,
	BuildStorage,
};

/// Merge a JSON patch into `base`, as chain-spec builders do with preset patches.
pub fn json_merge(base: &mut Value, patch: Value) {
	match (base, patch) {
		(Value::Object(base), Value::Object(patch)) => {
			for (k, v) in patch {
				json_merge(base.entry(k).or_insert(Value::Null), v);
			}
		},
		(base, patch) => *base = patch,
	}
}

/// The full genesis config JSON of a preset: the default config with the preset's patch.
pub fn preset_config(preset: &str) -> Value {
	let patch = genesis_config_presets::get_preset(&preset.into()).unwrap_or_else(|| panic!("preset {preset} exists"));
	let patch: Value = serde_json::from_slice(&patch).expect("a preset is JSON");
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
	json_merge(&mut config, patch);
	config
}

/// The genesis storage of a preset, built the way a node builds it (`GenesisBuilder`).
pub fn preset_storage(preset: &str) -> sp_runtime::Storage {
	let config = preset_config(preset);
	let mut ext = sp_io::TestExternalities::new(Default::default());
	ext.execute_with(|| {
		build_state::<RuntimeGenesisConfig>(serde_json::to_vec(&config).unwrap()).expect("the preset builds");
	});
	// Collect every key the build wrote, as a `Storage`.
	let mut storage = sp_runtime::Storage::default();
	ext.execute_with(|| {
		let mut key = Vec::new();
		while let Some(next) = sp_io::storage::next_key(&key) {
			let value = sp_io::storage::get(&next).expect("next_key returns existing keys");
			storage.top.insert(next.clone(), value.to_vec());
			key = next;
		}
	});
	storage
}

thread_local! {
	/// The header of the last block [`close_block`] closed: the next block builds on it,
	/// and the relay chain shows it included.
	static LAST_HEADER: core::cell::RefCell<Option<Header>> = const { core::cell::RefCell::new(None) };
}

/// Externalities at genesis of a preset.
pub fn new_test_ext(preset: &str) -> sp_io::TestExternalities {
	LAST_HEADER.with(|h| *h.borrow_mut() = None);
	let config: RuntimeGenesisConfig =
		serde_json::from_value(preset_config(preset)).expect("the preset is a valid config");
	let mut ext: sp_io::TestExternalities = config.build_storage().unwrap().into();
	ext.execute_with(|| System::set_block_number(0));
	ext
}

/// The transaction extensions a wallet would attach, for `nonce`.
pub fn tx_extension(nonce: u32, tip: u128) -> TxExtension {
	machina_runtime::tx_extension((
		frame_system::AuthorizeCall::<Runtime>::new(),
		frame_system::CheckNonZeroSender::<Runtime>::new(),
		frame_system::CheckSpecVersion::<Runtime>::new(),
		frame_system::CheckTxVersion::<Runtime>::new(),
		frame_system::CheckGenesis::<Runtime>::new(),
		frame_system::CheckEra::<Runtime>::from(Era::Immortal),
		frame_system::CheckNonce::<Runtime>::from(nonce),
		frame_system::CheckWeight::<Runtime>::new(),
		pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(tip),
		frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
	))
}

/// `call` signed by `who` with `nonce`, as a wallet signs it.
pub fn signed(who: Sr25519Keyring, call: RuntimeCall, nonce: u32) -> UncheckedExtrinsic {
	let ext = tx_extension(nonce, 0);
	let payload = SignedPayload::new(call.clone(), ext.clone()).expect("implicit data is available");
	let signature = payload.using_encoded(|bytes| who.sign(bytes));
	UncheckedExtrinsic::new_signed(call, who.to_account_id().into(), signature.into(), ext)
}

/// `call` signed by any sr25519 `pair` (a device's operational key, say) with `nonce`.
pub fn signed_by(pair: &sp_core::sr25519::Pair, call: RuntimeCall, nonce: u32) -> UncheckedExtrinsic {
	use sp_core::Pair;
	let ext = tx_extension(nonce, 0);
	let payload = SignedPayload::new(call.clone(), ext.clone()).expect("implicit data is available");
	let signature = payload.using_encoded(|bytes| pair.sign(bytes));
	let account = sp_runtime::AccountId32::from(pair.public().0);
	UncheckedExtrinsic::new_signed(call, account.into(), sp_runtime::MultiSignature::Sr25519(signature), ext)
}

/// Open block `System::block_number() + 1` as the collator of Aura `slot` would: the
/// Aura pre-digest, then the parachain validation data and timestamp inherents.
///
/// The block builds on the last one [`close_block`] closed, and the relay chain shows
/// that one included, so the unincluded segment never fills.
pub fn open_block(slot: u64) {
	open_block_at(RelayView { slot, timestamp_ms: slot * SLOT_DURATION, relay_number: slot as u32, dev_marker: false });
}

/// What the relay chain shows a block: its slot and block number, and whether its state
/// carries the dev node's marker ([`machina_runtime::DEV_RELAY_CHAIN_MARKER`]).
#[derive(Clone, Copy, Debug)]
pub struct RelayView {
	/// The relay chain slot (the block's Aura slot must equal it).
	pub slot: u64,
	/// The block's timestamp, within `slot`.
	pub timestamp_ms: u64,
	/// The relay parent's block number.
	pub relay_number: u32,
	/// Whether the relay state proof holds the dev marker.
	pub dev_marker: bool,
}

/// [`open_block`] with a chosen relay chain view. Returns whether the block may carry
/// transactions (not while a multi-block migration runs).
pub fn open_block_at(view: RelayView) -> sp_runtime::ExtrinsicInclusionMode {
	let RelayView { slot, timestamp_ms, relay_number, dev_marker } = view;
	use sp_runtime::traits::Hash as _;
	let number = System::block_number() + 1;
	let last = LAST_HEADER.with(|h| h.borrow().clone()).filter(|h| h.number + 1 == number);
	let parent_hash = match &last {
		Some(header) => <Runtime as frame_system::Config>::Hashing::hash_of(header),
		None => System::block_hash(number - 1),
	};
	let digest = Digest { logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, Slot::from(slot).encode())] };
	let header = Header::new(number, Default::default(), Default::default(), parent_hash, digest);
	let mode = Executive::initialize_block(&header);

	// The relay chain's view: its slot equals ours (both 6 s), and the head it last
	// included: the parent (the runtime trims its unincluded segment up to it). On
	// genesis the segment is empty, so a header of the parent's number suffices.
	let included_head = last.unwrap_or_else(|| {
		Header::new(number - 1, Default::default(), Default::default(), Default::default(), Default::default())
	});
	let mut sproof = RelayStateSproofBuilder {
		para_id: PARACHAIN_ID.into(),
		current_slot: slot.into(),
		included_para_head: Some(cumulus_primitives_core::relay_chain::HeadData(included_head.encode())),
		num_authorities: 2,
		..Default::default()
	};
	sproof.current_epoch = slot / 10;
	if dev_marker {
		sproof.additional_key_values.push((machina_runtime::DEV_RELAY_CHAIN_MARKER.to_vec(), true.encode()));
	}
	let (relay_parent_storage_root, relay_chain_state, relay_parent_descendants) =
		sproof.into_state_root_proof_and_descendants(machina_runtime::RELAY_PARENT_OFFSET.into());
	let parachain_inherent = ParachainInherentData {
		validation_data: PersistedValidationData {
			parent_head: Default::default(),
			relay_parent_number: relay_number,
			relay_parent_storage_root,
			max_pov_size: Default::default(),
		},
		relay_chain_state,
		downward_messages: Default::default(),
		horizontal_messages: Default::default(),
		relay_parent_descendants,
		collator_peer_id: None,
	};

	let mut data = sp_inherents::InherentData::new();
	data.put_data(sp_timestamp::INHERENT_IDENTIFIER, &timestamp_ms).unwrap();
	data.put_data(cumulus_primitives_parachain_inherent::INHERENT_IDENTIFIER, &parachain_inherent).unwrap();
	// The runtime turns inherent data into inherents, as a block author's node asks it to.
	use sp_block_builder::runtime_decl_for_block_builder::BlockBuilderV6;
	for inherent in <Runtime as BlockBuilderV6<Block>>::inherent_extrinsics(data) {
		Executive::apply_extrinsic(inherent).expect("an inherent is valid").expect("an inherent dispatches");
	}
	mode
}

/// Run `f`, returning its panic message as `Err`.
pub fn catch_panic(f: impl FnOnce() + std::panic::UnwindSafe) -> Result<(), String> {
	std::panic::catch_unwind(f).map_err(|panic| {
		panic
			.downcast_ref::<String>()
			.cloned()
			.or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
			.unwrap_or_default()
	})
}

/// Close the block opened by [`open_block`], running every `on_finalize` hook.
pub fn close_block() -> Header {
	let header = Executive::finalize_block();
	LAST_HEADER.with(|h| *h.borrow_mut() = Some(header.clone()));
	header
}

/// Build `per_relay` blocks on each of `relays` consecutive relay chain blocks from
/// `first_relay`, evenly spaced in the 6 s relay slot, calling `each(relay, i)` in every
/// block, after its inherents and post-inherent hooks, before it closes.
pub fn run_relay_blocks(first_relay: u32, relays: u32, per_relay: u32, mut each: impl FnMut(u32, u32)) {
	for relay in first_relay..first_relay + relays {
		for i in 0..per_relay {
			let slot = relay as u64;
			open_block_at(RelayView {
				slot,
				timestamp_ms: slot * SLOT_DURATION + i as u64 * SLOT_DURATION / per_relay as u64,
				relay_number: relay,
				dev_marker: false,
			});
			// As a block builder does before the first transaction: the post-inherent
			// hooks (coverage's clock, session rotation) run.
			Executive::inherents_applied();
			each(relay, i);
			close_block();
		}
	}
}

/// `owner`'s `register_device` call for a device with hardware key `hardware`, under the
/// dev manufacturer (its root is the Ed25519 key of //Alice) with a compact certificate,
/// bound to the genesis block. The owner must have bonded the device bond.
pub fn compact_registration(
	owner: Sr25519Keyring,
	hardware: &sp_core::ed25519::Pair,
	key: machina_primitives::OperationalKey,
	location: Option<machina_primitives::H3Cell>,
) -> RuntimeCall {
	use pallet_device_registry::{Attestation, CompactCertificate, HardwareSignature, PublicKey};
	use sp_core::Pair;
	let id = machina_primitives::device_id_of(&hardware.public().0);
	let mut cert = CompactCertificate {
		manufacturer: 0,
		hardware_key: PublicKey::Ed25519(hardware.public().0),
		model: frame_support::BoundedVec::truncate_from(b"dev-sensor".to_vec()),
		serial: frame_support::BoundedVec::truncate_from(id.0[..8].to_vec()),
		not_before: 0,
		not_after: u64::MAX,
		signature: [0; 64],
	};
	cert.signature = sp_keyring::Ed25519Keyring::Alice.sign(&cert.signing_payload()).0;
	let payload = machina_runtime::DeviceRegistry::registration_payload(0, &owner.to_account_id(), &key, 0);
	RuntimeCall::DeviceRegistry(pallet_device_registry::Call::register_device {
		attestation: Attestation::Compact { root: 0, certificate: cert },
		operational_key: key,
		location,
		reference_block: 0,
		hw_signature: HardwareSignature::Ed25519(hardware.sign(&payload).0),
	})
}
