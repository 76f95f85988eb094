/**
 * Issuers are named ACME configurations, as in cert-manager: a certificate names its issuer
 * and never carries a directory URL itself.
 */
export interface IssuerConfig {
  readonly name: string;
  /** RFC 8555 §7.1.1 directory URL. */
  readonly directoryUrl: string;
  /** Contact e-mail for the account (RFC 8555 §7.3); optional, as with Let's Encrypt. */
  readonly email?: string;
  /** External account binding (RFC 8555 §7.3.4), required by some CAs. */
  readonly eab?: { readonly keyId: string; readonly hmacKey: string };
  /** Extra CA certificates (PEM) to trust when talking to the directory over HTTPS. */
  readonly caBundlePem?: string;
  /**
   * The common name of an issuer the certificate chain should lead to, when the CA offers
   * alternate chains (RFC 8555 §7.4.2), as cert-manager's `preferredChain` and certbot's
   * `--preferred-chain`; the default chain when none matches.
   */
  readonly preferredChain?: string;
  /**
   * Where a dry run orders its test certificate, when the CA runs a staging directory; see
   * dryRunDirectoryUrl for the default. The staging directory uses this issuer's EAB settings.
   */
  readonly stagingDirectoryUrl?: string;
  /** Set by dryRunIssuer when directoryUrl is the staging one: its account is kept beside the live one, never in its place. */
  readonly staging?: boolean;
}

/** Looks an issuer up by name; local issuers may start their CA on first use. */
export interface IssuerRegistry {
  readonly names: ReadonlySet<string>;
  resolve(name: string): Promise<IssuerConfig>;
}

/** The embedded Pebble CA used by `certstep local`. */
export const LOCAL_ISSUER = 'local';

export const LETS_ENCRYPT_PRODUCTION = 'https://acme-v02.api.letsencrypt.org/directory';
export const LETS_ENCRYPT_STAGING = 'https://acme-staging-v02.api.letsencrypt.org/directory';

/**
 * The staging directory a dry run orders from, if the issuer has one: the one its configuration
 * names, else Let's Encrypt staging for Let's Encrypt production (certbot's --dry-run). Without
 * one a dry run orders from the issuer's own directory and discards the certificate.
 */
export function stagingDirectoryUrl(issuer: Pick<IssuerConfig, 'directoryUrl' | 'stagingDirectoryUrl'>): string | undefined {
  if (issuer.stagingDirectoryUrl) return issuer.stagingDirectoryUrl;
  return sameUrl(issuer.directoryUrl, LETS_ENCRYPT_PRODUCTION) ? LETS_ENCRYPT_STAGING : undefined;
}

/**
 * The issuer as a dry run talks to it: the same account settings at the staging directory.
 * The account record keeps accounts per directory URL, so the staging account sits beside the
 * live one and a live run or `certstep account` (which ask by the live URL) never sees it.
 */
export function dryRunIssuer(issuer: IssuerConfig): IssuerConfig {
  const staging = stagingDirectoryUrl(issuer);
  return staging ? { ...issuer, directoryUrl: staging, staging: true } : issuer;
}

/** Only a trailing slash may differ: directories are configured by hand. */
function sameUrl(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}
