// Submission to inclusion and to finality, measured from a client: N signed transfers
// (default 50), one every INTERVAL_MS (default 1,300: not a divisor of a block time, so submissions fall at every phase of the slot), each followed through
// author_submitAndWatchExtrinsic until it is in a block and until that block is finalized.
// Prints each transaction and the median and p95 of both latencies, in seconds.
//
// Usage: node finality.mjs [ws://127.0.0.1:9944]    (COUNT=50 INTERVAL_MS=1300)
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

const url = process.argv[2] ?? 'ws://127.0.0.1:9944';
const COUNT = Number(process.env.COUNT ?? 50);
const INTERVAL_MS = Number(process.env.INTERVAL_MS ?? 1_300);
const TIMEOUT_MS = Number(process.env.FINALITY_TIMEOUT_MS ?? 600_000);

await cryptoWaitReady();
const api = await ApiPromise.create({ provider: new WsProvider(url), noInitWarn: true });
const keyring = new Keyring({ type: 'sr25519', ss58Format: api.registry.chainSS58 });
const sender = keyring.addFromUri(process.env.SENDER ?? '//Ferdie');
const dest = keyring.addFromUri('//Eve').address;
let nonce = (await api.rpc.system.accountNextIndex(sender.address)).toNumber();
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
        if (dispatchError) row.error = dispatchError.toString();
      }
      if (status.isFinalized) {
        row.finalized = performance.now();
        // Under instant finality a watcher may report Finalized without InBlock.
        row.inBlock ??= row.finalized;
        resolve();
      }
      if (status.isDropped || status.isInvalid || status.isUsurped) reject(new Error(`tx ${i}: ${status.type}`));
    }).catch(reject);
  }));
  nonce++;
  await sleep(INTERVAL_MS);
}
await Promise.race([Promise.all(pending), sleep(TIMEOUT_MS).then(() => { throw new Error('timed out'); })]);
await api.disconnect();

const seconds = (ms) => ms / 1000;
const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
};
const inclusion = rows.map((r) => seconds(r.inBlock - r.submitted));
const finality = rows.map((r) => seconds(r.finalized - r.submitted));
for (const r of rows) {
  console.log(`tx ${String(r.i).padStart(2)}  in block ${seconds(r.inBlock - r.submitted).toFixed(2)} s  finalized ${seconds(r.finalized - r.submitted).toFixed(2)} s${r.error ? `  ERROR ${r.error}` : ''}`);
}
const failed = rows.filter((r) => r.error).length;
console.log(`inclusion: median ${quantile(inclusion, 0.5).toFixed(2)} s, p95 ${quantile(inclusion, 0.95).toFixed(2)} s, max ${Math.max(...inclusion).toFixed(2)} s`);
console.log(`finality:  median ${quantile(finality, 0.5).toFixed(2)} s, p95 ${quantile(finality, 0.95).toFixed(2)} s, max ${Math.max(...finality).toFixed(2)} s`);
console.log(`${COUNT - failed} succeeded, ${failed} failed`);
process.exit(failed ? 1 : 0);
