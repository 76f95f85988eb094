/**
 * The CLI as a user starts it: one apex + wildcard issuance through `certstep local run`, the
 * whole process from exec to exit, side by side with a bare acme-client script making the same
 * ACME calls against the same Pebble (bench/floor.ts, polling as the local runner polls). Each
 * run is one process under /usr/bin/time: wall, user + system CPU, peak RSS.
 *
 * Contenders, run in turn (certstep, bare, certstep, bare, …) so a drifting machine moves both:
 * - certstep: dist/cli.mjs, built by scripts/build.mjs --cli-only, what an installed package runs;
 * - bare acme-client: bench/floor.ts bundled by esbuild into one file the same way (acme-client
 *   as it ships, node-forge included), creating its account as certstep does in a fresh store;
 * - certstep from sources: the TypeScript through tsx, what a checkout without a build runs
 *   (and what `certstep` was before the package was built), for the before/after.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { CaEndpoint } from './lib/bench-ca.js';
import { median } from './lib/stats.js';
import { type ProcessMeasurement, timeProcess } from './peers.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

export type CliContenderId = 'certstep' | 'bare' | 'source';

export interface CliContender {
  readonly id: CliContenderId;
  readonly label: string;
  readonly runs: readonly ProcessMeasurement[];
}

export interface CliResult {
  readonly runs: number;
  readonly contenders: readonly CliContender[];
  /** certstep / bare, run by run (each pair ran back to back). */
  readonly pairedWallRatios: readonly number[];
  readonly pairedCpuRatios: readonly number[];
  /** The 1-minute load average before the section started; the section's figures move with it. */
  readonly loadAverage: number;
  /** Size of dist/cli.mjs, bytes. */
  readonly bundleBytes: number;
}

const LABELS: Record<CliContenderId, string> = {
  certstep: '`certstep local run` (dist/cli.mjs, as installed)',
  bare: 'bare acme-client script (bench/floor.ts, bundled)',
  source: '`certstep local run` from sources (tsx, a checkout without a build)',
};

function run(file: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, maxBuffer: 16 * 1024 * 1024 }, (error, _stdout, stderr) =>
      error ? reject(new Error(`${path.basename(file)} ${args.join(' ')}: ${stderr || error.message}`)) : resolve(),
    );
  });
}

/** A package-shaped folder (dist/cli.mjs beside statemachine/) and the bare script's bundle. */
async function prepare(scratch: string): Promise<{ cli: string; bare: string; input: string }> {
  const pkg = path.join(scratch, 'pkg');
  await mkdir(pkg, { recursive: true });
  await cp(path.join(ROOT, 'statemachine'), path.join(pkg, 'statemachine'), { recursive: true });
  await run(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), '--out', path.join(pkg, 'dist'), '--cli-only'], ROOT);
  const bare = path.join(scratch, 'bare.mjs');
  await build({
    entryPoints: [path.join(ROOT, 'bench', 'floor.ts')],
    outfile: bare,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    banner: { js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  const input = path.join(scratch, 'input.json');
  await cp(path.join(ROOT, 'examples', 'web.json'), input);
  return { cli: path.join(pkg, 'dist', 'cli.mjs'), bare, input };
}

export async function runCli(ca: CaEndpoint, options: { runs: number; withSource: boolean; log: (line: string) => void }): Promise<CliResult> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'certstep-bench-cli-'));
  try {
    const { cli, bare, input } = await prepare(scratch);
    const { size } = await stat(cli);
    let store = 0;
    const commands: Record<CliContenderId, () => { file: string; args: string[] }> = {
      certstep: () => ({
        file: process.execPath,
        args: [cli, 'local', 'run', input, '--store', path.join(scratch, `store-${store++}`), ...certstepCa(ca)],
      }),
      bare: () => ({ file: process.execPath, args: [bare, '--directory', ca.directoryUrl, '--ca', ca.caCertFile, '--challtestsrv', ca.challtestsrvUrl] }),
      source: () => ({
        file: process.execPath,
        args: [
          '--import',
          'tsx',
          path.join(ROOT, 'cli', 'main.ts'),
          'local',
          'run',
          input,
          '--store',
          path.join(scratch, `store-${store++}`),
          ...certstepCa(ca),
        ],
      }),
    };
    const ids: CliContenderId[] = options.withSource ? ['certstep', 'bare', 'source'] : ['certstep', 'bare'];
    const runs = new Map<CliContenderId, ProcessMeasurement[]>(ids.map((id) => [id, []]));
    const loadAverage = os.loadavg()[0] ?? 0;
    options.log(`CLI whole process: ${options.runs} paired runs of ${ids.join(', ')} (one warm-up each, not counted)`);
    for (let round = 0; round <= options.runs; round++) {
      for (const id of ids) {
        const measured = await timeProcess({ ...commands[id](), env: { NODE_OPTIONS: '' } }, 120_000);
        if (!measured.ok) throw new Error(`${LABELS[id]} failed: ${measured.error}`);
        if (round > 0) runs.get(id)?.push(measured);
      }
    }
    const of = (id: CliContenderId) => runs.get(id) ?? [];
    const pairs = (metric: (run: ProcessMeasurement) => number) =>
      of('certstep').map((run, index) => metric(run) / metric(of('bare')[index] as ProcessMeasurement));
    const result: CliResult = {
      runs: options.runs,
      contenders: ids.map((id) => ({ id, label: LABELS[id], runs: of(id) })),
      pairedWallRatios: pairs((run) => run.wallMs),
      pairedCpuRatios: pairs((run) => run.cpuMs),
      loadAverage: Number(loadAverage.toFixed(2)),
      bundleBytes: size,
    };
    options.log(`CLI whole process: certstep/bare wall ${median(result.pairedWallRatios).toFixed(2)}×, CPU ${median(result.pairedCpuRatios).toFixed(2)}×`);
    return result;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function certstepCa(ca: CaEndpoint): string[] {
  return ['--acme-directory', ca.directoryUrl, '--acme-ca', ca.caCertFile, '--challtestsrv', ca.challtestsrvUrl];
}
