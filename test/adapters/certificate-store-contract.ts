/**
 * What the Secrets Manager certificate store promises the phases, as one suite run against
 * any Secrets Manager: the in-memory fake (test/support/secrets-manager-fake.ts) and moto_server.
 * Each case only drives the store and reads back through the SDK, so the same case holds the
 * adapter to our own model of Secrets Manager and to one nobody on this project wrote.
 *
 * The suite runs twice: on a stack that made no certificate secret (the store makes it at the
 * first key), and on one whose certificate secret an earlier version's stack made with `{}`.
 */
import { DescribeSecretCommand, GetResourcePolicyCommand, GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { SecretsManagerCertificateStore } from '../../functions/adapters/secrets-manager-store.js';
import { certificateSecretPolicy } from '../../functions/core/secret-policy.js';
import type { AcmeAccount, PendingKey, SecretOwner, StoredCertificate } from '../../functions/ports/certificate-store.js';
import { failureOf } from '../support/failure.js';
import { TEST_SECRET_POLICY } from '../support/secret-policy-settings.js';

export interface SecretsManagerHarness {
  /** A client on which these secrets exist holding `{}`, as a stack creates them; every other name is missing. */
  withSecrets(secretIds: readonly string[]): Promise<SecretsManagerClient>;
}

const READER = 'arn:aws:iam::210987654321:root';

const KEY_TEXT = 'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgCONTRACTSECRET';
const PRIVATE_KEY = `-----BEGIN PRIVATE KEY-----\n${KEY_TEXT}\n-----END PRIVATE KEY-----\n`;
const OTHER_KEY = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgOTHEROTHER\n-----END PRIVATE KEY-----\n';
const pendingKey = (order: number, privateKeyPem = PRIVATE_KEY): PendingKey => ({
  orderUrl: `https://acme.example/order/${order}`,
  keyAlgorithm: 'ecdsa-p256',
  privateKeyPem,
});
const certificate = (serialNumber: string, revision: number): StoredCertificate => ({
  'tls.crt': `-----BEGIN CERTIFICATE-----\nMIIB${serialNumber}\n-----END CERTIFICATE-----\n`,
  'tls.key': PRIVATE_KEY,
  dnsNames: ['www.example.com'],
  serialNumber,
  notBefore: '2027-01-01T00:00:00.000Z',
  notAfter: '2027-04-01T00:00:00.000Z',
  renewalTime: '2027-03-02T00:00:00.000Z',
  issuer: 'letsencrypt',
  keyAlgorithm: 'ecdsa-p256',
  revision,
});
const account: AcmeAccount = { directoryUrl: 'https://acme.example/directory', accountKeyPem: PRIVATE_KEY, accountUrl: 'https://acme.example/acct/1' };

let counter = 0;

export function describeCertificateStoreContract(label: string, harness: () => SecretsManagerHarness): void {
  for (const madeBefore of [false, true]) describeOn(label, harness, madeBefore);
}

function describeOn(label: string, harness: () => SecretsManagerHarness, madeBefore: boolean): void {
  /** A store with its own certificate (secret or none) and account secret, so cases never share state. */
  async function fresh() {
    const name = `www-${++counter}`;
    const issuer = `issuer-${counter}`;
    const certificateSecret = `certstep/certificates/${name}`;
    const accountSecret = `certstep/accounts/${issuer}`;
    const client = await harness().withSecrets(madeBefore ? [certificateSecret, accountSecret] : [accountSecret]);
    const store = new SecretsManagerCertificateStore({ client, secretPolicy: TEST_SECRET_POLICY });
    const spec: SecretOwner = { name, readers: [READER] };
    /** No labels at all while the secret is not made. */
    const stages = async (secretId = certificateSecret): Promise<Record<string, string[]>> => {
      try {
        return (await client.send(new DescribeSecretCommand({ SecretId: secretId }))).VersionIdsToStages ?? {};
      } catch (error) {
        if ((error as { name?: string }).name === 'ResourceNotFoundException') return {};
        throw error;
      }
    };
    const versionWith = async (stage: string, secretId = certificateSecret) => Object.entries(await stages(secretId)).find(([, on]) => on.includes(stage))?.[0];
    const valueWith = async (stage: string, secretId = certificateSecret) =>
      (await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }))).SecretString;
    const policy = async () =>
      JSON.parse((await client.send(new GetResourcePolicyCommand({ SecretId: certificateSecret }))).ResourcePolicy ?? 'null') as unknown;
    return { name, spec, issuer, client, store, stages, versionWith, valueWith, policy, certificateSecret, accountSecret };
  }

  const stack = madeBefore ? 'a certificate secret made by an earlier version with {}' : 'no certificate secret made beforehand';
  describe(`certificate store contract: Secrets Manager on ${label}, ${stack}`, () => {
    it('knows no certificate, pending key or account before anything is stored', async () => {
      const { store, name, issuer } = await fresh();

      expect(await store.getCurrent(name)).toBeUndefined();
      expect((await store.readCurrent(name))?.certificate).toBeUndefined();
      expect(await store.listPendingKeys(name)).toEqual([]);
      expect(await store.getAccount(issuer)).toBeUndefined();
    });

    it(
      madeBefore
        ? 'reads the placeholder {} as a current version holding no certificate'
        : 'reads a certificate without a secret as nothing stored, and removing a key there is harmless',
      async () => {
        const { store, name, versionWith } = await fresh();
        const unknownKey = '00000000-0000-0000-0000-000000000000';

        const read = await store.readCurrent(name);
        const version = await store.currentVersion(name);
        await store.removePendingKey(name, unknownKey);

        if (madeBefore) {
          expect(version).toBe(await versionWith('AWSCURRENT'));
          expect(read).toEqual({ versionId: version });
        } else {
          expect(read).toBeUndefined();
          expect(version).toBeUndefined();
        }
        expect(await store.getPendingKey(name, unknownKey)).toBeUndefined();
        expect(await store.listPendingKeys(name)).toEqual([]);
      },
    );

    it('puts the policy naming its readers on the secret before the first key goes in', async () => {
      // Prepare
      const { store, spec, name, policy, client, certificateSecret } = await fresh();
      const sent: string[] = [];
      const send = client.send.bind(client);
      client.send = ((command: { constructor: { name: string } }) => {
        sent.push(command.constructor.name);
        return send(command as never);
      }) as typeof client.send;

      // Act
      const saved = await store.putPendingKey(spec, pendingKey(1));

      // Assess
      expect(await policy()).toEqual(certificateSecretPolicy(TEST_SECRET_POLICY, { readers: [READER] }));
      expect(JSON.stringify(await policy())).toContain(READER);
      expect(sent.indexOf('PutResourcePolicyCommand')).toBeGreaterThanOrEqual(0);
      expect(sent.lastIndexOf('PutResourcePolicyCommand')).toBeLessThan(sent.indexOf('PutSecretValueCommand'));
      expect(await store.getPendingKey(name, saved.versionId)).toEqual(pendingKey(1));
      const described = await client.send(new DescribeSecretCommand({ SecretId: certificateSecret }));
      if (madeBefore) expect(sent).not.toContain('CreateSecretCommand');
      else expect(described.Tags).toEqual([{ Key: 'certstep:certificate', Value: name }]);
    });

    it('ensurePolicy says missing before the first key and applies the policy after it, with the readers of the moment', async () => {
      // Prepare
      const { store, spec, policy } = await fresh();
      const before = await store.ensurePolicy(spec);
      await store.putPendingKey(spec, pendingKey(1));
      const changed = { ...spec, readers: ['arn:aws:iam::123456789012:role/new-reader'], acm: { regions: ['us-east-1'] } };

      // Act
      const after = await store.ensurePolicy(changed);

      // Assess
      expect(before).toBe(madeBefore ? 'applied' : 'missing');
      expect(after).toBe('applied');
      expect(await policy()).toEqual(certificateSecretPolicy(TEST_SECRET_POLICY, changed));
    });

    it('saves one pending key per order as AWSPENDING, and a retry for the same order keeps the first key', async () => {
      // Prepare
      const { store, spec, name, stages } = await fresh();

      // Act
      const first = await store.putPendingKey(spec, pendingKey(1));
      const retry = await store.putPendingKey(spec, pendingKey(1, OTHER_KEY));

      // Assess
      expect(first.created).toBe(true);
      expect(retry).toEqual({ versionId: first.versionId, created: false });
      expect(await store.getPendingKey(name, first.versionId)).toEqual(pendingKey(1));
      expect(await store.listPendingKeys(name)).toEqual([first.versionId]);
      expect((await stages())[first.versionId]).toEqual(['AWSPENDING']);
    });

    it('moves AWSPENDING to a later order, and the earlier key stays readable by its version id', async () => {
      // Prepare
      const { store, spec, name } = await fresh();
      const earlier = await store.putPendingKey(spec, pendingKey(1));

      // Act
      const later = await store.putPendingKey(spec, pendingKey(2, OTHER_KEY));

      // Assess
      expect(later.created).toBe(true);
      expect(later.versionId).not.toBe(earlier.versionId);
      expect(await store.listPendingKeys(name)).toEqual([later.versionId]);
      expect(await store.getPendingKey(name, earlier.versionId)).toEqual(pendingKey(1));
      expect(await store.getPendingKey(name, later.versionId)).toEqual(pendingKey(2, OTHER_KEY));
    });

    it('is undefined for a pending key this secret never had', async () => {
      const { store, name } = await fresh();
      const other = await fresh();
      const elsewhere = await other.store.putPendingKey(other.spec, pendingKey(9));

      expect(await store.getPendingKey(name, elsewhere.versionId)).toBeUndefined();
      expect(await store.getPendingKey(name, 'not-a-token')).toBeUndefined();
    });

    it('removes a pending key from the list, and removing it again or one never there is harmless', async () => {
      // Prepare
      const { store, spec, name, stages } = await fresh();
      const saved = await store.putPendingKey(spec, pendingKey(1));

      // Act
      await store.removePendingKey(name, saved.versionId);
      await store.removePendingKey(name, saved.versionId);
      await store.removePendingKey(name, 'not-a-token');

      // Assess
      expect(await store.listPendingKeys(name)).toEqual([]);
      expect(Object.values(await stages()).flat()).not.toContain('AWSPENDING');
    });

    it('makes the first certificate current over the placeholder, keeps the placeholder as AWSPREVIOUS and frees AWSPENDING', async () => {
      // Prepare
      const { store, spec, name, stages, versionWith, valueWith } = await fresh();
      const before = await versionWith('AWSCURRENT');
      const saved = await store.putPendingKey(spec, pendingKey(1));
      // Where the store made the secret, it wrote the placeholder itself, before the key.
      const placeholder = await versionWith('AWSCURRENT');
      const issued = certificate('0a01', 1);

      // Act
      const made = await store.makeCurrent(name, issued, saved.versionId);

      // Assess
      const { 'tls.key': _key, 'tls.crt': _crt, ...summary } = issued;
      expect(await store.getCurrent(name)).toEqual(issued);
      expect((await store.readCurrent(name))?.certificate).toMatchObject(summary);
      expect(JSON.stringify((await store.readCurrent(name))?.certificate)).not.toContain(KEY_TEXT);
      expect(await versionWith('AWSCURRENT')).toBe(made.versionId);
      expect(await versionWith('AWSPREVIOUS')).toBe(placeholder);
      expect(await valueWith('AWSPREVIOUS')).toBe('{}');
      expect(placeholder).not.toBe(saved.versionId);
      if (madeBefore) expect(placeholder).toBe(before);
      else expect(before).toBeUndefined();
      expect(await versionWith('AWSPENDING')).toBeUndefined();
      expect(await store.listPendingKeys(name)).toEqual([]);
      expect(Object.keys(await stages())).toContain(saved.versionId);
    });

    it('tells the current version id without reading the value, the same id readCurrent reads with the certificate, and a new one per certificate', async () => {
      // Prepare
      const { store, spec, name, client, versionWith } = await fresh();
      const placeholder = await store.readCurrent(name);
      const placeholderVersion = await store.currentVersion(name);
      const sent: string[] = [];
      const send = client.send.bind(client);
      client.send = ((command: { constructor: { name: string } }) => {
        sent.push(command.constructor.name);
        return send(command as never);
      }) as typeof client.send;
      const saved = await store.putPendingKey(spec, pendingKey(1));
      const made = await store.makeCurrent(name, certificate('0a01', 1), saved.versionId);
      const renewedKey = await store.putPendingKey(spec, pendingKey(2, OTHER_KEY));

      // Act
      sent.length = 0;
      const firstVersion = await store.currentVersion(name);
      const askedForVersion = [...sent];
      const first = { version: firstVersion, read: await store.readCurrent(name) };
      const renewed = await store.makeCurrent(name, certificate('0b02', 2), renewedKey.versionId);
      const second = { version: await store.currentVersion(name), read: await store.readCurrent(name) };

      // Assess
      expect(askedForVersion).toEqual(['DescribeSecretCommand']);
      if (madeBefore) {
        expect(placeholder).toEqual({ versionId: placeholderVersion });
        expect(placeholderVersion).toEqual(expect.any(String));
        expect(placeholderVersion).not.toBe(made.versionId);
      } else {
        expect(placeholder).toBeUndefined();
        expect(placeholderVersion).toBeUndefined();
      }
      expect(await versionWith('AWSCURRENT')).toBe(second.version);
      expect(first.version).toBe(made.versionId);
      expect(first.read).toMatchObject({ versionId: made.versionId, certificate: { serialNumber: '0a01', revision: 1 } });
      expect(JSON.stringify(first.read)).not.toContain(KEY_TEXT);
      expect(JSON.stringify(first.read)).not.toContain('BEGIN CERTIFICATE');
      expect(second.version).toBe(renewed.versionId);
      expect(second.version).not.toBe(first.version);
      expect(second.read).toMatchObject({ versionId: renewed.versionId, certificate: { serialNumber: '0b02' } });
    });

    it('makes the same certificate current again without a new version (a retried StoreCertificate)', async () => {
      // Prepare
      const { store, spec, name, stages } = await fresh();
      const saved = await store.putPendingKey(spec, pendingKey(1));
      const first = await store.makeCurrent(name, certificate('0a01', 1), saved.versionId);
      const before = await stages();

      // Act
      const again = await store.makeCurrent(name, certificate('0a01', 1), saved.versionId);

      // Assess
      expect(again.versionId).toBe(first.versionId);
      expect(await stages()).toEqual(before);
    });

    it('moves AWSCURRENT to the renewed certificate and keeps the one it replaces as AWSPREVIOUS', async () => {
      // Prepare
      const { store, spec, name, versionWith, valueWith } = await fresh();
      const firstKey = await store.putPendingKey(spec, pendingKey(1));
      const first = await store.makeCurrent(name, certificate('0a01', 1), firstKey.versionId);
      const secondKey = await store.putPendingKey(spec, pendingKey(2, OTHER_KEY));

      // Act
      const second = await store.makeCurrent(name, certificate('0b02', 2), secondKey.versionId);

      // Assess
      expect(second.versionId).not.toBe(first.versionId);
      expect(await versionWith('AWSCURRENT')).toBe(second.versionId);
      expect(await versionWith('AWSPREVIOUS')).toBe(first.versionId);
      expect(JSON.parse((await valueWith('AWSPREVIOUS')) ?? '{}')).toEqual(certificate('0a01', 1));
      expect((await store.readCurrent(name))?.certificate?.serialNumber).toBe('0b02');
    });

    it('leaves AWSPENDING on a later order when an earlier order is made current', async () => {
      // Prepare
      const { store, spec, name } = await fresh();
      const earlier = await store.putPendingKey(spec, pendingKey(1));
      const later = await store.putPendingKey(spec, pendingKey(2, OTHER_KEY));

      // Act
      await store.makeCurrent(name, certificate('0a01', 1), earlier.versionId);

      // Assess
      expect(await store.listPendingKeys(name)).toEqual([later.versionId]);
      expect(await store.getPendingKey(name, later.versionId)).toEqual(pendingKey(2, OTHER_KEY));
    });

    it('stores the first account, keeps it against a second writer without replace, and replaces it when asked', async () => {
      // Prepare
      const { store, issuer } = await fresh();
      const theirs = { ...account, accountKeyPem: OTHER_KEY, accountUrl: 'https://acme.example/acct/2' };

      // Act
      const first = await store.putAccount(issuer, account, false);
      const kept = await store.putAccount(issuer, theirs, false);
      const afterKeep = await store.getAccount(issuer, account.directoryUrl);
      const replaced = await store.putAccount(issuer, theirs, true);

      // Assess
      expect(first).toEqual(account);
      expect(kept).toEqual(account);
      expect(afterKeep).toEqual(account);
      expect(replaced).toEqual(theirs);
      expect(await store.getAccount(issuer)).toEqual(theirs);
    });

    it("keeps each directory URL's account, and a pending key change with it", async () => {
      // Prepare
      const { store, issuer } = await fresh();
      const old = { directoryUrl: 'https://old-ca.example/directory', accountKeyPem: OTHER_KEY, accountUrl: 'https://old-ca.example/acct/7' };
      const rolling = { ...account, nextAccountKeyPem: OTHER_KEY };

      // Act
      await store.putAccount(issuer, old, false);
      await store.putAccount(issuer, account, false);
      await store.putAccount(issuer, rolling, true);

      // Assess
      expect(await store.getAccount(issuer)).toEqual(rolling);
      expect(await store.getAccount(issuer, old.directoryUrl)).toEqual(old);
      expect(await store.getAccount(issuer, 'https://third-ca.example/directory')).toBeUndefined();
    });

    it('keeps SecretNotFound for an issuer whose account secret the stack did not create, and creates no secret for it', async () => {
      const { client } = await fresh();
      const store = new SecretsManagerCertificateStore({ client, accountSecretId: (issuer) => `certstep/accounts/never-deployed-${issuer}` });

      const read = await failureOf(store.getAccount('lost'));
      const put = await failureOf(store.putAccount('lost', account, false));

      for (const failure of [read, put]) {
        expect(failure.name).toBe('SecretNotFound');
        expect(failure.message).toContain('certstep/accounts/never-deployed-lost does not exist');
      }
      await expect(client.send(new DescribeSecretCommand({ SecretId: 'certstep/accounts/never-deployed-lost' }))).rejects.toThrow();
    });
  });
}
