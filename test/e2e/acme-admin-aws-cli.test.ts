/**
 * `certstep revoke --aws` and `certstep account show|rollover|update-contact --aws` as an operator
 * runs them against a deployment: the real CLI process, its SDK pointed at moto_server where the
 * issuer's account secret and the certificate's secret hold what the Lambdas would have put there
 * (through the Secrets Manager store itself), and Pebble as the CA those were made with.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAcme, startLocalAcme } from '../../cli/local/pebble.js';
import { FileCertificateStore } from '../../functions/adapters/file-store.js';
import { SecretsManagerCertificateStore } from '../../functions/adapters/secrets-manager-store.js';
import type { StoredCertificate } from '../../functions/ports/certificate-store.js';
import { normalizeSerial } from '../../functions/core/verify-certificate.js';
import { certstep } from '../support/cli-process.js';
import { newStore, pebbleCertStatus } from '../support/local-ca.js';
import { type Moto, startMoto } from '../support/moto.js';
import { TEST_SECRET_POLICY } from '../support/secret-policy-settings.js';

const ISSUER = 'pebble';
let acme: LocalAcme;
let moto: Moto;
let deployed: SecretsManagerCertificateStore;
let stored: StoredCertificate;
let aws: string[];
let env: Record<string, string>;

beforeAll(async () => {
  [acme, moto] = await Promise.all([startLocalAcme(), startMoto()]);
  // A certificate and an account made at Pebble the way a local run makes them.
  const storeDir = await newStore();
  const caFile = path.join(storeDir, '..', `${path.basename(storeDir)}-ca.pem`);
  await writeFile(caFile, acme.caCertPem);
  const input = path.join(storeDir, '..', `${path.basename(storeDir)}-input.json`);
  await writeFile(input, JSON.stringify({ certificate: { name: 'web', dnsNames: ['aws-admin.example.test'], issuer: 'local' } }));
  const issued = await certstep([
    'local',
    'run',
    input,
    '--store',
    storeDir,
    '--acme-directory',
    acme.directoryUrl,
    '--acme-ca',
    caFile,
    '--challtestsrv',
    acme.challtestsrvUrl,
  ]);
  expect(issued.code, issued.stderr).toBe(0);
  const local = new FileCertificateStore(storeDir);
  const account = await local.getAccount('local');
  const current = await local.getCurrent('web');
  if (!account || !current) throw new Error('the local run left no account or certificate');

  // The deployment: the stack's secrets with `{}`, filled by the store as StoreCertificate and CreateOrder would.
  const secrets = new SecretsManagerClient({
    endpoint: moto.endpoint,
    region: moto.region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  for (const name of ['certstep/certificates/web', `certstep/accounts/${ISSUER}`])
    await secrets.send(new CreateSecretCommand({ Name: name, SecretString: '{}' }));
  deployed = new SecretsManagerCertificateStore({ client: secrets, secretPolicy: TEST_SECRET_POLICY });
  await deployed.putAccount(ISSUER, account, false);
  stored = { ...current, issuer: ISSUER };
  const pending = await deployed.putPendingKey(
    { name: 'web' },
    {
      orderUrl: `${acme.directoryUrl}#order`,
      keyAlgorithm: stored.keyAlgorithm,
      privateKeyPem: stored['tls.key'],
    },
  );
  await deployed.makeCurrent('web', stored, pending.versionId);

  const config = path.join(storeDir, '..', `${path.basename(storeDir)}-certstep.config.json`);
  await writeFile(
    config,
    JSON.stringify({
      notificationEmail: 'ops@example.test',
      issuers: [{ name: ISSUER, directoryUrl: acme.directoryUrl }],
      certificates: [{ name: 'web', dnsNames: ['aws-admin.example.test'], issuer: ISSUER, dns01: { route53: { hostedZoneId: 'Z0000000000EXAMPLE01' } } }],
    }),
  );
  aws = ['--aws', '--config', config];
  // Pebble's TLS certificate is signed by a CA made at start-up; the CLI trusts it as an operator would.
  env = { ...moto.env, NODE_EXTRA_CA_CERTS: caFile };
});
afterAll(async () => {
  await Promise.all([acme?.stop(), moto?.stop()]);
});

/** The certificate secret's AWSCURRENT version: revoke leaves the stored certificate as it is. */
async function currentVersion(): Promise<string | undefined> {
  const secrets = new SecretsManagerClient({
    endpoint: moto.endpoint,
    region: moto.region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  return (await secrets.send(new GetSecretValueCommand({ SecretId: 'certstep/certificates/web' }))).VersionId;
}

describe('certstep account and revoke against a deployment (moto_server + Pebble)', () => {
  it('shows the account from its secret, replaces its contact, and rolls its key over into the secret', async () => {
    // Prepare
    const before = await deployed.getAccount(ISSUER);

    // Act
    const shown = await certstep(['account', 'show', ISSUER, ...aws, '--json'], undefined, env);
    const updated = await certstep(['account', 'update-contact', ISSUER, '--email', 'pki@example.test', ...aws, '--json'], undefined, env);
    const rolled = await certstep(['account', 'rollover', ISSUER, ...aws], undefined, env);

    // Assess
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ issuer: ISSUER, accountUrl: before?.accountUrl, status: 'valid' });
    expect(updated.code, updated.stderr).toBe(0);
    expect(JSON.parse(updated.stdout).contact).toEqual(['mailto:pki@example.test']);
    expect(rolled.code, rolled.stderr).toBe(0);
    expect(rolled.stdout).toContain('Rolled the account key over');
    const after = await deployed.getAccount(ISSUER);
    expect(after?.accountUrl).toBe(before?.accountUrl);
    expect(after?.accountKeyPem).not.toBe(before?.accountKeyPem);
    expect(after?.nextAccountKeyPem).toBeUndefined();
    for (const output of [shown, updated, rolled]) expect(`${output.stdout}${output.stderr}`).not.toContain('PRIVATE KEY');
  });

  it('revokes the certificate in its secret at the CA that issued it, with the account in the secret', async () => {
    // Prepare
    const serial = normalizeSerial(stored.serialNumber);
    const statusBefore = await pebbleCertStatus(acme, serial);
    const versionBefore = await currentVersion();

    // Act
    const revoked = await certstep(['revoke', 'web', '--reason', 'keyCompromise', '--yes', ...aws], undefined, env);

    // Assess
    expect(statusBefore.Status).toBe('Valid');
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain(`at ${acme.directoryUrl}`);
    expect(await pebbleCertStatus(acme, serial)).toMatchObject({ Status: 'Revoked', Reason: 1 });
    expect(await currentVersion()).toBe(versionBefore);
    expect((await deployed.getCurrent('web'))?.serialNumber).toBe(stored.serialNumber);
  });

  it('names the issuer the configuration does not have, with exit 2', async () => {
    const unknown = await certstep(['account', 'show', 'letsencrypt', ...aws], undefined, env);

    expect(unknown.code, unknown.stderr).toBe(2);
    expect(unknown.stderr).toContain(`has no issuer "letsencrypt" (it has ${ISSUER})`);
  });
});
