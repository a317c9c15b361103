//! Benchmarks of every call, each in its worst case.

use frame_benchmarking::v2::*;
use frame_support::traits::{fungible::Mutate, EnsureOrigin, Get};
use frame_system::RawOrigin;
use machina_primitives::{BondManager, BondPurpose, BondSlasher, OffenceKind};
use sp_runtime::{traits::Bounded, Perbill};

use crate::{pallet::*, SlashPolicy};

const PURPOSE: BondPurpose = BondPurpose::Device;

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	let amount = BalanceOf::<T>::max_value() / 1_000_000u32.into();
	T::Currency::set_balance(&who, amount);
	who
}

fn unit<T: Config>() -> BalanceOf<T> {
	T::MinPoolCreateStake::get().max(T::MinBond::get()) * 10u32.into()
}

fn bonded_with_chunks<T: Config>(who: &T::AccountId, chunks: u32) {
	Pallet::<T>::do_bond(who, PURPOSE, unit::<T>() * 100u32.into(), true).unwrap();
	for i in 0..chunks {
		frame_system::Pallet::<T>::set_block_number((i + 1).into());
		Pallet::<T>::do_unbond(who, PURPOSE, T::MinBond::get()).unwrap();
	}
}

fn policy<T: Config>() -> SlashPolicy<BalanceOf<T>> {
	SlashPolicy {
		fraction: Perbill::from_percent(10),
		cap: BalanceOf::<T>::max_value(),
		reporter: Perbill::from_percent(10),
		insurance: Perbill::from_percent(40),
		burn: Perbill::from_percent(50),
	}
}

fn pool_with_member<T: Config>() -> (T::AccountId, T::AccountId) {
	MaxCommission::<T>::put(Perbill::from_percent(50));
	let operator = funded::<T>("operator", 0);
	let member = funded::<T>("member", 0);
	Pallet::<T>::do_create_pool(operator.clone(), Perbill::from_percent(10), unit::<T>()).unwrap();
	Pallet::<T>::do_join_pool(&member, 0, unit::<T>()).unwrap();
	(operator, member)
}

/// An equivocation policy and an insurance account; returns the reporter.
fn ready_to_report<T: Config>() -> T::AccountId {
	SlashPolicies::<T>::insert(OffenceKind::Equivocation, policy::<T>());
	Pallet::<T>::ensure_account_exists(&Pallet::<T>::insurance_account());
	funded::<T>("reporter", 0)
}

/// Report an equivocation by `offender`'s bond, now.
fn report<T: Config>(offender: &T::AccountId, reporter: T::AccountId) {
	let now = frame_system::Pallet::<T>::block_number();
	<Pallet<T> as BondSlasher<_, _, _>>::report_offence(offender, PURPOSE, OffenceKind::Equivocation, now, Some(reporter))
		.unwrap();
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn bond() {
		let who = funded::<T>("bonder", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), PURPOSE, unit::<T>());
		assert!(Bonds::<T>::contains_key(&who, PURPOSE));
	}

	#[benchmark]
	fn bond_extra() {
		let who = funded::<T>("bonder", 0);
		bonded_with_chunks::<T>(&who, 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(who), PURPOSE, unit::<T>());
	}

	#[benchmark]
	fn unbond() {
		let who = funded::<T>("bonder", 0);
		bonded_with_chunks::<T>(&who, T::MaxUnbondingChunks::get() - 1);
		frame_system::Pallet::<T>::set_block_number(1_000u32.into());
		#[extrinsic_call]
		_(RawOrigin::Signed(who), PURPOSE, T::MinBond::get());
	}

	#[benchmark]
	fn rebond(c: Linear<1, { T::MaxUnbondingChunks::get() }>) {
		let who = funded::<T>("bonder", 0);
		bonded_with_chunks::<T>(&who, c);
		#[extrinsic_call]
		_(RawOrigin::Signed(who), PURPOSE, BalanceOf::<T>::max_value());
	}

	#[benchmark]
	fn withdraw_unbonded(c: Linear<1, { T::MaxUnbondingChunks::get() }>) {
		let who = funded::<T>("bonder", 0);
		bonded_with_chunks::<T>(&who, c);
		frame_system::Pallet::<T>::set_block_number(1_000_000u32.into());
		#[extrinsic_call]
		_(RawOrigin::Signed(who), PURPOSE);
	}

	#[benchmark]
	fn set_slash_policy() -> Result<(), BenchmarkError> {
		let origin = T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, OffenceKind::Equivocation, policy::<T>());
		Ok(())
	}

	#[benchmark]
	fn set_max_commission() -> Result<(), BenchmarkError> {
		let origin = T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, Perbill::from_percent(30));
		Ok(())
	}

	#[benchmark]
	fn create_pool() {
		MaxCommission::<T>::put(Perbill::from_percent(50));
		let operator = funded::<T>("operator", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(operator), Perbill::from_percent(10), unit::<T>());
	}

	#[benchmark]
	fn join_pool() {
		let (_, member) = pool_with_member::<T>();
		let payer = funded::<T>("payer", 0);
		Pallet::<T>::do_reward_pool(&payer, 0, unit::<T>()).unwrap();
		// An existing member with pending rewards: settle, then stake.
		#[extrinsic_call]
		_(RawOrigin::Signed(member), 0, unit::<T>());
	}

	#[benchmark]
	fn leave_pool() {
		let (_, member) = pool_with_member::<T>();
		let payer = funded::<T>("payer", 0);
		Pallet::<T>::do_reward_pool(&payer, 0, unit::<T>()).unwrap();
		#[extrinsic_call]
		_(RawOrigin::Signed(member), 0, T::MinBond::get());
	}

	#[benchmark]
	fn withdraw_pool(c: Linear<1, { T::MaxUnbondingChunks::get() }>) {
		let (_, member) = pool_with_member::<T>();
		for i in 0..c {
			frame_system::Pallet::<T>::set_block_number((i + 1).into());
			Pallet::<T>::do_leave_pool(&member, 0, T::MinBond::get()).unwrap();
		}
		frame_system::Pallet::<T>::set_block_number(1_000_000u32.into());
		#[extrinsic_call]
		_(RawOrigin::Signed(member), 0);
	}

	#[benchmark]
	fn claim_pool_rewards() {
		let (_, member) = pool_with_member::<T>();
		let payer = funded::<T>("payer", 0);
		Pallet::<T>::do_reward_pool(&payer, 0, unit::<T>()).unwrap();
		#[extrinsic_call]
		_(RawOrigin::Signed(member), 0);
	}

	#[benchmark]
	fn reward_pool() {
		pool_with_member::<T>();
		let payer = funded::<T>("payer", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(payer), 0, unit::<T>());
	}

	#[benchmark]
	fn set_pool_commission() {
		let (operator, _) = pool_with_member::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(operator), 0, Perbill::from_percent(5));
	}

	#[benchmark]
	fn destroy_pool() {
		MaxCommission::<T>::put(Perbill::from_percent(50));
		let operator = funded::<T>("operator", 0);
		Pallet::<T>::do_create_pool(operator.clone(), Perbill::zero(), unit::<T>()).unwrap();
		Pallet::<T>::do_leave_pool(&operator, 0, unit::<T>()).unwrap();
		frame_system::Pallet::<T>::set_block_number(1_000_000u32.into());
		Pallet::<T>::do_withdraw_pool(&operator, 0).unwrap();
		#[extrinsic_call]
		_(RawOrigin::Signed(operator), 0);
	}

	#[benchmark]
	fn pay_insurance() -> Result<(), BenchmarkError> {
		let origin = T::InsuranceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let to = funded::<T>("harmed", 0);
		T::Currency::set_balance(&Pallet::<T>::insurance_account(), unit::<T>() * 2u32.into());
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, to, unit::<T>());
		Ok(())
	}

	/// The trait entry point other pallets call; worst case: a pool-backed bond with
	/// every unbonding chunk used.
	#[benchmark]
	fn report_offence(c: Linear<1, { T::MaxUnbondingChunks::get() }>) {
		let (operator, _) = pool_with_member::<T>();
		bonded_with_chunks::<T>(&operator, c);
		let committed = unit::<T>();
		<Pallet<T> as BondManager<_, _>>::require_bond(&operator, PURPOSE, committed * 50u32.into()).unwrap();
		<Pallet<T> as BondManager<_, _>>::require_bond(&operator, PURPOSE, committed).unwrap();
		let reporter = ready_to_report::<T>();
		#[block]
		{
			report::<T>(&operator, reporter);
		}
	}

	/// A slash of a bond backed by a pool of `m` members. The generated slope for `m` is
	/// the evidence that slashing a pool is O(1): no member record is read or written.
	/// Members beyond the first are written straight into storage (one point each) to
	/// keep the setup fast; only their number and the trie size matter here.
	#[benchmark]
	fn report_offence_pool_members(m: Linear<1, 10_000>) {
		let (operator, _) = pool_with_member::<T>();
		let pool = OperatorPool::<T>::get(&operator).expect("operator has a pool");
		for i in 1..m {
			let member = crate::PoolMember {
				points: 1u32.into(),
				reward_per_point_paid: Default::default(),
				unbonding: Default::default(),
			};
			PoolMembers::<T>::insert(pool, account::<T::AccountId>("member", i, 1), member);
		}
		Pools::<T>::mutate(pool, |p| {
			let p = p.as_mut().expect("pool exists");
			p.member_count = m + 1;
		});
		<Pallet<T> as BondManager<_, _>>::require_bond(&operator, PURPOSE, unit::<T>()).unwrap();
		let reporter = ready_to_report::<T>();
		#[block]
		{
			report::<T>(&operator, reporter);
		}
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
