#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod bls;
pub mod bonds;
pub mod device;
pub mod h3;

pub use bonds::{
	BondManager, BondPurpose, BondSlasher, CommitmentId, CommitmentInfo, InsuranceFund, Offence, OffenceId,
	OffenceKind, OnBondShortfall, SlashOutcome, SlashTarget,
};
pub use device::{device_id_of, AggregationKey, DeviceId, DeviceInspect, DeviceStatus, OperationalKey};
pub use h3::{H3Cell, H3Error};
