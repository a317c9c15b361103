//! The origins that Machina's referendum tracks dispatch with, one per kind of power,
//! so that a proposal carries only the power its track grants (a device-administration
//! referendum cannot change slash policies).

pub use pallet_origins::*;

#[frame_support::pallet]
pub mod pallet_origins {
	use alloc::vec::Vec;
	use frame_support::pallet_prelude::*;

	use crate::{configs::governance::fellowship::FellowshipCollectiveInstance, AccountId, Balance, Runtime};

	/// Nothing to configure: the origins are the runtime's.
	#[pallet::config]
	pub trait Config: frame_system::Config {}

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// The powers a referendum can be given, by the track it runs on.
	#[derive(PartialEq, Eq, Clone, MaxEncodedLen, Encode, Decode, DecodeWithMemTracking, TypeInfo, Debug)]
	#[pallet::origin]
	pub enum Origin {
		/// Dispatches a call the technical fellowship whitelisted (`whitelisted_caller`
		/// track): urgent fixes, with a short decision.
		WhitelistedCaller,
		/// Manufacturer roots, suspensions and certificate revocation lists
		/// (`device_admin` track).
		DeviceAdmin,
		/// Slash policies, reward splits, uptime rules, pool commission caps, solver fee
		/// caps, markets and disputes (`economic_admin` track).
		EconomicAdmin,
		/// Treasury spends and insurance payouts (`treasurer` track).
		Treasurer,
		/// Cancels a referendum, refunding its deposits (`referendum_canceller` track).
		ReferendumCanceller,
		/// Kills a referendum, slashing its deposits (`referendum_killer` track): the
		/// answer to a spam referendum holding a track's deciding slot.
		ReferendumKiller,
		/// The technical fellowship's members of rank 3 and above, by a fellowship
		/// referendum: may whitelist a call for the `whitelisted_caller` track.
		Fellows,
	}

	/// An origin check that passes for one [`Origin`] variant, with a fixed success value.
	macro_rules! ensure_origin {
		($( $(#[$doc:meta])* $name:ident: $success:ty = $value:expr ),* $(,)?) => {$(
			$(#[$doc])*
			pub struct $name;
			impl<O: OriginTrait + From<Origin>> EnsureOrigin<O> for $name
			where
				for<'a> &'a O::PalletsOrigin: TryInto<&'a Origin>,
			{
				type Success = $success;
				fn try_origin(o: O) -> Result<Self::Success, O> {
					if matches!(o.caller().try_into(), Ok(Origin::$name)) {
						Ok($value)
					} else {
						Err(o)
					}
				}
				#[cfg(feature = "runtime-benchmarks")]
				fn try_successful_origin() -> Result<O, ()> {
					Ok(O::from(Origin::$name))
				}
			}
		)*};
	}

	/// The most a `treasurer` referendum may spend at once.
	pub const TREASURER_MAX_SPEND: Balance = 100_000 * crate::UNIT;

	ensure_origin!(
		/// A passed `whitelisted_caller` referendum.
		WhitelistedCaller: () = (),
		/// A passed `device_admin` referendum.
		DeviceAdmin: () = (),
		/// A passed `economic_admin` referendum.
		EconomicAdmin: () = (),
		/// A passed `treasurer` referendum; succeeds with the most it may spend.
		Treasurer: Balance = TREASURER_MAX_SPEND,
		/// A passed `referendum_canceller` referendum.
		ReferendumCanceller: () = (),
		/// A passed `referendum_killer` referendum.
		ReferendumKiller: () = (),
		/// A passed fellowship referendum on the `fellows` track; succeeds with rank 3.
		Fellows: u16 = 3,
	);

	/// The technical fellowship at genesis: (member, rank). Members are added to
	/// `FellowshipCollective`; later changes go through the fellowship's origins.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		pub fellows: Vec<(AccountId, u16)>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for (who, rank) in &self.fellows {
				pallet_ranked_collective::Pallet::<Runtime, FellowshipCollectiveInstance>::do_add_member_to_rank(
					who.clone(),
					*rank,
					false,
				)
				.expect("genesis fellows are distinct");
			}
		}
	}
}
