#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod bond_impls;
mod dispatchable_impls;
mod pool_impls;
mod slash_impls;
mod try_state_impls;
pub mod runtime_api;
pub mod types;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, InspectHold, Mutate, MutateHold},
			tokens::Balance as BalanceT,
		},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use machina_primitives::{BondPurpose, OffenceKind};
	use sp_runtime::Perbill;

	/// The balance type of the currency.
	pub type BalanceOf<T> = <T as Config>::Balance;
	/// An account's bond for one purpose.
	pub type LedgerOf<T> = BondLedger<BalanceOf<T>, BlockNumberFor<T>, <T as Config>::MaxUnbondingChunks>;
	/// A pool member's record.
	pub type MemberOf<T> = PoolMember<BalanceOf<T>, BlockNumberFor<T>, <T as Config>::MaxUnbondingChunks>;
	/// A pool's record.
	pub type PoolOf<T> = Pool<<T as frame_system::Config>::AccountId, BalanceOf<T>>;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The balance type.
		type Balance: BalanceT + MaxEncodedLen + From<u64> + Into<u128> + TryFrom<u128>;

		/// The currency bonds are held in.
		type Currency: Inspect<Self::AccountId, Balance = Self::Balance>
			+ Mutate<Self::AccountId>
			+ InspectHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The runtime's hold reason, of which [`HoldReason`] is a part.
		type RuntimeHoldReason: From<HoldReason>;

		/// Blocks between `unbond` (or `leave_pool`) and the first block at which the funds
		/// can be withdrawn. Funds stay slashable until withdrawn.
		#[pallet::constant]
		type UnbondingPeriod: Get<BlockNumberFor<Self>>;

		/// How old evidence may be when reported. Must not exceed `UnbondingPeriod`, so
		/// every offence is reported while the offender's funds are still held.
		#[pallet::constant]
		type EvidenceWindow: Get<BlockNumberFor<Self>>;

		/// The most unbonding chunks an account (or pool member) may have at once.
		#[pallet::constant]
		type MaxUnbondingChunks: Get<u32>;

		/// The smallest non-zero active bond, and the smallest pool stake. Keeps dust
		/// bonds (and the storage they cost) out.
		#[pallet::constant]
		type MinBond: Get<BalanceOf<Self>>;

		/// What an operator must stake in its own pool to create it.
		#[pallet::constant]
		type MinPoolCreateStake: Get<BalanceOf<Self>>;

		/// Derives the pool and insurance accounts.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// Sets slash policies and the maximum pool commission (governance).
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Pays out of the insurance pool (governance, or a pallet through
		/// [`Pallet::pay_insurance_from`]).
		type InsuranceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// An account's own bond (active and unbonding).
		#[codec(index = 0)]
		Bond,
		/// Members' stake, held in a pool's account.
		#[codec(index = 1)]
		PoolStake,
	}

	/// Bonds, by account and purpose.
	#[pallet::storage]
	pub type Bonds<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		BondPurpose,
		LedgerOf<T>,
		OptionQuery,
	>;

	/// The punishment for each offence kind. An offence without a policy cannot be
	/// reported.
	#[pallet::storage]
	pub type SlashPolicies<T: Config> =
		StorageMap<_, Twox64Concat, OffenceKind, SlashPolicy<BalanceOf<T>>, OptionQuery>;

	/// The highest commission a pool may charge.
	#[pallet::storage]
	pub type MaxCommission<T: Config> = StorageValue<_, Perbill, ValueQuery>;

	/// The next pool id to assign.
	#[pallet::storage]
	pub type NextPoolId<T: Config> = StorageValue<_, PoolId, ValueQuery>;

	/// Pools, by id. Bounded by `MinPoolCreateStake`: each costs its operator a stake.
	#[pallet::storage]
	pub type Pools<T: Config> = StorageMap<_, Twox64Concat, PoolId, PoolOf<T>, OptionQuery>;

	/// The pool an account operates (at most one).
	#[pallet::storage]
	pub type OperatorPool<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, PoolId, OptionQuery>;

	/// Pool members, by pool and account. Bounded by `MinBond`: each costs a stake.
	#[pallet::storage]
	pub type PoolMembers<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		PoolId,
		Blake2_128Concat,
		T::AccountId,
		MemberOf<T>,
		OptionQuery,
	>;

	/// Everything ever paid out of the insurance pool.
	#[pallet::storage]
	pub type InsurancePaidOut<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The highest pool commission at genesis.
		pub max_commission: Perbill,
		/// Slash policies at genesis.
		pub slash_policies: alloc::vec::Vec<(OffenceKind, SlashPolicy<BalanceOf<T>>)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			MaxCommission::<T>::put(self.max_commission);
			for (kind, policy) in &self.slash_policies {
				assert!(policy.split_is_whole(), "slash policy shares must sum to 100%");
				SlashPolicies::<T>::insert(kind, policy);
			}
			// The insurance pot must exist whatever its balance: it receives slashes that
			// may be below the existential deposit.
			Pallet::<T>::ensure_account_exists(&Pallet::<T>::insurance_account());
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `who` bonded `amount` more for `purpose`.
		Bonded { who: T::AccountId, purpose: BondPurpose, amount: BalanceOf<T> },
		/// `who` started unbonding `amount`, withdrawable from `unlock_at`.
		Unbonding { who: T::AccountId, purpose: BondPurpose, amount: BalanceOf<T>, unlock_at: BlockNumberFor<T> },
		/// `who` moved `amount` back from unbonding to active.
		Rebonded { who: T::AccountId, purpose: BondPurpose, amount: BalanceOf<T> },
		/// `who` withdrew `amount` of unlocked bond; it is free again.
		Withdrawn { who: T::AccountId, purpose: BondPurpose, amount: BalanceOf<T> },
		/// Another pallet committed `amount` of `who`'s bond (`from_pool`: from the pool
		/// `who` operates).
		Committed { who: T::AccountId, purpose: BondPurpose, amount: BalanceOf<T>, from_pool: bool },
		/// Another pallet released `amount` of `who`'s committed bond.
		Released { who: T::AccountId, purpose: BondPurpose, amount: BalanceOf<T> },
		/// An offence was punished.
		Slashed {
			/// The offender.
			offender: T::AccountId,
			/// The bond punished.
			purpose: BondPurpose,
			/// The offence.
			kind: OffenceKind,
			/// The block the evidence is from.
			evidence_block: BlockNumberFor<T>,
			/// Taken from the offender's own bond.
			from_bond: BalanceOf<T>,
			/// Taken from the pool backing the offender, pro rata over its members.
			from_pool: BalanceOf<T>,
			/// Paid to the reporter.
			to_reporter: BalanceOf<T>,
			/// Paid into the insurance pool.
			to_insurance: BalanceOf<T>,
			/// Burned.
			burned: BalanceOf<T>,
		},
		/// Governance set the policy of an offence kind.
		SlashPolicySet { kind: OffenceKind, policy: SlashPolicy<BalanceOf<T>> },
		/// Governance set the highest pool commission.
		MaxCommissionSet { max: Perbill },
		/// A pool was created.
		PoolCreated { pool: PoolId, operator: T::AccountId, commission: Perbill, stake: BalanceOf<T> },
		/// `who` staked `amount` in `pool` for `points`.
		PoolJoined { pool: PoolId, who: T::AccountId, amount: BalanceOf<T>, points: BalanceOf<T> },
		/// `who` started unstaking `amount` (worth today) from `pool`.
		PoolLeaving { pool: PoolId, who: T::AccountId, amount: BalanceOf<T>, unlock_at: BlockNumberFor<T> },
		/// `who` withdrew `amount` of unlocked stake from `pool`.
		PoolWithdrawn { pool: PoolId, who: T::AccountId, amount: BalanceOf<T> },
		/// `amount` of rewards were paid to `pool`, `commission` of it to the operator.
		PoolRewarded { pool: PoolId, amount: BalanceOf<T>, commission: BalanceOf<T> },
		/// `who` received `amount` of `pool`'s rewards.
		PoolRewardClaimed { pool: PoolId, who: T::AccountId, amount: BalanceOf<T> },
		/// The operator changed the pool's commission.
		PoolCommissionSet { pool: PoolId, commission: Perbill },
		/// An empty pool was removed; `dust` went to the insurance pool.
		PoolDestroyed { pool: PoolId, dust: BalanceOf<T> },
		/// The insurance pool paid `amount` to `to`.
		InsurancePaid { to: T::AccountId, amount: BalanceOf<T>, remaining: BalanceOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The amount is zero.
		ZeroAmount,
		/// The account has no bond for this purpose.
		NotBonded,
		/// The active bond would fall below `MinBond` without reaching zero.
		BelowMinBond,
		/// Not enough free balance to bond (or stake) this much.
		InsufficientBalance,
		/// More than the unbondable (active, uncommitted) bond.
		InsufficientActiveBond,
		/// The bond is committed by another pallet and cannot be unbonded.
		BondCommitted,
		/// No unbonding funds to rebond.
		NothingToRebond,
		/// Nothing has unlocked yet.
		NothingToWithdraw,
		/// `MaxUnbondingChunks` chunks are already unbonding: withdraw or rebond first.
		TooManyUnbondingChunks,
		/// Less bond than required is free to commit, from the account and its pool.
		InsufficientBondToCommit,
		/// More than is committed would be released.
		ReleaseExceedsCommitted,
		/// The evidence is older than `EvidenceWindow`.
		EvidenceTooOld,
		/// The evidence block is in the future.
		EvidenceFromFuture,
		/// No slash policy is set for this offence kind.
		NoSlashPolicy,
		/// The reporter is the offender.
		SelfReport,
		/// The policy's reporter, insurance and burn shares do not sum to 100%.
		InvalidSplit,
		/// The commission is above the governance maximum.
		CommissionTooHigh,
		/// The pool does not exist.
		PoolNotFound,
		/// The account already operates a pool.
		AlreadyOperator,
		/// Only the pool's operator may do this.
		NotOperator,
		/// The account is not a member of the pool.
		NotMember,
		/// Stake below `MinBond` (or `MinPoolCreateStake` to create a pool).
		StakeTooLow,
		/// The pool's active stake was slashed to nothing: it takes no new members.
		PoolSlashedToZero,
		/// Leaving would leave less active stake than the pool has committed.
		PoolStakeCommitted,
		/// The member has more points than this, or none.
		InsufficientPoints,
		/// The pool still has members, stake or commitments.
		PoolNotEmpty,
		/// No rewards are pending.
		NothingToClaim,
		/// The pool has no active stake for rewards to accrue to.
		NoActiveStake,
		/// The insurance pool holds less than the payout.
		InsufficientInsurance,
		/// An arithmetic overflow.
		Overflow,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(
				T::EvidenceWindow::get() <= T::UnbondingPeriod::get(),
				"EvidenceWindow must not exceed UnbondingPeriod: unbonded funds would escape \
				 offences reported in time"
			);
			assert!(T::MaxUnbondingChunks::get() > 0, "MaxUnbondingChunks must be positive");
			assert!(!T::MinBond::get().is_zero(), "MinBond must be positive");
			assert!(
				T::MinPoolCreateStake::get() >= T::MinBond::get(),
				"MinPoolCreateStake must be at least MinBond"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Bond `amount` of the caller's free balance for `purpose`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::bond())]
		pub fn bond(origin: OriginFor<T>, purpose: BondPurpose, #[pallet::compact] amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_bond(&who, purpose, amount, true)
		}

		/// Add `amount` to an existing bond.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::bond_extra())]
		pub fn bond_extra(origin: OriginFor<T>, purpose: BondPurpose, #[pallet::compact] amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_bond(&who, purpose, amount, false)
		}

		/// Start unbonding `amount`: withdrawable `UnbondingPeriod` blocks from now, and
		/// slashable until withdrawn.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::unbond())]
		pub fn unbond(origin: OriginFor<T>, purpose: BondPurpose, #[pallet::compact] amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_unbond(&who, purpose, amount)
		}

		/// Move up to `amount` from unbonding back to active, newest chunks first.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::rebond(T::MaxUnbondingChunks::get()))]
		pub fn rebond(origin: OriginFor<T>, purpose: BondPurpose, #[pallet::compact] amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_rebond(&who, purpose, amount)
		}

		/// Release every unlocked chunk back to the caller's free balance.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::withdraw_unbonded(T::MaxUnbondingChunks::get()))]
		pub fn withdraw_unbonded(origin: OriginFor<T>, purpose: BondPurpose) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw_unbonded(&who, purpose)
		}

		/// Set how `kind` is punished. The reporter, insurance and burn shares must sum to
		/// 100%.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::set_slash_policy())]
		pub fn set_slash_policy(origin: OriginFor<T>, kind: OffenceKind, policy: SlashPolicy<BalanceOf<T>>) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			ensure!(policy.split_is_whole(), Error::<T>::InvalidSplit);
			SlashPolicies::<T>::insert(kind, policy);
			Self::deposit_event(Event::SlashPolicySet { kind, policy });
			Ok(())
		}

		/// Set the highest commission a pool may charge. Pools above it keep their rate
		/// until they change it.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::set_max_commission())]
		pub fn set_max_commission(origin: OriginFor<T>, max: Perbill) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			MaxCommission::<T>::put(max);
			Self::deposit_event(Event::MaxCommissionSet { max });
			Ok(())
		}

		/// Create a pool operated by the caller, staking `stake` in it.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::create_pool())]
		pub fn create_pool(origin: OriginFor<T>, commission: Perbill, #[pallet::compact] stake: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_create_pool(who, commission, stake)
		}

		/// Stake `amount` in `pool`. Pending rewards are paid first.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::join_pool())]
		pub fn join_pool(origin: OriginFor<T>, pool: PoolId, #[pallet::compact] amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_join_pool(&who, pool, amount)
		}

		/// Start unstaking `points` from `pool` (the same unbonding period as bonds).
		/// Pending rewards are paid first.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::leave_pool())]
		pub fn leave_pool(origin: OriginFor<T>, pool: PoolId, #[pallet::compact] points: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_leave_pool(&who, pool, points)
		}

		/// Withdraw every unlocked chunk of the caller's stake in `pool`.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::withdraw_pool(T::MaxUnbondingChunks::get()))]
		pub fn withdraw_pool(origin: OriginFor<T>, pool: PoolId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw_pool(&who, pool)
		}

		/// Pay the caller's pending rewards from `pool`.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::claim_pool_rewards())]
		pub fn claim_pool_rewards(origin: OriginFor<T>, pool: PoolId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_claim_pool_rewards(&who, pool)
		}

		/// Pay `amount` of rewards from the caller to `pool`: the commission to the
		/// operator, the rest to members pro rata to their active points.
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::reward_pool())]
		pub fn reward_pool(origin: OriginFor<T>, pool: PoolId, #[pallet::compact] amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_reward_pool(&who, pool, amount)
		}

		/// Change the commission of the pool the caller operates.
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::set_pool_commission())]
		pub fn set_pool_commission(origin: OriginFor<T>, pool: PoolId, commission: Perbill) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_pool_commission(&who, pool, commission)
		}

		/// Remove a pool without members, stake or commitments; its dust goes to the
		/// insurance pool.
		#[pallet::call_index(14)]
		#[pallet::weight(T::WeightInfo::destroy_pool())]
		pub fn destroy_pool(origin: OriginFor<T>, pool: PoolId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_destroy_pool(&who, pool)
		}

		/// Pay `amount` from the insurance pool to `to`, e.g. a party harmed by a slashed
		/// offender.
		#[pallet::call_index(15)]
		#[pallet::weight(T::WeightInfo::pay_insurance())]
		pub fn pay_insurance(origin: OriginFor<T>, to: T::AccountId, #[pallet::compact] amount: BalanceOf<T>) -> DispatchResult {
			T::InsuranceOrigin::ensure_origin(origin)?;
			Self::pay_insurance_from(&to, amount)
		}
	}
}
