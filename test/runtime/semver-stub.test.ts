/**
 * semver is aliased to functions/runtime/stubs/semver.cjs in the bundles (issue 18): the one
 * function aws-xray-sdk-core calls, gte, answers as semver's does for release versions and
 * refuses the rest; and a bundle of the X-Ray SDK built that way loads and still applies its
 * AWS SDK v2 version check through it.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../cdk/definition.js';
import { bundleEntry, runBundle } from '../support/lambda-bundle.js';

type Gte = (a: string, b: string) => boolean;
const require = createRequire(import.meta.url);
const STUB = join(PROJECT_ROOT, 'functions', 'runtime', 'stubs', 'semver.cjs');
const stub = require(STUB) as { gte: Gte };
const semver = require('semver') as { gte: Gte };

describe('the semver stub', () => {
  it.each([
    ['2.7.15', '2.7.15'],
    ['2.7.16', '2.7.15'],
    ['2.7.14', '2.7.15'],
    ['2.10.0', '2.7.15'],
    ['3.0.0', '2.7.15'],
    ['1.99.99', '2.7.15'],
    ['v22.11.0', '8.0.0'],
    ['8.0.0', '22.11.0'],
  ])('answers gte(%s, %s) as semver does', (a, b) => {
    expect(stub.gte(a, b)).toBe(semver.gte(a, b));
  });

  it.each(['2.7.15-beta.1', '2', 'latest'])('refuses %s rather than guess', (version) => {
    expect(() => stub.gte(version, '2.7.15')).toThrow(TypeError);
  });

  it('is what a bundle of the X-Ray SDK loads, and its v2 version check still holds', async () => {
    const { outfile, result } = await bundleEntry(
      [
        "import xray from 'aws-xray-sdk-core';",
        'const refused = (() => { try { xray.captureAWS({ VERSION: "2.7.14" }); return false; } catch (error) { return error.message; } })();',
        'const accepted = xray.captureAWS({ VERSION: "2.7.15" }).VERSION;',
        'console.log(JSON.stringify({ refused, accepted }));',
      ],
      { alias: { semver: STUB } },
    );

    const stdout = await runBundle(outfile);

    expect(Object.keys(result.metafile.inputs).filter((input) => input.includes('node_modules/semver/'))).toEqual([]);
    expect(JSON.parse(stdout)).toEqual({ refused: 'AWS SDK version 2.7.15 or greater required.', accepted: '2.7.15' });
  }, 60_000);
});
