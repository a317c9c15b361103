//! Invariants: rewards add up and shard sums equal their members' keys.

use crate::*;
use frame_support::{ensure, traits::fungible::Inspect};
use machina_primitives::bls::KeySum;
use sp_runtime::{
	traits::{Saturating, Zero},
	TryRuntimeError,
};

impl<T: Config> Pallet<T> {
	/// Every reward moved into the pot is paid, returned or still owed to a live epoch,
	/// and the pot holds what it owes; every shard's key sum is the sum of its keyed
	/// members' keys; places, members and key holders agree.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let totals = Totals::<T>::get();
		let mut owed = BalanceOf::<T>::zero();
		let live = LiveEpochs::<T>::get();
		ensure!(live.windows(2).all(|w| w[0] < w[1]), "live epochs out of order");
		for epoch in live.iter() {
			let record = Epochs::<T>::get(epoch).ok_or("live epoch without record")?;
			ensure!(record.closed_at.is_some(), "live epoch not closed");
			ensure!(record.paid <= record.reward, "epoch paid more than its reward");
			owed = owed.saturating_add(record.reward - record.paid);
		}
		ensure!(
			totals.funded == totals.paid.saturating_add(totals.expired).saturating_add(owed),
			"rewards do not add up"
		);
		let pot = T::Currency::balance(&Self::pot());
		ensure!(pot >= owed.saturating_add(T::Currency::minimum_balance()), "pot holds less than it owes");

		let shards = ShardCount::<T>::get();
		for id in 0..shards {
			let shard = Shards::<T>::get(id).ok_or("missing shard")?;
			let mut sum = KeySum::empty();
			for (index, entry) in shard.roster.iter().enumerate() {
				let place = Places::<T>::get(id, index as MemberIndex).ok_or("roster entry without place")?;
				let member = Members::<T>::get(place.device);
				if entry.is_vacant() {
					ensure!(!entry.keyed && place.key.is_none(), "vacant place keyed");
					continue;
				}
				let member = member.ok_or("member without membership")?;
				ensure!(
					member.shard == id && member.index as usize == index && member.left.is_none(),
					"membership mismatch"
				);
				ensure!(entry.keyed == place.key.is_some(), "roster and place disagree on the key");
				if let Some(key) = &place.key {
					sum.add(key).ok_or("stored key is not a point")?;
					let holder = KeyHolders::<T>::get(sp_core::H256(sp_io::hashing::blake2_256(key)));
					ensure!(holder == Some(place.device), "key holder mismatch");
				}
			}
			ensure!(sum.to_stored() == shard.key_sum, "shard key sum differs from its members' keys");
		}
		ensure!(Shards::<T>::iter_keys().count() as u32 == shards, "shard count");

		// The vacancy queue holds exactly the places of devices that left and have not
		// come back, each once.
		let (head, tail) = VacancyBounds::<T>::get();
		for (number, vacancy) in Vacancies::<T>::iter() {
			ensure!(head <= number && number < tail, "vacancy outside the queue");
			let place = Places::<T>::get(vacancy.shard, vacancy.index).ok_or("vacancy without place")?;
			let member = Members::<T>::get(place.device).ok_or("vacancy of an unknown member")?;
			ensure!(member.vacancy == Some(number) && member.left == Some(vacancy.left), "vacancy mismatch");
		}
		for (device, member) in Members::<T>::iter() {
			ensure!(EnrolledBy::<T>::contains_key(device), "member without the account that enrolled it");
			ensure!(member.left.is_some() == member.vacancy.is_some(), "leaver without vacancy");
			if let Some(number) = member.vacancy {
				ensure!(Vacancies::<T>::contains_key(number), "leaver's vacancy missing");
			}
		}
		ensure!(EnrolledBy::<T>::iter_keys().all(Members::<T>::contains_key), "enrolling account without member");
		Ok(())
	}
}
