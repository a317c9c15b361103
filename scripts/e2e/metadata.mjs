// Everything Polkadot.js apps decodes from Machina's metadata, decoded by @polkadot/api:
// for every pallet (Machina's own first), every call is built from its argument types and
// decoded back, every event is built and decoded as a RuntimeEvent, every storage item is
// read (maps: all entries), every constant is decoded; every runtime API method of
// Machina's pallets is called with default arguments and its answer decoded; every
// machina_* method of node/rpc/definitions.json is served by the node.
//
// Usage: node metadata.mjs [ws://127.0.0.1:9944]
// Prints one line per pallet and API and a closing `N passed, M failed`.
import { ApiPromise, WsProvider } from '@polkadot/api';
import { u8aConcat } from '@polkadot/util';
import { readFileSync } from 'node:fs';
import { check, summary } from './lib.mjs';

const rpc = JSON.parse(readFileSync(new URL('../../node/rpc/definitions.json', import.meta.url), 'utf8'));
const url = process.argv[2] ?? 'ws://127.0.0.1:9944';
const MACHINA_PALLETS = ['MicroBonds', 'DeviceRegistry', 'Coverage'];
const MACHINA_APIS = ['MicroBondsApi', 'DeviceRegistryApi', 'CoverageApi', 'IntentsApi'];

const lcFirst = (s) => s.charAt(0).toLowerCase() + s.slice(1);

const api = await ApiPromise.create({ provider: new WsProvider(url), rpc, noInitWarn: true });
const metadata = api.runtimeMetadata.asLatest;
const registry = api.registry;
// A default value of a type given by metadata lookup id (events) or by name (calls, APIs).
const defaultOf = (type) =>
  registry.createType(typeof type?.toNumber === 'function' ? registry.createLookupType(type.toNumber()) : type.toString());
check('metadata', true, `v${api.runtimeMetadata.version}, ${metadata.pallets.length} pallets, ${api.runtimeVersion.specName} v${api.runtimeVersion.specVersion}`);

const pallets = [...metadata.pallets].sort((a, b) =>
  Number(MACHINA_PALLETS.includes(b.name.toString())) - Number(MACHINA_PALLETS.includes(a.name.toString())));
for (const pallet of pallets) {
  const name = pallet.name.toString();
  const section = lcFirst(name);
  const errors = [];
  const counts = { calls: 0, events: 0, storage: 0, entries: 0, constants: 0, errors: 0 };
  // Calls: built from default arguments, encoded, decoded back to the same bytes.
  for (const [method, tx] of Object.entries(api.tx[section] ?? {})) {
    try {
      const args = tx.meta.args.map((arg) => defaultOf(arg.type));
      const call = tx(...args);
      const decoded = api.createType('Call', call.method.toU8a());
      if (decoded.toHex() !== call.method.toHex() || decoded.method !== method) throw new Error('round trip differs');
      counts.calls++;
    } catch (e) { errors.push(`call ${method}: ${e.message}`); }
  }
  // Events: [pallet index, variant index, fields] decoded as the runtime's event type.
  for (const [method, event] of Object.entries(api.events[section] ?? {})) {
    try {
      const fields = event.meta.fields.map((f) => defaultOf(f.type).toU8a());
      const bytes = u8aConcat(Uint8Array.of(pallet.index.toNumber(), event.meta.index.toNumber()), ...fields);
      const decoded = api.createType('Event', bytes);
      if (decoded.section !== section || decoded.method !== method) throw new Error(`decoded as ${decoded.section}.${decoded.method}`);
      counts.events++;
    } catch (e) { errors.push(`event ${method}: ${e.message}`); }
  }
  // Storage: every item read; maps in full (a fresh chain holds few entries).
  for (const [method, query] of Object.entries(api.query[section] ?? {})) {
    try {
      if (query.meta.type.isPlain) {
        (await query()).toJSON();
      } else {
        const entries = await query.entries();
        for (const [key, value] of entries) { key.args.map((a) => a.toJSON()); value.toJSON(); }
        counts.entries += entries.length;
      }
      counts.storage++;
    } catch (e) { errors.push(`storage ${method}: ${e.message}`); }
  }
  for (const [constant, value] of Object.entries(api.consts[section] ?? {})) {
    try { value.toJSON(); counts.constants++; } catch (e) { errors.push(`constant ${constant}: ${e.message}`); }
  }
  for (const [method, error] of Object.entries(api.errors[section] ?? {})) {
    try {
      const found = registry.findMetaError({ index: pallet.index, error: Uint8Array.of(error.meta.index.toNumber(), 0, 0, 0) });
      if (found.method !== method) throw new Error(`found ${found.method}`);
      counts.errors++;
    } catch (e) { errors.push(`error ${method}: ${e.message}`); }
  }
  const machina = MACHINA_PALLETS.includes(name);
  const counted = Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ');
  check(`${machina ? 'Machina pallet' : 'pallet'} ${name} decodes`, errors.length === 0 && (!machina || counts.calls > 0),
    errors.length ? errors.slice(0, 5).join('; ') : counted);
}

// Runtime APIs of Machina's pallets: every method answers default arguments.
const apis = metadata.apis.map((a) => a.name.toString());
for (const apiName of MACHINA_APIS) {
  check(`runtime API ${apiName} in the metadata`, apis.includes(apiName));
  const section = api.call[lcFirst(apiName)];
  const errors = [];
  let count = 0;
  for (const [method, fn] of Object.entries(section ?? {})) {
    try {
      const args = fn.meta.params.map((p) => defaultOf(p.type));
      const answer = await fn(...args);
      answer.toJSON();
      count++;
    } catch (e) { errors.push(`${method}: ${e.message}`); }
  }
  check(`runtime API ${apiName}: every method answers and decodes`, count > 0 && errors.length === 0,
    errors.length ? errors.join('; ') : `${count} methods`);
}

// The machina_* RPC methods the definitions promise are served.
const served = (await api.rpc.rpc.methods()).methods.map((m) => m.toString());
const promised = Object.keys(rpc.machina).map((m) => `machina_${m}`);
const missing = promised.filter((m) => !served.includes(m));
check('every machina_* method of definitions.json is served', missing.length === 0, missing.join(', ') || promised.join(', '));
const extra = served.filter((m) => m.startsWith('machina_') && !promised.includes(m));
check('every served machina_* method has a definition', extra.length === 0, extra.join(', '));

await api.disconnect();
process.exit(summary());
