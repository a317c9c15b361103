//! The runtime API wallets and the node's `machina_*` RPC read bonds through.

use alloc::vec::Vec;
use codec::Codec;
use machina_primitives::{BondPurpose, CommitmentId, CommitmentInfo};

use crate::{PoolId, PoolInfo, PoolMemberInfo, UnbondingChunk};

sp_api::decl_runtime_apis! {
	/// Bonds, commitments, pools and the insurance pool.
	#[api_version(2)]
	pub trait MicroBondsApi<AccountId, Balance, Moment>
	where
		AccountId: Codec,
		Balance: Codec,
		Moment: Codec,
	{
		/// `(active, committed)` of `who`'s bond for `purpose`, if any.
		fn bond(who: AccountId, purpose: BondPurpose) -> Option<(Balance, Balance)>;
		/// `who`'s unbonding chunks for `purpose`, in unlock order (relay-chain blocks).
		fn unbonding_chunks(who: AccountId, purpose: BondPurpose) -> Vec<UnbondingChunk<Balance, Moment>>;
		/// What an offence by `who` for `purpose` could take from: its own bond
		/// (active and unbonding) plus the pool stake committed for it.
		fn slashable_balance(who: AccountId, purpose: BondPurpose) -> Balance;
		/// Commitment `id` of `who`: what it requires and what backs it now.
		fn commitment(who: AccountId, id: CommitmentId) -> Option<CommitmentInfo<Balance>>;
		/// A pool's state.
		fn pool(pool: PoolId) -> Option<PoolInfo<AccountId, Balance>>;
		/// `who`'s stake and pending rewards in `pool`.
		fn pool_member(pool: PoolId, who: AccountId) -> Option<PoolMemberInfo<Balance>>;
		/// What the insurance pool can pay out, and everything it ever paid out.
		fn insurance() -> (Balance, Balance);
	}
}
