/**
 * The run's EventBridge event, locally: the runner answers the state machine's putEvents Tasks
 * by appending to <store>/events.jsonl, against a real Pebble.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalEvent, eventsPath } from '../../cli/local/events.js';
import type { LedgerEntry } from '../../functions/ports/run-ledger.js';
import { publishingWrongValues } from '../support/dns-faults.js';
import { type TestCa, newStore, readStored, spec, startTestCa } from '../support/local-ca.js';

let ca: TestCa;
beforeAll(async () => {
  ca = await startTestCa({ pebbleEnv: { PEBBLE_AUTHZREUSE: '0' } });
});
afterAll(async () => {
  await ca?.stop();
});

async function linesOf(storeDir: string): Promise<string[]> {
  try {
    return (await readFile(eventsPath(storeDir), 'utf8')).split('\n').filter((line) => line.length > 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
const eventsOf = async (storeDir: string) => (await linesOf(storeDir)).map((line) => JSON.parse(line) as LocalEvent);

describe('events.jsonl', () => {
  it('gets one Certificate Issued line per issuance, naming the stored certificate, and none for an up-to-date run', async () => {
    // Prepare
    const storeDir = await newStore();
    const input = spec('announced', ['announced.example.test', '*.announced.example.test'], { acm: { regions: ['eu-west-1'] } });

    // Act
    const first = await ca.run(input, { storeDir });
    const afterIssue = await eventsOf(storeDir);
    const second = await ca.run(input, { storeDir });

    // Assess
    expect(first.status, first.cause).toBe('SUCCEEDED');
    expect(second.status, second.cause).toBe('SUCCEEDED');
    const stored = await readStored(first.certificatePath);
    const ledger = JSON.parse(await readFile(path.join(storeDir, 'ledger', 'announced.json'), 'utf8')) as LedgerEntry;
    expect(afterIssue).toHaveLength(1);
    const [issued] = afterIssue;
    expect(issued).toMatchObject({ source: 'certstep', 'detail-type': 'Certificate Issued' });
    expect(new Date(issued?.time ?? '').getTime()).not.toBeNaN();
    expect(issued?.detail).toEqual({
      certificateName: 'announced',
      dnsNames: ['announced.example.test', '*.announced.example.test'],
      serial: stored.serialNumber,
      notAfter: stored.notAfter,
      acmCertificateArns: { 'eu-west-1': ledger.acmArns?.['eu-west-1'] },
      executionArn: first.executionId,
      outcome: 'Issued',
    });
    expect(ledger.acmArns?.['eu-west-1']).toMatch(/^arn:/);
    // The up-to-date run adds nothing.
    expect(await eventsOf(storeDir)).toEqual(afterIssue);
    expect((await linesOf(storeDir)).join('\n')).not.toContain('PRIVATE KEY');
  });

  it('gets a Certificate Outputs Repaired line, naming the certificate still current, when a run only repaired', async () => {
    // Prepare: an issued certificate whose schedule was lost.
    const storeDir = await newStore();
    const input = spec('repaired', ['repaired.example.test']);
    const issued = await ca.run(input, { storeDir });
    await rm(path.join(storeDir, 'schedules', 'repaired.json'));

    // Act
    const repaired = await ca.run(input, { storeDir });

    // Assess
    expect(issued.status, issued.cause).toBe('SUCCEEDED');
    expect(repaired.status, repaired.cause).toBe('SUCCEEDED');
    const stored = await readStored(issued.certificatePath);
    const events = await eventsOf(storeDir);
    expect(events.map((event) => event['detail-type'])).toEqual(['Certificate Issued', 'Certificate Outputs Repaired']);
    expect(events[1]?.detail).toEqual({
      certificateName: 'repaired',
      dnsNames: ['repaired.example.test'],
      serial: stored.serialNumber,
      notAfter: stored.notAfter,
      acmCertificateArns: {},
      executionArn: repaired.executionId,
      outcome: 'OutputsRepaired',
    });
  });

  it('gets a Certificate Renewal Failed line with the error and cause the run failed with, then a Held Back line', async () => {
    // Prepare
    const storeDir = await newStore();
    const input = spec('refused', ['refused.example.test']);

    // Act
    const failed = await ca.run(input, { storeDir, wrapDns: publishingWrongValues });
    const heldBack = await ca.run(input, { storeDir });

    // Assess
    expect(failed.status).toBe('FAILED');
    expect(heldBack.status, heldBack.cause).toBe('SUCCEEDED');
    const events = await eventsOf(storeDir);
    expect(events.map((event) => event['detail-type'])).toEqual(['Certificate Renewal Failed', 'Certificate Renewal Held Back']);
    expect(events.every((event) => event.source === 'certstep')).toBe(true);
    expect(events[0]?.detail).toEqual({
      certificateName: 'refused',
      dnsNames: ['refused.example.test'],
      acmCertificateArns: {},
      executionArn: failed.executionId,
      outcome: 'Failed',
      error: 'AcmeOrderInvalid',
      cause: failed.cause,
    });
    expect(failed.cause).toMatch(/Next attempt after/);
    expect(events[1]?.detail).toMatchObject({
      certificateName: 'refused',
      executionArn: heldBack.executionId,
      outcome: 'HeldBack',
      error: 'AcmeOrderInvalid',
      cause: expect.stringContaining('consecutive failure'),
    });
    expect((await linesOf(storeDir)).join('\n')).not.toContain('PRIVATE KEY');
  });
});
