/**
 * Where keys and certificates live between phases. Only names and version ids travel through
 * Step Functions state; the material itself stays here (file system locally, Secrets Manager
 * on AWS).
 */
import type { CertificateSpec, KeyAlgorithm } from '../core/certificate-spec.js';

/** The stored certificate, the same JSON locally and in Secrets Manager. */
export interface StoredCertificate {
  /** Leaf first, then the chain, PEM. */
  readonly 'tls.crt': string;
  /** PKCS#8 PEM. */
  readonly 'tls.key': string;
  readonly dnsNames: readonly string[];
  readonly serialNumber: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly renewalTime: string;
  readonly issuer: string;
  readonly keyAlgorithm: KeyAlgorithm;
  readonly revision: number;
  /** The ACME profile it was ordered with, if any. */
  readonly profile?: string;
  /** RFC 9773 certificate identifier, for renewalInfo and `replaces`. */
  readonly ariCertId?: string;
  /**
   * The ACME directory and account it was ordered with: its renewal names it in `replaces`
   * only from the same two. Absent on certificates stored before certstep recorded them.
   */
  readonly directoryUrl?: string;
  readonly accountUrl?: string;
}

/**
 * What every phase but StoreCertificate may know of the current certificate: no key. The
 * Secrets Manager store adds the secret's ARN from the same read, so the run's event can name
 * it without another call.
 */
export type CertificateSummary = Omit<StoredCertificate, 'tls.key' | 'tls.crt'> & { readonly secretArn?: string };

/** Drops key and chain, so that they can never reach Step Functions state. */
export function summaryOf(stored: StoredCertificate): CertificateSummary;
export function summaryOf(stored: StoredCertificate | undefined): CertificateSummary | undefined;
export function summaryOf(stored: StoredCertificate | undefined): CertificateSummary | undefined {
  if (!stored) return undefined;
  const { 'tls.key': _key, 'tls.crt': _crt, ...summary } = stored;
  return summary;
}

/**
 * The current version of a certificate's secret: its id, and what it holds without the key
 * (nothing while it holds the placeholder `{}`). Read in one call, so the two belong together;
 * the run ledger keeps the last one read, so that the functions that only decide learn what is
 * stored without ever being sent the key (they compare `versionId` with `currentVersion`).
 */
export interface CurrentVersion {
  readonly versionId: string;
  readonly certificate?: CertificateSummary;
}

/** A private key written before finalize, so that a crash after the CA signed cannot lose it. */
export interface PendingKey {
  readonly orderUrl: string;
  readonly keyAlgorithm: KeyAlgorithm;
  readonly privateKeyPem: string;
}

/**
 * What a certificate's secret is made for: its name, and who may read its key (its readers, and
 * the roles that import into ACM when it goes there). The whole spec fits.
 */
export type SecretOwner = Pick<CertificateSpec, 'name' | 'readers' | 'acm'>;

export interface AcmeAccount {
  readonly directoryUrl: string;
  readonly accountKeyPem: string;
  readonly accountUrl: string;
  /** A key change (RFC 8555 §7.3.5) sent, or about to be, whose outcome is not recorded yet. */
  readonly nextAccountKeyPem?: string;
}

export interface CertificateStore {
  /** The whole current certificate, key included: Finalize (rotationPolicy Never), ImportToAcm and export need it. */
  getCurrent(name: string): Promise<StoredCertificate | undefined>;
  /** The current version's id and summary, from one read of its value; undefined when nothing is current. */
  readCurrent(name: string): Promise<CurrentVersion | undefined>;
  /**
   * The current version's id without reading its value (on AWS DescribeSecret, which never
   * returns the key); undefined when nothing is current.
   */
  currentVersion(name: string): Promise<string | undefined>;
  /**
   * Saves the key for one order as a pending version. Idempotent per order: a second call for
   * the same order returns the version already saved and keeps its key. Takes the certificate,
   * not its name: on AWS the first key makes the secret, and every new key puts the secret's
   * policy (its readers) on before the key goes in. `created` says the key given is the one
   * stored under the version, so the caller may use it without reading it back; false, another
   * attempt's key is kept there.
   */
  putPendingKey(certificate: SecretOwner, key: PendingKey): Promise<{ versionId: string; created: boolean }>;
  getPendingKey(name: string, versionId: string): Promise<PendingKey | undefined>;
  /** Version ids of the pending keys kept for this certificate (ids only, never the keys). */
  listPendingKeys(name: string): Promise<string[]>;
  /** Drops a pending key no order will use any more; removing one that is gone is harmless. */
  removePendingKey(name: string, versionId: string): Promise<void>;
  /**
   * Makes a verified certificate current, keeping the previous one as the previous version.
   * Idempotent for the same pending version. `known` is what readCurrent returned earlier in the
   * same invocation, which a store may use instead of reading the current version again.
   * `noPendingKeys` when the store knows that no pending key is left once this one is current
   * (on AWS: AWSPENDING came off it, and the label marks one version at most), so the clean-up
   * need not look for any.
   */
  makeCurrent(
    name: string,
    certificate: StoredCertificate,
    pendingVersionId: string,
    known?: { readonly current: CurrentVersion | undefined },
  ): Promise<{ versionId: string; secretArn?: string; noPendingKeys?: true }>;
  /**
   * The issuer's account at this directory URL; without one, the account registered last. An
   * issuer keeps one account per directory URL it has used: a key is never carried to another CA.
   */
  getAccount(issuer: string, directoryUrl?: string): Promise<AcmeAccount | undefined>;
  /**
   * Creates the account record for its directory URL unless another writer got there first, and
   * returns the one stored; with replace, overwrites the record of that directory URL only.
   * Accounts of the issuer's other directory URLs are kept. `beside` (a dry run's account at a
   * staging directory) leaves the account registered last as it is (account-record.ts).
   */
  putAccount(issuer: string, account: AcmeAccount, replace: boolean, beside?: boolean): Promise<AcmeAccount>;
}
