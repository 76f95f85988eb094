/**
 * What phases may be given. Each phase names the slice it needs, so a Lambda that never talks
 * to the CA never constructs (or bundles) the ACME client.
 */
import type { CertificateSpec } from '../core/certificate-spec.js';
import type { IssuerRegistry } from '../core/issuers.js';
import type { AcmeGateway } from '../ports/acme-gateway.js';
import type { CertificateImporter } from '../ports/certificate-importer.js';
import type { CertificateStore } from '../ports/certificate-store.js';
import type { DnsProvider } from '../ports/dns-provider.js';
import type { KeyManager } from '../ports/key-manager.js';
import type { RenewalScheduler } from '../ports/renewal-scheduler.js';
import type { RunLedger } from '../ports/run-ledger.js';

export interface AcmeOptions {
  readonly dryRun?: boolean;
}

/**
 * The CA client a phase of this run must use: every phase of a dry run asks the dry run's
 * directory, where its account and order live. The one way phases ask, so none can forget.
 */
export function acmeFor(run: { readonly certificate: Pick<CertificateSpec, 'issuer'>; readonly dryRun?: boolean }, deps: Pick<PhaseDependencies, 'acme'>) {
  return run.dryRun ? deps.acme(run.certificate.issuer, { dryRun: true }) : deps.acme(run.certificate.issuer);
}

export interface PollingSettings {
  readonly initialWaitSeconds: number;
  readonly intervalSeconds: number;
  readonly maxAttempts: number;
}

/** All a clean-up asks of a certificate's DNS provider: to remove values. */
export type RecordRemovers = (certificate: CertificateSpec) => Pick<DnsProvider, 'cleanUp'>;

export interface PhaseDependencies {
  readonly clock: () => Date;
  readonly store: CertificateStore;
  /** The DNS provider for one certificate (its zones, roles and CNAME strategy). */
  readonly dns: (certificate: CertificateSpec) => DnsProvider;
  /** The CA client of an issuer; `dryRun` gives the one at the dry run's directory (core/issuers.ts dryRunIssuer). */
  readonly acme: (issuer: string, options?: AcmeOptions) => Promise<AcmeGateway>;
  /** Private keys and CSRs: only Finalize needs it, so only its bundle holds the crypto library for it. */
  readonly keys: KeyManager;
  readonly scheduler: RenewalScheduler;
  readonly ledger: RunLedger;
  /** The ACM importer for one region. */
  readonly acmImporter: (region: string) => CertificateImporter;
  readonly issuers: Pick<IssuerRegistry, 'names'>;
  readonly validationPolling: PollingSettings;
  readonly issuancePolling: PollingSettings;
}

/** Sensible waits on AWS: validation usually takes seconds, issuance about as long. */
export const AWS_POLLING = {
  validationPolling: { initialWaitSeconds: 3, intervalSeconds: 5, maxAttempts: 36 },
  issuancePolling: { initialWaitSeconds: 2, intervalSeconds: 5, maxAttempts: 24 },
} as const;
