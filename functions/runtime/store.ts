/** The Secrets Manager store as Lambdas build it, with the secret names, key and policy settings the stack hands over. */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsManagerCertificateStore } from '../adapters/secrets-manager-store.js';
import { SECRET_POLICY_ENV, parseSecretPolicySettings } from '../core/secret-policy.js';
import type { RuntimeConfig } from './config.js';
import { traced } from './tracing.js';

export function secretsManagerStore(config: RuntimeConfig, env: NodeJS.ProcessEnv = process.env): SecretsManagerCertificateStore {
  const text = env[SECRET_POLICY_ENV];
  // Parsed at init where the stack sets it (the functions that make secrets), so a malformed
  // value fails the function at load; the others never need it, and one that did would fail at
  // its first key with a ConfigError naming the variable.
  const secretPolicy = text ? parseSecretPolicySettings(text) : () => parseSecretPolicySettings(text);
  return new SecretsManagerCertificateStore({
    client: traced(new SecretsManagerClient({ maxAttempts: 5 })),
    certificateSecretId: (name) => `${config.certificateSecretPrefix}${name}`,
    accountSecretId: (issuer) => `${config.accountSecretPrefix}${issuer}`,
    secretPolicy,
    ...(config.secretsKmsKeyArn && { kmsKeyId: config.secretsKmsKeyArn }),
  });
}
