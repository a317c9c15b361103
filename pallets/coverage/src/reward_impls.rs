//! Rewards: epochs close with a fixed pool for their points, claims pay owners after the
//! challenge period, unclaimed rewards go back to the source when the claim window ends.

use crate::*;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, Mutate},
		tokens::{Fortitude, Preservation},
	},
};
use machina_primitives::{CommitmentRewards, DeviceId, DeviceInspect, DeviceStatus};
use sp_runtime::{
	helpers_128bit::multiply_by_rational_with_rounding,
	traits::{Saturating, Zero},
	Perbill, Rounding, SaturatedConversion,
};

impl<T: Config> Pallet<T> {
	/// Full points from half the slots of an epoch on, nothing below.
	pub fn default_rule() -> UptimeRule {
		let half = T::SlotsPerEpoch::get().div_ceil(2).max(1);
		UptimeRule::truncate_from(alloc::vec![UptimeStep { min_slots: half, multiplier: Perbill::one() }])
	}

	/// Give the pot its existential deposit, so it can always pay out everything else.
	pub(crate) fn ensure_pot() {
		let pot = Self::pot();
		let ed = T::Currency::minimum_balance();
		let balance = T::Currency::balance(&pot);
		if balance < ed {
			let _ = T::Currency::mint_into(&pot, ed - balance);
		}
	}

	/// `device`'s share of `record` for `slots` heartbeat slots.
	pub(crate) fn share(record: &EpochRecord<BalanceOf<T>>, slots: u32) -> BalanceOf<T> {
		let points = points_for(&record.rule, slots);
		if record.points == 0 || points == 0 {
			return Zero::zero();
		}
		multiply_by_rational_with_rounding(
			record.reward.saturated_into::<u128>(),
			u128::from(points),
			u128::from(record.points),
			Rounding::Down,
		)
		.unwrap_or_default()
		.saturated_into()
	}

	/// Close `epoch`: fix its reward from the emission, in O(1) whatever the number of
	/// devices.
	pub(crate) fn close_epoch(epoch: EpochIndex, now: RelayBlock) {
		let Some(mut record) = Epochs::<T>::get(epoch) else { return };
		if record.points > 0 {
			let split = Split::<T>::get();
			let wanted = split.uptime.mul_floor(split.per_epoch);
			let source = T::RewardSource::get();
			let available = T::Currency::reducible_balance(&source, Preservation::Preserve, Fortitude::Polite);
			let amount = wanted.min(available);
			if !amount.is_zero() && T::Currency::transfer(&source, &Self::pot(), amount, Preservation::Preserve).is_ok()
			{
				record.reward = amount;
				Totals::<T>::mutate(|t| t.funded = t.funded.saturating_add(amount));
			}
		}
		record.closed_at = Some(now);
		Self::deposit_event(Event::EpochClosed { epoch, points: record.points, reward: record.reward });
		Epochs::<T>::insert(epoch, record);
		LiveEpochs::<T>::mutate(|live| {
			if live.is_full() {
				// Unreachable with `ClaimWindow + 2 <= MAX_LIVE_EPOCHS` (integrity test).
				if let Some(oldest) = live.first().copied() {
					Self::expire_epoch(oldest);
					live.remove(0);
				}
			}
			let _ = live.try_push(epoch);
		});
	}

	/// Expire the epochs whose claim window ended by `current` (at most two per call; one
	/// epoch closes per call, so they keep up).
	pub(crate) fn expire_epochs(current: EpochIndex) -> u32 {
		let mut expired = 0;
		LiveEpochs::<T>::mutate(|live| {
			while expired < 2 {
				match live.first().copied() {
					Some(oldest) if oldest.saturating_add(T::ClaimWindow::get()) < current => {
						if PendingCleanup::<T>::get().is_full() {
							break;
						}
						Self::expire_epoch(oldest);
						live.remove(0);
						expired += 1;
					},
					_ => break,
				}
			}
		});
		expired
	}

	/// Return what `epoch`'s claims left to the source and schedule its records' deletion.
	fn expire_epoch(epoch: EpochIndex) {
		let Some(record) = Epochs::<T>::take(epoch) else { return };
		let returned = record.reward.saturating_sub(record.paid);
		if !returned.is_zero() {
			// The pot holds every live epoch's unpaid reward above its existential deposit.
			let _ = T::Currency::transfer(&Self::pot(), &T::RewardSource::get(), returned, Preservation::Preserve);
			Totals::<T>::mutate(|t| t.expired = t.expired.saturating_add(returned));
		}
		PendingCleanup::<T>::mutate(|p| {
			let _ = p.try_push(epoch);
		});
		Self::deposit_event(Event::EpochExpired { epoch, returned });
	}

	pub(crate) fn do_claim_rewards(device: DeviceId, epochs: &[EpochIndex]) -> DispatchResult {
		ensure!(epochs.windows(2).all(|w| w[0] < w[1]), Error::<T>::EpochsNotSorted);
		let owner = T::Devices::owner(&device).ok_or(Error::<T>::UnknownDevice)?;
		ensure!(
			!matches!(
				T::Devices::status(&device),
				Some(DeviceStatus::Revoked | DeviceStatus::Suspended | DeviceStatus::UnderBonded)
			),
			Error::<T>::DeviceNotInGoodStanding
		);
		let member = Members::<T>::get(device).ok_or(Error::<T>::NotEnrolled)?;
		ensure!(EnrolledBy::<T>::get(device).as_ref() == Some(&owner), Error::<T>::OwnerChanged);
		let now = Self::relay_now();
		let mut total = BalanceOf::<T>::zero();
		for &epoch in epochs {
			let mut record = Epochs::<T>::get(epoch).ok_or(Error::<T>::EpochNotLive)?;
			let closed = record.closed_at.ok_or(Error::<T>::NotClaimable)?;
			ensure!(now >= closed.saturating_add(T::ChallengePeriod::get()), Error::<T>::NotClaimable);
			ensure!(member.may_claim(epoch), Error::<T>::NothingToClaim);
			let mut uptime = Uptime::<T>::get(epoch, member.shard).ok_or(Error::<T>::NothingToClaim)?;
			ensure!(!uptime.is_settled(member.index), Error::<T>::AlreadySettled);
			let amount = Self::share(&record, uptime.count(member.index));
			uptime.settle(member.index);
			record.paid = record.paid.saturating_add(amount);
			Uptime::<T>::insert(epoch, member.shard, uptime);
			Epochs::<T>::insert(epoch, record);
			total = total.saturating_add(amount);
		}
		ensure!(!total.is_zero(), Error::<T>::NothingToClaim);
		// The device's bond commitment is named by the device id. A backing pool that
		// cannot take its part yet fails the claim: the reward waits for it (within the
		// claim window), nobody can redirect the pool's part.
		let payout = T::Rewards::pay_reward(&Self::pot(), &owner, device, total)?;
		Totals::<T>::mutate(|t| t.paid = t.paid.saturating_add(total));
		Self::deposit_event(Event::RewardsClaimed {
			device,
			owner,
			amount: total,
			to_pool: payout.to_pool,
			epochs: epochs.len() as u32,
		});
		Ok(())
	}
}
