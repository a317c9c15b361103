#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod bls;
/// BLS12-381 pairings through the RFC-163 host functions (feature `ec-host-calls`).
#[cfg(feature = "ec-host-calls")]
pub mod bls_host;
pub mod bonds;
pub mod device;
pub mod h3;

pub use bonds::{
	BondManager, BondPurpose, BondSlasher, CommitmentId, CommitmentInfo, CommitmentRewards, InsuranceFund, Offence,
	OffenceId, OffenceKind, OnBondShortfall, PayHolder, RewardPayout, SlashOutcome, SlashTarget,
};
pub use device::{
	device_id_of, AggregationKey, DeviceId, DeviceInspect, DeviceSignature, DeviceStatus, OnSignerRetired,
	OperationalKey, UptimeInspect,
};
pub use h3::{H3Cell, H3Error};
