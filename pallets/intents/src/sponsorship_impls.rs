//! Fee sponsorship: a device's owner pays the device's transaction fees from a pot, per
//! device up to an allowance per period and for chosen call classes only. The fee
//! adapter that charges the pot is in [`crate::sponsorship`].

use crate::*;
use codec::Encode;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{
		fungibles::{Mutate, MutateHold},
		tokens::{Fortitude, Precision, Preservation},
	},
};
use machina_primitives::{DeviceId, DeviceInspect, DeviceSignature, DeviceStatus};
use sp_runtime::traits::{AccountIdConversion, Convert, Saturating, Zero};

/// Names the sponsor pots among the pallet's sub-accounts.
const SPONSOR_POT_TAG: [u8; 4] = *b"spon";

impl<T: Config> Pallet<T> {
	/// The account `sponsor`'s pot is kept in: a sub-account of the pallet named by a hash
	/// of the sponsor (the sub-account keeps 16 bytes of it, so accounts that share a
	/// prefix do not share a pot).
	pub fn sponsor_pot_account(sponsor: &T::AccountId) -> T::AccountId {
		T::PalletId::get().into_sub_account_truncating((SPONSOR_POT_TAG, sp_io::hashing::blake2_256(&sponsor.encode())))
	}

	/// The bytes `device`'s operational key signs to accept `sponsor`.
	pub fn sponsor_consent_payload(device: DeviceId, sponsor: &T::AccountId) -> alloc::vec::Vec<u8> {
		SponsorConsent { tag: SPONSOR_TAG, genesis: Self::genesis_hash(), device, sponsor: sponsor.clone() }.encode()
	}

	/// The account `device` transacts as: its operational key's.
	pub fn device_account(device: &DeviceId) -> Option<T::AccountId> {
		T::Devices::operational_key(device).map(T::OperationalAccount::convert)
	}

	/// Whether `sponsorship` of `account` is void for good: the device changed owner or
	/// operational key, left the registry, or was revoked. A void sponsorship pays nothing,
	/// anyone may end it, and the key's holder may replace it.
	pub fn sponsorship_void(sponsorship: &SponsorshipOf<T>, account: &T::AccountId) -> bool {
		T::Devices::owner(&sponsorship.device).as_ref() != Some(&sponsorship.sponsor)
			|| Self::device_account(&sponsorship.device).as_ref() != Some(account)
			|| matches!(T::Devices::status(&sponsorship.device), None | Some(DeviceStatus::Revoked))
	}

	/// Whether `sponsorship` of `account` pays now: not void, and the device not suspended
	/// (a suspension may be lifted, so it does not void the sponsorship).
	pub fn sponsorship_in_force(sponsorship: &SponsorshipOf<T>, account: &T::AccountId) -> bool {
		!Self::sponsorship_void(sponsorship, account)
			&& T::Devices::status(&sponsorship.device) != Some(DeviceStatus::Suspended)
	}

	pub(crate) fn do_sponsor_device(
		sponsor: T::AccountId,
		device: DeviceId,
		allowance: BalanceOf<T>,
		calls: BoundedVec<CallClass, MaxCallClasses>,
		consent: Option<DeviceSignature>,
	) -> DispatchResult {
		ensure!(T::Devices::owner(&device).as_ref() == Some(&sponsor), Error::<T>::NotDeviceOwner);
		ensure!(!calls.is_empty(), Error::<T>::NoCallClasses);
		let key = T::Devices::operational_key(&device).ok_or(Error::<T>::NoOperationalKey)?;
		let account = T::OperationalAccount::convert(key.clone());
		if let Some(mut existing) = Sponsorships::<T>::get(&account) {
			if existing.sponsor == sponsor && existing.device == device {
				// An update: the period and what it spent carry on.
				existing.allowance = allowance;
				existing.calls = calls.clone();
				Sponsorships::<T>::insert(&account, existing);
				Self::deposit_event(Event::DeviceSponsored { sponsor, device, account, allowance, calls });
				return Ok(());
			}
		}
		// Only the key's holder can say which device, and which sponsor, its account is for.
		let payload = Self::sponsor_consent_payload(device, &sponsor);
		ensure!(consent.is_some_and(|c| c.verify(&key, &payload)), Error::<T>::BadConsent);
		if let Some(existing) = Sponsorships::<T>::get(&account) {
			// The key's holder moved it to another device (or owner): the old sponsorship
			// must be void.
			ensure!(Self::sponsorship_void(&existing, &account), Error::<T>::AlreadySponsored);
			Self::end(existing, account.clone());
		}
		let deposit = T::SponsorshipDeposit::get();
		Self::hold_deposit(&sponsor, deposit)?;
		let holds_account = !SponsoredAccountRefs::<T>::contains_key(&account);
		if holds_account {
			// The device may have no balance: this keeps its account, and its nonce, alive.
			frame_system::Pallet::<T>::inc_sufficients(&account);
			SponsoredAccountRefs::<T>::insert(&account, ());
		}
		Sponsorships::<T>::insert(
			&account,
			Sponsorship {
				sponsor: sponsor.clone(),
				device,
				allowance,
				calls: calls.clone(),
				period_start: Self::now(),
				spent: Zero::zero(),
				deposit,
				holds_account,
				used: false,
			},
		);
		Self::deposit_event(Event::DeviceSponsored { sponsor, device, account, allowance, calls });
		Ok(())
	}

	pub(crate) fn do_end_sponsorship(who: T::AccountId, account: T::AccountId) -> DispatchResult {
		let sponsorship = Sponsorships::<T>::get(&account).ok_or(Error::<T>::NotSponsored)?;
		// Checked for the sponsor too, so the weight does not depend on who calls.
		let void = Self::sponsorship_void(&sponsorship, &account);
		ensure!(who == sponsorship.sponsor || void, Error::<T>::NotSponsor);
		Self::end(sponsorship, account);
		Ok(())
	}

	/// Remove `account`'s sponsorship and return (or burn) its deposit.
	fn end(sponsorship: SponsorshipOf<T>, account: T::AccountId) {
		Sponsorships::<T>::remove(&account);
		// An account that never transacted loses nothing with its nonce; one that did
		// keeps existing, or its signed transactions would become valid again.
		let kept = !frame_system::Pallet::<T>::account_nonce(&account).is_zero();
		if !kept && SponsoredAccountRefs::<T>::take(&account).is_some() {
			frame_system::Pallet::<T>::dec_sufficients(&account);
		}
		let burnt = if kept && sponsorship.holds_account && sponsorship.used {
			// The state this sponsorship created, and used, stays: its deposit pays for it.
			T::AssetHolds::burn_held(
				T::NativeAsset::get(),
				&HoldReason::StorageDeposit.into(),
				&sponsorship.sponsor,
				sponsorship.deposit,
				Precision::BestEffort,
				Fortitude::Force,
			)
			.unwrap_or_default()
		} else {
			Self::release_deposit(&sponsorship.sponsor, sponsorship.deposit);
			Zero::zero()
		};
		Self::deposit_event(Event::SponsorshipEnded {
			sponsor: sponsorship.sponsor,
			device: sponsorship.device,
			account,
			burnt,
		});
	}

	pub(crate) fn do_fund_sponsor_pot(sponsor: T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let pot = Self::sponsor_pot_account(&sponsor);
		T::Assets::transfer(T::NativeAsset::get(), &sponsor, &pot, amount, Preservation::Preserve)?;
		Self::deposit_event(Event::SponsorPotFunded { sponsor, amount });
		Ok(())
	}

	pub(crate) fn do_withdraw_sponsor_pot(sponsor: T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let pot = Self::sponsor_pot_account(&sponsor);
		T::Assets::transfer(T::NativeAsset::get(), &pot, &sponsor, amount, Preservation::Expendable)?;
		Self::deposit_event(Event::SponsorPotWithdrawn { sponsor, amount });
		Ok(())
	}

	/// The pot that pays `fee` for `account`'s transaction of class `class`, if a
	/// sponsorship in force covers it: the class is listed, there is no tip, and the fee
	/// fits in what is left of this period's allowance.
	pub fn sponsoring_pot(
		account: &T::AccountId,
		class: Option<CallClass>,
		fee: BalanceOf<T>,
		tipped: bool,
	) -> Option<T::AccountId> {
		let class = class?;
		// A tip is the device's own business; a free transaction needs no sponsor.
		if tipped || fee.is_zero() {
			return None;
		}
		let sponsorship = Sponsorships::<T>::get(account)?;
		if !sponsorship.calls.contains(&class) || !Self::sponsorship_in_force(&sponsorship, account) {
			return None;
		}
		let (_, spent) = Self::current_period(&sponsorship);
		(spent.saturating_add(fee) <= sponsorship.allowance).then(|| Self::sponsor_pot_account(&sponsorship.sponsor))
	}

	/// (start, spent) of the period `sponsorship` is in now.
	fn current_period(sponsorship: &SponsorshipOf<T>) -> (Moment, BalanceOf<T>) {
		let now = Self::now();
		let period = T::SponsorshipPeriod::get().max(1);
		let elapsed = now.saturating_sub(sponsorship.period_start);
		if elapsed >= period {
			(now.saturating_sub(elapsed % period), Zero::zero())
		} else {
			(sponsorship.period_start, sponsorship.spent)
		}
	}

	/// Count `fee`, just withdrawn from the pot, against `account`'s allowance.
	pub(crate) fn note_sponsored_charge(account: &T::AccountId, fee: BalanceOf<T>) {
		Sponsorships::<T>::mutate(account, |sponsorship| {
			if let Some(sponsorship) = sponsorship {
				let (start, spent) = Self::current_period(sponsorship);
				sponsorship.period_start = start;
				sponsorship.spent = spent.saturating_add(fee);
				sponsorship.used = true;
			}
		});
	}

	/// Give back `refund` of a charge after dispatch (the call weighed less), and record
	/// what the sponsor paid.
	pub(crate) fn note_sponsored_refund(account: &T::AccountId, refund: BalanceOf<T>, paid: BalanceOf<T>) {
		Sponsorships::<T>::mutate(account, |sponsorship| {
			if let Some(sponsorship) = sponsorship {
				sponsorship.spent = sponsorship.spent.saturating_sub(refund);
				Self::deposit_event(Event::FeeSponsored {
					sponsor: sponsorship.sponsor.clone(),
					account: account.clone(),
					fee: paid,
				});
			}
		});
	}
}
