#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod bond_manager_impls;
mod dispatchable_impls;
mod pool_impls;
pub mod runtime_api;
mod slash_impls;
mod tick_impls;
pub mod types;
mod utility_impls;
pub mod weights;

// Native builds (tests) and try-runtime check invariants; the wasm does not carry them.
#[cfg(any(feature = "try-runtime", feature = "std", test))]
mod try_state_impls;

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
	use machina_primitives::{BondPurpose, CommitmentId, OffenceKind, OnBondShortfall};
	use sp_runtime::{traits::BlockNumberProvider, Perbill};

	/// The balance type of the currency.
	pub type BalanceOf<T> = <T as Config>::Balance;
	/// An instant on the pallet's clock (relay-chain block numbers on the runtime).
	pub type MomentOf<T> = <<T as Config>::Clock as BlockNumberProvider>::BlockNumber;
	/// An account's bond for one purpose.
	pub type LedgerOf<T> = BondLedger<BalanceOf<T>, MomentOf<T>, <T as Config>::MaxUnbondingChunks>;
	/// A named commitment.
	pub type CommitmentOf<T> = Commitment<BalanceOf<T>, MomentOf<T>>;
	/// A pool member's record.
	pub type MemberOf<T> = PoolMember<BalanceOf<T>, MomentOf<T>, <T as Config>::MaxUnbondingChunks>;
	/// A pool's record.
	pub type PoolOf<T> =
		Pool<<T as frame_system::Config>::AccountId, BalanceOf<T>, MomentOf<T>, <T as Config>::MaxUnbondingBuckets>;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

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

		/// The clock every duration of this pallet is measured on. The runtime uses the
		/// relay chain's block number (6 s), so durations stay the same when parachain
		/// blocks get faster.
		type Clock: BlockNumberProvider;

		/// From `unbond` (or `leave_pool`) to the first instant the funds can be
		/// withdrawn.
		#[pallet::constant]
		type UnbondingPeriod: Get<MomentOf<Self>>;

		/// How old evidence may be when reported. Strictly shorter than
		/// `UnbondingPeriod`, so funds unbonded at or after an offence are still held
		/// when its last possible report lands.
		#[pallet::constant]
		type EvidenceWindow: Get<MomentOf<Self>>;

		/// The most unbonding chunks an account (or pool member) may have at once.
		#[pallet::constant]
		type MaxUnbondingChunks: Get<u32>;

		/// The most unbonding pots a pool keeps before they unlock: more than
		/// `UnbondingPeriod` measured in clock ticks.
		#[pallet::constant]
		type MaxUnbondingBuckets: Get<u32>;

		/// The smallest non-zero active bond, and the smallest new pool stake. Keeps dust
		/// bonds (and the storage they cost) out.
		#[pallet::constant]
		type MinBond: Get<BalanceOf<Self>>;

		/// The first-loss stake (`PoolOperator` bond) an operator keeps while its pool
		/// exists.
		#[pallet::constant]
		type MinPoolOperatorStake: Get<BalanceOf<Self>>;

		/// The storage deposit held from an operator for its pool, returned when the pool
		/// is destroyed.
		#[pallet::constant]
		type PoolDeposit: Get<BalanceOf<Self>>;

		/// The largest commission increase one change may make.
		#[pallet::constant]
		type MaxCommissionChange: Get<Perbill>;

		/// How long after it is set a commission increase applies: members have time to
		/// leave first.
		#[pallet::constant]
		type CommissionChangeDelay: Get<MomentOf<Self>>;

		/// How long new pool stake warms up before it earns rewards: points earn from the
		/// rewards paid from the start of the second warm-up period after they joined
		/// (at least this long), so stake cannot join just for a reward it sees coming.
		#[pallet::constant]
		type RewardWarmUp: Get<MomentOf<Self>>;

		/// A pool whose active points exceed this many per unit of balance (deeply
		/// slashed) takes no new stake: new members would buy points worth almost nothing.
		#[pallet::constant]
		type MaxPointsToBalance: Get<u32>;

		/// The most expired entries (seen offences, released commitments) removed in one
		/// block.
		#[pallet::constant]
		type MaxPrunePerBlock: Get<u32>;

		/// Derives the pool and insurance accounts.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// Sets slash policies and the maximum pool commission (governance).
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Pays out of the insurance pool (governance, or a pallet through
		/// [`Pallet::pay_insurance_from`]).
		type InsuranceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Told when a slash leaves a commitment backed by less than it requires.
		type OnShortfall: OnBondShortfall<Self::AccountId, BalanceOf<Self>>;

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
		/// An operator's storage deposit for its pool.
		#[codec(index = 2)]
		PoolDeposit,
	}

	/// Bonds, by account and purpose.
	#[pallet::storage]
	pub type Bonds<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, BondPurpose, LedgerOf<T>, OptionQuery>;

	/// Commitments, by account and id. Bounded by the bond each one commits (at least
	/// `MinBond`); released ones stay for the evidence window, then are pruned.
	#[pallet::storage]
	pub type Commitments<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Identity, CommitmentId, CommitmentOf<T>, OptionQuery>;

	/// Entries that expire after the evidence window (punished offences by evidence time,
	/// released commitments by release time). Pruned from the oldest instant on,
	/// `MaxPrunePerBlock` a block.
	#[pallet::storage]
	pub type Expiring<T: Config> =
		StorageDoubleMap<_, Twox64Concat, MomentOf<T>, Blake2_128Concat, ExpiringEntry<T::AccountId>, (), OptionQuery>;

	/// Offences already punished, by id, with their evidence time: the same evidence is
	/// refused whatever evidence time a later report claims. Pruned with `Expiring`.
	#[pallet::storage]
	pub type SeenOffences<T: Config> = StorageMap<_, Identity, machina_primitives::OffenceId, MomentOf<T>, OptionQuery>;

	/// The oldest instant that may still have `Expiring` entries; `None` when there are
	/// none.
	#[pallet::storage]
	pub type PruneCursor<T: Config> = StorageValue<_, MomentOf<T>, OptionQuery>;

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

	/// Pools, by id. Each costs its operator `PoolDeposit` and a first-loss stake.
	#[pallet::storage]
	pub type Pools<T: Config> = StorageMap<_, Twox64Concat, PoolId, PoolOf<T>, OptionQuery>;

	/// The pool an account operates (at most one).
	#[pallet::storage]
	pub type OperatorPool<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, PoolId, OptionQuery>;

	/// Pool members, by pool and account. Bounded by `MinBond`: each costs a stake.
	#[pallet::storage]
	pub type PoolMembers<T: Config> =
		StorageDoubleMap<_, Twox64Concat, PoolId, Blake2_128Concat, T::AccountId, MemberOf<T>, OptionQuery>;

	/// A pool's unbonding pots that have unlocked, by unlock instant, until their last
	/// points are withdrawn. No slash reaches them any more. Each has a member chunk.
	#[pallet::storage]
	pub type UnlockedPots<T: Config> =
		StorageDoubleMap<_, Twox64Concat, PoolId, Twox64Concat, MomentOf<T>, Pot<BalanceOf<T>>, OptionQuery>;

	/// For each pool and warm-up period in which members joined, the reward-per-point at
	/// which their points started earning, until every one of them has settled.
	#[pallet::storage]
	pub type RewardActivations<T: Config> =
		StorageDoubleMap<_, Twox64Concat, PoolId, Twox64Concat, MomentOf<T>, RewardActivation, OptionQuery>;

	/// What this pallet holds in all, by reason: kept with every hold and release so
	/// `try_state` can tell a hold without a record from a record without a hold.
	#[pallet::storage]
	pub type TotalHeld<T: Config> = StorageValue<_, HeldTotals<BalanceOf<T>>, ValueQuery>;

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
			// The insurance pot holds the existential deposit for good, so transfers of
			// any size into it succeed and it pays out with `Preserve`.
			Pallet::<T>::seed_insurance();
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `who` bonded `amount` more for `purpose`.
		Bonded { who: T::AccountId, purpose: BondPurpose, amount: BalanceOf<T> },
		/// `who` started unbonding `amount`, withdrawable from `unlock_at`.
		Unbonding { who: T::AccountId, purpose: BondPurpose, amount: BalanceOf<T>, unlock_at: MomentOf<T> },
		/// `who` moved `amount` back from unbonding to active.
		Rebonded { who: T::AccountId, purpose: BondPurpose, amount: BalanceOf<T> },
		/// `who` withdrew `amount` of unlocked bond; it is free again.
		Withdrawn { who: T::AccountId, purpose: BondPurpose, amount: BalanceOf<T> },
		/// Another pallet committed bond to commitment `id` of `who`.
		Committed {
			/// The owner.
			who: T::AccountId,
			/// The commitment.
			id: CommitmentId,
			/// The purpose whose bond backs it.
			purpose: BondPurpose,
			/// Newly committed from the owner's own bond.
			own: BalanceOf<T>,
			/// Newly committed from the pool the owner operates.
			from_pool: BalanceOf<T>,
		},
		/// Commitment `id` of `who` was released (`own` back to the owner's active bond,
		/// `from_pool` back to its pool).
		Released { who: T::AccountId, id: CommitmentId, own: BalanceOf<T>, from_pool: BalanceOf<T> },
		/// An offence was punished.
		Slashed {
			/// The offender.
			offender: T::AccountId,
			/// The bond punished.
			purpose: BondPurpose,
			/// The commitment punished, if the offence targeted one.
			commitment: Option<CommitmentId>,
			/// The offence.
			kind: OffenceKind,
			/// The offence's identity (hash of its evidence).
			offence: machina_primitives::OffenceId,
			/// When the evidence is from.
			evidence_time: MomentOf<T>,
			/// Taken from the offender's own bond.
			from_bond: BalanceOf<T>,
			/// Taken from the pool operator's first-loss stake.
			from_operator: BalanceOf<T>,
			/// Taken from the members of the pool backing the offender, pro rata.
			from_pool: BalanceOf<T>,
			/// Paid to the reporter.
			to_reporter: BalanceOf<T>,
			/// Paid into the insurance pool.
			to_insurance: BalanceOf<T>,
			/// Burned.
			burned: BalanceOf<T>,
		},
		/// After a slash, commitment `id` of `who` lacks `shortfall` (it was told through
		/// `OnShortfall`).
		Undercommitted { who: T::AccountId, id: CommitmentId, shortfall: BalanceOf<T> },
		/// Governance set the policy of an offence kind.
		SlashPolicySet { kind: OffenceKind, policy: SlashPolicy<BalanceOf<T>> },
		/// Governance set the highest pool commission.
		MaxCommissionSet { max: Perbill },
		/// The operator closed the pool: anyone may now unbond its members.
		PoolClosed { pool: PoolId },
		/// A pool was created; `deposit` is held from the operator until it is destroyed.
		PoolCreated { pool: PoolId, operator: T::AccountId, commission: Perbill, deposit: BalanceOf<T> },
		/// `who` staked `amount` in `pool` for `points` (earning from the next reward).
		PoolJoined { pool: PoolId, who: T::AccountId, amount: BalanceOf<T>, points: BalanceOf<T> },
		/// `who` started unstaking `amount` (worth today) from `pool`, unlocking at
		/// `unlock_at`.
		PoolLeaving { pool: PoolId, who: T::AccountId, amount: BalanceOf<T>, unlock_at: MomentOf<T> },
		/// `amount` of `who`'s unlocked stake left `pool` for its free balance.
		PoolWithdrawn { pool: PoolId, who: T::AccountId, amount: BalanceOf<T> },
		/// `amount` of rewards were paid to `pool`, `commission` of it to the operator.
		PoolRewarded { pool: PoolId, amount: BalanceOf<T>, commission: BalanceOf<T> },
		/// `who` received `amount` of `pool`'s rewards.
		PoolRewardClaimed { pool: PoolId, who: T::AccountId, amount: BalanceOf<T> },
		/// A reward of `amount` could not be paid to `who` now (its account cannot receive
		/// it); it stays owed.
		PoolRewardDeferred { pool: PoolId, who: T::AccountId, amount: BalanceOf<T> },
		/// The operator changed the commission; it applies from `effective_at`.
		PoolCommissionChangeScheduled { pool: PoolId, commission: Perbill, effective_at: MomentOf<T> },
		/// The pool's commission is now `commission`.
		PoolCommissionSet { pool: PoolId, commission: Perbill },
		/// An empty pool was removed; its deposit went back to the operator and `dust`
		/// to the insurance pool.
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
		/// Not enough free balance to bond, stake or pay this much.
		InsufficientBalance,
		/// More than the active bond.
		InsufficientActiveBond,
		/// The bond is committed (to a device, or as a pool's first-loss stake) and
		/// cannot be unbonded.
		BondCommitted,
		/// No unbonding funds to rebond.
		NothingToRebond,
		/// Nothing has unlocked yet.
		NothingToWithdraw,
		/// `MaxUnbondingChunks` chunks are already unbonding: withdraw or rebond first.
		TooManyUnbondingChunks,
		/// Less bond than required is free to commit, from the account and its pool.
		InsufficientBondToCommit,
		/// The commitment does not exist (or was already released).
		UnknownCommitment,
		/// The commitment was released less than `EvidenceWindow` ago: it stays as it was
		/// for offences from before the release, and can be made again after that.
		CommitmentCoolingDown,
		/// The pool is closing: it takes no stake and backs no new commitment.
		PoolClosing,
		/// Only the member may leave, unless the pool is closing (then anyone may unbond
		/// all of a member's stake).
		NotClosing,
		/// A commitment with this id exists for another purpose.
		CommitmentPurposeMismatch,
		/// The evidence is older than `EvidenceWindow`.
		EvidenceTooOld,
		/// The evidence is from the future.
		EvidenceFromFuture,
		/// This offence (same evidence) was already punished.
		DuplicateOffence,
		/// The commitment did not exist when the offence happened.
		NotCommittedAtEvidence,
		/// The offence reaches no funds: nothing to punish.
		NothingToSlash,
		/// No slash policy is set for this offence kind.
		NoSlashPolicy,
		/// The reporter is the offender.
		SelfReport,
		/// The policy's reporter, insurance and burn shares do not sum to 100%.
		InvalidSplit,
		/// The commission is above the governance maximum.
		CommissionTooHigh,
		/// The commission would rise by more than `MaxCommissionChange` at once.
		CommissionChangeTooLarge,
		/// The pool does not exist.
		PoolNotFound,
		/// The account already operates a pool.
		AlreadyOperator,
		/// Only the pool's operator may do this.
		NotOperator,
		/// The account is not a member of the pool.
		NotMember,
		/// Stake below `MinBond` (or an operator stake below `MinPoolOperatorStake`).
		StakeTooLow,
		/// The pool's stake was slashed so far that new stake would buy points worth
		/// almost nothing: it takes no new stake.
		PoolDefunct,
		/// The operator's first-loss stake is below `MinPoolOperatorStake`: the pool backs
		/// no new commitments until it is topped up.
		OperatorStakeTooLow,
		/// Leaving more points than the member holds.
		InsufficientPoints,
		/// The pool still has members, stake or commitments.
		PoolNotEmpty,
		/// No rewards are pending.
		NothingToClaim,
		/// The pool has no earning stake for rewards to accrue to.
		NoEarningStake,
		/// The insurance pool holds less than the payout above its existential deposit.
		InsufficientInsurance,
		/// An arithmetic overflow.
		Overflow,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(_n: BlockNumberFor<T>) -> Weight {
			Self::prune_expired()
		}

		fn integrity_test() {
			assert!(
				T::EvidenceWindow::get() < T::UnbondingPeriod::get(),
				"EvidenceWindow must be shorter than UnbondingPeriod: unbonded funds would escape \
				 offences reported in time"
			);
			let period: u128 = T::UnbondingPeriod::get().try_into().unwrap_or(u128::MAX);
			assert!(
				(T::MaxUnbondingBuckets::get() as u128) > period.saturating_add(1),
				"MaxUnbondingBuckets must exceed UnbondingPeriod + 1 (one pot per unlock instant)"
			);
			assert!(T::MaxUnbondingChunks::get() > 0, "MaxUnbondingChunks must be positive");
			assert!(T::MaxPointsToBalance::get() > 0, "MaxPointsToBalance must be positive");
			assert!(T::MaxPrunePerBlock::get() > 0, "MaxPrunePerBlock must be positive");
			assert!(!T::RewardWarmUp::get().is_zero(), "RewardWarmUp must be positive");
			assert!(!T::MinBond::get().is_zero(), "MinBond must be positive");
			assert!(
				T::MinPoolOperatorStake::get() >= T::MinBond::get(),
				"MinPoolOperatorStake must be at least MinBond"
			);
			assert!(
				T::CommissionChangeDelay::get() >= T::UnbondingPeriod::get(),
				"a commission increase must wait at least as long as leaving takes"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Bond `amount` of the caller's free balance for `purpose` (opening the bond, or
		/// adding to it).
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::bond())]
		pub fn bond(
			origin: OriginFor<T>,
			purpose: BondPurpose,
			#[pallet::compact] amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_bond(&who, purpose, amount, true)
		}

		/// Add `amount` to an existing bond.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::bond_extra())]
		pub fn bond_extra(
			origin: OriginFor<T>,
			purpose: BondPurpose,
			#[pallet::compact] amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_bond(&who, purpose, amount, false)
		}

		/// Start unbonding `amount` of free active bond: withdrawable `UnbondingPeriod`
		/// from now, and slashable until then for offences from before now.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::unbond())]
		pub fn unbond(
			origin: OriginFor<T>,
			purpose: BondPurpose,
			#[pallet::compact] amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_unbond(&who, purpose, amount)
		}

		/// Move up to `amount` from unbonding back to active, newest chunks first.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::rebond(T::MaxUnbondingChunks::get()))]
		pub fn rebond(
			origin: OriginFor<T>,
			purpose: BondPurpose,
			#[pallet::compact] amount: BalanceOf<T>,
		) -> DispatchResult {
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
		pub fn set_slash_policy(
			origin: OriginFor<T>,
			kind: OffenceKind,
			policy: SlashPolicy<BalanceOf<T>>,
		) -> DispatchResult {
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

		/// Create a pool operated by the caller. Holds `PoolDeposit`, funds the pool's two
		/// accounts with the existential deposit each (returned on destruction), and
		/// bonds `stake` more as the caller's `PoolOperator` bond: its first-loss stake,
		/// which must total at least `MinPoolOperatorStake` and stays bonded until the
		/// pool is destroyed.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::create_pool())]
		pub fn create_pool(
			origin: OriginFor<T>,
			commission: Perbill,
			#[pallet::compact] stake: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_create_pool(who, commission, stake)
		}

		/// Stake `amount` in `pool`. The new points earn from the pool's next reward on.
		/// Pending rewards are paid first.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::join_pool())]
		pub fn join_pool(
			origin: OriginFor<T>,
			pool: PoolId,
			#[pallet::compact] amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_join_pool(&who, pool, amount)
		}

		/// Start unstaking `points` of `member`'s stake in `pool` (the same unbonding
		/// period as bonds). The member may always leave: if the pool then covers less
		/// than its commitments, the operator's devices become under-bonded. What stays
		/// must be at least `MinBond`, or nothing. Anyone may unbond all of a member's
		/// stake from a closing pool. Pending rewards are paid first.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::leave_pool())]
		pub fn leave_pool(
			origin: OriginFor<T>,
			pool: PoolId,
			member: T::AccountId,
			#[pallet::compact] points: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_leave_pool(&who, &member, pool, points)
		}

		/// Pay every unlocked chunk of `member`'s stake in `pool` to `member`. Anyone may
		/// call it: no member can keep stake in the pool past its unlock.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::withdraw_pool(T::MaxUnbondingChunks::get()))]
		pub fn withdraw_pool(origin: OriginFor<T>, pool: PoolId, member: T::AccountId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_withdraw_pool(&member, pool)
		}

		/// Pay the caller's pending rewards from `pool`.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::claim_pool_rewards())]
		pub fn claim_pool_rewards(origin: OriginFor<T>, pool: PoolId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_claim_pool_rewards(&who, pool)
		}

		/// Pay `amount` of rewards from the caller to `pool`: the commission to the
		/// operator, the rest to members pro rata to their earning points. Points that
		/// joined since the last reward start earning after this one.
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::reward_pool())]
		pub fn reward_pool(
			origin: OriginFor<T>,
			pool: PoolId,
			#[pallet::compact] amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_reward_pool(&who, pool, amount)
		}

		/// Change the commission of the pool the caller operates. A decrease applies at
		/// once; an increase of at most `MaxCommissionChange` applies after
		/// `CommissionChangeDelay`.
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::set_pool_commission())]
		pub fn set_pool_commission(origin: OriginFor<T>, pool: PoolId, commission: Perbill) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_pool_commission(&who, pool, commission)
		}

		/// Remove a pool without members, stake or commitments: the deposit and the
		/// accounts' existential deposits go back to the operator, rounding dust to the
		/// insurance pool. The operator's first-loss stake is then free to unbond.
		#[pallet::call_index(14)]
		#[pallet::weight(T::WeightInfo::destroy_pool())]
		pub fn destroy_pool(origin: OriginFor<T>, pool: PoolId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_destroy_pool(&who, pool)
		}

		/// Close the pool the caller operates: it takes no new stake or commitment, and
		/// anyone may unbond its members, so it can be emptied and destroyed.
		#[pallet::call_index(16)]
		#[pallet::weight(T::WeightInfo::close_pool())]
		pub fn close_pool(origin: OriginFor<T>, pool: PoolId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_close_pool(&who, pool)
		}

		/// Pay `amount` from the insurance pool to `to`, e.g. a party harmed by a slashed
		/// offender.
		#[pallet::call_index(15)]
		#[pallet::weight(T::WeightInfo::pay_insurance())]
		pub fn pay_insurance(
			origin: OriginFor<T>,
			to: T::AccountId,
			#[pallet::compact] amount: BalanceOf<T>,
		) -> DispatchResult {
			T::InsuranceOrigin::ensure_origin(origin)?;
			Self::pay_insurance_from(&to, amount)
		}
	}
}
