/**
 * Real short-lived certificates: Pebble issues for 160 hours (Let's Encrypt's `shortlived`
 * profile), so the renewal arithmetic runs on what a CA actually returned.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestCa, newStore, readStored, spec, statesEntered, startTestCa } from '../support/local-ca.js';

const HOUR = 3_600_000;
let ca: TestCa;
beforeAll(async () => {
  ca = await startTestCa({ certificateValidityPeriodSeconds: 160 * 3600 });
});
afterAll(async () => {
  await ca?.stop();
});

describe('a 160-hour certificate', () => {
  it('renews when about half its lifetime remains, not 30 days early in a loop', async () => {
    // Prepare
    const storeDir = await newStore();
    const input = spec('short', ['short.example.test']);
    const first = await ca.run(input, { storeDir });
    const issued = await readStored(first.certificatePath);
    const lifetime = new Date(issued.notAfter).getTime() - new Date(issued.notBefore).getTime();
    const renewalTime = new Date(issued.renewalTime).getTime();

    // Act
    const rightAfter = await ca.run(input, { storeDir });
    const beforeHalf = await ca.run(input, { storeDir, now: new Date(renewalTime - HOUR) });
    const atRenewal = await ca.run(input, { storeDir, now: new Date(renewalTime + 60_000) });

    // Assess
    expect(first.status, first.cause).toBe('SUCCEEDED');
    expect(Math.round(lifetime / HOUR)).toBe(160);
    expect(new Date(issued.notAfter).getTime() - renewalTime).toBeGreaterThanOrEqual(80 * HOUR);
    expect(new Date(issued.notAfter).getTime() - renewalTime).toBeLessThanOrEqual(80 * HOUR + 0.02 * lifetime);
    expect(statesEntered(rightAfter)).toEqual(['CheckRenewal', 'IsRenewalDue', 'UpToDate']);
    expect(beforeHalf.output?.renewal?.due).toBe(false);
    expect(atRenewal.status, atRenewal.cause).toBe('SUCCEEDED');
    expect(atRenewal.output?.renewal?.reason).toBe('RenewalTimeReached');
    expect((await readStored(atRenewal.certificatePath)).revision).toBe(2);
  });
});
