/**
 * Every AWS SDK client a Lambda builds goes through traced(): X-Ray subsegments on Lambda with
 * active tracing, and the very same untouched client anywhere else (local runs, tests), where
 * the X-Ray SDK is not even loaded (it turns on async hooks for the whole process at load).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DUMMY_ENV } from '../../bench/coldstart.js';
import { PROJECT_ROOT } from '../../cdk/definition.js';
import { bundleEntryAsLambda } from '../support/lambda-bundle.js';

const XRAY_MIDDLEWARE = 'XRaySDKInstrumentation';
const saved = { ...process.env };

afterEach(() => {
  process.env = { ...saved };
  vi.resetModules();
});

describe('traced', () => {
  it('hands the client back untouched outside Lambda', async () => {
    // Prepare
    delete process.env.AWS_EXECUTION_ENV;
    const { traced } = await import('../../functions/runtime/tracing.js');
    const client = new DynamoDBClient({ region: 'eu-west-1' });
    const before = client.middlewareStack.identify();

    // Act
    const result = traced(client);

    // Assess
    expect(result).toBe(client);
    expect(client.middlewareStack.identify()).toEqual(before);
  });

  it('records every call of the client as an X-Ray subsegment on Lambda', async () => {
    // Prepare
    process.env.AWS_EXECUTION_ENV = 'AWS_Lambda_nodejs22.x';
    const { traced } = await import('../../functions/runtime/tracing.js');
    const client = new DynamoDBClient({ region: 'eu-west-1' });

    // Act
    traced(client);

    // Assess
    expect(client.middlewareStack.identify().join('\n')).toContain(XRAY_MIDDLEWARE);
  });

  it('is how every Lambda-side module builds its SDK clients', () => {
    // Prepare
    const directories = ['runtime', 'handlers'].map((directory) => new URL(`../../functions/${directory}/`, import.meta.url));
    // Whatever the formatter does with line breaks: each `new XClient(` must be the argument of traced(.
    const constructions = directories.flatMap((directory) =>
      readdirSync(directory)
        .filter((file) => file.endsWith('.ts'))
        .flatMap((file) =>
          [...readFileSync(new URL(file, directory), 'utf8').matchAll(/(traced\(\s*)?new \w+Client\(/g)].map((match) => ({
            file,
            traced: match[1] !== undefined,
          })),
        ),
    );

    // Assess
    expect(constructions.length).toBeGreaterThanOrEqual(8);
    for (const { file, traced } of constructions) expect(traced, `${file} builds a client without traced(`).toBe(true);
  });
});

/** Environments on either side of each of Powertools' conditions. */
const ENVIRONMENTS: NodeJS.ProcessEnv[] = [
  {},
  { AWS_EXECUTION_ENV: '' },
  { AWS_EXECUTION_ENV: '  ' },
  { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x' },
  { AWS_EXECUTION_ENV: ' AWS_Lambda_nodejs22.x ' },
  { AWS_EXECUTION_ENV: 'AWS_Lambda_amplify-mock' },
  { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x', AWS_SAM_LOCAL: 'true' },
  { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x', AWS_SAM_LOCAL: '' },
  { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x', POWERTOOLS_TRACE_ENABLED: 'false' },
  { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x', POWERTOOLS_TRACE_ENABLED: ' FALSE ' },
  { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x', POWERTOOLS_TRACE_ENABLED: 'true' },
  { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x', POWERTOOLS_TRACE_ENABLED: '0' },
  { POWERTOOLS_TRACE_ENABLED: 'true' },
];
const TRACING_VARIABLES = ['AWS_EXECUTION_ENV', 'AWS_SAM_LOCAL', 'POWERTOOLS_TRACE_ENABLED'];

describe('tracingEnabled', () => {
  it.each(ENVIRONMENTS)('decides as Powertools Tracer itself does for %j', async (env) => {
    // Prepare
    for (const name of TRACING_VARIABLES) delete process.env[name];
    Object.assign(process.env, env);
    const { Tracer } = await import('@aws-lambda-powertools/tracer');
    const { tracingEnabled } = await import('../../functions/runtime/tracing.js');

    // Act
    const powertools = new Tracer({ serviceName: 'certstep' }).isTracingEnabled();

    // Assess
    expect(tracingEnabled(env)).toBe(powertools);
  });
});

describe('the X-Ray SDK in a fresh process', () => {
  const run = promisify(execFile);
  const directory = mkdtempSync(join(tmpdir(), 'certstep-tracing-'));
  // cls-hooked keeps its namespaces on process.namespaces; the X-Ray SDK creates AWSXRay at load.
  const REPORT = 'console.log(JSON.stringify({ xray: Boolean(process.namespaces?.AWSXRay) }));';

  // What a handler reads at init, without the Lambda runtime's AWS_EXECUTION_ENV and the stack's
  // POWERTOOLS_TRACE_ENABLED unless a case sets them.
  const { AWS_EXECUTION_ENV: _onLambda, POWERTOOLS_TRACE_ENABLED: _stackDefault, ...OFFLINE_ENV } = DUMMY_ENV;

  async function loaded(args: string[], env: Record<string, string>): Promise<boolean> {
    const { stdout } = await run(process.execPath, args, { cwd: PROJECT_ROOT, env: { PATH: process.env.PATH ?? '', ...OFFLINE_ENV, ...env }, timeout: 60_000 });
    return (JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { xray: boolean }).xray;
  }

  it('is not loaded by a handler bundled as the stack bundles it, outside Lambda or with tracing off', async () => {
    // The Tracer is in a chunk of its own there, which only the dynamic import in tracing.ts reads.
    const { index: outfile } = await bundleEntryAsLambda([
      `import ${JSON.stringify(join(PROJECT_ROOT, 'functions', 'handlers', 'store-certificate.ts'))};`,
      REPORT,
    ]);
    expect(await loaded([outfile], {})).toBe(false);
    expect(await loaded([outfile], { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x', POWERTOOLS_TRACE_ENABLED: 'false' })).toBe(false);
    // As the bench imports it: a deployed function with the stack's default (traceAwsCalls off).
    expect(await loaded([outfile], DUMMY_ENV)).toBe(false);
    // Controls: on Lambda with traceAwsCalls on, or without the stack's setting, it is, so the report can tell them apart.
    expect(await loaded([outfile], { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x', POWERTOOLS_TRACE_ENABLED: 'true' })).toBe(true);
    expect(await loaded([outfile], { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x' })).toBe(true);
  }, 60_000);

  it('is not loaded by the sources as the CLI and the local runner load them', async () => {
    const entry = join(directory, 'sources.mts');
    writeFileSync(entry, `import ${JSON.stringify(join(PROJECT_ROOT, 'functions', 'runtime', 'store.ts'))};\n${REPORT}`);
    expect(await loaded(['--import', 'tsx', entry], {})).toBe(false);
    expect(await loaded(['--import', 'tsx', entry], { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x' })).toBe(true);
  }, 60_000);
});
