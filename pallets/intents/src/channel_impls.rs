//! Payment channels: a payer holds a deposit, signs cumulative vouchers off-chain, and the
//! payee claims the latest on-chain whenever it likes.

use crate::*;
use codec::Encode;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{fungibles::MutateHold, tokens::Precision},
};
use sp_runtime::traits::{Saturating, Verify, Zero};

impl<T: Config> Pallet<T> {
	/// The bytes a payer signs to owe `cumulative` in all on `channel`.
	pub fn voucher_payload(channel: ChannelId, cumulative: u128) -> alloc::vec::Vec<u8> {
		Voucher { tag: VOUCHER_TAG, genesis: Self::genesis_hash(), channel, cumulative }.encode()
	}

	fn check_expiry(expires_at: Moment) -> DispatchResult {
		let now = Self::now();
		ensure!(
			expires_at > now && expires_at <= now.saturating_add(T::MaxChannelLifetime::get()),
			Error::<T>::BadExpiry
		);
		Ok(())
	}

	pub(crate) fn do_open_channel(
		payer: T::AccountId,
		payee: T::AccountId,
		asset: T::AssetKind,
		deposit: BalanceOf<T>,
		expires_at: Moment,
	) -> DispatchResult {
		ensure!(!deposit.is_zero(), Error::<T>::ZeroDeposit);
		ensure!(payer != payee, Error::<T>::PayeeIsPayer);
		Self::check_expiry(expires_at)?;
		let id = NextChannelId::<T>::get();
		ChannelsOf::<T>::try_mutate(&payer, |ids| ids.try_push(id)).map_err(|_| Error::<T>::TooManyChannels)?;
		T::AssetHolds::hold(asset.clone(), &HoldReason::ChannelEscrow.into(), &payer, deposit)?;
		let storage_deposit = T::ChannelDeposit::get();
		Self::hold_deposit(&payer, storage_deposit)?;
		NextChannelId::<T>::put(id.checked_add(1).ok_or(Error::<T>::Overflow)?);
		Channels::<T>::insert(
			id,
			Channel {
				payer: payer.clone(),
				payee: payee.clone(),
				asset: asset.clone(),
				deposit,
				claimed: Zero::zero(),
				expires_at,
				storage_deposit,
			},
		);
		Self::deposit_event(Event::ChannelOpened { channel: id, payer, payee, asset, deposit, expires_at });
		Ok(())
	}

	pub(crate) fn do_top_up_channel(
		who: T::AccountId,
		id: ChannelId,
		amount: BalanceOf<T>,
		expires_at: Option<Moment>,
	) -> DispatchResult {
		let mut channel = Channels::<T>::get(id).ok_or(Error::<T>::UnknownChannel)?;
		ensure!(channel.payer == who, Error::<T>::NotPayer);
		if let Some(at) = expires_at {
			ensure!(at > channel.expires_at, Error::<T>::BadExpiry);
			Self::check_expiry(at)?;
			channel.expires_at = at;
		}
		if !amount.is_zero() {
			T::AssetHolds::hold(channel.asset.clone(), &HoldReason::ChannelEscrow.into(), &who, amount)?;
			channel.deposit = channel.deposit.checked_add(&amount).ok_or(Error::<T>::Overflow)?;
		}
		Self::deposit_event(Event::ChannelToppedUp {
			channel: id,
			deposit: channel.deposit,
			expires_at: channel.expires_at,
		});
		Channels::<T>::insert(id, channel);
		Ok(())
	}

	pub(crate) fn do_claim(
		who: T::AccountId,
		id: ChannelId,
		cumulative: BalanceOf<T>,
		signature: T::Signature,
	) -> DispatchResult {
		let mut channel = Channels::<T>::get(id).ok_or(Error::<T>::UnknownChannel)?;
		ensure!(channel.payee == who, Error::<T>::NotPayee);
		ensure!(cumulative > channel.claimed, Error::<T>::StaleVoucher);
		ensure!(cumulative <= channel.deposit, Error::<T>::VoucherExceedsDeposit);
		let payload = Self::voucher_payload(id, cumulative.into());
		ensure!(signature.verify(&payload[..], &channel.payer), Error::<T>::BadVoucher);
		let paid = cumulative.saturating_sub(channel.claimed);
		Self::pay_from_hold(channel.asset.clone(), HoldReason::ChannelEscrow, &channel.payer, &who, paid)?;
		channel.claimed = cumulative;
		Channels::<T>::insert(id, channel);
		Self::deposit_event(Event::ChannelClaimed { channel: id, cumulative, paid });
		Ok(())
	}

	pub(crate) fn do_close_channel(who: T::AccountId, id: ChannelId) -> DispatchResult {
		let channel = Channels::<T>::get(id).ok_or(Error::<T>::UnknownChannel)?;
		if who != channel.payee {
			ensure!(who == channel.payer, Error::<T>::NotPayer);
			ensure!(Self::now() >= channel.expires_at, Error::<T>::ChannelNotExpired);
		}
		let rest = channel.deposit.saturating_sub(channel.claimed);
		let mut refunded = Zero::zero();
		if !rest.is_zero() {
			// Fails, changing nothing, if the issuer blocked the payer: the record stays.
			refunded = T::AssetHolds::release(
				channel.asset.clone(),
				&HoldReason::ChannelEscrow.into(),
				&channel.payer,
				rest,
				Precision::Exact,
			)?;
		}
		Self::release_deposit(&channel.payer, channel.storage_deposit);
		Channels::<T>::remove(id);
		ChannelsOf::<T>::mutate_exists(&channel.payer, |ids| {
			if let Some(list) = ids {
				list.retain(|c| *c != id);
				if list.is_empty() {
					*ids = None;
				}
			}
		});
		Self::deposit_event(Event::ChannelClosed { channel: id, refunded });
		Ok(())
	}
}
