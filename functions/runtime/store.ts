/** The Secrets Manager store as Lambdas build it, with the secret names the stack creates. */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsManagerCertificateStore } from '../adapters/secrets-manager-store.js';
import type { RuntimeConfig } from './config.js';
import { traced } from './tracing.js';

export function secretsManagerStore(config: RuntimeConfig): SecretsManagerCertificateStore {
  return new SecretsManagerCertificateStore({
    client: traced(new SecretsManagerClient({ maxAttempts: 5 })),
    certificateSecretId: (name) => `${config.certificateSecretPrefix}${name}`,
    accountSecretId: (issuer) => `${config.accountSecretPrefix}${issuer}`,
  });
}
