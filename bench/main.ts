/**
 * `npm run bench`: measures certstep and writes docs/BENCHMARKS.md with its charts.
 *
 * Sections (BENCH_SECTIONS, comma-separated, default all):
 *   throughput  issuance of 1/20/100 apex+wildcard certificates: certstep, acme-client floor, peers
 *   cost        transitions, invocations and AWS API calls per renewal, priced
 *   coldstart   esbuild bundles of every Lambda: size, import time, acme-client presence
 *   simulate    the lifetime simulator's default run: simulated certificate-days per second
 *   cli         the CLI as a whole process (dist/cli.mjs) next to a bare acme-client script, peak RSS
 *   template    the CloudFormation template synthesised for N certificates (bench/template-size.ts)
 * Scale on paper is derived from the cost section and always written.
 *
 * Knobs (environment):
 *   BENCH_SIZES=1,20,100   BENCH_RUNS=3   BENCH_WHATIF_RUNS=1
 *   BENCH_PEERS=certbot,lego,dehydrated,uacme   BENCH_PEER_SIZES=1,20   BENCH_PEER_RUNS=3
 *   BENCH_PEER_REPEAT_SECONDS=30: a peer's size is run BENCH_PEER_RUNS times only when one run is
 *     shorter than this, else once (certbot, lego and dehydrated at 20 certificates: ~1-4 min each)
 *   BENCH_PEER_BUDGET_SECONDS=300: a peer's size is skipped when one run would take longer
 *   BENCH_WORKER_TIMEOUT_SECONDS=300 (a hung measurement is killed and reported, the run goes on)
 *   BENCH_PROFILE_SIZE=20 (one extra run each of certstep and the floor under --cpu-prof; 0: none)
 *   BENCH_IMPORT_RUNS=7    BENCH_INSTALL_PEERS=0 (never apt-get install)
 *   BENCH_SIMULATE_SEED=1 BENCH_SIMULATE_CERTIFICATES=200 BENCH_SIMULATE_DAYS=730
 *   BENCH_OUTPUT=docs/BENCHMARKS.md   BENCH_RESULTS=bench/results/latest.json
 *   BENCH_FROM_RESULTS=FILE  re-render the document from saved results without measuring
 *   BENCH_MERGE=FILE  keep the sections of a saved results file (and its machine facts) that this run does not
 *     measure, e.g. BENCH_SECTIONS=cli BENCH_MERGE=bench/results/latest.json to redo one section only
 *   BENCH_CLI_RUNS=7   BENCH_CLI_SOURCE=1 (0: leave out the from-sources contender)
 *   BENCH_BASELINE=bench/results/baseline-c0c92d0.json  an earlier run, shown as before/after the fixes
 *   BENCH_COLDSTART_BEFORE=FILE  a results file of a run at another commit: its cold-start section is shown beside this one's
 *     (default: BENCH_BEFORE's)
 *   BENCH_COLDSTART_PAIRED=COMMIT  each function also bundled as that commit bundled it and imported in the same rounds as this
 *     tree's: the ratio of paired imports, free of the drift between runs (bench/coldstart-paired.ts; from 09f30ea on)
 *   BENCH_BEFORE=bench/results/before-step16-c3d0711.json  the run before step 16 (issue 18), shown as its before and after
 *   BENCH_TEMPLATE_SIZES=1,100,1000,10000
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CliResult, runCli } from './cli.js';
import { type ColdStartResult, runColdStart } from './coldstart.js';
import { type CostResult, runCost } from './cost.js';
import { startBenchCa } from './lib/bench-ca.js';
import { envInt, envList } from './lib/stats.js';
import { renderReport } from './report.js';
import { type BenchResults, type ColdStartBefore, type MachineFacts, mergeResults } from './results.js';
import { type ThroughputResult, runThroughput } from './throughput.js';
import type { TemplateSize } from './template-size.js';
import { type SimulationReport, simulate } from '../test/lifetime/simulator.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

const log = (line: string) => process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

async function main(): Promise<void> {
  const output = path.resolve(ROOT, process.env.BENCH_OUTPUT ?? 'docs/BENCHMARKS.md');
  const resultsFile = path.resolve(ROOT, process.env.BENCH_RESULTS ?? 'bench/results/latest.json');
  let results: BenchResults;
  if (process.env.BENCH_FROM_RESULTS) {
    results = JSON.parse(await readFile(path.resolve(ROOT, process.env.BENCH_FROM_RESULTS), 'utf8')) as BenchResults;
  } else {
    results = await measure();
    if (process.env.BENCH_MERGE) results = await mergeInto(path.resolve(ROOT, process.env.BENCH_MERGE), results);
    const beforeFile = process.env.BENCH_COLDSTART_BEFORE ?? beforeRunFile();
    if (beforeFile && results.coldStart) results = { ...results, coldStartBefore: await coldStartBefore(path.resolve(ROOT, beforeFile)) };
    await mkdir(path.dirname(resultsFile), { recursive: true });
    await writeFile(resultsFile, `${JSON.stringify(results, null, 1)}\n`);
    log(`Raw results: ${path.relative(ROOT, resultsFile)}`);
  }
  const baselineFile = path.resolve(ROOT, process.env.BENCH_BASELINE ?? 'bench/results/baseline-c0c92d0.json');
  const baseline = await readFile(baselineFile, 'utf8').then(
    (text) => JSON.parse(text) as BenchResults,
    () => undefined,
  );
  const before = await readFile(beforeRunFile(), 'utf8').then(
    (text) => JSON.parse(text) as BenchResults,
    () => undefined,
  );
  const { markdown, charts } = renderReport({ ...results, ...(baseline && { baseline }), ...(before && { before }) });
  const chartDir = path.join(path.dirname(output), 'benchmarks');
  await mkdir(chartDir, { recursive: true });
  for (const [name, svg] of Object.entries(charts)) await writeFile(path.join(chartDir, name), svg);
  await writeFile(output, markdown);
  log(`Wrote ${path.relative(ROOT, output)} and ${Object.keys(charts).length} chart(s) in ${path.relative(ROOT, chartDir)}/`);
}

function beforeRunFile(): string {
  return path.resolve(ROOT, process.env.BENCH_BEFORE ?? 'bench/results/before-step16-c3d0711.json');
}

/**
 * A run of some sections laid over a saved run: its sections replace the saved ones, the rest
 * and the saved machine facts and settings stay (each merged section states its own load).
 */
async function mergeInto(file: string, measured: BenchResults): Promise<BenchResults> {
  return mergeResults(JSON.parse(await readFile(file, 'utf8')) as BenchResults, measured);
}

/** The cold-start section of another run's results file, with the commit and date it was measured at. */
async function coldStartBefore(file: string): Promise<ColdStartBefore> {
  const earlier = JSON.parse(await readFile(file, 'utf8')) as BenchResults;
  if (!earlier.coldStart) throw new Error(`BENCH_COLDSTART_BEFORE: ${file} has no cold-start section`);
  return { commit: earlier.machine.commit, date: earlier.machine.date, loadAverage: earlier.machine.loadAverageBefore[0], coldStart: earlier.coldStart };
}

async function measure(): Promise<BenchResults> {
  // Every temporary directory of the run (stores, bundles, peers' state, profiles) goes under one
  // root, inherited by the workers through TMPDIR, and is removed at the end.
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'certstep-bench-'));
  process.env.TMPDIR = scratch;
  try {
    return await measureSections();
  } finally {
    await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
  }
}

async function measureSections(): Promise<BenchResults> {
  const sections = envList('BENCH_SECTIONS', ['throughput', 'cost', 'coldstart', 'simulate', 'cli', 'template']);
  const machine = machineFacts();
  log(`certstep bench on ${machine.cpu} (${machine.cores} cores), Node ${machine.node}, commit ${machine.commit.slice(0, 10)}`);
  const started = Date.now();
  let throughput: ThroughputResult | undefined;
  let cost: CostResult | undefined;
  let coldStart: ColdStartResult | undefined;
  let simulation: SimulationReport | undefined;
  let cli: CliResult | undefined;
  let template: TemplateSize[] | undefined;

  if (sections.includes('throughput')) {
    const ca = await startBenchCa();
    try {
      throughput = await runThroughput(ca, {
        sizes: envList('BENCH_SIZES', ['1', '20', '100']).map(Number),
        runs: envInt('BENCH_RUNS', 3),
        whatIfRuns: envInt('BENCH_WHATIF_RUNS', 1),
        peerNames: envList('BENCH_PEERS', ['certbot', 'lego', 'dehydrated', 'uacme']),
        peerSizes: envList('BENCH_PEER_SIZES', ['1', '20']).map(Number),
        peerRuns: envInt('BENCH_PEER_RUNS', 3),
        peerRepeatSeconds: envInt('BENCH_PEER_REPEAT_SECONDS', 30),
        peerBudgetSeconds: envInt('BENCH_PEER_BUDGET_SECONDS', 300),
        profileSize: envInt('BENCH_PROFILE_SIZE', 20),
        log,
      });
    } finally {
      await ca.stop();
    }
  }
  if (sections.includes('cost')) cost = await runCost({ log });
  if (sections.includes('coldstart'))
    coldStart = await runColdStart({
      runs: envInt('BENCH_IMPORT_RUNS', 7),
      log,
      ...(process.env.BENCH_COLDSTART_PAIRED && { pairedWith: process.env.BENCH_COLDSTART_PAIRED }),
    });
  if (sections.includes('simulate')) {
    const options = {
      seed: envInt('BENCH_SIMULATE_SEED', 1),
      certificates: envInt('BENCH_SIMULATE_CERTIFICATES', 200),
      days: envInt('BENCH_SIMULATE_DAYS', 730),
      keepTrails: 3,
    };
    log(`Lifetime simulator: ${options.certificates} certificates over ${options.days} days, seed ${options.seed}`);
    simulation = await simulate(options);
  }
  if (sections.includes('cli')) {
    const ca = await startBenchCa();
    try {
      cli = await runCli(ca, { runs: envInt('BENCH_CLI_RUNS', 7), withSource: envInt('BENCH_CLI_SOURCE', 1) !== 0, log });
    } finally {
      await ca.stop();
    }
  }
  if (sections.includes('template')) {
    // Imported here: the CDK app is a heavy import that the other sections do not need.
    const { measureTemplate } = await import('./template-size.js');
    template = [];
    for (const n of envList('BENCH_TEMPLATE_SIZES', ['1', '100', '1000', '10000']).map(Number)) {
      log(`Template: synthesising the stack for ${n} certificate(s)`);
      template.push(measureTemplate(n));
    }
  }
  const finished = Date.now();
  const settings = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name, value]) => name.startsWith('BENCH_') && value !== undefined && !['BENCH_OUTPUT', 'BENCH_RESULTS', 'BENCH_FROM_RESULTS'].includes(name),
    ),
  ) as Record<string, string>;
  return {
    settings,
    machine: { ...machine, loadAverageAfter: os.loadavg().map((value) => Number(value.toFixed(2))), benchSeconds: Math.round((finished - started) / 1000) },
    ...(throughput && { throughput }),
    ...(cost && { cost }),
    ...(coldStart && { coldStart }),
    ...(simulation && { simulation }),
    ...(cli && { cli }),
    ...(template && { template }),
  };
}

function machineFacts(): MachineFacts {
  const cpus = os.cpus();
  const commit = tryRun('git', ['rev-parse', 'HEAD']);
  const dirty = tryRun('git', ['status', '--porcelain', '--untracked-files=no']) !== '';
  return {
    date: new Date().toISOString(),
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    os: `${tryRun('sh', ['-c', '. /etc/os-release && echo "$PRETTY_NAME"']) || os.type()}, kernel ${os.release()}`,
    node: process.versions.node,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format placeholder, not a template
    pebble: tryRun('dpkg-query', ['-W', '-f', '${Version}', 'pebble']) || 'unknown',
    commit: commit || 'unknown',
    dirtyTree: dirty,
    loadAverageBefore: os.loadavg().map((value) => Number(value.toFixed(2))),
    loadAverageAfter: [],
    benchSeconds: 0,
  };
}

function tryRun(file: string, args: string[]): string {
  try {
    return execFileSync(file, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
