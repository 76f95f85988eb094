/**
 * The certificate store on AWS: one Secrets Manager secret per certificate and one per ACME
 * account, both created by the CDK stack with the placeholder value `{}`. This code never calls
 * CreateSecret, so the Lambda role needs only GetSecretValue, DescribeSecret, PutSecretValue and
 * UpdateSecretVersionStage on those secrets.
 *
 * Versions stand in for the file store's files: a pending key is an AWSPENDING version whose
 * ClientRequestToken is derived from the order URL, the certificate is the AWSCURRENT version,
 * and Secrets Manager itself keeps the one it replaced as AWSPREVIOUS.
 */
import { createHash } from 'node:crypto';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  GetSecretValueCommand,
  PutSecretValueCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { CertstepError, InvalidState, SecretNotFound, StoreAccessDenied, StoreRequestRejected, StoreUnavailable } from '../core/errors.js';
import {
  type AcmeAccount,
  type CertificateStore,
  type CurrentVersion,
  type PendingKey,
  type StoredCertificate,
  summaryOf,
} from '../ports/certificate-store.js';
import { accountIn, withAccount } from './account-record.js';
import { classifyAwsError } from './aws-errors.js';

export interface SecretsManagerStoreOptions {
  readonly client: SecretsManagerClient;
  readonly certificateSecretId?: (name: string) => string;
  readonly accountSecretId?: (issuer: string) => string;
}

interface Version {
  readonly versionId: string;
  readonly value: Record<string, unknown>;
  readonly arn?: string;
}

const TOKEN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class SecretsManagerCertificateStore implements CertificateStore {
  private readonly client: SecretsManagerClient;
  private readonly certificateSecretId: (name: string) => string;
  private readonly accountSecretId: (issuer: string) => string;

  constructor(options: SecretsManagerStoreOptions) {
    this.client = options.client;
    this.certificateSecretId = options.certificateSecretId ?? ((name) => `certstep/certificates/${name}`);
    this.accountSecretId = options.accountSecretId ?? ((issuer) => `certstep/accounts/${issuer}`);
  }

  /** The full certificate with its key, for the ACM import; undefined while the secret holds the placeholder. */
  async getCurrent(name: string): Promise<StoredCertificate | undefined> {
    const current = await this.current(this.certificateSecretId(name), `certificate ${name}`);
    return current && typeof current.value['tls.crt'] === 'string' ? (current.value as unknown as StoredCertificate) : undefined;
  }

  /**
   * GetSecretValue: the key comes back with it, so only the functions that may hold a key call
   * this. Key and chain are dropped here so that they can never reach Step Functions state.
   */
  async readCurrent(name: string): Promise<CurrentVersion | undefined> {
    const current = await this.current(this.certificateSecretId(name), `certificate ${name}`);
    if (!current) return undefined;
    const summary = typeof current.value['tls.crt'] === 'string' ? summaryOf(current.value as unknown as StoredCertificate) : undefined;
    const certificate = summary && current.arn ? { ...summary, secretArn: current.arn } : summary;
    return { versionId: current.versionId, ...(certificate && { certificate }) };
  }

  /** DescribeSecret: version ids and labels only, so the functions that only decide never receive a key. */
  async currentVersion(name: string): Promise<string | undefined> {
    return Object.entries(await this.stagesOf(name)).find(([, stages]) => stages.includes('AWSCURRENT'))?.[0];
  }

  /** Saved before the CSR goes out so a crash after the CA signs cannot lose the key; the first key per order wins. */
  async putPendingKey(name: string, key: PendingKey): Promise<{ versionId: string; created: boolean }> {
    const secretId = this.certificateSecretId(name);
    const versionId = versionToken(`pending:${key.orderUrl}`);
    // Secrets Manager silently accepts a repeat of the same token and value, so a successful put
    // cannot tell a first write from a retry whose first attempt landed; looking first can.
    if (await this.version(secretId, versionId)) return { versionId, created: false };
    const put = await this.put(secretId, `certificate ${name}`, {
      ClientRequestToken: versionId,
      SecretString: JSON.stringify({ pendingKey: key }),
      VersionStages: ['AWSPENDING'],
    });
    // 'exists': a concurrent attempt saved a different key under this token since we looked; theirs is kept.
    return { versionId, created: put.result === 'created' };
  }

  /** Undefined for an unknown version, as after a clean-up or for an id from another store. */
  async getPendingKey(name: string, versionId: string): Promise<PendingKey | undefined> {
    if (!TOKEN.test(versionId)) return undefined;
    const pending = (await this.version(this.certificateSecretId(name), versionId))?.value.pendingKey;
    return isPendingKey(pending) ? pending : undefined;
  }

  /** AWSPENDING marks at most one version: the key of the order in flight, if any. */
  async listPendingKeys(name: string): Promise<string[]> {
    return Object.entries(await this.stagesOf(name))
      .filter(([, stages]) => stages.includes('AWSPENDING') && !stages.includes('AWSCURRENT'))
      .map(([versionId]) => versionId)
      .sort();
  }

  /**
   * Takes AWSPENDING off the version. Secrets Manager keeps an unlabelled version for a while
   * before it deletes it on its own; only the functions that may read keys can read it.
   */
  async removePendingKey(name: string, versionId: string): Promise<void> {
    if (!TOKEN.test(versionId)) return;
    const secretId = this.certificateSecretId(name);
    try {
      await this.client.send(new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: 'AWSPENDING', RemoveFromVersionId: versionId }));
    } catch (error) {
      // InvalidParameterException: the label is no longer on that version.
      if (!['InvalidParameterException', 'ResourceNotFoundException'].includes(errorName(error))) {
        throw storeFailure(error, 'UpdateSecretVersionStage', secretId, `certificate ${name}`);
      }
    }
  }

  /** Puts the verified certificate as AWSCURRENT, then frees the AWSPENDING label; a repeat changes nothing. */
  async makeCurrent(name: string, certificate: StoredCertificate, pendingVersionId: string): Promise<{ versionId: string; secretArn?: string }> {
    const secretId = this.certificateSecretId(name);
    const current = await this.current(secretId, `certificate ${name}`);
    let versionId = current?.versionId ?? '';
    let secretArn = current?.arn;
    if (!current || current.value.serialNumber !== certificate.serialNumber || !versionId) {
      versionId = versionToken(`current:${pendingVersionId}`);
      // 'exists' means this pending version was stored once and a newer certificate has replaced
      // it since (its revision differs); rolling back would be worse than leaving it.
      const put = await this.put(secretId, `certificate ${name}`, {
        ClientRequestToken: versionId,
        SecretString: JSON.stringify(certificate),
        VersionStages: ['AWSCURRENT'],
      });
      secretArn = put.arn ?? secretArn;
    }
    try {
      await this.client.send(new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: 'AWSPENDING', RemoveFromVersionId: pendingVersionId }));
    } catch (error) {
      // InvalidParameterException: the label is already gone or now marks a later order's key, which must keep it.
      if (!['InvalidParameterException', 'ResourceNotFoundException'].includes(errorName(error))) {
        throw storeFailure(error, 'UpdateSecretVersionStage', secretId, `certificate ${name}`);
      }
    }
    return { versionId, ...(secretArn && { secretArn }) };
  }

  /** Undefined while the secret holds the placeholder or anything that is not a whole account. */
  async getAccount(issuer: string, directoryUrl?: string): Promise<AcmeAccount | undefined> {
    return accountIn((await this.account(issuer)).record, directoryUrl);
  }

  /** Without replace, an account another writer stored first for the same directory is returned instead of ours. */
  async putAccount(issuer: string, account: AcmeAccount, replace: boolean, beside = false): Promise<AcmeAccount> {
    const secretId = this.accountSecretId(issuer);
    const stored = await this.account(issuer);
    const existing = accountIn(stored.record, account.directoryUrl);
    if (!replace && existing) return existing;
    // The token names the version being replaced, not the account: two writers racing from the
    // same version share it, Secrets Manager lets only the first in (compare-and-set), and a later
    // switch back to an earlier account still gets a version of its own.
    const token = versionToken(`account:${stored.versionId ?? 'none'}`);
    const put = await this.put(secretId, `issuer ${issuer}`, {
      ClientRequestToken: token,
      SecretString: JSON.stringify(withAccount(stored.record, account, beside)),
      VersionStages: ['AWSCURRENT'],
    });
    if (put.result === 'created') return account;
    const winner = (await this.version(secretId, token))?.value;
    return accountIn(winner, account.directoryUrl) ?? account;
  }

  /** Each version's labels, from DescribeSecret, which never returns a value. */
  private async stagesOf(name: string): Promise<Record<string, string[]>> {
    const secretId = this.certificateSecretId(name);
    let described: DescribeSecretCommandOutput;
    try {
      described = await this.client.send(new DescribeSecretCommand({ SecretId: secretId }));
    } catch (error) {
      throw storeFailure(error, 'DescribeSecret', secretId, `certificate ${name}`);
    }
    return described.VersionIdsToStages ?? {};
  }

  private async account(issuer: string): Promise<{ versionId?: string; record?: unknown }> {
    const current = await this.current(this.accountSecretId(issuer), `issuer ${issuer}`);
    if (!current) return {};
    return { versionId: current.versionId, record: current.value };
  }

  /** AWSCURRENT; undefined when the secret has no current version yet (ResourceNotFound with the secret present). */
  private async current(secretId: string, owner: string): Promise<Version | undefined> {
    try {
      return parse(await this.client.send(new GetSecretValueCommand({ SecretId: secretId })), secretId);
    } catch (error) {
      if (error instanceof CertstepError || errorName(error) !== 'ResourceNotFoundException') throw storeFailure(error, 'GetSecretValue', secretId, owner);
    }
    // Both "no such secret" and "no AWSCURRENT version" are ResourceNotFound; only DescribeSecret tells them apart.
    try {
      await this.client.send(new DescribeSecretCommand({ SecretId: secretId }));
      return undefined;
    } catch (error) {
      throw storeFailure(error, 'DescribeSecret', secretId, owner);
    }
  }

  /** A version by id; undefined when it (or the secret) does not exist. */
  private async version(secretId: string, versionId: string): Promise<Version | undefined> {
    try {
      return parse(await this.client.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: versionId })), secretId);
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return undefined;
      throw storeFailure(error, 'GetSecretValue', secretId, 'secret');
    }
  }

  /** 'exists' when the token already names a version with another value (ResourceExistsException). */
  private async put(
    secretId: string,
    owner: string,
    input: { ClientRequestToken: string; SecretString: string; VersionStages: string[] },
  ): Promise<{ result: 'created' | 'exists'; arn?: string }> {
    try {
      const { ARN } = await this.client.send(new PutSecretValueCommand({ SecretId: secretId, ...input }));
      return { result: 'created', ...(ARN && { arn: ARN }) };
    } catch (error) {
      if (errorName(error) === 'ResourceExistsException') return { result: 'exists' };
      throw storeFailure(error, 'PutSecretValue', secretId, owner);
    }
  }
}

/**
 * A UUID-shaped ClientRequestToken (Secrets Manager wants 32–64 characters) from SHA-256 of the
 * seed, so every retry of the same step sends the same token and Secrets Manager deduplicates it.
 */
export function versionToken(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Transient failures become StoreUnavailable (retried by the state machine); the rest are terminal.
 * `missing` says what to do about a secret that does not exist when it is not the stack's to create.
 */
export function storeFailure(error: unknown, operation: string, secretId: string, owner: string, missing?: string): CertstepError {
  if (error instanceof CertstepError) return error;
  const { kind, said } = classifyAwsError(error);
  switch (kind) {
    case 'notFound':
      return new SecretNotFound(
        missing ?? `secret ${secretId} does not exist: certstep never creates secrets; add the ${owner} to the stack configuration and deploy`,
      );
    case 'transient':
      return new StoreUnavailable(`Secrets Manager ${operation} on ${secretId} did not succeed after retries: ${said}`);
    case 'denied':
      return new StoreAccessDenied(`Secrets Manager ${operation} on ${secretId} was denied: ${said}`);
    case 'rejected':
      return new StoreRequestRejected(`Secrets Manager ${operation} on ${secretId} was refused: ${said}`);
  }
}

function errorName(error: unknown): string {
  return (error as { name?: string } | undefined)?.name ?? 'Error';
}

/** JSON.parse's message quotes the text it choked on, which here would be key material. */
function parse(output: { ARN?: string; VersionId?: string; SecretString?: string }, secretId: string): Version {
  let value: unknown;
  try {
    value = JSON.parse(output.SecretString ?? '{}');
  } catch {
    throw new InvalidState(`secret ${secretId} does not hold JSON (value not shown); put {} in it to start over`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidState(`secret ${secretId} does not hold a JSON object (value not shown); put {} in it to start over`);
  }
  return { versionId: output.VersionId ?? '', value: value as Record<string, unknown>, ...(output.ARN && { arn: output.ARN }) };
}

function isPendingKey(value: unknown): value is PendingKey {
  const key = value as Partial<Record<keyof PendingKey, unknown>> | undefined;
  return typeof key?.orderUrl === 'string' && typeof key.keyAlgorithm === 'string' && typeof key.privateKeyPem === 'string';
}
