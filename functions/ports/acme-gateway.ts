/**
 * The CA side of an issuance, one method per ACME request a phase makes. Implementations
 * classify failures into the error classes of core/errors.ts at this boundary.
 */

export type OrderStatus = 'pending' | 'ready' | 'processing' | 'valid' | 'invalid';
export type AuthorizationStatus = 'pending' | 'valid' | 'invalid' | 'deactivated' | 'expired' | 'revoked';

/** An RFC 7807 problem document as the CA sent it (RFC 8555 §6.7). */
export interface AcmeProblem {
  readonly type?: string;
  readonly detail?: string;
  readonly status?: number;
  readonly subproblems?: readonly { type?: string; detail?: string; identifier?: { value?: string } }[];
}

export interface AcmeOrder {
  readonly url: string;
  readonly status: OrderStatus;
  readonly finalizeUrl: string;
  readonly authorizationUrls: readonly string[];
  readonly certificateUrl?: string;
  readonly error?: AcmeProblem;
  /** Seconds the CA asked us to wait before polling again (Retry-After), if it said. */
  readonly retryAfterSeconds?: number;
}

export interface DnsChallenge {
  readonly url: string;
  readonly status: 'pending' | 'processing' | 'valid' | 'invalid';
  /** The TXT value to publish: base64url(SHA-256(key authorization)) (RFC 8555 §8.4). */
  readonly txtValue: string;
  readonly error?: AcmeProblem;
}

export interface DnsAuthorization {
  readonly url: string;
  /** The identifier as the CA holds it: without `*.` for wildcards (RFC 8555 §7.1.4). */
  readonly dnsName: string;
  readonly wildcard: boolean;
  readonly status: AuthorizationStatus;
  /** Absent when the authorization is already valid and the CA offered no dns-01 challenge. */
  readonly challenge?: DnsChallenge;
}

/** RFC 9773 §4.2: the CA's answer to a renewalInfo request. */
export interface RenewalInfo {
  readonly window: { readonly start: string; readonly end: string };
  readonly retryAfterSeconds?: number;
  readonly explanationUrl?: string;
}

/** Who orders: what a stored certificate must match for its renewal to name it in `replaces` (RFC 9773 §5). */
export interface AcmeAccountRef {
  readonly directoryUrl: string;
  readonly accountUrl: string;
}

export interface AcmeGateway {
  /** The directory and the account this gateway orders with; registers the account first if needed. */
  account(): Promise<AcmeAccountRef>;
  /** RFC 9773 §4.2: the suggested renewal window, or undefined when the CA's directory offers no renewalInfo. */
  renewalInfo(certificateId: string): Promise<RenewalInfo | undefined>;
  /** Whether the CA's directory lists renewalInfo (RFC 9773), which is when `replaces` may be sent. */
  supportsRenewalInfo(): Promise<boolean>;
  /**
   * RFC 8555 §7.4: newOrder for these names, with an ACME profile (draft-ietf-acme-profiles)
   * and the certificate it replaces (RFC 9773 §5) when given. Creates or re-registers the
   * account first if needed.
   */
  createOrder(dnsNames: readonly string[], options?: { profile?: string; replaces?: string }): Promise<AcmeOrder>;
  /** RFC 8555 §7.4: POST-as-GET the order. */
  getOrder(orderUrl: string): Promise<AcmeOrder>;
  /** RFC 8555 §7.5: POST-as-GET an authorization, with its dns-01 challenge. */
  getAuthorization(authorizationUrl: string): Promise<DnsAuthorization>;
  /** RFC 8555 §7.5.2: give up an authorization this client will not complete. */
  deactivateAuthorization(authorizationUrl: string): Promise<void>;
  /** RFC 8555 §7.5.1: tell the CA the challenge is ready to be validated. */
  acceptChallenge(challengeUrl: string): Promise<void>;
  /** RFC 8555 §7.4: send the CSR to the order's finalize URL. */
  finalizeOrder(order: AcmeOrder, csrPem: string): Promise<AcmeOrder>;
  /** RFC 8555 §7.4.2: download the certificate chain (PEM, leaf first), the issuer's preferred one when it names one. */
  downloadCertificate(certificateUrl: string): Promise<string>;
}
