//! Micro-bonds in the real runtime: 60 s unbonding measured in blocks, holds under the
//! runtime's hold reason, slashing through the primitives trait, and the pallet's
//! invariants after each step.

mod common;

use common::{close_block, new_test_ext, open_block, signed};
use frame_support::traits::{fungible::InspectHold, Hooks};
use machina_primitives::{BondPurpose, BondSlasher, OffenceKind};
use machina_runtime::{
	constants::{currency::UNIT, time::MILLI_SECS_PER_BLOCK},
	configs::micro_bonds::{EvidenceWindow, UnbondingPeriod},
	Balances, Executive, MicroBonds, Runtime, RuntimeCall, RuntimeHoldReason, System,
};
use sp_keyring::Sr25519Keyring::{Alice, Bob};

fn bond_call(call: pallet_micro_bonds::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::MicroBonds(call)
}

#[test]
fn unbonding_takes_under_a_minute() {
	let blocks = UnbondingPeriod::get() as u64;
	assert!(blocks * MILLI_SECS_PER_BLOCK < 60_000 + 1, "unbonding takes {} ms", blocks * MILLI_SECS_PER_BLOCK);
	assert!(EvidenceWindow::get() <= UnbondingPeriod::get());
	new_test_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		<MicroBonds as Hooks<u32>>::integrity_test();
		// Every provable offence has a policy at genesis.
		for kind in [OffenceKind::Equivocation, OffenceKind::FalseCoverage, OffenceKind::InvalidAggregate, OffenceKind::SolverDefault] {
			assert!(pallet_micro_bonds::SlashPolicies::<Runtime>::get(kind).is_some(), "{kind:?}");
		}
	});
}

#[test]
fn bond_unbond_withdraw_through_signed_transactions() {
	new_test_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let alice = Alice.to_account_id();
		let reason: RuntimeHoldReason = pallet_micro_bonds::HoldReason::Bond.into();
		open_block(1_000);
		let bond = bond_call(pallet_micro_bonds::Call::bond { purpose: BondPurpose::Device, amount: 100 * UNIT });
		Executive::apply_extrinsic(signed(Alice, bond, 0)).unwrap().unwrap();
		let unbond = bond_call(pallet_micro_bonds::Call::unbond { purpose: BondPurpose::Device, amount: 100 * UNIT });
		Executive::apply_extrinsic(signed(Alice, unbond, 1)).unwrap().unwrap();
		close_block();
		assert_eq!(Balances::balance_on_hold(&reason, &alice), 100 * UNIT);
		MicroBonds::do_try_state().unwrap();

		// Withdrawable exactly `UnbondingPeriod` blocks after the unbond (block 1).
		let unlock_at = 1 + UnbondingPeriod::get();
		let withdraw = bond_call(pallet_micro_bonds::Call::withdraw_unbonded { purpose: BondPurpose::Device });
		// `open_block` opens the block after the current one: jump to just before.
		System::set_block_number(unlock_at - 2);
		open_block(1_000 + (unlock_at - 1) as u64);
		assert_eq!(System::block_number(), unlock_at - 1);
		let r = Executive::apply_extrinsic(signed(Alice, withdraw.clone(), 2)).unwrap();
		assert!(r.is_err(), "nothing unlocked one block early");
		close_block();
		open_block(1_000 + unlock_at as u64);
		assert_eq!(System::block_number(), unlock_at);
		// The failed attempt still used nonce 2.
		Executive::apply_extrinsic(signed(Alice, withdraw, 3)).unwrap().unwrap();
		close_block();
		assert_eq!(Balances::balance_on_hold(&reason, &alice), 0);
		MicroBonds::do_try_state().unwrap();
	});
}

#[test]
fn a_slash_reported_by_another_pallet_splits_by_policy() {
	new_test_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		open_block(1_000);
		let bob = Bob.to_account_id();
		let bond = bond_call(pallet_micro_bonds::Call::bond { purpose: BondPurpose::Solver, amount: 1_000 * UNIT });
		Executive::apply_extrinsic(signed(Bob, bond, 0)).unwrap().unwrap();
		close_block();
		// Reported by another pallet (as intents will) under the genesis policy: 5%,
		// split 10% reporter, 50% insurance, 40% burned.
		let issuance = pallet_balances::TotalIssuance::<Runtime>::get();
		let alice_before = Balances::free_balance(Alice.to_account_id());
		let o = <MicroBonds as BondSlasher<_, _, _>>::report_offence(
			&bob,
			BondPurpose::Solver,
			OffenceKind::SolverDefault,
			System::block_number(),
			Some(Alice.to_account_id()),
		)
		.unwrap();
		assert_eq!(o.slashed, 50 * UNIT);
		assert_eq!((o.to_reporter, o.to_insurance, o.burned), (5 * UNIT, 25 * UNIT, 20 * UNIT));
		assert_eq!(Balances::free_balance(Alice.to_account_id()), alice_before + 5 * UNIT);
		assert_eq!(pallet_balances::TotalIssuance::<Runtime>::get(), issuance - 20 * UNIT);
		assert_eq!(MicroBonds::insurance_info().0, 25 * UNIT);
		MicroBonds::do_try_state().unwrap();
	});
}
