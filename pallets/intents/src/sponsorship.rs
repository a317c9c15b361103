//! The transaction-fee side of sponsorship: [`SponsoredFees`] wraps the runtime's
//! `OnChargeTransaction` so a sponsored device's fee is withdrawn from its sponsor's pot
//! instead of its own account, and [`WithSponsorshipWeight`] adds the lookup's weight to
//! `pallet-transaction-payment`'s.
//!
//! No new transaction extension: wallets, `@polkadot/api` and the node sign exactly as
//! before, and a device account with no balance at all can transact.

use crate::*;
use core::marker::PhantomData;
use frame_support::weights::Weight;
use pallet_transaction_payment::{OnChargeTransaction, TxCreditHold};
use sp_runtime::{
	traits::{DispatchInfoOf, PostDispatchInfoOf, Saturating, Zero},
	transaction_validity::TransactionValidityError,
	SaturatedConversion,
};

/// Charges a sponsored device's fee to its sponsor's pot, anything else to the signer,
/// through `Inner` (the runtime's `FungibleAdapter`): fees and refunds are dealt with
/// exactly as for any other payer.
///
/// A device is sponsored for a transaction when its [`Sponsorship`] is in force, lists the
/// call's [`CallClass`] (by `T::CallClassifier`), the transaction has no tip, and the fee
/// fits in the period's allowance. When it is not, or the pot cannot pay, the device pays
/// from its own balance if it has one.
pub struct SponsoredFees<T, Inner>(PhantomData<(T, Inner)>);

/// Who paid a transaction's fee: `Some((pot, fee withdrawn))` when a sponsor did.
pub type SponsoredPayer<AccountId, Balance> = Option<(AccountId, Balance)>;

// Through `Inner`'s `TxCreditHold` alone: asking for `Inner: OnChargeTransaction` here
// would be circular, as `FungibleAdapter`'s implementation asks for this one.
impl<T, Inner> TxCreditHold<T> for SponsoredFees<T, Inner>
where
	T: Config + pallet_transaction_payment::Config,
	Inner: TxCreditHold<T>,
{
	type Credit = <Inner as TxCreditHold<T>>::Credit;
}

impl<T, Inner> SponsoredFees<T, Inner>
where
	T: Config + pallet_transaction_payment::Config,
	Inner: OnChargeTransaction<T>,
{
	fn pot(
		who: &T::AccountId,
		call: &T::RuntimeCall,
		fee: Inner::Balance,
		tip: Inner::Balance,
	) -> Option<T::AccountId> {
		let fee = BalanceOf::<T>::from(fee.saturated_into::<u128>());
		Pallet::<T>::sponsoring_pot(who, T::CallClassifier::classify(call), fee, !tip.is_zero())
	}
}

impl<T, Inner> OnChargeTransaction<T> for SponsoredFees<T, Inner>
where
	T: Config + pallet_transaction_payment::Config,
	Inner: OnChargeTransaction<T>,
{
	type Balance = Inner::Balance;
	type LiquidityInfo = (SponsoredPayer<T::AccountId, Inner::Balance>, Inner::LiquidityInfo);

	fn withdraw_fee(
		who: &T::AccountId,
		call: &T::RuntimeCall,
		dispatch_info: &DispatchInfoOf<T::RuntimeCall>,
		fee_with_tip: Self::Balance,
		tip: Self::Balance,
	) -> Result<Self::LiquidityInfo, TransactionValidityError> {
		if let Some(pot) = Self::pot(who, call, fee_with_tip, tip) {
			// An empty pot leaves the device to pay for itself, below.
			if let Ok(liquidity) = Inner::withdraw_fee(&pot, call, dispatch_info, fee_with_tip, tip) {
				Pallet::<T>::note_sponsored_charge(who, fee_with_tip.saturated_into::<u128>().into());
				return Ok((Some((pot, fee_with_tip)), liquidity));
			}
		}
		Inner::withdraw_fee(who, call, dispatch_info, fee_with_tip, tip).map(|liquidity| (None, liquidity))
	}

	fn can_withdraw_fee(
		who: &T::AccountId,
		call: &T::RuntimeCall,
		dispatch_info: &DispatchInfoOf<T::RuntimeCall>,
		fee_with_tip: Self::Balance,
		tip: Self::Balance,
	) -> Result<(), TransactionValidityError> {
		if let Some(pot) = Self::pot(who, call, fee_with_tip, tip) {
			if Inner::can_withdraw_fee(&pot, call, dispatch_info, fee_with_tip, tip).is_ok() {
				return Ok(());
			}
		}
		Inner::can_withdraw_fee(who, call, dispatch_info, fee_with_tip, tip)
	}

	fn correct_and_deposit_fee(
		who: &T::AccountId,
		dispatch_info: &DispatchInfoOf<T::RuntimeCall>,
		post_info: &PostDispatchInfoOf<T::RuntimeCall>,
		corrected_fee_with_tip: Self::Balance,
		tip: Self::Balance,
		(payer, liquidity): Self::LiquidityInfo,
	) -> Result<(), TransactionValidityError> {
		match payer {
			Some((pot, withdrawn)) => {
				// The refund goes back to the pot, and to the device's allowance.
				Inner::correct_and_deposit_fee(&pot, dispatch_info, post_info, corrected_fee_with_tip, tip, liquidity)?;
				let refund = withdrawn.saturating_sub(corrected_fee_with_tip);
				Pallet::<T>::note_sponsored_refund(
					who,
					refund.saturated_into::<u128>().into(),
					corrected_fee_with_tip.saturated_into::<u128>().into(),
				);
				Ok(())
			},
			None => {
				Inner::correct_and_deposit_fee(who, dispatch_info, post_info, corrected_fee_with_tip, tip, liquidity)
			},
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn endow_account(who: &T::AccountId, amount: Self::Balance) {
		Inner::endow_account(who, amount)
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn minimum_balance() -> Self::Balance {
		Inner::minimum_balance()
	}
}

/// `pallet-transaction-payment`'s weights `W`, with the sponsorship lookup every signed
/// transaction now pays for (measured by this pallet's `charge_sponsored_fee` benchmark
/// on its costliest path: a sponsored device).
pub struct WithSponsorshipWeight<T, W>(PhantomData<(T, W)>);

impl<T: Config, W: pallet_transaction_payment::WeightInfo> pallet_transaction_payment::WeightInfo
	for WithSponsorshipWeight<T, W>
{
	fn charge_transaction_payment() -> Weight {
		W::charge_transaction_payment().saturating_add(<T as Config>::WeightInfo::charge_sponsored_fee())
	}
}
