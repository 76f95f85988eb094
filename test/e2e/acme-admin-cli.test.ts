import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAcme, startLocalAcme } from '../../cli/local/pebble.js';
import { FileCertificateStore } from '../../functions/adapters/file-store.js';
import { normalizeSerial } from '../../functions/core/verify-certificate.js';
import { newStore, pebbleCertStatus } from '../support/local-ca.js';
import { certstep } from '../support/cli-process.js';

let acme: LocalAcme;
let storeDir: string;
let ca: string[];
beforeAll(async () => {
  acme = await startLocalAcme();
  storeDir = await newStore();
  const caFile = path.join(storeDir, '..', `${path.basename(storeDir)}-ca.pem`);
  await writeFile(caFile, acme.caCertPem);
  ca = ['--store', storeDir, '--acme-directory', acme.directoryUrl, '--acme-ca', caFile];
  const input = path.join(storeDir, '..', `${path.basename(storeDir)}-input.json`);
  await writeFile(input, JSON.stringify({ certificate: { name: 'web', dnsNames: ['admin.example.test'], issuer: 'local' } }));
  const issued = await certstep(['local', 'run', input, ...ca, '--challtestsrv', acme.challtestsrvUrl]);
  expect(issued.code, issued.stderr).toBe(0);
});
afterAll(async () => {
  await acme?.stop();
});

describe('certstep account and revoke', () => {
  it('shows the account, replaces its contact, and rolls its key over', async () => {
    // Prepare
    const store = new FileCertificateStore(storeDir);
    const before = await store.getAccount('local');

    // Act
    const shown = await certstep(['account', 'show', 'local', ...ca, '--json']);
    const updated = await certstep(['account', 'update-contact', 'local', '--email', 'pki@example.test', ...ca, '--json']);
    const rolled = await certstep(['account', 'rollover', 'local', ...ca]);

    // Assess
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ issuer: 'local', accountUrl: before?.accountUrl, status: 'valid' });
    expect(updated.code, updated.stderr).toBe(0);
    expect(JSON.parse(updated.stdout).contact).toEqual(['mailto:pki@example.test']);
    expect(rolled.code, rolled.stderr).toBe(0);
    expect(rolled.stdout).toContain('Rolled the account key over');
    const after = await store.getAccount('local');
    expect(after?.accountUrl).toBe(before?.accountUrl);
    expect(after?.accountKeyPem).not.toBe(before?.accountKeyPem);
  });

  it('revokes only with --yes when nobody can be asked, then at the CA with the reason given', async () => {
    // Prepare
    const stored = await new FileCertificateStore(storeDir).getCurrent('web');
    const serial = normalizeSerial(stored?.serialNumber as string);

    // Act
    const unasked = await certstep(['revoke', 'web', '--reason', 'superseded', ...ca]);
    const statusBefore = await pebbleCertStatus(acme, serial);
    const revoked = await certstep(['revoke', 'web', '--reason', 'superseded', '--yes', ...ca]);

    // Assess
    expect(unasked.code).toBe(2);
    expect(unasked.stderr).toContain('--yes');
    expect(statusBefore.Status).toBe('Valid');
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain('certstep renew web');
    expect(await pebbleCertStatus(acme, serial)).toMatchObject({ Status: 'Revoked', Reason: 4 });
  });

  it('explains what is missing, with exit 2, and has help', async () => {
    const noCa = await certstep(['account', 'show', 'local', '--store', storeDir]);
    const badReason = await certstep(['revoke', 'web', '--reason', 'bored', '--yes', ...ca]);
    const help = await certstep(['revoke', '--help']);

    expect(noCa).toMatchObject({ code: 2 });
    expect(noCa.stderr).toContain('--acme-directory');
    expect(badReason.code).toBe(2);
    expect(badReason.stderr).toContain('--reason must be one of');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--reason');
  });
});
