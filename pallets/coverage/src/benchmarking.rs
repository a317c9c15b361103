//! Benchmarks. The aggregated heartbeat is measured over full shards of keyed members
//! (written straight to storage: enrolling 65,536 devices one by one would measure
//! nothing more) with a real BLS signature of the participants.

use crate::*;
use alloc::vec;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{fungible::Mutate, EnsureOrigin, Get},
	BoundedVec,
};
use frame_system::RawOrigin;
use machina_primitives::{
	bls::{self, testing},
	DeviceId, OnSignerRetired, OperationalKey,
};
use sp_core::{crypto::KeyTypeId, H256};
use sp_runtime::{traits::Saturating, Perbill};

const KEY_TYPE: KeyTypeId = KeyTypeId(*b"covb");

fn device(n: u32) -> DeviceId {
	H256(sp_io::hashing::blake2_256(&n.to_le_bytes()))
}

/// An operational key in the benchmark keystore.
fn op_key(n: u32) -> sp_core::sr25519::Public {
	sp_io::crypto::sr25519_generate(KEY_TYPE, Some(alloc::format!("//coverage{n}").into_bytes()))
}

fn sign(key: &sp_core::sr25519::Public, message: &[u8]) -> DeviceSignature {
	DeviceSignature::Sr25519(sp_io::crypto::sr25519_sign(KEY_TYPE, key, message).expect("key in keystore"))
}

fn member_secret(shard: u32, index: u32) -> bls12_381::Scalar {
	testing::secret(&sp_io::hashing::blake2_256(&(shard, index).encode()))
}

use codec::Encode;

/// Open epoch 1, slot 0 on the relay clock.
fn start<T: Config>() -> (EpochIndex, SlotIndex) {
	T::BenchmarkHelper::set_relay_block(T::EpochLength::get());
	frame_system::Pallet::<T>::set_block_number(2u32.into());
	Pallet::<T>::tick();
	(1, 0)
}

/// An enrolled device owned by `owner` with an sr25519 operational key and a BLS key.
fn enrolled<T: Config>(owner: &T::AccountId, n: u32) -> (DeviceId, sp_core::sr25519::Public) {
	let id = device(n);
	let key = op_key(n);
	let bls_key = testing::stored_public(&member_secret(u32::MAX, n));
	T::BenchmarkHelper::register_device(owner, id, OperationalKey::Sr25519(key), Some(bls_key));
	Pallet::<T>::do_enroll(owner.clone(), id).expect("enrolls");
	(id, key)
}

/// `shards` full shards of keyed members with `absent` absentees spread over them;
/// returns the batch and the participants' signature.
fn full_shards<T: Config>(
	shards: u32,
	absent: u32,
	message: &[u8],
	slot: SlotIndex,
) -> (BoundedVec<BatchShard<T::MaxAbsentPerShard>, T::MaxShardsPerBatch>, [u8; 96]) {
	let size = T::ShardSize::get();
	let mut participants = bls12_381::Scalar::zero();
	let mut batch = vec![];
	for s in 0..shards {
		let mut sum = bls12_381::Scalar::zero();
		let mut roster = vec![];
		// This shard's absentees: every `shards`-th of `absent`, from index 0 on.
		let here: u32 = absent / shards + u32::from(s < absent % shards);
		let mut listed = vec![];
		for i in 0..size {
			let secret = member_secret(s, i);
			sum += secret;
			roster.push(RosterEntry { active_until: u32::MAX, keyed: true });
			if i < here {
				listed.push(i as MemberIndex);
				Places::<T>::insert(
					s,
					i as MemberIndex,
					Place { device: device(s * size + i), key: Some(testing::stored_public(&secret)) },
				);
			} else {
				participants += secret;
			}
		}
		Shards::<T>::insert(
			s,
			Shard { key_sum: testing::stored_public(&sum), roster: BoundedVec::truncate_from(roster) },
		);
		Uptime::<T>::insert(1, s, ShardUptime::empty(slot));
		batch.push(BatchShard { shard: s, absent: BoundedVec::truncate_from(listed) });
	}
	ShardCount::<T>::put(shards);
	(BoundedVec::truncate_from(batch), testing::sign(&participants, message, bls::SIGNATURE_DST))
}

/// Close `count` epochs before `epoch` with funded rewards, claimable (or expirable).
fn funded_epochs<T: Config>(first: EpochIndex, count: u32, points: u64) {
	let reward: BalanceOf<T> = T::Currency::minimum_balance().saturating_mul(1_000u32.into());
	let pot = Pallet::<T>::pot();
	let _ = T::Currency::mint_into(&pot, T::Currency::minimum_balance());
	for e in first..first + count {
		let _ = T::Currency::mint_into(&pot, reward);
		Totals::<T>::mutate(|t| t.funded = t.funded.saturating_add(reward));
		Epochs::<T>::insert(
			e,
			EpochRecord { rule: Pallet::<T>::default_rule(), points, reward, paid: 0u32.into(), closed_at: Some(0) },
		);
		LiveEpochs::<T>::mutate(|l| l.try_push(e).expect("within bound"));
	}
}

use frame_support::traits::fungible::Inspect;

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn heartbeat() {
		let owner: T::AccountId = whitelisted_caller();
		let (epoch, slot) = start::<T>();
		let (id, key) = enrolled::<T>(&owner, 0);
		let anchor = CurrentSlot::<T>::get().expect("current").anchor;
		let signature = sign(&key, &Pallet::<T>::direct_message(&id, epoch, slot, anchor));
		#[extrinsic_call]
		_(RawOrigin::None, id, epoch, slot, signature);
		assert_eq!(Pallet::<T>::uptime(id, epoch).expect("live").slots, 1);
	}

	/// `s` full shards, `a` absentees among them.
	#[benchmark]
	fn heartbeat_batch(
		s: Linear<1, { T::MaxShardsPerBatch::get() }>,
		// At least one member of the last shard takes part.
		a: Linear<0, { T::MaxAbsentPerBatch::get().min(T::ShardSize::get()) - 1 }>,
	) {
		let aggregator: T::AccountId = whitelisted_caller();
		T::BenchmarkHelper::bond_aggregator(&aggregator);
		let (epoch, slot) = start::<T>();
		let message = Pallet::<T>::current_message(epoch, slot).expect("current");
		let (batch, signature) = full_shards::<T>(s, a, &message, slot);
		#[extrinsic_call]
		_(RawOrigin::Signed(aggregator), epoch, slot, batch, signature);
		let last = (T::ShardSize::get() - 1) as MemberIndex;
		assert_eq!(Uptime::<T>::get(epoch, 0).expect("counted").count(last), 1);
	}

	#[benchmark]
	fn enroll() {
		let owner: T::AccountId = whitelisted_caller();
		start::<T>();
		// A shard one place short of full: the largest roster to extend.
		let roster = vec![RosterEntry { active_until: u32::MAX, keyed: true }; T::ShardSize::get() as usize - 1];
		let sum = testing::stored_public(&member_secret(1, 1));
		Shards::<T>::insert(0, Shard { key_sum: sum, roster: BoundedVec::truncate_from(roster) });
		ShardCount::<T>::put(1);
		// The most live epochs to read, and a queue of holes to skip before it extends
		// the shard.
		LiveEpochs::<T>::put(BoundedVec::truncate_from((0..T::ClaimWindow::get() + 2).collect::<alloc::vec::Vec<_>>()));
		VacancyBounds::<T>::put((0, MAX_VACANCY_SKIPS));
		let id = device(u32::MAX);
		T::BenchmarkHelper::register_device(
			&owner,
			id,
			OperationalKey::Sr25519(op_key(u32::MAX)),
			Some(testing::stored_public(&member_secret(7, 7))),
		);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id);
		assert!(Members::<T>::contains_key(id));
	}

	/// A buyer takes over the place of a device whose seller is still enrolled and
	/// heartbeated every slot this epoch: the seller's key leaves the shard sum, its count
	/// and points leave the epoch, the buyer's key joins.
	#[benchmark]
	fn enroll_taking_over() {
		let seller: T::AccountId = account("seller", 0, 0);
		let buyer: T::AccountId = whitelisted_caller();
		let (epoch, slot) = start::<T>();
		let (id, key) = enrolled::<T>(&seller, 0);
		let member = Members::<T>::get(id).expect("enrolled");
		let mut uptime = ShardUptime::empty(slot);
		uptime.counts.iter_mut().for_each(|c| *c = T::SlotsPerEpoch::get() as u8);
		Uptime::<T>::insert(epoch, member.shard, uptime);
		Epochs::<T>::mutate(epoch, |r| r.as_mut().expect("open").points = POINTS_PER_DEVICE * 1_000);
		// Sold with the seller still enrolled: its key leaves the shard sum first.
		let bls_key = testing::stored_public(&member_secret(u32::MAX, 0));
		T::BenchmarkHelper::register_device(&buyer, id, OperationalKey::Sr25519(key), Some(bls_key));
		#[block]
		{
			Pallet::<T>::enroll(RawOrigin::Signed(buyer).into(), id).expect("takes over");
		}
		assert_eq!(Uptime::<T>::get(epoch, member.shard).expect("kept").count(member.index), 0);
	}

	/// The hook the registry calls before a key retires, at its worst: the previous
	/// retired key (past its challenge period) is replaced, and the device leaves its
	/// shard.
	#[benchmark]
	fn on_signer_retired() {
		let owner: T::AccountId = whitelisted_caller();
		start::<T>();
		let (id, key) = enrolled::<T>(&owner, 0);
		// Epoch 0 closed at relay block 0: its challenge period is over.
		funded_epochs::<T>(0, 1, POINTS_PER_DEVICE);
		RetiredSigners::<T>::insert(
			id,
			RetiredSigner {
				key: OperationalKey::Sr25519(op_key(1)),
				owner: owner.clone(),
				last_epoch: 0,
				last_slot: 0,
			},
		);
		#[block]
		{
			<Pallet<T> as OnSignerRetired<_>>::on_signer_retired(
				&id,
				&owner,
				Some(&OperationalKey::Sr25519(key)),
				true,
			)
			.expect("retires");
		}
		assert!(Members::<T>::get(id).expect("kept for claims").left.is_some());
	}

	/// The key changed in the registry: out of the shard sum, the new one in.
	#[benchmark]
	fn refresh() {
		let owner: T::AccountId = whitelisted_caller();
		start::<T>();
		let (id, key) = enrolled::<T>(&owner, 0);
		let new_key = testing::stored_public(&member_secret(9, 9));
		T::BenchmarkHelper::register_device(&owner, id, OperationalKey::Sr25519(key), Some(new_key));
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id);
		assert_eq!(Places::<T>::get(0, 0).expect("place").key, Some(new_key));
	}

	#[benchmark]
	fn leave() {
		let owner: T::AccountId = whitelisted_caller();
		start::<T>();
		let (id, _) = enrolled::<T>(&owner, 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id);
		assert!(Members::<T>::get(id).expect("kept for claims").left.is_some());
	}

	#[benchmark]
	fn claim_rewards(e: Linear<1, { T::MaxClaimEpochs::get() }>) {
		let owner: T::AccountId = whitelisted_caller();
		start::<T>();
		let (id, _) = enrolled::<T>(&owner, 0);
		let member = Members::<T>::get(id).expect("enrolled");
		funded_epochs::<T>(100, e, POINTS_PER_DEVICE);
		for epoch in 100..100 + e {
			let mut uptime = ShardUptime::empty(0);
			uptime.counts.iter_mut().for_each(|c| *c = T::SlotsPerEpoch::get() as u8);
			Uptime::<T>::insert(epoch, member.shard, uptime);
		}
		T::BenchmarkHelper::set_relay_block(T::EpochLength::get().saturating_add(T::ChallengePeriod::get()));
		let epochs: BoundedVec<EpochIndex, T::MaxClaimEpochs> = BoundedVec::truncate_from((100..100 + e).collect());
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id, epochs);
		assert!(Totals::<T>::get().paid > 0u32.into());
	}

	#[benchmark]
	fn report_equivocation() {
		let owner: T::AccountId = whitelisted_caller();
		let (epoch, slot) = start::<T>();
		let (id, key) = enrolled::<T>(&owner, 0);
		T::BenchmarkHelper::bond_device(&owner, id);
		let signed = |anchor: H256| SignedHeartbeat {
			anchor,
			signature: sign(&key, &Pallet::<T>::direct_message(&id, epoch, slot, anchor)),
		};
		let (first, second) = (signed(H256::repeat_byte(1)), signed(H256::repeat_byte(2)));
		// The worst path: a retired key that covers the slot is tried first and fails.
		let other = OperationalKey::Sr25519(op_key(1));
		RetiredSigners::<T>::insert(
			id,
			RetiredSigner { key: other, owner: owner.clone(), last_epoch: epoch, last_slot: slot },
		);
		let reporter: T::AccountId = account("reporter", 0, 0);
		let _ = T::Currency::mint_into(&reporter, T::Currency::minimum_balance());
		#[extrinsic_call]
		_(RawOrigin::Signed(reporter), id, epoch, slot, first, second);
		assert!(Pallet::<T>::uptime(id, epoch).expect("live").settled);
	}

	#[benchmark]
	fn set_uptime_rule() -> Result<(), BenchmarkError> {
		let origin = T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let slots = T::SlotsPerEpoch::get();
		let steps: u16 = slots.min(8);
		let rule = UptimeRule::truncate_from(
			(1..=steps)
				.map(|i| UptimeStep {
					min_slots: i,
					multiplier: Perbill::from_rational(u32::from(i), u32::from(steps)),
				})
				.collect(),
		);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, rule.clone());
		assert_eq!(NextUptimeRule::<T>::get(), rule);
		Ok(())
	}

	#[benchmark]
	fn set_reward_split() -> Result<(), BenchmarkError> {
		let origin = T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let split = RewardSplit { per_epoch: 1_000u32.into(), uptime: Perbill::from_percent(60) };
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, split);
		assert_eq!(Split::<T>::get(), split);
		Ok(())
	}

	/// A block within the current slot.
	#[benchmark]
	fn tick_idle() {
		start::<T>();
		#[block]
		{
			Pallet::<T>::tick();
		}
	}

	/// The first block of a slot.
	#[benchmark]
	fn tick_slot() {
		start::<T>();
		T::BenchmarkHelper::set_relay_block(T::EpochLength::get() + Pallet::<T>::slot_length());
		#[block]
		{
			Pallet::<T>::tick();
		}
		assert_eq!(CurrentSlot::<T>::get().expect("set").slot, 1);
	}

	/// The first block of an epoch: the last one closes (funded from the source), two
	/// expired ones return their rest.
	#[benchmark]
	fn tick_epoch() {
		start::<T>();
		let source = T::RewardSource::get();
		let _ = T::Currency::mint_into(&source, T::Currency::minimum_balance().saturating_mul(1_000_000u32.into()));
		Split::<T>::put(RewardSplit { per_epoch: T::Currency::minimum_balance(), uptime: Perbill::from_percent(60) });
		Epochs::<T>::mutate(1, |r| r.as_mut().expect("open").points = POINTS_PER_DEVICE);
		// Two epochs far enough back to expire now.
		LiveEpochs::<T>::kill();
		funded_epochs::<T>(0, 1, POINTS_PER_DEVICE);
		let later = T::ClaimWindow::get() + 2;
		T::BenchmarkHelper::set_relay_block(later * T::EpochLength::get());
		#[block]
		{
			Pallet::<T>::tick();
		}
		assert_eq!(CurrentSlot::<T>::get().expect("set").epoch, later);
		assert!(Epochs::<T>::get(0).is_none());
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_bench_ext(), crate::mock::Test);
}
