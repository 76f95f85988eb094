/**
 * Every AWS SDK client a Lambda builds goes through traced(): X-Ray subsegments on Lambda with
 * active tracing, and the very same untouched client anywhere else (local runs, tests).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';

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
