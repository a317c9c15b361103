//! `machina-solver`: the reference solver for Machina's intents auctions.
//!
//! Each round it reads, over a node's JSON-RPC, the open intents of every swap market and
//! the offers and purchases of the service classes it is told to watch; for each market it
//! computes a batch at one uniform clearing price, asks the runtime to check it
//! (`IntentsApi_check_solution`: the same checks as a submission, without a slash), and
//! submits the best valid batch per market as a signed `Intents::submit_solution`.
//!
//! - Swap markets: every intent's limit price is a candidate clearing price; at each, the
//!   batch is the crossing intents balanced exactly (`pallet_intents::solver`); the
//!   highest-scoring valid batch wins.
//! - Service markets (class, asset): purchases by highest price, offers by lowest,
//!   matched while they cross and the device passes the purchase's filter
//!   (`IntentsApi_device_passes`); the price is the highest matched offer's minimum, which
//!   every matched purchase accepts.
//!
//! The solver must be registered (`Intents::register_solver`, with a `Solver` bond in
//! micro-bonds): a batch that breaks a rule would cost it a tenth of its bond, which is
//! why it submits only what the runtime's dry run calls valid.

#[path = "../rpc_client.rs"]
mod rpc_client;

use clap::Parser;
use codec::Encode;
use machina_runtime::{configs::assets::AssetKind, AccountId, Balance, RuntimeCall, TxExtension, UncheckedExtrinsic};
use pallet_intents::{
	runtime_api::SolutionCheck, ClearingPrice, DeviceFilter, Fill, Intent, IntentId, Market, MarketId, RoundInfo,
	ServiceClass, ServiceMatch, ServiceOffer, ServicePrice, ServicePurchase, Side, Solution,
};
use rpc_client::{hex, unhex, Rpc};
use sp_core::{sr25519, Pair, H256};
use sp_runtime::{generic::Era, MultiSignature, Permill};
use std::{
	collections::BTreeMap,
	time::{Duration, Instant},
};

type Result<T> = std::result::Result<T, String>;
/// The solver's own solutions are plain vectors; the runtime's bounds apply on submission.
type Unbounded = sp_core::ConstU32<{ u32::MAX }>;

#[derive(Debug, Parser)]
#[command(name = "machina-solver", about = "Batch-auction solver for Machina intents")]
struct Args {
	/// The node's RPC endpoint (`http://` or `ws://`, same port).
	#[arg(long, default_value = "http://127.0.0.1:9944")]
	rpc: String,
	/// The solver account's secret URI (sr25519).
	#[arg(long, default_value = "//Ferdie")]
	key: String,
	/// Swap markets scanned: ids below this.
	#[arg(long, default_value_t = 64)]
	markets: MarketId,
	/// Service classes watched (comma-separated).
	#[arg(long, value_delimiter = ',')]
	classes: Vec<ServiceClass>,
	/// Stop after submitting in this many rounds (default: run until killed).
	#[arg(long)]
	rounds: Option<u32>,
	/// Give up after this many seconds without finishing `--rounds`.
	#[arg(long, default_value_t = 600)]
	timeout: u64,
	/// The most candidate prices tried per swap market.
	#[arg(long, default_value_t = 32)]
	max_candidates: usize,
	/// Submit only while more than this many relay blocks are left in the round: a batch
	/// included after its round closed is refused (`WrongRound`, no slash, fee paid).
	#[arg(long, default_value_t = 1)]
	margin: u32,
}

/// A market's proposed batch and its score.
struct Proposal {
	solution: Solution<AssetKind, Unbounded, Unbounded>,
	score: u128,
	label: String,
}

/// What the pallet's bounded solution type holds, as plain vectors.
impl Proposal {
	fn call(&self) -> Result<RuntimeCall> {
		let s = &self.solution;
		let solution = pallet_intents::SolutionOf::<machina_runtime::Runtime> {
			round: s.round,
			fee: s.fee,
			prices: s.prices.to_vec().try_into().map_err(|_| "too many prices")?,
			fills: s.fills.to_vec().try_into().map_err(|_| "too many fills")?,
			service_prices: s.service_prices.to_vec().try_into().map_err(|_| "too many prices")?,
			services: s.services.to_vec().try_into().map_err(|_| "too many matches")?,
		};
		Ok(RuntimeCall::Intents(pallet_intents::Call::submit_solution { solution }))
	}
}

fn main() {
	let args = Args::parse();
	if let Err(e) = run(&args) {
		eprintln!("machina-solver: {e}");
		std::process::exit(1);
	}
}

fn run(args: &Args) -> Result<()> {
	let rpc = Rpc::new(&args.rpc)?;
	let pair = sr25519::Pair::from_string(&args.key, None).map_err(|e| format!("--key: {e:?}"))?;
	let account = AccountId::from(pair.public());
	let genesis = block_hash(&rpc, Some(0))?;
	let deadline = Instant::now() + Duration::from_secs(args.timeout);
	let (mut rounds, mut last_round) = (0u32, None);
	while args.rounds.is_none_or(|n| rounds < n) {
		if Instant::now() > deadline {
			return Err(format!("timed out after {rounds} round(s) with submissions"));
		}
		let at = hex(block_hash(&rpc, None)?.as_bytes());
		let info: RoundInfo<AccountId> = rpc.runtime_call("IntentsApi_round_info", &[], &at)?;
		if last_round == Some(info.round) || info.closes_at.saturating_sub(info.now) <= args.margin {
			std::thread::sleep(Duration::from_millis(500));
			continue;
		}
		let mut proposals = Vec::new();
		for market in 0..args.markets {
			if let Some(p) = swap_proposal(&rpc, &at, market, info.round, args.max_candidates)? {
				proposals.push(p);
			}
		}
		for class in &args.classes {
			proposals.extend(service_proposals(&rpc, &at, *class, info.round)?);
		}
		if proposals.is_empty() {
			std::thread::sleep(Duration::from_millis(500));
			continue;
		}
		let version = rpc.call("state_getRuntimeVersion", serde_json::json!([]))?;
		let spec = version["specVersion"].as_u64().ok_or("specVersion")? as u32;
		let tx = version["transactionVersion"].as_u64().ok_or("transactionVersion")? as u32;
		let mut nonce = rpc
			.call("system_accountNextIndex", serde_json::json!([account.to_string()]))?
			.as_u64()
			.ok_or("system_accountNextIndex")? as u32;
		// Mortal: a solution is worth one round, and a mortal transaction cannot be
		// replayed if the account ever restarts its nonce.
		let header = rpc.call("chain_getHeader", serde_json::json!([at]))?;
		let number = header["number"]
			.as_str()
			.and_then(|n| u64::from_str_radix(n.trim_start_matches("0x"), 16).ok())
			.ok_or("header number")?;
		let era = Era::mortal(MORTALITY, number);
		let birth = block_hash(&rpc, Some(era.birth(number) as u32))?;
		for p in proposals {
			let xt = signed(&pair, p.call()?, nonce, Signing { genesis, era, birth, spec, tx });
			match rpc.call("author_submitExtrinsic", serde_json::json!([hex(&xt)])) {
				Ok(hash) => {
					println!(
						"round={} {} score={} fills={} services={} extrinsic={}",
						info.round,
						p.label,
						p.score,
						p.solution.fills.len(),
						p.solution.services.len(),
						hash.as_str().unwrap_or_default()
					);
					nonce += 1;
				},
				Err(e) => eprintln!("round={} {}: refused: {e}", info.round, p.label),
			}
		}
		last_round = Some(info.round);
		rounds += 1;
	}
	Ok(())
}

fn block_hash(rpc: &Rpc, number: Option<u32>) -> Result<H256> {
	let params = match number {
		Some(n) => serde_json::json!([n]),
		None => serde_json::json!([]),
	};
	let hash = rpc.call("chain_getBlockHash", params)?;
	hash.as_str().and_then(unhex).filter(|b| b.len() == 32).map(|b| H256::from_slice(&b)).ok_or("not a hash".into())
}

/// Blocks a solver's transaction stays valid for: a few rounds of 2 relay blocks.
const MORTALITY: u64 = 32;

/// What a signature commits to besides the call and the nonce.
struct Signing {
	genesis: H256,
	era: Era,
	/// The hash of the block the era starts at.
	birth: H256,
	spec: u32,
	tx: u32,
}

/// `call` signed by `pair` the way a wallet signs it: the runtime's extensions, mortal,
/// no tip, no metadata hash.
fn signed(pair: &sr25519::Pair, call: RuntimeCall, nonce: u32, signing: Signing) -> Vec<u8> {
	let Signing { genesis, era, birth, spec, tx } = signing;
	use machina_runtime::Runtime;
	let ext: TxExtension = machina_runtime::tx_extension((
		frame_system::AuthorizeCall::<Runtime>::new(),
		frame_system::CheckNonZeroSender::<Runtime>::new(),
		frame_system::CheckSpecVersion::<Runtime>::new(),
		frame_system::CheckTxVersion::<Runtime>::new(),
		frame_system::CheckGenesis::<Runtime>::new(),
		frame_system::CheckEra::<Runtime>::from(era),
		frame_system::CheckNonce::<Runtime>::from(nonce),
		frame_system::CheckWeight::<Runtime>::new(),
		pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
		frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
	));
	// What the extensions add to the signed payload without carrying it: spec and
	// transaction versions, the genesis hash, the era's first block, and no metadata hash.
	let implicit = (spec, tx, genesis, birth, Option::<[u8; 32]>::None);
	let mut payload = call.encode();
	ext.encode_to(&mut payload);
	implicit.encode_to(&mut payload);
	let signature =
		if payload.len() > 256 { pair.sign(&sp_io::hashing::blake2_256(&payload)) } else { pair.sign(&payload) };
	UncheckedExtrinsic::new_signed(call, AccountId::from(pair.public()).into(), MultiSignature::Sr25519(signature), ext)
		.encode()
}

/// Every open intent of `market`, paging through the runtime API.
fn open_intents(rpc: &Rpc, at: &str, market: MarketId) -> Result<Vec<(IntentId, Intent<AccountId, Balance>)>> {
	let mut all: Vec<(IntentId, Intent<AccountId, Balance>)> = Vec::new();
	loop {
		let after = all.last().map(|(id, _)| *id);
		let page: Vec<(IntentId, Intent<AccountId, Balance>)> =
			rpc.runtime_call("IntentsApi_open_intents", &(market, after, 256u32).encode(), at)?;
		let done = page.len() < 256;
		all.extend(page);
		if done {
			return Ok(all);
		}
	}
}

fn check(rpc: &Rpc, at: &str, solution: &Solution<AssetKind, Unbounded, Unbounded>) -> Result<SolutionCheck> {
	let args = (
		solution.fee,
		solution.prices.to_vec(),
		solution.fills.to_vec(),
		solution.service_prices.to_vec(),
		solution.services.to_vec(),
	);
	rpc.runtime_call("IntentsApi_check_solution", &args.encode(), at)
}

/// The best valid batch of swap `market`, if anything crosses.
fn swap_proposal(rpc: &Rpc, at: &str, market: MarketId, round: u32, max_candidates: usize) -> Result<Option<Proposal>> {
	let Some(_): Option<Market<AccountId, AssetKind, Balance>> =
		rpc.runtime_call("IntentsApi_market", &market.encode(), at)?
	else {
		return Ok(None);
	};
	let intents = open_intents(rpc, at, market)?;
	// Each limit price is a candidate (quote per base as an integer ratio).
	let mut candidates: Vec<ClearingPrice> = intents
		.iter()
		.map(|(_, i)| match i.side {
			Side::Sell => ClearingPrice { market, base: i.give, quote: i.want },
			Side::Buy => ClearingPrice { market, base: i.want, quote: i.give },
		})
		.collect();
	candidates.dedup();
	candidates.truncate(max_candidates);
	let mut best: Option<Proposal> = None;
	for price in candidates {
		let fills: Vec<Fill> = pallet_intents::solver::batch_at_price(&price, Permill::zero(), &intents);
		if fills.is_empty() {
			continue;
		}
		let solution = Solution {
			round,
			fee: Permill::zero(),
			prices: vec![price].try_into().expect("unbounded"),
			fills: fills.try_into().expect("unbounded"),
			service_prices: Default::default(),
			services: Default::default(),
		};
		if let SolutionCheck::Valid { score, .. } = check(rpc, at, &solution)? {
			if best.as_ref().is_none_or(|b| score > b.score) {
				let label = format!("market={market} price={}/{}", price.quote, price.base);
				best = Some(Proposal { solution, score, label });
			}
		}
	}
	Ok(best)
}

/// One batch per (class, asset) market that has crossing offers and purchases.
fn service_proposals(rpc: &Rpc, at: &str, class: ServiceClass, round: u32) -> Result<Vec<Proposal>> {
	type Offer = ServiceOffer<AccountId, AssetKind, Balance>;
	type Purchase = ServicePurchase<AccountId, AssetKind, Balance>;
	let mut entries: Vec<(IntentId, Option<Offer>, Option<Purchase>)> = Vec::new();
	loop {
		let after = entries.last().map(|(id, _, _)| *id);
		let page: Vec<(IntentId, Option<Offer>, Option<Purchase>)> =
			rpc.runtime_call("IntentsApi_service_intents", &(class, after, 256u32).encode(), at)?;
		let done = page.len() < 256;
		entries.extend(page);
		if done {
			break;
		}
	}
	let mut by_asset: BTreeMap<Vec<u8>, (Vec<(IntentId, Offer)>, Vec<(IntentId, Purchase)>)> = BTreeMap::new();
	for (id, offer, purchase) in entries {
		if let Some(o) = offer {
			by_asset.entry(o.asset.encode()).or_default().0.push((id, o));
		} else if let Some(p) = purchase {
			by_asset.entry(p.asset.encode()).or_default().1.push((id, p));
		}
	}
	let mut out = Vec::new();
	for (_, (mut offers, mut purchases)) in by_asset {
		offers.sort_by_key(|(_, o)| o.min_price);
		purchases.sort_by_key(|(_, p)| std::cmp::Reverse(p.max_price));
		let mut left: Vec<u32> = offers.iter().map(|(_, o)| o.units - o.sold).collect();
		let mut matches = Vec::new();
		let mut price = 0u128;
		for (pid, p) in &purchases {
			let want = p.units - p.bought;
			let mut got = Vec::new();
			let mut need = want;
			for (k, (oid, o)) in offers.iter().enumerate() {
				if need == 0 || o.min_price > p.max_price || left[k] == 0 {
					continue;
				}
				if !device_passes(rpc, at, o.device, p.filter)? {
					continue;
				}
				let units = left[k].min(need);
				got.push((k, *oid, units, o.min_price));
				need -= units;
			}
			// A purchase without partial fills is matched whole or not at all.
			if got.is_empty() || (!p.partial && need > 0) {
				continue;
			}
			for (k, oid, units, min) in got {
				left[k] -= units;
				price = price.max(min);
				matches.push(ServiceMatch { purchase: *pid, offer: oid, units });
			}
		}
		if matches.is_empty() {
			continue;
		}
		let asset = offers[0].1.asset.clone();
		let solution = Solution {
			round,
			fee: Permill::zero(),
			prices: Default::default(),
			fills: Default::default(),
			service_prices: vec![ServicePrice { class, asset, per_unit: price }].try_into().expect("unbounded"),
			services: matches.try_into().expect("unbounded"),
		};
		match check(rpc, at, &solution)? {
			SolutionCheck::Valid { score, .. } => {
				let label = format!("service class={class} price={price}");
				out.push(Proposal { solution, score, label });
			},
			other => eprintln!("service class {class}: no valid batch ({other:?})"),
		}
	}
	Ok(out)
}

fn device_passes(rpc: &Rpc, at: &str, device: H256, filter: DeviceFilter) -> Result<bool> {
	rpc.runtime_call("IntentsApi_device_passes", &(device, filter).encode(), at)
}
