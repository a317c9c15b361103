//! `machina-node heartbeat`: a device's direct heartbeat from Rust, built with the node's
//! own transaction types (`machina_runtime::UncheckedExtrinsic::new_bare`) and submitted
//! over the node's JSON-RPC (HTTP), the way device firmware or a gateway would.
//!
//! Two signed anchors for one slot are slashable evidence, and the RPC node is not
//! trusted, so the client keeps slashing protection the way validators do:
//! - it reads the slot at the **best** head: on a relay-chain network finality lags more
//!   than a slot (~32 s against 30 s on the local zombienet network), so a client that
//!   waited for the finalized head would sign only slots that have ended. A fork may show
//!   it another anchor for the slot; the signing log below refuses to sign it;
//! - it builds the slot message itself (domain tag, genesis hash, epoch, slot, anchor)
//!   and never signs bytes the node hands it (the node's copy is only compared);
//! - before signing it appends `(epoch, slot, anchor)` to a signing log on disk and never
//!   signs a second anchor for a slot in the log, whatever the node claims.
//!
//! It signs the slot message followed by the device id with the operational key, submits
//! the bare, feeless extrinsic and waits until the runtime API shows it counted. When the
//! slot is already counted (the pool answers `Custom error: 6`) it waits for the next one.

use crate::rpc_client::{hex, unhex, Rpc};
use codec::Encode;
use machina_runtime::{RuntimeCall, UncheckedExtrinsic};
use pallet_coverage::{
	DeviceSignature, DeviceUptime, EpochIndex, EpochInfo, HeartbeatRejection, SlotIndex, SlotMessage, HEARTBEAT_TAG,
};
use sp_core::{ed25519, sr25519, Pair, H256};
use std::{
	io::Write,
	path::PathBuf,
	time::{Duration, Instant},
};

/// The operational key's signature scheme.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Scheme {
	Sr25519,
	Ed25519,
}

/// Sign and submit one direct heartbeat for a device, and wait until it is counted.
#[derive(Debug, clap::Parser)]
pub struct HeartbeatCmd {
	/// The node's RPC endpoint (`http://` or `ws://`, same port).
	#[arg(long, default_value = "http://127.0.0.1:9944")]
	pub rpc: String,
	/// The device id (0x-prefixed hex, 32 bytes).
	#[arg(long)]
	pub device: String,
	/// The device's operational key as a secret URI (`//Charlie`, a hex seed, a mnemonic).
	#[arg(long)]
	pub key: String,
	/// The operational key's scheme.
	#[arg(long, value_enum, default_value = "sr25519")]
	pub scheme: Scheme,
	/// Give up after this many seconds.
	#[arg(long, default_value_t = 120)]
	pub timeout: u64,
	/// The chain's genesis hash, pinned (default: asked of the node, which is then trusted
	/// for it).
	#[arg(long)]
	pub genesis: Option<String>,
	/// The signing log (slashing protection): every `(epoch, slot, anchor)` this device
	/// signed. Default: `$HOME/.machina/heartbeats-<device>.log`.
	#[arg(long)]
	pub signing_log: Option<PathBuf>,
}

type Result<T> = std::result::Result<T, String>;

impl HeartbeatCmd {
	pub fn run(&self) -> Result<()> {
		let rpc = Rpc::new(&self.rpc)?;
		let device = H256::from_slice(&unhex(&self.device).filter(|b| b.len() == 32).ok_or("--device: 32 bytes hex")?);
		let sign: Box<dyn Fn(&[u8]) -> DeviceSignature> = match self.scheme {
			Scheme::Sr25519 => {
				let pair = sr25519::Pair::from_string(&self.key, None).map_err(|e| format!("--key: {e:?}"))?;
				Box::new(move |m| DeviceSignature::Sr25519(pair.sign(m)))
			},
			Scheme::Ed25519 => {
				let pair = ed25519::Pair::from_string(&self.key, None).map_err(|e| format!("--key: {e:?}"))?;
				Box::new(move |m| DeviceSignature::Ed25519(pair.sign(m)))
			},
		};
		let genesis = match &self.genesis {
			Some(g) => unhex(g).filter(|b| b.len() == 32).ok_or("--genesis: 32 bytes hex")?,
			None => {
				let hash = rpc.call("chain_getBlockHash", serde_json::json!([0]))?;
				hash.as_str().and_then(unhex).filter(|b| b.len() == 32).ok_or("chain_getBlockHash(0): not a hash")?
			},
		};
		let genesis = H256::from_slice(&genesis);
		let log = SigningLog::open(self.signing_log.clone(), device)?;
		let deadline = Instant::now() + Duration::from_secs(self.timeout);
		let mut counted_slot = None;
		while Instant::now() < deadline {
			let at: String = serde_json::from_value(rpc.call("chain_getBlockHash", serde_json::json!([]))?)
				.map_err(|e| e.to_string())?;
			let info = rpc
				.runtime_call::<Option<EpochInfo>>("CoverageApi_epoch_info", &[], &at)?
				.ok_or("the coverage clock is not running")?;
			if counted_slot == Some((info.epoch, info.slot)) {
				std::thread::sleep(Duration::from_millis(500));
				continue;
			}
			// The message, built here; the runtime's copy must agree (a node that disagrees
			// is on another chain, or lying).
			let slot_message =
				SlotMessage { tag: HEARTBEAT_TAG, genesis, epoch: info.epoch, slot: info.slot, anchor: info.anchor }
					.encode();
			let theirs: Option<Vec<u8>> =
				rpc.runtime_call("CoverageApi_heartbeat_message", &(info.epoch, info.slot).encode(), &at)?;
			if theirs.as_ref() != Some(&slot_message) {
				return Err(format!(
					"the node's slot message for epoch {} slot {} is not this chain's (genesis {genesis:?})",
					info.epoch, info.slot
				));
			}
			if !log.record(info.epoch, info.slot, info.anchor)? {
				eprintln!(
					"epoch {} slot {}: already signed another anchor for this slot; refusing, waiting for the next",
					info.epoch, info.slot
				);
				counted_slot = Some((info.epoch, info.slot));
				continue;
			}
			let mut message = slot_message;
			message.extend_from_slice(device.as_bytes());
			let before = self.slots(&rpc, device, info.epoch, &at)?;
			let call = RuntimeCall::Coverage(pallet_coverage::Call::heartbeat {
				device,
				epoch: info.epoch,
				slot: info.slot,
				signature: sign(&message),
			});
			let xt = UncheckedExtrinsic::new_bare(call);
			match rpc.call("author_submitExtrinsic", serde_json::json!([hex(&xt.encode())])) {
				Ok(hash) => {
					let hash = hash.as_str().unwrap_or_default().to_string();
					return self.wait_counted(&rpc, device, info.epoch, info.slot, before, &hash, deadline);
				},
				Err(e) if e.contains(&format!("Custom error: {}", HeartbeatRejection::AlreadyCounted as u8)) => {
					eprintln!("epoch {} slot {}: already counted, waiting for the next slot", info.epoch, info.slot);
					counted_slot = Some((info.epoch, info.slot));
				},
				// The slot ended between reading it and submitting: try the next one.
				Err(e) if e.contains(&format!("Custom error: {}", HeartbeatRejection::WrongSlot as u8)) => {},
				Err(e) => return Err(format!("the node refused the heartbeat: {e}")),
			}
		}
		Err("timed out".into())
	}

	fn slots(&self, rpc: &Rpc, device: H256, epoch: EpochIndex, at: &str) -> Result<u32> {
		let uptime: Option<DeviceUptime> = rpc.runtime_call("CoverageApi_uptime", &(device, epoch).encode(), at)?;
		Ok(uptime.map_or(0, |u| u.slots))
	}

	#[allow(clippy::too_many_arguments)]
	fn wait_counted(
		&self,
		rpc: &Rpc,
		device: H256,
		epoch: EpochIndex,
		slot: SlotIndex,
		before: u32,
		hash: &str,
		deadline: Instant,
	) -> Result<()> {
		while Instant::now() < deadline {
			let at: String = serde_json::from_value(rpc.call("chain_getFinalizedHead", serde_json::json!([]))?)
				.map_err(|e| e.to_string())?;
			let slots = self.slots(rpc, device, epoch, &at)?;
			if slots > before {
				println!(
					"counted device=0x{} epoch={epoch} slot={slot} slots_in_epoch={slots} extrinsic={hash}",
					hex::encode(device)
				);
				return Ok(());
			}
			std::thread::sleep(Duration::from_millis(500));
		}
		Err(format!("submitted {hash} for epoch {epoch} slot {slot}, but it was not counted in time"))
	}
}

/// Slashing protection: the anchors this device signed, one line per slot, on disk before
/// the signature exists.
struct SigningLog {
	path: PathBuf,
}

impl SigningLog {
	fn open(path: Option<PathBuf>, device: H256) -> Result<Self> {
		let path = match path {
			Some(path) => path,
			None => {
				let home = std::env::var_os("HOME").ok_or("no $HOME: pass --signing-log")?;
				PathBuf::from(home).join(".machina").join(format!("heartbeats-{}.log", hex::encode(device)))
			},
		};
		if let Some(dir) = path.parent() {
			std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
		}
		Ok(Self { path })
	}

	/// Record `anchor` for `(epoch, slot)`; false if another anchor was signed for it.
	fn record(&self, epoch: EpochIndex, slot: SlotIndex, anchor: H256) -> Result<bool> {
		let text = std::fs::read_to_string(&self.path).unwrap_or_default();
		let key = format!("{epoch} {slot} ");
		let line = format!("{key}{}", hex(anchor.as_bytes()));
		if let Some(signed) = text.lines().find(|l| l.starts_with(&key)) {
			return Ok(signed == line);
		}
		let mut file = std::fs::OpenOptions::new()
			.create(true)
			.append(true)
			.open(&self.path)
			.map_err(|e| format!("{}: {e}", self.path.display()))?;
		writeln!(file, "{line}").and_then(|_| file.sync_all()).map_err(|e| format!("{}: {e}", self.path.display()))?;
		Ok(true)
	}
}
