// Submission to inclusion and to finality, measured from a client: N signed transfers
// (default 50), one every INTERVAL_MS (default 1,300: not a divisor of a block time, so
// submissions fall at every phase of the slot), each followed through
// author_submitAndWatchExtrinsic until it is in a block and until that block is finalized.
// On a node that follows a relay chain, `machina_txStatus` is polled every 250 ms for the
// relay chain's view (the highest Machina block backed, and included, in the relay's best
// block), which gives each transaction's time to backed and to included as well.
// Prints each transaction and the median and p95 of each latency, in seconds.
//
// Usage: node finality.mjs [ws://127.0.0.1:9944]    (COUNT=50 INTERVAL_MS=1300)
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

const url = process.argv[2] ?? 'ws://127.0.0.1:9944';
const COUNT = Number(process.env.COUNT ?? 50);
const INTERVAL_MS = Number(process.env.INTERVAL_MS ?? 1_300);
const TIMEOUT_MS = Number(process.env.FINALITY_TIMEOUT_MS ?? 600_000);

// With parachain forks (2 s blocks), @polkadot/api may fetch the events of a block whose
// state is already gone (a losing fork's) for an `InBlock` status, and reject outside any
// promise of ours: log it; the transaction's later statuses still arrive.
process.on('unhandledRejection', (e) => console.error(`ignored: ${e?.message ?? e}`));
await cryptoWaitReady();
const provider = new WsProvider(url);
const api = await ApiPromise.create({ provider, noInitWarn: true });
const keyring = new Keyring({ type: 'sr25519', ss58Format: api.registry.chainSS58 });
const sender = keyring.addFromUri(process.env.SENDER ?? '//Ferdie');
const dest = keyring.addFromUri('//Eve').address;
let nonce = (await api.rpc.system.accountNextIndex(sender.address)).toNumber();

// The relay chain's view, polled: [time, highest backed-or-included, included] samples.
const methods = (await api.rpc.rpc.methods()).methods.map((m) => m.toString());
const relayView = [];
let polling = false;
if (methods.includes('machina_txStatus')) {
  const probe = await provider.send('machina_txStatus', ['0x' + '00'.repeat(32), 1]);
  polling = probe.relayChain;
}
const poller = polling && (async () => {
  while (polling) {
    const s = await provider.send('machina_txStatus', ['0x' + '00'.repeat(32), 1]);
    relayView.push([performance.now(), Math.max(s.backedNumber ?? 0, s.includedNumber ?? 0), s.includedNumber ?? 0]);
    await new Promise((r) => setTimeout(r, 250));
  }
})();
const chain = (await api.rpc.system.chain()).toString();
console.log(`${chain}, ${api.runtimeVersion.specName} v${api.runtimeVersion.specVersion}: ${COUNT} transfers, one every ${INTERVAL_MS} ms`);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rows = [];
const pending = [];
for (let i = 0; i < COUNT; i++) {
  const row = { i, nonce };
  rows.push(row);
  const tx = api.tx.balances.transferKeepAlive(dest, 1_000_000_000n + BigInt(i));
  pending.push(new Promise((resolve, reject) => {
    row.submitted = performance.now();
    tx.signAndSend(sender, { nonce }, ({ status, dispatchError }) => {
      if (status.isInBlock && row.inBlock === undefined) {
        row.inBlock = performance.now();
        row.blockHash = status.asInBlock.toHex();
        if (dispatchError) row.error = dispatchError.toString();
      }
      if (status.isFinalized) {
        row.finalized = performance.now();
        // Under instant finality a watcher may report Finalized without InBlock.
        row.inBlock ??= row.finalized;
        resolve();
      }
      // A parachain re-org can make the pool drop or invalidate a transaction it had
      // seen in a block of the losing fork: counted as lost, not timed.
      if (status.isDropped || status.isInvalid || status.isUsurped) {
        row.lost = status.type;
        resolve();
      }
    }).catch(reject);
  }));
  nonce++;
  await sleep(INTERVAL_MS);
}
await Promise.race([Promise.all(pending), sleep(TIMEOUT_MS).then(() => { throw new Error('timed out'); })]);
polling = false;
await poller;
for (const r of rows) {
  if (!r.blockHash || r.lost) continue;
  r.number = (await api.rpc.chain.getHeader(r.blockHash)).number.toNumber();
  // The first sample at or after the block's import that shows it backed / included.
  r.backed = relayView.find(([t, b]) => t >= r.inBlock && b >= r.number)?.[0];
  r.included = relayView.find(([t, , i]) => t >= r.inBlock && i >= r.number)?.[0];
}
await api.disconnect();

const seconds = (ms) => ms / 1000;
const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
};
const lost = rows.filter((r) => r.lost);
for (const r of lost) console.log(`tx ${String(r.i).padStart(2)}  LOST: the pool reported ${r.lost}${r.inBlock ? ' after it was in a block' : ''}`);
const timed = rows.filter((r) => !r.lost);
rows.length = 0;
rows.push(...timed);
const inclusion = rows.map((r) => seconds(r.inBlock - r.submitted));
const finality = rows.map((r) => seconds(r.finalized - r.submitted));
const relayStage = (key) => rows.filter((r) => r[key] !== undefined).map((r) => seconds(r[key] - r.submitted));
const backed = relayStage('backed');
const included = relayStage('included');
const opt = (r, key) => (r[key] === undefined ? '' : `  ${key} ${seconds(r[key] - r.submitted).toFixed(2)} s`);
for (const r of rows) {
  console.log(`tx ${String(r.i).padStart(2)}  in block ${seconds(r.inBlock - r.submitted).toFixed(2)} s${opt(r, 'backed')}${opt(r, 'included')}  finalized ${seconds(r.finalized - r.submitted).toFixed(2)} s${r.error ? `  ERROR ${r.error}` : ''}`);
}
const failed = rows.filter((r) => r.error).length;
console.log(`inclusion: median ${quantile(inclusion, 0.5).toFixed(2)} s, p95 ${quantile(inclusion, 0.95).toFixed(2)} s, max ${Math.max(...inclusion).toFixed(2)} s`);
if (backed.length) {
  console.log(`backed:    median ${quantile(backed, 0.5).toFixed(2)} s, p95 ${quantile(backed, 0.95).toFixed(2)} s (${backed.length} seen, machina_txStatus every 250 ms)`);
}
if (included.length) {
  console.log(`included:  median ${quantile(included, 0.5).toFixed(2)} s, p95 ${quantile(included, 0.95).toFixed(2)} s (${included.length} seen)`);
}
console.log(`finality:  median ${quantile(finality, 0.5).toFixed(2)} s, p95 ${quantile(finality, 0.95).toFixed(2)} s, max ${Math.max(...finality).toFixed(2)} s`);
console.log(`${rows.length - failed} succeeded, ${failed} failed, ${lost.length} lost to re-orgs`);
process.exit(failed || lost.length > COUNT / 10 ? 1 : 0);
