/**
 * `certstep renew <name> --dry-run` against a real Pebble, as certbot users expect it: a test
 * certificate is issued and verified, then discarded, and nothing live moves. The embedded
 * Pebble has no staging directory, so the dry run orders from Pebble itself.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepLocalRun } from '../../cli/local/runner.js';
import type { DnsProvider } from '../../functions/ports/dns-provider.js';
import type { LedgerEntry } from '../../functions/ports/run-ledger.js';
import { certstep } from '../support/cli-process.js';
import { haltHere } from '../support/faults/halt.js';
import { type TestCa, newStore, pebbleCertStatus, readStored, spec, startTestCa, statesEntered } from '../support/local-ca.js';

let ca: TestCa;
let caFile: string;
beforeAll(async () => {
  // No authorization reuse: each dry run must present its TXT values for the CA to check.
  ca = await startTestCa({ pebbleEnv: { PEBBLE_AUTHZREUSE: '0' } });
  caFile = path.join(await newStore(), 'pebble-ca.pem');
  await writeFile(caFile, ca.acme.caCertPem);
});
afterAll(async () => {
  await ca?.stop();
});

const external = () => ['--acme-directory', ca.acme.directoryUrl, '--acme-ca', caFile, '--challtestsrv', ca.acme.challtestsrvUrl];

async function ledgerOf(storeDir: string, name: string): Promise<LedgerEntry> {
  return JSON.parse(await readFile(path.join(storeDir, 'ledger', `${name}.json`), 'utf8')) as LedgerEntry;
}

/** What a live run reads of the ledger entry; a dry run must leave every one of them as it was. */
function liveFields(entry: LedgerEntry) {
  const { lastResult, lastRunAt, lastError, consecutiveFailures, nextAttemptAfter, order, acmArns, renewalInfo, activeRun } = entry;
  return { lastResult, lastRunAt, lastError, consecutiveFailures, nextAttemptAfter, order, acmArns, renewalInfo, activeRun };
}

/** Every file of the store that a dry run must not change, byte for byte. */
async function liveFiles(storeDir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const directory of ['certificates', 'schedules']) {
    for (const file of await readdir(path.join(storeDir, directory)).catch(() => [])) {
      files[`${directory}/${file}`] = await readFile(path.join(storeDir, directory, file), 'utf8');
    }
  }
  files['events.jsonl'] = await readFile(path.join(storeDir, 'events.jsonl'), 'utf8').catch(() => '(none)');
  return files;
}

async function challtestsrv(route: string, host: string): Promise<void> {
  const response = await fetch(new URL(route, ca.acme.challtestsrvUrl), { method: 'POST', body: JSON.stringify({ host }) });
  expect(response.status, `${route} ${host}`).toBe(200);
}

describe('certstep renew --dry-run', () => {
  it('on an issued certificate: Pebble issues a new one, it is verified and discarded, and the store, ledger, schedule and events stay as they were', async () => {
    // Prepare
    const storeDir = await newStore();
    const issued = await ca.run(spec('web', ['dry.example.test', '*.dry.example.test']), { storeDir });
    expect(issued.status, issued.cause).toBe('SUCCEEDED');
    const before = await liveFiles(storeDir);
    const ledgerBefore = await ledgerOf(storeDir, 'web');
    const stored = await readStored(path.join(storeDir, 'certificates', 'web.json'));

    // Act
    const outcome = await certstep(['renew', 'web', '--dry-run', '--store', storeDir, ...external()]);

    // Assess
    expect(outcome.code, outcome.stderr).toBe(0);
    const serial = /test certificate \(serial ([0-9a-f]+)\)/.exec(outcome.stdout)?.[1];
    expect(serial, outcome.stdout).toBeDefined();
    expect(serial).not.toBe(stored.serialNumber);
    expect(outcome.stdout).toContain(`Dry run succeeded: ordered from ${ca.acme.directoryUrl}`);
    expect(outcome.stdout).toContain('The stored certificate, its schedule and ACM copies were left alone');
    expect(await pebbleCertStatus(ca.acme, serial as string)).toMatchObject({ Status: 'Valid' });
    expect(await liveFiles(storeDir)).toEqual(before);
    const after = await ledgerOf(storeDir, 'web');
    expect(liveFields(after)).toEqual(liveFields(ledgerBefore));
    expect(after.dryRun).toBeUndefined();
    expect(after.lastDryRun).toMatchObject({ result: 'Succeeded', serial, directoryUrl: ca.acme.directoryUrl });
    expect(await ca.txtValues('_acme-challenge.dry.example.test')).toEqual([]);
    // The private key of the test certificate was never written anywhere.
    expect(JSON.stringify(after)).not.toContain('PRIVATE KEY');
    const described = await certstep(['describe', 'web', '--store', storeDir]);
    expect(described.stdout).toMatch(
      new RegExp(`last dry run\\s+Succeeded at .+ from ${ca.acme.directoryUrl.replace(/[.?]/g, '\\$&')}; test certificate ${serial} verified`),
    );
  });

  it('that fails (the CA cannot validate) runs despite the hold-off, exits 1, says so, and leaves the failure count and hold-off alone', async () => {
    // Prepare: the CA's resolver gets SERVFAIL for the name, and a live forced run has failed on it already (hold-off set).
    const storeDir = await newStore();
    const issued = await ca.run(spec('shaky', ['shaky.example.test']), { storeDir });
    expect(issued.status, issued.cause).toBe('SUCCEEDED');
    await challtestsrv('/set-servfail', '_acme-challenge.shaky.example.test.');
    const failedLive = await ca.run({ ...spec('shaky', ['shaky.example.test']), force: true }, { storeDir });
    expect(failedLive.status).toBe('FAILED');
    const ledgerBefore = await ledgerOf(storeDir, 'shaky');
    expect(ledgerBefore).toMatchObject({ consecutiveFailures: 1, nextAttemptAfter: expect.any(String) });
    const before = await liveFiles(storeDir);

    // Act
    const outcome = await certstep(['renew', 'shaky', '--dry-run', '--store', storeDir, ...external()]).finally(() =>
      challtestsrv('/clear-servfail', '_acme-challenge.shaky.example.test.'),
    );

    // Assess
    expect(outcome.code, outcome.stdout + outcome.stderr).toBe(1);
    expect(outcome.stderr).toContain('Dry run failed:');
    expect(outcome.stderr).toContain('does not count towards the hold-off');
    const after = await ledgerOf(storeDir, 'shaky');
    expect(liveFields(after)).toEqual(liveFields(ledgerBefore));
    expect(after.consecutiveFailures).toBe(1);
    expect(after.lastDryRun).toMatchObject({ result: 'Failed', error: 'AcmeOrderInvalid' });
    expect(after.dryRun).toBeUndefined();
    expect(await liveFiles(storeDir)).toEqual(before);
    expect(await ca.txtValues('_acme-challenge.shaky.example.test')).toEqual([]);
  });
});

describe('a dry run through the state machine', () => {
  it('on a certificate never issued stores nothing: no certificate, no schedule, no event', async () => {
    // Prepare
    const storeDir = await newStore();

    // Act
    const result = await ca.run({ ...spec('fresh', ['fresh.example.test']), dryRun: true }, { storeDir });

    // Assess
    expect(result.status, result.cause).toBe('SUCCEEDED');
    expect(statesEntered(result).at(-1)).toBe('DryRunSucceeded');
    expect(statesEntered(result)).not.toContain('ImportToAcm');
    expect(statesEntered(result)).not.toContain('ScheduleRenewal');
    expect(await readdir(path.join(storeDir, 'certificates')).catch(() => [])).toEqual([]);
    expect(await readdir(path.join(storeDir, 'schedules')).catch(() => [])).toEqual([]);
    expect(await readFile(path.join(storeDir, 'events.jsonl'), 'utf8').catch(() => '(none)')).toBe('(none)');
    const entry = await ledgerOf(storeDir, 'fresh');
    expect(entry).toMatchObject({ consecutiveFailures: 0, lastDryRun: { result: 'Succeeded' } });
    expect(entry.lastResult).toBeUndefined();
  });

  it('that fails in CheckRenewal (an unknown issuer) ends in DryRunFailed and sends no event either', async () => {
    // Prepare
    const storeDir = await newStore();

    // Act
    const result = await ca.run({ certificate: { name: 'nope', dnsNames: ['nope.example.test'], issuer: 'nope' }, dryRun: true }, { storeDir });

    // Assess
    expect(result).toMatchObject({ status: 'FAILED', error: 'InvalidInput' });
    expect(statesEntered(result).at(-1)).toBe('DryRunFailed');
    expect(await readFile(path.join(storeDir, 'events.jsonl'), 'utf8').catch(() => '(none)')).toBe('(none)');
  });

  it('aborted mid-way is swept: its TXT values removed, its claim released, lastDryRun Failed, nothing live counted', async () => {
    // Prepare: abort at the first propagation check, once the TXT values are presented.
    const storeDir = await newStore();
    const issued = await ca.run(spec('cut', ['cut.example.test']), { storeDir });
    expect(issued.status, issued.cause).toBe('SUCCEEDED');
    const ledgerBefore = await ledgerOf(storeDir, 'cut');
    const input = { ...spec('cut', ['cut.example.test']), dryRun: true };
    const stop = new AbortController();
    const wrapDns = (dns: DnsProvider): DnsProvider => Object.assign(Object.create(dns) as DnsProvider, { isPropagated: () => haltHere(stop) });
    const options = { input, storeDir, environment: ca.environment, signal: stop.signal, wrapDns };
    const aborted = await ca.run(input, options);
    const leftBehind = await ca.txtValues('_acme-challenge.cut.example.test');
    const midway = await ledgerOf(storeDir, 'cut');

    // Act
    const swept = await sweepLocalRun(aborted, options);

    // Assess
    expect(aborted.status).toBe('ABORTED');
    expect(leftBehind).toHaveLength(1);
    expect(midway.dryRun?.order?.records).toHaveLength(1);
    expect(midway.order).toEqual(ledgerBefore.order);
    expect(swept).toMatchObject({ swept: true, certificate: 'cut', removed: 1, error: 'ExecutionAborted' });
    expect(await ca.txtValues('_acme-challenge.cut.example.test')).toEqual([]);
    const after = await ledgerOf(storeDir, 'cut');
    expect(liveFields(after)).toEqual(liveFields(ledgerBefore));
    expect(after.dryRun).toBeUndefined();
    expect(after.lastDryRun).toMatchObject({ result: 'Failed', error: 'ExecutionAborted' });
  });
});
