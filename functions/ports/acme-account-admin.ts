/**
 * What an operator does to an issuer's ACME account and its certificates by hand, apart from
 * issuing: the CLI's `account` and `revoke` commands. Kept apart from AcmeGateway so that the
 * phases (and their test doubles) never see operations no run performs.
 */

/** RFC 8555 §7.1.2: the account object as the CA holds it. */
export interface AcmeAccountDetails {
  readonly directoryUrl: string;
  readonly accountUrl: string;
  /** `valid`, `deactivated` or `revoked`. */
  readonly status: string;
  readonly contact: readonly string[];
}

/** RFC 5280 §5.3.1 reason codes a CA accepts in revokeCert (RFC 8555 §7.6), by certbot's names. */
export const REVOCATION_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
} as const;

export type RevocationReason = keyof typeof REVOCATION_REASONS;

export interface AcmeAccountAdmin {
  /** RFC 8555 §7.3.3 (POST-as-GET on the account URL), registering the account first if there is none. */
  accountDetails(): Promise<AcmeAccountDetails>;
  /** RFC 8555 §7.3.2: replaces the account's contact URLs (`mailto:`); an empty list removes them. */
  updateContact(contact: readonly string[]): Promise<AcmeAccountDetails>;
  /**
   * RFC 8555 §7.3.5 keyChange: a new account key, safe to interrupt. The new key is stored as
   * pending before the CA is asked; whoever next uses the account (this command again, or any
   * run) finds out which key the CA holds and keeps that one.
   */
  rolloverKey(): Promise<AcmeAccountDetails>;
  /** RFC 8555 §7.6 revokeCert, signed by the account that ordered the certificate. */
  revokeCertificate(certificatePem: string, reason: RevocationReason): Promise<void>;
}
