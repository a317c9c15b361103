//! Domain types of the coverage pallet.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{traits::Get, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound};
use machina_primitives::{AggregationKey, DeviceId, OperationalKey};
use scale_info::TypeInfo;
use sp_core::{ConstU32, H256};
use sp_runtime::Perbill;

/// Epochs are numbered from relay block 0: epoch `n` covers relay blocks
/// `[n * EpochLength, (n + 1) * EpochLength)`.
pub type EpochIndex = u32;
/// A slot within its epoch, from 0 to `SlotsPerEpoch - 1`.
pub type SlotIndex = u16;
/// A shard of enrolled devices.
pub type ShardId = u32;
/// A device's place in its shard.
pub type MemberIndex = u16;
/// The relay-chain block number: the pallet's clock.
pub type RelayBlock = u32;

/// Domain tag of heartbeat messages, so no other signed message of a device's keys can
/// pass for one.
pub const HEARTBEAT_TAG: [u8; 16] = *b"machina/heartbt1";

/// Points a device earns in an epoch at a 100 % uptime multiplier.
pub const POINTS_PER_DEVICE: u64 = 1_000_000;

/// The most steps of an uptime rule.
pub type MaxRuleSteps = ConstU32<8>;

/// What every heartbeat of a slot signs, by either path: the domain tag, the chain's
/// genesis hash, the epoch, the slot and the slot's anchor (the hash of the last block
/// before the slot began, unknown until then, so heartbeats cannot be signed ahead).
#[derive(Clone, Encode, Decode, TypeInfo, Debug, PartialEq, Eq)]
pub struct SlotMessage {
	pub tag: [u8; 16],
	pub genesis: H256,
	pub epoch: EpochIndex,
	pub slot: SlotIndex,
	pub anchor: H256,
}

/// A signature by a device's operational key (defined with the device primitives).
pub use machina_primitives::DeviceSignature;

/// A heartbeat as signed by a device: the anchor it signed and its signature. Evidence
/// of equivocation is two of these for one slot with different anchors.
#[derive(Clone, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub struct SignedHeartbeat {
	/// The anchor the device signed.
	pub anchor: H256,
	/// Its operational-key signature of the slot message with that anchor.
	pub signature: DeviceSignature,
}

/// The slot the chain is in, advanced at the start of each block from the relay clock.
#[derive(Clone, Copy, Encode, Decode, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq, Default)]
pub struct SlotState {
	pub epoch: EpochIndex,
	pub slot: SlotIndex,
	/// The anchor heartbeats of this slot sign.
	pub anchor: H256,
}

/// One step of an uptime rule: from `min_slots` heartbeat slots in an epoch on, a device
/// earns `multiplier` of [`POINTS_PER_DEVICE`].
#[derive(
	Clone,
	Copy,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
	PartialEq,
	Eq,
	serde::Serialize,
	serde::Deserialize,
)]
pub struct UptimeStep {
	pub min_slots: SlotIndex,
	pub multiplier: Perbill,
}

/// A threshold curve: steps with strictly rising `min_slots` and non-decreasing
/// multipliers. Below the first step a device earns nothing. Helium's mobile rule (full
/// reward from 12 of 24 hourly heartbeats, nothing below) is one step.
pub type UptimeRule = BoundedVec<UptimeStep, MaxRuleSteps>;

/// Points for `slots` heartbeat slots under `rule`.
pub fn points_for(rule: &[UptimeStep], slots: u32) -> u64 {
	rule.iter().rev().find(|s| u32::from(s.min_slots) <= slots).map_or(0, |s| s.multiplier.mul_floor(POINTS_PER_DEVICE))
}

/// Whether `rule` is a well-formed curve for epochs of `slots_per_epoch` slots.
pub fn rule_is_valid(rule: &[UptimeStep], slots_per_epoch: SlotIndex) -> bool {
	!rule.is_empty()
		&& rule.iter().all(|s| s.min_slots >= 1 && s.min_slots <= slots_per_epoch)
		&& rule.windows(2).all(|w| w[0].min_slots < w[1].min_slots && w[0].multiplier <= w[1].multiplier)
}

/// How each epoch's emission is taken and split. Set by governance.
#[derive(
	Clone,
	Copy,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
	PartialEq,
	Eq,
	Default,
	serde::Serialize,
	serde::Deserialize,
)]
pub struct RewardSplit<Balance> {
	/// Taken from the reward source per epoch (at most what it holds above its existential
	/// deposit).
	pub per_epoch: Balance,
	/// The share of it paid for uptime; the rest stays in the source for proof-of-coverage
	/// rewards.
	pub uptime: Perbill,
}

/// An epoch's accounting.
#[derive(Clone, Encode, Decode, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub struct EpochRecord<Balance> {
	/// The uptime rule of the epoch, fixed when it opened.
	pub rule: UptimeRule,
	/// Points earned by all devices so far (final once closed).
	pub points: u64,
	/// The rewards moved into the pot for it when it closed.
	pub reward: Balance,
	/// Of which claimed.
	pub paid: Balance,
	/// The relay block it closed at; claims open `ChallengePeriod` later.
	pub closed_at: Option<RelayBlock>,
}

/// One entry of a shard's roster: what a batch needs to know of each member without
/// reading the registry.
#[derive(Clone, Copy, Encode, Decode, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq, Default)]
pub struct RosterEntry {
	/// The registry's `active_until` when the member enrolled or was last refreshed
	/// (Unix seconds, saturated to u32); 0 for a vacant place. Aggregated heartbeats
	/// count only while the time is before it.
	pub active_until: u32,
	/// Whether its aggregation key is in the shard's key sum.
	pub keyed: bool,
}

impl RosterEntry {
	pub fn is_vacant(&self) -> bool {
		self.active_until == 0
	}
}

/// A shard: a fixed-size group of enrolled devices whose aggregation keys are summed, so
/// a batch reads one sum per shard and one key per absentee.
#[derive(CloneNoBound, Encode, Decode, MaxEncodedLen, TypeInfo, DebugNoBound, PartialEqNoBound, EqNoBound)]
#[scale_info(skip_type_params(S))]
pub struct Shard<S: Get<u32>> {
	/// The sum of the aggregation keys of its keyed members (uncompressed G1).
	pub key_sum: AggregationKey,
	/// Its members by index; grows to `ShardSize`, vacant places are reused.
	pub roster: BoundedVec<RosterEntry, S>,
}

/// A place in a shard.
#[derive(Clone, Encode, Decode, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub struct Place {
	/// The device holding it (or that held it last, while vacant).
	pub device: DeviceId,
	/// The aggregation key the shard's sum holds for it.
	pub key: Option<AggregationKey>,
}

/// Where an enrolled device is.
#[derive(
	Clone, Copy, Encode, Decode, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize,
)]
pub struct Membership {
	pub shard: ShardId,
	pub index: MemberIndex,
	/// The epoch it first enrolled in (kept when it rejoins its own place): it claims no
	/// epoch before it, whatever an earlier holder of the place left in `Uptime`.
	pub joined: EpochIndex,
	/// The epoch it left in, if it left: it can still claim up to that epoch, and its
	/// place is reused only after that epoch expired.
	pub left: Option<EpochIndex>,
	/// While it is away: its entry in the `Vacancies` queue, removed if it rejoins.
	pub vacancy: Option<u32>,
}

impl Membership {
	/// Whether this membership owns the place's uptime of `epoch`: from the epoch it
	/// joined to the epoch it left.
	pub fn may_claim(&self, epoch: EpochIndex) -> bool {
		epoch >= self.joined && self.left.is_none_or(|left| epoch <= left)
	}
}

/// An operational key that stopped signing for its device (rotated, sold, deregistered),
/// kept so that conflicting heartbeats it signed stay reportable through the challenge
/// period of the last epoch it could sign in.
#[derive(Clone, Encode, Decode, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub struct RetiredSigner<AccountId> {
	/// The retired key.
	pub key: OperationalKey,
	/// Who owned the device while the key signed: an offence is theirs.
	pub owner: AccountId,
	/// The epoch it retired in: the last it could sign heartbeats for.
	pub last_epoch: EpochIndex,
	/// The slot of `last_epoch` it retired in: it proves nothing about a later one (a
	/// leaked key, rotated away, cannot be used to have its owner slashed for slots it
	/// never spoke for).
	pub last_slot: SlotIndex,
}

/// A vacated place, reusable once the epoch its device left in has expired.
#[derive(Clone, Copy, Encode, Decode, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq)]
pub struct Vacancy {
	pub shard: ShardId,
	pub index: MemberIndex,
	/// The epoch its device left in.
	pub left: EpochIndex,
}

/// A shard's uptime in one epoch: one count per member, the members seen in the slot
/// being counted, and the members whose reward is claimed (or forfeited). Written once
/// per batch per shard, whatever the number of devices.
#[derive(CloneNoBound, Encode, Decode, MaxEncodedLen, TypeInfo, DebugNoBound, PartialEqNoBound, EqNoBound)]
#[scale_info(skip_type_params(S, B))]
pub struct ShardUptime<S: Get<u32>, B: Get<u32>> {
	/// The slot `seen` is for.
	pub slot: SlotIndex,
	/// Bit `i`: member `i` is counted in `slot`.
	pub seen: BoundedVec<u8, B>,
	/// Heartbeat slots counted per member this epoch.
	pub counts: BoundedVec<u8, S>,
	/// Bit `i`: member `i`'s reward is paid or forfeited.
	pub settled: BoundedVec<u8, B>,
}

impl<S: Get<u32>, B: Get<u32>> ShardUptime<S, B> {
	/// An empty record sized for a full shard.
	pub fn empty(slot: SlotIndex) -> Self {
		let bytes = B::get() as usize;
		Self {
			slot,
			seen: BoundedVec::truncate_from(alloc::vec![0; bytes]),
			counts: BoundedVec::truncate_from(alloc::vec![0; S::get() as usize]),
			settled: BoundedVec::truncate_from(alloc::vec![0; bytes]),
		}
	}

	/// Start counting `slot` (forget who was seen in an earlier one).
	pub fn enter_slot(&mut self, slot: SlotIndex) {
		if self.slot != slot {
			self.slot = slot;
			self.seen.iter_mut().for_each(|b| *b = 0);
		}
	}

	pub fn count(&self, index: MemberIndex) -> u32 {
		self.counts.get(index as usize).copied().map_or(0, u32::from)
	}

	pub fn is_seen(&self, index: MemberIndex) -> bool {
		get_bit(&self.seen, index)
	}

	pub fn is_settled(&self, index: MemberIndex) -> bool {
		get_bit(&self.settled, index)
	}

	pub fn settle(&mut self, index: MemberIndex) {
		set_bit(&mut self.settled, index)
	}

	/// Forget member `index`'s heartbeats this epoch and a forfeit of its reward (its
	/// place changed hands in this epoch, which nobody can have claimed yet); returns how
	/// many heartbeats there were. It stays seen in the current slot: a slot counts a
	/// place once.
	pub fn forget(&mut self, index: MemberIndex) -> u32 {
		if let Some(b) = self.settled.get_mut(index as usize / 8) {
			*b &= !(1 << (index % 8));
		}
		self.counts.get_mut(index as usize).map_or(0, |count| u32::from(core::mem::take(count)))
	}

	/// Count member `index` in the current slot; returns its new count, or `None` if it
	/// was already counted (or is out of range).
	pub fn mark(&mut self, index: MemberIndex) -> Option<u32> {
		if self.is_seen(index) {
			return None;
		}
		let count = self.counts.get_mut(index as usize)?;
		*count = count.checked_add(1)?;
		let count = u32::from(*count);
		set_bit(&mut self.seen, index);
		Some(count)
	}
}

fn get_bit(bits: &[u8], index: MemberIndex) -> bool {
	bits.get(index as usize / 8).is_some_and(|b| b & (1 << (index % 8)) != 0)
}

fn set_bit<B: Get<u32>>(bits: &mut BoundedVec<u8, B>, index: MemberIndex) {
	if let Some(b) = bits.get_mut(index as usize / 8) {
		*b |= 1 << (index % 8);
	}
}

/// One shard of an aggregated heartbeat: every keyed member signed except `absent`
/// (indices, strictly increasing).
#[derive(CloneNoBound, Encode, Decode, DecodeWithMemTracking, TypeInfo, DebugNoBound, PartialEqNoBound, EqNoBound)]
#[scale_info(skip_type_params(M))]
pub struct BatchShard<M: Get<u32>> {
	pub shard: ShardId,
	pub absent: BoundedVec<MemberIndex, M>,
}

/// Reward totals since genesis: `funded == paid + expired + what the pot owes live
/// epochs`.
#[derive(Clone, Copy, Encode, Decode, MaxEncodedLen, TypeInfo, Debug, PartialEq, Eq, Default)]
pub struct RewardTotals<Balance> {
	/// Moved from the reward source into the pot at epoch closes.
	pub funded: Balance,
	/// Claimed by devices' owners.
	pub paid: Balance,
	/// Returned to the reward source when epochs expired.
	pub expired: Balance,
}

/// The epoch clock as the runtime API reports it.
#[derive(Clone, Encode, Decode, TypeInfo, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EpochInfo {
	pub epoch: EpochIndex,
	pub slot: SlotIndex,
	/// The anchor heartbeats of this slot sign.
	pub anchor: H256,
	/// Relay blocks per epoch.
	pub epoch_length: RelayBlock,
	pub slots_per_epoch: SlotIndex,
	/// Relay blocks per slot.
	pub slot_length: RelayBlock,
	/// Points earned so far in this epoch.
	pub points: u64,
	/// Enrolled devices (places held, not counting vacant ones) and shards.
	pub shards: u32,
}

/// A device's uptime in an epoch as the runtime API reports it.
#[derive(Clone, Encode, Decode, TypeInfo, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceUptime {
	/// Heartbeat slots counted.
	pub slots: u32,
	/// Points they earn under the epoch's rule.
	pub points: u64,
	/// Paid or forfeited.
	pub settled: bool,
}

/// A member of a shard as the runtime API reports it (for aggregators).
#[derive(Clone, Encode, Decode, TypeInfo, Debug, PartialEq, Eq)]
pub struct ShardMember {
	pub index: MemberIndex,
	pub device: DeviceId,
	pub keyed: bool,
	pub active_until: u32,
}
