/**
 * One measurement in a fresh Node process, so that peak memory (maxRSS) and CPU time belong
 * to that configuration alone, the way /usr/bin/time measures a peer client's process.
 *
 *   node --import tsx bench/worker.ts TASK.json   → one JSON line on stdout
 *
 * The timed region is the issuance itself; module loading is timed separately (moduleLoadMs)
 * and the parent also records the whole process's wall time.
 */
import { readFile } from 'node:fs/promises';
import type { CaEndpoint } from './lib/bench-ca.js';
import type { CaTrust, PollingOverride } from './certstep.js';
import type { FloorAccount, FloorPolling } from './floor.js';

export type WorkerTask =
  | {
      readonly kind: 'certstep';
      readonly ca: CaEndpoint;
      readonly storeDir: string;
      readonly prefix: string;
      readonly count: number;
      readonly trust: CaTrust;
      readonly polling?: PollingOverride;
      /** Issue one certificate untimed first, so the timed region sees a warm process (JIT, caches, connections). */
      readonly warmup?: boolean;
    }
  | {
      readonly kind: 'floor';
      readonly ca: CaEndpoint;
      readonly account: FloorAccount;
      readonly prefix: string;
      readonly count: number;
      readonly polling: FloorPolling;
      readonly warmup?: boolean;
    };

export interface WorkerCertificate {
  readonly wallMs: number;
  readonly ok: boolean;
  readonly error?: string;
  /** certstep: states entered; floor: order polls (validation + issuance). */
  readonly transitions?: number;
  readonly waitSecondsAsked?: number;
  readonly polls?: number;
  readonly msByState?: Record<string, number>;
}

export interface WorkerResult {
  readonly kind: WorkerTask['kind'];
  readonly count: number;
  readonly wallMs: number;
  readonly cpuUserMs: number;
  readonly cpuSystemMs: number;
  readonly maxRssKb: number;
  /** Resident memory just before the timed region: the cost of the loaded modules. */
  readonly rssBeforeKb: number;
  readonly moduleLoadMs: number;
  readonly failures: number;
  readonly certificates: WorkerCertificate[];
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: node --import tsx bench/worker.ts TASK.json');
  const task = JSON.parse(await readFile(file, 'utf8')) as WorkerTask | { kind: 'floor-account'; directoryUrl: string; caCertPem: string };
  if (task.kind === 'floor-account') {
    const { createFloorAccount, trustCa } = await import('./floor.js');
    trustCa(task.caCertPem);
    process.stdout.write(`${JSON.stringify(await createFloorAccount(task.directoryUrl))}\n`);
    return;
  }
  const loadStarted = performance.now();
  const run = task.kind === 'certstep' ? await prepareCertstep(task) : await prepareFloor(task);
  const moduleLoadMs = performance.now() - loadStarted;

  const rssBeforeKb = Math.round(process.memoryUsage().rss / 1024);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const certificates = await run();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const result: WorkerResult = {
    kind: task.kind,
    count: task.count,
    wallMs,
    cpuUserMs: used.user / 1000,
    cpuSystemMs: used.system / 1000,
    maxRssKb: process.resourceUsage().maxRSS,
    rssBeforeKb,
    moduleLoadMs,
    failures: certificates.filter((certificate) => !certificate.ok).length,
    certificates,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

async function prepareCertstep(task: Extract<WorkerTask, { kind: 'certstep' }>): Promise<() => Promise<WorkerCertificate[]>> {
  const { certificateNames, environmentFor, issueWithCertstep } = await import('./certstep.js');
  if (task.trust === 'node-extra-ca-certs' && !process.env.NODE_EXTRA_CA_CERTS)
    throw new Error('trust node-extra-ca-certs needs NODE_EXTRA_CA_CERTS set by the parent');
  const environment = environmentFor(task.ca, task.trust);
  const certificates = certificateNames(task.prefix, task.count);
  if (task.warmup) {
    await issueWithCertstep({ environment, storeDir: task.storeDir, certificates: certificateNames(`${task.prefix}-warm`, 1) });
  }
  return async () => {
    const results = await issueWithCertstep({
      environment,
      storeDir: task.storeDir,
      certificates,
      ...(task.polling && { polling: task.polling }),
    });
    return results.map((result) => ({
      wallMs: result.wallMs,
      ok: result.status === 'SUCCEEDED',
      ...(result.error && { error: result.error }),
      transitions: result.statesEntered.length,
      waitSecondsAsked: result.waitSecondsAsked,
      polls: result.statesEntered.filter((state) => state === 'PollAuthorizations' || state === 'PollFinalizedOrder').length,
      msByState: result.msByState,
    }));
  };
}

async function prepareFloor(task: Extract<WorkerTask, { kind: 'floor' }>): Promise<() => Promise<WorkerCertificate[]>> {
  const { FLOOR_POLLING, floorClient, issueOne, trustCa } = await import('./floor.js');
  trustCa(task.ca.caCertPem);
  const client = floorClient(task.ca.directoryUrl, task.account);
  if (task.warmup)
    await issueOne(client, [`${task.prefix}-warm.example.test`, `*.${task.prefix}-warm.example.test`], task.ca.challtestsrvUrl, FLOOR_POLLING[task.polling]);
  return async () =>
    Promise.all(
      Array.from({ length: task.count }, async (_, index) => {
        const apex = `${task.prefix}-b${index}.example.test`;
        const started = performance.now();
        try {
          const result = await issueOne(client, [apex, `*.${apex}`], task.ca.challtestsrvUrl, FLOOR_POLLING[task.polling]);
          return { wallMs: result.wallMs, ok: true, polls: result.validationPolls + result.issuancePolls };
        } catch (error) {
          return { wallMs: performance.now() - started, ok: false, error: String((error as Error).message).slice(0, 300) };
        }
      }),
    );
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
