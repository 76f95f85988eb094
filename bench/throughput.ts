/**
 * Section 1: issuance throughput. certstep (full local state machine), the acme-client floor
 * and the Debian peer clients issue 1, 20 and 100 apex + wildcard certificates against one
 * Pebble + challtestsrv. In-process contenders run in a fresh Node process per measurement
 * (bench/worker.ts); rounds interleave the configurations so that noise from other work on
 * the machine spreads over all of them instead of hitting one.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PollingOverride } from './certstep.js';
import type { FloorPolling } from './floor.js';
import { type BenchCa, endpointOf } from './lib/bench-ca.js';
import { createFloorAccountInChild, runWorker } from './lib/child.js';
import { type ProfileBreakdown, breakdownOf } from './lib/profile.js';
import { max, median, sum } from './lib/stats.js';
import { PEERS, type PeerClient, type PeerContext, installPeers, peerVersion, preparePeer, timeProcess } from './peers.js';
import type { WorkerTask } from './worker.js';

export interface Measurement {
  /** The issuance itself (in-process: the timed region; peers: first process start to last exit). */
  readonly wallMs: number;
  /** Whole process(es), start-up included. */
  readonly processWallMs: number;
  readonly cpuMs: number;
  readonly maxRssKb: number;
  /** CPU Pebble + challtestsrv used meanwhile. */
  readonly serverCpuMs: number;
  readonly failures: number;
  readonly firstError?: string;
  readonly perCertificateWallMs: number[];
  /** certstep only: states entered per execution (median), and the Wait seconds asked for. */
  readonly transitions?: number;
  readonly waitSecondsAsked?: number;
  /** certstep: how many executions entered a Wait state with a non-zero wait. */
  readonly executionsThatWaited?: number;
  readonly polls?: number;
  readonly moduleLoadMs?: number;
  readonly rssBeforeKb?: number;
  readonly msByState?: Record<string, number>;
}

export interface ConfigurationResult {
  readonly id: string;
  readonly label: string;
  readonly group: 'certstep' | 'what-if' | 'floor' | 'peer';
  readonly count: number;
  readonly runs: Measurement[];
  /** Runs whose worker died or hung: not in the timings, counted as failed. */
  readonly crashed?: string[];
  readonly note?: string;
}

export interface PeerInfo {
  readonly name: string;
  readonly version: string;
  readonly settings: string;
  readonly problem?: string;
}

export interface ProfiledRun {
  readonly id: string;
  readonly count: number;
  readonly wallMs: number;
  readonly breakdown: ProfileBreakdown;
}

export interface ThroughputResult {
  readonly sizes: number[];
  readonly configurations: ConfigurationResult[];
  readonly peers: PeerInfo[];
  /** One extra, untimed-for-the-tables run per listed configuration under node --cpu-prof. */
  readonly profiles: ProfiledRun[];
  /** Why Pebble had to be restarted during the run, if it did. */
  readonly pebbleRestarts?: string[];
}

interface InProcessConfiguration {
  readonly id: string;
  readonly label: string;
  readonly group: 'certstep' | 'what-if' | 'floor';
  readonly runs: number;
  task(prefix: string, count: number): WorkerTask;
  readonly env?: Record<string, string>;
  /** Only these sizes (default: all). */
  readonly sizes?: number[];
}

export interface ThroughputOptions {
  readonly sizes: number[];
  readonly runs: number;
  readonly whatIfRuns: number;
  readonly peerNames: string[];
  readonly peerSizes: number[];
  readonly peerRuns: number;
  /** A peer's run of a size is repeated (up to peerRuns) only when one run takes less than this many seconds. */
  readonly peerRepeatSeconds: number;
  /** A peer's run of a size is skipped when one run would take longer than this many seconds. */
  readonly peerBudgetSeconds: number;
  /** Size of the profiled runs (0: none). */
  readonly profileSize: number;
  readonly log: (line: string) => void;
}

/**
 * Where a Pebble that stopped answering is stuck, from its goroutine dump (it exits after it):
 * whether it is the client or the CA is then on record, not guessed.
 */
async function stallOf(ca: BenchCa): Promise<string> {
  try {
    const { directory, waits } = await ca.acme.diagnoseStall();
    const where = waits.where
      .slice(0, 3)
      .map(({ frame, goroutines }) => `${frame} ${goroutines}`)
      .join(', ');
    return `Pebble then: directory ${directory}; ${waits.waitingOnLocks} of ${waits.goroutines} goroutines waiting on a lock${where ? ` (${where})` : ''}`;
  } catch (error) {
    return `Pebble could not be diagnosed: ${(error as Error).message.slice(0, 120)}`;
  }
}

/** What-if polling: no waits at all between looks (Wait states with 0 s); not certstep's behaviour. */
const NO_WAIT_POLLING: PollingOverride = {
  validationPolling: { initialWaitSeconds: 0, intervalSeconds: 0, maxAttempts: 2000 },
  issuancePolling: { initialWaitSeconds: 0, intervalSeconds: 0, maxAttempts: 2000 },
};

export async function runThroughput(ca: BenchCa, options: ThroughputOptions): Promise<ThroughputResult> {
  const { log } = options;
  const endpoint = endpointOf(ca);
  const storeDir = await mkdtemp(path.join(tmpdir(), 'certstep-bench-store-'));
  const extraCa = { NODE_EXTRA_CA_CERTS: ca.caCertFile };

  log('Warm-up: certstep registers its ACME account in the shared store; the floor registers its own');
  let warmups = 0;
  const warmUp = async () => {
    // After a Pebble restart the stored account is unknown to it: certstep's gateway re-registers cleanly.
    await runWorker({ kind: 'certstep', ca: endpoint, storeDir, prefix: `warmup${warmups++}`, count: 1, trust: 'bundle' });
    return createFloorAccountInChild(ca.directoryUrl, ca.caCertPem);
  };
  let account = await warmUp();
  const pebbleRestarts: string[] = [];

  const floor =
    (polling: FloorPolling, warmup = false) =>
    (prefix: string, count: number): WorkerTask => ({ kind: 'floor', ca: endpoint, account, prefix, count, polling, warmup });
  const certstep =
    (trust: 'bundle' | 'node-extra-ca-certs', extra: Partial<Extract<WorkerTask, { kind: 'certstep' }>> = {}) =>
    (prefix: string, count: number): WorkerTask => ({ kind: 'certstep', ca: endpoint, storeDir, prefix, count, trust, ...extra });
  const configurations: InProcessConfiguration[] = [
    {
      id: 'certstep',
      label: 'certstep, as `certstep local` runs it (CA bundle in the issuer config)',
      group: 'certstep',
      runs: options.runs,
      task: certstep('bundle'),
    },
    {
      id: 'certstep-extra-ca',
      label: 'certstep, CA trusted through NODE_EXTRA_CA_CERTS (no caBundlePem: the code path of a public CA on AWS)',
      group: 'certstep',
      runs: options.runs,
      task: certstep('node-extra-ca-certs'),
      env: extraCa,
    },
    { id: 'floor-same', label: 'floor: acme-client, same polling as certstep (0 s, then every 1 s)', group: 'floor', runs: options.runs, task: floor('same') },
    // Not at 100: 100 orders polled every 50 ms is ~2,000 requests/s, and Pebble 2.4 stopped answering signed requests after it twice.
    {
      id: 'floor-tight',
      label: 'floor: acme-client, tight polling (0 s, then every 50 ms)',
      group: 'floor',
      runs: options.runs,
      sizes: [1, 20],
      task: floor('tight'),
    },
    {
      id: 'certstep-warm',
      label: 'certstep as shipped, second execution in a warm process (one untimed execution first)',
      group: 'certstep',
      runs: options.runs,
      sizes: [1],
      task: certstep('bundle', { warmup: true }),
    },
    {
      id: 'floor-warm',
      label: 'floor, same polling, second certificate in a warm process',
      group: 'floor',
      runs: options.runs,
      sizes: [1],
      task: floor('same', true),
    },
    {
      id: 'whatif-no-wait',
      label: 'what-if: certstep with 0 s Wait states between polls (runLocal `polling` option), not its shipped waits',
      group: 'what-if',
      runs: options.whatIfRuns,
      // Polling only matters where executions might wait; at 100 the run is CPU-bound anyway.
      sizes: [1, 20],
      task: certstep('bundle', { polling: NO_WAIT_POLLING }),
    },
  ];

  const results = new Map<string, Measurement[]>();
  const crashes = new Map<string, string[]>();
  const rounds = Math.max(...configurations.map((configuration) => configuration.runs));
  for (let round = 1; round <= rounds; round++) {
    for (const count of options.sizes) {
      for (const configuration of configurations) {
        if (round > configuration.runs || (configuration.sizes && !configuration.sizes.includes(count))) continue;
        const prefix = `${configuration.id.replace(/[^a-z0-9]/g, '')}-r${round}-n${count}`;
        const before = ca.serverCpuSeconds();
        const key = `${configuration.id}@${count}`;
        let child: Awaited<ReturnType<typeof runWorker>> | undefined;
        for (let attempt = 1; ; attempt++) {
          let problem: string | undefined;
          try {
            // A retry issues for names of its own: the failed attempt's names have ledger records
            // with a backoff, and a run that only finds that backoff is no measurement.
            child = await runWorker(configuration.task(attempt === 1 ? prefix : `${prefix}-a${attempt}`, count), configuration.env);
            if (child.result.failures === count)
              problem = `every certificate failed: ${child.result.certificates.find((certificate) => certificate.error)?.error ?? 'unknown'}`;
          } catch (error) {
            problem = (error as Error).message.slice(0, 300);
          }
          if (!problem) break;
          crashes.set(key, [...(crashes.get(key) ?? []), problem]);
          log(`round ${round} ${configuration.id} n=${count}: FAILED ${problem.slice(0, 160)}`);
          child = undefined;
          // Three attempts: at 100 certificates a fresh Pebble has wedged again at once (2026-12-01),
          // and a round without its measurement weakens every median of that row.
          if (attempt >= 3) break;
          // Pebble 2.4 can stop answering signed requests under load: the lock of its in-memory
          // store stays taken (a dump on 2026-12-01: 579 of 590 goroutines waiting on it, none
          // inside it, while GET /dir answered in 6 ms). A fresh Pebble and fresh accounts let
          // the run go on, and the measurement is taken again.
          log('Restarting Pebble (it forgets all accounts) and warming up again');
          pebbleRestarts.push(`before round ${round} ${configuration.id} n=${count}: ${problem.slice(0, 200)}; ${await stallOf(ca)}`);
          await ca.restartPebble();
          account = await warmUp();
        }
        if (!child) continue;
        const { result, processWallMs } = child;
        const serverCpuMs = (ca.serverCpuSeconds() - before) * 1000;
        const walls = result.certificates.map((certificate) => certificate.wallMs);
        const measurement: Measurement = {
          wallMs: result.wallMs,
          processWallMs,
          cpuMs: result.cpuUserMs + result.cpuSystemMs,
          maxRssKb: result.maxRssKb,
          serverCpuMs,
          failures: result.failures,
          ...(result.certificates.find((certificate) => certificate.error)?.error && {
            firstError: result.certificates.find((certificate) => certificate.error)?.error,
          }),
          perCertificateWallMs: walls,
          moduleLoadMs: result.moduleLoadMs,
          rssBeforeKb: result.rssBeforeKb,
          ...(result.kind === 'certstep' && {
            transitions: median(result.certificates.map((certificate) => certificate.transitions ?? 0)),
            waitSecondsAsked: median(result.certificates.map((certificate) => certificate.waitSecondsAsked ?? 0)),
            executionsThatWaited: result.certificates.filter((certificate) => (certificate.waitSecondsAsked ?? 0) > 0).length,
            msByState: medianByState(result.certificates.map((certificate) => certificate.msByState ?? {})),
          }),
          polls: median(result.certificates.map((certificate) => certificate.polls ?? 0)),
        };
        results.set(key, [...(results.get(key) ?? []), measurement]);
        log(
          `round ${round} ${configuration.id.padEnd(22)} n=${String(count).padStart(3)}: ${(result.wallMs / 1000).toFixed(2)} s wall, ` +
            `${((result.cpuUserMs + result.cpuSystemMs) / 1000).toFixed(2)} s CPU, ${(result.maxRssKb / 1024).toFixed(0)} MB, ${result.failures} failed`,
        );
      }
    }
  }

  const out: ConfigurationResult[] = [];
  for (const configuration of configurations) {
    for (const count of options.sizes) {
      if (configuration.sizes && !configuration.sizes.includes(count)) continue;
      const key = `${configuration.id}@${count}`;
      out.push({
        id: configuration.id,
        label: configuration.label,
        group: configuration.group,
        count,
        runs: results.get(key) ?? [],
        ...(crashes.has(key) && { crashed: crashes.get(key) }),
      });
    }
  }
  const profiles: ProfiledRun[] = [];
  if (options.profileSize > 0) {
    for (const id of ['certstep', 'certstep-extra-ca', 'floor-same']) {
      const configuration = configurations.find((candidate) => candidate.id === id);
      if (!configuration) continue;
      const dir = await mkdtemp(path.join(tmpdir(), `certstep-bench-profile-${id}-`));
      let result: Awaited<ReturnType<typeof runWorker>>['result'];
      let breakdown: Awaited<ReturnType<typeof breakdownOf>>;
      try {
        ({ result } = await runWorker(
          configuration.task(`prof${id.replace(/[^a-z0-9]/g, '')}-n${options.profileSize}`, options.profileSize),
          configuration.env,
          ['--cpu-prof', `--cpu-prof-dir=${dir}`],
        ));
        breakdown = await breakdownOf(dir);
      } catch (error) {
        log(`profiling ${id} failed: ${(error as Error).message.slice(0, 200)}`);
        continue;
      }
      profiles.push({ id, count: options.profileSize, wallMs: result.wallMs, breakdown });
      log(
        `profiled ${id} n=${options.profileSize}: ${breakdown.categories
          .slice(0, 3)
          .map((category) => `${category.name} ${category.ms.toFixed(0)} ms`)
          .join(', ')}`,
      );
    }
  }
  // The peers register their own accounts; make sure Pebble still answers signed requests first.
  try {
    await createFloorAccountInChild(ca.directoryUrl, ca.caCertPem);
  } catch (error) {
    log(`Pebble does not answer signed requests (${(error as Error).message.slice(0, 120)}); restarting it before the peers`);
    pebbleRestarts.push(`before the peers: ${(error as Error).message.slice(0, 200)}; ${await stallOf(ca)}`);
    await ca.restartPebble();
  }
  const peerResults = await runPeers(ca, options);
  return { sizes: options.sizes, configurations: [...out, ...peerResults.configurations], peers: peerResults.peers, profiles, pebbleRestarts };
}

function medianByState(all: Record<string, number>[]): Record<string, number> {
  const states = new Set(all.flatMap((entry) => Object.keys(entry)));
  return Object.fromEntries([...states].map((state) => [state, median(all.map((entry) => entry[state] ?? 0))]));
}

async function runPeers(ca: BenchCa, options: ThroughputOptions): Promise<{ configurations: ConfigurationResult[]; peers: PeerInfo[] }> {
  const { log } = options;
  const chosen = PEERS.filter((peer) => options.peerNames.includes(peer.name));
  if (chosen.length === 0) return { configurations: [], peers: [] };
  const problems = installPeers(chosen, log);
  const root = await mkdtemp(path.join(tmpdir(), 'certstep-bench-peers-'));
  const configurations: ConfigurationResult[] = [];
  const peers: PeerInfo[] = [];
  const endpoint = endpointOf(ca);
  for (const peer of chosen) {
    let problem = problems.get(peer.name) ?? peer.unusable?.({ ca: endpoint, dir: root });
    let ctx: PeerContext | undefined;
    if (!problem) {
      try {
        log(`Peer ${peer.name}: setting up (account registration, untimed)`);
        ctx = await preparePeer(peer, endpoint, root);
      } catch (error) {
        problem = `setup failed: ${(error as Error).message.slice(0, 300)}`;
      }
    }
    peers.push({ name: peer.name, version: peerVersion(peer), settings: peer.settings, ...(problem && { problem }) });
    if (problem || !ctx) {
      log(`Peer ${peer.name}: skipped, ${problem}`);
      continue;
    }
    let perCertificateMs = Number.NaN;
    for (const count of options.peerSizes) {
      // Slow peers get fewer runs of the big sizes, so the whole bench stays bounded.
      const estimate = Number.isFinite(perCertificateMs) ? (perCertificateMs * count) / 1000 : 0;
      // Slow peers run a big size once (or not at all past the budget), so the whole bench stays bounded.
      const runs = estimate > options.peerBudgetSeconds ? 0 : estimate > options.peerRepeatSeconds ? 1 : options.peerRuns;
      if (runs === 0) {
        log(`peer ${peer.name} n=${count}: skipped, one run would take ~${Math.round(estimate)} s (BENCH_PEER_BUDGET_SECONDS=${options.peerBudgetSeconds})`);
        configurations.push({
          id: `peer-${peer.name}`,
          label: `${peer.name} ${peerVersion(peer)} (one process per certificate, sequential)`,
          group: 'peer',
          count,
          runs: [],
          note: `not run: one run would take ~${Math.round(estimate)} s, over BENCH_PEER_BUDGET_SECONDS=${options.peerBudgetSeconds}`,
        });
        continue;
      }
      const measurements: Measurement[] = [];
      for (let round = 1; round <= runs; round++) {
        const measurement = await runPeerSequence(peer, ctx, ca, `${peer.name}-r${round}-n${count}`, count);
        measurements.push(measurement);
        log(
          `peer ${peer.name.padEnd(10)} n=${String(count).padStart(3)} run ${round}/${runs}: ${(measurement.wallMs / 1000).toFixed(2)} s wall, ` +
            `${(measurement.cpuMs / 1000).toFixed(2)} s CPU, ${measurement.failures} failed`,
        );
        if (measurement.failures === count) break;
      }
      perCertificateMs = median(measurements.map((measurement) => measurement.wallMs / count));
      configurations.push({
        id: `peer-${peer.name}`,
        label: `${peer.name} ${peerVersion(peer)} (one process per certificate, sequential)`,
        group: 'peer',
        count,
        runs: measurements,
        ...(runs < options.peerRuns && { note: `${runs} run${runs === 1 ? '' : 's'} instead of ${options.peerRuns}: ~${Math.round(estimate)} s per run` }),
      });
    }
  }
  return { configurations, peers };
}

/** The documented way: one process per certificate, one after the other. */
async function runPeerSequence(peer: PeerClient, ctx: PeerContext, ca: BenchCa, prefix: string, count: number): Promise<Measurement> {
  const before = ca.serverCpuSeconds();
  const started = performance.now();
  const processes = [];
  for (let index = 0; index < count; index++) {
    processes.push(await timeProcess(peer.issue(ctx, `${prefix}-b${index}.example.test`)));
  }
  const wallMs = performance.now() - started;
  const failed = processes.filter((process) => !process.ok);
  return {
    wallMs,
    processWallMs: wallMs,
    cpuMs: sum(processes.map((process) => process.cpuMs)),
    maxRssKb: max(processes.map((process) => process.maxRssKb)),
    serverCpuMs: (ca.serverCpuSeconds() - before) * 1000,
    failures: failed.length,
    ...(failed[0]?.error && { firstError: failed[0].error }),
    perCertificateWallMs: processes.map((process) => process.wallMs),
  };
}
