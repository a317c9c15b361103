//! Benchmarks of every call and of the trait entry points, each in its worst case.

use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	EnsureOrigin, Get, Hooks,
};
use frame_system::RawOrigin;
use machina_primitives::{BondManager, BondPurpose, BondSlasher, CommitmentId, Offence, OffenceKind, SlashTarget};

use sp_runtime::{
	traits::{BlockNumberProvider, Bounded, One, Zero},
	Perbill,
};

use crate::{pallet::*, ExpiringEntry, SlashPolicy};

const PURPOSE: BondPurpose = BondPurpose::Device;

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	let amount = BalanceOf::<T>::max_value() / 1_000_000u32.into();
	T::Currency::set_balance(&who, amount);
	who
}

/// A stake comfortably above every minimum.
fn unit<T: Config>() -> BalanceOf<T> {
	T::MinPoolOperatorStake::get().max(T::MinBond::get()) * 10u32.into()
}

/// Set the pallet's clock (relay-chain block number on the runtime).
fn set_now<T: Config>(n: u32) {
	T::Clock::set_block_number(n.into());
}

fn now<T: Config>() -> MomentOf<T> {
	T::Clock::current_block_number()
}

fn device(n: u32) -> CommitmentId {
	let mut id = [0u8; 32];
	id[..4].copy_from_slice(&n.to_le_bytes());
	CommitmentId::from(id)
}

/// A bond of `who` for `purpose` with `chunks` unbonding chunks at distinct instants.
fn bonded_with_chunks<T: Config>(who: &T::AccountId, purpose: BondPurpose, chunks: u32) {
	set_now::<T>(1_000);
	Pallet::<T>::do_bond(who, purpose, unit::<T>() * 100u32.into(), true).unwrap();
	for i in 0..chunks {
		set_now::<T>(1_000 + i);
		Pallet::<T>::do_unbond(who, purpose, T::MinBond::get()).unwrap();
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

/// A pool (id 0) with its operator and one member whose stake earns rewards.
fn pool_with_member<T: Config>() -> (T::AccountId, T::AccountId) {
	MaxCommission::<T>::put(Perbill::from_percent(50));
	Pallet::<T>::seed_insurance();
	let operator = funded::<T>("operator", 0);
	let member = funded::<T>("member", 0);
	Pallet::<T>::do_create_pool(operator.clone(), Perbill::from_percent(10), unit::<T>()).unwrap();
	Pallet::<T>::do_join_pool(&member, 0, unit::<T>() * 10u32.into()).unwrap();
	warm_up::<T>();
	let payer = funded::<T>("payer", 0);
	Pallet::<T>::do_reward_pool(&payer, 0, unit::<T>()).unwrap();
	(operator, member)
}

/// Move the clock past two warm-up periods: stake that joined earns.
fn warm_up<T: Config>() {
	let now: u32 = now::<T>().try_into().unwrap_or(0);
	let warm_up: u32 = T::RewardWarmUp::get().try_into().unwrap_or(0);
	set_now::<T>(now + 2 * warm_up);
}

/// The member joins again (warming points) and a reward activates them: its next call
/// settles both earning and freshly activated points.
fn warm_and_reward<T: Config>(member: &T::AccountId) {
	Pallet::<T>::do_join_pool(member, 0, unit::<T>()).unwrap();
	warm_up::<T>();
	let payer = funded::<T>("payer", 0);
	Pallet::<T>::do_reward_pool(&payer, 0, unit::<T>()).unwrap();
}

/// Other members leave at each of `n` instants, so `n` unbonding pots exist.
fn unbonding_pots<T: Config>(n: u32) {
	let start: u32 = 2_000;
	for i in 0..n {
		let leaver = funded::<T>("leaver", i);
		Pallet::<T>::do_join_pool(&leaver, 0, T::MinBond::get()).unwrap();
		set_now::<T>(start + i);
		Pallet::<T>::do_leave_pool(&leaver, &leaver, 0, T::MinBond::get()).unwrap();
	}
}

fn ready_to_report<T: Config>() -> T::AccountId {
	SlashPolicies::<T>::insert(OffenceKind::Equivocation, policy::<T>());
	Pallet::<T>::seed_insurance();
	funded::<T>("reporter", 0)
}

fn report<T: Config>(offender: &T::AccountId, target: SlashTarget, reporter: T::AccountId) {
	let offence = Offence {
		offender: offender.clone(),
		purpose: PURPOSE,
		target,
		kind: OffenceKind::Equivocation,
		evidence_time: now::<T>(),
		id: machina_primitives::OffenceId::repeat_byte(7),
	};
	<Pallet<T> as BondSlasher<_, _, _>>::report_offence(offence, Some(reporter)).unwrap();
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
		bonded_with_chunks::<T>(&who, PURPOSE, 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(who), PURPOSE, unit::<T>());
	}

	/// Worst case: an operator's first-loss bond (the pool is read) with all but one
	/// chunk in use.
	#[benchmark]
	fn unbond() {
		let (operator, _) = pool_with_member::<T>();
		bonded_with_chunks::<T>(&operator, BondPurpose::PoolOperator, T::MaxUnbondingChunks::get() - 1);
		set_now::<T>(5_000);
		#[extrinsic_call]
		_(RawOrigin::Signed(operator), BondPurpose::PoolOperator, T::MinBond::get());
	}

	#[benchmark]
	fn rebond(c: Linear<1, { T::MaxUnbondingChunks::get() }>) {
		let who = funded::<T>("bonder", 0);
		bonded_with_chunks::<T>(&who, PURPOSE, c);
		#[extrinsic_call]
		_(RawOrigin::Signed(who), PURPOSE, BalanceOf::<T>::max_value());
	}

	#[benchmark]
	fn withdraw_unbonded(c: Linear<1, { T::MaxUnbondingChunks::get() }>) {
		let who = funded::<T>("bonder", 0);
		bonded_with_chunks::<T>(&who, PURPOSE, c);
		set_now::<T>(1_000_000);
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

	/// Bonds the first-loss stake, holds the deposit and seeds two accounts.
	#[benchmark]
	fn create_pool() {
		MaxCommission::<T>::put(Perbill::from_percent(50));
		let operator = funded::<T>("operator", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(operator), Perbill::from_percent(10), unit::<T>());
		assert!(Pools::<T>::contains_key(0));
	}

	/// An existing member with earning and activated warming points: settle (with the
	/// activation record) and pay, then stake.
	#[benchmark]
	fn join_pool() {
		let (_, member) = pool_with_member::<T>();
		warm_and_reward::<T>(&member);
		#[extrinsic_call]
		_(RawOrigin::Signed(member), 0, unit::<T>());
	}

	/// Settles as `join_pool` does, moves every unlocked pot out and opens a new one.
	#[benchmark]
	fn leave_pool() {
		let (_, member) = pool_with_member::<T>();
		warm_and_reward::<T>(&member);
		let period: u32 = T::UnbondingPeriod::get().try_into().unwrap_or(10);
		unbonding_pots::<T>(period);
		set_now::<T>(1_000_000);
		#[extrinsic_call]
		_(RawOrigin::Signed(member.clone()), 0, member.clone(), T::MinBond::get());
	}

	#[benchmark]
	fn withdraw_pool(c: Linear<1, { T::MaxUnbondingChunks::get() }>) {
		let (_, member) = pool_with_member::<T>();
		for i in 0..c {
			set_now::<T>(3_000 + i);
			Pallet::<T>::do_leave_pool(&member, &member, 0, T::MinBond::get()).unwrap();
		}
		set_now::<T>(1_000_000);
		let caller = funded::<T>("caller", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), 0, member);
	}

	#[benchmark]
	fn claim_pool_rewards() {
		let (_, member) = pool_with_member::<T>();
		warm_and_reward::<T>(&member);
		#[extrinsic_call]
		_(RawOrigin::Signed(member), 0);
	}

	/// A due commission change applies, and warmed-up points are activated.
	#[benchmark]
	fn reward_pool() {
		let (operator, member) = pool_with_member::<T>();
		Pallet::<T>::do_set_pool_commission(&operator, 0, Perbill::from_percent(12)).unwrap();
		Pallet::<T>::do_join_pool(&member, 0, unit::<T>()).unwrap();
		set_now::<T>(10_000_000);
		let payer = funded::<T>("payer", 1);
		#[extrinsic_call]
		_(RawOrigin::Signed(payer), 0, unit::<T>());
	}

	/// The entry point coverage claims pay through (`CommitmentRewards`): a device
	/// commitment backed half by its holder's bond, half by the pool it operates; the
	/// pool's due commission change applies and warmed-up points activate; both parts are
	/// paid.
	#[benchmark]
	fn pay_reward() {
		let (operator, member) = pool_with_member::<T>();
		Pallet::<T>::do_set_pool_commission(&operator, 0, Perbill::from_percent(12)).unwrap();
		Pallet::<T>::do_join_pool(&member, 0, unit::<T>()).unwrap();
		Pallet::<T>::do_bond(&operator, PURPOSE, unit::<T>(), true).unwrap();
		<Pallet<T> as BondManager<_, _>>::require_bond(&operator, PURPOSE, device(1), unit::<T>() * 2u32.into())
			.unwrap();
		set_now::<T>(10_000_000);
		let payer = funded::<T>("payer", 1);
		#[block]
		{
			let payout = <Pallet<T> as machina_primitives::CommitmentRewards<_, _>>::pay_reward(
				&payer,
				&operator,
				device(1),
				unit::<T>(),
			)
			.unwrap();
			assert!(!payout.to_pool.is_zero() && !payout.to_holder.is_zero());
		}
	}

	/// A due change applies, then a rise is scheduled.
	#[benchmark]
	fn set_pool_commission() {
		let (operator, _) = pool_with_member::<T>();
		Pallet::<T>::do_set_pool_commission(&operator, 0, Perbill::from_percent(12)).unwrap();
		set_now::<T>(10_000_000);
		#[extrinsic_call]
		_(RawOrigin::Signed(operator), 0, Perbill::from_percent(14));
	}

	/// The sweep: rounding dust in both pool accounts goes to insurance, the existential
	/// deposits back to the operator, the deposit is released.
	#[benchmark]
	fn destroy_pool() {
		MaxCommission::<T>::put(Perbill::from_percent(50));
		Pallet::<T>::seed_insurance();
		let operator = funded::<T>("operator", 0);
		Pallet::<T>::do_create_pool(operator.clone(), Perbill::zero(), unit::<T>()).unwrap();
		let ed = T::Currency::minimum_balance();
		for account in [Pallet::<T>::pool_account(0), Pallet::<T>::pool_reward_account(0)] {
			T::Currency::set_balance(&account, ed + ed);
		}
		#[extrinsic_call]
		_(RawOrigin::Signed(operator), 0);
		assert!(!Pools::<T>::contains_key(0));
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

	/// The trait entry point, a device commitment backed by the owner's own bond with
	/// `c` unbonding chunks.
	#[benchmark]
	fn report_offence_own(c: Linear<1, { T::MaxUnbondingChunks::get() }>) {
		let owner = funded::<T>("owner", 0);
		bonded_with_chunks::<T>(&owner, PURPOSE, c);
		<Pallet<T> as BondManager<_, _>>::require_bond(&owner, PURPOSE, device(1), unit::<T>()).unwrap();
		let reporter = ready_to_report::<T>();
		#[block]
		{
			report::<T>(&owner, SlashTarget::Commitment(device(1)), reporter);
		}
	}

	/// The worst case: a device commitment backed partly by the owner's bond (`c`
	/// chunks) and partly by its pool, whose first-loss stake has `c` chunks too and
	/// whose members' stake sits in the active pot and every live unbonding pot.
	#[benchmark]
	fn report_offence_pool(c: Linear<1, { T::MaxUnbondingChunks::get() }>) {
		let (operator, _) = pool_with_member::<T>();
		let period: u32 = T::UnbondingPeriod::get().try_into().unwrap_or(10);
		unbonding_pots::<T>(period);
		bonded_with_chunks::<T>(&operator, BondPurpose::PoolOperator, c);
		Pallet::<T>::do_bond(&operator, PURPOSE, unit::<T>(), true).unwrap();
		set_now::<T>(2_000 + period);
		<Pallet<T> as BondManager<_, _>>::require_bond(&operator, PURPOSE, device(1), unit::<T>() * 5u32.into())
			.unwrap();
		let reporter = ready_to_report::<T>();
		#[block]
		{
			report::<T>(&operator, SlashTarget::Commitment(device(1)), reporter);
		}
	}

	/// A slash of a commitment backed by a pool of `m` members. The generated slope for
	/// `m` is the evidence that slashing a pool is O(1): no member record is read or
	/// written. Members beyond the first are written straight into storage.
	#[benchmark]
	fn report_offence_pool_members(m: Linear<1, 10_000>) {
		let (operator, _) = pool_with_member::<T>();
		for i in 1..m {
			let member = crate::PoolMember {
				points: One::one(),
				warming: Default::default(),
				warming_period: Default::default(),
				reward_per_point_paid: Default::default(),
				unpaid: Default::default(),
				unbonding: Default::default(),
			};
			PoolMembers::<T>::insert(0, account::<T::AccountId>("member", i, 1), member);
		}
		Pools::<T>::mutate(0, |p| {
			let p = p.as_mut().expect("pool exists");
			p.member_count = m + 1;
		});
		<Pallet<T> as BondManager<_, _>>::require_bond(&operator, PURPOSE, device(1), unit::<T>()).unwrap();
		let reporter = ready_to_report::<T>();
		#[block]
		{
			report::<T>(&operator, SlashTarget::Commitment(device(1)), reporter);
		}
	}

	#[benchmark]
	fn close_pool() {
		let (operator, _) = pool_with_member::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(operator), 0);
		assert!(Pools::<T>::get(0).unwrap().closing);
	}

	/// `on_initialize` removing `n` released commitments whose window has passed, and
	/// visiting `m` instants to find them (the cursor lags after an idle stretch).
	#[benchmark]
	fn prune_expired(n: Linear<0, { T::MaxPrunePerBlock::get() }>, m: Linear<1, { T::MaxPrunePerBlock::get() }>) {
		let owner = funded::<T>("owner", 0);
		bonded_with_chunks::<T>(&owner, PURPOSE, 0);
		let at = now::<T>();
		for i in 0..n {
			<Pallet<T> as BondManager<_, _>>::require_bond(&owner, PURPOSE, device(i), T::MinBond::get()).unwrap();
			<Pallet<T> as BondManager<_, _>>::release_bond(&owner, device(i)).unwrap();
		}
		assert_eq!(Expiring::<T>::iter_prefix(at).count() as u32, n);
		PruneCursor::<T>::put(at);
		// The horizon is `m` instants past the cursor: `m` instants are visited.
		let at: u32 = at.try_into().unwrap_or(0);
		let window: u32 = T::EvidenceWindow::get().try_into().unwrap_or(0);
		set_now::<T>(at + window + m);
		let at: MomentOf<T> = at.into();
		#[block]
		{
			Pallet::<T>::on_initialize(frame_system::Pallet::<T>::block_number());
		}
		assert!(!Expiring::<T>::contains_key(at, ExpiringEntry::Commitment(owner.clone(), device(0))));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
