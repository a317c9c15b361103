//! Micro-bonds in the real runtime: unbonding under 60 s measured on the relay chain's
//! clock, holds under the runtime's hold reason, slashing through the primitives trait,
//! and the pallet's invariants after each step.

mod common;

use common::{close_block, new_test_ext, open_block, signed};
use frame_support::traits::{fungible::InspectHold, Hooks};
use machina_primitives::{BondPurpose, BondSlasher, Offence, OffenceKind, SlashTarget};
use machina_runtime::{
	configs::micro_bonds::{EvidenceWindow, UnbondingPeriod, RELAY_BLOCK_MILLIS},
	constants::currency::{EXISTENTIAL_DEPOSIT, UNIT},
	Balances, Executive, MicroBonds, Runtime, RuntimeCall, RuntimeHoldReason,
};
use sp_keyring::Sr25519Keyring::{Alice, Bob};

fn bond_call(call: pallet_micro_bonds::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::MicroBonds(call)
}

#[test]
fn unbonding_takes_under_a_minute() {
	// Counted in relay-chain blocks: the same whatever Machina's own block time.
	let millis = UnbondingPeriod::get() as u64 * RELAY_BLOCK_MILLIS;
	assert!(millis < 60_000, "unbonding takes {millis} ms");
	assert!(EvidenceWindow::get() < UnbondingPeriod::get());
	new_test_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		<MicroBonds as Hooks<u32>>::integrity_test();
		// Every provable offence has a policy at genesis.
		for kind in [
			OffenceKind::Equivocation,
			OffenceKind::FalseCoverage,
			OffenceKind::InvalidAggregate,
			OffenceKind::SolverDefault,
		] {
			assert!(pallet_micro_bonds::SlashPolicies::<Runtime>::get(kind).is_some(), "{kind:?}");
		}
	});
}

#[test]
fn bond_unbond_withdraw_through_signed_transactions() {
	new_test_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let alice = Alice.to_account_id();
		let reason: RuntimeHoldReason = pallet_micro_bonds::HoldReason::Bond.into();
		// `open_block(n)` builds on relay-chain block `n`.
		open_block(1_000);
		let bond = bond_call(pallet_micro_bonds::Call::bond { purpose: BondPurpose::Device, amount: 100 * UNIT });
		Executive::apply_extrinsic(signed(Alice, bond, 0)).unwrap().unwrap();
		let unbond = bond_call(pallet_micro_bonds::Call::unbond { purpose: BondPurpose::Device, amount: 100 * UNIT });
		Executive::apply_extrinsic(signed(Alice, unbond, 1)).unwrap().unwrap();
		close_block();
		assert_eq!(Balances::balance_on_hold(&reason, &alice), 100 * UNIT);
		MicroBonds::do_try_state().unwrap();

		// Withdrawable exactly `UnbondingPeriod` relay blocks after the unbond.
		let unlock_at = 1_000 + UnbondingPeriod::get() as u64;
		let withdraw = bond_call(pallet_micro_bonds::Call::withdraw_unbonded { purpose: BondPurpose::Device });
		open_block(unlock_at - 1);
		let r = Executive::apply_extrinsic(signed(Alice, withdraw.clone(), 2)).unwrap();
		assert!(r.is_err(), "nothing unlocked one relay block early");
		close_block();
		open_block(unlock_at);
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
		let offence = Offence {
			offender: bob.clone(),
			purpose: BondPurpose::Solver,
			target: SlashTarget::Purpose,
			kind: OffenceKind::SolverDefault,
			evidence_time: 1_000,
			id: sp_core::H256::repeat_byte(1),
		};
		let o =
			<MicroBonds as BondSlasher<_, _, _>>::report_offence(offence.clone(), Some(Alice.to_account_id())).unwrap();
		assert_eq!(o.slashed, 50 * UNIT);
		assert_eq!((o.to_reporter, o.to_insurance, o.burned), (5 * UNIT, 25 * UNIT, 20 * UNIT));
		assert_eq!(Balances::free_balance(Alice.to_account_id()), alice_before + 5 * UNIT);
		assert_eq!(pallet_balances::TotalIssuance::<Runtime>::get(), issuance - 20 * UNIT);
		// The insurance pot keeps its existential deposit on top of what it receives.
		assert_eq!(MicroBonds::insurance_available(), 25 * UNIT);
		assert_eq!(Balances::free_balance(MicroBonds::insurance_account()), 25 * UNIT + EXISTENTIAL_DEPOSIT);
		// The same evidence is punished once.
		assert_eq!(
			<MicroBonds as BondSlasher<_, _, _>>::report_offence(offence, Some(Alice.to_account_id())).unwrap_err(),
			pallet_micro_bonds::Error::<Runtime>::DuplicateOffence.into()
		);
		MicroBonds::do_try_state().unwrap();
	});
}

#[test]
fn a_pool_through_signed_transactions_on_the_runtime_values() {
	use machina_runtime::configs::micro_bonds::{MinPoolOperatorStake, PoolDeposit, RewardWarmUp};
	new_test_ext(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let (alice, bob) = (Alice.to_account_id(), Bob.to_account_id());
		let free_before = Balances::free_balance(&alice);
		open_block(1_000);
		let create = bond_call(pallet_micro_bonds::Call::create_pool {
			commission: sp_runtime::Perbill::from_percent(5),
			stake: MinPoolOperatorStake::get(),
		});
		Executive::apply_extrinsic(signed(Alice, create, 0)).unwrap().unwrap();
		let join = bond_call(pallet_micro_bonds::Call::join_pool { pool: 0, amount: 500 * UNIT });
		Executive::apply_extrinsic(signed(Bob, join, 0)).unwrap().unwrap();
		close_block();
		// The deposit is held; both pool accounts hold exactly the existential deposit
		// besides the members' held stake.
		let deposit_reason: RuntimeHoldReason = pallet_micro_bonds::HoldReason::PoolDeposit.into();
		assert_eq!(Balances::balance_on_hold(&deposit_reason, &alice), PoolDeposit::get());
		assert_eq!(Balances::free_balance(MicroBonds::pool_account(0)), EXISTENTIAL_DEPOSIT);
		assert_eq!(Balances::free_balance(MicroBonds::pool_reward_account(0)), EXISTENTIAL_DEPOSIT);
		assert!(Balances::free_balance(&alice) < free_before - PoolDeposit::get() - MinPoolOperatorStake::get());
		MicroBonds::do_try_state().unwrap();

		// After the warm-up (relay blocks, not parachain blocks), Bob's stake earns.
		open_block(1_000 + 2 * RewardWarmUp::get() as u64);
		let reward = bond_call(pallet_micro_bonds::Call::reward_pool { pool: 0, amount: 10 * UNIT });
		Executive::apply_extrinsic(signed(Alice, reward, 1)).unwrap().unwrap();
		let leave =
			bond_call(pallet_micro_bonds::Call::leave_pool { pool: 0, member: bob.clone(), points: 500 * UNIT });
		let bob_before = Balances::free_balance(&bob);
		Executive::apply_extrinsic(signed(Bob, leave, 1)).unwrap().unwrap();
		close_block();
		// Leaving paid Bob his 95% of the reward (minus his fee for the call).
		assert!(Balances::free_balance(&bob) > bob_before + 9 * UNIT);
		MicroBonds::do_try_state().unwrap();
	});
}
