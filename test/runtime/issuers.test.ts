/** The EAB HMAC key of an issuer, read from its secret on first use, and what a failed read becomes. */
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient, SecretsManagerServiceException } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { readConfig } from '../../functions/runtime/config.js';
import { issuerRegistry } from '../../functions/runtime/issuers.js';
import { failureOf } from '../support/failure.js';

const secrets = mockClient(SecretsManagerClient);
afterEach(() => secrets.reset());

const SECRET = 'certstep/eab/zerossl';
const config = readConfig({
  CERTSTEP_ISSUERS: JSON.stringify([{ name: 'zerossl', directoryUrl: 'https://acme.zerossl.com/v2/DV90', eabKeyId: 'kid-1', eabHmacSecretId: SECRET }]),
});

const awsError = (name: string, message: string, status = 400) =>
  new SecretsManagerServiceException({ name, message, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });

describe('issuer EAB keys', () => {
  it('reads the HMAC key from its secret', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: SECRET }).resolves({ SecretString: ' hmac-key\n' });

    const issuer = await issuerRegistry(config, () => new SecretsManagerClient({})).resolve('zerossl');

    expect(issuer.eab).toEqual({ keyId: 'kid-1', hmacKey: 'hmac-key' });
  });

  it.each([
    ['a missing secret', new ResourceNotFoundException({ message: "can't find the specified secret", $metadata: {} }), 'SecretNotFound', false],
    ['a denied read', awsError('AccessDeniedException', 'not authorized to perform: secretsmanager:GetSecretValue'), 'StoreAccessDenied', false],
    ['throttling', awsError('ThrottlingException', 'Rate exceeded'), 'StoreUnavailable', true],
    ['a service failure', awsError('InternalServiceError', 'oops', 500), 'StoreUnavailable', true],
  ])('turns %s into %s, retried only when it may pass', async (_case, error, name, retryable) => {
    secrets.on(GetSecretValueCommand).rejects(error);

    const failure = await failureOf(issuerRegistry(config, () => new SecretsManagerClient({})).resolve('zerossl'));

    expect(failure).toMatchObject({ name, retryable });
    expect(failure?.message).toContain(SECRET);
  });
});
