// What the e2e clients share: one line per check, and a timeout on any promise.

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
