/**
 * The ACME account: registered once per issuer, reused by later runs, registered again
 * cleanly when the CA has forgotten it, and bound to an external account when the CA asks.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AcmeAccount } from '../../functions/ports/certificate-store.js';
import { type TestCa, newStore, spec, startTestCa } from '../support/local-ca.js';

async function storedAccount(storeDir: string): Promise<AcmeAccount> {
  return JSON.parse(await readFile(path.join(storeDir, 'accounts', 'local.json'), 'utf8')) as AcmeAccount;
}

describe('the ACME account', () => {
  let ca: TestCa;
  beforeAll(async () => {
    ca = await startTestCa({}, { email: 'ops@example.test' });
  });
  afterAll(async () => {
    await ca?.stop();
  });

  it('is created on first use and reused by later runs', async () => {
    // Prepare
    const storeDir = await newStore();
    const first = await ca.run(spec('one', ['one.example.test']), { storeDir });
    const account = await storedAccount(storeDir);

    // Act
    const second = await ca.run(spec('two', ['two.example.test']), { storeDir });

    // Assess
    expect(first.status, first.cause).toBe('SUCCEEDED');
    expect(second.status, second.cause).toBe('SUCCEEDED');
    expect(account.accountUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/my-account\//);
    expect(account.directoryUrl).toBe(ca.acme.directoryUrl);
    expect(await storedAccount(storeDir)).toEqual(account);
  });

  it('is registered again, cleanly, when the CA has forgotten it', async () => {
    // Prepare
    const storeDir = await newStore();
    const first = await ca.run(spec('forgot', ['forgot.example.test']), { storeDir });
    expect(first.status, first.cause).toBe('SUCCEEDED');
    const before = await storedAccount(storeDir);
    await ca.acme.restartPebble();

    // Act
    const again = await ca.run({ ...spec('forgot', ['forgot.example.test']), force: true }, { storeDir });

    // Assess
    expect(again.status, again.cause).toBe('SUCCEEDED');
    const after = await storedAccount(storeDir);
    expect(after.accountUrl).not.toBe(before.accountUrl);
    expect(after.directoryUrl).toBe(before.directoryUrl);
  });
});

describe('external account binding', () => {
  const eab = { keyId: 'kid-1', hmacKey: 'zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W' };
  let ca: TestCa;
  beforeAll(async () => {
    ca = await startTestCa({ externalAccountMACKeys: { [eab.keyId]: eab.hmacKey } }, { eab });
  });
  afterAll(async () => {
    await ca?.stop();
  });

  it('registers with the binding when the CA requires one', async () => {
    const result = await ca.run(spec('eab', ['eab.example.test']));
    expect(result.status, result.cause).toBe('SUCCEEDED');
  });

  it('fails without the binding, with the CA saying so, and creates no order', async () => {
    // Prepare
    const { LocalEnvironment } = await import('../../cli/local/environment.js');
    const { runLocal } = await import('../../cli/local/runner.js');
    const environment = new LocalEnvironment({
      external: { directoryUrl: ca.acme.directoryUrl, caBundlePem: ca.acme.caCertPem, challtestsrvUrl: ca.acme.challtestsrvUrl },
    });

    // Act
    const result = await runLocal({ input: spec('noeab', ['noeab.example.test']), storeDir: await newStore(), environment });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('AcmeRequestRejected');
    expect(result.cause).toMatch(/newAccount: .*externalAccountRequired/);
    expect(result.output?.order).toBeUndefined();
  });
});
