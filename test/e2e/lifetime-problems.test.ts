/**
 * The problems that unfold across runs, each as it was found (issue "nothing is lost over a
 * certificate's lifetime"), against real Pebble and the real state machine: outputs that drift
 * after a failure, a schedule that is lost, a failure counted twice, an order placed again after
 * a crash, a Retry-After ignored, an aborted run that leaves its TXT values and its claim.
 */
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepLocalRun } from '../../cli/local/runner.js';
import { FileCertificateImporter } from '../../functions/adapters/file-importer.js';
import { FileRenewalScheduler } from '../../functions/adapters/file-scheduler.js';
import { FileRunLedger } from '../../functions/adapters/file-ledger.js';
import { AcmImportRefused, AcmeRateLimited, SchedulerUnavailable, StoreUnavailable } from '../../functions/core/errors.js';
import type { AcmeGateway } from '../../functions/ports/acme-gateway.js';
import type { LedgerEntry } from '../../functions/ports/run-ledger.js';
import type { ScheduledRenewal } from '../../functions/ports/renewal-scheduler.js';
import { publishingWrongValues } from '../support/dns-faults.js';
import { recordingAcme } from '../support/faults/acme.js';
import { haltHere } from '../support/faults/halt.js';
import { retriedStates, timesEntered } from '../support/faults/invariants.js';
import { type TestCa, newStore, readStored, spec, startTestCa, statesEntered } from '../support/local-ca.js';

let ca: TestCa;
beforeAll(async () => {
  ca = await startTestCa({ pebbleEnv: { PEBBLE_AUTHZREUSE: '0' } });
});
afterAll(async () => {
  await ca?.stop();
});

const readJson = async <T>(file: string): Promise<T> => JSON.parse(await readFile(file, 'utf8')) as T;
const ledgerOf = (storeDir: string, name: string) => readJson<LedgerEntry>(path.join(storeDir, 'ledger', `${name}.json`));
const scheduleOf = (storeDir: string, name: string) => readJson<ScheduledRenewal>(path.join(storeDir, 'schedules', `${name}.json`));
const acmCopyOf = (storeDir: string, name: string, region = 'us-east-1') =>
  readJson<{ arn: string; serialNumber: string; notAfter: string }>(path.join(storeDir, 'acm', region, `${name}.json`)).catch(() => undefined);
const withAcm = (name: string) => spec(name, [`${name}.example.test`], { acm: { regions: ['us-east-1'] } });

describe('ACM drift', () => {
  it('an import that failed after the certificate was stored is repaired by the next run, without ordering', async () => {
    // Prepare: ImportToAcm is refused for good on the first run.
    const storeDir = await newStore();
    const input = withAcm('drift');
    const refusing = (region: string) =>
      Object.assign(new FileCertificateImporter(storeDir, region), {
        import: async () => {
          throw new AcmImportRefused('injected: ACM ImportCertificate was refused (AccessDeniedException)');
        },
      });
    const failed = await ca.run(input, { storeDir, dependencies: { acmImporter: refusing } });
    const stored = await readStored(failed.certificatePath);

    // Act: any later run (the daily sweep's, a schedule's, an operator's).
    const orders = recordingAcme(ca.environment, storeDir);
    const next = await ca.run(input, { storeDir, dependencies: { acme: orders.acme } });

    // Assess
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('AcmImportRefused');
    expect(next.status, next.cause).toBe('SUCCEEDED');
    expect(next.output?.renewal).toMatchObject({ due: false, repair: true, reason: 'OutputsOutOfSync' });
    expect(statesEntered(next).at(-1)).toBe('OutputsRepaired');
    expect(orders.calls.createOrder).toBe(0);
    expect(await acmCopyOf(storeDir, 'drift')).toMatchObject({ serialNumber: stored.serialNumber.replace(/^0+/, ''), notAfter: stored.notAfter });
    expect((await readStored(next.certificatePath)).serialNumber).toBe(stored.serialNumber);
  });

  it('adding acm to a certificate that already exists imports it at the next run', async () => {
    // Prepare
    const storeDir = await newStore();
    const first = await ca.run(spec('added', ['added.example.test']), { storeDir });
    const stored = await readStored(first.certificatePath);

    // Act
    const next = await ca.run(withAcm('added'), { storeDir });

    // Assess
    expect(next.status, next.cause).toBe('SUCCEEDED');
    expect(next.output?.renewal?.reason).toBe('OutputsOutOfSync');
    expect(timesEntered(next, 'CreateOrder')).toBe(0);
    expect((await acmCopyOf(storeDir, 'added'))?.serialNumber).toBe(stored.serialNumber.replace(/^0+/, ''));
  });
});

describe('the renewal schedule', () => {
  it('is kept at the new renewal time when a step after StoreCertificate fails, not replaced by a retry', async () => {
    // Prepare
    const storeDir = await newStore();
    const refusing = (region: string) =>
      Object.assign(new FileCertificateImporter(storeDir, region), {
        import: async () => {
          throw new AcmImportRefused('injected: refused');
        },
      });

    // Act
    const failed = await ca.run(withAcm('keep'), { storeDir, dependencies: { acmImporter: refusing } });

    // Assess
    const stored = await readStored(failed.certificatePath);
    expect(failed.status).toBe('FAILED');
    expect((await scheduleOf(storeDir, 'keep')).at).toBe(stored.renewalTime);
    expect(await ledgerOf(storeDir, 'keep')).toMatchObject({ consecutiveFailures: 0, lastError: { error: 'AcmImportRefused' } });
    expect((await ledgerOf(storeDir, 'keep')).nextAttemptAfter).toBeUndefined();
  });

  it('is recreated by the next run when it is missing, without ordering', async () => {
    // Prepare
    const storeDir = await newStore();
    const first = await ca.run(spec('lost', ['lost.example.test']), { storeDir });
    const stored = await readStored(first.certificatePath);
    await rm(path.join(storeDir, 'schedules', 'lost.json'));

    // Act
    const next = await ca.run(spec('lost', ['lost.example.test']), { storeDir });

    // Assess
    expect(next.status, next.cause).toBe('SUCCEEDED');
    expect(next.output?.renewal?.reason).toBe('ScheduleMissing');
    expect(statesEntered(next)).toEqual([
      'CheckRenewal',
      'IsRenewalDue',
      'ShouldImportToAcm',
      'ScheduleRenewal',
      'CleanUp',
      'IssuedOrRepaired',
      'PublishOutputsRepaired',
      'OutputsRepaired',
    ]);
    expect(await scheduleOf(storeDir, 'lost')).toMatchObject({ at: stored.renewalTime, kind: 'renewal' });
  });
});

describe('failure bookkeeping', () => {
  it('counts one failure once when the clean-up that records it is retried', async () => {
    // Prepare: a refused validation; the retry schedule fails to save the first time only.
    const storeDir = await newStore();
    const scheduler = new FileRenewalScheduler(storeDir);
    let refusals = 0;
    const flaky = Object.assign(Object.create(scheduler) as FileRenewalScheduler, {
      schedule: async (renewal: ScheduledRenewal) => {
        // The run fails before ScheduleRenewal: the only schedule it writes is the retry.
        if (refusals++ === 0) throw new SchedulerUnavailable('injected: ThrottlingException');
        return scheduler.schedule(renewal);
      },
    });

    // Act
    const failed = await ca.run(spec('once', ['once.example.test']), { storeDir, dependencies: { scheduler: flaky }, wrapDns: publishingWrongValues });

    // Assess
    expect(failed.error).toBe('AcmeOrderInvalid');
    expect(refusals).toBeGreaterThanOrEqual(1);
    const entry = await ledgerOf(storeDir, 'once');
    expect(entry.consecutiveFailures).toBe(1);
    expect((await scheduleOf(storeDir, 'once')).at).toBe(entry.nextAttemptAfter);
  });

  it('FailedWithoutCleanUp keeps the original error and says why the clean-up failed', async () => {
    // Prepare: the run ledger refuses every write from the moment the order exists.
    const storeDir = await newStore();
    const ledger = new FileRunLedger(storeDir);
    const broken = Object.assign(Object.create(ledger) as FileRunLedger, {
      finish: async () => {
        throw new StoreUnavailable('injected: DynamoDB PutItem failed: Service Unavailable');
      },
    });
    const rateLimited = recordingAcme(ca.environment, storeDir, () => ({
      acceptChallenge: async () => {
        throw new AcmeRateLimited('accept challenge: rate limited by the CA: too many requests', 60);
      },
    }));

    // Act
    const failed = await ca.run(spec('both', ['both.example.test']), { storeDir, dependencies: { ledger: broken, acme: rateLimited.acme } });

    // Assess
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('AcmeRateLimited');
    expect(failed.cause).toContain('too many requests');
    expect(failed.cause).toContain('Clean-up failed too');
    expect(failed.cause).toContain('StoreUnavailable');
    expect(statesEntered(failed).at(-1)).toBe('FailedWithoutCleanUp');
  });
});

describe('an execution that ends without its clean-up (aborted, timed out)', () => {
  it('is swept: its TXT values removed, its claim released, its failure recorded once; the next run resumes its order with no second order or finalize', async () => {
    // Prepare: abort the execution at its first look at the order after Finalize has sent the CSR.
    const storeDir = await newStore();
    const input = spec('crashed', ['crashed.example.test', '*.crashed.example.test']);
    const stop = new AbortController();
    let finalized = false;
    const first = recordingAcme(ca.environment, storeDir, (real) => ({
      finalizeOrder: async (...args: Parameters<AcmeGateway['finalizeOrder']>) => {
        const order = await real.finalizeOrder(...args);
        finalized = true;
        return order;
      },
      getOrder: (url: string) => (finalized ? haltHere(stop) : real.getOrder(url)),
    }));
    const options = { input, storeDir, environment: ca.environment, signal: stop.signal, dependencies: { acme: first.acme } };
    const aborted = await ca.run(input, options);
    const leftBehind = await ca.txtValues('_acme-challenge.crashed.example.test');

    // Act: the sweeper runs for it (on AWS, the status-change rule), twice, as an at-least-once event would.
    const swept = await sweepLocalRun(aborted, options);
    const sweptAgain = await sweepLocalRun(aborted, options);
    const afterSweep = await ledgerOf(storeDir, 'crashed');
    const second = recordingAcme(ca.environment, storeDir);
    const next = await ca.run({ ...input, force: true }, { storeDir, dependencies: { acme: second.acme } });

    // Assess
    expect(aborted.status).toBe('ABORTED');
    expect(first.calls).toMatchObject({ createOrder: 1, finalizeOrder: 1 });
    expect(leftBehind).toHaveLength(2);
    expect(swept).toMatchObject({ swept: true, certificate: 'crashed', removed: 2, error: 'ExecutionAborted' });
    expect(sweptAgain).toMatchObject({ swept: false });
    expect(await ca.txtValues('_acme-challenge.crashed.example.test')).toEqual([]);
    expect(afterSweep.activeRun).toBeUndefined();
    expect(afterSweep.consecutiveFailures).toBe(1);
    expect(afterSweep.order?.pendingKeyVersion).toMatch(/^[0-9a-f]{32}$/);
    expect(next.status, next.cause).toBe('SUCCEEDED');
    expect(next.output?.order).toMatchObject({ resumed: true });
    expect(second.calls).toMatchObject({ createOrder: 0, finalizeOrder: 0 });
    expect(await readdir(path.join(storeDir, 'pending', 'crashed')).catch(() => [])).toEqual([]);
    expect((await ledgerOf(storeDir, 'crashed')).order).toBeUndefined();
  });
});

describe("the CA's Retry-After", () => {
  it('is honoured: a rate limit is not retried inside the run, and the next attempt is scheduled no earlier than it asks', async () => {
    // Prepare
    const storeDir = await newStore();
    const limited = recordingAcme(ca.environment, storeDir, () => ({
      createOrder: async () => {
        throw new AcmeRateLimited('newOrder: rate limited by the CA: too many new orders recently (rateLimited, HTTP 429)', 3 * 3600);
      },
    }));
    const before = Date.now();

    // Act
    const failed = await ca.run(spec('later', ['later.example.test']), { storeDir, dependencies: { acme: limited.acme } });

    // Assess
    expect(failed.error).toBe('AcmeRateLimited');
    expect(retriedStates(failed)).toEqual([]);
    expect(limited.calls.createOrder).toBe(1);
    const entry = await ledgerOf(storeDir, 'later');
    const next = new Date(entry.nextAttemptAfter ?? 0).getTime();
    expect(next).toBeGreaterThanOrEqual(before + 3 * 3600_000);
    expect(await scheduleOf(storeDir, 'later')).toMatchObject({ at: entry.nextAttemptAfter, kind: 'retry' });
  });
});

describe('a run that only repaired outputs', () => {
  it('ends in OutputsRepaired, apart from Issued and UpToDate, and a second run finds nothing to do', async () => {
    // Prepare
    const storeDir = await newStore();
    await ca.run(spec('tidy', ['tidy.example.test']), { storeDir });
    await writeFile(path.join(storeDir, 'schedules', 'tidy.json'), JSON.stringify({ certificateName: 'tidy', at: '2020-01-01T00:00:00.000Z', input: {} }));

    // Act
    const repaired = await ca.run(spec('tidy', ['tidy.example.test']), { storeDir });
    const quiet = await ca.run(spec('tidy', ['tidy.example.test']), { storeDir });

    // Assess
    expect(repaired.output?.renewal?.reason).toBe('ScheduleOutOfDate');
    expect(statesEntered(repaired).at(-1)).toBe('OutputsRepaired');
    expect((await ledgerOf(storeDir, 'tidy')).lastResult).toBe('Repaired');
    expect(statesEntered(quiet)).toEqual(['CheckRenewal', 'IsRenewalDue', 'UpToDate']);
  });
});
