/**
 * The published JSON Schemas (schema/): in step with the zod schemas the code validates
 * with, and saying the same as the code about the example files.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../cdk/config.js';
import { PROJECT_ROOT } from '../../cdk/definition.js';
import { CONFIG_SCHEMA_PATH, EXECUTION_INPUT_SCHEMA_PATH, publishedSchemas } from '../../cdk/json-schema.js';
import { testConfig } from './support.js';

const read = (path: string): string => readFileSync(join(PROJECT_ROOT, path), 'utf8');
const compile = (path: string) => new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(read(path)) as object);

describe('published JSON Schemas', () => {
  it.each(Object.entries(publishedSchemas()))('%s is what npm run schema writes from the zod schema', (path, generated) => {
    // Act
    const committed = read(path);

    // Assess: when this fails, run `npm run schema` and commit the result.
    expect(committed).toBe(generated);
  });

  it('accepts the repository’s certstep.config.json, which names the schema in $schema', () => {
    // Prepare
    const config = JSON.parse(read('certstep.config.json')) as Record<string, unknown>;
    const validate = compile(CONFIG_SCHEMA_PATH);

    // Act
    const valid = validate(config);

    // Assess
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(config.$schema).toBe(`./${CONFIG_SCHEMA_PATH}`);
    expect(() => validateConfig(config)).not.toThrow();
  });

  it.each([
    ['an unknown top-level field', { ...testConfig(), notificationEmails: 'x@example.com' }],
    [
      'a misspelt certificate field',
      { ...testConfig(), certificates: [{ name: 'web', dnsNames: ['example.com'], issuer: 'letsencrypt', renewbefore: 'P30D' }] },
    ],
    [
      'a key algorithm certstep does not know',
      { ...testConfig(), certificates: [{ name: 'web', dnsNames: ['example.com'], issuer: 'letsencrypt', keyAlgorithm: 'rsa-1024' }] },
    ],
    ['a renewBefore in months', { ...testConfig(), certificates: [{ name: 'web', dnsNames: ['example.com'], issuer: 'letsencrypt', renewBefore: 'P1M' }] }],
    ['a retention CloudWatch does not offer', { ...testConfig(), logRetentionDays: 100 }],
    ['certificates that are not a list', { ...testConfig(), certificates: { web: {} } }],
  ])('flags %s in an editor as certstep would at synth', (_case, config) => {
    // Prepare
    const validate = compile(CONFIG_SCHEMA_PATH);

    // Act
    const valid = validate(config);

    // Assess
    expect(valid).toBe(false);
    expect(() => validateConfig(config)).toThrow();
  });

  it.each([
    ['an empty certificates list', { ...testConfig(), certificates: [] }],
    ['no certificates field', (({ certificates: _, ...rest }) => rest)(testConfig())],
  ])('accepts %s in an editor as certstep does at synth (certificates may all come from certstep apply)', (_case, config) => {
    // Prepare
    const validate = compile(CONFIG_SCHEMA_PATH);

    // Act
    const valid = validate(config);

    // Assess
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(validateConfig(config).certificates).toEqual([]);
  });

  it('describes the execution input the examples are written in', () => {
    // Prepare
    const validate = compile(EXECUTION_INPUT_SCHEMA_PATH);

    // Act
    const results = ['examples/web.json', 'examples/three-names-rsa.json'].map((path) => validate(JSON.parse(read(path))));

    // Assess
    expect(results).toEqual([true, true]);
    expect(validate({ certificate: { name: 'web', dnsNames: ['example.com'], issuer: 'local', extra: 1 } })).toBe(false);
  });
});
