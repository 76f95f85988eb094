/**
 * zod is for the functions that validate an execution input. Schemas are built when their
 * module loads, which a bundler cannot drop, so a stray import of a schema module from a
 * small function would add ~26 KB to its cold start without anyone noticing.
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../cdk/definition.js';

async function bundlesZod(handler: string): Promise<boolean> {
  const result = await build({
    entryPoints: [join(PROJECT_ROOT, 'functions', 'handlers', `${handler}.ts`)],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    external: ['@aws-sdk/*', '@smithy/*', 'acme-client', 'node-forge', '@peculiar/*', 'asn1js', 'pkijs'],
    logLevel: 'silent',
  });
  // metafile.inputs also lists modules read and then shaken out: count only what reached the output.
  const inputs = Object.values(result.metafile.outputs).flatMap((output) => Object.entries(output.inputs));
  return inputs.some(([path, { bytesInOutput }]) => path.includes('node_modules/zod/') && bytesInOutput > 0);
}

describe('which functions bundle zod', () => {
  it.each(['check-propagation', 'present-challenges', 'import-to-acm', 'clean-up', 'store-certificate', 'schedule-renewal'])(
    '%s does not',
    async (handler) => {
      expect(await bundlesZod(handler)).toBe(false);
    },
    30_000,
  );

  it('check-renewal does, as it validates the execution input', async () => {
    expect(await bundlesZod('check-renewal')).toBe(true);
  }, 30_000);
});
