/**
 * The daily sweep that replaced one execution per certificate per day: it reconciles every
 * certificate of the catalog with CheckRenewal's own gather step and policy, and starts an
 * execution only where there is work. Against real Pebble-issued certificates in a local store.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDependencies } from '../../cli/local/runner.js';
import type { CertificateSpec, ExecutionInput } from '../../functions/core/certificate-spec.js';
import { configEntry } from '../../functions/ports/certificate-catalog.js';
import { sweepEndedRun } from '../../functions/phases/sweep-ended-run.js';
import { sweep } from '../../functions/phases/sweep.js';
import { policyHash } from '../../functions/phases/sync-catalog.js';
import { StoreUnavailable } from '../../functions/core/errors.js';
import { MemoryCatalog } from '../support/memory-catalog.js';
import { TEST_SECRET_POLICY } from '../support/secret-policy-settings.js';
import { type TestCa, newStore, readStored, spec, startTestCa } from '../support/local-ca.js';

let ca: TestCa;
beforeAll(async () => {
  ca = await startTestCa({ pebbleEnv: { PEBBLE_AUTHZREUSE: '0' } });
});
afterAll(async () => {
  await ca?.stop();
});

describe('the daily sweep', () => {
  it('starts executions only for the certificates that need work, saying why, and reports the rest as they are', async () => {
    // Prepare: five certificates in five states.
    const storeDir = await newStore();
    const inputs = {
      fine: spec('fine', ['fine.example.test']),
      due: spec('due', ['due.example.test']),
      lost: spec('lost', ['lost.example.test']),
      acm: spec('acm', ['acm.example.test']),
      fresh: spec('fresh', ['fresh.example.test']),
    };
    for (const name of ['fine', 'due', 'lost', 'acm'] as const) {
      const result = await ca.run(inputs[name], { storeDir });
      expect(result.status, result.cause).toBe('SUCCEEDED');
    }
    await rm(path.join(storeDir, 'schedules', 'lost.json'));
    const catalog = [
      inputs.fine,
      { ...inputs.due, certificate: { ...inputs.due.certificate, dnsNames: ['due.example.test', 'www.due.example.test'] } },
      inputs.lost,
      { ...inputs.acm, certificate: { ...inputs.acm.certificate, acm: { regions: ['us-east-1'] } } },
      inputs.fresh,
      { certificate: { name: 'Bad Name' } },
    ];
    const started: ExecutionInput[] = [];
    const deps = {
      ...localDependencies({ input: {}, storeDir, environment: ca.environment }),
      catalog: { entries: async () => catalog.map(configEntry) },
      starter: {
        start: async (input: ExecutionInput) => {
          started.push(input);
          return { executionId: `exec-${input.certificate.name}` };
        },
      },
    };

    // Act
    const swept = await sweep(deps);

    // Assess
    const byName = Object.fromEntries(swept.map((certificate) => [certificate.name, certificate]));
    expect(started.map((input) => input.certificate.name).sort()).toEqual(['acm', 'due', 'fresh', 'lost']);
    expect(byName.fine?.decision?.reason).toBe('UpToDate');
    expect(byName.fine?.executionId).toBeUndefined();
    expect(byName.due?.decision?.reason).toBe('SpecChanged');
    expect(byName.lost?.decision?.reason).toBe('ScheduleMissing');
    expect(byName.acm?.decision?.reason).toBe('OutputsOutOfSync');
    expect(byName.fresh?.decision?.reason).toBe('DoesNotExist');
    expect(byName['Bad Name']?.error).toMatch(/^InvalidInput: certificate\.name/);
    // What was started is the catalog's spec, normalised, never forced.
    expect(started.find((input) => input.certificate.name === 'acm')).toMatchObject({ force: false, certificate: { acm: { regions: ['us-east-1'] } } });
    expect(byName.fine?.decision?.notAfter).toBe((await readStored(path.join(storeDir, 'certificates', 'fine.json'))).notAfter);
  });

  it('leaves a certificate alone while a run holds it', async () => {
    // Prepare
    const storeDir = await newStore();
    const input = spec('busy', ['busy.example.test']);
    const deps = localDependencies({ input, storeDir, environment: ca.environment });
    await deps.ledger.claim('busy', 'another-run', new Date(), new Date(Date.now() + 3_600_000));
    const started: string[] = [];

    // Act
    const swept = await sweep({
      ...deps,
      catalog: { entries: async () => [configEntry(input)] },
      starter: {
        start: async (one) => {
          started.push(one.certificate.name);
          return { executionId: 'x' };
        },
      },
    });

    // Assess
    expect(swept[0]?.decision?.reason).toBe('DoesNotExist');
    expect(started).toEqual([]);
  });
});

describe('the daily sweep past the start cap', () => {
  it('starts at most maxStarts runs, marks the rest deferred, and gives each certificate its own alarm threshold', async () => {
    // Prepare: four certificates never issued, so all four are due.
    const storeDir = await newStore();
    const names = ['one', 'two', 'three', 'four'];
    const entries = names.map((name) => ({ ...configEntry(spec(name, [`${name}.example.test`])), ...(name === 'one' && { expiryAlarmDays: 5 }) }));
    const started: string[] = [];

    // Act
    const swept = await sweep({
      ...localDependencies({ input: {}, storeDir, environment: ca.environment }),
      catalog: { entries: async () => entries },
      starter: {
        start: async (one) => {
          started.push(one.certificate.name);
          return { executionId: `exec-${one.certificate.name}` };
        },
      },
      maxStarts: 2,
      alarmDays: 21,
    });

    // Assess
    expect(started).toHaveLength(2);
    const deferred = swept.filter((one) => one.deferred).map((one) => one.name);
    expect(deferred).toHaveLength(2);
    expect([...started, ...deferred].sort()).toEqual([...names].sort());
    expect(swept.filter((one) => one.deferred).every((one) => one.executionId === undefined && one.decision?.reason === 'DoesNotExist')).toBe(true);
    expect(Object.fromEntries(swept.map((one) => [one.name, one.expiryAlarmDays]))).toEqual({ one: 5, two: 21, three: 21, four: 21 });
  });
});

describe('the daily sweep under faults', () => {
  it('tries a certificate whose check failed again at once, instead of losing a day', async () => {
    // Prepare: the first read of the ledger fails, as a throttled DynamoDB would.
    const storeDir = await newStore();
    const input = spec('flaky', ['flaky.example.test']);
    const deps = localDependencies({ input, storeDir, environment: ca.environment });
    let failures = 0;
    const ledger = Object.assign(Object.create(deps.ledger) as typeof deps.ledger, {
      get: async (name: string) => {
        if (failures++ === 0) throw Object.assign(new Error('injected: Rate exceeded'), { name: 'StoreUnavailable' });
        return deps.ledger.get(name);
      },
    });
    const started: string[] = [];

    // Act
    const swept = await sweep({
      ...deps,
      ledger,
      catalog: { entries: async () => [configEntry(input)] },
      starter: {
        start: async (one) => {
          started.push(one.certificate.name);
          return { executionId: 'x' };
        },
      },
    });

    // Assess
    expect(swept[0]).toMatchObject({ name: 'flaky', executionId: 'x' });
    expect(swept[0]?.error).toBeUndefined();
    expect(started).toEqual(['flaky']);
  });
});

describe('the ended-run sweeper', () => {
  it('schedules a run when the one that ended died before it claimed anything and no schedule is left', async () => {
    // Prepare: a certificate that is due; the schedule that started the run has fired (deleted).
    const storeDir = await newStore();
    const input = spec('orphan', ['orphan.example.test']);
    const deps = localDependencies({ input, storeDir, environment: ca.environment });

    // Act
    const timedOut = await sweepEndedRun(
      { executionId: 'arn:aws:states:local:000000000000:execution:certstep-renewal:dead', status: 'TIMED_OUT', input },
      deps,
    );
    const again = await sweepEndedRun({ executionId: 'arn:aws:states:local:000000000000:execution:certstep-renewal:dead', status: 'TIMED_OUT', input }, deps);
    const invalid = await sweepEndedRun(
      { executionId: 'x', status: 'FAILED', input: spec('hopeless', ['hopeless.example.test']), error: 'InvalidInput' },
      deps,
    );

    // Assess
    const schedule = await deps.scheduler.get('orphan');
    expect(timedOut).toMatchObject({ swept: false, why: expect.stringContaining('so a run is scheduled at') });
    expect(schedule).toMatchObject({ kind: 'retry', input: { certificate: { name: 'orphan' }, force: false } });
    expect(Date.parse(schedule?.at ?? '') - Date.now()).toBeLessThanOrEqual(61_000);
    expect(again).toMatchObject({ swept: false, why: expect.not.stringContaining('scheduled') });
    expect(invalid).toMatchObject({ swept: false });
    expect(await deps.scheduler.get('hopeless')).toBeUndefined();
  });

  it('schedules a retry a minute ahead for a due run that died after its claim and before its order', async () => {
    // Prepare: issued, then its renewal time passes; the renewal run claims it and dies before CreateOrder.
    const storeDir = await newStore();
    const input = spec('claimed', ['claimed.example.test']);
    expect((await ca.run(input, { storeDir })).status).toBe('SUCCEEDED');
    const later = new Date(Date.now() + 80 * 86_400_000);
    const deps = { ...localDependencies({ input, storeDir, environment: ca.environment, now: later }) };
    const executionId = 'arn:aws:states:local:000000000000:execution:certstep-renewal:claimed-then-dead';
    expect((await deps.ledger.claim('claimed', executionId, later, new Date(later.getTime() + 3_600_000))).claimed).toBe(true);
    await rm(path.join(storeDir, 'schedules'), { recursive: true, force: true });

    // Act
    const swept = await sweepEndedRun({ executionId, status: 'ABORTED', input }, deps);

    // Assess
    const schedule = await deps.scheduler.get('claimed');
    expect(swept).toMatchObject({ swept: true, certificate: 'claimed', nextAttemptAfter: schedule?.at });
    expect(schedule).toMatchObject({ kind: 'retry', input: { certificate: { name: 'claimed' }, force: false } });
    expect(Date.parse(schedule?.at ?? '') - later.getTime()).toBeLessThanOrEqual(61_000);
    expect((await deps.ledger.get('claimed'))?.activeRun).toBeUndefined();
  });

  it('schedules a retry for a run that died before it read a stale record again, though a schedule is left', async () => {
    // Prepare: the ledger's record no longer describes the stored certificate (written by hand here).
    const storeDir = await newStore();
    const input = spec('stale', ['stale.example.test']);
    expect((await ca.run(input, { storeDir })).status).toBe('SUCCEEDED');
    const deps = localDependencies({ input, storeDir, environment: ca.environment });
    const renewal = await deps.scheduler.get('stale');
    const entry = await deps.ledger.get('stale');
    await deps.ledger.recordCurrent('stale', {
      versionId: 'not-the-current-one',
      ...(entry?.current?.certificate && { certificate: entry.current.certificate }),
    });

    // Act
    const swept = await sweepEndedRun({ executionId: 'arn:aws:states:local:000000000000:execution:certstep-renewal:early', status: 'TIMED_OUT', input }, deps);

    // Assess
    const schedule = await deps.scheduler.get('stale');
    expect(renewal).toMatchObject({ kind: 'renewal' });
    expect(swept).toMatchObject({ swept: false, why: expect.stringContaining('it died before it read what is stored again, so a run is scheduled at') });
    expect(schedule).toMatchObject({ kind: 'retry' });
    expect(Date.parse(schedule?.at ?? '') - Date.now()).toBeLessThanOrEqual(61_000);
  });

  it('puts back the resource policy of every existing secret the catalog has no current record of, and records it', async () => {
    // Prepare: after an upgrade, CloudFormation's clean-up deleted the policies the deploy's sync
    // had just written; 'old' and 'broken' have secrets, 'fresh' has none yet, 'current' is recorded.
    const storeDir = await newStore();
    const specs = Object.fromEntries(['old', 'current', 'fresh', 'broken'].map((name) => [name, spec(name, [`${name}.example.test`])]));
    const recorded = policyHash(TEST_SECRET_POLICY, (specs.current as ExecutionInput).certificate);
    const catalog = new MemoryCatalog([
      ...['old', 'fresh', 'broken'].map((name) => configEntry(specs[name])),
      { ...configEntry(specs.current), policy: recorded },
    ]);
    const applied: string[] = [];
    const secrets = {
      ensurePolicy: async (certificate: CertificateSpec) => {
        if (certificate.name === 'broken') throw new StoreUnavailable('Secrets Manager PutResourcePolicy was throttled');
        applied.push(certificate.name);
        return certificate.name === 'fresh' ? ('missing' as const) : ('applied' as const);
      },
    };

    // Act
    const swept = await sweep({
      ...localDependencies({ input: {}, storeDir, environment: ca.environment }),
      catalog,
      starter: { start: async () => ({ executionId: 'x' }) },
      policies: { secrets, settings: TEST_SECRET_POLICY, catalog },
    });

    // Assess
    const byName = Object.fromEntries(swept.map((certificate) => [certificate.name, certificate]));
    expect(applied.sort()).toEqual(['fresh', 'old']);
    expect(byName.old?.policy).toBe('applied');
    expect(catalog.items.get('old')?.policy).toBe(policyHash(TEST_SECRET_POLICY, (specs.old as ExecutionInput).certificate));
    expect(byName.fresh?.policy).toBeUndefined();
    expect(catalog.items.get('fresh')?.policy).toBeUndefined();
    expect(byName.current?.policy).toBeUndefined();
    expect(byName.broken?.policy).toMatch(/^failed: StoreUnavailable: /);
    expect(catalog.items.get('broken')?.policy).toBeUndefined();
    // A policy that could not be written does not stop the certificate's own check.
    expect(byName.broken?.decision?.reason).toBe('DoesNotExist');
  });
});
