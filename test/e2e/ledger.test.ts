/**
 * One run at a time per certificate, and backing off after failures, against real Pebble.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../functions/ports/run-ledger.js';
import { type TestCa, newStore, spec, startTestCa, statesEntered } from '../support/local-ca.js';
import { publishingWrongValues } from '../support/dns-faults.js';

let ca: TestCa;
beforeAll(async () => {
  ca = await startTestCa({ pebbleEnv: { PEBBLE_AUTHZREUSE: '0' } });
});
afterAll(async () => {
  await ca?.stop();
});

const MINUTE = 60_000;
const ledgerOf = async (storeDir: string, name: string) => JSON.parse(await readFile(path.join(storeDir, 'ledger', `${name}.json`), 'utf8')) as LedgerEntry;

describe('one run at a time', () => {
  it('orders once when two runs for the same certificate start together; the other ends saying so', async () => {
    // Prepare
    const storeDir = await newStore();
    const input = spec('twice', ['twice.example.test']);

    // Act
    const [first, second] = await Promise.all([ca.run(input, { storeDir }), ca.run(input, { storeDir })]);

    // Assess
    const results = [first, second];
    expect(results.map((result) => result.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(results.flatMap(statesEntered).filter((state) => state === 'CreateOrder')).toHaveLength(1);
    const skipped = results.find((result) => statesEntered(result).includes('AlreadyInProgress'));
    expect(skipped?.output?.renewal?.message).toMatch(/^a renewal is already in progress \(execution arn:aws:states:local:/);
    expect((await ledgerOf(storeDir, 'twice')).activeRun).toBeUndefined();
  });
});

describe('failure backoff', () => {
  it('holds a certificate that failed three times back until its hold-off ends, then tries again; a success resets it', async () => {
    // Prepare
    const storeDir = await newStore();
    const input = spec('flaky', ['flaky.example.test']);
    const t0 = new Date();
    const at = (minutes: number) => new Date(t0.getTime() + minutes * MINUTE);

    // Act: three failures, each after the previous hold-off (1 min, then 10 min) ended.
    const failures = [];
    for (const minutes of [0, 2, 15]) failures.push(await ca.run(input, { storeDir, now: at(minutes), wrapDns: publishingWrongValues }));
    const afterThree = await ledgerOf(storeDir, 'flaky');
    const tooEarly = await ca.run(input, { storeDir, now: at(15 + 50) });
    const schedule = JSON.parse(await readFile(path.join(storeDir, 'schedules', 'flaky.json'), 'utf8')) as { at: string };
    const afterHoldOff = await ca.run(input, { storeDir, now: at(15 + 101) });

    // Assess
    expect(failures.map((result) => result.error)).toEqual(['AcmeOrderInvalid', 'AcmeOrderInvalid', 'AcmeOrderInvalid']);
    expect(failures[0]?.cause).toMatch(/Next attempt after \S+\.$/);
    expect(afterThree.consecutiveFailures).toBe(3);
    expect(new Date(afterThree.nextAttemptAfter ?? 0).getTime() - at(15).getTime()).toBeGreaterThanOrEqual(100 * MINUTE);
    expect(new Date(schedule.at).getTime()).toBe(new Date(afterThree.nextAttemptAfter ?? 0).getTime());
    expect(tooEarly.status).toBe('SUCCEEDED');
    expect(statesEntered(tooEarly)).toEqual(['CheckRenewal', 'IsRenewalDue', 'PublishHeldBack', 'HeldBack']);
    expect(tooEarly.output?.renewal?.message).toContain('after 3 consecutive failure(s); last: AcmeOrderInvalid');
    expect(afterHoldOff.status, afterHoldOff.cause).toBe('SUCCEEDED');
    expect(statesEntered(afterHoldOff)).toContain('StoreCertificate');
    expect(await ledgerOf(storeDir, 'flaky')).toMatchObject({ consecutiveFailures: 0, lastResult: 'Issued' });
  });

  it('lets a forced run through the hold-off', async () => {
    const storeDir = await newStore();
    const input = spec('forced', ['forced.example.test']);
    await ca.run(input, { storeDir, wrapDns: publishingWrongValues });
    const forced = await ca.run({ ...input, force: true }, { storeDir });
    expect(forced.status, forced.cause).toBe('SUCCEEDED');
    expect(statesEntered(forced)).toContain('CreateOrder');
  });
});
