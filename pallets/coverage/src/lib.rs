#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

mod dispatchable_impls;
mod heartbeat_impls;
mod reward_impls;
pub mod runtime_api;
mod tick_impls;
mod try_state_impls;
pub mod types;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use types::*;
pub use weights::WeightInfo;

use frame_support::traits::fungible;

/// The balance type of the currency rewards are paid in.
pub type BalanceOf<T> = <<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// Sets devices and bonds up for the benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Register an `Active` device owned by `owner` with operational key `key` and
	/// aggregation key `aggregation_key`, attested until far in the future.
	fn register_device(
		owner: &AccountId,
		device: machina_primitives::DeviceId,
		key: machina_primitives::OperationalKey,
		aggregation_key: Option<machina_primitives::AggregationKey>,
	);
	/// Bond `who` as an aggregator.
	fn bond_aggregator(who: &AccountId);
	/// Bond `who`'s device `device` (an equivocation slashes it).
	fn bond_device(who: &AccountId, device: machina_primitives::DeviceId);
	/// Set the relay clock.
	fn set_relay_block(block: RelayBlock);
}

#[frame_support::pallet]
#[allow(deprecated)]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Balanced, Mutate},
			UnixTime,
		},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use machina_primitives::{BondManager, BondSlasher, CommitmentRewards, DeviceId, DeviceInspect};
	use sp_runtime::traits::BlockNumberProvider;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The currency rewards are paid in.
		type Currency: Mutate<Self::AccountId> + Balanced<Self::AccountId>;

		/// The registered devices (`pallet-device-registry`).
		type Devices: DeviceInspect<Self::AccountId>;

		/// The bonds aggregators hold (`pallet-micro-bonds`).
		type Bonds: BondManager<Self::AccountId, BalanceOf<Self>>;

		/// Pays claimed rewards: the share a delegated pool backs to the pool's members,
		/// the rest to the device owner (`pallet-micro-bonds`).
		type Rewards: CommitmentRewards<Self::AccountId, BalanceOf<Self>>;

		/// Punishes a device that equivocates (`pallet-micro-bonds`).
		type Slasher: BondSlasher<Self::AccountId, BalanceOf<Self>, RelayBlock>;

		/// The clock: relay-chain block numbers, so epochs and slots do not shrink when
		/// parachain blocks get faster. Also the bond manager's clock.
		type Clock: BlockNumberProvider<BlockNumber = RelayBlock>;

		/// Wall-clock time: the registry's attestation validity is in Unix seconds.
		type UnixTime: UnixTime;

		/// Relay blocks per epoch; a multiple of `SlotsPerEpoch`.
		#[pallet::constant]
		type EpochLength: Get<RelayBlock>;

		/// Heartbeat slots per epoch (at most 255: counts are bytes).
		#[pallet::constant]
		type SlotsPerEpoch: Get<SlotIndex>;

		/// Relay blocks after an epoch closes during which evidence of malice can still
		/// forfeit its rewards; claims open after it.
		#[pallet::constant]
		type ChallengePeriod: Get<RelayBlock>;

		/// Epochs a closed epoch's rewards can be claimed for; then the rest returns to the
		/// reward source.
		#[pallet::constant]
		type ClaimWindow: Get<EpochIndex>;

		/// Devices per shard (a multiple of 8).
		#[pallet::constant]
		type ShardSize: Get<u32>;

		/// `ShardSize / 8`: the bytes of a shard's bitmaps.
		#[pallet::constant]
		type ShardBitmapBytes: Get<u32>;

		/// The most shards: `MaxShards * ShardSize` devices can enroll.
		#[pallet::constant]
		type MaxShards: Get<u32>;

		/// The most shards one aggregated heartbeat covers.
		#[pallet::constant]
		type MaxShardsPerBatch: Get<u32>;

		/// The most absentees one shard of a batch may list.
		#[pallet::constant]
		type MaxAbsentPerShard: Get<u32>;

		/// The most absentees one batch may list over all its shards: the range the
		/// batch's weight was benchmarked over (a batch's cost grows with its absentees).
		#[pallet::constant]
		type MaxAbsentPerBatch: Get<u32>;

		/// The most epochs one claim covers.
		#[pallet::constant]
		type MaxClaimEpochs: Get<u32>;

		/// The least an account must have bonded for `BondPurpose::Aggregator` to submit
		/// aggregated heartbeats.
		#[pallet::constant]
		type MinAggregatorBond: Get<BalanceOf<Self>>;

		/// Transaction-pool priority of a direct heartbeat. Feeless: keep it below what a
		/// fee-paying transaction gets, so free heartbeats never crowd paid work out.
		#[pallet::constant]
		type HeartbeatPriority: Get<TransactionPriority>;

		/// Blocks a direct heartbeat stays valid in the transaction pool.
		#[pallet::constant]
		type HeartbeatLongevity: Get<TransactionLongevity>;

		/// The reward source: epoch emissions are taken from this account.
		type RewardSource: Get<Self::AccountId>;

		/// The pot account: `PalletId`'s account holds the rewards of closed epochs.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// Sets the uptime rule and the reward split (governance).
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;

		/// Sets devices, bonds and the clock up for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// The slot the chain is in; advanced at the start of each block.
	#[pallet::storage]
	pub type CurrentSlot<T: Config> = StorageValue<_, SlotState, OptionQuery>;

	/// Accounting of the open epoch and of closed epochs whose claims have not expired.
	/// At most `ClaimWindow + 2` entries.
	#[pallet::storage]
	pub type Epochs<T: Config> = StorageMap<_, Twox64Concat, EpochIndex, EpochRecord<BalanceOf<T>>, OptionQuery>;

	/// Closed epochs whose claims have not expired, oldest first.
	#[pallet::storage]
	pub type LiveEpochs<T: Config> = StorageValue<_, BoundedVec<EpochIndex, ConstU32<MAX_LIVE_EPOCHS>>, ValueQuery>;

	/// Expired epochs whose shard records are still being deleted (a few per block).
	#[pallet::storage]
	pub type PendingCleanup<T: Config> = StorageValue<_, BoundedVec<EpochIndex, ConstU32<16>>, ValueQuery>;

	/// The uptime rule the next epoch opens with. Set by governance.
	#[pallet::storage]
	pub type NextUptimeRule<T: Config> = StorageValue<_, UptimeRule, ValueQuery>;

	/// The emission per epoch and its uptime share. Set by governance.
	#[pallet::storage]
	pub type Split<T: Config> = StorageValue<_, RewardSplit<BalanceOf<T>>, ValueQuery>;

	/// Reward totals since genesis (for the conservation invariant).
	#[pallet::storage]
	pub type Totals<T: Config> = StorageValue<_, RewardTotals<BalanceOf<T>>, ValueQuery>;

	/// The shards, by id (`0..ShardCount`).
	#[pallet::storage]
	pub type Shards<T: Config> = StorageMap<_, Twox64Concat, ShardId, Shard<T::ShardSize>, OptionQuery>;

	/// How many shards exist (at most `MaxShards`).
	#[pallet::storage]
	pub type ShardCount<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// Who holds each place of a shard, and the key the shard's sum holds for it. Read for
	/// absentees only.
	#[pallet::storage]
	pub type Places<T: Config> =
		StorageDoubleMap<_, Twox64Concat, ShardId, Twox64Concat, MemberIndex, Place, OptionQuery>;

	/// Where each enrolled (or recently left) device is. One entry per place at most.
	#[pallet::storage]
	pub type Members<T: Config> = StorageMap<_, Identity, DeviceId, Membership, OptionQuery>;

	/// The account each membership belongs to: the owner that enrolled the device. Its
	/// claims pay this account and only while it still owns the device, so a sale
	/// forfeits the device's unclaimed rewards (they return to the reserve when they
	/// expire) instead of handing them, or the split with a backing pool, to the buyer.
	#[pallet::storage]
	pub type EnrolledBy<T: Config> = StorageMap<_, Identity, DeviceId, T::AccountId, OptionQuery>;

	/// Each device's last retired operational key (rotated, or gone with a sale or
	/// deregistration) and its owner of the time: conflicting heartbeats it signed stay
	/// reportable, and slash that owner's bond. One per device: a second retirement waits
	/// until the first is past its challenge period. Replaced, never pruned: bounded by
	/// the devices ever registered, each of which paid a bond.
	#[pallet::storage]
	pub type RetiredSigners<T: Config> = StorageMap<_, Identity, DeviceId, RetiredSigner<T::AccountId>, OptionQuery>;

	/// The device whose place holds each enrolled aggregation key (by blake2-256 of the
	/// key): a key is in one shard sum only, even when the registry has handed it to
	/// another device since.
	#[pallet::storage]
	pub type KeyHolders<T: Config> = StorageMap<_, Identity, sp_core::H256, DeviceId, OptionQuery>;

	/// Vacated places waiting to be reused, in the order they were vacated (a queue:
	/// `VacancyBounds` holds its head and tail).
	#[pallet::storage]
	pub type Vacancies<T: Config> = StorageMap<_, Twox64Concat, u32, Vacancy, OptionQuery>;

	/// Head (next to reuse) and tail (next free number) of `Vacancies`.
	#[pallet::storage]
	pub type VacancyBounds<T: Config> = StorageValue<_, (u32, u32), ValueQuery>;

	/// Each shard's uptime per live epoch. Deleted a few hundred per block once the epoch
	/// expires.
	#[pallet::storage]
	pub type Uptime<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		EpochIndex,
		Twox64Concat,
		ShardId,
		ShardUptime<T::ShardSize, T::ShardBitmapBytes>,
		OptionQuery,
	>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The uptime rule (empty: full points from half the slots on).
		pub uptime_rule: alloc::vec::Vec<UptimeStep>,
		/// The emission per epoch and its uptime share.
		pub split: RewardSplit<BalanceOf<T>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let rule = if self.uptime_rule.is_empty() {
				Pallet::<T>::default_rule()
			} else {
				UptimeRule::try_from(self.uptime_rule.clone()).expect("at most 8 steps")
			};
			assert!(rule_is_valid(&rule, T::SlotsPerEpoch::get()), "invalid uptime rule");
			NextUptimeRule::<T>::put(rule);
			Split::<T>::put(self.split);
			Pallet::<T>::ensure_pot();
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `device` enrolled in `shard` at `index`.
		Enrolled { device: DeviceId, shard: ShardId, index: MemberIndex, keyed: bool },
		/// `device`'s roster entry now says `active_until` and whether its key is summed.
		Refreshed { device: DeviceId, active_until: u32, keyed: bool },
		/// `device` left its shard (`evicted`: by anyone, because the registry no longer has
		/// it `Active`). It can claim up to `epoch`.
		Left { device: DeviceId, epoch: EpochIndex, evicted: bool },
		/// A direct heartbeat of `device` counted.
		Heartbeat { device: DeviceId, epoch: EpochIndex, slot: SlotIndex },
		/// An aggregated heartbeat of `aggregator` over `shards` shards verified; it
		/// counted `counted` devices new in the slot.
		BatchCounted { aggregator: T::AccountId, epoch: EpochIndex, slot: SlotIndex, shards: u32, counted: u32 },
		/// A new epoch opened.
		EpochOpened { epoch: EpochIndex },
		/// `epoch` closed with `points` points; `reward` moved into the pot for them.
		EpochClosed { epoch: EpochIndex, points: u64, reward: BalanceOf<T> },
		/// `epoch`'s claims expired; `returned` went back to the reward source.
		EpochExpired { epoch: EpochIndex, returned: BalanceOf<T> },
		/// `device`'s uptime in `epochs` epochs earned `amount`.
		RewardsClaimed {
			device: DeviceId,
			owner: T::AccountId,
			amount: BalanceOf<T>,
			/// Of `amount`, paid to the delegated pool backing the device's bond (the rest
			/// went to `owner`).
			to_pool: BalanceOf<T>,
			epochs: u32,
		},
		/// `device` signed two heartbeats for one slot: its bond lost `slashed` (of which
		/// `to_reporter` went to `reporter`) and its reward for `epoch` is forfeited.
		Equivocation {
			device: DeviceId,
			epoch: EpochIndex,
			slot: SlotIndex,
			reporter: T::AccountId,
			slashed: BalanceOf<T>,
			to_reporter: BalanceOf<T>,
		},
		/// The uptime rule from the next epoch on.
		UptimeRuleSet { rule: UptimeRule },
		/// The emission and its split from the next epoch close on.
		RewardSplitSet { split: RewardSplit<BalanceOf<T>> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The heartbeat is not for the current epoch and slot.
		WrongSlot,
		/// The device is not enrolled (or has left).
		NotEnrolled,
		/// The device is already enrolled.
		AlreadyEnrolled,
		/// The device is not registered.
		UnknownDevice,
		/// Only the device's owner may do this.
		NotOwner,
		/// The device is not `Active` in the registry.
		DeviceNotActive,
		/// The device has no operational key.
		NoOperationalKey,
		/// The signature is not the device's over this chain's slot message.
		BadSignature,
		/// The device is already counted in this slot.
		AlreadyCounted,
		/// The caller's aggregator bond is below `MinAggregatorBond`.
		NotAggregator,
		/// The batch names a shard that does not exist.
		UnknownShard,
		/// Shards of a batch must be strictly increasing.
		ShardsNotSorted,
		/// Absentees of a shard must be strictly increasing.
		AbsentNotSorted,
		/// An absentee is not a keyed member of its shard.
		AbsentNotKeyed,
		/// The batch lists more absentees than `MaxAbsentPerBatch`: split it.
		TooManyAbsent,
		/// The aggregate signature is not the participants' signature of the slot message.
		InvalidAggregate,
		/// The batch counted nobody new: every participant was counted already or is not
		/// active.
		NothingCounted,
		/// Every shard is full.
		ShardsFull,
		/// The device's aggregation key is enrolled for another device whose registry
		/// record still holds it.
		KeyInUse,
		/// The epoch is not closed yet, or its challenge period has not passed.
		NotClaimable,
		/// The epoch's claims have expired (or it never existed).
		EpochNotLive,
		/// Epochs of a claim must be strictly increasing.
		EpochsNotSorted,
		/// The device's reward for the epoch is already paid or forfeited.
		AlreadySettled,
		/// Nothing to pay.
		NothingToClaim,
		/// The device is revoked or suspended: it cannot claim.
		DeviceNotInGoodStanding,
		/// The two heartbeats sign the same message: not an equivocation.
		NotConflicting,
		/// The epoch's challenge period is over.
		ChallengeClosed,
		/// The uptime rule is not a rising curve within the epoch's slots.
		InvalidRule,
		/// An arithmetic overflow.
		Overflow,
		/// The device changed owner since it enrolled: its unclaimed rewards are forfeited
		/// (the new owner enrolls it anew and earns from the next epoch).
		OwnerChanged,
		/// The device's previous operational key retired recently and conflicting
		/// heartbeats it signed can still be reported: its current key cannot retire
		/// (rotate, sell, deregister) until that epoch's challenge period is over.
		SignerRetiredRecently,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_idle(_n: BlockNumberFor<T>, remaining: Weight) -> Weight {
			let used = Self::clean_up(remaining);
			used.saturating_add(Self::skip_vacancy_holes(remaining.saturating_sub(used)))
		}

		fn integrity_test() {
			let slots = T::SlotsPerEpoch::get();
			assert!((1..=255).contains(&slots), "SlotsPerEpoch must fit a byte count");
			assert!(
				T::EpochLength::get() % RelayBlock::from(slots) == 0,
				"EpochLength must be a multiple of SlotsPerEpoch"
			);
			assert!(T::EpochLength::get() / RelayBlock::from(slots) >= 1, "a slot lasts at least one relay block");
			assert!(T::ShardSize::get() % 8 == 0 && T::ShardSize::get() <= u32::from(u16::MAX), "ShardSize");
			assert_eq!(T::ShardBitmapBytes::get() * 8, T::ShardSize::get(), "ShardBitmapBytes = ShardSize / 8");
			assert!(T::ClaimWindow::get() + 2 <= MAX_LIVE_EPOCHS, "ClaimWindow too long");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// A device's own heartbeat for the current slot, signed with its operational key
		/// over the slot message (`heartbeat_message` in the runtime API) followed by the
		/// device id (32 bytes). Submitted
		/// unsigned and feeless: the signature authorizes it, once per device and slot.
		#[pallet::call_index(0)]
		#[pallet::weight((T::WeightInfo::heartbeat(), DispatchClass::Normal, Pays::No))]
		pub fn heartbeat(
			origin: OriginFor<T>,
			device: DeviceId,
			epoch: EpochIndex,
			slot: SlotIndex,
			signature: DeviceSignature,
		) -> DispatchResult {
			ensure_none(origin)?;
			Self::do_heartbeat(device, epoch, slot, &signature)
		}

		/// An aggregated heartbeat: every keyed member of the listed shards, except the
		/// absentees, signed the slot message with its BLS key; `signature` is the sum of
		/// their signatures. The caller must be a bonded aggregator. Costs grow with shards
		/// and absentees, not with participants.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::heartbeat_batch(
			shards.len() as u32,
			shards.iter().map(|s| s.absent.len() as u32).sum::<u32>(),
		))]
		pub fn heartbeat_batch(
			origin: OriginFor<T>,
			epoch: EpochIndex,
			slot: SlotIndex,
			shards: BoundedVec<BatchShard<T::MaxAbsentPerShard>, T::MaxShardsPerBatch>,
			signature: [u8; 96],
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_heartbeat_batch(who, epoch, slot, &shards, &signature)
		}

		/// Enroll the caller's `Active` device for uptime: it takes a place in a shard, and
		/// its aggregation key (if set) joins the shard's sum.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::enroll().max(T::WeightInfo::enroll_taking_over()))]
		pub fn enroll(origin: OriginFor<T>, device: DeviceId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_enroll(who, device)
		}

		/// Bring `device`'s roster entry up to date with the registry: its new
		/// `active_until` after a re-attestation, its new aggregation key; a device the
		/// registry no longer has `Active` is evicted. Anyone may call it.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::refresh())]
		pub fn refresh(origin: OriginFor<T>, device: DeviceId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_refresh(device)
		}

		/// The owner takes its device out of uptime accounting. Its rewards up to this
		/// epoch stay claimable.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::leave())]
		pub fn leave(origin: OriginFor<T>, device: DeviceId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(T::Devices::owner(&device) == Some(who), Error::<T>::NotOwner);
			Self::do_leave(device, false)
		}

		/// Pay `device`'s rewards for `epochs` (closed, past their challenge period, not
		/// expired) to its owner. Anyone may call it.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::claim_rewards(epochs.len() as u32).saturating_add(T::Rewards::pay_reward_weight()))]
		pub fn claim_rewards(
			origin: OriginFor<T>,
			device: DeviceId,
			epochs: BoundedVec<EpochIndex, T::MaxClaimEpochs>,
		) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_claim_rewards(device, &epochs)
		}

		/// Evidence that `device`'s operational key signed two different heartbeats for one
		/// slot. Slashes its bond (if the evidence is within the bond manager's evidence
		/// window), pays the reporter its share and forfeits the device's reward for the
		/// epoch (while its challenge period lasts).
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::report_equivocation().saturating_add(T::Slasher::report_offence_weight()))]
		pub fn report_equivocation(
			origin: OriginFor<T>,
			device: DeviceId,
			epoch: EpochIndex,
			slot: SlotIndex,
			first: SignedHeartbeat,
			second: SignedHeartbeat,
		) -> DispatchResult {
			let reporter = ensure_signed(origin)?;
			Self::do_report_equivocation(reporter, device, epoch, slot, first, second)
		}

		/// Set the uptime rule for the epochs that open from now on.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::set_uptime_rule())]
		pub fn set_uptime_rule(origin: OriginFor<T>, rule: UptimeRule) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			ensure!(rule_is_valid(&rule, T::SlotsPerEpoch::get()), Error::<T>::InvalidRule);
			NextUptimeRule::<T>::put(&rule);
			Self::deposit_event(Event::UptimeRuleSet { rule });
			Ok(())
		}

		/// Set the emission per epoch and its uptime share, from the next epoch close on.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::set_reward_split())]
		pub fn set_reward_split(origin: OriginFor<T>, split: RewardSplit<BalanceOf<T>>) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Split::<T>::put(split);
			Self::deposit_event(Event::RewardSplitSet { split });
			Ok(())
		}
	}

	// `ValidateUnsigned` (deprecated for `#[pallet::authorize]`, removed after April 2027)
	// because wallets and @polkadot/api 16 submit bare extrinsics, not v5 general ones.
	#[pallet::validate_unsigned]
	#[allow(deprecated)]
	impl<T: Config> ValidateUnsigned for Pallet<T> {
		type Call = Call<T>;

		/// Direct heartbeats only: valid while the slot lasts, one per device and slot
		/// (`provides`), at a fixed priority. The codes of `InvalidTransaction::Custom`
		/// are [`HeartbeatRejection`]s.
		fn validate_unsigned(_source: TransactionSource, call: &Self::Call) -> TransactionValidity {
			let Call::heartbeat { device, epoch, slot, signature } = call else {
				return InvalidTransaction::Call.into();
			};
			Self::check_heartbeat(device, *epoch, *slot, signature)
				.map_err(|e| InvalidTransaction::Custom(HeartbeatRejection::from_error::<T>(e) as u8))?;
			ValidTransaction::with_tag_prefix("MachinaHeartbeat")
				.priority(T::HeartbeatPriority::get())
				.and_provides((device, epoch, slot))
				.longevity(T::HeartbeatLongevity::get())
				.propagate(true)
				.build()
		}
	}

	/// The clock advances after the inherents: only then does the relay clock show this
	/// block's relay parent (in `on_initialize` it still shows the last block's). The
	/// runtime sets `frame_system::Config::PostInherents` to this pallet.
	impl<T: Config> frame_support::traits::PostInherents for Pallet<T> {
		fn post_inherents() {
			let weight = Self::tick();
			frame_system::Pallet::<T>::register_extra_weight_unchecked(weight, DispatchClass::Mandatory);
		}
	}

	impl<T: Config> Pallet<T> {
		/// The pot's account.
		pub fn pot() -> T::AccountId {
			sp_runtime::traits::AccountIdConversion::into_account_truncating(&T::PalletId::get())
		}

		/// Relay blocks per slot.
		pub fn slot_length() -> RelayBlock {
			T::EpochLength::get() / RelayBlock::from(T::SlotsPerEpoch::get()).max(1)
		}

		/// The relay block now.
		pub(crate) fn relay_now() -> RelayBlock {
			T::Clock::current_block_number()
		}
	}
}

/// The most closed epochs kept claimable at once (`ClaimWindow + 2` must fit).
pub const MAX_LIVE_EPOCHS: u32 = 1024;

/// Holes (vacancies of devices that came back) an enrollment skips in the vacancy queue.
pub const MAX_VACANCY_SKIPS: u32 = 4;

/// Holes `on_idle` skips per block at most.
pub const MAX_IDLE_VACANCY_SKIPS: u32 = 64;

/// Why the transaction pool refused a direct heartbeat: the code of
/// `InvalidTransaction::Custom`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum HeartbeatRejection {
	WrongSlot = 1,
	NotEnrolled = 2,
	DeviceNotActive = 3,
	NoOperationalKey = 4,
	BadSignature = 5,
	AlreadyCounted = 6,
	Other = 255,
}

impl HeartbeatRejection {
	fn from_error<T: Config>(e: Error<T>) -> Self {
		match e {
			Error::WrongSlot => Self::WrongSlot,
			Error::NotEnrolled => Self::NotEnrolled,
			Error::DeviceNotActive => Self::DeviceNotActive,
			Error::NoOperationalKey => Self::NoOperationalKey,
			Error::BadSignature => Self::BadSignature,
			Error::AlreadyCounted => Self::AlreadyCounted,
			_ => Self::Other,
		}
	}
}
