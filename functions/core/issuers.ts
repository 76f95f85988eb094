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
}

/** Looks an issuer up by name; local issuers may start their CA on first use. */
export interface IssuerRegistry {
  readonly names: ReadonlySet<string>;
  resolve(name: string): Promise<IssuerConfig>;
}

/** The embedded Pebble CA used by `certstep local`. */
export const LOCAL_ISSUER = 'local';
