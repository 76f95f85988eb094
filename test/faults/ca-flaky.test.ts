/**
 * A CA that misbehaves within the rules: Pebble rejecting half of all nonces (RFC 8555 §6.5
 * badNonce, which clients must retry), and a CA that reuses every valid authorization, so an
 * order arrives ready with nothing to present. Both must still issue, with one order per run,
 * the replaced certificate kept as the previous version and nothing left in DNS.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsProvider } from '../../functions/ports/dns-provider.js';
import { type TestCa, newStore, opensslVerify, publicKeysOf, readStored, spec, startTestCa, statesEntered } from '../support/local-ca.js';
import { recordingAcme } from '../support/faults/acme.js';
import { captureOutput, expectIssued, expectNoKeyMaterial, retriedStates, timesEntered } from '../support/faults/invariants.js';

describe('Pebble rejecting 50 % of nonces', () => {
  let ca: TestCa;
  beforeAll(async () => {
    ca = await startTestCa({ pebbleEnv: { PEBBLE_WFE_NONCEREJECT: '50', PEBBLE_AUTHZREUSE: '0' } });
  });
  afterAll(async () => {
    await ca?.stop();
  });

  it('issues, then renews, with one order per run and the replaced certificate kept byte for byte', async () => {
    // Prepare
    const storeDir = await newStore();
    const input = spec('nonces', ['nonces.example.test', '*.nonces.example.test']);
    const first = await ca.run(input, { storeDir });
    expect(first.status, first.cause).toBe('SUCCEEDED');
    const previous = await readFile(first.certificatePath, 'utf8');
    const recording = recordingAcme(ca.environment, storeDir);
    const output = captureOutput();

    // Act
    const renewed = await ca.run({ ...input, force: true }, { storeDir, dependencies: { acme: recording.acme } }).finally(output.restore);

    // Assess: badNonce is absorbed inside each request; the state machine never had to retry.
    expectIssued(renewed);
    expect(recording.calls.createOrder).toBe(1);
    expect(timesEntered(renewed, 'CreateOrder')).toBe(1);
    expect(retriedStates(renewed)).toEqual([]);
    const stored = await readStored(renewed.certificatePath);
    expect(stored.revision).toBe(2);
    expect(await opensslVerify(ca, stored)).toContain('OK');
    expect(await readFile(path.join(storeDir, 'certificates', 'nonces.previous.json'), 'utf8')).toBe(previous);
    expect(await ca.txtValues('_acme-challenge.nonces.example.test')).toEqual([]);
    await expectNoKeyMaterial(renewed, storeDir, { output: output.text() });
  });
});

describe('authorization reuse at 100 %', () => {
  let ca: TestCa;
  beforeAll(async () => {
    ca = await startTestCa({ pebbleEnv: { PEBBLE_AUTHZREUSE: '100' } });
  });
  afterAll(async () => {
    await ca?.stop();
  });

  it('issues a second certificate for the same names without presenting anything, and leaves the first alone', async () => {
    // Prepare: one account (one store) and a first certificate whose authorizations are now valid.
    const storeDir = await newStore();
    const names = ['reuse.example.test', '*.reuse.example.test'];
    const first = await ca.run(spec('reuse-first', names), { storeDir });
    expect(first.status, first.cause).toBe('SUCCEEDED');
    expect(first.output?.order?.challenges).toHaveLength(2);
    const firstCertificate = await readFile(first.certificatePath, 'utf8');
    const presents: number[] = [];
    const countingPresents = (dns: DnsProvider): DnsProvider => ({
      timing: dns.timing,
      checkZones: (dnsNames) => dns.checkZones(dnsNames),
      present: (records) => {
        presents.push(records.length);
        return dns.present(records);
      },
      cleanUp: (records) => dns.cleanUp(records),
      isPropagated: (records, presented) => dns.isPropagated(records, presented),
    });
    const output = captureOutput();

    // Act
    const second = await ca.run(spec('reuse-second', names), { storeDir, wrapDns: countingPresents }).finally(output.restore);

    // Assess
    expectIssued(second);
    expect(second.output?.order).toMatchObject({ status: 'ready', challenges: [] });
    expect([...(second.output?.order?.reusedAuthorizations ?? [])].sort()).toEqual([...names].sort());
    const entered = statesEntered(second);
    for (const state of ['PresentChallenges', 'CheckPropagation', 'AcceptChallenges', 'PollAuthorizations']) expect(entered).not.toContain(state);
    expect(presents).toEqual([]);
    expect(second.output?.cleanUp).toEqual({ removed: 0, event: expect.objectContaining({ certificateName: 'reuse-second', outcome: 'Issued' }) });
    const stored = await readStored(second.certificatePath);
    expect(await opensslVerify(ca, stored)).toContain('OK');
    const keys = publicKeysOf(stored);
    expect(keys.fromKey).toBe(keys.fromCertificate);
    expect(await readFile(first.certificatePath, 'utf8')).toBe(firstCertificate);
    expect(await ca.txtValues('_acme-challenge.reuse.example.test')).toEqual([]);
    await expectNoKeyMaterial(second, storeDir, { output: output.text() });
  });
});
