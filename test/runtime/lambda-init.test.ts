/**
 * Every Lambda, bundled as synth bundles it (scripts/lambda-bundle.mjs, stubs and plugins
 * included), gets through its init in a fresh Node process with the environment a deployed
 * function has: the handler module loads and exports `handler`. A stub that a dependency needs
 * at load (not only when called) fails here for every function, not only for those the
 * as-deployed test runs.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DUMMY_ENV } from '../../bench/coldstart.js';
import { HANDLERS_DIR } from '../../cdk/definition.js';
import { bundleLambda } from '../../scripts/lambda-bundle.mjs';
import { runBundle } from '../support/lambda-bundle.js';

const scratch = mkdtempSync(join(tmpdir(), 'certstep-init-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const HANDLERS = readdirSync(HANDLERS_DIR)
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.slice(0, -'.ts'.length));

describe('a Lambda bundle at init', () => {
  it('covers every handler', () => {
    expect(HANDLERS.length).toBeGreaterThanOrEqual(14);
  });

  it.each(HANDLERS)(
    '%s loads and exports its handler',
    async (handler) => {
      const out = join(scratch, handler);
      await bundleLambda(join(HANDLERS_DIR, `${handler}.ts`), out);
      const probe = join(scratch, `${handler}.probe.mjs`);
      writeFileSync(
        probe,
        `const module = await import(${JSON.stringify(pathToFileURL(join(out, 'index.mjs')).href)});\nconsole.log(typeof module.handler);\n`,
      );

      expect((await runBundle(probe, { env: { PATH: process.env.PATH ?? '', ...DUMMY_ENV, NODE_OPTIONS: '--enable-source-maps' } })).trim()).toBe('function');
    },
    60_000,
  );
});
