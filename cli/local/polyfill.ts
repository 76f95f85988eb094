/**
 * Node 20 only. aws-local-stepfunctions 3 (engines: node >= 22) calls Promise.withResolvers,
 * which Node 20 lacks: every Task would fail after its handler ran. Each entry point that runs
 * the library imports this module first (cli/local/runner.ts, test/lifetime/simulator.ts,
 * bench/cost.ts). It installs a function only when
 * Promise.withResolvers is missing, so on Node 22, which Lambda runs and `npm test` tests on
 * too, it is a no-op that leaves the native one in place (test/node/polyfill.test.ts checks
 * both). The Lambda functions never import it.
 *
 * Remove this file and its imports when Node 20 support ends, that is when the AWS SDK v3
 * drops Node 20 (its releases after the first week of January 2027 require Node >= 22).
 */
const promise = Promise as unknown as { withResolvers?: () => unknown };
if (typeof promise.withResolvers !== 'function') {
  promise.withResolvers = function withResolvers<T>() {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const created = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise: created, resolve, reject };
  };
}
export {};
