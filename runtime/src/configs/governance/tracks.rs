//! The public referendum tracks. Periods are in relay chain blocks (6 s), as on the
//! system parachains: the governance clock is [`RelayClock`](crate::configs::micro_bonds::RelayClock),
//! so a faster parachain block rate changes no period. With the `fast-runtime`
//! feature (dev and local networks only) every period shrinks to a few relay blocks so
//! that a referendum passes in minutes; the production table is in docs/governance.md.

use alloc::borrow::Cow;
use pallet_referenda::{Curve, Track, TrackInfo};
use sp_runtime::{str_array as name, Perbill};

use super::origins::Origin;
use crate::{
	constants::time::{RELAY_DAYS, RELAY_HOURS, RELAY_MINUTES},
	Balance, BlockNumber, OriginCaller, UNIT,
};

/// The track ids. Gaps leave room for related tracks.
pub mod ids {
	pub const ROOT: u16 = 0;
	pub const WHITELISTED_CALLER: u16 = 1;
	pub const DEVICE_ADMIN: u16 = 10;
	pub const ECONOMIC_ADMIN: u16 = 11;
	pub const TREASURER: u16 = 12;
	pub const REFERENDUM_CANCELLER: u16 = 20;
	pub const REFERENDUM_KILLER: u16 = 21;
}

/// A period: `production` relay blocks, or `fast` with the `fast-runtime` feature.
const fn period(production: BlockNumber, fast: BlockNumber) -> BlockNumber {
	if cfg!(feature = "fast-runtime") {
		fast
	} else {
		production
	}
}

const fn percent(x: u32) -> Perbill {
	Perbill::from_percent(x)
}

/// Approval falls linearly from 100 % to `floor` over the decision period.
const fn approval(floor: u32) -> Curve {
	Curve::LinearDecreasing { length: percent(100), floor: percent(floor), ceil: percent(100) }
}

/// Support (turnout of aye votes, without conviction, against the active issuance)
/// falls linearly from `ceil` to `floor` (in hundredths of a percent) over the decision
/// period.
const fn support(ceil: u32, floor_bps: u32) -> Curve {
	Curve::LinearDecreasing {
		length: percent(100),
		floor: Perbill::from_parts(floor_bps * 100_000),
		ceil: percent(ceil),
	}
}

/// The shape of the tracks that change parameters or spend: a day to confirm and to
/// enact, half of the votes and of the issuance to pass.
const PARAMETER_TRACK: TrackInfo<Balance, BlockNumber> = TrackInfo {
	name: name(""),
	max_deciding: 10,
	decision_deposit: 1_000 * UNIT,
	prepare_period: period(2 * RELAY_HOURS, 2),
	decision_period: period(14 * RELAY_DAYS, 50),
	confirm_period: period(RELAY_DAYS, 2),
	min_enactment_period: period(RELAY_DAYS, 1),
	min_approval: approval(50),
	min_support: support(50, 50),
};

/// The shape of the tracks that act quickly: hours to confirm, minutes to enact.
const QUICK_TRACK: TrackInfo<Balance, BlockNumber> = TrackInfo {
	name: name(""),
	max_deciding: 100,
	decision_deposit: 1_000 * UNIT,
	prepare_period: period(RELAY_HOURS, 1),
	decision_period: period(7 * RELAY_DAYS, 50),
	confirm_period: period(3 * RELAY_HOURS, 1),
	min_enactment_period: period(10 * RELAY_MINUTES, 1),
	min_approval: approval(50),
	// Stopping a referendum needs as much support as passing one on root.
	min_support: support(50, 50),
};

/// The tracks, sorted by id (pallet-referenda requires it).
pub const TRACKS: [Track<u16, Balance, BlockNumber>; 7] = [
	Track {
		id: ids::ROOT,
		info: TrackInfo {
			name: name("root"),
			// A deposit ten times the others'; room for several deciding: one spam
			// referendum must not hold the only slot for 14 days.
			decision_deposit: 10_000 * UNIT,
			..PARAMETER_TRACK
		},
	},
	Track {
		id: ids::WHITELISTED_CALLER,
		info: TrackInfo {
			name: name("whitelisted_caller"),
			max_deciding: 100,
			decision_deposit: 1_000 * UNIT,
			prepare_period: period(30 * RELAY_MINUTES, 1),
			decision_period: period(14 * RELAY_DAYS, 50),
			confirm_period: period(10 * RELAY_MINUTES, 1),
			min_enactment_period: period(10 * RELAY_MINUTES, 1),
			min_approval: approval(50),
			min_support: support(10, 10),
		},
	},
	Track {
		id: ids::DEVICE_ADMIN,
		info: TrackInfo {
			name: name("device_admin"),
			max_deciding: 10,
			// Support as on the parameter tracks (50 % falling to 0.5 %): this track adds
			// manufacturer roots (their devices earn rewards) and revokes them (their
			// devices become slashable), so a quiet week must not let 0.1 % decide.
			// An urgent revocation goes through the fellowship's whitelist.
			..QUICK_TRACK
		},
	},
	Track { id: ids::ECONOMIC_ADMIN, info: TrackInfo { name: name("economic_admin"), ..PARAMETER_TRACK } },
	Track { id: ids::TREASURER, info: TrackInfo { name: name("treasurer"), ..PARAMETER_TRACK } },
	Track { id: ids::REFERENDUM_CANCELLER, info: TrackInfo { name: name("referendum_canceller"), ..QUICK_TRACK } },
	Track { id: ids::REFERENDUM_KILLER, info: TrackInfo { name: name("referendum_killer"), ..QUICK_TRACK } },
];

/// The longest a referendum on track `id` takes once it decides: prepare, the whole
/// decision period, confirm and the least enactment (0 for an unknown track).
pub const fn longest_path(id: u16) -> BlockNumber {
	let mut i = 0;
	while i < TRACKS.len() {
		if TRACKS[i].id == id {
			let t = &TRACKS[i].info;
			return t.prepare_period + t.decision_period + t.confirm_period + t.min_enactment_period;
		}
		i += 1;
	}
	0
}

/// The public tracks and the origin each one dispatches with.
pub struct TracksInfo;
impl pallet_referenda::TracksInfo<Balance, BlockNumber> for TracksInfo {
	type Id = u16;
	type RuntimeOrigin = OriginCaller;

	fn tracks() -> impl Iterator<Item = Cow<'static, Track<u16, Balance, BlockNumber>>> {
		TRACKS.iter().map(Cow::Borrowed)
	}

	fn track_for(origin: &OriginCaller) -> Result<u16, ()> {
		match origin {
			OriginCaller::system(frame_system::RawOrigin::Root) => Ok(ids::ROOT),
			OriginCaller::Origins(origin) => match origin {
				Origin::WhitelistedCaller => Ok(ids::WHITELISTED_CALLER),
				Origin::DeviceAdmin => Ok(ids::DEVICE_ADMIN),
				Origin::EconomicAdmin => Ok(ids::ECONOMIC_ADMIN),
				Origin::Treasurer => Ok(ids::TREASURER),
				Origin::ReferendumCanceller => Ok(ids::REFERENDUM_CANCELLER),
				Origin::ReferendumKiller => Ok(ids::REFERENDUM_KILLER),
				// Only the fellowship's referenda dispatch as `Fellows`.
				Origin::Fellows => Err(()),
			},
			_ => Err(()),
		}
	}
}
