/** Issuers as Lambdas see them: from CERTSTEP_ISSUERS, with the EAB HMAC key read from its secret on first use. */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { storeFailure } from '../adapters/secrets-manager-store.js';
import { InvalidInput } from '../core/errors.js';
import type { IssuerConfig, IssuerRegistry } from '../core/issuers.js';
import { type RuntimeConfig, issuerNames } from './config.js';
import { traced } from './tracing.js';
import { remembered } from '../core/remembered.js';

export function issuerRegistry(config: RuntimeConfig, secrets: () => SecretsManagerClient = () => traced(new SecretsManagerClient({}))): IssuerRegistry {
  const resolved = new Map<string, Promise<IssuerConfig>>();
  return {
    names: issuerNames(config),
    resolve: (name) => remembered(resolved, name, () => resolveIssuer(config, name, secrets)),
  };
}

async function resolveIssuer(config: RuntimeConfig, name: string, secrets: () => SecretsManagerClient): Promise<IssuerConfig> {
  const setting = config.issuers.find((issuer) => issuer.name === name);
  if (!setting) throw new InvalidInput(`certificate.issuer: unknown issuer "${name}"`);
  let eab: IssuerConfig['eab'];
  if (setting.eabKeyId && setting.eabHmacSecretId) {
    const secret = await secrets()
      .send(new GetSecretValueCommand({ SecretId: setting.eabHmacSecretId }))
      .catch((error: unknown) => {
        // Only what may pass is retried: a missing secret or a denied read would fail four more times.
        const secretId = setting.eabHmacSecretId as string;
        const missing = `the EAB HMAC key of issuer ${name} is not in secret ${secretId}: create it with the key the CA gave you`;
        throw storeFailure(error, 'GetSecretValue', secretId, `EAB HMAC key of issuer ${name}`, missing);
      });
    eab = { keyId: setting.eabKeyId, hmacKey: (secret.SecretString ?? '').trim() };
  }
  return {
    name,
    directoryUrl: setting.directoryUrl,
    ...(setting.email && { email: setting.email }),
    ...(eab && { eab }),
    ...(setting.caBundlePem && { caBundlePem: setting.caBundlePem }),
    ...(setting.preferredChain && { preferredChain: setting.preferredChain }),
    ...(setting.stagingDirectoryUrl && { stagingDirectoryUrl: setting.stagingDirectoryUrl }),
  };
}
