//! Unit and property tests of the micro-bonds pallet.

use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{Inspect, InspectHold},
		Hooks,
	},
};
use machina_primitives::{BondManager, BondPurpose, BondSlasher, OffenceKind};
use sp_runtime::{DispatchError, Perbill};

use crate::{mock::*, pallet::*, Event as BondEvent, SlashPolicy};

const DEVICE: BondPurpose = BondPurpose::Device;

fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::Bond.into(), &who)
}

fn free(who: AccountId) -> Balance {
	Balances::balance(&who)
}

fn ledger(who: AccountId) -> LedgerOf<Test> {
	Bonds::<Test>::get(who, DEVICE).expect("bonded")
}

fn insurance() -> AccountId {
	MicroBonds::insurance_account()
}

fn slash(who: AccountId, evidence_block: u64) -> Result<machina_primitives::SlashOutcome<Balance>, DispatchError> {
	<MicroBonds as BondSlasher<_, _, _>>::report_offence(
		&who,
		DEVICE,
		OffenceKind::Equivocation,
		evidence_block,
		Some(REPORTER),
	)
}

fn check() {
	MicroBonds::do_try_state().expect("invariants hold");
}

// ---- Bonds ----------------------------------------------------------------

#[test]
fn bond_holds_funds_and_records_them() {
	new_test_ext().execute_with(|| {
		assert_ok!(MicroBonds::bond(RuntimeOrigin::signed(ALICE), DEVICE, 500));
		assert_eq!(held(ALICE), 500);
		assert_eq!(free(ALICE), ENDOWMENT - 500);
		assert_eq!(ledger(ALICE).active, 500);
		assert_ok!(MicroBonds::bond_extra(RuntimeOrigin::signed(ALICE), DEVICE, 100));
		assert_eq!(held(ALICE), 600);
		// Another purpose is a separate ledger on the same hold.
		assert_ok!(MicroBonds::bond(RuntimeOrigin::signed(ALICE), BondPurpose::Solver, 50));
		assert_eq!(held(ALICE), 650);
		assert_eq!(<MicroBonds as BondManager<_, _>>::bonded(&ALICE, DEVICE), 600);
		assert!(events().contains(&BondEvent::Bonded { who: ALICE, purpose: DEVICE, amount: 100 }));
		check();
	});
}

#[test]
fn bond_errors() {
	new_test_ext().execute_with(|| {
		let alice = RuntimeOrigin::signed(ALICE);
		assert_noop!(MicroBonds::bond(alice.clone(), DEVICE, 0), Error::<Test>::ZeroAmount);
		assert_noop!(MicroBonds::bond(alice.clone(), DEVICE, MIN_BOND - 1), Error::<Test>::BelowMinBond);
		assert_noop!(MicroBonds::bond(alice.clone(), DEVICE, ENDOWMENT * 2), Error::<Test>::InsufficientBalance);
		assert_noop!(MicroBonds::bond_extra(alice.clone(), DEVICE, 100), Error::<Test>::NotBonded);
		assert_noop!(MicroBonds::bond(RuntimeOrigin::none(), DEVICE, 100), DispatchError::BadOrigin);
		assert_ok!(MicroBonds::bond(alice.clone(), DEVICE, 100));
		assert_noop!(MicroBonds::bond_extra(alice, DEVICE, Balance::MAX), Error::<Test>::Overflow);
	});
}

#[test]
fn unbond_then_withdraw_exactly_at_the_unlock_block() {
	new_test_ext().execute_with(|| {
		assert_ok!(MicroBonds::bond(RuntimeOrigin::signed(ALICE), DEVICE, 500));
		assert_ok!(MicroBonds::unbond(RuntimeOrigin::signed(ALICE), DEVICE, 200));
		let unlock_at = 1 + UNBONDING_PERIOD;
		assert_eq!(ledger(ALICE).active, 300);
		assert_eq!(ledger(ALICE).unbonding[0].unlock_at, unlock_at);
		// Still held while unbonding.
		assert_eq!(held(ALICE), 500);

		run_to_block(unlock_at - 1);
		assert_noop!(
			MicroBonds::withdraw_unbonded(RuntimeOrigin::signed(ALICE), DEVICE),
			Error::<Test>::NothingToWithdraw
		);
		run_to_block(unlock_at);
		assert_ok!(MicroBonds::withdraw_unbonded(RuntimeOrigin::signed(ALICE), DEVICE));
		assert_eq!(held(ALICE), 300);
		assert_eq!(free(ALICE), ENDOWMENT - 300);
		assert!(ledger(ALICE).unbonding.is_empty());
		check();
	});
}

#[test]
fn unbonding_everything_and_withdrawing_removes_the_ledger() {
	new_test_ext().execute_with(|| {
		assert_ok!(MicroBonds::bond(RuntimeOrigin::signed(ALICE), DEVICE, 500));
		assert_ok!(MicroBonds::unbond(RuntimeOrigin::signed(ALICE), DEVICE, 500));
		run_to_block(1 + UNBONDING_PERIOD);
		assert_ok!(MicroBonds::withdraw_unbonded(RuntimeOrigin::signed(ALICE), DEVICE));
		assert!(Bonds::<Test>::get(ALICE, DEVICE).is_none());
		assert_eq!(free(ALICE), ENDOWMENT);
		check();
	});
}

#[test]
fn unbond_errors() {
	new_test_ext().execute_with(|| {
		let alice = RuntimeOrigin::signed(ALICE);
		assert_noop!(MicroBonds::unbond(alice.clone(), DEVICE, 10), Error::<Test>::NotBonded);
		assert_ok!(MicroBonds::bond(alice.clone(), DEVICE, 100));
		assert_noop!(MicroBonds::unbond(alice.clone(), DEVICE, 0), Error::<Test>::ZeroAmount);
		assert_noop!(MicroBonds::unbond(alice.clone(), DEVICE, 101), Error::<Test>::InsufficientActiveBond);
		// Leaving 5 < MinBond active is dust.
		assert_noop!(MicroBonds::unbond(alice.clone(), DEVICE, 95), Error::<Test>::BelowMinBond);
		assert_ok!(<MicroBonds as BondManager<_, _>>::require_bond(&ALICE, DEVICE, 60));
		assert_noop!(MicroBonds::unbond(alice.clone(), DEVICE, 50), Error::<Test>::BondCommitted);
		assert_ok!(MicroBonds::unbond(alice.clone(), DEVICE, 40));
		// Chunks are bounded: one per block, MAX_CHUNKS at most.
		assert_ok!(MicroBonds::bond_extra(alice.clone(), DEVICE, 1000));
		for b in 2..=MAX_CHUNKS as u64 {
			run_to_block(b);
			assert_ok!(MicroBonds::unbond(alice.clone(), DEVICE, 10));
		}
		run_to_block(MAX_CHUNKS as u64 + 1);
		assert_noop!(MicroBonds::unbond(alice, DEVICE, 10), Error::<Test>::TooManyUnbondingChunks);
		check();
	});
}

#[test]
fn unbonding_twice_in_one_block_merges_chunks() {
	new_test_ext().execute_with(|| {
		assert_ok!(MicroBonds::bond(RuntimeOrigin::signed(ALICE), DEVICE, 500));
		assert_ok!(MicroBonds::unbond(RuntimeOrigin::signed(ALICE), DEVICE, 100));
		assert_ok!(MicroBonds::unbond(RuntimeOrigin::signed(ALICE), DEVICE, 100));
		assert_eq!(ledger(ALICE).unbonding.len(), 1);
		assert_eq!(ledger(ALICE).unbonding[0].value, 200);
	});
}

#[test]
fn rebond_takes_newest_chunks_first() {
	new_test_ext().execute_with(|| {
		let alice = RuntimeOrigin::signed(ALICE);
		assert_noop!(MicroBonds::rebond(alice.clone(), DEVICE, 10), Error::<Test>::NotBonded);
		assert_ok!(MicroBonds::bond(alice.clone(), DEVICE, 500));
		assert_noop!(MicroBonds::rebond(alice.clone(), DEVICE, 10), Error::<Test>::NothingToRebond);
		assert_ok!(MicroBonds::unbond(alice.clone(), DEVICE, 100));
		run_to_block(2);
		assert_ok!(MicroBonds::unbond(alice.clone(), DEVICE, 50));
		assert_noop!(MicroBonds::rebond(alice.clone(), DEVICE, 0), Error::<Test>::ZeroAmount);
		assert_ok!(MicroBonds::rebond(alice.clone(), DEVICE, 70));
		let l = ledger(ALICE);
		assert_eq!(l.active, 420);
		assert_eq!(l.unbonding.len(), 1);
		assert_eq!(l.unbonding[0].value, 80);
		// Asking for more than unbonds rebonds what there is.
		assert_ok!(MicroBonds::rebond(alice, DEVICE, 1_000));
		assert_eq!(ledger(ALICE).active, 500);
		assert!(events().contains(&BondEvent::Rebonded { who: ALICE, purpose: DEVICE, amount: 80 }));
		check();
	});
}

// ---- Commitments (BondManager) ---------------------------------------------

#[test]
fn require_and_release_own_bond() {
	new_test_ext().execute_with(|| {
		type BM = MicroBonds;
		assert_noop!(<BM as BondManager<_, _>>::require_bond(&ALICE, DEVICE, 10), Error::<Test>::InsufficientBondToCommit);
		assert_ok!(MicroBonds::bond(RuntimeOrigin::signed(ALICE), DEVICE, 100));
		assert_noop!(<BM as BondManager<_, _>>::require_bond(&ALICE, DEVICE, 0), Error::<Test>::ZeroAmount);
		assert_ok!(<BM as BondManager<_, _>>::require_bond(&ALICE, DEVICE, 100));
		assert_noop!(<BM as BondManager<_, _>>::require_bond(&ALICE, DEVICE, 1), Error::<Test>::InsufficientBondToCommit);
		assert_noop!(<BM as BondManager<_, _>>::release_bond(&ALICE, DEVICE, 101), Error::<Test>::ReleaseExceedsCommitted);
		assert_ok!(<BM as BondManager<_, _>>::release_bond(&ALICE, DEVICE, 100));
		assert_ok!(MicroBonds::unbond(RuntimeOrigin::signed(ALICE), DEVICE, 100));
		check();
	});
}

#[test]
fn an_operator_backs_its_bonds_from_its_pool() {
	new_test_ext().execute_with(|| {
		type BM = MicroBonds;
		assert_ok!(MicroBonds::create_pool(RuntimeOrigin::signed(ALICE), Perbill::from_percent(5), 1_000));
		assert_ok!(MicroBonds::join_pool(RuntimeOrigin::signed(BOB), 0, 4_000));
		assert_ok!(<BM as BondManager<_, _>>::require_bond(&ALICE, DEVICE, 3_000));
		assert_eq!(Pools::<Test>::get(0).unwrap().committed, 3_000);
		assert_eq!(<BM as BondManager<_, _>>::bonded(&ALICE, DEVICE), 3_000);
		// Members cannot pull committed stake out from under the operator's devices.
		assert_noop!(MicroBonds::leave_pool(RuntimeOrigin::signed(BOB), 0, 4_000), Error::<Test>::PoolStakeCommitted);
		assert_ok!(MicroBonds::leave_pool(RuntimeOrigin::signed(BOB), 0, 2_000));
		assert_noop!(<BM as BondManager<_, _>>::require_bond(&ALICE, DEVICE, 1), Error::<Test>::InsufficientBondToCommit);
		assert_ok!(<BM as BondManager<_, _>>::release_bond(&ALICE, DEVICE, 3_000));
		assert_eq!(Pools::<Test>::get(0).unwrap().committed, 0);
		assert!(Bonds::<Test>::get(ALICE, DEVICE).is_none());
		check();
	});
}

// ---- Slashing -------------------------------------------------------------

#[test]
fn slash_takes_the_policy_fraction_and_splits_it() {
	new_test_ext().execute_with(|| {
		assert_ok!(MicroBonds::bond(RuntimeOrigin::signed(ALICE), DEVICE, 10_000));
		let issuance = Balances::total_issuance();
		let reporter_before = free(REPORTER);
		let insurance_before = free(insurance());
		let outcome = slash(ALICE, 1).unwrap();
		assert_eq!(outcome.slashed, 1_000);
		assert_eq!(outcome.to_reporter, 100);
		assert_eq!(outcome.to_insurance, 400);
		assert_eq!(outcome.burned, 500);
		assert_eq!(held(ALICE), 9_000);
		assert_eq!(ledger(ALICE).active, 9_000);
		assert_eq!(free(REPORTER), reporter_before + 100);
		assert_eq!(free(insurance()), insurance_before + 400);
		// Total issuance changes by the burn alone.
		assert_eq!(Balances::total_issuance(), issuance - 500);
		check();
	});
}

#[test]
fn slash_is_capped() {
	new_test_ext().execute_with(|| {
		assert_ok!(MicroBonds::bond(RuntimeOrigin::signed(ALICE), DEVICE, 500_000));
		assert_eq!(slash(ALICE, 1).unwrap().slashed, 10_000);
	});
}

#[test]
fn unbonding_chunks_are_slashed_pro_rata() {
	new_test_ext().execute_with(|| {
		assert_ok!(MicroBonds::bond(RuntimeOrigin::signed(ALICE), DEVICE, 10_000));
		assert_ok!(MicroBonds::unbond(RuntimeOrigin::signed(ALICE), DEVICE, 4_000));
		run_to_block(5);
		// Unbonding did not shield the 4,000: 10% of each part goes.
		assert_eq!(slash(ALICE, 4).unwrap().slashed, 1_000);
		let l = ledger(ALICE);
		assert_eq!(l.active, 5_400);
		assert_eq!(l.unbonding[0].value, 3_600);
		run_to_block(1 + UNBONDING_PERIOD);
		assert_ok!(MicroBonds::withdraw_unbonded(RuntimeOrigin::signed(ALICE), DEVICE));
		assert_eq!(free(ALICE), ENDOWMENT - 10_000 + 3_600);
		check();
	});
}

#[test]
fn offences_must_be_reported_inside_the_evidence_window() {
	new_test_ext().execute_with(|| {
		assert_ok!(MicroBonds::bond(RuntimeOrigin::signed(ALICE), DEVICE, 10_000));
		run_to_block(20);
		assert_noop!(slash(ALICE, 21), Error::<Test>::EvidenceFromFuture);
		assert_noop!(slash(ALICE, 20 - EVIDENCE_WINDOW - 1), Error::<Test>::EvidenceTooOld);
		assert_ok!(slash(ALICE, 20 - EVIDENCE_WINDOW));
	});
}

#[test]
fn fast_unbonding_does_not_escape_a_timely_report() {
	new_test_ext().execute_with(|| {
		// The offence happens at block 1; the offender unbonds everything at once.
		assert_ok!(MicroBonds::bond(RuntimeOrigin::signed(ALICE), DEVICE, 10_000));
		assert_ok!(MicroBonds::unbond(RuntimeOrigin::signed(ALICE), DEVICE, 10_000));
		// The last block a report is accepted comes before the funds unlock.
		let last_report = 1 + EVIDENCE_WINDOW;
		assert!(last_report < 1 + UNBONDING_PERIOD);
		run_to_block(last_report);
		assert_noop!(
			MicroBonds::withdraw_unbonded(RuntimeOrigin::signed(ALICE), DEVICE),
			Error::<Test>::NothingToWithdraw
		);
		assert_eq!(slash(ALICE, 1).unwrap().slashed, 1_000);
	});
}

#[test]
fn slash_errors() {
	new_test_ext().execute_with(|| {
		assert_noop!(slash(ALICE, 1), Error::<Test>::NotBonded);
		assert_ok!(MicroBonds::bond(RuntimeOrigin::signed(ALICE), DEVICE, 10_000));
		assert_noop!(
			<MicroBonds as BondSlasher<_, _, _>>::report_offence(&ALICE, DEVICE, OffenceKind::FalseCoverage, 1, None),
			Error::<Test>::NoSlashPolicy
		);
		assert_noop!(
			<MicroBonds as BondSlasher<_, _, _>>::report_offence(&ALICE, DEVICE, OffenceKind::Equivocation, 1, Some(ALICE)),
			Error::<Test>::SelfReport
		);
	});
}

#[test]
fn without_a_reporter_its_share_stays_with_insurance() {
	new_test_ext().execute_with(|| {
		assert_ok!(MicroBonds::bond(RuntimeOrigin::signed(ALICE), DEVICE, 10_000));
		let before = free(insurance());
		let o = <MicroBonds as BondSlasher<_, _, _>>::report_offence(&ALICE, DEVICE, OffenceKind::Equivocation, 1, None).unwrap();
		assert_eq!((o.to_reporter, o.to_insurance, o.burned), (0, 500, 500));
		assert_eq!(free(insurance()), before + 500);
		check();
	});
}

#[test]
fn slash_policy_is_governed_and_must_split_whole() {
	new_test_ext().execute_with(|| {
		let mut policy = equivocation_policy();
		assert_noop!(
			MicroBonds::set_slash_policy(RuntimeOrigin::signed(ALICE), OffenceKind::FalseCoverage, policy),
			DispatchError::BadOrigin
		);
		policy.burn = Perbill::from_percent(49);
		assert_noop!(
			MicroBonds::set_slash_policy(RuntimeOrigin::root(), OffenceKind::FalseCoverage, policy),
			Error::<Test>::InvalidSplit
		);
		let policy = SlashPolicy { fraction: Perbill::from_percent(50), ..equivocation_policy() };
		assert_ok!(MicroBonds::set_slash_policy(RuntimeOrigin::root(), OffenceKind::FalseCoverage, policy));
		assert_eq!(SlashPolicies::<Test>::get(OffenceKind::FalseCoverage), Some(policy));
	});
}

// ---- Pools ----------------------------------------------------------------

#[test]
fn pool_lifecycle() {
	new_test_ext().execute_with(|| {
		assert_ok!(MicroBonds::create_pool(RuntimeOrigin::signed(ALICE), Perbill::from_percent(10), 1_000));
		let pool_account = MicroBonds::pool_account(0);
		assert_eq!(Balances::balance_on_hold(&HoldReason::PoolStake.into(), &pool_account), 1_000);
		assert_ok!(MicroBonds::join_pool(RuntimeOrigin::signed(BOB), 0, 3_000));
		assert_eq!(Pools::<Test>::get(0).unwrap().member_count, 2);
		assert_ok!(MicroBonds::leave_pool(RuntimeOrigin::signed(BOB), 0, 3_000));
		run_to_block(1 + UNBONDING_PERIOD - 1);
		assert_noop!(MicroBonds::withdraw_pool(RuntimeOrigin::signed(BOB), 0), Error::<Test>::NothingToWithdraw);
		run_to_block(1 + UNBONDING_PERIOD);
		assert_ok!(MicroBonds::withdraw_pool(RuntimeOrigin::signed(BOB), 0));
		assert_eq!(free(BOB), ENDOWMENT);
		assert!(PoolMembers::<Test>::get(0, BOB).is_none());
		// The operator cannot destroy a pool it still has stake in.
		assert_noop!(MicroBonds::destroy_pool(RuntimeOrigin::signed(ALICE), 0), Error::<Test>::PoolNotEmpty);
		assert_ok!(MicroBonds::leave_pool(RuntimeOrigin::signed(ALICE), 0, 1_000));
		run_to_block(1 + 2 * UNBONDING_PERIOD);
		assert_ok!(MicroBonds::withdraw_pool(RuntimeOrigin::signed(ALICE), 0));
		assert_noop!(MicroBonds::destroy_pool(RuntimeOrigin::signed(BOB), 0), Error::<Test>::NotOperator);
		assert_ok!(MicroBonds::destroy_pool(RuntimeOrigin::signed(ALICE), 0));
		assert!(Pools::<Test>::get(0).is_none());
		assert_eq!(free(ALICE), ENDOWMENT);
		// The operator may create a new pool.
		assert_ok!(MicroBonds::create_pool(RuntimeOrigin::signed(ALICE), Perbill::zero(), 1_000));
		assert_eq!(OperatorPool::<Test>::get(ALICE), Some(1));
		check();
	});
}

#[test]
fn pool_errors() {
	new_test_ext().execute_with(|| {
		let (alice, bob) = (RuntimeOrigin::signed(ALICE), RuntimeOrigin::signed(BOB));
		assert_noop!(MicroBonds::create_pool(alice.clone(), Perbill::from_percent(21), 1_000), Error::<Test>::CommissionTooHigh);
		assert_noop!(MicroBonds::create_pool(alice.clone(), Perbill::zero(), MIN_POOL_STAKE - 1), Error::<Test>::StakeTooLow);
		assert_noop!(MicroBonds::join_pool(bob.clone(), 0, 100), Error::<Test>::PoolNotFound);
		assert_ok!(MicroBonds::create_pool(alice.clone(), Perbill::zero(), 1_000));
		assert_noop!(MicroBonds::create_pool(alice.clone(), Perbill::zero(), 1_000), Error::<Test>::AlreadyOperator);
		assert_noop!(MicroBonds::join_pool(bob.clone(), 0, MIN_BOND - 1), Error::<Test>::StakeTooLow);
		assert_noop!(MicroBonds::join_pool(bob.clone(), 0, 0), Error::<Test>::ZeroAmount);
		assert_noop!(MicroBonds::join_pool(bob.clone(), 0, ENDOWMENT), Error::<Test>::InsufficientBalance);
		assert_noop!(MicroBonds::leave_pool(bob.clone(), 0, 1), Error::<Test>::NotMember);
		assert_noop!(MicroBonds::withdraw_pool(bob.clone(), 0), Error::<Test>::NotMember);
		assert_noop!(MicroBonds::leave_pool(alice.clone(), 0, 1_001), Error::<Test>::InsufficientPoints);
		assert_noop!(MicroBonds::leave_pool(alice.clone(), 0, 0), Error::<Test>::ZeroAmount);
		assert_noop!(MicroBonds::set_pool_commission(bob, 0, Perbill::zero()), Error::<Test>::NotOperator);
		assert_noop!(MicroBonds::set_pool_commission(alice.clone(), 0, Perbill::from_percent(30)), Error::<Test>::CommissionTooHigh);
		assert_ok!(MicroBonds::set_pool_commission(alice.clone(), 0, Perbill::from_percent(20)));
		assert_noop!(MicroBonds::claim_pool_rewards(alice, 0), Error::<Test>::NothingToClaim);
	});
}

#[test]
fn max_commission_is_governed() {
	new_test_ext().execute_with(|| {
		assert_noop!(MicroBonds::set_max_commission(RuntimeOrigin::signed(ALICE), Perbill::one()), DispatchError::BadOrigin);
		assert_ok!(MicroBonds::set_max_commission(RuntimeOrigin::root(), Perbill::from_percent(50)));
		assert_ok!(MicroBonds::create_pool(RuntimeOrigin::signed(ALICE), Perbill::from_percent(50), 1_000));
	});
}

#[test]
fn rewards_reach_members_pro_rata_after_commission() {
	new_test_ext().execute_with(|| {
		assert_ok!(MicroBonds::create_pool(RuntimeOrigin::signed(ALICE), Perbill::from_percent(10), 1_000));
		assert_ok!(MicroBonds::join_pool(RuntimeOrigin::signed(BOB), 0, 3_000));
		let (alice0, bob0) = (free(ALICE), free(BOB));
		assert_ok!(MicroBonds::reward_pool(RuntimeOrigin::signed(DAVE), 0, 1_000));
		// Commission 100 to the operator now; 900 accrue 1:3.
		assert_eq!(free(ALICE), alice0 + 100);
		assert_ok!(MicroBonds::claim_pool_rewards(RuntimeOrigin::signed(BOB), 0));
		assert_eq!(free(BOB), bob0 + 675);
		assert_ok!(MicroBonds::claim_pool_rewards(RuntimeOrigin::signed(ALICE), 0));
		assert_eq!(free(ALICE), alice0 + 100 + 225);
		// A late joiner earns nothing from past rewards.
		assert_ok!(MicroBonds::join_pool(RuntimeOrigin::signed(CHARLIE), 0, 1_000));
		assert_noop!(MicroBonds::claim_pool_rewards(RuntimeOrigin::signed(CHARLIE), 0), Error::<Test>::NothingToClaim);
		check();
	});
}

#[test]
fn reward_errors() {
	new_test_ext().execute_with(|| {
		assert_noop!(MicroBonds::reward_pool(RuntimeOrigin::signed(DAVE), 0, 10), Error::<Test>::PoolNotFound);
		assert_ok!(MicroBonds::create_pool(RuntimeOrigin::signed(ALICE), Perbill::zero(), 1_000));
		assert_noop!(MicroBonds::reward_pool(RuntimeOrigin::signed(DAVE), 0, 0), Error::<Test>::ZeroAmount);
		assert_noop!(MicroBonds::reward_pool(RuntimeOrigin::signed(DAVE), 0, ENDOWMENT), Error::<Test>::InsufficientBalance);
		assert_ok!(MicroBonds::leave_pool(RuntimeOrigin::signed(ALICE), 0, 1_000));
		assert_noop!(MicroBonds::reward_pool(RuntimeOrigin::signed(DAVE), 0, 10), Error::<Test>::NoActiveStake);
	});
}

#[test]
fn slashing_a_pool_reduces_every_member_pro_rata() {
	new_test_ext().execute_with(|| {
		assert_ok!(MicroBonds::create_pool(RuntimeOrigin::signed(ALICE), Perbill::zero(), 2_000));
		assert_ok!(MicroBonds::join_pool(RuntimeOrigin::signed(BOB), 0, 6_000));
		assert_ok!(MicroBonds::join_pool(RuntimeOrigin::signed(CHARLIE), 0, 2_000));
		assert_ok!(MicroBonds::leave_pool(RuntimeOrigin::signed(CHARLIE), 0, 2_000));
		assert_ok!(<MicroBonds as BondManager<_, _>>::require_bond(&ALICE, DEVICE, 8_000));
		// 10% of the 8,000 committed: 800, from active (8,000) and unbonding (2,000) pro rata.
		let o = slash(ALICE, 1).unwrap();
		assert_eq!(o.slashed, 800);
		let pool = Pools::<Test>::get(0).unwrap();
		assert_eq!(pool.active.balance, 7_360);
		assert_eq!(pool.unbonding.balance, 1_840);
		// Points untouched; each is worth 8% less.
		assert_eq!(pool.active.value_of(6_000), 5_520);
		run_to_block(1 + UNBONDING_PERIOD);
		assert_ok!(MicroBonds::withdraw_pool(RuntimeOrigin::signed(CHARLIE), 0));
		assert_eq!(free(CHARLIE), ENDOWMENT - 160);
		check();
	});
}

#[test]
fn pool_slash_writes_the_same_storage_with_10_000_members_as_with_one() {
	fn changed_keys_of_a_slash(members: u64) -> usize {
		let mut ext = new_test_ext();
		ext.execute_with(|| {
			// Plenty of funds for each member.
			assert_ok!(MicroBonds::create_pool(RuntimeOrigin::signed(ALICE), Perbill::zero(), 100_000));
			for m in 0..members {
				let who = acc(1_000 + m);
				let _ = pallet_balances::Pallet::<Test>::force_set_balance(RuntimeOrigin::root(), who.clone(), 1_000);
				assert_ok!(MicroBonds::join_pool(RuntimeOrigin::signed(who), 0, 100));
			}
			assert_ok!(<MicroBonds as BondManager<_, _>>::require_bond(&ALICE, DEVICE, 50_000));
			System::reset_events();
		});
		ext.commit_all().unwrap();
		let before = ext.execute_with(|| snapshot());
		ext.execute_with(|| {
			assert_ok!(slash(ALICE, 1));
			MicroBonds::do_try_state().unwrap();
		});
		let after = ext.execute_with(|| snapshot());
		before.iter().filter(|(k, v)| after.get(*k) != Some(*v)).count() +
			after.keys().filter(|k| !before.contains_key(*k)).count()
	}
	fn snapshot() -> std::collections::BTreeMap<Vec<u8>, Vec<u8>> {
		let mut map = std::collections::BTreeMap::new();
		let mut key = Vec::new();
		while let Some(next) = sp_io::storage::next_key(&key) {
			map.insert(next.clone(), sp_io::storage::get(&next).unwrap().to_vec());
			key = next;
		}
		map
	}
	let one = changed_keys_of_a_slash(1);
	let many = changed_keys_of_a_slash(10_000);
	assert_eq!(one, many, "a pool slash must not touch members");
	assert!(one < 20, "a slash changes {one} keys");
}

// ---- Insurance ------------------------------------------------------------

#[test]
fn insurance_pays_from_slashes() {
	new_test_ext().execute_with(|| {
		assert_ok!(MicroBonds::bond(RuntimeOrigin::signed(ALICE), DEVICE, 10_000));
		assert_ok!(slash(ALICE, 1));
		assert_eq!(free(insurance()), 400);
		assert_noop!(MicroBonds::pay_insurance(RuntimeOrigin::signed(BOB), BOB, 100), DispatchError::BadOrigin);
		assert_noop!(MicroBonds::pay_insurance(RuntimeOrigin::root(), BOB, 0), Error::<Test>::ZeroAmount);
		assert_noop!(MicroBonds::pay_insurance(RuntimeOrigin::root(), BOB, 401), Error::<Test>::InsufficientInsurance);
		assert_ok!(MicroBonds::pay_insurance(RuntimeOrigin::root(), BOB, 400));
		assert_eq!(free(BOB), ENDOWMENT + 400);
		assert_eq!(InsurancePaidOut::<Test>::get(), 400);
		assert!(events().contains(&BondEvent::InsurancePaid { to: BOB, amount: 400, remaining: 0 }));
		// The pot survives being emptied and takes the next slash.
		assert_ok!(slash(ALICE, 1));
		assert_eq!(free(insurance()), 360);
	});
}

#[test]
fn pallets_pay_from_insurance_through_the_trait() {
	use machina_primitives::InsuranceFund;
	new_test_ext().execute_with(|| {
		assert_ok!(MicroBonds::bond(RuntimeOrigin::signed(ALICE), DEVICE, 10_000));
		assert_ok!(slash(ALICE, 1));
		assert_eq!(<MicroBonds as InsuranceFund<_, _>>::balance(), 400);
		assert_noop!(<MicroBonds as InsuranceFund<_, _>>::pay(&BOB, 401), Error::<Test>::InsufficientInsurance);
		assert_ok!(<MicroBonds as InsuranceFund<_, _>>::pay(&BOB, 150));
		assert_eq!(<MicroBonds as InsuranceFund<_, _>>::balance(), 250);
		assert_eq!(free(BOB), ENDOWMENT + 150);
	});
}

#[test]
fn integrity_test_passes_for_the_mock() {
	new_test_ext().execute_with(|| MicroBonds::integrity_test());
}

// ---- Property test --------------------------------------------------------

mod property {
	use super::*;
	use proptest::prelude::*;

	#[derive(Debug, Clone)]
	enum Op {
		Bond(u8, Balance),
		Unbond(u8, Balance),
		Rebond(u8, Balance),
		Withdraw(u8),
		Slash(u8),
		Join(u8, Balance),
		Leave(u8, u8),
		WithdrawPool(u8),
		Reward(Balance),
		Commit(Balance),
		Release(Balance),
		Advance(u8),
	}

	fn op() -> impl Strategy<Value = Op> {
		let who = 0u8..4;
		let amount = 1u128..20_000;
		prop_oneof![
			(who.clone(), amount.clone()).prop_map(|(w, a)| Op::Bond(w, a)),
			(who.clone(), amount.clone()).prop_map(|(w, a)| Op::Unbond(w, a)),
			(who.clone(), amount.clone()).prop_map(|(w, a)| Op::Rebond(w, a)),
			who.clone().prop_map(Op::Withdraw),
			who.clone().prop_map(Op::Slash),
			(who.clone(), amount.clone()).prop_map(|(w, a)| Op::Join(w, a)),
			(who.clone(), 1u8..=100).prop_map(|(w, p)| Op::Leave(w, p)),
			who.clone().prop_map(Op::WithdrawPool),
			amount.clone().prop_map(Op::Reward),
			amount.clone().prop_map(Op::Commit),
			amount.prop_map(Op::Release),
			(1u8..6).prop_map(Op::Advance),
		]
	}

	proptest! {
		#![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
		#[test]
		fn records_always_match_holds(ops in proptest::collection::vec(op(), 1..60)) {
			new_test_ext().execute_with(|| {
				let accounts = [ALICE, BOB, CHARLIE, DAVE];
				// Alice operates pool 0.
				assert_ok!(MicroBonds::create_pool(RuntimeOrigin::signed(ALICE), Perbill::from_percent(10), 1_000));
				let mut issuance = Balances::total_issuance();
				let initial_total: Balance = accounts.iter().map(Balances::total_balance).sum();
				for op in ops {
					let mut burned = 0;
					let _ = match op {
						Op::Bond(w, a) => MicroBonds::bond(RuntimeOrigin::signed(accounts[w as usize].clone()), DEVICE, a),
						Op::Unbond(w, a) => MicroBonds::unbond(RuntimeOrigin::signed(accounts[w as usize].clone()), DEVICE, a),
						Op::Rebond(w, a) => MicroBonds::rebond(RuntimeOrigin::signed(accounts[w as usize].clone()), DEVICE, a),
						Op::Withdraw(w) => MicroBonds::withdraw_unbonded(RuntimeOrigin::signed(accounts[w as usize].clone()), DEVICE),
						Op::Slash(w) => {
							let now = System::block_number();
							slash(accounts[w as usize].clone(), now).map(|o| { burned = o.burned; })
						},
						Op::Join(w, a) => MicroBonds::join_pool(RuntimeOrigin::signed(accounts[w as usize].clone()), 0, a),
						Op::Leave(w, pct) => {
							let who = accounts[w as usize].clone();
							let points = PoolMembers::<Test>::get(0, &who).map(|m| m.points * pct as u128 / 100).unwrap_or(1);
							MicroBonds::leave_pool(RuntimeOrigin::signed(who), 0, points.max(1))
						},
						Op::WithdrawPool(w) => MicroBonds::withdraw_pool(RuntimeOrigin::signed(accounts[w as usize].clone()), 0),
						Op::Reward(a) => MicroBonds::reward_pool(RuntimeOrigin::signed(PAYER), 0, a),
						Op::Commit(a) => <MicroBonds as BondManager<_, _>>::require_bond(&ALICE, DEVICE, a),
						Op::Release(a) => <MicroBonds as BondManager<_, _>>::release_bond(&ALICE, DEVICE, a),
						Op::Advance(n) => { run_to_block(System::block_number() + n as u64); Ok(()) },
					};
					// Holds equal records; pots equal members' points; rewards are covered.
					MicroBonds::do_try_state().unwrap();
					// Total issuance changes only by burns.
					issuance -= burned;
					assert_eq!(Balances::total_issuance(), issuance);
					// No member's stake is worth more than the pot can pay.
					if let Some(pool) = Pools::<Test>::get(0) {
						let claims: Balance = PoolMembers::<Test>::iter_prefix(0)
							.map(|(_, m)| pool.active.value_of(m.points))
							.sum();
						assert!(claims <= pool.active.balance);
					}
				}
				// Funds never appear from nowhere: the accounts hold at most what they had
				// plus rewards paid in by account 10.
				let total: Balance = accounts.iter().map(Balances::total_balance).sum();
				assert!(total <= initial_total + (ENDOWMENT - Balances::total_balance(&PAYER)));
			});
		}
	}
}

#[test]
fn pallet_accounts_are_distinct() {
	let accounts = [
		MicroBonds::insurance_account(),
		MicroBonds::pool_account(0),
		MicroBonds::pool_account(1),
		MicroBonds::pool_reward_account(0),
		MicroBonds::pool_reward_account(1),
	];
	for (i, a) in accounts.iter().enumerate() {
		for b in &accounts[i + 1..] {
			assert_ne!(a, b);
		}
	}
}

#[test]
fn destroying_a_pool_releases_its_accounts() {
	new_test_ext().execute_with(|| {
		let (stake, reward) = (MicroBonds::pool_account(0), MicroBonds::pool_reward_account(0));
		assert_ok!(MicroBonds::create_pool(RuntimeOrigin::signed(ALICE), Perbill::zero(), 1_000));
		assert_ok!(MicroBonds::join_pool(RuntimeOrigin::signed(BOB), 0, 500));
		assert_ok!(MicroBonds::reward_pool(RuntimeOrigin::signed(DAVE), 0, 7));
		for who in [ALICE, BOB] {
			let points = PoolMembers::<Test>::get(0, &who).unwrap().points;
			assert_ok!(MicroBonds::leave_pool(RuntimeOrigin::signed(who), 0, points));
		}
		run_to_block(100);
		for who in [ALICE, BOB] {
			assert_ok!(MicroBonds::withdraw_pool(RuntimeOrigin::signed(who), 0));
		}
		let insurance_before = free(insurance());
		assert_ok!(MicroBonds::destroy_pool(RuntimeOrigin::signed(ALICE), 0));
		// 7 of rewards split 1000:500 round down to 4 + 2: 1 unit of dust to insurance.
		assert!(events().contains(&BondEvent::PoolDestroyed { pool: 0, dust: 1 }));
		assert_eq!(free(insurance()), insurance_before + 1);
		assert!(!System::account_exists(&stake));
		assert!(!System::account_exists(&reward));
	});
}
