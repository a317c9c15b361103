//! Units of money and time, and the block limits derived from them.

/// Money. The token is MACH, with 12 decimals.
pub mod currency {
	use crate::Balance;

	/// One MACH.
	pub const UNIT: Balance = 1_000_000_000_000;
	/// A thousandth of a MACH.
	pub const MILLI_UNIT: Balance = 1_000_000_000;
	/// A millionth of a MACH.
	pub const MICRO_UNIT: Balance = 1_000_000;
	/// The balance below which an account is reaped.
	pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;
	/// The token symbol, as chain specs and wallets show it.
	pub const TOKEN_SYMBOL: &str = "MACH";
	/// Decimals of the token.
	pub const TOKEN_DECIMALS: u8 = 12;
	/// The SS58 address prefix (42: the generic Substrate prefix, which every wallet
	/// understands; a registered prefix comes with the public network).
	pub const SS58_PREFIX: u16 = 42;

	/// A storage deposit: per item and per byte.
	pub const fn deposit(items: u32, bytes: u32) -> Balance {
		items as Balance * 20 * MILLI_UNIT + (bytes as Balance) * 100 * MICRO_UNIT
	}
}

/// Time and the async-backing parameters. Blocks are produced every 6 s, one per relay
/// chain slot (velocity 1), with up to 3 blocks built ahead of inclusion.
pub mod time {
	use crate::BlockNumber;

	/// The block time the chain targets.
	pub const MILLI_SECS_PER_BLOCK: u64 = 6000;
	/// Aura's slot duration. It cannot change once the chain has started.
	pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;

	pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
	pub const HOURS: BlockNumber = MINUTES * 60;
	pub const DAYS: BlockNumber = HOURS * 24;

	/// Parachain blocks accepted by the runtime but not yet included on the relay chain.
	pub const UNINCLUDED_SEGMENT_CAPACITY: u32 = 3;
	/// Parachain blocks per relay chain slot.
	pub const BLOCK_PROCESSING_VELOCITY: u32 = 1;
	/// The relay chain's slot duration, in milliseconds.
	pub const RELAY_CHAIN_SLOT_DURATION_MILLIS: u32 = 6000;
	/// A relay chain storage key that only the dev node's mocked relay chain holds (value
	/// `true`): with it, the consensus hook admits as many blocks per relay slot as the
	/// dev block time needs, so dev chain time can follow the wall clock.
	pub const DEV_RELAY_CHAIN_MARKER: &[u8] = b":machina:dev_relay_chain:";
}

/// The parachain id Machina uses on local and test networks.
pub const PARACHAIN_ID: u32 = 2000;
