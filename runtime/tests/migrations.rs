//! The spec-7 migration to the relay chain clock (`migrations::RelayClockV1`), on the
//! real runtime: a proxy announcement stored at a parachain height moves to a relay height
//! no earlier than it, so its delay still runs in full; a chain born on the relay clock
//! is left alone.

mod common;

use codec::{Decode, Encode};
use common::{close_block, new_test_ext, open_block_at, RelayView};
use frame_support::{traits::OnRuntimeUpgrade, BoundedVec};
use machina_runtime::{
	configs::accounts::ProxyType,
	migrations::{RelayClockV1, RemoveSudo, StoredAnnouncement, RELAY_CLOCK_SPEC},
	Balance, Executive, Runtime, RuntimeCall, RuntimeOrigin, System, SLOT_DURATION,
};
use sp_keyring::Sr25519Keyring::{Alice, Bob};
use sp_runtime::traits::{Dispatchable, Hash};

type Stored = (BoundedVec<StoredAnnouncement, <Runtime as pallet_proxy::Config>::MaxPending>, Balance);

fn stored(who: &machina_runtime::AccountId) -> Stored {
	let key = pallet_proxy::Announcements::<Runtime>::hashed_key_for(who);
	Stored::decode(&mut &sp_io::storage::get(&key).expect("an announcement")[..]).expect("same encoding")
}

/// What the executive stores as the last upgrade's spec.
fn set_last_upgrade_spec(spec: u32) {
	let mut version = <Runtime as frame_system::Config>::Version::get();
	version.spec_version = spec;
	frame_system::LastRuntimeUpgrade::<Runtime>::put(frame_system::LastRuntimeUpgradeInfo::from(version));
}

fn open(para: u32, relay: u32) -> sp_runtime::ExtrinsicInclusionMode {
	assert_eq!(System::block_number() + 1, para);
	let slot = relay as u64;
	let mode =
		open_block_at(RelayView { slot, timestamp_ms: slot * SLOT_DURATION, relay_number: relay, dev_marker: false });
	Executive::inherents_applied();
	mode
}

#[test]
fn an_announcement_keeps_its_moment_across_the_move_to_the_relay_clock() {
	new_test_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let (alice, bob) = (Alice.to_account_id(), Bob.to_account_id());
		let remark = RuntimeCall::System(frame_system::Call::remark { remark: b"later".to_vec() });
		let call_hash = <Runtime as frame_system::Config>::Hashing::hash_of(&remark);
		System::set_block_number(99);
		open(100, 5_000);
		RuntimeCall::Proxy(pallet_proxy::Call::add_proxy {
			delegate: bob.clone().into(),
			proxy_type: ProxyType::Any,
			delay: 10,
		})
		.dispatch(RuntimeOrigin::signed(alice.clone()))
		.unwrap();
		RuntimeCall::Proxy(pallet_proxy::Call::announce { real: alice.clone().into(), call_hash })
			.dispatch(RuntimeOrigin::signed(bob.clone()))
			.unwrap();
		// As spec 6 stored it: the parachain block of the announcement, 4 blocks before
		// this one (between 12 s and 24 s ago: up to two blocks shared a relay slot).
		let (mut pending, deposit) = stored(&bob);
		pending[0].height = 96;
		let key = pallet_proxy::Announcements::<Runtime>::hashed_key_for(&bob);
		sp_io::storage::set(&key, &(pending, deposit).encode());

		// A chain that started at spec 7 is left alone.
		set_last_upgrade_spec(RELAY_CLOCK_SPEC);
		RelayClockV1::on_runtime_upgrade();
		assert_eq!(stored(&bob).0[0].height, 96);
		// Upgrading from spec 6: the relay block no earlier than the announcement, 12 s
		// (the least 4 blocks can have taken) before relay block 5,000.
		set_last_upgrade_spec(6);
		RelayClockV1::on_runtime_upgrade();
		assert_eq!(stored(&bob).0[0].height, 4_998);
		assert_eq!(stored(&bob).1, deposit, "the deposit is untouched");
		// The executive then records spec 7, and the migration does nothing again.
		set_last_upgrade_spec(RELAY_CLOCK_SPEC);
		RelayClockV1::on_runtime_upgrade();
		assert_eq!(stored(&bob).0[0].height, 4_998);
		close_block();

		// The 10-relay-block delay counts from relay block 4,998.
		let execute = RuntimeCall::Proxy(pallet_proxy::Call::proxy_announced {
			delegate: bob.clone().into(),
			real: alice.clone().into(),
			force_proxy_type: None,
			call: Box::new(remark),
		});
		open(101, 5_007);
		assert!(execute.clone().dispatch(RuntimeOrigin::signed(bob.clone())).is_err(), "one relay block early");
		close_block();
		open(102, 5_008);
		execute.dispatch(RuntimeOrigin::signed(bob.clone())).expect("due");
		close_block();
	});
}

#[test]
fn relay_heights_never_shorten_a_delay() {
	// 10 parachain blocks took at least 30 s: 5 relay blocks; never below relay block 0.
	assert_eq!(RelayClockV1::relay_height(90, 100, 5_000), 4_995);
	assert_eq!(RelayClockV1::relay_height(100, 100, 5_000), 5_000);
	assert_eq!(RelayClockV1::relay_height(0, 10_000, 5), 0);
}

/// The spec-8 upgrade (OpenGov, no sudo) on a spec-7 state: the sudo pallet's storage goes
/// in a multi-block migration, here as large as a pallet holding 20,000 keys, over
/// several blocks that carry no transactions, and with `try-runtime` every migration's
/// pre/post check and every pallet's `try_state` holds.
#[test]
fn the_upgrade_to_opengov_removes_sudo_over_several_blocks() {
	use frame_support::migrations::MultiStepMigrator;
	type Mbm = <Runtime as frame_system::Config>::MultiBlockMigrator;
	let mut ext = new_test_ext(sp_genesis_builder::DEV_RUNTIME_PRESET);
	let prefix = RemoveSudo::prefix();
	let sudo_key = [&prefix[..], &sp_io::hashing::twox_128(b"Key")].concat();
	ext.execute_with(|| {
		open(1, 1_000);
		close_block();
		// Spec 7's state: a sudo key, and as many keys again as a large pallet holds.
		sp_io::storage::set(&sudo_key, &Alice.to_account_id().encode());
		for i in 0u32..20_000 {
			sp_io::storage::set(&[&prefix[..], &sp_io::hashing::blake2_128(&i.encode())].concat(), &[1u8; 32]);
		}
	});
	// In the database, as on a live chain (deleting keys only written in this block
	// would cost nothing).
	ext.commit_all().expect("committed");
	ext.execute_with(|| {
		assert_eq!(RemoveSudo::keys_left(), 20_001);
		set_last_upgrade_spec(RELAY_CLOCK_SPEC);

		// The single-block migrations with their checks; this also starts the multi-block
		// one. Without try-runtime, the next block's `initialize_block` does the same.
		#[cfg(feature = "try-runtime")]
		{
			Executive::try_runtime_upgrade(frame_try_runtime::UpgradeCheckSelect::All).expect("pre/post checks pass");
			set_last_upgrade_spec(<Runtime as frame_system::Config>::Version::get().spec_version);
			assert!(Mbm::ongoing(), "the multi-block migration started");
		}
	});

	// Each block that starts with the migration still running carries inherents only. Its
	// changes reach the database before the next block, as on a live chain.
	let mut blocks = 0;
	let mut relay = 1_001;
	loop {
		ext.commit_all().expect("committed");
		let mode = ext.execute_with(|| {
			let mode = open(System::block_number() + 1, relay);
			close_block();
			mode
		});
		if mode == sp_runtime::ExtrinsicInclusionMode::AllExtrinsics {
			break;
		}
		blocks += 1;
		relay += 1;
		assert!(blocks < 20, "the migration makes progress");
	}
	ext.execute_with(|| {
		assert!(!Mbm::ongoing());
		eprintln!("20,001 keys removed in {blocks} blocks");
		assert!(blocks >= 2, "20,000 keys take more than one block ({blocks})");
		assert_eq!(RemoveSudo::keys_left(), 0, "nothing under Sudo");
		assert_eq!(sp_io::storage::get(&sudo_key), None, "the sudo key is gone");
		assert!(pallet_migrations::Historic::<Runtime>::contains_key(
			frame_support::BoundedVec::try_from(
				<RemoveSudo as frame_support::migrations::SteppedMigration>::id().to_vec()
			)
			.unwrap()
		));
		#[cfg(feature = "try-runtime")]
		{
			use frame_support::traits::TryState;
			machina_runtime::AllPalletsWithSystem::try_state(
				System::block_number(),
				frame_support::traits::TryStateSelect::All,
			)
			.expect("every pallet's invariants hold after the upgrade");
			machina_runtime::configs::try_state(true).expect("and the runtime's own");
		}

		// The next upgrade skips it: it ran once.
		set_last_upgrade_spec(RELAY_CLOCK_SPEC);
		open(System::block_number() + 1, relay + 1);
		close_block();
		assert!(!Mbm::ongoing());
	});
}

/// The runtime's own invariants (`configs::try_state`, run by the `TryRuntime` API after
/// every pallet's): after a block the session clock's window is its relay parent's, not
/// ahead (rotations held back) nor behind (a rotation skipped); before this runtime's
/// first block (an upgrade from before relay clock sessions) it may be unset.
#[cfg(feature = "try-runtime")]
#[test]
fn the_session_clock_invariant_catches_a_window_off_the_relay_chain() {
	use machina_runtime::configs::{collators::SessionRelayWindow, try_state};
	new_test_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		assert_eq!(try_state(true), Ok(()), "genesis: no block has run");
		open(1, 10_000);
		close_block();
		assert_eq!(try_state(true), Ok(()));
		let window = SessionRelayWindow::get().expect("the first block opens the window");
		assert!(window > 0, "relay block 10,000 is past the first 6 h window");
		SessionRelayWindow::put(window + 1);
		assert!(try_state(true).is_err(), "a window ahead of the relay clock");
		SessionRelayWindow::put(window - 1);
		assert!(try_state(true).is_err(), "a window behind the relay clock");
		SessionRelayWindow::kill();
		assert!(try_state(true).is_err(), "a block ran without a window");
		assert_eq!(try_state(false), Ok(()), "a state from before relay clock sessions");
		SessionRelayWindow::put(window);
		open(2, 10_001);
		close_block();
		assert_eq!(try_state(true), Ok(()));
	});
}

/// The same check through the runtime API that `try-runtime on-runtime-upgrade` calls (once
/// per state: the upgrade also starts the multi-block migrations).
#[cfg(feature = "try-runtime")]
#[test]
fn the_try_runtime_api_runs_the_runtimes_own_invariants() {
	use frame_try_runtime::runtime_decl_for_try_runtime::TryRuntimeV1;
	use machina_runtime::configs::collators::SessionRelayWindow;
	let upgrade = || {
		<Runtime as TryRuntimeV1<machina_runtime::Block>>::on_runtime_upgrade(
			frame_try_runtime::UpgradeCheckSelect::TryState,
		);
	};
	for corrupt in [false, true] {
		new_test_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
			open(1, 10_000);
			close_block();
			if corrupt {
				SessionRelayWindow::mutate(|window| *window = window.map(|w| w + 1));
			}
			let result = common::catch_panic(upgrade);
			if corrupt {
				assert!(result.unwrap_err().contains("ahead of the relay chain"));
			} else {
				assert_eq!(result, Ok(()));
			}
		});
	}
}
