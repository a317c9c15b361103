// Block rate of a running parachain, as a client sees it: follows new best and finalized
// heads for DURATION_S seconds (default 120) and prints the mean interval between best
// blocks (by arrival, and by the blocks' own `timestamp.now`), the blocks per relay slot
// (6 s), and the finalized lag. With MIN_BLOCKS_PER_MIN / MAX_BLOCKS_PER_MIN it exits 1
// when the rate is outside that range.
//
// Usage: node block-rate.mjs [ws://127.0.0.1:9944]    (DURATION_S=120)
import { ApiPromise, WsProvider } from '@polkadot/api';

const url = process.argv[2] ?? 'ws://127.0.0.1:9944';
const DURATION_S = Number(process.env.DURATION_S ?? 120);

const api = await ApiPromise.create({ provider: new WsProvider(url), noInitWarn: true });
const chain = (await api.rpc.system.chain()).toString();
const best = [];
const finalized = [];
const unsubBest = await api.rpc.chain.subscribeNewHeads((header) => {
  best.push({ number: header.number.toNumber(), hash: header.hash.toHex(), at: performance.now() });
});
const unsubFinal = await api.rpc.chain.subscribeFinalizedHeads((header) => {
  finalized.push({ number: header.number.toNumber(), at: performance.now() });
});
await new Promise((r) => setTimeout(r, DURATION_S * 1000));
unsubBest();
unsubFinal();

// Distinct heights only: a re-org may announce a height twice.
const seen = new Map();
for (const b of best) if (!seen.has(b.number)) seen.set(b.number, b);
const heads = [...seen.values()].sort((a, b) => a.number - b.number);
if (heads.length < 2) {
  console.error(`${chain}: fewer than 2 blocks in ${DURATION_S} s`);
  process.exit(1);
}
const first = heads[0];
const last = heads[heads.length - 1];
const blocks = last.number - first.number;
const arrival = (last.at - first.at) / 1000 / blocks;
// Timestamps of the canonical blocks at both heights (a head announced first may have
// lost a fork, and its state is gone).
const stamp = async (number) => {
  const hash = await api.rpc.chain.getBlockHash(number);
  return (await (await api.at(hash)).query.timestamp.now()).toNumber();
};
const byTimestamp = (await stamp(last.number) - await stamp(first.number)) / 1000 / blocks;
const lags = best.map((b) => {
  const f = [...finalized].reverse().find((x) => x.at <= b.at);
  return f ? b.number - f.number : undefined;
}).filter((x) => x !== undefined);
const meanLag = lags.reduce((a, b) => a + b, 0) / Math.max(1, lags.length);
const perMinute = (blocks / ((last.at - first.at) / 1000)) * 60;
console.log(`${chain}: ${blocks} blocks (#${first.number}..#${last.number}) in ${((last.at - first.at) / 1000).toFixed(1)} s`);
console.log(`block time: ${arrival.toFixed(2)} s by arrival, ${byTimestamp.toFixed(2)} s by timestamp; ${perMinute.toFixed(1)} blocks/min, ${(6 / arrival).toFixed(2)} per 6 s relay slot`);
console.log(`finalized: ${finalized.length ? `#${finalized[finalized.length - 1].number}` : 'none'}, mean lag behind best ${meanLag.toFixed(1)} blocks (${(meanLag * arrival).toFixed(1)} s)`);
await api.disconnect();
const min = Number(process.env.MIN_BLOCKS_PER_MIN ?? 0);
const max = Number(process.env.MAX_BLOCKS_PER_MIN ?? Infinity);
if (perMinute < min || perMinute > max || finalized.length < 2) {
  console.error(`FAIL: ${perMinute.toFixed(1)} blocks/min outside [${min}, ${max}] or finality not advancing`);
  process.exit(1);
}
