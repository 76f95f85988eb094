/**
 * scripts/lambda-bundle.mjs writes the computed keys of the AWS SDK clients' schema files as
 * the string literals their constants hold, so that esbuild drops the schemas of operations
 * certstep never calls (aws/aws-sdk-js-v3#7607). That is only safe if the rewritten files
 * export the very same schemas: checked here, export by export, for every installed client,
 * and on a Lambda bundle that the schemas it does not use are gone while those it sends stay.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../cdk/definition.js';
import { bundleLambda, literalSchemaKeys, sdkSchemaKeys, SDK_SCHEMAS, splitOutputs } from '../../scripts/lambda-bundle.mjs';

const SDK = join(PROJECT_ROOT, 'node_modules', '@aws-sdk');
const scratch = mkdtempSync(join(tmpdir(), 'certstep-schema-keys-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const SCHEMA_FILES = readdirSync(SDK)
  .filter((name) => name.startsWith('client-'))
  .flatMap((client) => {
    const directory = join(SDK, client, 'dist-es', 'schemas');
    return readdirSync(directory)
      .filter((file) => file.endsWith('.js'))
      .map((file) => ({ name: `${client}/${file}`, path: join(directory, file) }));
  });

const COMPUTED_KEY = /\[_\w+\]:/;

/** The schema file's exports, bundled on its own, with or without the rewrite. */
async function exportsOf(path: string, rewrite: boolean): Promise<Record<string, unknown>> {
  const outfile = join(scratch, `${path.replace(/\W+/g, '_')}.${rewrite ? 'literal' : 'computed'}.mjs`);
  await build({
    stdin: { contents: `export * from ${JSON.stringify(path)};`, resolveDir: PROJECT_ROOT, loader: 'js' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    mainFields: ['module', 'main'],
    outfile,
    logLevel: 'silent',
    plugins: rewrite ? [sdkSchemaKeys()] : [],
  });
  return import(pathToFileURL(outfile).href);
}

const isClass = (value: unknown) => typeof value === 'function' && /^class\b/.test(Function.prototype.toString.call(value));

/**
 * Whether two schema values are the same: arrays and objects key by key, in order; an error
 * class by its name; the SDK's lazy references (`() => OtherSchema$`) by what they return.
 * Where the two differ, the path to it; undefined when they do not.
 */
function difference(left: unknown, right: unknown, path: string, seen = new Set<unknown>()): string | undefined {
  if (isClass(left) || isClass(right)) return isClass(left) && isClass(right) && (left as () => void).name === (right as () => void).name ? undefined : path;
  if (typeof left === 'function' && typeof right === 'function') return difference((left as () => unknown)(), (right as () => unknown)(), `${path}()`, seen);
  if (typeof left !== 'object' || left === null || typeof right !== 'object' || right === null) return Object.is(left, right) ? undefined : path;
  if (seen.has(left)) return undefined;
  seen.add(left);
  if (Array.isArray(left) !== Array.isArray(right)) return path;
  const keys = Object.keys(left);
  if (JSON.stringify(keys) !== JSON.stringify(Object.keys(right)))
    return `${path} (keys ${JSON.stringify(keys)} against ${JSON.stringify(Object.keys(right))})`;
  for (const key of keys) {
    const found = difference((left as Record<string, unknown>)[key], (right as Record<string, unknown>)[key], `${path}.${key}`, seen);
    if (found) return found;
  }
  return undefined;
}

describe("the SDK clients' schema files with literal keys", () => {
  it('covers the schema files of every installed client, and only those', () => {
    expect(SCHEMA_FILES.length).toBeGreaterThanOrEqual(8);
    for (const { path } of SCHEMA_FILES) expect(SDK_SCHEMAS.test(path), path).toBe(true);
    expect(SDK_SCHEMAS.test(join(SDK, 'client-s3', 'dist-es', 'S3Client.js'))).toBe(false);
    expect(SDK_SCHEMAS.test(join(SDK, 'nested-clients', 'dist-es', 'submodules', 'sts', 'schemas', 'schemas_0.js'))).toBe(false);
  });

  it('rewrites a computed key whose constant is a string of the file, and nothing else', () => {
    const source = [
      'const _h = "http";',
      'const _e = "error";',
      'let _v = "variable";',
      'export var A$ = [9, "n", "A", { [_h]: ["GET", "/"], [_e]: _c, [_v]: 1, [_x]: 2 }, "[_h]: in a string", \'[_e]: too\'];',
      '// [_h]: in a comment',
    ].join('\n');

    expect(literalSchemaKeys(source).split('\n').slice(-2)).toEqual([
      'export var A$ = [9, "n", "A", { "http": ["GET", "/"], "error": _c, [_v]: 1, [_x]: 2 }, "[_h]: in a string", \'[_e]: too\'];',
      '// [_h]: in a comment',
    ]);
  });

  it.each(SCHEMA_FILES)(
    '$name exports the same schemas',
    async ({ path }) => {
      const source = readFileSync(path, 'utf8');
      expect(COMPUTED_KEY.test(source)).toBe(true);
      expect(COMPUTED_KEY.test(literalSchemaKeys(source))).toBe(false);

      const [computed, literal] = [await exportsOf(path, false), await exportsOf(path, true)];

      expect(Object.keys(literal).sort()).toEqual(Object.keys(computed).sort());
      expect(Object.keys(computed).length).toBeGreaterThan(20);
      expect(difference(computed, literal, 'exports')).toBeUndefined();
    },
    60_000,
  );
});

describe('a Lambda bundle', () => {
  it("keeps the schemas of the Route 53 operations CheckRenewal sends, and none of the others'", async () => {
    const out = join(scratch, 'check-renewal');
    const { metafile } = await bundleLambda(join(PROJECT_ROOT, 'functions', 'handlers', 'check-renewal.ts'), out);
    const { startup } = splitOutputs(metafile);
    const code = startup.map((file) => readFileSync(join(PROJECT_ROOT, file), 'utf8')).join('\n');

    for (const sent of ['ChangeResourceRecordSets', 'ListHostedZones', 'GetHostedZone', 'GetChange']) expect(code, sent).toContain(`"${sent}"`);
    for (const unused of ['CreateTrafficPolicyInstance', 'AssociateVPCWithHostedZone', 'UpdateHealthCheck', 'ListHostedZonesByName'])
      expect(code, unused).not.toContain(unused);
  }, 60_000);
});
