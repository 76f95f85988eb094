#!/usr/bin/env node
/**
 * How a Lambda is bundled, the one definition of it: the stack at synth runs this file
 * (cdk/functions.ts), the npm package's prebuilt Lambdas use it (scripts/build.mjs), and so do
 * the bench (bench/coldstart.ts) and the tests that run bundled code (test/support/lambda-bundle.ts).
 * Before, each of the four repeated the options and a test or a regex kept them equal.
 *
 * What comes out, in one folder per function:
 *   index.mjs          the handler and everything it imports statically, the AWS SDK included:
 *                      the SDK the tests ran, not the one the runtime happens to ship this month,
 *                      so a stack left alone for years keeps the calls it was tested with; and
 *                      faster to import than the runtime's unminified copy read file by file
 *                      (docs/BENCHMARKS.md, "The AWS SDK: bundled, or the runtime's")
 *   <name>-<hash>.mjs  chunks: code reached only through a dynamic import, read from disk only
 *                      if that import runs, and code such a chunk shares with index.mjs
 * Splitting is why this is not NodejsFunction, which writes one file. What it keeps off the
 * cold start (docs/BENCHMARKS.md, section 3): Powertools Tracer with the X-Ray SDK, ~90 KiB
 * imported only when `traceAwsCalls` is on (functions/runtime/tracing.ts), and the SDK's
 * event-stream serde, ~14 KiB that no certstep call uses and the SDK itself imports lazily.
 *
 * Names are not kept (esbuild's keepNames): certstep's errors carry literal names, which the
 * state machine matches, and so do the SDK's; stack traces read through the source maps
 * (NODE_OPTIONS=--enable-source-maps). Keeping them cost ~30 KiB per bundle.
 *
 * Usage: node scripts/lambda-bundle.mjs <entry.ts> <outdir>
 * Plain JavaScript on purpose: it runs from `prepack` and from synth without tsx.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * ESM output still bundles CommonJS dependencies (acme-client, axios) that call `require` for
 * Node built-ins; ESM has no `require`, so the banner makes one (in every chunk too).
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __certstepCreateRequire } from 'node:module'; const require = __certstepCreateRequire(import.meta.url);";

/** functions/runtime/stubs/aliases.json as written: the stubs of every bundle, and those of Lambdas only (paths from the project root). */
export function stubLists() {
  const lists = JSON.parse(readFileSync(join(ROOT, 'functions', 'runtime', 'stubs', 'aliases.json'), 'utf8'));
  return { everyBundle: lists.everyBundle ?? {}, lambdasOnly: lists.lambdasOnly ?? {} };
}

/** esbuild's alias for a list of stubs: module → absolute path of its stub. */
export function stubAliases(stubs) {
  return Object.fromEntries(Object.entries(stubs).map(([module, stub]) => [module, join(ROOT, stub)]));
}

/** Every stub a Lambda gets; each stub says why it is safe. */
export function lambdaAliases() {
  const { everyBundle, lambdasOnly } = stubLists();
  return stubAliases({ ...everyBundle, ...lambdasOnly });
}

/**
 * The package.json files a bundle would carry whole because a dependency imports one for its
 * user agent: each AWS SDK client reads its version (`aws-sdk-js/<version>`), acme-client its
 * name and version (`node-acme-client/<version>`). A default import of JSON keeps every field:
 * scripts, keywords, dependencies, ~2 KiB per client a cold start parses for one string. What
 * each reads is pinned by test/runtime/bundle-package-json.test.ts, so an upgrade that reads
 * more fails there, not in a Lambda.
 */
export const USER_AGENT_PACKAGE_JSON = /[\\/]node_modules[\\/](@aws-sdk[\\/]client-[^\\/]+|acme-client)[\\/]package\.json$/;

/** esbuild plugin: the package.json files above reduced to their name and version. */
export function userAgentPackageJson() {
  return {
    name: 'certstep-user-agent-package-json',
    setup(build) {
      build.onLoad({ filter: USER_AGENT_PACKAGE_JSON }, ({ path }) => {
        const { name, version } = JSON.parse(readFileSync(path, 'utf8'));
        return { contents: JSON.stringify({ name, version }), loader: 'json' };
      });
    },
  };
}

/**
 * The schema files of the AWS SDK clients (3.930 and later). Each writes an operation's traits
 * with computed keys, `{ [_h]: ["GET", "/..."] }`, `_h` being a constant string of the same file.
 * esbuild cannot tell such a key from one whose evaluation has side effects, so it keeps every
 * statement that has one: the schemas of all operations of a client, not only of those certstep
 * sends (all 70-odd of Route 53's, ~25 KiB of CheckRenewal; ~45 KiB of S3's in SyncCatalog).
 * The SDK's issue is aws/aws-sdk-js-v3#7607, esbuild's evanw/esbuild#4373; the generator's fix
 * (literal keys, smithy-lang/smithy-typescript#1889) is not in a release. Until it is, the
 * bundle writes each such key as the literal its constant holds: the same objects, which
 * test/runtime/sdk-schema-keys.test.ts checks export by export for every installed client.
 */
export const SDK_SCHEMAS = /[\\/]node_modules[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;

/**
 * A schema file's source with every `[_name]:` key whose `_name` is a top-level string constant
 * written as that string. Strings and comments are matched first and left as they are, so text
 * that only looks like such a key is not touched.
 */
export function literalSchemaKeys(source) {
  const strings = new Map();
  for (const [, name, literal] of source.matchAll(/^const (_\w+) = ("[^"\\\n]*");$/gm)) strings.set(name, literal);
  const token = /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`|\/\/[^\n]*|\/\*[\s\S]*?\*\/|\[(_\w+)\]:/g;
  return source.replace(token, (text, name) => (name !== undefined && strings.has(name) ? `${strings.get(name)}:` : text));
}

/** esbuild plugin: the schema files above with literal keys. */
export function sdkSchemaKeys() {
  return {
    name: 'certstep-sdk-schema-keys',
    setup(build) {
      build.onLoad({ filter: SDK_SCHEMAS }, ({ path }) => ({ contents: literalSchemaKeys(readFileSync(path, 'utf8')), loader: 'js' }));
    },
  };
}

/** The options every Lambda module is built with, whatever the output: one file (tests) or a folder. */
export function lambdaCodeOptions() {
  return {
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    minify: true,
    keepNames: false,
    sourcemap: 'linked',
    sourcesContent: false,
    // acme-client loads node-forge for a deprecated API certstep never calls; axios loads mime-db
    // (through form-data) for uploads certstep never sends. In Lambda the credentials are in the
    // environment, so the SDK's default chain (STS, SSO, Cognito clients: ~120 KiB) gives way to
    // an env-only provider; aws-xray-sdk-core needs one gte of semver. No Lambda carries the X.509
    // libraries acme-client loads for what certstep does itself (~250 KiB), nor axios's HTTP
    // stack (~130 KiB): certstep sends acme-client's requests itself, nor bowser, the browser
    // user-agent parser the SDK imports lazily (~34 KiB shipped, never read). A stub a dependency
    // needs at load fails test/runtime/lambda-init.test.ts. Each stub says why it is safe.
    alias: lambdaAliases(),
    plugins: [userAgentPackageJson(), sdkSchemaKeys()],
    absWorkingDir: ROOT,
    logLevel: 'warning',
  };
}

/** The whole build of one function into `outdir` (index.mjs and its chunks), as deployed. */
export function lambdaBuildOptions(entry, outdir) {
  return {
    ...lambdaCodeOptions(),
    entryPoints: { index: resolve(entry) },
    outdir,
    splitting: true,
    chunkNames: '[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    metafile: true,
  };
}

/** Bundles one handler into `outdir`; the result carries esbuild's metafile. */
export async function bundleLambda(entry, outdir, extra = {}) {
  const { build } = await import('esbuild');
  return build({ ...lambdaBuildOptions(entry, outdir), ...extra });
}

/**
 * A build's JavaScript outputs (paths as the metafile names them), split in two: those a cold
 * start reads (index.mjs and what it imports statically, transitively), and the chunks only a
 * dynamic import loads.
 */
export function splitOutputs(metafile) {
  const outputs = metafile.outputs;
  const index = Object.keys(outputs).find((file) => /(^|\/)index\.mjs$/.test(file));
  if (!index) throw new Error('the build wrote no index.mjs');
  const seen = new Set([index]);
  const queue = [index];
  while (queue.length > 0) {
    for (const { path, kind, external } of outputs[queue.shift()].imports) {
      if (kind !== 'import-statement' || external || seen.has(path)) continue;
      seen.add(path);
      queue.push(path);
    }
  }
  return { startup: [...seen], lazy: Object.keys(outputs).filter((file) => file.endsWith('.mjs') && !seen.has(file)) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const [entry, outdir] = process.argv.slice(2);
  if (!entry || !outdir) {
    process.stderr.write('usage: node scripts/lambda-bundle.mjs <entry.ts> <outdir>\n');
    process.exit(2);
  }
  try {
    await bundleLambda(entry, resolve(outdir));
  } catch (error) {
    // esbuild has printed what failed (logLevel warning); no stack trace on top of it.
    process.stderr.write(`bundling ${entry} failed: ${error.message.split('\n')[0].replace(/:$/, '')} (esbuild's messages above)\n`);
    process.exit(1);
  }
}
