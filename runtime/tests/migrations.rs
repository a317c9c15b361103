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
	migrations::{RelayClockV1, StoredAnnouncement, RELAY_CLOCK_SPEC},
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

fn open(para: u32, relay: u32) {
	assert_eq!(System::block_number() + 1, para);
	let slot = relay as u64;
	open_block_at(RelayView { slot, timestamp_ms: slot * SLOT_DURATION, relay_number: relay, dev_marker: false });
	Executive::inherents_applied();
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

/// The spec-8 upgrade (OpenGov, no sudo) on a spec-7 state: the sudo key goes, and with
/// `try-runtime` every migration's pre/post check and every pallet's `try_state` holds.
#[test]
fn the_upgrade_to_opengov_removes_sudo() {
	new_test_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		open(1, 1_000);
		close_block();
		// Spec 7's state: a sudo key.
		let prefix = sp_io::hashing::twox_128(b"Sudo");
		let sudo_key = [prefix, sp_io::hashing::twox_128(b"Key")].concat();
		sp_io::storage::set(&sudo_key, &Alice.to_account_id().encode());
		set_last_upgrade_spec(RELAY_CLOCK_SPEC);

		#[cfg(feature = "try-runtime")]
		Executive::try_runtime_upgrade(frame_try_runtime::UpgradeCheckSelect::All).expect("pre/post checks pass");
		#[cfg(not(feature = "try-runtime"))]
		Executive::execute_on_runtime_upgrade();

		assert_eq!(sp_io::storage::get(&sudo_key), None, "the sudo key is gone");
		assert!(sp_io::storage::next_key(&prefix).is_none_or(|k| !k.starts_with(&prefix)), "nothing under Sudo");
	});
}
