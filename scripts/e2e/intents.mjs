// Intents on a live node, with the Rust reference solver (`machina-solver`) doing the
// matching: a token and a MACH/token swap market, two crossing swap intents; a device that
// offers a service and a buyer that purchases it. The solver follows the intents over RPC
// and submits one batch per market; the round closes on the relay clock and settles: the
// swap pays both sides at one price, the service becomes an escrowed order; the device,
// which has no balance at all, posts its own delivery receipt with its operational key and
// its owner's sponsor pot pays the fee; the buyer accepts, which pays the owner.
//
// Usage: MACHINA_SOLVER=<path> node intents.mjs [ws://127.0.0.1:9944]
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';
import { spawn } from 'node:child_process';
import { check, makeSubmit, registerTestDevice, summary, timeoutAfter, unprefixed } from './lib.mjs';

const url = process.argv[2] ?? 'ws://127.0.0.1:9944';
const solverBin = process.env.MACHINA_SOLVER;
const withTimeout = timeoutAfter(Number(process.env.INTENTS_TIMEOUT_MS ?? 180_000));
const CLASS = 7;
const TOKEN = 4242;

function runSolver(args) {
  return new Promise((resolve) => {
    const child = spawn(solverBin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; process.stdout.write(`     solver: ${d}`); });
    child.stderr.on('data', (d) => process.stdout.write(`     solver: ${d}`));
    child.on('close', (code) => resolve({ code, out }));
  });
}

/** Resolve with the first event `is` matches, from now on. */
function nextEvent(api, is) {
  return new Promise((resolve, reject) => {
    api.query.system.events((records) => {
      const found = records.find(({ event }) => is(event));
      if (found) resolve(found.event);
    }).catch(reject);
  });
}

async function main() {
  await cryptoWaitReady();
  const api = await withTimeout(ApiPromise.create({ provider: new WsProvider(url), noInitWarn: true }), 'connection');
  const submit = makeSubmit(api, withTimeout);
  const keyring = new Keyring({ type: 'sr25519' });
  const [alice, bob, charlie, dave, eve, ferdie] =
    ['//Alice', '//Bob', '//Charlie', '//Dave', '//Eve', '//Ferdie'].map((k) => keyring.addFromUri(k));
  const UNIT = 10n ** 12n;
  const relayNow = async () => (await api.call.intentsApi.roundInfo()).now.toNumber();

  // The solver: bonded and registered.
  await submit(api.tx.microBonds.bond('Solver', api.consts.intents.solverBond), ferdie);
  await submit(api.tx.intents.registerSolver(), ferdie);
  check('solver registered with its bond committed', (await api.query.intents.solvers(ferdie.address)).isSome);

  // A swap market: Dave creates a token and gives Eve some; Eve opens MACH/token (the
  // first market of an asset seeds its settlement account with the minimum balance).
  await submit(api.tx.assets.create(TOKEN, dave.address, 1_000), dave);
  await submit(api.tx.assets.mint(TOKEN, eve.address, 1_000_000_000n), dave);
  const created = await submit(api.tx.intents.createMarket('Native', { WithId: TOKEN }), eve);
  const market = created.events.find(({ event }) => api.events.intents.MarketCreated.is(event)).event.data.market.toNumber();
  const deadline = (await relayNow()) + 100;
  // Alice sells 10 MACH for at least 20,000,000 tokens; Eve gives 25,000,000 for at least 10 MACH.
  await submit(api.tx.intents.submitIntent(market, 'Sell', 10n * UNIT, 20_000_000n, false, deadline), alice);
  await submit(api.tx.intents.submitIntent(market, 'Buy', 25_000_000n, 10n * UNIT, false, deadline), eve);

  // A service market: Bob's device offers 10 units of class 7 at 1 mMACH or more; Charlie
  // buys 4 at 2 mMACH at most.
  const deviceKey = keyring.addFromUri('//Bob-device');
  const operationalKey = api.createType('MachinaPrimitivesDeviceOperationalKey', { Sr25519: deviceKey.publicKey });
  const device = await registerTestDevice(api, submit, bob, operationalKey, 'intents');
  check('a device registered to sell its service', device.registered, device.id);
  const milli = UNIT / 1000n;
  // Bob pays his device's receipt fees from his sponsor pot: 1 MACH in it, at most 0.1
  // MACH an hour for this device.
  await submit(api.tx.intents.fundSponsorPot(UNIT), bob);
  // The device's key consents to Bob (so nobody else can claim it): it signs the payload
  // the runtime API builds.
  const consentPayload = await api.call.intentsApi.sponsorConsentPayload(device.id, bob.address);
  const consent = { Sr25519: deviceKey.sign(unprefixed(consentPayload)) };
  await submit(api.tx.intents.sponsorDevice(device.id, UNIT / 10n, ['Receipts'], consent), bob);
  const sponsorship = await api.query.intents.sponsorships(deviceKey.address);
  check('Bob sponsors his device\'s receipts', sponsorship.isSome &&
    sponsorship.unwrap().sponsor.toString() === bob.address, JSON.stringify(sponsorship.toHuman()));
  await submit(api.tx.intents.offerService(device.id, CLASS, 'Native', 10, milli, deadline), bob);
  await submit(api.tx.intents.purchaseService(CLASS, 'Native', 4, 2n * milli, {}, false, deadline), charlie);
  const before = {
    alice: (await api.query.assets.account(TOKEN, alice.address)).unwrapOr(null)?.balance.toBigInt() ?? 0n,
    bob: (await api.query.system.account(bob.address)).data.free.toBigInt(),
  };

  // The solver's round: one batch per market, checked by the runtime before it submits.
  const settled = nextEvent(api, (e) => api.events.intents.OrderCreated.is(e));
  const swapped = nextEvent(api, (e) => api.events.intents.RoundSettled.is(e) && e.data.market.isSwap);
  const solver = await withTimeout(runSolver(['--rpc', url.replace(/^ws/, 'http'), '--key', '//Ferdie',
    '--markets', String(market + 1), '--classes', String(CLASS), '--rounds', '1', '--timeout', '120']), 'the solver');
  check('machina-solver submitted a batch per market', solver.code === 0 &&
    /market=\d+ price=/.test(solver.out) && /service class=7/.test(solver.out), solver.out.trim().split('\n').join(' | '));

  const swap = await withTimeout(swapped, 'the swap batch to settle');
  const aliceTokens = (await api.query.assets.account(TOKEN, alice.address)).unwrap().balance.toBigInt();
  check('the swap settled at one clearing price', aliceTokens - before.alice >= 20_000_000n,
    `score ${swap.data.score}, Alice received ${aliceTokens - before.alice} tokens`);

  const created2 = await withTimeout(settled, 'the service order');
  const order = created2.data.order.toNumber();
  const price = created2.data.price.toBigInt();
  check('the purchase became an escrowed order at the clearing price', created2.data.units.toNumber() === 4 &&
    price >= milli && price <= 2n * milli, `order ${order}, 4 units at ${price}`);

  // The device posts its own receipt, signing the transaction with its operational key.
  // It has no balance: its owner's pot pays the fee.
  const content = u8aToHex(new Uint8Array(32).fill(0xab));
  const deviceFree = (await api.query.system.account(deviceKey.address)).data.free.toBigInt();
  const posted = await submit(api.tx.intents.postReceipt(order, 4, content, null), deviceKey);
  const sponsored = posted.events.find(({ event }) => api.events.intents.FeeSponsored.is(event));
  const deviceAfter = (await api.query.system.account(deviceKey.address)).data.free.toBigInt();
  check('the device, with no balance, posted its receipt; its owner\'s pot paid the fee',
    deviceFree === 0n && deviceAfter === 0n && sponsored &&
    sponsored.event.data.sponsor.toString() === bob.address && sponsored.event.data.fee.toBigInt() > 0n,
    `fee ${sponsored?.event.data.fee} planck paid by ${sponsored?.event.data.sponsor}`);
  const paid = await submit(api.tx.intents.acceptDelivery(order), charlie);
  const paidEvent = paid.events.find(({ event }) => api.events.intents.OrderPaid.is(event));
  const bobAfter = (await api.query.system.account(bob.address)).data.free.toBigInt();
  check('the device delivered, the buyer accepted, the owner was paid', paidEvent &&
    paidEvent.event.data.paid.toBigInt() === 4n * price && bobAfter > before.bob,
    `paid ${paidEvent?.event.data.paid}, Bob +${bobAfter - before.bob} planck (after fees)`);

  await api.disconnect();
  process.exit(summary());
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
