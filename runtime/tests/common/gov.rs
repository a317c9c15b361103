//! Governance in the runtime tests: every admin action goes through a real referendum,
//! as it does on the chain (there is no sudo key). Periods are the production ones, in
//! relay chain blocks: the blocks built here are [`RELAY_STEP`] relay blocks apart, so
//! days pass in a few hundred blocks (the scheduler catches up on the relay blocks in
//! between, as it would after a stall).

use codec::Encode;
use frame_support::traits::Bounded;
use machina_runtime::{
	configs::governance::origins::Origin, Executive, OriginCaller, Runtime, RuntimeCall, RuntimeEvent, System, UNIT,
};
use pallet_conviction_voting::{AccountVote, Conviction, Vote};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{traits::Hash as _, DispatchError, DispatchResult};

use super::{close_block, open_block_at, signed, RelayView};

/// Relay blocks between two blocks while a referendum runs: 10 minutes.
pub const RELAY_STEP: u32 = 100;
/// No referendum in these tests takes longer than 40 days.
const MAX_BLOCKS: u32 = 40 * 14_400 / RELAY_STEP;

/// The relay block the last block was built on.
pub fn relay_now() -> u32 {
	cumulus_pallet_parachain_system::Pallet::<Runtime>::last_relay_block_number()
}

/// Open a block on relay block `relay` (its slot and timestamp follow), with the
/// post-inherent hooks run, as a block builder does before the first transaction.
pub fn open_relay_block(relay: u32) {
	let slot = relay as u64;
	open_block_at(RelayView {
		slot,
		timestamp_ms: slot * machina_runtime::constants::time::SLOT_DURATION,
		relay_number: relay,
		dev_marker: false,
	});
	Executive::inherents_applied();
}

/// Run `f` in a block on the next relay block.
pub fn in_a_block<R>(f: impl FnOnce() -> R) -> R {
	open_relay_block(relay_now() + 1);
	let r = f();
	close_block();
	r
}

/// Apply `call` signed by `who` with its next nonce; the dispatch's result.
pub fn apply(who: Sr25519Keyring, call: RuntimeCall) -> DispatchResult {
	let nonce = System::account_nonce(who.to_account_id());
	Executive::apply_extrinsic(signed(who, call, nonce)).expect("a valid transaction")
}

/// Who proposes in [`referendum`]: an endowed dev account the other tests leave alone,
/// so their nonces and balances are untouched.
pub const PROPOSER: Sr25519Keyring = Sr25519Keyring::AliceStash;

/// Who votes aye in [`referendum`]: the six endowed stash accounts, each with 999,000
/// MACH and no conviction, about 46 % of the dev preset's issuance (the other tests do
/// not use them).
pub fn voters() -> [Sr25519Keyring; 6] {
	use Sr25519Keyring::*;
	[AliceStash, BobStash, CharlieStash, DaveStash, EveStash, FerdieStash]
}

/// What a referendum came to.
#[derive(Debug)]
pub struct Enacted {
	/// The referendum's index.
	pub index: u32,
	/// The relay block of its submission.
	pub submitted: u32,
	/// The relay block the proposal was dispatched on.
	pub enacted: u32,
	/// The proposal's own result, as the scheduler dispatched it.
	pub result: DispatchResult,
}

/// Submit a public referendum on the track of `origin` for `call` and carry it to its
/// end with signed transactions, in blocks from the next relay block: [`PROPOSER`] notes
/// the preimage, submits and places the decision deposit, the [`voters`] vote aye; then
/// blocks every [`RELAY_STEP`] relay blocks until the scheduler dispatches the call.
/// Panics if the referendum is not enacted within 40 days.
pub fn referendum(origin: OriginCaller, call: RuntimeCall) -> Enacted {
	let submitted = relay_now() + 1;
	let index = pallet_referenda::ReferendumCount::<Runtime>::get();
	// One transaction a block: a bundled block holds a third of a core, and a vote's
	// (default, worst-case) weight is 133 ms of it.
	in_a_block(|| {
		let proposal = note_preimage(PROPOSER, &call);
		let submit = pallet_referenda::Call::<Runtime>::submit {
			proposal_origin: Box::new(origin),
			proposal,
			enactment_moment: frame_support::traits::schedule::DispatchTime::After(0),
		};
		apply(PROPOSER, submit.into()).expect("submitted");
	});
	in_a_block(|| {
		apply(PROPOSER, pallet_referenda::Call::<Runtime>::place_decision_deposit { index }.into())
			.expect("decision deposit placed");
	});
	for voter in voters() {
		let vote =
			AccountVote::Standard { vote: Vote { aye: true, conviction: Conviction::None }, balance: 999_000 * UNIT };
		in_a_block(|| {
			apply(voter, pallet_conviction_voting::Call::vote { poll_index: index, vote }.into()).expect("voted")
		});
	}
	let enactment_id = enactment_id(index);
	let enacted = run_until(|event| match event {
		RuntimeEvent::Scheduler(pallet_scheduler::Event::Dispatched { id: Some(id), result, .. })
			if *id == enactment_id =>
		{
			Some(*result)
		},
		_ => None,
	});
	let (enacted, result) = enacted.unwrap_or_else(|| panic!("referendum {index} was not enacted within 40 days"));
	Enacted { index, submitted, enacted, result }
}

/// Pass `call` with `origin`'s power by a public referendum; panics unless the call
/// succeeds.
pub fn enact(origin: impl Into<GovOrigin>, call: RuntimeCall) {
	let enacted = referendum(origin.into().0, call);
	enacted.result.unwrap_or_else(|e| panic!("referendum {} passed but its call failed: {e:?}", enacted.index));
}

/// A proposal origin: root or one of Machina's track origins.
pub struct GovOrigin(pub OriginCaller);
impl From<Origin> for GovOrigin {
	fn from(origin: Origin) -> Self {
		GovOrigin(OriginCaller::Origins(origin))
	}
}
/// The root track's origin.
pub fn root() -> GovOrigin {
	GovOrigin(OriginCaller::system(frame_system::RawOrigin::Root))
}

/// `who` notes `call` as a preimage (holding its deposit); the bounded call to propose.
pub fn note_preimage(who: Sr25519Keyring, call: &RuntimeCall) -> Bounded<RuntimeCall, sp_runtime::traits::BlakeTwo256> {
	let bytes = call.encode();
	apply(who, pallet_preimage::Call::note_preimage { bytes: bytes.clone() }.into()).expect("preimage noted");
	let hash = sp_runtime::traits::BlakeTwo256::hash(&bytes);
	Bounded::Lookup { hash, len: bytes.len() as u32 }
}

/// The scheduler name of a referendum's enactment (pallet-referenda's).
pub fn enactment_id(index: u32) -> [u8; 32] {
	(*b"assembly", "enactment", index).using_encoded(sp_io::hashing::blake2_256)
}

/// Build empty blocks every [`RELAY_STEP`] relay blocks until `found` matches an event
/// of a block; the relay block and what `found` returned. `None` after 40 days.
pub fn run_until<R>(mut found: impl FnMut(&RuntimeEvent) -> Option<R>) -> Option<(u32, R)> {
	for _ in 0..MAX_BLOCKS {
		let relay = relay_now() + RELAY_STEP;
		open_relay_block(relay);
		close_block();
		if let Some(r) = System::events().iter().find_map(|record| found(&record.event)) {
			return Some((relay, r));
		}
	}
	None
}

/// `call` dispatched directly with `origin` (as the scheduler would dispatch an enacted
/// proposal), for checks of which origin may do what.
pub fn dispatch_as(origin: Origin, call: RuntimeCall) -> Result<(), DispatchError> {
	use sp_runtime::traits::Dispatchable;
	call.dispatch(OriginCaller::Origins(origin).into()).map(|_| ()).map_err(|e| e.error)
}
