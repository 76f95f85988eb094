/**
 * What scripts/lambda-bundle.mjs keeps off a cold start: code reached only by a dynamic import
 * goes into chunks that index.mjs does not import, so a Lambda reads them only when that import
 * runs. Judged on esbuild's own account of each output (its metafile), per function.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANDLERS_DIR } from '../../cdk/definition.js';
import { bundleLambda, splitOutputs } from '../../scripts/lambda-bundle.mjs';

const scratch = mkdtempSync(join(tmpdir(), 'certstep-chunks-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const HANDLERS = ['check-renewal', 'clean-up', 'sweep', 'sweep-ended-run', 'present-challenges', 'import-to-acm'] as const;
const metafiles = new Map<string, Metafile>();

beforeAll(async () => {
  for (const handler of HANDLERS) metafiles.set(handler, (await bundleLambda(join(HANDLERS_DIR, `${handler}.ts`), join(scratch, handler))).metafile);
}, 120_000);

/** Whether any module under node_modules/<name>/ reached the given outputs. */
function reaches(metafile: Metafile, outputs: string[], name: string): boolean {
  return outputs.some((output) =>
    Object.entries(metafile.outputs[output]?.inputs ?? {}).some(([input, { bytesInOutput }]) => input.includes(`node_modules/${name}/`) && bytesInOutput > 0),
  );
}

function split(handler: string): { metafile: Metafile; startup: string[]; lazy: string[] } {
  const metafile = metafiles.get(handler) as Metafile;
  return { metafile, ...splitOutputs(metafile) };
}

describe('the chunks a Lambda reads only on demand', () => {
  it.each(HANDLERS)('%s: the Tracer and the X-Ray SDK only when traceAwsCalls is on', (handler) => {
    const { metafile, startup, lazy } = split(handler);
    expect(reaches(metafile, startup, 'aws-xray-sdk-core')).toBe(false);
    expect(reaches(metafile, startup, '@aws-lambda-powertools/tracer')).toBe(false);
    expect(reaches(metafile, lazy, 'aws-xray-sdk-core')).toBe(true);
  });

  it.each(['check-renewal', 'clean-up', 'present-challenges'])('%s: STS only at the first AssumeRole of a cross-account zone', (handler) => {
    const { metafile, startup, lazy } = split(handler);
    expect(reaches(metafile, startup, '@aws-sdk/client-sts')).toBe(false);
    expect(reaches(metafile, lazy, '@aws-sdk/client-sts')).toBe(true);
  });

  it.each(['check-renewal', 'sweep'])('%s: ACM only for a certificate with ACM copies', (handler) => {
    const { metafile, startup, lazy } = split(handler);
    expect(reaches(metafile, startup, '@aws-sdk/client-acm')).toBe(false);
    expect(reaches(metafile, lazy, '@aws-sdk/client-acm')).toBe(true);
  });

  it('import-to-acm, which always imports, reads ACM at its cold start', () => {
    const { metafile, startup } = split('import-to-acm');
    expect(reaches(metafile, startup, '@aws-sdk/client-acm')).toBe(true);
  });

  it('sweep-ended-run: Route 53 and acme-dns only for a run that died holding its certificate', () => {
    const { metafile, startup, lazy } = split('sweep-ended-run');
    expect(reaches(metafile, startup, '@aws-sdk/client-route-53')).toBe(false);
    expect(reaches(metafile, lazy, '@aws-sdk/client-route-53')).toBe(true);
  });

  it.each(HANDLERS)("%s ships no bowser: the SDK's browser user-agent parser, a dynamic import no Node client makes", (handler) => {
    const { metafile, startup, lazy } = split(handler);
    expect(reaches(metafile, [...startup, ...lazy], 'bowser')).toBe(false);
  });

  it.each(['present-challenges', 'clean-up'])('%s reads Route 53 at its cold start, as it nearly always needs it', (handler) => {
    const { metafile, startup } = split(handler);
    expect(reaches(metafile, startup, '@aws-sdk/client-route-53')).toBe(true);
  });
});
