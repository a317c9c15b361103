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

/// Time and the elastic-scaling parameters (polkadot-sdk's elastic-scaling guide for 3
/// cores). The Aura slot stays 6 s; blocks come every 2 s, three per relay chain slot,
/// either on three cores (one block per core) or bundled on fewer (the slot-based
/// collator puts `BLOCK_PROCESSING_VELOCITY / cores` blocks in one PoV, and
/// [`MaxParachainBlockWeight`](cumulus_pallet_parachain_system::block_weight::MaxParachainBlockWeight)
/// shrinks each block to its share of the core).
///
/// Durations are defined in relay chain blocks ([`RELAY_MINUTES`], ...) or in seconds,
/// never in parachain blocks: the block rate may change, time does not. Where a pallet
/// only counts its own blocks, [`para_blocks`] converts a time to blocks at the target
/// rate.
pub mod time {
	use crate::BlockNumber;

	/// The relay chain's slot duration, in milliseconds.
	pub const RELAY_CHAIN_SLOT_DURATION_MILLIS: u32 = 6000;
	/// Aura's slot duration: one collator's turn, during which it authors several blocks.
	/// It cannot change once the chain has started (and must be at least the relay
	/// chain's).
	pub const SLOT_DURATION: u64 = 6000;
	/// Parachain blocks per relay chain slot: the relay chain processes at most this many
	/// per relay block, and the slot-based collator aims for this many.
	#[cfg(not(feature = "block-time-500ms"))]
	pub const BLOCK_PROCESSING_VELOCITY: u32 = 3;
	/// The 500 ms trial (feature `block-time-500ms`, local networks only): twelve blocks per
	/// relay slot, bundled into one core's PoV (docs/performance.md).
	#[cfg(feature = "block-time-500ms")]
	pub const BLOCK_PROCESSING_VELOCITY: u32 = 12;
	// A trial wasm must never carry the production spec name (an upgrade to it could be
	// enacted on a live chain): only with `fast-runtime` (spec name `machina-fast`). Native
	// builds may test the velocity alone, with the production periods.
	#[cfg(all(feature = "block-time-500ms", not(feature = "fast-runtime"), not(feature = "std")))]
	compile_error!("the block-time-500ms wasm is built with fast-runtime (scripts/measure.sh)");
	/// The block time the chain targets: 2 s (500 ms in the trial).
	pub const MILLI_SECS_PER_BLOCK: u64 = RELAY_CHAIN_SLOT_DURATION_MILLIS as u64 / BLOCK_PROCESSING_VELOCITY as u64;
	/// Collators build on the relay block one behind the best, so a relay chain fork
	/// (the best relay block changing) does not discard parachain blocks.
	pub const RELAY_PARENT_OFFSET: u32 = 1;
	/// Parachain blocks accepted by the runtime but not yet included on the relay chain.
	pub const UNINCLUDED_SEGMENT_CAPACITY: u32 = (2 + RELAY_PARENT_OFFSET) * BLOCK_PROCESSING_VELOCITY + 1;

	/// Relay chain blocks (6 s each): the unit of the runtime's durations.
	pub const RELAY_MINUTES: u32 = 60_000 / RELAY_CHAIN_SLOT_DURATION_MILLIS;
	pub const RELAY_HOURS: u32 = RELAY_MINUTES * 60;
	pub const RELAY_DAYS: u32 = RELAY_HOURS * 24;

	/// Parachain blocks in `millis` at the target block rate, for the few settings that a
	/// pallet counts in its own blocks (the transaction pool's longevity, block hashes
	/// a signature may name).
	pub const fn para_blocks(millis: u64) -> BlockNumber {
		(millis / MILLI_SECS_PER_BLOCK) as BlockNumber
	}

	/// A relay chain storage key that only the dev node's mocked relay chain holds (value
	/// `true`): with it, the consensus hook admits as many blocks per relay slot as the
	/// dev block time needs, so dev chain time can follow the wall clock.
	pub const DEV_RELAY_CHAIN_MARKER: &[u8] = b":machina:dev_relay_chain:";
}

/// The parachain id Machina uses on local and test networks.
pub const PARACHAIN_ID: u32 = 2000;
