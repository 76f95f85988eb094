/**
 * Where acme-dns registrations are kept: one Secrets Manager secret per (server, domain)
 * under the stack's prefix, created if absent (the first writer wins), and the storage names
 * both stores share.
 */
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SecretsManagerAcmeDnsCredentials } from '../../functions/adapters/secrets-manager-acme-dns-credentials.js';
import { acmeDnsCredentialName } from '../../functions/ports/acme-dns-credentials.js';

const HOST = 'https://auth.example.org';
const registration = (password: string) => ({ username: 'user-1', password, fulldomain: 'sub-1.auth.example.org', subdomain: 'sub-1' });

/** CreateSecret's one rule that matters here: a name that exists is refused. */
function fakeSecrets() {
  const secrets = new Map<string, string>();
  const mock = mockClient(SecretsManagerClient);
  mock.on(CreateSecretCommand).callsFake((input: { Name: string; SecretString: string }) => {
    if (secrets.has(input.Name)) throw new ResourceExistsException({ message: 'exists', $metadata: { httpStatusCode: 400 } });
    secrets.set(input.Name, input.SecretString);
    return { Name: input.Name };
  });
  mock.on(GetSecretValueCommand).callsFake((input: { SecretId: string }) => {
    const value = secrets.get(input.SecretId);
    if (value === undefined)
      throw new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: { httpStatusCode: 400 } });
    return { SecretString: value };
  });
  return { secrets, mock, client: new SecretsManagerClient({ region: 'eu-west-1' }) };
}

describe('acmeDnsCredentialName', () => {
  it('names the server and the domain, wildcard stripped, in characters secret names and files accept', () => {
    expect(acmeDnsCredentialName(HOST, '*.WWW.example.com')).toBe('auth.example.org/www.example.com');
    expect(acmeDnsCredentialName('http://127.0.0.1:8080', 'example.com')).toBe('127.0.0.1_8080/example.com');
    expect(acmeDnsCredentialName('http://[::1]:8080', 'example.com')).toBe('___1__8080/example.com');
  });

  it('keeps two servers on one host apart by their path', () => {
    const one = acmeDnsCredentialName('https://auth.example.org/one', 'example.com');
    const two = acmeDnsCredentialName('https://auth.example.org/two/', 'example.com');
    expect(one).toMatch(/^auth\.example\.org-[0-9a-f]{8}\/example\.com$/);
    expect(one).not.toBe(two);
  });
});

describe('SecretsManagerAcmeDnsCredentials', () => {
  let fake: ReturnType<typeof fakeSecrets>;
  beforeEach(() => {
    fake = fakeSecrets();
  });

  it('has nothing for a domain never registered, then creates one secret under the prefix with the stack key', async () => {
    // Prepare
    const credentials = new SecretsManagerAcmeDnsCredentials({
      client: fake.client,
      secretPrefix: 'certstep/acme-dns/',
      kmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/k',
    });

    // Act
    const before = await credentials.get(HOST, 'www.example.com');
    const stored = await credentials.putIfAbsent(HOST, 'www.example.com', registration('first'));

    // Assess
    expect(before).toBeUndefined();
    expect(stored).toEqual(registration('first'));
    expect(await credentials.get(HOST, 'www.example.com')).toEqual(registration('first'));
    expect(fake.mock.commandCalls(CreateSecretCommand)[0]?.args[0].input).toMatchObject({
      Name: 'certstep/acme-dns/auth.example.org/www.example.com',
      KmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/k',
    });
  });

  it('returns the registration another writer stored first, and keeps it', async () => {
    // Prepare
    const credentials = new SecretsManagerAcmeDnsCredentials({ client: fake.client, secretPrefix: 'certstep/acme-dns/' });
    await credentials.putIfAbsent(HOST, 'www.example.com', registration('theirs'));

    // Act
    const stored = await credentials.putIfAbsent(HOST, 'www.example.com', registration('ours'));

    // Assess
    expect(stored).toEqual(registration('theirs'));
    expect(await credentials.get(HOST, 'www.example.com')).toEqual(registration('theirs'));
  });

  it('refuses a secret that holds something else, without showing it', async () => {
    // Prepare
    fake.secrets.set('certstep/acme-dns/auth.example.org/www.example.com', '{"password": "hunter2"');
    const credentials = new SecretsManagerAcmeDnsCredentials({ client: fake.client, secretPrefix: 'certstep/acme-dns/' });

    // Act
    const error = await credentials.get(HOST, 'www.example.com').catch((caught: Error) => caught);

    // Assess
    expect(error).toMatchObject({ name: 'InvalidState' });
    expect((error as Error).message).not.toContain('hunter2');
  });
});
