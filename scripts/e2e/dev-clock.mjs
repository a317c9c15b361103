// Dev mode keeps time: follows new blocks of a `machina-node --dev` and compares each
// block's timestamp with the wall clock when the client receives it, and the mocked
// relay block number with that timestamp in 6 s relay slots.
//
// Usage: node dev-clock.mjs ws://127.0.0.1:9944 <dev block time ms> <blocks>
// Exits non-zero when chain time drifts: a block from the future, a block older than one
// block time (plus SLACK_MS of client latency) on arrival, a chain-time span that is not
// the wall-clock span, or a relay block number that is not the chain time's.
import { ApiPromise, WsProvider } from '@polkadot/api';

const [url = 'ws://127.0.0.1:9944', blockTimeArg = '2000', blocksArg = '30'] = process.argv.slice(2);
const blockTime = Number(blockTimeArg);
const wanted = Number(blocksArg);
// Import, notification and the websocket hop, on a busy 2-core machine.
const SLACK_MS = Number(process.env.SLACK_MS ?? 500);
const RELAY_SLOT_MS = 6000;

const api = await ApiPromise.create({ provider: new WsProvider(url), noInitWarn: true });
const seen = [];
await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('timed out')), (wanted * blockTime + 60_000) * 2);
  api.rpc.chain.subscribeNewHeads(async (header) => {
    const received = Date.now();
    const at = await api.at(header.hash);
    const [now, validation] = await Promise.all([at.query.timestamp.now(), at.query.parachainSystem.validationData()]);
    seen.push({ number: header.number.toNumber(), received, now: now.toNumber(),
      relay: validation.unwrap().relayParentNumber.toNumber() });
    if (seen.length >= wanted) { clearTimeout(timer); resolve(); }
  }).catch(reject);
});
await api.disconnect();

const lags = seen.map((b) => b.received - b.now).sort((a, b) => a - b);
const median = lags[Math.floor(lags.length / 2)];
const first = seen[0];
const last = seen[seen.length - 1];
const chainSpan = last.now - first.now;
const wallSpan = last.received - first.received;
const failures = [];
if (lags[0] < -50) failures.push(`a block from the future: timestamp ${-lags[0]} ms ahead of the wall clock`);
if (lags[lags.length - 1] > blockTime + SLACK_MS) failures.push(`a block ${lags[lags.length - 1]} ms old on arrival`);
if (Math.abs(chainSpan - wallSpan) > blockTime + SLACK_MS) failures.push(`chain time advanced ${chainSpan} ms in ${wallSpan} ms`);
const badRelay = seen.filter((b) => b.relay !== Math.floor(b.now / RELAY_SLOT_MS));
if (badRelay.length) failures.push(`${badRelay.length} block(s) whose relay number is not timestamp / 6 s`);

console.log(`dev clock at --dev-block-time ${blockTime}: ${seen.length} blocks (#${first.number}..#${last.number}); ` +
  `age on arrival median ${median} ms, min ${lags[0]} ms, max ${lags[lags.length - 1]} ms; ` +
  `chain time ${(chainSpan / 1000).toFixed(1)} s over ${(wallSpan / 1000).toFixed(1)} s of wall clock; ` +
  `relay #${first.relay}..#${last.relay}`);
for (const f of failures) console.log(`FAIL ${f}`);
console.log(failures.length ? 'dev clock: FAIL' : 'dev clock: ok');
process.exit(failures.length ? 1 : 0);
