/**
 * Section 3's paired comparison (BENCH_COLDSTART_PAIRED=<commit>): every function bundled as
 * that commit bundled it (its own scripts/lambda-bundle.mjs, stubs and sources, taken out with
 * `git archive`) and imported in the same rounds as this tree's bundle, alternating which goes
 * first. Runs of identical bundles hours apart differ by up to a third on this shared VM; the
 * ratio of two imports taken seconds apart does not carry that drift, so a change's effect on
 * cold starts reads from one run.
 *
 * The baseline resolves packages from this tree's node_modules (git holds no node_modules); when
 * package-lock.json differs between the two, the result says so.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { BuildResult, Metafile } from 'esbuild';
import { median } from './lib/stats.js';

/** What the paired comparison measured, per function of this tree. */
export interface PairedColdStart {
  /** The baseline commit, in full. */
  readonly commit: string;
  /** package-lock.json differs: the baseline was bundled with this tree's dependencies, not its own. */
  readonly lockfileDiffers: boolean;
  readonly bundles: readonly PairedBundle[];
}

export interface PairedBundle {
  readonly functionName: string;
  /** What a cold start of the baseline's bundle reads, in bytes. */
  readonly bytes: number;
  /** The baseline's imports, source maps on: importMs[i] ran in the same round as this tree's importMs[i]. */
  readonly importMs: number[];
  /** Set when the baseline has no such handler or could not be bundled. */
  readonly error?: string;
}

/** A baseline ready to be imported: each function's index.mjs, and what its cold start reads. */
export interface Baseline {
  readonly commit: string;
  readonly lockfileDiffers: boolean;
  bundle(handlerFile: string): Promise<{ file: string; bytes: number }>;
  dispose(): Promise<void>;
}

interface LambdaBundleModule {
  bundleLambda(entry: string, outdir: string): Promise<BuildResult<{ metafile: true }>>;
  splitOutputs(metafile: Metafile): { startup: string[]; lazy: string[] };
}

const run = promisify(execFile);

/** The commit's bundler, sources and stubs in a temporary folder, beside this tree's node_modules. */
export async function prepareBaseline(root: string, revision: string): Promise<Baseline> {
  const commit = (await run('git', ['rev-parse', '--verify', `${revision}^{commit}`], { cwd: root })).stdout.trim();
  const directory = await mkdtemp(path.join(tmpdir(), 'certstep-bench-baseline-'));
  const tree = path.join(directory, 'tree');
  await mkdir(tree);
  await extract(root, commit, tree);
  if (!existsSync(path.join(tree, 'scripts', 'lambda-bundle.mjs'))) {
    await rm(directory, { recursive: true, force: true });
    throw new Error(
      `BENCH_COLDSTART_PAIRED: ${revision} (${commit.slice(0, 7)}) has no scripts/lambda-bundle.mjs to bundle with; pick a commit from 09f30ea on`,
    );
  }
  await symlink(path.join(root, 'node_modules'), path.join(tree, 'node_modules'), 'dir');
  const lockfile = await run('git', ['show', `${commit}:package-lock.json`], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  const lockfileDiffers = lockfile.stdout !== (await readFile(path.join(root, 'package-lock.json'), 'utf8'));
  const bundler = (await import(pathToFileURL(path.join(tree, 'scripts', 'lambda-bundle.mjs')).href)) as LambdaBundleModule;
  return {
    commit,
    lockfileDiffers,
    async bundle(handlerFile) {
      const entry = path.join(tree, 'functions', 'handlers', handlerFile);
      if (!existsSync(entry)) throw new Error(`no functions/handlers/${handlerFile} at ${commit.slice(0, 7)}`);
      const out = path.join(directory, 'out', handlerFile.replace(/\.ts$/, ''));
      const { metafile } = await bundler.bundleLambda(entry, out);
      const bytes = bundler.splitOutputs(metafile).startup.reduce((total, output) => total + (metafile.outputs[output]?.bytes ?? 0), 0);
      return { file: path.join(out, 'index.mjs'), bytes };
    },
    dispose: () => rm(directory, { recursive: true, force: true }),
  };
}

/** What bundling reads: the bundler, the functions with their stubs, the TypeScript settings. */
const BUNDLING_INPUTS = ['scripts', 'functions', 'tsconfig.json', 'package.json'];

/** `git archive` of those of BUNDLING_INPUTS the commit has (git refuses a path it does not have). */
async function extract(root: string, commit: string, into: string): Promise<void> {
  const present = new Set((await run('git', ['ls-tree', '--name-only', commit], { cwd: root })).stdout.split('\n'));
  const paths = BUNDLING_INPUTS.filter((input) => present.has(input));
  return new Promise((resolve, reject) => {
    const archive = spawn('git', ['archive', '--format=tar', commit, ...paths], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const untar = spawn('tar', ['-x', '-C', into], { stdio: ['pipe', 'ignore', 'pipe'] });
    let errors = '';
    archive.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    untar.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    archive.stdout.pipe(untar.stdin);
    untar.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`git archive ${commit.slice(0, 7)} | tar failed: ${errors.trim()}`))));
  });
}

/**
 * The median, over rounds, of this tree's import time divided by the baseline's in the same
 * round: below 1 is faster now. NaN without a complete pair.
 */
export function pairedRatio(after: readonly number[], before: readonly number[]): number {
  const ratios = after.flatMap((value, round) => {
    const base = before[round];
    return base !== undefined && base > 0 && Number.isFinite(value) ? [value / base] : [];
  });
  return median(ratios);
}
