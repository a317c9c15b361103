//! `polkadot-prepare-worker`: compiles PVFs for the relay node. The node refuses a
//! worker whose `--version` differs from its own `NODE_VERSION`.

polkadot_node_core_pvf_common::decl_worker_main!(
	"prepare-worker",
	polkadot_node_core_pvf_prepare_worker::worker_entrypoint,
	polkadot_node_primitives::NODE_VERSION,
	env!("SUBSTRATE_CLI_COMMIT_HASH"),
);
