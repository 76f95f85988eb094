/**
 * The operator's ACME account operations against a real Pebble: the account as the CA holds
 * it, a contact update, a key rollover (RFC 8555 §7.3.5) including one interrupted at either
 * side of the CA's keyChange, and revocation (§7.6) of a certificate certstep issued.
 */
import acme from 'acme-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcmeClientGateway } from '../../functions/adapters/acme-client-gateway.js';
import { FileCertificateStore } from '../../functions/adapters/file-store.js';
import { normalizeSerial } from '../../functions/core/verify-certificate.js';
import type { IssuerConfig } from '../../functions/core/issuers.js';
import { type TestCa, newStore, pebbleCertStatus, spec, startTestCa } from '../support/local-ca.js';

let ca: TestCa;
beforeAll(async () => {
  ca = await startTestCa({}, { email: 'ops@example.test' });
});
afterAll(async () => {
  await ca?.stop();
});

const issuer = (): IssuerConfig => ({ name: 'local', directoryUrl: ca.acme.directoryUrl, caBundlePem: ca.acme.caCertPem, email: 'ops@example.test' });

/** Whether the CA takes requests signed by this key for this account. */
async function caAccepts(accountKeyPem: string, accountUrl: string): Promise<boolean> {
  const client = new acme.Client({ directoryUrl: ca.acme.directoryUrl, accountKey: accountKeyPem, accountUrl, backoffAttempts: 1 });
  return client.updateAccount({}).then(
    () => true,
    () => false,
  );
}

describe('ACME account administration', () => {
  it('shows the account as the CA holds it, and updates its contact', async () => {
    // Prepare
    const store = new FileCertificateStore(await newStore());

    // Act
    const before = await new AcmeClientGateway(issuer(), store).accountDetails();
    const updated = await new AcmeClientGateway(issuer(), store).updateContact(['mailto:pki@example.test']);
    const after = await new AcmeClientGateway(issuer(), store).accountDetails();

    // Assess
    expect(before).toMatchObject({ status: 'valid', contact: ['mailto:ops@example.test'], directoryUrl: ca.acme.directoryUrl });
    expect(updated.contact).toEqual(['mailto:pki@example.test']);
    expect(after).toEqual({ ...before, contact: ['mailto:pki@example.test'] });
  });

  it('rolls the account key over: the CA takes only the new key, which is stored, and runs go on with it', async () => {
    // Prepare
    const storeDir = await newStore();
    const store = new FileCertificateStore(storeDir);
    const before = (await new AcmeClientGateway(issuer(), store).accountDetails()) && (await store.getAccount('local'));

    // Act
    const details = await new AcmeClientGateway(issuer(), store).rolloverKey();
    const after = await store.getAccount('local');
    const run = await ca.run(spec('after-rollover', ['after-rollover.example.test']), { storeDir });

    // Assess
    expect(details.accountUrl).toBe(before?.accountUrl);
    expect(after?.accountKeyPem).not.toBe(before?.accountKeyPem);
    expect(after?.nextAccountKeyPem).toBeUndefined();
    expect(await caAccepts(after?.accountKeyPem as string, details.accountUrl)).toBe(true);
    expect(await caAccepts(before?.accountKeyPem as string, details.accountUrl)).toBe(false);
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect((await store.getAccount('local'))?.accountUrl).toBe(before?.accountUrl);
  });

  it.each([
    ['after the CA changed the key', true],
    ['before the CA heard of it', false],
  ])('settles a rollover interrupted %s on the next use, keeping the key the CA holds', async (_when, caChanged) => {
    // Prepare: the pending key is stored; the process dies on either side of keyChange.
    const storeDir = await newStore();
    const store = new FileCertificateStore(storeDir);
    await new AcmeClientGateway(issuer(), store).account();
    const old = (await store.getAccount('local')) as NonNullable<Awaited<ReturnType<typeof store.getAccount>>>;
    const nextAccountKeyPem = (await acme.crypto.createPrivateEcdsaKey('P-256')).toString();
    await store.putAccount('local', { ...old, nextAccountKeyPem }, true);
    if (caChanged) {
      const client = new acme.Client({ directoryUrl: ca.acme.directoryUrl, accountKey: old.accountKeyPem, accountUrl: old.accountUrl });
      await client.updateAccountKey(nextAccountKeyPem);
    }

    // Act: an ordinary run is the next use.
    const run = await ca.run(spec(`settled-${caChanged}`, [`settled-${caChanged}.example.test`]), { storeDir });

    // Assess
    const settled = await store.getAccount('local');
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(settled).toEqual({ directoryUrl: old.directoryUrl, accountUrl: old.accountUrl, accountKeyPem: caChanged ? nextAccountKeyPem : old.accountKeyPem });
  });

  it("loses no key when the process dies between the CA's keyChange and storing its outcome", async () => {
    // Prepare: a store whose write of the settled key never happens (the Lambda or CLI died).
    const storeDir = await newStore();
    const store = new FileCertificateStore(storeDir);
    await new AcmeClientGateway(issuer(), store).account();
    const dying = Object.create(store) as FileCertificateStore;
    dying.putAccount = async (name, account, replace) => {
      if (!account.nextAccountKeyPem) throw new Error('killed');
      return store.putAccount(name, account, replace);
    };

    // Act
    const interrupted = await new AcmeClientGateway(issuer(), dying).rolloverKey().then(
      () => 'finished',
      (error: Error) => error.message,
    );
    const run = await ca.run(spec('after-death', ['after-death.example.test']), { storeDir });

    // Assess: the next use found the key the CA holds and kept it.
    const settled = await store.getAccount('local');
    expect(interrupted).toBe('killed');
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(settled?.nextAccountKeyPem).toBeUndefined();
    expect(await caAccepts(settled?.accountKeyPem as string, settled?.accountUrl as string)).toBe(true);
  });

  it('revokes a certificate it issued, with the reason given', async () => {
    // Prepare
    const storeDir = await newStore();
    const run = await ca.run(spec('to-revoke', ['to-revoke.example.test']), { storeDir });
    const stored = await new FileCertificateStore(storeDir).getCurrent('to-revoke');
    const serialHex = normalizeSerial(stored?.serialNumber as string);

    // Act
    const before = await pebbleCertStatus(ca.acme, serialHex);
    await new AcmeClientGateway(issuer(), new FileCertificateStore(storeDir)).revokeCertificate(stored?.['tls.crt'] as string, 'superseded');

    // Assess
    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(before.Status).toBe('Valid');
    expect(await pebbleCertStatus(ca.acme, serialHex)).toMatchObject({ Status: 'Revoked', Reason: 4 });
  });
});
