/**
 * The certificate store on AWS: one Secrets Manager secret per certificate and one per ACME
 * account. Account secrets are the stack's (it creates them with the placeholder `{}`);
 * certificate secrets are made here, with their tag, KMS key and resource policy, when the
 * certificate's first key is saved (certificate-secret.ts). Until then a certificate has no
 * secret, which reads as "nothing stored yet", as does the `{}` of a secret an earlier version's
 * stack made.
 *
 * Versions stand in for the file store's files: a pending key is an AWSPENDING version whose
 * ClientRequestToken is derived from the order URL, the certificate is the AWSCURRENT version,
 * and Secrets Manager itself keeps the one it replaced as AWSPREVIOUS.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  GetSecretValueCommand,
  PutSecretValueCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { CertstepError, InvalidState } from '../core/errors.js';
import { type SecretPolicySettings, parseSecretPolicySettings } from '../core/secret-policy.js';
import {
  type AcmeAccount,
  type CertificateStore,
  type CurrentVersion,
  type PendingKey,
  type SecretOwner,
  type StoredCertificate,
  summaryOf,
} from '../ports/certificate-store.js';
import { accountIn, withAccount } from './account-record.js';
import { CertificateSecrets } from './certificate-secret.js';
import { errorName, kmsFailure, storeFailure } from './secrets-manager-errors.js';
import { versionToken } from './version-token.js';

// Kept importable from here, where the other adapters and the tests have always found them.
export { storeFailure } from './secrets-manager-errors.js';
export { versionToken } from './version-token.js';

export interface SecretsManagerStoreOptions {
  readonly client: SecretsManagerClient;
  readonly certificateSecretId?: (name: string) => string;
  readonly accountSecretId?: (issuer: string) => string;
  /**
   * The certificate secrets' policy settings (CERTSTEP_CERTIFICATE_SECRET_POLICY), or a function
   * giving them when first needed. Without them, saving a key fails with a ConfigError naming
   * the variable; reading never needs them.
   */
  readonly secretPolicy?: SecretPolicySettings | (() => SecretPolicySettings);
  /** The stack's customer-managed key (CERTSTEP_SECRETS_KMS_KEY_ARN) for the certificate secrets made here. */
  readonly kmsKeyId?: string;
}

interface Version {
  readonly versionId: string;
  readonly value: Record<string, unknown>;
  readonly arn?: string;
  readonly stages: readonly string[];
}

const TOKEN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class SecretsManagerCertificateStore implements CertificateStore {
  private readonly client: SecretsManagerClient;
  private readonly certificateSecretId: (name: string) => string;
  private readonly accountSecretId: (issuer: string) => string;
  private readonly secrets: CertificateSecrets;
  private readonly kmsKeyId: string | undefined;

  constructor(options: SecretsManagerStoreOptions) {
    this.client = options.client;
    this.certificateSecretId = options.certificateSecretId ?? ((name) => `certstep/certificates/${name}`);
    this.accountSecretId = options.accountSecretId ?? ((issuer) => `certstep/accounts/${issuer}`);
    this.kmsKeyId = options.kmsKeyId;
    const policy = options.secretPolicy ?? (() => parseSecretPolicySettings(undefined));
    this.secrets = new CertificateSecrets({
      client: options.client,
      policySettings: typeof policy === 'function' ? policy : () => policy,
      ...(options.kmsKeyId && { kmsKeyId: options.kmsKeyId }),
    });
  }

  /** The full certificate with its key, for the ACM import; undefined while there is no secret or it holds the placeholder. */
  async getCurrent(name: string): Promise<StoredCertificate | undefined> {
    const current = await this.certificateCurrent(name);
    return current && typeof current.value['tls.crt'] === 'string' ? (current.value as unknown as StoredCertificate) : undefined;
  }

  /**
   * GetSecretValue: the key comes back with it, so only the functions that may hold a key call
   * this. Key and chain are dropped here so that they can never reach Step Functions state.
   */
  async readCurrent(name: string): Promise<CurrentVersion | undefined> {
    const current = await this.certificateCurrent(name);
    if (!current) return undefined;
    const summary = typeof current.value['tls.crt'] === 'string' ? summaryOf(current.value as unknown as StoredCertificate) : undefined;
    const certificate = summary && current.arn ? { ...summary, secretArn: current.arn } : summary;
    return { versionId: current.versionId, ...(certificate && { certificate }) };
  }

  /** DescribeSecret: version ids and labels only, so the functions that only decide never receive a key. */
  async currentVersion(name: string): Promise<string | undefined> {
    return Object.entries(await this.stagesOf(name)).find(([, stages]) => stages.includes('AWSCURRENT'))?.[0];
  }

  /**
   * Saved before the CSR goes out so a crash after the CA signs cannot lose the key; the first
   * key per order wins. A new key first makes the secret if it is missing and puts its policy on
   * (certificate-secret.ts), so a key never sits in a secret whose policy does not name its readers.
   */
  async putPendingKey(certificate: SecretOwner, key: PendingKey): Promise<{ versionId: string; created: boolean }> {
    const { name } = certificate;
    const secretId = this.certificateSecretId(name);
    const versionId = versionToken(`pending:${key.orderUrl}`);
    // Secrets Manager silently accepts a repeat of the same token and value, so a successful put
    // cannot tell a first write from a retry whose first attempt landed; looking first can (and
    // moto lets a reused token overwrite an AWSPENDING version, where AWS refuses it).
    const saved = await this.version(secretId, versionId);
    if (saved) {
      // The attempt that saved it may have died before taking AWSCURRENT off it (below).
      if (saved.stages.includes('AWSCURRENT')) await this.secrets.firstVersion(secretId, certificate);
      return { versionId, created: false };
    }
    await this.secrets.prepare(secretId, certificate);
    const put = await this.put(
      secretId,
      `certificate ${name}`,
      { ClientRequestToken: versionId, SecretString: JSON.stringify({ pendingKey: key }), VersionStages: ['AWSPENDING'] },
      true,
    );
    // The put's answer shows a key that became the secret's first version, so no DescribeSecret
    // is needed for that. 'exists': a concurrent attempt saved a different key under this token
    // since we looked; theirs is kept, and its labels are looked at in case it died before mending.
    const current = put.result === 'created' ? put.stages?.includes('AWSCURRENT') : (await this.stagesOf(name))[versionId]?.includes('AWSCURRENT');
    if (current) await this.secrets.firstVersion(secretId, certificate);
    return { versionId, created: put.result === 'created' };
  }

  /**
   * Puts the certificate's policy on its secret, for the deploy-time sync (a reader added or
   * removed, a secret an earlier version made); 'missing' when the certificate has no secret
   * yet, whose first key will bring the policy with it.
   */
  ensurePolicy(certificate: SecretOwner): Promise<'applied' | 'missing'> {
    return this.secrets.ensurePolicy(this.certificateSecretId(certificate.name), certificate);
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

  /**
   * Puts the verified certificate as AWSCURRENT, then frees the AWSPENDING label; a repeat changes
   * nothing. The current version is read here unless the caller read it in the same invocation.
   */
  async makeCurrent(
    name: string,
    certificate: StoredCertificate,
    pendingVersionId: string,
    known?: { readonly current: CurrentVersion | undefined },
  ): Promise<{ versionId: string; secretArn?: string; noPendingKeys?: true }> {
    const secretId = this.certificateSecretId(name);
    const current = known ? known.current : await this.readCurrent(name);
    let versionId = current?.versionId ?? '';
    let secretArn = current?.certificate?.secretArn;
    if (!current || current.certificate?.serialNumber !== certificate.serialNumber || !versionId) {
      versionId = versionToken(`current:${pendingVersionId}`);
      // 'exists' means this pending version was stored once and a newer certificate has replaced
      // it since (its revision differs); rolling back would be worse than leaving it.
      const put = await this.put(
        secretId,
        `certificate ${name}`,
        { ClientRequestToken: versionId, SecretString: JSON.stringify(certificate), VersionStages: ['AWSCURRENT'] },
        true,
      );
      secretArn = put.arn ?? secretArn;
    }
    let noPendingKeys = false;
    try {
      await this.client.send(new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: 'AWSPENDING', RemoveFromVersionId: pendingVersionId }));
      // The one AWSPENDING label was on this key and now marks no version: nothing is pending.
      noPendingKeys = true;
    } catch (error) {
      // InvalidParameterException: the label is already gone or now marks a later order's key, which must keep it.
      if (!['InvalidParameterException', 'ResourceNotFoundException'].includes(errorName(error))) {
        throw storeFailure(error, 'UpdateSecretVersionStage', secretId, `certificate ${name}`);
      }
    }
    return { versionId, ...(secretArn && { secretArn }), ...(noPendingKeys && { noPendingKeys: true as const }) };
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

  /** Each version's labels, from DescribeSecret, which never returns a value; none before the secret is made. */
  private async stagesOf(name: string): Promise<Record<string, string[]>> {
    const secretId = this.certificateSecretId(name);
    let described: DescribeSecretCommandOutput;
    try {
      described = await this.client.send(new DescribeSecretCommand({ SecretId: secretId }));
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return {};
      throw storeFailure(error, 'DescribeSecret', secretId, `certificate ${name}`);
    }
    return described.VersionIdsToStages ?? {};
  }

  private async account(issuer: string): Promise<{ versionId?: string; record?: unknown }> {
    const current = await this.current(this.accountSecretId(issuer), `issuer ${issuer}`);
    if (!current) return {};
    return { versionId: current.versionId, record: current.value };
  }

  /** A certificate's AWSCURRENT; undefined too when its secret is not made yet. */
  private certificateCurrent(name: string): Promise<Version | undefined> {
    return this.current(this.certificateSecretId(name), `certificate ${name}`, true);
  }

  /**
   * AWSCURRENT; undefined when the secret has no current version yet (ResourceNotFound with the
   * secret present) and, with `missingIsEmpty`, when there is no secret at all.
   */
  private async current(secretId: string, owner: string, missingIsEmpty = false): Promise<Version | undefined> {
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
      if (missingIsEmpty && errorName(error) === 'ResourceNotFoundException') return undefined;
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

  /**
   * 'exists' when the token already names a version with another value (ResourceExistsException).
   * A certificate secret was made here with the stack's key, and its first write is the first use
   * of that key, so a failure because of the key says so; and missing, it was deleted since.
   */
  private async put(
    secretId: string,
    owner: string,
    input: { ClientRequestToken: string; SecretString: string; VersionStages: string[] },
    certificateSecret = false,
  ): Promise<{ result: 'created' | 'exists'; arn?: string; stages?: string[] }> {
    try {
      const { ARN, VersionStages } = await this.client.send(new PutSecretValueCommand({ SecretId: secretId, ...input }));
      return { result: 'created', ...(ARN && { arn: ARN }), ...(VersionStages && { stages: VersionStages }) };
    } catch (error) {
      if (errorName(error) === 'ResourceExistsException') return { result: 'exists' };
      if (!certificateSecret) throw storeFailure(error, 'PutSecretValue', secretId, owner);
      const deleted = `secret ${secretId} does not exist: it is made when the ${owner}'s first key is saved, and was deleted since; start a new run to issue it again`;
      throw kmsFailure(error, 'PutSecretValue', secretId, this.kmsKeyId) ?? storeFailure(error, 'PutSecretValue', secretId, owner, deleted);
    }
  }
}

/** JSON.parse's message quotes the text it choked on, which here would be key material. */
function parse(output: { ARN?: string; VersionId?: string; SecretString?: string; VersionStages?: string[] }, secretId: string): Version {
  let value: unknown;
  try {
    value = JSON.parse(output.SecretString ?? '{}');
  } catch {
    throw new InvalidState(`secret ${secretId} does not hold JSON (value not shown); put {} in it to start over`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidState(`secret ${secretId} does not hold a JSON object (value not shown); put {} in it to start over`);
  }
  return {
    versionId: output.VersionId ?? '',
    value: value as Record<string, unknown>,
    stages: output.VersionStages ?? [],
    ...(output.ARN && { arn: output.ARN }),
  };
}

function isPendingKey(value: unknown): value is PendingKey {
  const key = value as Partial<Record<keyof PendingKey, unknown>> | undefined;
  return typeof key?.orderUrl === 'string' && typeof key.keyAlgorithm === 'string' && typeof key.privateKeyPem === 'string';
}
