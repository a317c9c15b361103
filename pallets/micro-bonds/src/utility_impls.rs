//! Accounts this pallet owns, its clock, the insurance pool, and the queries behind the
//! runtime API.

use frame_support::{
	ensure,
	traits::{
		fungible::{Inspect, Mutate},
		tokens::Preservation,
		Get,
	},
};
use machina_primitives::{BondPurpose, CommitmentId};
use sp_runtime::{
	traits::{AccountIdConversion, BlockNumberProvider, Saturating, Zero},
	DispatchResult,
};

use crate::{pallet::*, PoolId, PoolInfo, PoolMemberInfo, UnbondingChunk};

impl<T: Config> Pallet<T> {
	/// The insurance pool's account: slashes flow in, `pay_insurance` pays out. It keeps
	/// the existential deposit for good.
	pub fn insurance_account() -> T::AccountId {
		T::PalletId::get().into_sub_account_truncating(b"insurance")
	}

	/// The account that holds a pool's stake (active and unbonding).
	pub fn pool_account(pool: PoolId) -> T::AccountId {
		T::PalletId::get().into_sub_account_truncating((b"pool", pool))
	}

	/// The account that holds a pool's unclaimed rewards.
	pub fn pool_reward_account(pool: PoolId) -> T::AccountId {
		T::PalletId::get().into_sub_account_truncating((b"rwrd", pool))
	}

	/// Mint the existential deposit into the insurance account if it holds less (at
	/// genesis; the deposit is the pot's floor, never paid out).
	pub(crate) fn seed_insurance() {
		let insurance = Self::insurance_account();
		let ed = T::Currency::minimum_balance();
		let balance = T::Currency::balance(&insurance);
		if balance < ed {
			let _ = T::Currency::mint_into(&insurance, ed - balance);
		}
	}

	/// Record that `amount` more (`add`) or less is held under `reason`.
	pub(crate) fn track_held(reason: HoldReason, amount: BalanceOf<T>, add: bool) {
		TotalHeld::<T>::mutate(|totals| {
			let total = match reason {
				HoldReason::Bond => &mut totals.bonds,
				HoldReason::PoolStake => &mut totals.pool_stake,
				HoldReason::PoolDeposit => &mut totals.deposits,
			};
			*total = if add { total.saturating_add(amount) } else { total.saturating_sub(amount) };
		});
	}

	/// Now, on the pallet's clock.
	pub fn now() -> MomentOf<T> {
		T::Clock::current_block_number()
	}

	/// The instant something unbonded now unlocks.
	pub(crate) fn unlock_time() -> MomentOf<T> {
		Self::now().saturating_add(T::UnbondingPeriod::get())
	}

	/// The oldest evidence time a report may carry now.
	pub(crate) fn oldest_evidence() -> MomentOf<T> {
		Self::now().saturating_sub(T::EvidenceWindow::get())
	}

	/// Pay `amount` out of the insurance pool. For governance (`pay_insurance`) and for
	/// pallets that compensate parties harmed by a slashed offender. The pool keeps its
	/// existential deposit.
	pub fn pay_insurance_from(to: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let insurance = Self::insurance_account();
		T::Currency::transfer(&insurance, to, amount, Preservation::Preserve)
			.map_err(|_| Error::<T>::InsufficientInsurance)?;
		InsurancePaidOut::<T>::mutate(|paid| *paid = paid.saturating_add(amount));
		let remaining = Self::insurance_available();
		Self::deposit_event(Event::InsurancePaid { to: to.clone(), amount, remaining });
		Ok(())
	}

	/// What the insurance pool can pay out: its balance above the existential deposit.
	pub fn insurance_available() -> BalanceOf<T> {
		T::Currency::balance(&Self::insurance_account()).saturating_sub(T::Currency::minimum_balance())
	}

	/// `who`'s `PoolOperator` bond: its first-loss stake in the pool it operates.
	pub fn operator_stake(who: &T::AccountId) -> BalanceOf<T> {
		Bonds::<T>::get(who, BondPurpose::PoolOperator).map(|l| l.active).unwrap_or_default()
	}

	/// Own bond (active and unbonding) plus the pool stake committed for it.
	pub fn slashable_balance(who: &T::AccountId, purpose: BondPurpose) -> BalanceOf<T> {
		let Some(ledger) = Bonds::<T>::get(who, purpose) else { return Zero::zero() };
		ledger.total().saturating_add(Self::pool_backing(OperatorPool::<T>::get(who), ledger.pool_committed))
	}

	/// What a nominal `from_pool` commitment drawn on `pool` is worth now: scaled down
	/// when the pool's active stake no longer covers all it committed.
	pub(crate) fn pool_backing(pool: Option<PoolId>, from_pool: BalanceOf<T>) -> BalanceOf<T> {
		if from_pool.is_zero() {
			return from_pool;
		}
		let Some(pool) = pool.and_then(Pools::<T>::get) else { return Zero::zero() };
		if pool.active.balance >= pool.committed {
			from_pool
		} else {
			crate::multiply_by_rational(from_pool, pool.active.balance, pool.committed)
		}
	}

	/// A pool's state.
	pub fn pool_info(pool: PoolId) -> Option<PoolInfo<T::AccountId, BalanceOf<T>>> {
		Pools::<T>::get(pool).map(|p| PoolInfo {
			operator_stake: Self::operator_stake(&p.operator),
			operator: p.operator,
			commission: p.commission,
			active_stake: p.active.balance,
			unbonding_stake: p
				.unbonding
				.iter()
				.fold(Zero::zero(), |acc: BalanceOf<T>, b| acc.saturating_add(b.pot.balance)),
			committed: p.committed,
			member_count: p.member_count,
		})
	}

	/// A member's stake and pending rewards.
	pub fn pool_member_info(pool: PoolId, who: &T::AccountId) -> Option<PoolMemberInfo<BalanceOf<T>>> {
		let p = Pools::<T>::get(pool)?;
		let m = PoolMembers::<T>::get(pool, who)?;
		let unbonding_stake = m.unbonding.iter().fold(Zero::zero(), |acc: BalanceOf<T>, c| {
			acc.saturating_add(
				Self::unbonding_pot(pool, &p, &c.unlock_at).map(|pot| pot.value_of(c.value)).unwrap_or_default(),
			)
		});
		Some(PoolMemberInfo {
			active_stake: p.active.value_of(m.active_points()),
			warming_stake: if crate::RewardActivations::<T>::contains_key(pool, m.warming_period) {
				Zero::zero()
			} else {
				p.active.value_of(m.warming)
			},
			unbonding_stake,
			pending_rewards: Self::pending_rewards(pool, &p, &m).saturating_add(m.unpaid),
		})
	}

	/// `(active, committed)` of `who`'s bond for `purpose`.
	pub fn bond_info(who: &T::AccountId, purpose: BondPurpose) -> Option<(BalanceOf<T>, BalanceOf<T>)> {
		Bonds::<T>::get(who, purpose).map(|l| (l.active, l.committed.saturating_add(l.pool_committed)))
	}

	/// `who`'s unbonding chunks for `purpose`, in unlock order.
	pub fn unbonding_chunks(
		who: &T::AccountId,
		purpose: BondPurpose,
	) -> alloc::vec::Vec<UnbondingChunk<BalanceOf<T>, MomentOf<T>>> {
		Bonds::<T>::get(who, purpose).map(|l| l.unbonding.into_inner()).unwrap_or_default()
	}

	/// Commitment `id` of `who` as the requiring pallet sees it.
	pub fn commitment_info(
		who: &T::AccountId,
		id: CommitmentId,
	) -> Option<machina_primitives::CommitmentInfo<BalanceOf<T>>> {
		let c = Commitments::<T>::get(who, id).filter(|c| c.released_at.is_none())?;
		let (own, from_pool) = Self::backing_parts(who, &c);
		Some(machina_primitives::CommitmentInfo {
			purpose: c.purpose,
			required: c.required,
			backing: own.saturating_add(from_pool),
		})
	}

	/// What backs commitment `c` of `who` now: `(own, from its pool)`.
	pub(crate) fn backing_parts(who: &T::AccountId, c: &CommitmentOf<T>) -> (BalanceOf<T>, BalanceOf<T>) {
		let ledger = Bonds::<T>::get(who, c.purpose).unwrap_or_default();
		// A slash of the whole purpose bond can leave active below the nominal committed
		// total: every own commitment is then backed pro rata.
		let own = if ledger.active >= ledger.committed {
			c.own
		} else {
			crate::multiply_by_rational(c.own, ledger.active, ledger.committed)
		};
		// The pool the commitment drew on: the one its reward and a slash reach.
		(own, Self::pool_backing(c.pool, c.from_pool))
	}
}

impl<T: Config> machina_primitives::InsuranceFund<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn balance() -> BalanceOf<T> {
		Self::insurance_available()
	}

	fn pay(to: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		Self::pay_insurance_from(to, amount)
	}
}
