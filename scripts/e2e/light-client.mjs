// A light client of Machina: polkadot-api over smoldot, given nothing but the chain specs
// (the relay chain's first, then Machina's, whose `relay_chain` names the relay spec's
// `id`). It follows finalized Machina blocks and reads the registry through runtime APIs
// (chainHead_v1_call, the light client's state_call), with no RPC node in between: the
// specs' bootnodes are all it dials.
//
// Usage: node light-client.mjs <network.json>     (written by `machina-zombienet --info`)
//        node light-client.mjs <relay-spec.json> <machina-spec.json>
// Optional: EXPECT_DEVICES_OF=<ss58> waits until this owner's devices are visible.
// Prints one line per check and exits non-zero on failure.
import { createClient } from 'polkadot-api';
import { start } from 'polkadot-api/smoldot';
import { getSmProvider } from 'polkadot-api/sm-provider';
import { readFileSync } from 'node:fs';
import { check, summary, timeoutAfter } from './lib.mjs';

const TIMEOUT_MS = Number(process.env.LIGHT_TIMEOUT_MS ?? 300_000);
const BLOCKS = Number(process.env.LIGHT_BLOCKS ?? 3);

let relaySpecPath, paraSpecPath;
if (process.argv.length === 3) {
  const info = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  relaySpecPath = info.relay_chain_spec;
  paraSpecPath = info.para_chain_spec;
} else {
  [relaySpecPath, paraSpecPath] = process.argv.slice(2);
}
if (!relaySpecPath || !paraSpecPath) {
  console.error('usage: node light-client.mjs <network.json> | <relay-spec.json> <machina-spec.json>');
  process.exit(2);
}

const withTimeout = timeoutAfter(TIMEOUT_MS);
const hex = (v) => (typeof v === 'string' ? v : `0x${Buffer.from(v).toString('hex')}`);

const relaySpec = readFileSync(relaySpecPath, 'utf8');
const paraSpec = readFileSync(paraSpecPath, 'utf8');
const relayJson = JSON.parse(relaySpec);
const paraJson = JSON.parse(paraSpec);
const relayChainOfPara = paraJson.relay_chain ?? paraJson.relayChain;
check("Machina's spec names the relay spec's id", relayChainOfPara === relayJson.id, `${relayChainOfPara} / ${relayJson.id}`);
check('both specs carry bootnodes', relayJson.bootNodes?.length > 0 && paraJson.bootNodes?.length > 0,
  `${relayJson.bootNodes?.length ?? 0} relay, ${paraJson.bootNodes?.length ?? 0} Machina`);

const t0 = Date.now();
const smoldot = start({ maxLogLevel: Number(process.env.SMOLDOT_LOG_LEVEL ?? 2) });
try {
  const relay = await smoldot.addChain({ chainSpec: relaySpec });
  // getSmProvider takes a factory: it adds a fresh chain whenever it (re)connects.
  const client = createClient(getSmProvider(() => smoldot.addChain({ chainSpec: paraSpec, potentialRelayChains: [relay] })));

  // Follow finalized Machina blocks.
  const seen = await withTimeout(new Promise((resolve, reject) => {
    const numbers = [];
    const sub = client.finalizedBlock$.subscribe({
      next: (block) => {
        if (numbers.length === 0 || block.number > numbers[numbers.length - 1]) numbers.push(block.number);
        if (numbers.length > BLOCKS) {
          sub.unsubscribe();
          resolve(numbers);
        }
      },
      error: reject,
    });
  }), 'finalized Machina blocks through smoldot');
  check(`followed ${BLOCKS} new finalized Machina blocks`, seen.length > BLOCKS,
    `#${seen.join(', #')} (first after ${((Date.now() - t0) / 1000).toFixed(1)} s from start)`);

  // Runtime APIs through the light client (the metadata comes from the chain itself).
  const api = client.getUnsafeApi();
  const version = await withTimeout(api.constants.System.Version(), 'the runtime version');
  check('runtime version read', /^machina(-fast)?$/.test(version.spec_name), `${version.spec_name} v${version.spec_version}`);
  const manufacturer = await withTimeout(api.apis.DeviceRegistryApi.manufacturer(0), 'DeviceRegistryApi.manufacturer');
  // polkadot-api hands bytes back as Uint8Array.
  const name = manufacturer ? new TextDecoder().decode(manufacturer.name) : undefined;
  check('DeviceRegistryApi.manufacturer(0) through the light client',
    name === 'Machina Dev Devices' && manufacturer.status.type === 'Active', name);
  const owner = process.env.EXPECT_DEVICES_OF;
  if (owner) {
    // The devices may be registered while the light client runs (scripts/e2e.sh starts
    // it first): ask again at each new finalized block until they show.
    const devices = await withTimeout(new Promise((resolve, reject) => {
      let asking = false;
      const sub = client.finalizedBlock$.subscribe({
        next: async () => {
          if (asking) return;
          asking = true;
          try {
            const found = await api.apis.DeviceRegistryApi.devices_of(owner, undefined, 10);
            if (found.length > 0) { sub.unsubscribe(); resolve(found); }
          } catch (e) { sub.unsubscribe(); reject(e); }
          asking = false;
        },
        error: reject,
      });
    }), `devices of ${owner}`);
    const first = devices[0];
    check(`DeviceRegistryApi.devices_of(${owner.slice(0, 8)}…) through the light client`,
      first.device.owner === owner && first.status.type === 'Active',
      `${devices.length} device(s), first ${hex(first.id)} ${first.status.type}`);
    const device = await withTimeout(api.apis.DeviceRegistryApi.device(first.id), 'DeviceRegistryApi.device');
    check('DeviceRegistryApi.device(id) through the light client', device?.device.owner === owner);
  }
  client.destroy();
} catch (e) {
  check('light client', false, e?.message ?? String(e));
} finally {
  await smoldot.terminate();
}

process.exit(summary(` (${((Date.now() - t0) / 1000).toFixed(1)} s)`));
