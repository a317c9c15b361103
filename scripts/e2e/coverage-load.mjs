// Aggregated heartbeats under load on a running node, through @polkadot/api.
//
//   node coverage-load.mjs ws://127.0.0.1:9944 [devices=1000] [slots=4]
//
// Registers `devices` test devices under the dev manufacturer (compact certificates
// signed by the //Alice Ed25519 root), each with its own BLS12-381 key and proof of
// possession, enrolls them for uptime, bonds //Bob as aggregator, then every slot: each
// device signs the slot message with its BLS key, the aggregator adds the signatures and
// submits one `heartbeat_batch`. Reports device-heartbeats finalized per second and the
// fullness of the blocks that carried the batches.
import { ApiPromise, WsProvider, Keyring } from '@polkadot/api';
import { compactFromU8a, stringToU8a, u8aConcat, u8aToHex, hexToU8a } from '@polkadot/util';
import { blake2AsU8a, cryptoWaitReady } from '@polkadot/util-crypto';
import { bls12_381 as bls } from '@noble/curves/bls12-381';
import { readFileSync } from 'node:fs';

// The machina_* RPC definitions (as for Polkadot.js apps).
const rpc = JSON.parse(readFileSync(new URL('../../node/rpc/definitions.json', import.meta.url), 'utf8'));

const POP_DST = 'BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_';
const SIG_DST = 'BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_';
const [url = 'ws://127.0.0.1:9944', devicesArg = '1000', slotsArg = '4'] = process.argv.slice(2);
const DEVICES = Number(devicesArg);
const SLOTS = Number(slotsArg);
const PER_BATCH = 20;

// A `Vec<u8>` (or `Option<Vec<u8>>`) from a runtime API comes back from @polkadot/api 16
// with its SCALE wrapping still on (`[0x01] ++ compact length ++ bytes`): strip it.
function bytes(codec) {
  const raw = codec.toU8a(true);
  for (const skip of raw[0] === 1 ? [0, 1] : [0]) {
    const rest = raw.subarray(skip);
    const [prefix, length] = compactFromU8a(rest);
    if (prefix + length.toNumber() === rest.length) return rest.subarray(prefix);
  }
  return raw;
}

function hashToG2(message, DST) {
  return bls.G2.hashToCurve(message, { DST });
}

/// Submit `tx` signed by `pair` with `nonce`; resolve when in a finalized block.
function submit(api, tx, pair, nonce) {
  return new Promise((resolve, reject) => {
    tx.signAndSend(pair, { nonce }, ({ status, events, dispatchError }) => {
      if (dispatchError) {
        const e = dispatchError.isModule ? api.registry.findMetaError(dispatchError.asModule) : null;
        reject(new Error(e ? `${e.section}.${e.name}` : dispatchError.toString()));
      } else if (status.isFinalized) {
        resolve({ blockHash: status.asFinalized, events });
      }
    }).catch(reject);
  });
}

async function main() {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519' });
  const owner = keyring.addFromUri('//Alice');
  const aggregator = keyring.addFromUri('//Bob');
  const root = new Keyring({ type: 'ed25519' }).addFromUri('//Alice');
  const run = Date.now().toString(36);

  // Devices: hardware key (Ed25519), BLS key with its proof of possession.
  const t0 = Date.now();
  const edKeyring = new Keyring({ type: 'ed25519' });
  const devices = [];
  for (let i = 0; i < DEVICES; i++) {
    const hardware = edKeyring.addFromUri(`//load-${run}-${i}`);
    const id = blake2AsU8a(hardware.publicKey, 256);
    const secret = bls.utils.randomPrivateKey();
    const publicKey = bls.getPublicKey(secret); // compressed G1, 48 bytes
    const pop = hashToG2(u8aConcat(publicKey, id), POP_DST).multiply(bls.G1.normPrivateKeyToScalar(secret));
    devices.push({ hardware, id, secret, publicKey, proof: pop.toRawBytes(true) });
  }
  console.log(`${DEVICES} devices keyed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  // Simulating every device's signature would cost one G2 multiplication each per slot
  // (~40 ms in JS: longer than a 30 s slot for 1,000 devices on one core). The aggregate
  // of all their signatures of one message is the message's hash times the sum of their
  // secrets, the same bytes: what the chain checks is unchanged.
  const secretSum = devices.reduce((a, d) => (a + bls.G1.normPrivateKeyToScalar(d.secret)) % bls.params.r, 0n);

  // Connect after the key generation: the CPU-bound loop above would stall the
  // WebSocket's keep-alive.
  const api = await ApiPromise.create({ provider: new WsProvider(url), rpc, noInitWarn: true });
  const operationalKey = api.createType('MachinaPrimitivesDeviceOperationalKey', { Sr25519: owner.publicKey });

  let nonce = (await api.rpc.system.accountNextIndex(owner.address)).toNumber();
  const deviceBond = api.consts.deviceRegistry.deviceBond.toBigInt();
  await submit(api, api.tx.microBonds.bond('Device', deviceBond * BigInt(DEVICES)), owner, nonce++);
  const minAggregatorBond = api.consts.coverage.minAggregatorBond.toBigInt();
  await submit(api, api.tx.microBonds.bond('Aggregator', minAggregatorBond), aggregator,
    (await api.rpc.system.accountNextIndex(aggregator.address)).toNumber());

  // Register, set the BLS key and enroll, `PER_BATCH` devices per utility batch.
  const t1 = Date.now();
  const refBlock = (await api.rpc.chain.getHeader()).number.toNumber() - 1;
  const registration = bytes(await api.call.deviceRegistryApi.registrationPayload(0, owner.address, operationalKey, refBlock));
  const pending = [];
  for (let start = 0; start < DEVICES; start += PER_BATCH) {
    const calls = [];
    for (const d of devices.slice(start, start + PER_BATCH)) {
      const unsigned = api.createType('PalletDeviceRegistryCompactCertificate', {
        manufacturer: 0, hardwareKey: { Ed25519: d.hardware.publicKey }, model: 'load-sensor',
        serial: u8aToHex(d.id.slice(0, 8)), notBefore: 0, notAfter: '0xffffffffffffffff', signature: new Uint8Array(64),
      });
      const body = unsigned.toU8a().slice(0, -64);
      const certificate = api.createType('PalletDeviceRegistryCompactCertificate', {
        ...unsigned.toJSON(), signature: root.sign(u8aConcat(stringToU8a('machina:compact-certificate:1'), body)),
      });
      calls.push(api.tx.deviceRegistry.registerDevice({ Compact: { root: 0, certificate } }, operationalKey, null, refBlock,
        { Ed25519: d.hardware.sign(registration) }));
    }
    pending.push(calls);
  }
  // Registration first (the aggregation-key payload is built by the runtime for a
  // registered device), then keys and enrollment.
  await Promise.all(pending.map((calls) => submit(api, api.tx.utility.batchAll(calls), owner, nonce++)));
  const keyed = [];
  for (let start = 0; start < DEVICES; start += PER_BATCH) {
    const calls = [];
    for (const d of devices.slice(start, start + PER_BATCH)) {
      const payload = bytes(await api.call.deviceRegistryApi.aggregationKeyPayload(d.id, u8aToHex(d.publicKey)));
      calls.push(api.tx.deviceRegistry.setAggregationKey(d.id, { public: d.publicKey, proofOfPossession: d.proof },
        { Ed25519: d.hardware.sign(payload) }));
      calls.push(api.tx.coverage.enroll(d.id));
    }
    keyed.push(submit(api, api.tx.utility.batchAll(calls), owner, nonce++));
  }
  await Promise.all(keyed);
  const info0 = (await api.rpc.machina.epochInfo()).toJSON();
  console.log(`registered, keyed and enrolled ${DEVICES} devices in ${((Date.now() - t1) / 1000).toFixed(1)} s ` +
    `(${info0.shards} shard(s))`);

  // Shards and places: devices enroll in order, so device i is at shard i / size, place
  // i % size, unless an earlier run left places; ask the runtime.
  const members = new Map();
  for (let shard = 0; shard < info0.shards; shard++) {
    for (const m of await api.call.coverageApi.shardMembers(shard)) {
      members.set(m.device.toHex(), { shard, index: m.index.toNumber() });
    }
  }
  const mine = new Set(devices.map((d) => u8aToHex(d.id)));
  const shards = [...new Set(devices.map((d) => members.get(u8aToHex(d.id)).shard))].sort((a, b) => a - b);
  // Members of those shards that are not ours (an earlier run's) are absent.
  const absentOf = (shard) => [...members.entries()]
    .filter(([id, m]) => m.shard === shard && !mine.has(id)).map(([, m]) => m.index).sort((a, b) => a - b);

  // Every slot: devices sign, the aggregator adds and submits.
  let aggregatorNonce = (await api.rpc.system.accountNextIndex(aggregator.address)).toNumber();
  const maxBlock = api.consts.system.blockWeights.perClass.normal.maxTotal.unwrap();
  const results = [];
  let lastSlot = `${info0.epoch}/${info0.slot}`;
  while (results.length < SLOTS) {
    const info = (await api.rpc.machina.epochInfo()).toJSON();
    const key = `${info.epoch}/${info.slot}`;
    if (key === lastSlot) {
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    lastSlot = key;
    // @polkadot/api 16 hands the `Option<Vec<u8>>` back still SCALE-wrapped: the slot
    // message is what starts at its domain tag.
    const wrapped = (await api.call.coverageApi.heartbeatMessage(info.epoch, info.slot)).toU8a(true);
    const message = wrapped.subarray(u8aToHex(wrapped).indexOf(u8aToHex(stringToU8a('machina/heartbt1')).slice(2)) / 2 - 1);
    const tSign = Date.now();
    const aggregate = hashToG2(message, SIG_DST).multiply(secretSum).toRawBytes(true);
    const signMs = Date.now() - tSign;
    const batch = shards.map((shard) => ({ shard, absent: absentOf(shard) }));
    const tSubmit = Date.now();
    const { blockHash, events } = await submit(api,
      api.tx.coverage.heartbeatBatch(info.epoch, info.slot, batch, aggregate), aggregator, aggregatorNonce++);
    const finalizedMs = Date.now() - tSubmit;
    const counted = events.map(({ event }) => event).find((e) => api.events.coverage.BatchCounted.is(e))?.data.counted.toNumber() ?? 0;
    const at = await api.at(blockHash);
    const weight = (await at.query.system.blockWeight()).normal;
    const extrinsics = (await api.rpc.chain.getBlock(blockHash)).block.extrinsics;
    const batchXt = extrinsics.find((x) => x.method.section === 'coverage');
    // The weight the batch was charged (`ExtrinsicSuccess` carries it after any refund).
    const success = events.map(({ event }) => event).find((e) => api.events.system.ExtrinsicSuccess.is(e));
    const charged = success.data.dispatchInfo.weight;
    results.push({
      slot: key, counted, signMs, finalizedMs,
      batchRefTimeMs: charged.refTime.toNumber() / 1e9,
      batchProofKb: charged.proofSize.toNumber() / 1024,
      blockRefTimePct: (100 * weight.refTime.toNumber()) / maxBlock.refTime.toNumber(),
      blockProofPct: (100 * weight.proofSize.toNumber()) / maxBlock.proofSize.toNumber(),
      batchBytes: batchXt.encodedLength,
    });
    console.log(JSON.stringify(results[results.length - 1]));
  }
  const slotSeconds = info0.slotLength * 6;
  const counted = results.reduce((a, r) => a + r.counted, 0);
  const perSecond = counted / (results.length * slotSeconds);
  console.log(`RESULT devices=${DEVICES} slots=${results.length} counted=${counted} ` +
    `finalized_heartbeats_per_second=${perSecond.toFixed(1)} (one batch per ${slotSeconds} s slot) ` +
    `batch_weight=${results[0].batchRefTimeMs.toFixed(2)} ms/${results[0].batchProofKb.toFixed(1)} KiB ` +
    `max_block_fullness=${Math.max(...results.map((r) => r.blockRefTimePct)).toFixed(2)}% ref time, ` +
    `${Math.max(...results.map((r) => r.blockProofPct)).toFixed(2)}% proof ` +
    `submit_to_finalized_ms=${results.map((r) => r.finalizedMs).join(',')}`);
  await api.disconnect();
  process.exit(results.every((r) => r.counted === DEVICES) ? 0 : 1);
}

main().catch((e) => {
  console.error(`FAIL ${e.stack ?? e.message}`);
  process.exit(1);
});
