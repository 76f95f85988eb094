/**
 * esbuild with the options every Lambda is bundled with (scripts/lambda-bundle.mjs: ESM for
 * node22, module before main, minified, a createRequire banner for the CommonJS inside), for the
 * tests that run code bundled as a Lambda gets it. Entries may live in a temporary directory:
 * packages still resolve from the project's node_modules.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type BuildOptions, type BuildResult, build } from 'esbuild';
import { PROJECT_ROOT } from '../../cdk/definition.js';
import { bundleLambda, lambdaAliases, lambdaCodeOptions } from '../../scripts/lambda-bundle.mjs';

/**
 * The Lambdas' options as one file, with the caller's (entry, outfile, alias, externals...) on
 * top. No stubs unless the caller passes them (lambdaStubAliases()): some tests compare both.
 */
export function bundleLikeLambda(options: BuildOptions): Promise<BuildResult<{ metafile: true }>> {
  return build({
    ...lambdaCodeOptions(),
    alias: {},
    sourcemap: false,
    nodePaths: [join(PROJECT_ROOT, 'node_modules')],
    logLevel: 'silent',
    ...options,
    // Every caller reads the metafile (what went into the bundle); asking for it always is cheap.
    metafile: true,
  });
}

/** Bytes the modules whose path contains `part` (a `node_modules/<package>/` path, say) put into the bundle. */
export function bytesIn(result: BuildResult<{ metafile: true }>, part: string): number {
  // metafile.inputs also lists modules read and then shaken out: count only what reached the output.
  return Object.values(result.metafile.outputs)
    .flatMap((output) => Object.entries(output.inputs))
    .filter(([path]) => path.includes(part))
    .reduce((sum, [, input]) => sum + input.bytesInOutput, 0);
}

/** Whether a handler's bundle carries code of `part`, with `external` left out (not the question asked). */
export async function handlerBundles(handler: string, part: string, external: string[]): Promise<boolean> {
  const result = await bundleLikeLambda({ entryPoints: [join(PROJECT_ROOT, 'functions', 'handlers', `${handler}.ts`)], write: false, external });
  return bytesIn(result, part) > 0;
}

/** A handler bundled as the stack bundles it (its stubs included), kept in memory. */
export function lambdaHandlerBundle(handler: string): Promise<BuildResult<{ metafile: true }>> {
  return bundleLikeLambda({ entryPoints: [join(PROJECT_ROOT, 'functions', 'handlers', `${handler}.ts`)], write: false, alias: lambdaStubAliases() });
}

/** Every stub the stack aliases into a Lambda bundle, as absolute paths. */
export function lambdaStubAliases(): Record<string, string> {
  return lambdaAliases();
}

/**
 * `lines` written as an ES module in a new temporary directory and bundled beside it exactly as
 * synth bundles a Lambda (scripts/lambda-bundle.mjs: index.mjs and its chunks).
 */
export async function bundleEntryAsLambda(lines: readonly string[]): Promise<{ directory: string; index: string }> {
  const { directory, entry } = writeEntry(lines);
  await bundleLambda(entry, join(directory, 'out'), { nodePaths: [join(PROJECT_ROOT, 'node_modules')], logLevel: 'silent' });
  return { directory, index: join(directory, 'out', 'index.mjs') };
}

/**
 * `lines` written as an ES module (entry.mjs) in a new temporary directory and bundled beside it
 * (out.mjs) as the stack bundles a Lambda, with the caller's options (alias, externals...) on top.
 */
export async function bundleEntry(
  lines: readonly string[],
  options: BuildOptions = {},
): Promise<{ directory: string; outfile: string; result: BuildResult<{ metafile: true }> }> {
  const { directory, entry } = writeEntry(lines);
  const outfile = join(directory, 'out.mjs');
  return { directory, outfile, result: await bundleLikeLambda({ entryPoints: [entry], outfile, ...options }) };
}

/** `lines` as entry.mjs in a new temporary directory, for the two above to bundle beside it. */
function writeEntry(lines: readonly string[]): { directory: string; entry: string } {
  const directory = mkdtempSync(join(tmpdir(), 'certstep-entry-'));
  const entry = join(directory, 'entry.mjs');
  writeFileSync(entry, lines.join('\n'));
  return { directory, entry };
}

/**
 * What a bundle printed, run by this Node in a fresh process from the project root. Not
 * execFileSync: a server answering the bundle may run in the calling process.
 */
export async function runBundle(outfile: string, options: { args?: readonly string[]; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [outfile, ...(options.args ?? [])], {
    encoding: 'utf8',
    cwd: PROJECT_ROOT,
    timeout: 30_000,
    ...(options.env && { env: options.env }),
  });
  return stdout;
}
