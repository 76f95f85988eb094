/**
 * Lambda configuration, read from the environment once per container (module scope) so a
 * misconfigured function fails at init with a message naming the variable, not halfway
 * through an issuance.
 */
import { ConfigError } from '../core/config-error.js';
import type { Dns01Config } from '../core/dns01-config.js';

export interface IssuerSetting {
  readonly name: string;
  readonly directoryUrl: string;
  readonly email?: string;
  /** EAB key id; the HMAC key is read from the secret named by eabHmacSecretId. */
  readonly eabKeyId?: string;
  readonly eabHmacSecretId?: string;
  readonly caBundlePem?: string;
  /** The issuer common name of the alternate chain to download, when the CA offers one (core/issuers.ts). */
  readonly preferredChain?: string;
  /** Where a dry run orders, when not the default of core/issuers.ts stagingDirectoryUrl. */
  readonly stagingDirectoryUrl?: string;
  /** Issuer-wide DNS-01 defaults; a certificate's own dns01 settings win. */
  readonly dns01?: Dns01Config;
}

export interface RuntimeConfig {
  readonly issuers: readonly IssuerSetting[];
  readonly certificateSecretPrefix: string;
  readonly accountSecretPrefix: string;
  /** Where acme-dns registrations are created, one secret per (server, domain). */
  readonly acmeDnsSecretPrefix: string;
  /** The stack's customer-managed key, for the secrets the functions create. */
  readonly secretsKmsKeyArn?: string;
}

/** A variable the stack always sets; missing means the function was deployed without it. */
export function requiredEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (!value) throw new ConfigError(`${name} is not set`);
  return value;
}

/** The issuers a certificate may name, as CERTSTEP_ISSUERS lists them. */
export function issuerNames(config: RuntimeConfig): ReadonlySet<string> {
  return new Set(config.issuers.map((issuer) => issuer.name));
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const issuers = parseIssuers(env.CERTSTEP_ISSUERS);
  return {
    issuers,
    certificateSecretPrefix: env.CERTSTEP_CERTIFICATE_SECRET_PREFIX ?? 'certstep/certificates/',
    accountSecretPrefix: env.CERTSTEP_ACCOUNT_SECRET_PREFIX ?? 'certstep/accounts/',
    acmeDnsSecretPrefix: env.CERTSTEP_ACME_DNS_SECRET_PREFIX ?? 'certstep/acme-dns/',
    ...(env.CERTSTEP_SECRETS_KMS_KEY_ARN && { secretsKmsKeyArn: env.CERTSTEP_SECRETS_KMS_KEY_ARN }),
  };
}

function parseIssuers(text: string | undefined): IssuerSetting[] {
  if (!text) throw new ConfigError('CERTSTEP_ISSUERS is not set: it must be a JSON array of issuers');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`CERTSTEP_ISSUERS is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw new ConfigError('CERTSTEP_ISSUERS must be a non-empty JSON array');
  return parsed.map((entry: unknown, index) => {
    const issuer = entry as Partial<IssuerSetting>;
    if (typeof issuer?.name !== 'string' || !/^[a-z0-9-]{1,63}$/.test(issuer.name)) {
      throw new ConfigError(`CERTSTEP_ISSUERS[${index}].name must be 1-63 lowercase letters, digits or "-"`);
    }
    if (typeof issuer.directoryUrl !== 'string' || !issuer.directoryUrl.startsWith('https://')) {
      throw new ConfigError(`CERTSTEP_ISSUERS[${index}].directoryUrl must be an https:// URL`);
    }
    if ((issuer.eabKeyId === undefined) !== (issuer.eabHmacSecretId === undefined)) {
      throw new ConfigError(`CERTSTEP_ISSUERS[${index}]: eabKeyId and eabHmacSecretId go together`);
    }
    if (issuer.preferredChain !== undefined && (typeof issuer.preferredChain !== 'string' || issuer.preferredChain.length === 0)) {
      throw new ConfigError(`CERTSTEP_ISSUERS[${index}].preferredChain must be a non-empty string`);
    }
    if (issuer.stagingDirectoryUrl !== undefined && (typeof issuer.stagingDirectoryUrl !== 'string' || !issuer.stagingDirectoryUrl.startsWith('https://'))) {
      throw new ConfigError(`CERTSTEP_ISSUERS[${index}].stagingDirectoryUrl must be an https:// URL`);
    }
    if (issuer.caBundlePem !== undefined && (typeof issuer.caBundlePem !== 'string' || !issuer.caBundlePem.includes('-----BEGIN CERTIFICATE-----'))) {
      throw new ConfigError(`CERTSTEP_ISSUERS[${index}].caBundlePem must be PEM certificates`);
    }
    return issuer as IssuerSetting;
  });
}
