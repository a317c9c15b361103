//! The runtime API wallets and the node's `machina_*` RPC read bonds through.

use alloc::vec::Vec;
use codec::Codec;
use machina_primitives::BondPurpose;

use crate::{PoolId, PoolInfo, UnbondingChunk};

sp_api::decl_runtime_apis! {
	/// Bonds, pools and the insurance pool.
	pub trait MicroBondsApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// `(active, committed)` of `who`'s bond for `purpose`, if any.
		fn bond(who: AccountId, purpose: BondPurpose) -> Option<(Balance, Balance)>;
		/// `who`'s unbonding chunks for `purpose`, oldest first.
		fn unbonding_chunks(who: AccountId, purpose: BondPurpose) -> Vec<UnbondingChunk<Balance, BlockNumber>>;
		/// What an offence by `who` for `purpose` could take from: its own bond
		/// (active and unbonding) plus the pool stake committed for it.
		fn slashable_balance(who: AccountId, purpose: BondPurpose) -> Balance;
		/// A pool's state.
		fn pool(pool: PoolId) -> Option<PoolInfo<AccountId, Balance>>;
		/// `(active stake, unbonding stake, pending rewards)` of `who` in `pool`.
		fn pool_member(pool: PoolId, who: AccountId) -> Option<(Balance, Balance, Balance)>;
		/// The insurance pool's balance and everything it ever paid out.
		fn insurance() -> (Balance, Balance);
	}
}
