// What the e2e clients share: one line per check, a timeout on any promise, signed
// submission, and a test device registered under the dev manufacturer.
import { Keyring } from '@polkadot/keyring';
import { blake2AsHex } from '@polkadot/util-crypto';
import { compactFromU8a, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';

export const results = [];

/** Record a check and print it as `ok   name: detail` or `FAIL name: detail`. */
export function check(name, ok, detail = '') {
  results.push(ok);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
}

/** A `withTimeout(promise, what)` that rejects after `ms` naming what it waited for. */
export function timeoutAfter(ms) {
  return (promise, what) => {
    let timer;
    return Promise.race([
      promise.finally(() => clearTimeout(timer)),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
      }),
    ]);
  };
}

/** Print `N passed, M failed` (with `suffix`) and return the exit code. */
export function summary(suffix = '') {
  const failed = results.filter((ok) => !ok).length;
  console.log(`${results.length - failed} passed, ${failed} failed${suffix}`);
  return failed ? 1 : 0;
}

/** `submit(tx, signer, options)`: sign, send, resolve at inclusion with the events; reject
 * with `section.Error` when the call fails. */
export function makeSubmit(api, withTimeout) {
  return (tx, signer, options = {}) => withTimeout(new Promise((resolve, reject) => {
    tx.signAndSend(signer, options, ({ status, events, dispatchError }) => {
      if (dispatchError) {
        const decoded = dispatchError.isModule ? api.registry.findMetaError(dispatchError.asModule) : null;
        reject(new Error(decoded ? `${decoded.section}.${decoded.name}` : dispatchError.toString()));
      }
      // Dev mode finalizes as it seals: a status may go straight to Finalized.
      if (status.isInBlock) resolve({ blockHash: status.asInBlock, events });
      else if (status.isFinalized) resolve({ blockHash: status.asFinalized, events });
    }).catch(reject);
  }), 'a transaction');
}

/** Register a test device of `owner` (who bonds the device bond first) under the dev
 * manufacturer, whose root is the Ed25519 key of //Alice, with a compact certificate and
 * the hardware key's signature; `operationalKey` is a `MachinaPrimitivesDeviceOperationalKey`. */
export async function registerTestDevice(api, submit, owner, operationalKey, tag) {
  const edKeyring = new Keyring({ type: 'ed25519' });
  const root = edKeyring.addFromUri('//Alice');
  const hardware = edKeyring.addFromUri(`//device-${tag}-${Date.now()}`);
  await submit(api.tx.microBonds.bond('Device', api.consts.deviceRegistry.deviceBond), owner);
  const unsigned = api.createType('PalletDeviceRegistryCompactCertificate', {
    manufacturer: 0, hardwareKey: { Ed25519: hardware.publicKey }, model: 'smoke-sensor',
    serial: u8aToHex(stringToU8a(`${tag}${Date.now()}`).slice(-8)), notBefore: 0, notAfter: '0xffffffffffffffff',
    signature: new Uint8Array(64),
  });
  const certBody = unsigned.toU8a().slice(0, -64);
  const certSignature = root.sign(u8aConcat(stringToU8a('machina:compact-certificate:1'), certBody));
  const cert = api.createType('PalletDeviceRegistryCompactCertificate', { ...unsigned.toJSON(), signature: certSignature });
  // The hardware signs the exact bytes the runtime API builds (no SCALE layout
  // re-implemented here), naming a recent block: the parent of the best block.
  const refBlock = (await api.rpc.chain.getHeader()).number.toNumber() - 1;
  const payload = await api.call.deviceRegistryApi.registrationPayload(0, owner.address, operationalKey, refBlock);
  const attestation = { Compact: { root: 0, certificate: cert } };
  const hwSignature = { Ed25519: hardware.sign(unprefixed(payload)) };
  const registerTx = () => api.tx.deviceRegistry.registerDevice(attestation, operationalKey, null, refBlock, hwSignature);
  const registered = await submit(registerTx(), owner);
  const id = blake2AsHex(hardware.publicKey, 256);
  const event = registered.events.find(({ event }) => api.events.deviceRegistry.DeviceRegistered.is(event));
  return { id, refBlock, registerTx, registered: event?.event.data.device.toHex() === id };
}

/** @polkadot/api 16.5 hands a `Vec<u8>` runtime-API result back with its SCALE length
 * prefix still on: strip it (and check it is one). */
export function unprefixed(bytes) {
  const raw = bytes.toU8a(true);
  const [prefix, length] = compactFromU8a(raw);
  return prefix + length.toNumber() === raw.length ? raw.subarray(prefix) : raw;
}
