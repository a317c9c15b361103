//! BLS12-381 aggregation keys: the scheme is shared with the coverage pallet, so it
//! lives in `machina-primitives`.

pub use machina_primitives::bls::*;
