//! Machina on a local relay chain: `zombienet/machina-local.toml` spawned with the native
//! provider and the real binaries (relay validators Alice and Bob, collators
//! `machina-alice` and `machina-bob`). One network, four scenarios in order:
//!
//! 1. the parachain is registered on the relay and its blocks are produced and finalized;
//! 2. a collator is killed (SIGKILL): blocks keep coming and finalizing with the other;
//!    it restarts on its database and catches up;
//! 3. a device registers with a real X.509 chain (the registry's P-256 fixtures, a
//!    manufacturer root registered by a `device_admin` referendum: there is no sudo; the
//!    node's runtime has `fast-runtime` periods) after its owner bonds, all through
//!    signed extrinsics, and the runtime APIs show it active and the bond committed;
//! 4. the runtime is upgraded, by a root referendum that authorizes the code hash and a
//!    feeless `apply_authorized_upgrade` from another account, to the same code as
//!    spec version + 1 (`machina-runtime --features next-spec-version`, built by
//!    `scripts/zombienet-setup.sh`): the relay chain enacts it, blocks go on finalizing,
//!    its multi-block migration completes and is recorded, and the device registry's,
//!    micro-bonds' and intents' storage (but their clocks) and Charlie's account are the
//!    same as before.
//!
//! Needs the binaries of `scripts/zombienet-setup.sh`; run by `scripts/e2e.sh`:
//! `cargo test -p machina-zombienet --test network -- --nocapture`.

use std::time::{Duration, Instant};

use anyhow::ensure;
use codec::{Decode, Encode};
use frame_support::{Blake2_256, StorageHasher, Twox128};
use machina_primitives::{device_id_of, BondPurpose, DeviceId, DeviceStatus, OperationalKey};
use machina_runtime::{
	configs::{device_registry::DeviceBond, governance::origins::Origin},
	AccountId, Balance, BlockNumber, OriginCaller, RuntimeCall,
};
use machina_zombienet::{
	best_number, client, finalized_number, para_lifecycle, spawn, wait_finalized, Options, RawCall, COLLATORS, PARA_ID,
	VALIDATORS,
};
use pallet_device_registry::{fixtures, Attestation, DeviceView, PublicKey};
use sp_keyring::Sr25519Keyring;
use zombienet_sdk::{
	subxt::{
		self,
		blocks::ExtrinsicEvents,
		ext::subxt_rpcs::{rpc_params, RpcClient},
		utils::H256,
		OnlineClient, PolkadotConfig,
	},
	subxt_signer::sr25519::{dev, Keypair},
	LocalFileSystem, Network,
};

type Client = OnlineClient<PolkadotConfig>;

/// Sign `call` as `signer`, submit it and wait until it is finalized and succeeded.
async fn submit(
	client: &Client,
	call: RuntimeCall,
	signer: &Keypair,
) -> anyhow::Result<ExtrinsicEvents<PolkadotConfig>> {
	let progress = client.tx().sign_and_submit_then_watch_default(&RawCall(call.encode()), signer).await?;
	Ok(progress.wait_for_finalized_success().await?)
}

/// The dev stash accounts (`//Alice//stash` ...): they vote in [`referendum`].
fn stashes() -> anyhow::Result<Vec<Keypair>> {
	["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"]
		.iter()
		.map(|name| {
			let uri: zombienet_sdk::subxt_signer::SecretUri = format!("//{name}//stash").parse()?;
			Ok(Keypair::from_uri(&uri)?)
		})
		.collect()
}

/// Pass `call` with `origin` by a public referendum, with signed extrinsics: Alice's
/// stash notes the preimage, submits and places the decision deposit in one batch, the
/// six stash accounts (46 % of the issuance) vote aye; then wait, for at most five
/// minutes, for the enacted call's `(pallet, event, field)` in a finalized block and
/// return the field (a number; 0 for an empty `field`: the event alone).
async fn referendum(
	client: &Client,
	origin: OriginCaller,
	call: RuntimeCall,
	(pallet, variant, field): (&str, &str, &str),
	start: Instant,
) -> anyhow::Result<u128> {
	let index: u32 = {
		let key = subxt::dynamic::storage("Referenda", "ReferendumCount", ());
		let at = client.storage().at_latest().await?;
		at.fetch(&key).await?.map(|v| v.as_type::<u32>()).transpose()?.unwrap_or(0)
	};
	let encoded = call.encode();
	let hash = Blake2_256::hash(&encoded);
	let proposal = frame_support::traits::Bounded::<RuntimeCall, sp_runtime::traits::BlakeTwo256>::Lookup {
		hash: hash.into(),
		len: encoded.len() as u32,
	};
	let open = RuntimeCall::Utility(pallet_utility::Call::batch_all {
		calls: vec![
			RuntimeCall::Preimage(pallet_preimage::Call::note_preimage { bytes: encoded }),
			RuntimeCall::Referenda(pallet_referenda::Call::submit {
				proposal_origin: Box::new(origin),
				proposal,
				enactment_moment: frame_support::traits::schedule::DispatchTime::After(0),
			}),
			RuntimeCall::Referenda(pallet_referenda::Call::place_decision_deposit { index }),
		],
	});
	let voters = stashes()?;
	submit(client, open, &voters[0]).await?;
	log(start, format!("referendum {index} submitted, decision deposit placed"));
	let votes = voters.iter().map(|voter| {
		let vote = RuntimeCall::ConvictionVoting(pallet_conviction_voting::Call::vote {
			poll_index: index,
			vote: pallet_conviction_voting::AccountVote::Standard {
				vote: pallet_conviction_voting::Vote {
					aye: true,
					conviction: pallet_conviction_voting::Conviction::None,
				},
				balance: 999_000 * machina_runtime::UNIT,
			},
		});
		submit(client, vote, voter)
	});
	for result in futures::future::join_all(votes).await {
		result?;
	}
	log(start, format!("referendum {index}: six ayes"));
	let mut blocks = client.blocks().subscribe_finalized().await?;
	let deadline = Instant::now() + Duration::from_secs(300);
	while Instant::now() < deadline {
		let Some(block) = tokio::time::timeout(Duration::from_secs(60), blocks.next()).await?.transpose()? else {
			break;
		};
		for event in block.events().await?.iter() {
			let event = event?;
			if event.pallet_name() == "Referenda"
				&& ["Rejected", "TimedOut", "Cancelled", "Killed"].contains(&event.variant_name())
			{
				anyhow::bail!("referendum {index}: {}", event.variant_name());
			}
			if event.pallet_name() == pallet && event.variant_name() == variant && field.is_empty() {
				log(start, format!("referendum {index} enacted in finalized #{}", block.number()));
				return Ok(0);
			}
			if event.pallet_name() == pallet && event.variant_name() == variant {
				let fields = event.field_values()?;
				let subxt::ext::scale_value::Composite::Named(named) = fields else { continue };
				if let Some(value) = named.into_iter().find(|(name, _)| name == field).and_then(|(_, v)| v.as_u128()) {
					log(start, format!("referendum {index} enacted in finalized #{}", block.number()));
					return Ok(value);
				}
			}
		}
	}
	anyhow::bail!("referendum {index} was not enacted within five minutes")
}

/// A runtime API call at the latest finalized block, decoded with the runtime's types.
async fn runtime_api<R: Decode>(client: &Client, function: &str, args: impl Encode) -> anyhow::Result<R> {
	let at = client.backend().latest_finalized_block_ref().await?.hash();
	let bytes = client.runtime_api().at(at).call_raw(function, Some(args.encode().as_slice())).await?;
	Ok(R::decode(&mut &bytes[..])?)
}

fn log(start: Instant, message: impl AsRef<str>) {
	println!("[{:>6.1} s] {}", start.elapsed().as_secs_f64(), message.as_ref());
}

#[tokio::test(flavor = "multi_thread")]
async fn machina_on_a_local_relay_chain() -> anyhow::Result<()> {
	let start = Instant::now();
	let network = spawn(&Options::default()).await?;
	log(start, format!("spawned in {:?}", network.base_dir()));
	let outcome = scenarios(&network, start).await;
	if outcome.is_err() {
		println!("node logs are under {:?}", network.base_dir());
	}
	network.destroy().await.map_err(|e| anyhow::anyhow!("destroying the network: {e}"))?;
	outcome
}

async fn scenarios(network: &Network<LocalFileSystem>, start: Instant) -> anyhow::Result<()> {
	let relay = client(network.get_node(VALIDATORS[0])?).await?;
	let alice = client(network.get_node(COLLATORS[0])?).await?;

	// 1. Registered, producing, finalizing.
	let finalized = wait_finalized(&alice, 3, Duration::from_secs(600)).await?;
	log(start, format!("Machina finalized #{finalized}"));
	let lifecycle = para_lifecycle(&relay, PARA_ID).await?;
	ensure!(lifecycle.as_deref() == Some("Parachain"), "para {PARA_ID} on the relay: {lifecycle:?}");
	let relay_finalized = finalized_number(&relay).await?;
	log(start, format!("para {PARA_ID} is a parachain; relay finalized #{relay_finalized}"));

	// 2. Kill one collator; the other keeps the chain going; the first catches up.
	collator_killed_and_restarted(network, &alice, start).await?;

	// 3. A device, registered with a real certificate chain and bonded, on the network.
	device_registered_and_bonded(&alice, start).await?;

	// 4. A runtime upgrade by referendum keeps all of it.
	let alice_rpc = RpcClient::from_insecure_url(network.get_node(COLLATORS[0])?.ws_uri()).await?;
	runtime_upgraded_by_referendum(&alice, &alice_rpc, start).await
}

async fn collator_killed_and_restarted(
	network: &Network<LocalFileSystem>,
	alice: &Client,
	start: Instant,
) -> anyhow::Result<()> {
	let bob_node = network.get_node(COLLATORS[1])?;
	let before = finalized_number(alice).await?;
	// zombienet names each node on its command line (`--name <node>`).
	let killed = std::process::Command::new("pkill")
		.args(["-KILL", "-f", "--", &format!("--name {} ", COLLATORS[1])])
		.status()?;
	ensure!(killed.success(), "no {} process to kill", COLLATORS[1]);
	tokio::time::sleep(Duration::from_secs(2)).await;
	ensure!(!bob_node.is_responsive().await, "{} still answers after SIGKILL", COLLATORS[1]);
	log(start, format!("killed {} at finalized #{before}", COLLATORS[1]));

	// Blocks built after the kill, by machina-alice alone, get finalized: the best block
	// at the kill plus two.
	let best_at_kill = best_number(alice).await?;
	let reached = wait_finalized(alice, best_at_kill + 2, Duration::from_secs(300)).await?;
	log(start, format!("with one collator (best #{best_at_kill} at the kill), Machina finalized #{reached}"));

	bob_node.restart(None).await?;
	let bob = client(bob_node).await?;
	let target = finalized_number(alice).await?;
	let caught_up = wait_finalized(&bob, target, Duration::from_secs(300)).await?;
	let bob_best = best_number(&bob).await?;
	log(start, format!("{} restarted and caught up: finalized #{caught_up}, best #{bob_best}", COLLATORS[1]));
	// Its blocks count again: the chain goes on past the restart.
	let after = wait_finalized(alice, caught_up + 2, Duration::from_secs(300)).await?;
	log(start, format!("Machina finalized #{after} with both collators"));
	Ok(())
}

async fn device_registered_and_bonded(alice: &Client, start: Instant) -> anyhow::Result<()> {
	let owner = Sr25519Keyring::Charlie;
	let owner_account: AccountId = owner.to_account_id();

	// A `device_admin` referendum registers the manufacturer of the fixtures' chains.
	let register_manufacturer = RuntimeCall::DeviceRegistry(pallet_device_registry::Call::register_manufacturer {
		name: b"Acme Sensors".to_vec().try_into().expect("short name"),
		roots: vec![PublicKey::P256(*fixtures::acme::ROOT_PUB)].try_into().expect("one root"),
	});
	let acme = referendum(
		alice,
		OriginCaller::Origins(Origin::DeviceAdmin),
		register_manufacturer,
		("DeviceRegistry", "ManufacturerRegistered", "manufacturer"),
		start,
	)
	.await? as u32;
	log(start, format!("manufacturer {acme} (Acme Sensors, a P-256 root) registered by a device_admin referendum"));

	// The owner bonds the runtime's real device bond.
	let bond = RuntimeCall::MicroBonds(pallet_micro_bonds::Call::bond {
		purpose: BondPurpose::Device,
		amount: DeviceBond::get(),
	});
	submit(alice, bond, &dev::charlie()).await?;
	let bonded: Option<(Balance, Balance)> =
		runtime_api(alice, "MicroBondsApi_bond", (&owner_account, BondPurpose::Device)).await?;
	ensure!(bonded == Some((DeviceBond::get(), 0)), "bonded, nothing committed yet: {bonded:?}");
	log(start, format!("{owner:?} bonded {} planck", DeviceBond::get()));

	// The device signs the registration payload of a recent finalized block with its
	// certified P-256 key; the chain is leaf → 3 intermediates → Acme's root.
	let (certs, key_der) = fixtures::acme::chain_of(4);
	let secret = fixtures::p256_secret(key_der);
	let operational_key = OperationalKey::Sr25519(owner.public());
	// The parent of the finalized block: a block's own hash enters `System::BlockHash`
	// only when its child is built, so the finalized state does not know it yet.
	let reference_block = finalized_number(alice).await? as BlockNumber - 1;
	let payload: Vec<u8> = runtime_api(
		alice,
		"DeviceRegistryApi_registration_payload",
		(acme, &owner_account, &operational_key, reference_block),
	)
	.await?;
	let register = RuntimeCall::DeviceRegistry(pallet_device_registry::Call::register_device {
		attestation: Attestation::X509 { manufacturer: acme, root: 0, chain: fixtures::chain(certs) },
		operational_key,
		location: None,
		reference_block,
		hw_signature: fixtures::sign_p256(&secret, &payload),
	});
	let events = submit(alice, register, &dev::charlie()).await?;
	ensure!(
		events.iter().flatten().any(|e| e.pallet_name() == "DeviceRegistry" && e.variant_name() == "DeviceRegistered"),
		"no DeviceRegistered event"
	);

	let id: DeviceId = device_id_of(fixtures::p256_public(&secret).as_bytes());
	let view: Option<DeviceView<AccountId, Balance, BlockNumber>> =
		runtime_api(alice, "DeviceRegistryApi_device", id).await?;
	let view = view.ok_or_else(|| anyhow::anyhow!("device {id:?} not found after DeviceRegistered"))?;
	ensure!(view.device.owner == owner_account, "owner {:?}", view.device.owner);
	ensure!(view.status == DeviceStatus::Active, "status {:?}", view.status);
	ensure!(view.device.manufacturer == acme, "manufacturer {}", view.device.manufacturer);
	ensure!(
		view.device.certificates.len() == 4,
		"{} certificates kept, not the whole chain",
		view.device.certificates.len()
	);
	let bonded: Option<(Balance, Balance)> =
		runtime_api(alice, "MicroBondsApi_bond", (&owner_account, BondPurpose::Device)).await?;
	ensure!(bonded == Some((DeviceBond::get(), DeviceBond::get())), "the device bond is not committed: {bonded:?}");
	log(start, format!("device {id:?} registered with a 4-certificate X.509 chain, active, bond committed"));
	Ok(())
}

/// The wasm of the next spec version: `MACHINA_NEXT_RUNTIME`, or where
/// `scripts/zombienet-setup.sh` puts it.
fn next_runtime() -> anyhow::Result<Vec<u8>> {
	let path = std::env::var("MACHINA_NEXT_RUNTIME")
		.map(std::path::PathBuf::from)
		.unwrap_or_else(|_| machina_zombienet::binaries_dir().join("machina-runtime-next.compact.compressed.wasm"));
	std::fs::read(&path).map_err(|e| anyhow::anyhow!("{path:?} ({e}): run scripts/zombienet-setup.sh"))
}

/// Every key and value under `prefix` (a pallet's twox-128 name) at block `at`.
async fn storage_under(
	rpc: &RpcClient,
	prefix: &[u8],
	at: H256,
) -> anyhow::Result<std::collections::BTreeMap<String, Option<String>>> {
	let prefix = format!("0x{}", hex(prefix));
	let mut all = std::collections::BTreeMap::new();
	let mut start: Option<String> = None;
	loop {
		let keys: Vec<String> =
			rpc.request("state_getKeysPaged", rpc_params![&prefix, 1000, start.clone(), at]).await?;
		if keys.is_empty() {
			return Ok(all);
		}
		let changes: Vec<serde_json::Value> =
			rpc.request("state_queryStorageAt", rpc_params![keys.clone(), at]).await?;
		ensure!(!changes.is_empty(), "state_queryStorageAt returned nothing for {} keys", keys.len());
		for (key, value) in
			changes.first().and_then(|c| c["changes"].as_array()).into_iter().flatten().filter_map(|kv| {
				let pair = kv.as_array()?;
				Some((pair.first()?.as_str()?.to_string(), pair.get(1)?.as_str().map(str::to_string)))
			}) {
			all.insert(key, value);
		}
		start = keys.last().cloned();
	}
}

fn hex(bytes: &[u8]) -> String {
	bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The spec version of the runtime at block `at`.
async fn spec_version(rpc: &RpcClient, at: H256) -> anyhow::Result<u64> {
	let version: serde_json::Value = rpc.request("state_getRuntimeVersion", rpc_params![at]).await?;
	version["specVersion"].as_u64().ok_or_else(|| anyhow::anyhow!("no specVersion in {version}"))
}

/// The storage values that are clocks, advanced by the pallets' hooks in ordinary blocks.
const CLOCKS: [(&str, &str); 3] =
	[("Intents", "CurrentRound"), ("Intents", "ExpiryCursor"), ("MicroBonds", "PruneCursor")];

/// The state an upgrade must keep: the domain pallets' storage but their clocks, and
/// Charlie's account.
async fn kept_state(rpc: &RpcClient, at: H256) -> anyhow::Result<std::collections::BTreeMap<String, Option<String>>> {
	let mut state = std::collections::BTreeMap::new();
	for pallet in ["DeviceRegistry", "MicroBonds", "Intents"] {
		state.extend(storage_under(rpc, &Twox128::hash(pallet.as_bytes()), at).await?);
	}
	for (pallet, item) in CLOCKS {
		let key = [Twox128::hash(pallet.as_bytes()), Twox128::hash(item.as_bytes())].concat();
		state.remove(&format!("0x{}", hex(&key)));
	}
	let charlie =
		frame_system::Account::<machina_runtime::Runtime>::hashed_key_for(Sr25519Keyring::Charlie.to_account_id());
	let account: Option<String> =
		rpc.request("state_getStorage", rpc_params![format!("0x{}", hex(&charlie)), at]).await?;
	state.insert("System::Account(Charlie)".into(), account);
	Ok(state)
}

async fn runtime_upgraded_by_referendum(alice: &Client, rpc: &RpcClient, start: Instant) -> anyhow::Result<()> {
	let code = next_runtime()?;
	let code_hash = Blake2_256::hash(&code);
	let finalized = alice.backend().latest_finalized_block_ref().await?.hash();
	let spec_before = spec_version(rpc, finalized).await?;
	log(
		start,
		format!("upgrading spec {spec_before} to a {} KiB wasm, code hash 0x{}", code.len() / 1024, hex(&code_hash)),
	);

	let before = kept_state(rpc, finalized).await?;
	ensure!(before.len() > 10, "too little state to compare: {} keys", before.len());
	log(start, format!("{} keys of state to keep", before.len()));

	let authorize = RuntimeCall::System(frame_system::Call::authorize_upgrade { code_hash: code_hash.into() });
	referendum(
		alice,
		OriginCaller::system(frame_system::RawOrigin::Root),
		authorize,
		("System", "UpgradeAuthorized", ""),
		start,
	)
	.await?;
	// Anyone may apply the authorized code; it pays no fee.
	let apply = RuntimeCall::System(frame_system::Call::apply_authorized_upgrade { code });
	let events = submit(alice, apply, &dev::eve()).await?;
	ensure!(
		events
			.iter()
			.flatten()
			.any(|e| e.pallet_name() == "ParachainSystem" && e.variant_name() == "ValidationFunctionStored"),
		"no ValidationFunctionStored event"
	);
	log(start, "code applied; waiting for the relay chain to enact it");

	// The relay chain signals the upgrade after its delay; the next block runs the new code.
	let mut blocks = alice.blocks().subscribe_finalized().await?;
	let deadline = Instant::now() + Duration::from_secs(600);
	let mut upgraded_at = None;
	let mut migrated = false;
	while Instant::now() < deadline && !(upgraded_at.is_some() && migrated) {
		let Some(block) = tokio::time::timeout(Duration::from_secs(60), blocks.next()).await?.transpose()? else {
			break;
		};
		for event in block.events().await?.iter() {
			let event = event?;
			match (event.pallet_name(), event.variant_name()) {
				("ParachainSystem", "ValidationFunctionApplied") => {
					log(start, format!("new code enacted in finalized #{}", block.number()));
					upgraded_at = Some(block.hash());
				},
				("MultiBlockMigrations", "UpgradeCompleted") => {
					log(start, format!("multi-block migrations completed in finalized #{}", block.number()));
					migrated = true;
				},
				("MultiBlockMigrations", "UpgradeFailed") => anyhow::bail!("a multi-block migration failed"),
				_ => {},
			}
		}
	}
	ensure!(upgraded_at.is_some(), "the upgrade was not enacted within ten minutes");
	ensure!(migrated, "the multi-block migrations did not complete");

	let now = alice.backend().latest_finalized_block_ref().await?.hash();
	let spec_after = spec_version(rpc, now).await?;
	ensure!(spec_after == spec_before + 1, "spec {spec_after} after the upgrade, expected {}", spec_before + 1);
	let after = kept_state(rpc, now).await?;
	let changed: Vec<&String> = before.keys().chain(after.keys()).filter(|k| before.get(*k) != after.get(*k)).collect();
	ensure!(changed.is_empty(), "the upgrade changed {} keys: {changed:?}", changed.len());
	// The spec-8 multi-block migration ran (on an empty prefix: this chain never had sudo)
	// and is recorded, so it never runs again.
	let historic = storage_under(rpc, &Twox128::hash(b"MultiBlockMigrations"), now).await?;
	let id = <machina_runtime::migrations::RemoveSudo as frame_support::migrations::SteppedMigration>::id();
	ensure!(historic.keys().any(|k| k.ends_with(&hex(&id.encode()))), "RemoveSudo not in Historic: {historic:?}");
	ensure!(storage_under(rpc, &Twox128::hash(b"Sudo"), now).await?.is_empty(), "keys left under Sudo");
	let number = finalized_number(alice).await?;
	let reached = wait_finalized(alice, number + 3, Duration::from_secs(120)).await?;
	log(start, format!("spec {spec_after}: state kept ({} keys), finalized #{reached}", after.len()));
	Ok(())
}
