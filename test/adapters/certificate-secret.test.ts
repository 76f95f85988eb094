/**
 * Certificate secrets made at run time, against a mocked client: what a first key sends and in
 * which order (policy before any value), how a secret made elsewhere or by an earlier version is
 * adopted, ensurePolicy, the settings the policy needs, and how a KMS key problem is reported.
 */
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  EncryptionFailure,
  GetSecretValueCommand,
  InvalidRequestException,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SecretsManagerCertificateStore, versionToken } from '../../functions/adapters/secrets-manager-store.js';
import { type CertstepError, SecretNotFound, StoreAccessDenied, StoreRequestRejected } from '../../functions/core/errors.js';
import { SECRET_POLICY_ENV, certificateSecretPolicy } from '../../functions/core/secret-policy.js';
import type { PendingKey, SecretOwner } from '../../functions/ports/certificate-store.js';
import { readConfig } from '../../functions/runtime/config.js';
import { secretsManagerStore } from '../../functions/runtime/store.js';
import { fakeSecretsManager } from '../support/secrets-manager-fake.js';
import { TEST_SECRET_POLICY } from '../support/secret-policy-settings.js';

const secrets = mockClient(SecretsManagerClient);
const SECRET = 'certstep/certificates/www';
const KMS_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const ORDER_URL = 'https://acme.example/order/42';
const KEY_TEXT = 'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSECRETSECRETSECRET';
const pendingKey: PendingKey = {
  orderUrl: ORDER_URL,
  keyAlgorithm: 'ecdsa-p256',
  privateKeyPem: `-----BEGIN PRIVATE KEY-----\n${KEY_TEXT}\n-----END PRIVATE KEY-----\n`,
};
const WWW: SecretOwner = { name: 'www', readers: ['arn:aws:iam::210987654321:root'], acm: { regions: ['us-east-1'] } };
const POLICY = JSON.stringify(certificateSecretPolicy(TEST_SECRET_POLICY, WWW));
const PENDING_VERSION = versionToken(`pending:${ORDER_URL}`);

function store(options: { kms?: boolean; settings?: boolean } = {}): SecretsManagerCertificateStore {
  return new SecretsManagerCertificateStore({
    client: new SecretsManagerClient({ region: 'eu-west-1' }),
    ...(options.settings !== false && { secretPolicy: TEST_SECRET_POLICY }),
    ...(options.kms && { kmsKeyId: KMS_KEY }),
  });
}

function notFound(message = "Secrets Manager can't find the specified secret."): ResourceNotFoundException {
  return new ResourceNotFoundException({ message, $metadata: { httpStatusCode: 400 } });
}

/** No secret at all until CreateSecret; then one without versions, as Secrets Manager makes it. */
function missingSecret(): void {
  let made = false;
  secrets.on(GetSecretValueCommand).rejects(notFound());
  secrets.on(CreateSecretCommand).callsFake(() => {
    made = true;
    return { Name: SECRET };
  });
  secrets.on(PutResourcePolicyCommand).callsFake(() => {
    if (!made) throw notFound();
    return { Name: SECRET };
  });
  secrets.on(DescribeSecretCommand).callsFake(() => {
    if (!made) throw notFound();
    return { Name: SECRET };
  });
  secrets.on(PutSecretValueCommand).resolves({});
}

const sent = () => secrets.calls().map((call) => call.args[0].constructor.name.replace(/Command$/, ''));

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

beforeEach(() => {
  secrets.reset();
});

describe('reading a certificate whose secret is not made yet', () => {
  it('is nothing stored for every read, and removing a pending key there is harmless', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).rejects(notFound());
    secrets.on(DescribeSecretCommand).rejects(notFound());
    secrets.on(UpdateSecretVersionStageCommand).rejects(notFound());

    // Act
    const read = {
      readCurrent: await store().readCurrent('www'),
      getCurrent: await store().getCurrent('www'),
      currentVersion: await store().currentVersion('www'),
      getPendingKey: await store().getPendingKey('www', PENDING_VERSION),
      listPendingKeys: await store().listPendingKeys('www'),
    };
    await store().removePendingKey('www', PENDING_VERSION);

    // Assess
    expect(read).toEqual({ readCurrent: undefined, getCurrent: undefined, currentVersion: undefined, getPendingKey: undefined, listPendingKeys: [] });
    expect(secrets.commandCalls(CreateSecretCommand)).toHaveLength(0);
  });

  it('needs no policy settings to read', async () => {
    secrets.on(GetSecretValueCommand).rejects(notFound());
    secrets.on(DescribeSecretCommand).rejects(notFound());

    expect(await store({ settings: false }).readCurrent('www')).toBeUndefined();
  });
});

describe('the first key of a certificate without a secret', () => {
  it('makes the secret without a value, tagged and with the KMS key, puts its policy on, then the placeholder, then the key', async () => {
    // Prepare
    missingSecret();

    // Act
    const saved = await store({ kms: true }).putPendingKey(WWW, pendingKey);

    // Assess
    expect(saved).toEqual({ versionId: PENDING_VERSION, created: true });
    expect(sent()).toEqual(['GetSecretValue', 'PutResourcePolicy', 'CreateSecret', 'PutResourcePolicy', 'PutSecretValue', 'PutSecretValue']);
    expect(secrets.commandCalls(CreateSecretCommand)[0]?.args[0].input).toEqual({
      Name: SECRET,
      Description: 'certstep: certificate www (tls.crt, tls.key and metadata)',
      KmsKeyId: KMS_KEY,
      Tags: [{ Key: 'certstep:certificate', Value: 'www' }],
    });
    expect(secrets.commandCalls(PutResourcePolicyCommand)[1]?.args[0].input).toEqual({ SecretId: SECRET, ResourcePolicy: POLICY, BlockPublicPolicy: true });
    const [placeholder, key] = secrets.commandCalls(PutSecretValueCommand).map((call) => call.args[0].input);
    expect(placeholder).toEqual({
      SecretId: SECRET,
      ClientRequestToken: versionToken(`placeholder:${SECRET}`),
      SecretString: '{}',
      VersionStages: ['AWSCURRENT'],
    });
    expect(key).toMatchObject({ SecretId: SECRET, ClientRequestToken: PENDING_VERSION, VersionStages: ['AWSPENDING'] });
  });

  it('sends no KmsKeyId without a stack key, and a policy with the readers and the ACM getters', async () => {
    // Prepare
    missingSecret();

    // Act
    await store().putPendingKey(WWW, pendingKey);

    // Assess
    expect(secrets.commandCalls(CreateSecretCommand)[0]?.args[0].input).not.toHaveProperty('KmsKeyId');
    const policy = secrets.commandCalls(PutResourcePolicyCommand)[1]?.args[0].input.ResourcePolicy ?? '';
    expect(policy).toContain('arn:aws:iam::210987654321:root');
    expect(policy).toContain(TEST_SECRET_POLICY.getAcm[0]);
    expect(policy).not.toContain(KEY_TEXT);
  });

  it('uses the secret another run of the certificate made first (ResourceExistsException)', async () => {
    // Prepare: their secret is there by the time ours is refused, with their placeholder.
    secrets.on(GetSecretValueCommand).rejects(notFound());
    secrets.on(PutResourcePolicyCommand).rejectsOnce(notFound()).resolves({ Name: SECRET });
    secrets.on(CreateSecretCommand).rejects(new ResourceExistsException({ message: 'the secret certstep/certificates/www already exists', $metadata: {} }));
    secrets.on(DescribeSecretCommand).resolves({ Name: SECRET, VersionIdsToStages: { theirs: ['AWSCURRENT'] } });
    secrets.on(PutSecretValueCommand).resolves({ VersionId: PENDING_VERSION, VersionStages: ['AWSPENDING'] });

    // Act
    const saved = await store().putPendingKey(WWW, pendingKey);

    // Assess: the key's put says the secret had a version already, so nothing is looked at.
    expect(saved.created).toBe(true);
    expect(sent()).toEqual(['GetSecretValue', 'PutResourcePolicy', 'CreateSecret', 'PutResourcePolicy', 'PutSecretValue']);
    expect(secrets.commandCalls(PutSecretValueCommand)[0]?.args[0].input.VersionStages).toEqual(['AWSPENDING']);
  });

  it('fails with SecretNotFound when the secret it made is gone before its policy goes on, and writes no key', async () => {
    secrets.on(GetSecretValueCommand).rejects(notFound());
    secrets.on(PutResourcePolicyCommand).rejects(notFound());
    secrets.on(CreateSecretCommand).resolves({ Name: SECRET });

    const error = await failureOf(store().putPendingKey(WWW, pendingKey));

    expect(error).toBeInstanceOf(SecretNotFound);
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });
});

describe('a new key in a secret that exists', () => {
  it('adopts a secret an earlier version made: its policy goes on before the key, and no secret is made', async () => {
    // Prepare: the upgrade deleted the CloudFormation-made policy; the placeholder is still there.
    secrets.on(GetSecretValueCommand).rejects(notFound('no such version'));
    secrets.on(PutResourcePolicyCommand).resolves({ Name: SECRET });
    secrets.on(DescribeSecretCommand).resolves({ Name: SECRET, VersionIdsToStages: { placeholder: ['AWSCURRENT'] } });
    secrets.on(PutSecretValueCommand).resolves({ VersionId: PENDING_VERSION, VersionStages: ['AWSPENDING'] });

    // Act
    await store().putPendingKey(WWW, pendingKey);

    // Assess
    expect(sent()).toEqual(['GetSecretValue', 'PutResourcePolicy', 'PutSecretValue']);
    expect(secrets.commandCalls(PutResourcePolicyCommand)[0]?.args[0].input).toEqual({ SecretId: SECRET, ResourcePolicy: POLICY, BlockPublicPolicy: true });
  });

  it('writes the placeholder into a secret a run made and died before filling, once the key put says it became current', async () => {
    secrets.on(GetSecretValueCommand).rejects(notFound('no such version'));
    secrets.on(PutResourcePolicyCommand).resolves({ Name: SECRET });
    secrets.on(DescribeSecretCommand).resolves({ Name: SECRET });
    // As Secrets Manager answers a secret's first version: AWSCURRENT whatever it was put with.
    secrets
      .on(PutSecretValueCommand)
      .resolvesOnce({ VersionId: PENDING_VERSION, VersionStages: ['AWSPENDING', 'AWSCURRENT'] })
      .resolves({ VersionStages: ['AWSCURRENT'] });

    const saved = await store().putPendingKey(WWW, pendingKey);

    const puts = secrets.commandCalls(PutSecretValueCommand).map((call) => call.args[0].input);
    expect(puts.map((put) => put.SecretString)).toEqual([expect.stringContaining('pendingKey'), '{}']);
    expect(puts[1]).toEqual({ SecretId: SECRET, ClientRequestToken: versionToken(`placeholder:${SECRET}`), SecretString: '{}', VersionStages: ['AWSCURRENT'] });
    expect(sent()).toEqual(['GetSecretValue', 'PutResourcePolicy', 'PutSecretValue', 'PutSecretValue']);
    expect(saved).toEqual({ versionId: PENDING_VERSION, created: true });
  });

  it('leaves a key put into a secret with no version pending only, with the placeholder current (Secrets Manager rules)', async () => {
    // Prepare: the secret exists with no version, as a run that died after CreateSecret left it.
    const fake = fakeSecretsManager([]);
    await fake.client.send(new CreateSecretCommand({ Name: SECRET }));
    const store = new SecretsManagerCertificateStore({ client: fake.client, secretPolicy: TEST_SECRET_POLICY });

    // Act
    const saved = await store.putPendingKey(WWW, pendingKey);

    // Assess
    expect(fake.valueAt(SECRET, 'AWSCURRENT')).toBe('{}');
    expect(fake.stages(SECRET)[saved.versionId]).toEqual(['AWSPENDING', 'AWSPREVIOUS']);
    expect(await store.listPendingKeys('www')).toEqual([saved.versionId]);
    expect(await store.getPendingKey('www', saved.versionId)).toEqual(pendingKey);
    expect((await store.readCurrent('www'))?.certificate).toBeUndefined();
  });

  it('takes AWSCURRENT off a key that a retried attempt finds current, left so by an attempt that died', async () => {
    // The first attempt's key became the first version, and it died before the placeholder.
    secrets.on(GetSecretValueCommand).resolves({
      Name: SECRET,
      VersionId: PENDING_VERSION,
      SecretString: JSON.stringify({ pendingKey }),
      VersionStages: ['AWSPENDING', 'AWSCURRENT'],
    });
    secrets.on(PutSecretValueCommand).resolves({ VersionStages: ['AWSCURRENT'] });

    const saved = await store().putPendingKey(WWW, { ...pendingKey, privateKeyPem: 'another key' });

    expect(saved).toEqual({ versionId: PENDING_VERSION, created: false });
    expect(sent()).toEqual(['GetSecretValue', 'PutSecretValue']);
    expect(secrets.commandCalls(PutSecretValueCommand)[0]?.args[0].input.SecretString).toBe('{}');
  });

  it('takes AWSCURRENT off the key of a concurrent attempt that got the token first and left it current', async () => {
    secrets.on(GetSecretValueCommand).rejects(notFound('no such version'));
    secrets.on(PutResourcePolicyCommand).resolves({ Name: SECRET });
    secrets.on(DescribeSecretCommand).resolves({ Name: SECRET, VersionIdsToStages: { [PENDING_VERSION]: ['AWSPENDING', 'AWSCURRENT'] } });
    secrets
      .on(PutSecretValueCommand)
      .rejectsOnce(new ResourceExistsException({ message: 'A resource with the ID you requested already exists.', $metadata: {} }))
      .resolves({ VersionStages: ['AWSCURRENT'] });

    const saved = await store().putPendingKey(WWW, pendingKey);

    expect(saved).toEqual({ versionId: PENDING_VERSION, created: false });
    expect(sent()).toEqual(['GetSecretValue', 'PutResourcePolicy', 'PutSecretValue', 'DescribeSecret', 'PutSecretValue']);
    expect(secrets.commandCalls(PutSecretValueCommand)[1]?.args[0].input.SecretString).toBe('{}');
  });

  it('leaves the labels alone when the concurrent attempt that got the token first left its key pending only', async () => {
    secrets.on(GetSecretValueCommand).rejects(notFound('no such version'));
    secrets.on(PutResourcePolicyCommand).resolves({ Name: SECRET });
    secrets.on(DescribeSecretCommand).resolves({ Name: SECRET, VersionIdsToStages: { placeholder: ['AWSCURRENT'], [PENDING_VERSION]: ['AWSPENDING'] } });
    secrets.on(PutSecretValueCommand).rejects(new ResourceExistsException({ message: 'A resource with the ID you requested already exists.', $metadata: {} }));

    await store().putPendingKey(WWW, pendingKey);

    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(1);
  });

  it('does not put the key when its policy is refused', async () => {
    secrets.on(GetSecretValueCommand).rejects(notFound('no such version'));
    secrets.on(PutResourcePolicyCommand).rejects(
      Object.assign(new Error('not authorized to perform: secretsmanager:PutResourcePolicy'), {
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
    );

    const error = await failureOf(store().putPendingKey(WWW, pendingKey));

    expect(error).toBeInstanceOf(StoreAccessDenied);
    expect(error.message).toContain('PutResourcePolicy');
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('fails naming the variable when the function has no policy settings, before making or writing anything', async () => {
    secrets.on(GetSecretValueCommand).rejects(notFound());

    const error = await failureOf(store({ settings: false }).putPendingKey(WWW, pendingKey));

    expect(error.name).toBe('ConfigError');
    expect(error.message).toContain(SECRET_POLICY_ENV);
    expect(sent()).toEqual(['GetSecretValue']);
  });
});

describe('ensurePolicy', () => {
  it("puts the certificate's policy on its secret", async () => {
    secrets.on(PutResourcePolicyCommand).resolves({ Name: SECRET });

    expect(await store().ensurePolicy(WWW)).toBe('applied');
    expect(secrets.commandCalls(PutResourcePolicyCommand)[0]?.args[0].input).toEqual({ SecretId: SECRET, ResourcePolicy: POLICY, BlockPublicPolicy: true });
    expect(sent()).toEqual(['PutResourcePolicy']);
  });

  it('is missing, making nothing, for a certificate without a secret', async () => {
    secrets.on(PutResourcePolicyCommand).rejects(notFound());

    expect(await store().ensurePolicy(WWW)).toBe('missing');
    expect(sent()).toEqual(['PutResourcePolicy']);
  });

  it('classifies any other failure at the boundary', async () => {
    secrets.on(PutResourcePolicyCommand).rejects(new InvalidRequestException({ message: 'the secret is marked for deletion', $metadata: {} }));

    const error = await failureOf(store().ensurePolicy(WWW));

    expect(error).toBeInstanceOf(StoreRequestRejected);
    expect(error.message).toContain('the secret is marked for deletion');
  });
});

describe('a KMS key problem', () => {
  it.each([
    ['a key policy that refuses the role', new EncryptionFailure({ message: 'Access to KMS is not allowed', $metadata: {} }), StoreAccessDenied],
    ['a disabled key', new InvalidRequestException({ message: `${KMS_KEY} is disabled.`, $metadata: {} }), StoreRequestRejected],
    ['a key that does not exist', notFound(`Key '${KMS_KEY}' does not exist`), StoreRequestRejected],
  ])('on CreateSecret is said as such: %s', async (_label, failure, kind) => {
    // Prepare
    secrets.on(GetSecretValueCommand).rejects(notFound());
    secrets.on(PutResourcePolicyCommand).rejects(notFound());
    secrets.on(CreateSecretCommand).rejects(failure);

    // Act
    const error = await failureOf(store({ kms: true }).putPendingKey(WWW, pendingKey));

    // Assess
    expect(error).toBeInstanceOf(kind);
    expect(error.message).toContain(`failed because of the KMS key ${KMS_KEY} (CERTSTEP_SECRETS_KMS_KEY_ARN)`);
    expect(error.message).toContain('CreateSecret');
    expect(error.message).not.toContain(KEY_TEXT);
  });

  it('on the first write into the new secret is said as such', async () => {
    missingSecret();
    secrets.on(PutSecretValueCommand).rejects(new EncryptionFailure({ message: 'Access to KMS is not allowed', $metadata: {} }));

    const error = await failureOf(store({ kms: true }).putPendingKey(WWW, pendingKey));

    expect(error).toBeInstanceOf(StoreAccessDenied);
    expect(error.message).toContain(`KMS key ${KMS_KEY}`);
  });

  it('is not claimed for a refusal that has nothing to do with the key', async () => {
    secrets.on(GetSecretValueCommand).rejects(notFound());
    secrets.on(PutResourcePolicyCommand).rejects(notFound());
    secrets.on(CreateSecretCommand).rejects(
      Object.assign(new Error('not authorized to perform: secretsmanager:TagResource'), {
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
    );

    const error = await failureOf(store({ kms: true }).putPendingKey(WWW, pendingKey));

    expect(error).toBeInstanceOf(StoreAccessDenied);
    expect(error.message).not.toContain('KMS');
    expect(error.message).toContain('secretsmanager:TagResource');
  });
});

describe('a certificate secret deleted after its first key', () => {
  it('makes StoreCertificate fail with SecretNotFound saying so, not "add it to the stack"', async () => {
    secrets.on(GetSecretValueCommand).rejects(notFound());
    secrets.on(DescribeSecretCommand).rejects(notFound());
    secrets.on(PutSecretValueCommand).rejects(notFound());

    const error = await failureOf(
      store().makeCurrent(
        'www',
        {
          'tls.crt': 'CRT',
          'tls.key': pendingKey.privateKeyPem,
          dnsNames: ['www.example.com'],
          serialNumber: '01',
          notBefore: '2027-01-01T00:00:00.000Z',
          notAfter: '2027-04-01T00:00:00.000Z',
          renewalTime: '2027-03-02T00:00:00.000Z',
          issuer: 'letsencrypt',
          keyAlgorithm: 'ecdsa-p256',
          revision: 1,
        },
        PENDING_VERSION,
      ),
    );

    expect(error).toBeInstanceOf(SecretNotFound);
    expect((error as CertstepError).retryable).toBe(false);
    expect(error.message).toContain(`secret ${SECRET} does not exist: it is made when the certificate www's first key is saved`);
    expect(error.message).not.toContain('stack configuration');
  });
});

describe('the store as a Lambda wires it from its environment', () => {
  const config = readConfig({
    CERTSTEP_ISSUERS: JSON.stringify([{ name: 'le', directoryUrl: 'https://acme.example/dir' }]),
    CERTSTEP_SECRETS_KMS_KEY_ARN: KMS_KEY,
  });

  it('fails at init on malformed settings, naming the variable', () => {
    expect(() => secretsManagerStore(config, { [SECRET_POLICY_ENV]: '{"get": "not a list"}' })).toThrowError(
      expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining(`${SECRET_POLICY_ENV}.get`) }),
    );
  });

  it('loads without settings, and fails at the first key naming the variable', async () => {
    secrets.on(GetSecretValueCommand).rejects(notFound());
    const wired = secretsManagerStore(config, {});

    const error = await failureOf(wired.putPendingKey(WWW, pendingKey));

    expect(error.name).toBe('ConfigError');
    expect(error.message).toContain(`${SECRET_POLICY_ENV} is not set`);
  });

  it('makes secrets with the settings and the KMS key of its environment', async () => {
    missingSecret();
    const wired = secretsManagerStore(config, { [SECRET_POLICY_ENV]: JSON.stringify(TEST_SECRET_POLICY) });

    await wired.putPendingKey(WWW, pendingKey);

    expect(secrets.commandCalls(CreateSecretCommand)[0]?.args[0].input.KmsKeyId).toBe(KMS_KEY);
    expect(secrets.commandCalls(PutResourcePolicyCommand)[1]?.args[0].input.ResourcePolicy).toBe(POLICY);
  });
});
