/**
 * zod is for the functions that validate an execution input. Schemas are built when their
 * module loads, which a bundler cannot drop, so a stray import of a schema module from a
 * small function would add ~26 KB to its cold start without anyone noticing.
 */
import { describe, expect, it } from 'vitest';
import { handlerBundles } from '../support/lambda-bundle.js';

function bundlesZod(handler: string): Promise<boolean> {
  return handlerBundles(handler, 'node_modules/zod/', ['@aws-sdk/*', '@smithy/*', 'acme-client', 'node-forge', '@peculiar/*', 'asn1js', 'pkijs']);
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
