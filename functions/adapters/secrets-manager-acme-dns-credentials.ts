/**
 * acme-dns registrations on AWS: one secret per (server, domain), `<prefix><server>/<domain>`.
 * Unlike certificates and accounts these secrets are created at run time, since a domain's
 * first run is what registers it; CreateSecret is itself create-if-absent, so of two runs
 * registering at once the first secret wins and the other run reads and uses it.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { InvalidState } from '../core/errors.js';
import { type AcmeDnsCredentials, type AcmeDnsRegistration, acmeDnsCredentialName, isAcmeDnsRegistration } from '../ports/acme-dns-credentials.js';
import { storeFailure } from './secrets-manager-store.js';

export interface SecretsManagerAcmeDnsOptions {
  readonly client: SecretsManagerClient;
  /** The stack's prefix for these secrets, e.g. `certstep/acme-dns/`; IAM allows nothing outside it. */
  readonly secretPrefix: string;
  /** The stack's customer-managed key, when it has one, so these secrets are encrypted like the others. */
  readonly kmsKeyId?: string;
}

export class SecretsManagerAcmeDnsCredentials implements AcmeDnsCredentials {
  constructor(private readonly options: SecretsManagerAcmeDnsOptions) {}

  async get(host: string, domain: string): Promise<AcmeDnsRegistration | undefined> {
    const secretId = this.secretId(host, domain);
    let text: string | undefined;
    try {
      text = (await this.options.client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
    } catch (error) {
      if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
      throw storeFailure(error, 'GetSecretValue', secretId, `acme-dns registration of ${domain}`);
    }
    return registrationIn(text, secretId);
  }

  async putIfAbsent(host: string, domain: string, registration: AcmeDnsRegistration): Promise<AcmeDnsRegistration> {
    const secretId = this.secretId(host, domain);
    try {
      await this.options.client.send(
        new CreateSecretCommand({
          Name: secretId,
          Description: `certstep: acme-dns registration of ${domain} at ${host}`,
          SecretString: JSON.stringify(registration),
          ...(this.options.kmsKeyId && { KmsKeyId: this.options.kmsKeyId }),
          // No Tags: tagging on create would need secretsmanager:TagResource as well.
        }),
      );
      return registration;
    } catch (error) {
      if ((error as { name?: string }).name !== 'ResourceExistsException') {
        throw storeFailure(error, 'CreateSecret', secretId, `acme-dns registration of ${domain}`);
      }
    }
    const theirs = await this.get(host, domain);
    if (!theirs) throw new InvalidState(`secret ${secretId} exists but holds no acme-dns registration`);
    return theirs;
  }

  private secretId(host: string, domain: string): string {
    return `${this.options.secretPrefix}${acmeDnsCredentialName(host, domain)}`;
  }
}

/** JSON.parse's message would quote the secret, so it is never passed on. */
function registrationIn(text: string | undefined, secretId: string): AcmeDnsRegistration {
  let value: unknown;
  try {
    value = JSON.parse(text ?? '');
  } catch {
    throw new InvalidState(`secret ${secretId} does not hold JSON (value not shown); delete it to register again`);
  }
  if (!isAcmeDnsRegistration(value))
    throw new InvalidState(`secret ${secretId} is not an acme-dns registration (value not shown); delete it to register again`);
  return value;
}
