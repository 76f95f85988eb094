/**
 * A certificate's secret is made by the first function that stores a key for it, not by the
 * stack, so that the number of certificates does not grow the template. What the stack used to
 * say about the secret is said here instead: its tag (IAM scopes by it), its KMS key, and its
 * resource policy, which names the only principals that may read the key.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateSecretCommand, PutResourcePolicyCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { CERTSTEP_TAG } from '../core/acm-config.js';
import { SecretNotFound } from '../core/errors.js';
import { type SecretPolicySettings, certificateSecretPolicy } from '../core/secret-policy.js';
import type { SecretOwner } from '../ports/certificate-store.js';
import { errorName, kmsFailure, storeFailure } from './secrets-manager-errors.js';
import { versionToken } from './version-token.js';

export interface CertificateSecretsOptions {
  readonly client: SecretsManagerClient;
  /** Called at most once, when a secret's policy is first needed: functions that never write one need no settings. */
  readonly policySettings: () => SecretPolicySettings;
  /** The stack's customer-managed key for secrets, when it has one. */
  readonly kmsKeyId?: string;
}

export class CertificateSecrets {
  private settings?: SecretPolicySettings;

  constructor(private readonly options: CertificateSecretsOptions) {}

  /**
   * Leaves the secret existing with its policy, before a key goes into it: made when missing,
   * its policy put again when not (which adopts a secret an earlier version made, whose policy
   * the upgrade deleted). The policy is worked out first, so missing settings never leave a
   * secret behind without one. A secret made here gets its placeholder at once; one that exists
   * is not looked at: the key's own put says whether it had no version (firstVersion).
   */
  async prepare(secretId: string, certificate: SecretOwner): Promise<void> {
    const policy = this.policyOf(certificate);
    if ((await this.putPolicy(secretId, certificate, policy)) === 'applied') return;
    const made = await this.create(secretId, certificate);
    if ((await this.putPolicy(secretId, certificate, policy)) === 'missing') {
      throw new SecretNotFound(`secret ${secretId} was deleted as soon as it was made; start a new run of certificate ${certificate.name}`);
    }
    if (made) await this.putPlaceholder(secretId, certificate);
  }

  /**
   * Secrets Manager makes the first version of a secret AWSCURRENT whatever labels it is put
   * with. A key that went into a secret with no version (one a run made and died before its
   * placeholder, or one another run is making right now) is therefore current; the placeholder
   * `{}` the stack used to write takes AWSCURRENT back, and the key keeps AWSPENDING.
   */
  firstVersion(secretId: string, certificate: SecretOwner): Promise<void> {
    return this.putPlaceholder(secretId, certificate);
  }

  /** Puts the certificate's current policy on its secret; 'missing' when no secret exists yet (its first key will bring it). */
  ensurePolicy(secretId: string, certificate: SecretOwner): Promise<'applied' | 'missing'> {
    return this.putPolicy(secretId, certificate, this.policyOf(certificate));
  }

  private policyOf(certificate: SecretOwner): string {
    this.settings ??= this.options.policySettings();
    return JSON.stringify(certificateSecretPolicy(this.settings, certificate));
  }

  private async putPolicy(secretId: string, certificate: SecretOwner, policy: string): Promise<'applied' | 'missing'> {
    try {
      await this.options.client.send(new PutResourcePolicyCommand({ SecretId: secretId, ResourcePolicy: policy, BlockPublicPolicy: true }));
      return 'applied';
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return 'missing';
      throw storeFailure(error, 'PutResourcePolicy', secretId, `certificate ${certificate.name}`);
    }
  }

  /** The same token for every writer, so two runs racing to write it make one version. */
  private async putPlaceholder(secretId: string, certificate: SecretOwner): Promise<void> {
    const { kmsKeyId } = this.options;
    try {
      await this.options.client.send(
        new PutSecretValueCommand({
          SecretId: secretId,
          ClientRequestToken: versionToken(`placeholder:${secretId}`),
          SecretString: '{}',
          VersionStages: ['AWSCURRENT'],
        }),
      );
    } catch (error) {
      throw kmsFailure(error, 'PutSecretValue', secretId, kmsKeyId) ?? storeFailure(error, 'PutSecretValue', secretId, `certificate ${certificate.name}`);
    }
  }

  /** Without a value, which comes only once the policy is on; true when this call made it, false when another writer had. */
  private async create(secretId: string, certificate: SecretOwner): Promise<boolean> {
    const { kmsKeyId } = this.options;
    try {
      await this.options.client.send(
        new CreateSecretCommand({
          Name: secretId,
          Description: `certstep: certificate ${certificate.name} (tls.crt, tls.key and metadata)`,
          ...(kmsKeyId && { KmsKeyId: kmsKeyId }),
          // The same tag as on its ACM copies: IAM finds a certificate's resources by it.
          Tags: [{ Key: CERTSTEP_TAG, Value: certificate.name }],
        }),
      );
      return true;
    } catch (error) {
      // Another run of the same certificate made it first: theirs is the same secret.
      if (errorName(error) === 'ResourceExistsException') return false;
      throw kmsFailure(error, 'CreateSecret', secretId, kmsKeyId) ?? storeFailure(error, 'CreateSecret', secretId, `certificate ${certificate.name}`);
    }
  }
}
