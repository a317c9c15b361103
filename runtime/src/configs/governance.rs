//! Governance. For now only `pallet-sudo`, held by the dev key in the presets: a
//! temporary arrangement that the OpenGov issue removes (see docs/architecture.md).

use crate::{Runtime, RuntimeCall, RuntimeEvent};

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}
