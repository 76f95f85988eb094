/**
 * The run ledger's record of the stored certificate (what the deciders read instead of the
 * secret, which holds the key), through the state machine against Pebble: a record that does
 * not describe the current version is read again by StoreCertificate before anything is
 * decided, so a stack upgraded from 0.1 or a run that died between storing and recording costs
 * a re-read, never an order.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDependencies, sweepLocalRun } from '../../cli/local/runner.js';
import { FileRunLedger } from '../../functions/adapters/file-ledger.js';
import { FileCertificateStore } from '../../functions/adapters/file-store.js';
import { StoreUnavailable } from '../../functions/core/errors.js';
import { checkRenewal } from '../../functions/phases/check-renewal.js';
import type { CertificateStore } from '../../functions/ports/certificate-store.js';
import type { LedgerEntry } from '../../functions/ports/run-ledger.js';
import { recordingAcme } from '../support/faults/acme.js';
import { haltHere } from '../support/faults/halt.js';
import { timesEntered } from '../support/faults/invariants.js';
import { type TestCa, newStore, readStored, spec, startTestCa, statesEntered } from '../support/local-ca.js';

let ca: TestCa;
beforeAll(async () => {
  ca = await startTestCa();
});
afterAll(async () => {
  await ca?.stop();
});

const ledgerFile = (storeDir: string, name: string) => path.join(storeDir, 'ledger', `${name}.json`);

async function ledgerOf(storeDir: string, name: string): Promise<LedgerEntry> {
  return JSON.parse(await readFile(ledgerFile(storeDir, name), 'utf8')) as LedgerEntry;
}

/** A store whose key-bearing reads are counted: the deciders must never make one. */
function countingKeyReads(storeDir: string): { store: CertificateStore; keyReads: string[] } {
  const base = new FileCertificateStore(storeDir);
  const keyReads: string[] = [];
  const store = Object.assign(Object.create(base) as CertificateStore, {
    getCurrent: (name: string) => {
      keyReads.push('getCurrent');
      return base.getCurrent(name);
    },
    readCurrent: (name: string) => {
      keyReads.push('readCurrent');
      return base.readCurrent(name);
    },
  });
  return { store, keyReads };
}

describe('the ledger record of the stored certificate', () => {
  it('is written by StoreCertificate without the key, and an up-to-date run decides from it without reading the secret', async () => {
    // Prepare
    const storeDir = await newStore();
    const issued = await ca.run(spec('kept', ['kept.example.test']), { storeDir });
    expect(issued.status, issued.cause).toBe('SUCCEEDED');
    const { store, keyReads } = countingKeyReads(storeDir);

    // Act
    const again = await ca.run(spec('kept', ['kept.example.test']), { storeDir, dependencies: { store } });

    // Assess
    expect(again.status, again.cause).toBe('SUCCEEDED');
    expect(statesEntered(again)).toEqual(['CheckRenewal', 'IsRenewalDue', 'UpToDate']);
    expect(keyReads).toEqual([]);
    const entry = await ledgerOf(storeDir, 'kept');
    const stored = await readStored(issued.certificatePath);
    expect(entry.current?.versionId).toBe(await new FileCertificateStore(storeDir).currentVersion('kept'));
    expect(entry.current?.certificate).toMatchObject({ serialNumber: stored.serialNumber, notAfter: stored.notAfter, revision: 1 });
    expect(JSON.stringify(entry)).not.toContain('PRIVATE KEY');
    expect(JSON.stringify(entry)).not.toContain('BEGIN CERTIFICATE');
  });

  it('missing (a store from before the ledger kept it) is read again by StoreCertificate, then the run decides: no order', async () => {
    // Prepare: what an upgraded deployment has, a current certificate and no record of it.
    const storeDir = await newStore();
    const issued = await ca.run(spec('upgraded', ['upgraded.example.test']), { storeDir });
    expect(issued.status, issued.cause).toBe('SUCCEEDED');
    const { current: _current, ...older } = await ledgerOf(storeDir, 'upgraded');
    await writeFile(ledgerFile(storeDir, 'upgraded'), JSON.stringify(older));
    const recording = recordingAcme(ca.environment, storeDir);

    // Act
    const again = await ca.run(spec('upgraded', ['upgraded.example.test']), { storeDir, dependencies: { acme: recording.acme } });

    // Assess
    expect(again.status, again.cause).toBe('SUCCEEDED');
    expect(statesEntered(again)).toEqual(['CheckRenewal', 'IsRenewalDue', 'ReadStoredCertificate', 'CheckRenewal', 'IsRenewalDue', 'UpToDate']);
    expect(recording.calls.createOrder).toBe(0);
    const entry = await ledgerOf(storeDir, 'upgraded');
    expect(entry.current).toEqual(await new FileCertificateStore(storeDir).readCurrent('upgraded'));
    expect(entry.activeRun).toBeUndefined();
  });

  it('left behind by a run that died between storing and recording is read again by the next run, which orders nothing', async () => {
    // Prepare: the first issue dies the moment StoreCertificate records what it stored.
    const storeDir = await newStore();
    const input = spec('torn', ['torn.example.test']);
    const stop = new AbortController();
    const ledger = new FileRunLedger(storeDir);
    const tearing = Object.assign(Object.create(ledger) as FileRunLedger, { recordCurrent: () => haltHere(stop) });
    const first = recordingAcme(ca.environment, storeDir);
    const options = { input, storeDir, environment: ca.environment, signal: stop.signal, dependencies: { ledger: tearing, acme: first.acme } };
    const aborted = await ca.run(input, options);
    await sweepLocalRun(aborted, { ...options, dependencies: {} });
    const recordAfterSweep = (await ledgerOf(storeDir, 'torn')).current;
    const storedBefore = await readStored(aborted.certificatePath);
    const second = recordingAcme(ca.environment, storeDir);

    // Act
    const next = await ca.run(input, { storeDir, dependencies: { acme: second.acme } });

    // Assess
    expect(aborted.status).toBe('ABORTED');
    expect(recordAfterSweep).toBeUndefined();
    expect(next.status, next.cause).toBe('SUCCEEDED');
    expect(timesEntered(next, 'ReadStoredCertificate')).toBe(1);
    expect(timesEntered(next, 'CheckRenewal')).toBe(2);
    expect([first.calls.createOrder, second.calls.createOrder, second.calls.finalizeOrder]).toEqual([1, 0, 0]);
    expect((await readStored(next.certificatePath)).serialNumber).toBe(storedBefore.serialNumber);
    const entry = await ledgerOf(storeDir, 'torn');
    expect(entry.current?.certificate?.serialNumber).toBe(storedBefore.serialNumber);
    expect(entry.current?.versionId).toBe(await new FileCertificateStore(storeDir).currentVersion('torn'));
  });

  it('still stale after the re-read (the secret changed again meanwhile) fails CheckRenewal retryably instead of looping', async () => {
    // Prepare
    const storeDir = await newStore();
    const issued = await ca.run(spec('moving', ['moving.example.test']), { storeDir });
    expect(issued.status, issued.cause).toBe('SUCCEEDED');
    const { current: _current, ...older } = await ledgerOf(storeDir, 'moving');
    await writeFile(ledgerFile(storeDir, 'moving'), JSON.stringify(older));
    const deps = localDependencies({ input: null, storeDir, environment: ca.environment });
    const request = { input: spec('moving', ['moving.example.test']), executionId: 'run-moving' };

    // Act
    const first = await checkRenewal({ ...request, previous: request.input }, deps);
    const second = checkRenewal({ ...request, previous: first }, deps);

    // Assess
    expect(first.renewal).toMatchObject({ due: false, reason: 'MetadataStale' });
    expect(first.run).toBeUndefined();
    await expect(second).rejects.toBeInstanceOf(StoreUnavailable);
    expect((await ledgerOf(storeDir, 'moving')).activeRun).toBeUndefined();
  });
});
