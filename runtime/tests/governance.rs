//! OpenGov in the real runtime, with the production track periods (relay chain blocks):
//! a root referendum authorizes a runtime upgrade that anyone then applies and
//! parachain-system hands to the relay chain; the technical fellowship whitelists an
//! urgent fix that passes on the short `whitelisted_caller` track; each track's origin
//! has its power and no other; there is no sudo.

mod common;

use codec::Encode;
use common::{
	close_block,
	gov::{self, apply, dispatch_as, enact, in_a_block, open_relay_block, referendum, relay_now, root, run_until},
	new_test_ext,
};
use machina_primitives::OffenceKind;
use machina_runtime::{
	configs::governance::{
		fellowship::{FellowshipReferendaInstance, FELLOWS_RANK},
		origins::Origin,
		tracks::{ids, TracksInfo, TRACKS},
	},
	constants::time::{RELAY_DAYS, RELAY_HOURS, RELAY_MINUTES},
	OriginCaller, Runtime, RuntimeCall, RuntimeEvent, System, VERSION,
};
use pallet_micro_bonds::SlashPolicy;
use pallet_referenda::TracksInfo as _;
use sp_keyring::Sr25519Keyring::{Alice, Bob, Eve};
use sp_runtime::{traits::Hash, DispatchError, Perbill};

const DEV: &str = sp_genesis_builder::DEV_RUNTIME_PRESET;

/// Reads every code as a Machina runtime one spec version ahead (the tests have no wasm).
struct NextSpec;
impl sp_core::traits::ReadRuntimeVersion for NextSpec {
	fn read_runtime_version(
		&self,
		_code: &[u8],
		_ext: &mut dyn sp_core::traits::Externalities,
	) -> Result<Vec<u8>, String> {
		let mut version = VERSION;
		version.spec_version += 1;
		Ok(version.encode())
	}
}

fn ext_with_next_spec() -> sp_io::TestExternalities {
	let mut ext = new_test_ext(DEV);
	ext.register_extension(sp_core::traits::ReadRuntimeVersionExt::new(NextSpec));
	ext
}

/// A new runtime's code (its contents do not matter to [`NextSpec`]).
fn new_code() -> Vec<u8> {
	b"\0asm machina runtime, next spec".repeat(64)
}

fn authorize_upgrade(code: &[u8]) -> RuntimeCall {
	frame_system::Call::authorize_upgrade { code_hash: sp_runtime::traits::BlakeTwo256::hash(code) }.into()
}

/// The best case on a track: prepare, confirm, then the least enactment delay.
fn fastest(track: u16) -> u32 {
	let t = TracksInfo::info(track).unwrap();
	t.prepare_period + t.confirm_period + t.min_enactment_period
}

/// Eve (no role at all) applies the authorized code; parachain-system holds it for the
/// relay chain, which signals go-ahead, and the code becomes the chain's.
fn anyone_applies(code: Vec<u8>) {
	let relay = relay_now() + 1;
	open_relay_block(relay);
	let eve_before = machina_runtime::Balances::free_balance(Eve.to_account_id());
	apply(Eve, frame_system::Call::apply_authorized_upgrade { code: code.clone() }.into())
		.expect("an authorized upgrade applies");
	assert!(System::events().iter().any(|r| matches!(
		r.event,
		RuntimeEvent::ParachainSystem(cumulus_pallet_parachain_system::Event::ValidationFunctionStored)
	)));
	close_block();
	assert_eq!(cumulus_pallet_parachain_system::PendingValidationCode::<Runtime>::get(), code);
	// The upgrade is free for whoever brings it.
	assert_eq!(machina_runtime::Balances::free_balance(Eve.to_account_id()), eve_before);
	assert!(System::authorized_upgrade().is_none(), "the authorization is used up");
}

#[test]
fn a_root_referendum_authorizes_an_upgrade_that_anyone_applies() {
	ext_with_next_spec().execute_with(|| {
		open_relay_block(1_000);
		close_block();
		let code = new_code();
		let enacted = referendum(root().0, authorize_upgrade(&code));
		enacted.result.expect("authorize_upgrade dispatched as root");
		let took = enacted.enacted - enacted.submitted;
		// Two days and two hours at best (prepare 2 h, confirm 1 day, enactment 1 day);
		// with 46 % of the issuance voting, support meets the root track's falling curve
		// (50 % to 0.5 % over 14 days) about a day into the decision. Counted in relay
		// blocks, however many parachain blocks they held.
		#[cfg(not(feature = "fast-runtime"))]
		assert_eq!(fastest(ids::ROOT), 2 * RELAY_HOURS + 2 * RELAY_DAYS);
		assert!(took >= fastest(ids::ROOT) && took <= fastest(ids::ROOT) + 2 * RELAY_DAYS, "took {took}");
		assert!(System::authorized_upgrade().is_some());
		anyone_applies(code);
	});
}

#[test]
fn only_the_authorized_code_can_be_applied() {
	ext_with_next_spec().execute_with(|| {
		open_relay_block(1_000);
		close_block();
		let err = |code: Vec<u8>| {
			open_relay_block(relay_now() + 1);
			let result = apply(Eve, frame_system::Call::apply_authorized_upgrade { code }.into());
			close_block();
			result
		};
		assert_eq!(err(new_code()), Err(frame_system::Error::<Runtime>::NothingAuthorized.into()));
		enact(root(), authorize_upgrade(&new_code()));
		assert_eq!(err(b"other code".to_vec()), Err(frame_system::Error::<Runtime>::Unauthorized.into()));
		// Nobody but a referendum authorizes.
		open_relay_block(relay_now() + 1);
		assert_eq!(apply(Eve, authorize_upgrade(b"eve's code")), Err(DispatchError::BadOrigin));
		close_block();
		anyone_applies(new_code());
	});
}

#[test]
fn the_fellowship_whitelists_an_urgent_fix_for_the_short_track() {
	ext_with_next_spec().execute_with(|| {
		open_relay_block(1_000);
		close_block();
		let code = new_code();
		let fix = authorize_upgrade(&code);

		// The fellows decide, in their own referendum, to whitelist the fix.
		let index = pallet_referenda::ReferendumCount::<Runtime, FellowshipReferendaInstance>::get();
		let whitelist: RuntimeCall =
			pallet_whitelist::Call::whitelist_call { call_hash: sp_runtime::traits::BlakeTwo256::hash(&fix.encode()) }
				.into();
		in_a_block(|| {
			let proposal = gov::note_preimage(Alice, &whitelist);
			let submit = pallet_referenda::Call::<Runtime, FellowshipReferendaInstance>::submit {
				proposal_origin: Box::new(OriginCaller::Origins(Origin::Fellows)),
				proposal,
				enactment_moment: frame_support::traits::schedule::DispatchTime::After(0),
			};
			apply(Alice, submit.into()).expect("a fellow submits");
		});
		in_a_block(|| {
			let deposit =
				pallet_referenda::Call::<Runtime, FellowshipReferendaInstance>::place_decision_deposit { index };
			apply(Alice, deposit.into()).expect("decision deposit");
		});
		for fellow in [Alice, Bob] {
			in_a_block(|| {
				apply(fellow, pallet_ranked_collective::Call::vote { poll: index, aye: true }.into()).expect("voted")
			});
		}
		// A rank-1 member may not vote on the fellows' track.
		in_a_block(|| {
			let vote = pallet_ranked_collective::Call::vote { poll: index, aye: true };
			assert!(apply(sp_keyring::Sr25519Keyring::Charlie, vote.into()).is_err());
		});
		let whitelisted = run_until(|event| match event {
			RuntimeEvent::Whitelist(pallet_whitelist::Event::CallWhitelisted { call_hash }) => Some(*call_hash),
			_ => None,
		});
		assert!(whitelisted.is_some(), "the fellowship whitelisted the fix");

		// Then the public, on the whitelisted_caller track: hours, not days.
		let dispatch: RuntimeCall =
			pallet_whitelist::Call::dispatch_whitelisted_call_with_preimage { call: Box::new(fix) }.into();
		let enacted = referendum(OriginCaller::Origins(Origin::WhitelistedCaller), dispatch);
		enacted.result.expect("the whitelisted fix dispatched as root");
		let took = enacted.enacted - enacted.submitted;
		// Each stage waits for the next block, RELAY_STEP relay blocks apart.
		assert!(took <= fastest(ids::WHITELISTED_CALLER) + 4 * gov::RELAY_STEP, "took {took}");
		assert!(took < fastest(ids::ROOT) / 10);
		anyone_applies(code);
	});
}

#[test]
fn a_call_not_whitelisted_is_deferred_and_nobody_can_dispatch_it() {
	new_test_ext(DEV).execute_with(|| {
		open_relay_block(1_000);
		close_block();
		let fix = authorize_upgrade(&new_code());
		let call_hash = sp_runtime::traits::BlakeTwo256::hash(&fix.encode());
		let dispatch: RuntimeCall =
			pallet_whitelist::Call::dispatch_whitelisted_call_with_preimage { call: Box::new(fix.clone()) }.into();
		// The public passes it before the fellowship has whitelisted it: the dispatch is
		// deferred (pallet-whitelist keeps it 28 days), not run.
		let enacted = referendum(OriginCaller::Origins(Origin::WhitelistedCaller), dispatch);
		assert_eq!(enacted.result, Ok(()));
		assert!(pallet_whitelist::DeferredDispatch::<Runtime>::contains_key(call_hash));
		assert!(System::authorized_upgrade().is_none());
		// Until the fellows whitelist it, nobody can run it.
		in_a_block(|| {
			let relay = pallet_whitelist::Call::dispatch_whitelisted_call {
				call_hash,
				call_encoded_len: fix.encode().len() as u32,
				call_weight_witness: frame_support::weights::Weight::from_parts(1_000_000_000, 100_000),
			};
			assert!(apply(Eve, relay.into()).is_err());
		});
		assert!(System::authorized_upgrade().is_none());
	});
}

fn policy(fraction: u32) -> SlashPolicy<machina_runtime::Balance> {
	SlashPolicy {
		fraction: Perbill::from_percent(fraction),
		cap: 1_000 * machina_runtime::UNIT,
		reporter: Perbill::from_percent(10),
		insurance: Perbill::from_percent(50),
		burn: Perbill::from_percent(40),
	}
}

#[test]
fn an_economic_admin_referendum_sets_a_slash_policy() {
	new_test_ext(DEV).execute_with(|| {
		open_relay_block(1_000);
		close_block();
		let set: RuntimeCall =
			pallet_micro_bonds::Call::set_slash_policy { kind: OffenceKind::Equivocation, policy: policy(33) }.into();
		enact(Origin::EconomicAdmin, set);
		assert_eq!(pallet_micro_bonds::SlashPolicies::<Runtime>::get(OffenceKind::Equivocation), Some(policy(33)));
	});
}

#[test]
fn each_track_origin_has_its_power_and_no_other() {
	new_test_ext(DEV).execute_with(|| {
		open_relay_block(1_000);
		let slash: RuntimeCall =
			pallet_micro_bonds::Call::set_slash_policy { kind: OffenceKind::Equivocation, policy: policy(1) }.into();
		let manufacturer: RuntimeCall = pallet_device_registry::Call::register_manufacturer {
			name: b"Squatter".to_vec().try_into().unwrap(),
			roots: vec![pallet_device_registry::PublicKey::Ed25519(sp_keyring::Ed25519Keyring::Bob.public().0)]
				.try_into()
				.unwrap(),
		}
		.into();
		let fee_cap: RuntimeCall =
			pallet_intents::Call::set_solver_fee_cap { cap: sp_runtime::Permill::from_percent(1) }.into();
		let insurance: RuntimeCall =
			pallet_micro_bonds::Call::pay_insurance { to: Eve.to_account_id(), amount: 1 }.into();
		let upgrade = authorize_upgrade(b"code");

		for origin in [
			Origin::DeviceAdmin,
			Origin::Treasurer,
			Origin::WhitelistedCaller,
			Origin::ReferendumCanceller,
			Origin::ReferendumKiller,
			Origin::Fellows,
		] {
			assert_eq!(dispatch_as(origin.clone(), slash.clone()), Err(DispatchError::BadOrigin), "{origin:?}");
			assert_eq!(dispatch_as(origin.clone(), fee_cap.clone()), Err(DispatchError::BadOrigin), "{origin:?}");
			assert_eq!(dispatch_as(origin.clone(), upgrade.clone()), Err(DispatchError::BadOrigin), "{origin:?}");
		}
		for origin in [Origin::EconomicAdmin, Origin::Treasurer, Origin::WhitelistedCaller, Origin::Fellows] {
			assert_eq!(dispatch_as(origin.clone(), manufacturer.clone()), Err(DispatchError::BadOrigin), "{origin:?}");
		}
		for origin in [Origin::EconomicAdmin, Origin::DeviceAdmin, Origin::WhitelistedCaller] {
			assert_eq!(dispatch_as(origin.clone(), insurance.clone()), Err(DispatchError::BadOrigin), "{origin:?}");
		}
		assert_eq!(dispatch_as(Origin::EconomicAdmin, slash), Ok(()));
		assert_eq!(dispatch_as(Origin::EconomicAdmin, fee_cap), Ok(()));
		assert_eq!(dispatch_as(Origin::DeviceAdmin, manufacturer.clone()), Ok(()));
		// Signed accounts have none of these powers.
		assert_eq!(apply(Alice, manufacturer), Err(DispatchError::BadOrigin));
		close_block();
	});
}

#[test]
fn every_track_origin_maps_to_its_track() {
	use machina_runtime::configs::governance::fellowship::FellowshipTracksInfo;
	let track = |o: OriginCaller| TracksInfo::track_for(&o);
	assert_eq!(track(OriginCaller::system(frame_system::RawOrigin::Root)), Ok(ids::ROOT));
	assert_eq!(track(OriginCaller::Origins(Origin::WhitelistedCaller)), Ok(ids::WHITELISTED_CALLER));
	assert_eq!(track(OriginCaller::Origins(Origin::DeviceAdmin)), Ok(ids::DEVICE_ADMIN));
	assert_eq!(track(OriginCaller::Origins(Origin::EconomicAdmin)), Ok(ids::ECONOMIC_ADMIN));
	assert_eq!(track(OriginCaller::Origins(Origin::Treasurer)), Ok(ids::TREASURER));
	assert_eq!(track(OriginCaller::Origins(Origin::ReferendumCanceller)), Ok(ids::REFERENDUM_CANCELLER));
	assert_eq!(track(OriginCaller::Origins(Origin::ReferendumKiller)), Ok(ids::REFERENDUM_KILLER));
	// The fellows' origin is only for the fellowship's referenda; accounts have no track.
	assert_eq!(track(OriginCaller::Origins(Origin::Fellows)), Err(()));
	assert_eq!(track(OriginCaller::system(frame_system::RawOrigin::Signed(Alice.to_account_id()))), Err(()));
	assert_eq!(FellowshipTracksInfo::track_for(&OriginCaller::Origins(Origin::Fellows)), Ok(FELLOWS_RANK));
	assert_eq!(FellowshipTracksInfo::track_for(&OriginCaller::system(frame_system::RawOrigin::Root)), Err(()));
	TracksInfo::check_integrity().unwrap();
	FellowshipTracksInfo::check_integrity().unwrap();
}

/// The production periods (the `fast-runtime` feature shortens them for dev networks).
#[cfg(not(feature = "fast-runtime"))]
#[test]
fn tracks_count_production_periods_in_relay_blocks() {
	let days = |t: u16, f: fn(&pallet_referenda::TrackInfo<machina_runtime::Balance, u32>) -> u32| {
		f(&TracksInfo::info(t).unwrap())
	};
	assert_eq!(days(ids::ROOT, |t| t.decision_period), 14 * RELAY_DAYS);
	assert_eq!(days(ids::ROOT, |t| t.confirm_period), RELAY_DAYS);
	assert_eq!(days(ids::WHITELISTED_CALLER, |t| t.prepare_period), 30 * RELAY_MINUTES);
	assert_eq!(days(ids::DEVICE_ADMIN, |t| t.confirm_period), 3 * RELAY_HOURS);
	// Adding or revoking a manufacturer root needs the parameter tracks' support (50 %
	// falling to 0.5 %), not a fraction of it.
	let support = |t: u16| TracksInfo::info(t).unwrap().min_support.clone();
	assert_eq!(support(ids::DEVICE_ADMIN), support(ids::ECONOMIC_ADMIN));
	assert_eq!(support(ids::DEVICE_ADMIN).threshold(Perbill::one()), Perbill::from_parts(5_000_000));
	assert_eq!(TRACKS.len(), 7);
	// Every period is at least a relay block (the scheduler needs it).
	for t in TRACKS.iter() {
		let i = &t.info;
		assert!(i.prepare_period > 0 && i.decision_period > 0 && i.confirm_period > 0 && i.min_enactment_period > 0);
	}
}

#[test]
fn there_is_no_sudo_and_the_fellowship_is_seeded() {
	new_test_ext(DEV).execute_with(|| {
		let metadata = machina_runtime::Runtime::metadata_at_version(15).expect("v15 metadata");
		// A pallet's name is a SCALE string: its length (4, compact: 0x10), then the bytes.
		assert!(!metadata.windows(5).any(|w| w == b"\x10Sudo"), "no pallet named Sudo");
		assert!(metadata.windows(10).any(|w| w == b"\x24Referenda"), "the metadata names its pallets");
		use frame_support::traits::RankedMembers;
		type Fellowship = machina_runtime::FellowshipCollective;
		assert_eq!(Fellowship::rank_of(&Alice.to_account_id()), Some(3));
		assert_eq!(Fellowship::rank_of(&Bob.to_account_id()), Some(3));
		assert_eq!(Fellowship::rank_of(&sp_keyring::Sr25519Keyring::Charlie.to_account_id()), Some(1));
		assert_eq!(Fellowship::rank_of(&Eve.to_account_id()), None);
	});
}

/// A chain's first block sees relay block 0 (no relay parent yet), so the scheduler starts
/// at relay block 1; the next sees today's relay block, tens of millions later. Walking
/// the gap (~25 relay blocks a block) would hold every referendum back for weeks: the
/// scheduler jumps to the first relay block with a task.
#[test]
fn the_scheduler_skips_the_relay_blocks_before_the_chain_started() {
	new_test_ext(DEV).execute_with(|| {
		open_relay_block(25_000_000);
		close_block();
		open_relay_block(25_000_001);
		close_block();
		assert!(pallet_scheduler::IncompleteSince::<Runtime>::get().unwrap() >= 25_000_000);
		let set: RuntimeCall =
			pallet_micro_bonds::Call::set_slash_policy { kind: OffenceKind::Equivocation, policy: policy(7) }.into();
		let enacted = referendum(OriginCaller::Origins(Origin::EconomicAdmin), set);
		enacted.result.expect("enacted");
		assert!(enacted.enacted - enacted.submitted <= fastest(ids::ECONOMIC_ADMIN) + 2 * RELAY_DAYS);
	});
}

/// Only fellows who vote (rank 3) may open a fellowship referendum, so a rank-1 member
/// cannot fill the track's deciding slots; and the public's canceller and killer reach
/// the fellowship's referenda, which are not only the fellowship's to stop.
#[test]
fn a_rank_one_member_cannot_open_a_fellowship_referendum_and_the_public_can_stop_one() {
	type FellowshipReferenda = pallet_referenda::Call<Runtime, FellowshipReferendaInstance>;
	new_test_ext(DEV).execute_with(|| {
		open_relay_block(1_000);
		close_block();
		let submit = |who: sp_keyring::Sr25519Keyring| {
			// A preimage of each author's own.
			let remark: RuntimeCall = frame_system::Call::remark { remark: who.to_raw_public().to_vec() }.into();
			in_a_block(|| {
				let proposal = gov::note_preimage(who, &remark);
				let submit = FellowshipReferenda::submit {
					proposal_origin: Box::new(OriginCaller::Origins(Origin::Fellows)),
					proposal,
					enactment_moment: frame_support::traits::schedule::DispatchTime::After(0),
				};
				apply(who, submit.into())
			})
		};
		assert_eq!(submit(sp_keyring::Sr25519Keyring::Charlie), Err(DispatchError::BadOrigin));
		let first = pallet_referenda::ReferendumCount::<Runtime, FellowshipReferendaInstance>::get();
		submit(Alice).expect("a rank-3 fellow submits");
		submit(Bob).expect("a rank-3 fellow submits");
		let status = |index| pallet_referenda::ReferendumInfoFor::<Runtime, FellowshipReferendaInstance>::get(index);
		in_a_block(|| {
			// A track origin without that power cannot.
			let cancel: RuntimeCall = FellowshipReferenda::cancel { index: first }.into();
			assert_eq!(dispatch_as(Origin::Treasurer, cancel.clone()), Err(DispatchError::BadOrigin));
			assert_eq!(dispatch_as(Origin::ReferendumCanceller, cancel), Ok(()));
			let kill: RuntimeCall = FellowshipReferenda::kill { index: first + 1 }.into();
			assert_eq!(dispatch_as(Origin::ReferendumCanceller, kill.clone()), Err(DispatchError::BadOrigin));
			assert_eq!(dispatch_as(Origin::ReferendumKiller, kill), Ok(()));
		});
		assert!(matches!(status(first), Some(pallet_referenda::ReferendumInfo::Cancelled(..))));
		assert!(matches!(status(first + 1), Some(pallet_referenda::ReferendumInfo::Killed(..))));
	});
}

/// After a gap the scheduler's catch-up reads at most `SCHEDULER_CATCH_UP_MAX_KEYS`
/// agenda keys: with that many it jumps to the first due one; with one more (cheap
/// alarms in bulk) it leaves the scheduler to walk, rather than push a block over its
/// proof-size limit.
#[test]
fn the_scheduler_catch_up_reads_a_bounded_number_of_agendas() {
	use machina_runtime::configs::governance::{SCHEDULER_CATCH_UP_GAP, SCHEDULER_CATCH_UP_MAX_KEYS};
	for (keys, jumps) in [(SCHEDULER_CATCH_UP_MAX_KEYS, true), (SCHEDULER_CATCH_UP_MAX_KEYS + 1, false)] {
		new_test_ext(DEV).execute_with(|| {
			open_relay_block(1_000);
			close_block();
			// Empty agendas far ahead: keys the catch-up reads, none of them due.
			for i in 0..keys {
				pallet_scheduler::Agenda::<Runtime>::insert(50_000_000 + i, frame_support::BoundedVec::default());
			}
			let since = pallet_scheduler::IncompleteSince::<Runtime>::get().expect("the scheduler ran");
			let now = since + 1_000 * SCHEDULER_CATCH_UP_GAP;
			open_relay_block(now);
			close_block();
			let after = pallet_scheduler::IncompleteSince::<Runtime>::get().expect("the scheduler ran");
			if jumps {
				assert!(after >= now, "{keys} keys: jumped to {after}, now {now}");
			} else {
				assert!(after < now - SCHEDULER_CATCH_UP_GAP, "{keys} keys: at {after}, now {now}");
			}
		});
	}
}
