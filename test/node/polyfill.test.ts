/**
 * cli/local/polyfill.ts exists for Node 20 only. Each check imports it into a fresh Node
 * process (this pass's binary), so nothing else in the test run can have installed or replaced
 * Promise.withResolvers first. `npm test` runs this file on the machine's Node and on Node 22.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAJOR = Number(process.versions.node.split('.')[0]);

interface Observed {
  readonly before: string;
  readonly beforeIsNative: boolean;
  readonly after: string;
  readonly afterIsNative: boolean;
  readonly same: boolean;
  readonly resolved: unknown;
  readonly rejected: unknown;
}

const PROBE = `
const isNative = (f) => typeof f === 'function' && /\\{\\s*\\[native code\\]\\s*\\}/.test(Function.prototype.toString.call(f));
const before = Promise.withResolvers;
await import('./cli/local/polyfill.js');
const after = Promise.withResolvers;
let resolved = null;
let rejected = null;
if (typeof after === 'function') {
  const ok = Promise.withResolvers();
  ok.resolve(42);
  resolved = await ok.promise;
  const bad = Promise.withResolvers();
  bad.reject(new Error('no'));
  rejected = await bad.promise.catch((error) => error.message);
}
process.stdout.write(JSON.stringify({
  before: typeof before, beforeIsNative: isNative(before),
  after: typeof after, afterIsNative: isNative(after),
  same: before === after, resolved, rejected,
}));
`;

function importPolyfillInFreshNode(): Observed {
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', PROBE], { cwd: ROOT, encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Observed;
}

describe(`cli/local/polyfill.ts on Node ${process.version}`, () => {
  it.runIf(MAJOR >= 22)('leaves the native Promise.withResolvers in place (a no-op on Node 22)', () => {
    const observed = importPolyfillInFreshNode();
    expect(observed).toEqual({ before: 'function', beforeIsNative: true, after: 'function', afterIsNative: true, same: true, resolved: 42, rejected: 'no' });
  });

  it.runIf(MAJOR < 22)('provides a working Promise.withResolvers where Node lacks one (Node 20)', () => {
    const observed = importPolyfillInFreshNode();
    expect(observed).toEqual({
      before: 'undefined',
      beforeIsNative: false,
      after: 'function',
      afterIsNative: false,
      same: false,
      resolved: 42,
      rejected: 'no',
    });
  });
});
