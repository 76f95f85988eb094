/**
 * cdk/functions.ts takes a Lambda's code from its TypeScript source when that exists, else from
 * the bundle `npm run build` made (an installed package ships no sources). A stale dist/ in a
 * checkout must never win over the sources the tests ran.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { afterAll, describe, expect, it } from 'vitest';
import { HANDLERS_DIR } from '../../cdk/definition.js';
import { CertstepFunctions } from '../../cdk/functions.js';
import { type Resource, lambdaCodeDirectory } from './support.js';

const scratch = mkdtempSync(join(tmpdir(), 'certstep-lambda-code-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A prebuilt tree holding `sweep-ended-run/index.mjs`, as `npm run build` lays it out. */
function prebuiltTree(): string {
  const root = mkdtempSync(join(scratch, 'dist-lambda-'));
  mkdirSync(join(root, 'sweep-ended-run'));
  writeFileSync(join(root, 'sweep-ended-run', 'index.mjs'), 'export const handler = async () => "prebuilt";\n');
  return root;
}

function synth(entry: string, prebuiltDir: string) {
  const app = new App({ outdir: mkdtempSync(join(scratch, 'out-')) });
  const stack = new Stack(app, 'Test');
  const functions = new CertstepFunctions(stack, 'Functions', {
    functions: [{ name: 'SweepEndedRun', substitution: '', entry }],
    environment: () => ({}),
    logRetention: logs.RetentionDays.ONE_WEEK,
    prebuiltDir,
  });
  const fn = functions.byName.get('SweepEndedRun')?.function;
  const template = Template.fromStack(stack);
  const [lambda] = Object.values(template.findResources('AWS::Lambda::Function')) as Resource[];
  const asset = lambda ? lambdaCodeDirectory(app.outdir, lambda) : '';
  return { fn, template, index: () => readFileSync(join(asset, 'index.mjs'), 'utf8') };
}

describe('where a Lambda’s code comes from', () => {
  it('bundles the TypeScript source when it exists, even with a prebuilt bundle beside it', () => {
    const { index, template } = synth(join(HANDLERS_DIR, 'sweep-ended-run.ts'), prebuiltTree());
    expect(index()).not.toContain('"prebuilt"');
    // The handler's own code, bundled: the name of the function it reports as.
    expect(index()).toContain('SweepEndedRun');
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler', Runtime: 'nodejs22.x', Architectures: ['arm64'] });
  });

  it('uses the prebuilt bundle when the source is absent (an installed package), with the same settings', () => {
    const { fn, index, template } = synth(join(scratch, 'no-such-source', 'sweep-ended-run.ts'), prebuiltTree());
    expect(fn).toBeDefined();
    expect(index()).toContain('"prebuilt"');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
    });
  });

  it('names both places when neither the source nor a prebuilt bundle exists', () => {
    const missing = join(scratch, 'no-such-source', 'sweep-ended-run.ts');
    const empty = mkdtempSync(join(scratch, 'empty-'));
    expect(() => synth(missing, empty)).toThrow(/neither its source .*sweep-ended-run\.ts nor a prebuilt .*sweep-ended-run\/index\.mjs exists/);
  });
});
