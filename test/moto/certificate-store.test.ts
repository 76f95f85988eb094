/**
 * The Secrets Manager adapters through the real SDK against moto_server: the certificate store's
 * shared contract (also run against the in-memory fake), what only a real implementation shows
 * (ARNs, a secret without a current version), the acme-dns registrations, and where moto is more
 * lenient than Secrets Manager (docs/testing.md).
 */
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretsManagerAcmeDnsCredentials } from '../../functions/adapters/secrets-manager-acme-dns-credentials.js';
import { SecretsManagerCertificateStore, versionToken } from '../../functions/adapters/secrets-manager-store.js';
import { describeCertificateStoreContract } from '../adapters/certificate-store-contract.js';
import { failureOf } from '../support/failure.js';
import { TEST_SECRET_POLICY } from '../support/secret-policy-settings.js';
import { type Moto, startMoto } from '../support/moto.js';

let moto: Moto;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => moto?.stop());

function client(): SecretsManagerClient {
  return new SecretsManagerClient({ endpoint: moto.endpoint, region: moto.region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
}

/** As the stack creates them: the placeholder `{}`. */
async function deployed(...secretIds: string[]): Promise<SecretsManagerClient> {
  const secrets = client();
  for (const id of secretIds) await secrets.send(new CreateSecretCommand({ Name: id, SecretString: '{}' }));
  return secrets;
}

describeCertificateStoreContract('moto_server', () => ({ withSecrets: (secretIds) => deployed(...secretIds) }));

const PENDING = { orderUrl: 'https://acme.example/order/1', keyAlgorithm: 'ecdsa-p256' as const, privateKeyPem: 'PEM' };
const CERTIFICATE = {
  'tls.crt': 'CRT',
  'tls.key': 'PEM',
  dnsNames: ['arn.example.com'],
  serialNumber: '0a01',
  notBefore: '2027-01-01T00:00:00.000Z',
  notAfter: '2027-04-01T00:00:00.000Z',
  renewalTime: '2027-03-02T00:00:00.000Z',
  issuer: 'letsencrypt',
  keyAlgorithm: 'ecdsa-p256' as const,
  revision: 1,
};

describe('the Secrets Manager certificate store on moto_server, beyond the shared contract', () => {
  it("names the secret's ARN from makeCurrent and with the summary, for the run event", async () => {
    // Prepare
    const secrets = await deployed('certstep/certificates/arn');
    const store = new SecretsManagerCertificateStore({ client: secrets, secretPolicy: TEST_SECRET_POLICY });
    const arn = (await secrets.send(new GetSecretValueCommand({ SecretId: 'certstep/certificates/arn' }))).ARN;
    const saved = await store.putPendingKey({ name: 'arn' }, PENDING);

    // Act
    const made = await store.makeCurrent('arn', CERTIFICATE, saved.versionId);
    const summary = (await store.readCurrent('arn'))?.certificate;

    // Assess
    expect(arn).toMatch(/^arn:aws:secretsmanager:us-east-1:\d{12}:secret:certstep\/certificates\/arn-\w{6}$/);
    expect(made.secretArn).toBe(arn);
    expect(summary?.secretArn).toBe(arn);
  });

  it('knows no certificate in a secret created without any value (no AWSCURRENT version), rather than calling it missing', async () => {
    const secrets = client();
    await secrets.send(new CreateSecretCommand({ Name: 'certstep/certificates/empty' }));
    const store = new SecretsManagerCertificateStore({ client: secrets });

    expect((await store.readCurrent('empty'))?.certificate).toBeUndefined();
    expect(await store.listPendingKeys('empty')).toEqual([]);
  });

  it('puts a key into a secret a run made and left without a version, and the placeholder takes AWSCURRENT back from it', async () => {
    // Prepare: made with no value, as the store makes it, by a run that died before its placeholder.
    const secrets = client();
    await secrets.send(new CreateSecretCommand({ Name: 'certstep/certificates/unfilled' }));
    const store = new SecretsManagerCertificateStore({ client: secrets, secretPolicy: TEST_SECRET_POLICY });

    // Act
    const saved = await store.putPendingKey({ name: 'unfilled' }, PENDING);

    // Assess: nothing is current but the placeholder, and the key is read by its version. (That
    // it keeps AWSPENDING too, as on AWS, moto cannot show: see the pinned leniency below; the
    // in-memory fake shows it in certificate-secret.test.ts.)
    const current = await secrets.send(new GetSecretValueCommand({ SecretId: 'certstep/certificates/unfilled' }));
    expect(current.SecretString).toBe('{}');
    expect(current.VersionId).not.toBe(saved.versionId);
    expect(saved.created).toBe(true);
    expect((await store.readCurrent('unfilled'))?.certificate).toBeUndefined();
    expect(await store.getPendingKey('unfilled', saved.versionId)).toEqual(PENDING);
  });

  it('refuses a secret that does not hold a JSON object without quoting it', async () => {
    const secrets = client();
    await secrets.send(new CreateSecretCommand({ Name: 'certstep/certificates/garbled', SecretString: 'not json SECRETMATERIAL' }));

    const failure = await failureOf(new SecretsManagerCertificateStore({ client: secrets }).getCurrent('garbled'));

    expect(failure.name).toBe('InvalidState');
    expect(failure.message).not.toContain('SECRETMATERIAL');
  });
});

describe('acme-dns registrations in Secrets Manager on moto_server', () => {
  const HOST = 'https://auth.example.org';
  const registration = (password: string) => ({ username: 'user-1', password, fulldomain: 'sub-1.auth.example.org', subdomain: 'sub-1' });
  const credentials = () => new SecretsManagerAcmeDnsCredentials({ client: client(), secretPrefix: 'certstep/acme-dns/' });

  it('creates the secret when absent, and of two writers the first wins and the second reads it back', async () => {
    // Act
    const before = await credentials().get(HOST, 'first.example.com');
    const first = await credentials().putIfAbsent(HOST, 'first.example.com', registration('first-password'));
    const second = await credentials().putIfAbsent(HOST, '*.first.example.com', registration('second-password'));

    // Assess
    expect(before).toBeUndefined();
    expect(first).toEqual(registration('first-password'));
    expect(second).toEqual(registration('first-password'));
    expect(await credentials().get(HOST, 'first.example.com')).toEqual(registration('first-password'));
    const stored = await client().send(new GetSecretValueCommand({ SecretId: 'certstep/acme-dns/auth.example.org/first.example.com' }));
    expect(JSON.parse(stored.SecretString ?? '{}')).toEqual(registration('first-password'));
  });

  it('lets exactly one of two concurrent registrations in, and both runs use it', async () => {
    const [one, two] = await Promise.all([
      credentials().putIfAbsent(HOST, 'race.example.com', registration('one')),
      credentials().putIfAbsent(HOST, 'race.example.com', registration('two')),
    ]);

    expect(one).toEqual(two);
    expect(['one', 'two']).toContain(one.password);
  });
});

describe('where moto_server is more lenient than Secrets Manager (pinned, so an upgrade that changes it is noticed)', () => {
  it('takes every label off the version AWSCURRENT leaves, AWSPENDING too (AWS moves only AWSPREVIOUS there)', async () => {
    // Prepare
    const secrets = client();
    const SecretId = 'certstep/certificates/relabelled';
    await secrets.send(new CreateSecretCommand({ Name: SecretId }));
    const first = await secrets.send(new PutSecretValueCommand({ SecretId, SecretString: '{"a":1}', VersionStages: ['AWSPENDING'] }));

    // Act
    await secrets.send(new PutSecretValueCommand({ SecretId, SecretString: '{}', VersionStages: ['AWSCURRENT'] }));

    // Assess
    expect(first.VersionStages).toEqual(['AWSPENDING', 'AWSCURRENT']);
    const described = await secrets.send(new DescribeSecretCommand({ SecretId }));
    expect(described.VersionIdsToStages?.[first.VersionId ?? '']).toEqual(['AWSPREVIOUS']);
  });

  it('lets a ClientRequestToken that names an AWSPENDING version put another value (AWS: ResourceExistsException)', async () => {
    // Prepare
    const secrets = await deployed('certstep/certificates/lenient-token');
    const token = versionToken('pending:https://acme.example/order/lenient');
    const put = (value: string) =>
      secrets.send(
        new PutSecretValueCommand({
          SecretId: 'certstep/certificates/lenient-token',
          ClientRequestToken: token,
          SecretString: value,
          VersionStages: ['AWSPENDING'],
        }),
      );
    await put('{"first":true}');

    // Act
    await put('{"second":true}');

    // Assess
    const read = await secrets.send(new GetSecretValueCommand({ SecretId: 'certstep/certificates/lenient-token', VersionId: token }));
    expect(read.SecretString).toBe('{"second":true}');
  });
});
