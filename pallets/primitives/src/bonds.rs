//! The contract between pallets that need bonded accounts and the pallet that holds
//! the bonds (`pallet-micro-bonds`).

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::{DispatchError, DispatchResult};
use core::fmt::Debug;

/// What a bond secures. A bond is keyed by `(account, purpose)`, so one account can
/// bond separately as a device owner and as a solver, and a slash for one purpose
/// never touches the other.
#[derive(
	Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
	PartialEq, Eq, PartialOrd, Ord,
)]
#[derive(serde::Serialize, serde::Deserialize)]
pub enum BondPurpose {
	/// Backs a registered device.
	Device,
	/// Backs a heartbeat aggregator.
	Aggregator,
	/// Backs an intent solver.
	Solver,
	/// Backs a delegated security pool's operator.
	PoolOperator,
}

/// Offences that can be proven on-chain. Downtime is deliberately absent: being offline
/// costs rewards, never bonded funds.
#[derive(
	Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
	PartialEq, Eq, PartialOrd, Ord,
)]
#[derive(serde::Serialize, serde::Deserialize)]
pub enum OffenceKind {
	/// Two conflicting signed statements for the same slot or epoch.
	Equivocation,
	/// A coverage receipt or witness proven false.
	FalseCoverage,
	/// An aggregated heartbeat batch including a device that did not sign.
	InvalidAggregate,
	/// A solver's committed solution that it failed to settle.
	SolverDefault,
}

/// What a reported offence cost the offender.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct SlashOutcome<Balance> {
	/// Funds taken from the offender's bond (and unbonding chunks).
	pub slashed: Balance,
	/// Of which paid to the reporter.
	pub to_reporter: Balance,
	/// Of which paid into the insurance pool.
	pub to_insurance: Balance,
	/// Of which burned.
	pub burned: Balance,
}

/// Require and release bonds for a purpose.
pub trait BondManager<AccountId, Balance> {
	/// Fail unless `who` has at least `amount` actively bonded for `purpose` that is
	/// not yet committed elsewhere, and commit it.
	fn require_bond(who: &AccountId, purpose: BondPurpose, amount: Balance) -> DispatchResult;
	/// Uncommit `amount` previously required; it starts unbonding if the owner asked.
	fn release_bond(who: &AccountId, purpose: BondPurpose, amount: Balance) -> DispatchResult;
	/// Release like [`Self::release_bond`], and start unbonding what was the account's
	/// own bond (pool stake simply returns to the pool). For a holder that is leaving.
	fn release_and_unbond(who: &AccountId, purpose: BondPurpose, amount: Balance) -> DispatchResult;
	/// The amount `who` has actively bonded for `purpose`.
	fn bonded(who: &AccountId, purpose: BondPurpose) -> Balance;
	/// The amount of `who`'s bond for `purpose` committed by other pallets (own and
	/// from its pool).
	fn committed(who: &AccountId, purpose: BondPurpose) -> Balance;
}

/// Report an offence against a bond. The slashing pallet checks the evidence age
/// against its evidence window and applies the governance-set policy for `kind`.
pub trait BondSlasher<AccountId, Balance, BlockNumber> {
	fn report_offence(
		offender: &AccountId,
		purpose: BondPurpose,
		kind: OffenceKind,
		evidence_block: BlockNumber,
		reporter: Option<AccountId>,
	) -> Result<SlashOutcome<Balance>, DispatchError>;
}

/// The insurance pool fed by slashes. Pallets that adjudicate harm (a failed service
/// order, a false coverage claim) compensate the harmed party through it.
pub trait InsuranceFund<AccountId, Balance> {
	/// What the pool holds now.
	fn balance() -> Balance;
	/// Pay `amount` to `to`; fails if the pool holds less.
	fn pay(to: &AccountId, amount: Balance) -> DispatchResult;
}
