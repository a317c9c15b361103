// Smoke test of a running Machina node through @polkadot/api, as a wallet sees it:
// finality, the machina_ RPC namespace, and a signed transfer finalized with its fee.
//
// Usage: node smoke.mjs [ws://127.0.0.1:9944]
// Prints one line per check and a closing `N passed, M failed`; exits non-zero on failure.
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, mnemonicGenerate } from '@polkadot/util-crypto';
import { hexToU8a, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { readFileSync } from 'node:fs';
import { merkleizeMetadata } from '@polkadot-api/merkleize-metadata';
import { check, makeSubmit, registerTestDevice, results, timeoutAfter } from './lib.mjs';

// The machina_* RPC definitions users paste into Polkadot.js apps / pass to ApiPromise.
const rpc = JSON.parse(readFileSync(new URL('../../node/rpc/definitions.json', import.meta.url), 'utf8'));

const url = process.argv[2] ?? 'ws://127.0.0.1:9944';
const TIMEOUT_MS = Number(process.env.SMOKE_TIMEOUT_MS ?? 120_000);
const withTimeout = timeoutAfter(TIMEOUT_MS);

async function waitForFinalized(api, count) {
  const seen = [];
  return new Promise((resolve, reject) => {
    api.rpc.chain
      .subscribeFinalizedHeads(async (header) => {
        const hash = header.hash;
        const at = await api.at(hash);
        const now = (await at.query.timestamp.now()).toNumber();
        seen.push({ number: header.number.toNumber(), wallClock: Date.now(), now });
        if (seen.length >= count) resolve(seen);
      })
      .catch(reject);
  });
}

async function main() {
  await cryptoWaitReady();
  const t0 = Date.now();
  const provider = new WsProvider(url);
  const api = await withTimeout(ApiPromise.create({ provider, rpc, noInitWarn: true }), 'connection');
  const chain = (await api.rpc.system.chain()).toString();
  const version = api.runtimeVersion;
  check('connected', true, `${chain}, ${version.specName} v${version.specVersion}, metadata v${api.runtimeMetadata.version}`);
  check('runtime is machina', /^machina(-fast)?$/.test(version.specName.toString()));
  check('chain properties', api.registry.chainTokens[0] === 'MACH' && api.registry.chainDecimals[0] === 12,
    `${api.registry.chainTokens[0]} / ${api.registry.chainDecimals[0]} decimals`);

  // Three finalized blocks, and the block time between them as seen by the client.
  const finalized = await withTimeout(waitForFinalized(api, 4), '4 finalized heads');
  const numbers = finalized.map((f) => f.number);
  const increasing = numbers.every((n, i) => i === 0 || n > numbers[i - 1]);
  check('3 more blocks finalized', increasing && numbers[3] - numbers[0] >= 3, `#${numbers.join(', #')}`);
  const wall = (finalized[3].wallClock - finalized[0].wallClock) / (numbers[3] - numbers[0]);
  console.log(`     measured block time: ${wall.toFixed(0)} ms per block (wall clock at the client)`);

  // The node's own RPC namespace.
  const info = await api.rpc.rpc.methods();
  const methods = info.methods.map((m) => m.toString());
  check('machina_nodeInfo listed in rpc_methods', methods.includes('machina_nodeInfo'));
  const nodeInfo = (await api.rpc.machina.nodeInfo()).toJSON();
  check('machina_nodeInfo answers', /^machina(-fast)?$/.test(nodeInfo.specName) && nodeInfo.paraId === 2000 &&
    nodeInfo.specVersion === version.specVersion.toNumber() && nodeInfo.bestNumber >= numbers[0],
    JSON.stringify(nodeInfo));

  // A signed transfer to a fresh account, followed to finality. The sender is no
  // collator (on a network, a collator's balance also moves by the fees it collects).
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const alice = keyring.addFromUri('//Alice');
  const sender = keyring.addFromUri('//Dave');
  const dest = keyring.addFromUri(mnemonicGenerate());
  const amount = 5n * 10n ** 12n;
  const outcome = await withTimeout(new Promise((resolve, reject) => {
    api.tx.balances.transferKeepAlive(dest.address, amount)
      .signAndSend(sender, ({ status, events, dispatchError }) => {
        if (dispatchError) reject(new Error(dispatchError.toString()));
        if (status.isFinalized) resolve({ blockHash: status.asFinalized, events });
      })
      .catch(reject);
  }), 'the transfer to be finalized');
  const success = outcome.events.some(({ event }) => api.events.system.ExtrinsicSuccess.is(event));
  const feeEvent = outcome.events.find(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event));
  const fee = feeEvent ? feeEvent.event.data[1].toBigInt() : 0n;
  check('transfer finalized with ExtrinsicSuccess', success, `in ${outcome.blockHash.toHex().slice(0, 18)}…`);
  const destFree = (await api.query.system.account(dest.address)).data.free.toBigInt();
  check('recipient received the amount', destFree === amount, `${destFree}`);
  // The sender's balance before and after the block that included the transfer.
  const header = await api.rpc.chain.getHeader(outcome.blockHash);
  const freeAt = async (hash) => (await (await api.at(hash)).query.system.account(sender.address)).data.free.toBigInt();
  const before = await freeAt(header.parentHash);
  const after = await freeAt(outcome.blockHash);
  check('sender paid amount + fee', fee > 0n && before - after === amount + fee, `fee ${fee}`);

  // Micro-bonds from a client: bond, read the bond back through the runtime API,
  // unbond, and withdraw once the unbonding period has passed.
  const bob = keyring.addFromUri('//Bob');
  const bondAmount = 100n * 10n ** 12n;
  const submit = makeSubmit(api, withTimeout);

  // CheckMetadataHash (RFC 78), as the Ledger generic app and PAPI sign: mode 1 over the
  // hash a wallet computes from the V15 metadata and the chain's token properties.
  const v15 = await provider.send('state_call', ['Metadata_metadata_at_version', '0x0f000000']);
  const metadataHash = u8aToHex(merkleizeMetadata(v15, {
    decimals: api.registry.chainDecimals[0], tokenSymbol: api.registry.chainTokens[0],
    specName: version.specName.toString(), specVersion: version.specVersion.toNumber(), base58Prefix: api.registry.chainSS58,
  }).digest());
  const hashDest = keyring.addFromUri(mnemonicGenerate());
  const hashTx = api.tx.balances.transferKeepAlive(hashDest.address, amount);
  const withHash = await submit(hashTx, alice, { mode: 1, metadataHash }).catch((e) => ({ error: e.message }));
  const hashBlock = withHash.blockHash && (await api.rpc.chain.getBlock(withHash.blockHash)).block;
  const onChain = hashBlock?.extrinsics.find((x) => x.hash.eq(hashTx.hash));
  check('a transfer signed with CheckMetadataHash (mode 1) is accepted', !withHash.error &&
    onChain?.mode?.toNumber() === 1 && withHash.events.some(({ event }) => api.events.system.ExtrinsicSuccess.is(event)) &&
    (await api.query.system.account(hashDest.address)).data.free.toBigInt() === amount,
    withHash.error ?? `metadata hash ${metadataHash}`);
  const wrongHash = await submit(api.tx.balances.transferKeepAlive(hashDest.address, amount), alice,
    { mode: 1, metadataHash: `0x${'00'.repeat(32)}` }).then(() => 'accepted', (e) => e.message);
  check('a transaction signed over another metadata hash is rejected', /bad signature/.test(wrongHash), wrongHash);

  await submit(api.tx.microBonds.bond('Device', bondAmount), bob);
  const viaApi = await api.call.microBondsApi.bond(bob.address, 'Device');
  check('bond visible through MicroBondsApi', viaApi.isSome && viaApi.unwrap()[0].toBigInt() === bondAmount,
    viaApi.toString());
  const unbonded = await submit(api.tx.microBonds.unbond('Device', bondAmount), bob);
  // Micro-bonds counts time in relay-chain blocks: the relay parent a block was built on.
  const relayParentAt = async (hash) =>
    (await (await api.at(hash)).query.parachainSystem.validationData()).unwrap().relayParentNumber.toNumber();
  const unbondRelay = await relayParentAt(unbonded.blockHash);
  const chunks = await api.call.microBondsApi.unbondingChunks(bob.address, 'Device');
  const period = api.consts.microBonds.unbondingPeriod.toNumber();
  const unlockAt = chunks[0].unlockAt.toNumber();
  check('unbonding chunk unlocks UnbondingPeriod relay blocks later', unlockAt === unbondRelay + period,
    `unbonded at relay #${unbondRelay}, unlocks at relay #${unlockAt} (${period} relay blocks)`);
  const tUnbond = Date.now();
  await withTimeout(new Promise((resolve) => {
    const unsub = api.rpc.chain.subscribeNewHeads(async (h) => {
      // Dev relay blocks follow the wall clock (one per 6 s), as on a relay chain.
      if ((await relayParentAt(h.hash)) >= unlockAt) { unsub.then((u) => u()); resolve(); }
    });
  }), 'the unlock block');
  const freeBefore = (await api.query.system.account(bob.address)).data.free.toBigInt();
  const withdrawn = await submit(api.tx.microBonds.withdrawUnbonded('Device'), bob);
  const ok = withdrawn.events.some(({ event }) => api.events.microBonds.Withdrawn.is(event));
  const freeAfter = (await api.query.system.account(bob.address)).data.free.toBigInt();
  const unbondSeconds = (Date.now() - tUnbond) / 1000;
  check('withdrawn at the unlock block', ok && freeAfter > freeBefore, `unbond to withdrawal: ${unbondSeconds.toFixed(1)} s wall clock`);
  // The unbonding period is time, not blocks: in dev too it takes (about) its 6 s per
  // relay block, however fast blocks come.
  check('unbonding took its real time', unbondSeconds >= (period - 1) * 6 && unbondSeconds <= (period + 2) * 6,
    `${period} relay blocks = ${period * 6} s; took ${unbondSeconds.toFixed(1)} s`);

  // Device registry from a client: a test device under the dev manufacturer (whose
  // root is the Ed25519 key of //Alice), certified by a compact certificate, registers
  // with the hardware key's signature; the machina_ RPC methods then report it.
  const manufacturer = (await api.rpc.machina.manufacturer(0)).toJSON();
  check('machina_manufacturer reports the dev manufacturer', manufacturer?.name === 'Machina Dev Devices' &&
    manufacturer.status === 'active' && manufacturer.roots[0].key.algorithm === 'ed25519', JSON.stringify(manufacturer));
  const charlie = keyring.addFromUri('//Charlie');
  const operationalKey = api.createType('MachinaPrimitivesDeviceOperationalKey', { Sr25519: charlie.publicKey });
  const registerDevice = (tag) => registerTestDevice(api, submit, charlie, operationalKey, tag);
  const first = await registerDevice('a');
  check('device registered with a compact certificate', first.registered, first.id);
  const deviceId = first.id;
  const device = (await api.rpc.machina.device(deviceId)).toJSON();
  check('machina_device reports it active, owned by the signer (SS58, prefix 42)', device?.status === 'active' &&
    device.owner === charlie.address && device.bond === api.consts.deviceRegistry.deviceBond.toString() &&
    device.lastReference === first.refBlock && device.certificates.length === 1 && device.revoked === false &&
    device.hardwareKey.algorithm === 'ed25519', JSON.stringify(device));
  const absent = await api.rpc.machina.device(`0x${'11'.repeat(32)}`);
  check('machina_device of an unknown id is null', absent.isNone, absent.toString());
  const replay = await submit(first.registerTx(), charlie).then(() => 'accepted', (e) => e.message);
  check('a replayed registration is rejected with its error', replay === 'deviceRegistry.AlreadyRegistered', replay);

  // Pages: Charlie owns two devices now; one per page, chained by `next`.
  const second = await registerDevice('b');
  const all = (await api.rpc.machina.devicesOf(charlie.address)).toJSON();
  const mine = [first.id, second.id];
  check('machina_devicesOf lists both on one page, with no next page', second.registered && all.next === null &&
    mine.every((id) => all.devices.some((d) => d.id === id)), `${all.devices.length} device(s), next ${all.next}`);
  const ids = [];
  let cursor = null;
  for (let pages = 0; pages < all.devices.length + 1; pages++) {
    const page = (await api.rpc.machina.devicesOf(charlie.address, cursor, 1)).toJSON();
    ids.push(...page.devices.map((d) => d.id));
    cursor = page.next;
    if (cursor === null) break;
  }
  check('pages of one device chain through next and end with null', cursor === null &&
    JSON.stringify(ids) === JSON.stringify(all.devices.map((d) => d.id)), `${ids.length} page(s)`);

  // Coverage from a client: the device enrolls, then heartbeats directly with its
  // operational key (Charlie's sr25519) as a bare, feeless extrinsic over the slot
  // message the runtime API gives and its id; the pool refuses a replay with code 6.
  await submit(api.tx.coverage.enroll(deviceId), charlie);
  const seen = [];
  const sendBare = (tx) => new Promise((resolve, reject) => {
    tx.send(({ status, events, dispatchError }) => {
      seen.push(status.type);
      if (dispatchError) reject(new Error(dispatchError.toString()));
      // With instant finality the pool may report `Finalized` without `InBlock` first.
      if (status.isInBlock || status.isFinalized) resolve({ events });
    }).catch(reject);
  });
  const charlieBefore = (await api.query.system.account(charlie.address)).data.free.toBigInt();
  let heartbeat;
  let beat;
  for (let attempt = 0; attempt < 2 && !heartbeat; attempt++) {
    const clock = (await api.rpc.machina.epochInfo()).toJSON();
    const raw = (await api.call.coverageApi.heartbeatMessage(clock.epoch, clock.slot)).unwrap().toU8a(true);
    // A direct heartbeat signs the slot message followed by the device id.
    // @polkadot/api 16 hands the `Option<Vec<u8>>` back still SCALE-wrapped: the slot
    // message is what starts at its domain tag.
    const slotMessage = raw.subarray(u8aToHex(raw).indexOf(u8aToHex(stringToU8a('machina/heartbt1')).slice(2)) / 2 - 1);
    const message = u8aConcat(slotMessage, hexToU8a(deviceId));
    beat = { clock, message, tx: api.tx.coverage.heartbeat(deviceId, clock.epoch, clock.slot, { Sr25519: charlie.sign(message) }) };
    // A slot may end between reading the clock and inclusion: then try the next one.
    heartbeat = await withTimeout(sendBare(beat.tx), 'the heartbeat').catch((e) => {
      console.log(`note: heartbeat attempt ${attempt + 1} (epoch ${clock.epoch} slot ${clock.slot}) failed: ${e.message}; statuses ${seen.join(',')}`);
      return null;
    });
  }
  const counted = heartbeat?.events.some(({ event }) => api.events.coverage.Heartbeat.is(event));
  const uptime = (await api.rpc.machina.uptime(deviceId, beat.clock.epoch)).toJSON();
  check('a device heartbeat (bare, signed by its operational key) is counted', counted && uptime?.slots === 1,
    `epoch ${beat.clock.epoch} slot ${beat.clock.slot}: ${JSON.stringify(uptime)}`);
  const charlieAfter = (await api.query.system.account(charlie.address)).data.free.toBigInt();
  check('the heartbeat cost its owner nothing', charlieAfter === charlieBefore, `${charlieBefore - charlieAfter} planck`);
  // Signed afresh (sr25519 signatures differ each time), so the pool validates it rather
  // than recognising bytes it has already seen.
  const again = await api.tx.coverage.heartbeat(deviceId, beat.clock.epoch, beat.clock.slot,
    { Sr25519: charlie.sign(beat.message) }).send().then(() => 'accepted', (e) => e.message);
  check('a second heartbeat for the slot is refused by the pool (custom error 6: already counted)',
    /Custom error: 6/.test(again), again);

  // The same device from a Rust client: `machina-node heartbeat` builds the bare extrinsic
  // with the runtime's own types and submits it over HTTP JSON-RPC (the slot above is
  // counted, so it waits for the next one).
  if (process.env.MACHINA_NODE) {
    const { execFile } = await import('node:child_process');
    const rust = await new Promise((resolve) => execFile(process.env.MACHINA_NODE,
      ['heartbeat', '--rpc', url, '--device', deviceId, '--key', '//Charlie', '--timeout', '90'],
      (error, stdout, stderr) => resolve({ error, out: `${stdout}${stderr}`.trim() })));
    const line = rust.out.split('\n').find((l) => l.startsWith('counted ')) ?? rust.out;
    const fields = Object.fromEntries(line.split(' ').slice(1).map((kv) => kv.split('=')));
    const after = (await api.rpc.machina.uptime(deviceId, Number(fields.epoch ?? -1))).toJSON();
    const later = `${fields.epoch}/${fields.slot}` !== `${beat.clock.epoch}/${beat.clock.slot}`;
    check('a heartbeat from the Rust client (machina-node heartbeat) is counted in a later slot',
      !rust.error && later && after?.slots === Number(fields.slots_in_epoch), line);
  } else {
    console.log('SKIP the Rust heartbeat client: MACHINA_NODE is not set');
  }

  // Errors a client can tell apart: an unknown block is code 2, not a runtime failure.
  const unknown = await provider.send('machina_device', [deviceId, `0x${'ab'.repeat(32)}`]).then(
    () => 'answered', (e) => e.message);
  check('machina_device at an unknown block fails with code 2 (unknown block)', /^2: Unknown block/.test(unknown), unknown);

  await api.disconnect();
  const passed = results.filter(Boolean).length;
  const failed = results.length - passed;
  console.log(`smoke took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((e) => {
  console.log(`FAIL ${e.message}`);
  console.log(`${results.filter(Boolean).length} passed, ${results.filter((r) => !r).length + 1} failed`);
  process.exit(1);
});
