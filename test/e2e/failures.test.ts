/**
 * Runs that must fail cleanly: the CA refuses a challenge because DNS served the wrong value.
 * The run ends failed with the CA's own words, its TXT records are gone, and the certificate
 * that was serving is untouched.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsProvider } from '../../functions/ports/dns-provider.js';
import { type TestCa, newStore, spec, startTestCa, statesEntered } from '../support/local-ca.js';
import { publishingWrongValues } from '../support/dns-faults.js';
import { placeServingCertificate } from '../support/faults/invariants.js';

let ca: TestCa;
beforeAll(async () => {
  // No authorization reuse: a reused authorization would never reach the broken DNS.
  ca = await startTestCa({ pebbleEnv: { PEBBLE_AUTHZREUSE: '0' } });
});
afterAll(async () => {
  await ca?.stop();
});

describe('a challenge the CA refuses', () => {
  it('fails with the CA detail, cleans up its TXT records and keeps the previous certificate', async () => {
    // Prepare
    // The serving certificate comes from another account: Pebble occasionally reuses a valid
    // authorization of the same account even with PEBBLE_AUTHZREUSE=0, which would skip the fault.
    const storeDir = await newStore();
    const input = spec('broken', ['broken.example.test', '*.broken.example.test']);
    const before = await placeServingCertificate((serving) => ca.run(serving), input, storeDir);
    const first = { certificatePath: path.join(storeDir, 'certificates', 'broken.json') };

    // Act
    const result = await ca.run({ ...input, force: true }, { storeDir, wrapDns: publishingWrongValues });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('AcmeOrderInvalid');
    expect(result.cause).toMatch(/broken\.example\.test: .*(TXT|unauthorized)/i);
    expect(statesEntered(result)).toContain('ValidationFailed');
    expect(statesEntered(result)).not.toContain('Finalize');
    expect(statesEntered(result).filter((state) => state === 'PollAuthorizations').length).toBeLessThan(10);
    expect(await ca.txtValues('_acme-challenge.broken.example.test')).toEqual([]);
    expect(await readFile(first.certificatePath, 'utf8')).toBe(before);
  });

  it('fails with PropagationTimeout, before asking the CA, when the values never become visible', async () => {
    // Prepare
    const neverVisible = (dns: DnsProvider): DnsProvider => ({
      ...dns,
      timing: { initialWaitSeconds: 0, intervalSeconds: 0, maxAttempts: 3 },
      present: (records) => dns.present(records),
      cleanUp: (records) => dns.cleanUp(records),
      isPropagated: async (records) => ({ ready: false, pending: records, detail: 'injected: never visible' }),
    });

    // Act
    const result = await ca.run(spec('slow', ['slow.example.test']), { wrapDns: neverVisible });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('PropagationTimeout');
    expect(result.cause).toContain('after 3 checks: injected: never visible');
    expect(statesEntered(result)).not.toContain('AcceptChallenges');
    expect(await ca.txtValues('_acme-challenge.slow.example.test')).toEqual([]);
  });
});
