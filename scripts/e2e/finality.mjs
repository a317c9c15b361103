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
const destBefore = (await api.query.system.account(dest)).data.free.toBigInt();
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
  // The transaction's mortality starts at the finalized head, not at the best block
  // (@polkadot/api's default when finality lags more than 16 blocks): a birth block on a
  // parachain fork that loses makes the transaction invalid (AncientBirthBlock), and with
  // it every later nonce of the sender. Wallets on a chain with 2 s blocks should do this.
  const finalizedHash = await api.rpc.chain.getFinalizedHead();
  const finalizedNumber = (await api.rpc.chain.getHeader(finalizedHash)).number.toNumber();
  const era = api.createType('ExtrinsicEra', { current: finalizedNumber, period: 256 });
  await tx.signAsync(sender, { nonce, era, blockHash: finalizedHash });
  // The raw status stream (author_submitAndWatchExtrinsic): @polkadot/api's signAndSend
  // also fetches each InBlock block's events, which fails, outside any promise, for a
  // block of a losing parachain fork whose state is gone. Failures are counted from
  // the recipient's balance instead (below).
  pending.push(new Promise((resolve, reject) => {
    row.submitted = performance.now();
    api.rpc.author.submitAndWatchExtrinsic(tx, (status) => {
      if (status.isInBlock && row.inBlock === undefined) {
        row.inBlock = performance.now();
        row.blockHash = status.asInBlock.toHex();
      }
      if (status.isFinalized) {
        row.finalized = performance.now();
        row.blockHash = status.asFinalized.toHex();
        // Under instant finality a watcher may report Finalized without InBlock.
        row.inBlock ??= row.finalized;
        resolve();
      }
      // A parachain re-org can make the pool drop or invalidate a transaction it had
      // seen in a block of the losing fork: counted as lost, not timed.
      if (status.isDropped || status.isInvalid || status.isUsurped) {
        row.lost = `the pool reported ${status.type}`;
        resolve();
      }
    }).catch(reject);
  }));
  nonce++;
  await sleep(INTERVAL_MS);
}
// A transaction whose watcher never reports `Finalized` (seen once on three cores, after
// a parachain re-org) is reported, not waited for forever.
await Promise.race([Promise.all(pending), sleep(TIMEOUT_MS)]);
for (const r of rows) if (r.finalized === undefined && !r.lost) r.lost = `no Finalized status within ${TIMEOUT_MS / 1000} s`;
polling = false;
await poller;
for (const r of rows) {
  if (!r.blockHash || r.lost) continue;
  r.number = (await api.rpc.chain.getHeader(r.blockHash)).number.toNumber();
  // The first sample at or after the block's import that shows it backed / included.
  r.backed = relayView.find(([t, b]) => t >= r.inBlock && b >= r.number)?.[0];
  r.included = relayView.find(([t, , i]) => t >= r.inBlock && i >= r.number)?.[0];
}
// Every finalized transfer succeeded iff the recipient got all of them (nothing else
// pays it during the run).
const expected = rows.filter((r) => r.finalized !== undefined && !r.lost).reduce((sum, r) => sum + 1_000_000_000n + BigInt(r.i), 0n);
const received = (await api.query.system.account(dest)).data.free.toBigInt() - destBefore;
await api.disconnect();

const seconds = (ms) => ms / 1000;
const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
};
const lost = rows.filter((r) => r.lost);
for (const r of lost) console.log(`tx ${String(r.i).padStart(2)}  LOST: ${r.lost}${r.inBlock ? ' after it was in a block' : ''}`);
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
  console.log(`tx ${String(r.i).padStart(2)}  in block ${seconds(r.inBlock - r.submitted).toFixed(2)} s${opt(r, 'backed')}${opt(r, 'included')}  finalized ${seconds(r.finalized - r.submitted).toFixed(2)} s`);
}
if (received < expected) console.log(`ERROR: the recipient received ${received}, the finalized transfers sent ${expected}`);
const failed = received < expected ? 1 : 0;
if (!rows.length) {
  console.log('no transaction was finalized');
  process.exit(1);
}
console.log(`inclusion: median ${quantile(inclusion, 0.5).toFixed(2)} s, p95 ${quantile(inclusion, 0.95).toFixed(2)} s, max ${Math.max(...inclusion).toFixed(2)} s`);
if (backed.length) {
  console.log(`backed:    median ${quantile(backed, 0.5).toFixed(2)} s, p95 ${quantile(backed, 0.95).toFixed(2)} s (${backed.length} seen, machina_txStatus every 250 ms)`);
}
if (included.length) {
  console.log(`included:  median ${quantile(included, 0.5).toFixed(2)} s, p95 ${quantile(included, 0.95).toFixed(2)} s (${included.length} seen)`);
}
console.log(`finality:  median ${quantile(finality, 0.5).toFixed(2)} s, p95 ${quantile(finality, 0.95).toFixed(2)} s, max ${Math.max(...finality).toFixed(2)} s`);
console.log(`${rows.length} finalized (${failed ? "NOT all succeeded" : "all succeeded"}), ${lost.length} lost to re-orgs`);
process.exit(failed || lost.length > COUNT / 10 ? 1 : 0);
