/**
 * The Secrets Manager store against a mocked client: the exact requests it sends (tokens,
 * stages, values), how it reads placeholders and missing versions, and how AWS errors are
 * classified at this boundary.
 */
import { createHash } from 'node:crypto';
import {
  DecryptionFailure,
  DescribeSecretCommand,
  GetSecretValueCommand,
  type GetSecretValueCommandInput,
  InvalidParameterException,
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
import { CertstepError, InvalidState, SecretNotFound, StoreAccessDenied, StoreRequestRejected, StoreUnavailable } from '../../functions/core/errors.js';
import type { AcmeAccount, PendingKey, StoredCertificate } from '../../functions/ports/certificate-store.js';
import { TEST_SECRET_POLICY } from '../support/secret-policy-settings.js';

const secrets = mockClient(SecretsManagerClient);
const SECRET = 'certstep/certificates/www';
const ACCOUNT_SECRET = 'certstep/accounts/letsencrypt';
const ORDER_URL = 'https://acme.example/order/42';
const KEY_TEXT = 'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSECRETSECRETSECRET';
const PRIVATE_KEY = `-----BEGIN PRIVATE KEY-----\n${KEY_TEXT}\n-----END PRIVATE KEY-----\n`;
const OTHER_KEY = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgOTHEROTHER\n-----END PRIVATE KEY-----\n';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const pendingKey: PendingKey = { orderUrl: ORDER_URL, keyAlgorithm: 'ecdsa-p256', privateKeyPem: PRIVATE_KEY };
const certificate: StoredCertificate = {
  'tls.crt': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  'tls.key': PRIVATE_KEY,
  dnsNames: ['www.example.com'],
  serialNumber: '0a1b2c',
  notBefore: '2025-01-01T00:00:00.000Z',
  notAfter: '2025-04-01T00:00:00.000Z',
  renewalTime: '2025-03-02T00:00:00.000Z',
  issuer: 'letsencrypt',
  keyAlgorithm: 'ecdsa-p256',
  revision: 2,
};
const account: AcmeAccount = {
  directoryUrl: 'https://acme.example/directory',
  accountKeyPem: PRIVATE_KEY,
  accountUrl: 'https://acme.example/acct/1',
};

function store(): SecretsManagerCertificateStore {
  return new SecretsManagerCertificateStore({ client: new SecretsManagerClient({ region: 'eu-west-1' }), secretPolicy: TEST_SECRET_POLICY });
}

const WWW = { name: 'www' };

/** The certificate's secret exists and has its placeholder, as before any key: the policy goes on and no secret is made. */
function existingSecret(): void {
  secrets.on(PutResourcePolicyCommand).resolves({ Name: SECRET });
  secrets.on(DescribeSecretCommand).resolves({ Name: SECRET, VersionIdsToStages: { placeholder: ['AWSCURRENT'] } });
}

function awsError(name: string, message: string, httpStatusCode = 400, code?: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode }, ...(code && { code }) });
}

function notFound(message = "Secrets Manager can't find the specified secret."): ResourceNotFoundException {
  return new ResourceNotFoundException({ message, $metadata: { httpStatusCode: 400 } });
}

/** GetSecretValue answered per version: AWSCURRENT when no VersionId is asked for. */
function versions(byId: Record<string, string | undefined>, current?: { versionId: string; value: string }): void {
  secrets.on(GetSecretValueCommand).callsFake((input: GetSecretValueCommandInput) => {
    const versionId = input.VersionId;
    if (versionId === undefined) {
      if (!current) throw notFound("Secrets Manager can't find the specified secret value for staging label: AWSCURRENT");
      return { Name: input.SecretId, VersionId: current.versionId, SecretString: current.value };
    }
    const value = byId[versionId];
    if (value === undefined) throw notFound(`Secrets Manager can't find the specified secret value for VersionId: ${versionId}`);
    return { Name: input.SecretId, VersionId: versionId, SecretString: value };
  });
}

async function failureOf(promise: Promise<unknown>): Promise<CertstepError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(CertstepError);
  return error as CertstepError;
}

beforeEach(() => {
  secrets.reset();
});

describe('versionToken', () => {
  it('is a UUID-shaped SHA-256 of the seed: the same order gives the same token, another order another', () => {
    // Prepare
    const hex = createHash('sha256').update(`pending:${ORDER_URL}`).digest('hex');

    // Act
    const token = versionToken(`pending:${ORDER_URL}`);

    // Assess
    expect(token).toMatch(UUID);
    expect(token.replaceAll('-', '')).toBe(hex.slice(0, 32));
    expect(versionToken(`pending:${ORDER_URL}`)).toBe(token);
    expect(versionToken('pending:https://acme.example/order/43')).not.toBe(token);
  });
});

describe('putPendingKey', () => {
  it('puts the key as an AWSPENDING version whose token comes from the order URL', async () => {
    // Prepare
    versions({});
    existingSecret();
    secrets.on(PutSecretValueCommand).resolves({ VersionId: versionToken(`pending:${ORDER_URL}`) });

    // Act
    const saved = await store().putPendingKey(WWW, pendingKey);

    // Assess
    const token = versionToken(`pending:${ORDER_URL}`);
    expect(saved).toEqual({ versionId: token, created: true });
    expect(secrets.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({ SecretId: SECRET, VersionId: token });
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(1);
    expect(secrets.commandCalls(PutSecretValueCommand)[0]?.args[0].input).toEqual({
      SecretId: SECRET,
      ClientRequestToken: token,
      SecretString: JSON.stringify({ pendingKey: { orderUrl: ORDER_URL, keyAlgorithm: 'ecdsa-p256', privateKeyPem: PRIVATE_KEY } }),
      VersionStages: ['AWSPENDING'],
    });
  });

  it('keeps the first key when a retry for the same order comes with another one', async () => {
    // Prepare
    const token = versionToken(`pending:${ORDER_URL}`);
    versions({ [token]: JSON.stringify({ pendingKey }) });

    // Act
    const saved = await store().putPendingKey(WWW, { ...pendingKey, privateKeyPem: OTHER_KEY });
    const key = await store().getPendingKey('www', saved.versionId);

    // Assess
    expect(saved).toEqual({ versionId: token, created: false });
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(key).toEqual(pendingKey);
  });

  it('keeps the key of a concurrent writer that got the token first (ResourceExistsException)', async () => {
    // Prepare
    versions({});
    existingSecret();
    secrets.on(PutSecretValueCommand).rejects(new ResourceExistsException({ message: 'A resource with the ID you requested already exists.', $metadata: {} }));

    // Act
    const saved = await store().putPendingKey(WWW, pendingKey);

    // Assess
    expect(saved).toEqual({ versionId: versionToken(`pending:${ORDER_URL}`), created: false });
  });

  it('puts the policy on before the key, and not again for a retry of the same order', async () => {
    // Prepare
    versions({});
    existingSecret();
    secrets.on(PutSecretValueCommand).resolves({});

    // Act
    await store().putPendingKey(WWW, pendingKey);
    const putFirst = secrets.calls().map((call) => call.args[0].constructor.name);
    secrets.reset();
    versions({ [versionToken(`pending:${ORDER_URL}`)]: JSON.stringify({ pendingKey }) });
    await store().putPendingKey(WWW, pendingKey);

    // Assess
    expect(putFirst).toEqual(['GetSecretValueCommand', 'PutResourcePolicyCommand', 'PutSecretValueCommand']);
    expect(secrets.commandCalls(PutResourcePolicyCommand)).toHaveLength(0);
  });
});

describe('getPendingKey', () => {
  it('is undefined for a version that does not exist', async () => {
    // Prepare
    versions({});

    // Act
    const key = await store().getPendingKey('www', versionToken('pending:https://acme.example/order/0'));

    // Assess
    expect(key).toBeUndefined();
  });

  it('is undefined without asking for an id that no token of this store can have', async () => {
    // Act
    const key = await store().getPendingKey('www', 'c0ffee');

    // Assess
    expect(key).toBeUndefined();
    expect(secrets.calls()).toHaveLength(0);
  });
});

describe('makeCurrent', () => {
  const pendingVersion = versionToken(`pending:${ORDER_URL}`);

  it('puts the certificate as AWSCURRENT with a token from the pending version, then frees AWSPENDING', async () => {
    // Prepare
    versions({}, { versionId: 'previous-version', value: JSON.stringify({ ...certificate, serialNumber: '01', revision: 1 }) });
    secrets.on(PutSecretValueCommand).resolves({});
    secrets.on(UpdateSecretVersionStageCommand).resolves({});

    // Act
    const result = await store().makeCurrent('www', certificate, pendingVersion);

    // Assess
    const token = versionToken(`current:${pendingVersion}`);
    expect(result).toEqual({ versionId: token, noPendingKeys: true });
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(1);
    expect(secrets.commandCalls(PutSecretValueCommand)[0]?.args[0].input).toEqual({
      SecretId: SECRET,
      ClientRequestToken: token,
      SecretString: JSON.stringify(certificate),
      VersionStages: ['AWSCURRENT'],
    });
    expect(secrets.commandCalls(UpdateSecretVersionStageCommand)[0]?.args[0].input).toEqual({
      SecretId: SECRET,
      VersionStage: 'AWSPENDING',
      RemoveFromVersionId: pendingVersion,
    });
  });

  it('puts the first certificate over the placeholder {}', async () => {
    // Prepare
    versions({}, { versionId: 'placeholder', value: '{}' });
    secrets.on(PutSecretValueCommand).resolves({});
    secrets.on(UpdateSecretVersionStageCommand).resolves({});

    // Act
    await store().makeCurrent('www', certificate, pendingVersion);

    // Assess
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(1);
  });

  it('reads nothing when the caller read the current version in the same invocation', async () => {
    // Prepare
    secrets.on(PutSecretValueCommand).resolves({});
    secrets.on(UpdateSecretVersionStageCommand).resolves({});
    const stale = { versionId: 'previous-version', certificate: { ...certificate, serialNumber: '01', revision: 1 } };
    const same = { versionId: 'current-version', certificate: { ...certificate, secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:www' } };

    // Act
    const replaced = await store().makeCurrent('www', certificate, pendingVersion, { current: stale });
    const kept = await store().makeCurrent('www', certificate, pendingVersion, { current: same });
    const first = await store().makeCurrent('www', certificate, pendingVersion, { current: undefined });

    // Assess
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(2);
    expect(replaced.versionId).toBe(versionToken(`current:${pendingVersion}`));
    expect(kept).toEqual({ versionId: 'current-version', secretArn: same.certificate.secretArn, noPendingKeys: true });
    expect(first.versionId).toBe(versionToken(`current:${pendingVersion}`));
  });

  it('puts nothing when the certificate is already current, and ignores a label already gone', async () => {
    // Prepare
    versions({}, { versionId: 'current-version', value: JSON.stringify(certificate) });
    secrets
      .on(UpdateSecretVersionStageCommand)
      .rejects(new InvalidParameterException({ message: 'The parameter RemoveFromVersionId does not match.', $metadata: {} }));

    // Act
    const result = await store().makeCurrent('www', certificate, pendingVersion);

    // Assess
    expect(result).toEqual({ versionId: 'current-version' });
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(secrets.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(1);
  });
});

describe('readCurrent and getCurrent', () => {
  it('returns the summary without key or chain', async () => {
    // Prepare
    versions({}, { versionId: 'v1', value: JSON.stringify(certificate) });

    // Act
    const summary = (await store().readCurrent('www'))?.certificate;

    // Assess
    const { 'tls.key': _key, 'tls.crt': _crt, ...expected } = certificate;
    expect(summary).toEqual(expected);
    expect(Object.keys(summary ?? {})).not.toContain('tls.key');
    expect(Object.keys(summary ?? {})).not.toContain('tls.crt');
    expect(JSON.stringify(summary)).not.toContain(KEY_TEXT);
  });

  it('getCurrent returns the whole certificate, key included', async () => {
    // Prepare
    versions({}, { versionId: 'v1', value: JSON.stringify(certificate) });

    // Act
    const current = await store().getCurrent('www');

    // Assess
    expect(current).toEqual(certificate);
  });

  it('is undefined for the placeholder {} and for a value without tls.crt', async () => {
    // Prepare
    versions({}, { versionId: 'v1', value: '{}' });

    // Act
    const placeholder = (await store().readCurrent('www'))?.certificate;
    secrets.reset();
    versions({}, { versionId: 'v2', value: JSON.stringify({ serialNumber: '01' }) });
    const partial = (await store().readCurrent('www'))?.certificate;

    // Assess
    expect(placeholder).toBeUndefined();
    expect(partial).toBeUndefined();
  });

  it('is undefined when the secret exists but has no AWSCURRENT version', async () => {
    // Prepare
    versions({});
    secrets.on(DescribeSecretCommand).resolves({ Name: SECRET });

    // Act
    const summary = (await store().readCurrent('www'))?.certificate;

    // Assess
    expect(summary).toBeUndefined();
    expect(secrets.commandCalls(DescribeSecretCommand)[0]?.args[0].input).toEqual({ SecretId: SECRET });
  });

  it('is undefined when the certificate secret does not exist yet: it is made with the first key', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).rejects(notFound());
    secrets.on(DescribeSecretCommand).rejects(notFound());

    // Act
    const read = await store().readCurrent('www');
    const current = await store().getCurrent('www');

    // Assess
    expect(read).toBeUndefined();
    expect(current).toBeUndefined();
    expect(secrets.commandCalls(DescribeSecretCommand)[0]?.args[0].input).toEqual({ SecretId: SECRET });
  });

  it("throws SecretNotFound with the way out when an issuer's account secret does not exist", async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).rejects(notFound());
    secrets.on(DescribeSecretCommand).rejects(notFound());

    // Act
    const error = await failureOf(store().getAccount('letsencrypt'));

    // Assess
    expect(error).toBeInstanceOf(SecretNotFound);
    expect(error.name).toBe('SecretNotFound');
    expect(error.message).toBe(
      'secret certstep/accounts/letsencrypt does not exist: certstep never creates secrets; add the issuer letsencrypt to the stack configuration and deploy',
    );
  });

  it('uses the injected secret names', async () => {
    // Prepare
    const custom = new SecretsManagerCertificateStore({
      client: new SecretsManagerClient({ region: 'eu-west-1' }),
      certificateSecretId: (name) => `prod/tls/${name}`,
      accountSecretId: (issuer) => `prod/acme/${issuer}`,
    });
    versions({}, { versionId: 'v1', value: '{}' });

    // Act
    await custom.readCurrent('www');
    await custom.getAccount('letsencrypt');

    // Assess
    expect(secrets.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input.SecretId)).toEqual(['prod/tls/www', 'prod/acme/letsencrypt']);
  });
});

describe('error classification', () => {
  it('turns throttling into a retryable StoreUnavailable naming the secret and the operation', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));

    // Act
    const error = await failureOf(store().readCurrent('www'));

    // Assess
    expect(error).toBeInstanceOf(StoreUnavailable);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('GetSecretValue');
    expect(error.message).toContain(SECRET);
    expect(error.message).toContain('Rate exceeded');
  });

  it.each([
    ['a 5xx', awsError('InternalServiceError', 'An error occurred on the server side.', 500)],
    ['a reset connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['a timeout', awsError('TimeoutError', 'Connection timed out after 1000 ms', 0)],
    ['a 503 without a name', awsError('UnknownError', '', 503)],
  ])('turns %s into StoreUnavailable', async (_label, failure) => {
    // Prepare
    secrets.on(GetSecretValueCommand).rejects(failure);

    // Act
    const error = await failureOf(store().getAccount('letsencrypt'));

    // Assess
    expect(error).toBeInstanceOf(StoreUnavailable);
    expect(error.retryable).toBe(true);
  });

  it('turns AccessDeniedException into a terminal StoreAccessDenied carrying the AWS message', async () => {
    // Prepare
    const message = 'User: arn:aws:sts::123456789012:assumed-role/certstep/fn is not authorized to perform: secretsmanager:PutSecretValue';
    versions({});
    existingSecret();
    secrets.on(PutSecretValueCommand).rejects(awsError('AccessDeniedException', message));

    // Act
    const error = await failureOf(store().putPendingKey(WWW, pendingKey));

    // Assess
    expect(error).toBeInstanceOf(StoreAccessDenied);
    expect(error.name).toBe('StoreAccessDenied');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(message);
    expect(error.message).toContain('PutSecretValue');
  });

  it('treats a KMS decryption failure as access denied and another 4xx as rejected, both terminal', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).rejects(new DecryptionFailure({ message: 'Access to KMS is not allowed', $metadata: {} }));
    const kms = await failureOf(store().readCurrent('www'));
    secrets.reset();
    secrets.on(GetSecretValueCommand).rejects(awsError('InvalidRequestException', 'the secret is marked for deletion'));

    // Act
    const rejected = await failureOf(store().readCurrent('www'));

    // Assess
    expect(kms).toBeInstanceOf(StoreAccessDenied);
    expect(rejected).toBeInstanceOf(StoreRequestRejected);
    expect(rejected.retryable).toBe(false);
    expect(rejected.message).toContain('the secret is marked for deletion');
  });

  it('never puts key material in an error message', async () => {
    // Prepare: a value that is not JSON (JSON.parse would quote it) and a failed put of a key.
    secrets.on(GetSecretValueCommand).resolves({ VersionId: 'v1', SecretString: PRIVATE_KEY });
    const unreadable = await failureOf(store().readCurrent('www'));
    secrets.reset();
    versions({});
    existingSecret();
    secrets.on(PutSecretValueCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));

    // Act
    const throttled = await failureOf(store().putPendingKey(WWW, pendingKey));

    // Assess
    expect(unreadable).toBeInstanceOf(InvalidState);
    for (const error of [unreadable, throttled]) {
      expect(error.message).not.toContain(KEY_TEXT);
      expect(error.message).not.toContain('PRIVATE KEY');
      expect(String(error.stack)).not.toContain(KEY_TEXT);
    }
  });
});

describe('accounts', () => {
  it('round-trips an account written over the placeholder', async () => {
    // Prepare
    versions({}, { versionId: 'placeholder', value: '{}' });
    secrets.on(PutSecretValueCommand).resolves({});

    // Act
    const kept = await store().putAccount('letsencrypt', account, false);
    secrets.reset();
    versions({}, { versionId: versionToken('account:placeholder'), value: JSON.stringify(account) });
    const read = await store().getAccount('letsencrypt');

    // Assess
    expect(kept).toEqual(account);
    expect(read).toEqual(account);
  });

  it('puts the account as AWSCURRENT with a token from the version it replaces', async () => {
    // Prepare
    versions({}, { versionId: 'placeholder', value: '{}' });
    secrets.on(PutSecretValueCommand).resolves({});

    // Act
    await store().putAccount('letsencrypt', account, false);

    // Assess
    expect(secrets.commandCalls(PutSecretValueCommand)[0]?.args[0].input).toEqual({
      SecretId: ACCOUNT_SECRET,
      ClientRequestToken: versionToken('account:placeholder'),
      SecretString: JSON.stringify(account),
      VersionStages: ['AWSCURRENT'],
    });
  });

  it('without replace, returns the account another writer already stored and puts nothing', async () => {
    // Prepare
    const theirs = { ...account, accountKeyPem: OTHER_KEY, accountUrl: 'https://acme.example/acct/2' };
    versions({}, { versionId: 'theirs', value: JSON.stringify(theirs) });

    // Act
    const kept = await store().putAccount('letsencrypt', account, false);

    // Assess
    expect(kept).toEqual(theirs);
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('returns the account of a writer that won the race to replace the same version', async () => {
    // Prepare
    const theirs = { ...account, accountKeyPem: OTHER_KEY, accountUrl: 'https://acme.example/acct/2' };
    versions({ [versionToken('account:placeholder')]: JSON.stringify(theirs) }, { versionId: 'placeholder', value: '{}' });
    secrets.on(PutSecretValueCommand).rejects(new ResourceExistsException({ message: 'exists', $metadata: {} }));

    // Act
    const kept = await store().putAccount('letsencrypt', account, false);

    // Assess
    expect(kept).toEqual(theirs);
  });

  it('with replace, puts over a stored account', async () => {
    // Prepare
    const old = { ...account, accountUrl: 'https://acme.example/acct/0' };
    versions({}, { versionId: 'old', value: JSON.stringify(old) });
    secrets.on(PutSecretValueCommand).resolves({});

    // Act
    const kept = await store().putAccount('letsencrypt', account, true);

    // Assess
    expect(kept).toEqual(account);
    expect(secrets.commandCalls(PutSecretValueCommand)[0]?.args[0].input.ClientRequestToken).toBe(versionToken('account:old'));
  });

  it('keeps a pending key change with the account until it is settled', async () => {
    // Prepare
    const pending = { ...account, nextAccountKeyPem: OTHER_KEY };
    versions({}, { versionId: 'old', value: JSON.stringify(account) });
    secrets.on(PutSecretValueCommand).resolves({});

    // Act
    await store().putAccount('letsencrypt', pending, true);
    const written = secrets.commandCalls(PutSecretValueCommand)[0]?.args[0].input.SecretString ?? '{}';
    secrets.reset();
    versions({}, { versionId: versionToken('account:old'), value: written });
    const read = await store().getAccount('letsencrypt', account.directoryUrl);

    // Assess
    expect(read).toEqual(pending);
  });

  it('keeps the account of another directory URL beside a new one, and finds each by its directory URL', async () => {
    // Prepare: the issuer's secret as stored before, one account at another CA.
    const old = { directoryUrl: 'https://old-ca.example/directory', accountKeyPem: OTHER_KEY, accountUrl: 'https://old-ca.example/acct/7' };
    versions({}, { versionId: 'old', value: JSON.stringify(old) });
    secrets.on(PutSecretValueCommand).resolves({});

    // Act
    const kept = await store().putAccount('letsencrypt', account, false);
    const written = JSON.parse(secrets.commandCalls(PutSecretValueCommand)[0]?.args[0].input.SecretString ?? '{}') as unknown;
    secrets.reset();
    versions({}, { versionId: versionToken('account:old'), value: JSON.stringify(written) });
    const current = await store().getAccount('letsencrypt', account.directoryUrl);
    const previous = await store().getAccount('letsencrypt', old.directoryUrl);
    const elsewhere = await store().getAccount('letsencrypt', 'https://third-ca.example/directory');

    // Assess
    expect(kept).toEqual(account);
    expect(written).toEqual({ ...account, otherDirectories: [old] });
    expect(current).toEqual(account);
    expect(previous).toEqual(old);
    expect(elsewhere).toBeUndefined();
  });

  it('without replace, keeps the account stored for the same directory URL, even when it is not the latest', async () => {
    // Prepare
    const old = { ...account, accountUrl: 'https://acme.example/acct/0' };
    const latest = { directoryUrl: 'https://other-ca.example/directory', accountKeyPem: OTHER_KEY, accountUrl: 'https://other-ca.example/acct/3' };
    versions({}, { versionId: 'both', value: JSON.stringify({ ...latest, otherDirectories: [old] }) });

    // Act
    const kept = await store().putAccount('letsencrypt', account, false);

    // Assess
    expect(kept).toEqual(old);
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('is undefined while the secret holds the placeholder', async () => {
    // Prepare
    versions({}, { versionId: 'placeholder', value: '{}' });

    // Act
    const read = await store().getAccount('letsencrypt');

    // Assess
    expect(read).toBeUndefined();
  });
});

describe('the secret ARN, for the run event', () => {
  const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:certstep/certificates/www-AbCdEf';
  const pendingVersion = versionToken(`pending:${ORDER_URL}`);

  it('comes with the summary, from the same GetSecretValue answer', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).resolves({ ARN, Name: SECRET, VersionId: 'v1', SecretString: JSON.stringify(certificate) });

    // Act
    const summary = (await store().readCurrent('www'))?.certificate;

    // Assess
    expect(summary?.secretArn).toBe(ARN);
    expect(secrets.calls()).toHaveLength(1);
  });

  it('comes back from makeCurrent, from PutSecretValue, over the placeholder', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).resolves({ Name: SECRET, VersionId: 'placeholder', SecretString: '{}' });
    secrets.on(PutSecretValueCommand).resolves({ ARN, VersionId: 'new' });
    secrets.on(UpdateSecretVersionStageCommand).resolves({});

    // Act
    const result = await store().makeCurrent('www', certificate, pendingVersion);

    // Assess
    expect(result).toEqual({ versionId: versionToken(`current:${pendingVersion}`), secretArn: ARN, noPendingKeys: true });
  });
});
