/**
 * The JSON that travels between states. It carries names, URLs, TXT values (public by design)
 * and version ids — never key or certificate material — so execution history is safe to read.
 */
import type { CertificateSpec } from './certificate-spec.js';
import { InvalidState } from './errors.js';
import type { RenewalDecision } from './renewal-policy.js';
import type { RunEventDetail } from './run-event.js';

/** A challenge this run must get validated; reused (already valid) authorizations are not listed. */
export interface ChallengeRef {
  readonly dnsName: string;
  readonly wildcard: boolean;
  readonly authorizationUrl: string;
  readonly challengeUrl: string;
  readonly recordName: string;
  readonly value: string;
}

export interface OrderRef {
  readonly url: string;
  readonly status: string;
  readonly finalizeUrl: string;
  readonly challenges: readonly ChallengeRef[];
  /** Names whose authorization the CA already held as valid. */
  readonly reusedAuthorizations: readonly string[];
  /** True when this is the order an earlier run left in flight (run ledger), picked up again. */
  readonly resumed?: boolean;
  /**
   * A dry run's order, at the dry run's directory. Carried with the order because the polling
   * states hand a Lambda only the certificate and the order, and it must ask the same CA.
   */
  readonly dryRun?: boolean;
}

/** A polling loop's position: the Choice after it compares attempts with maxAttempts. */
export interface PollProgress {
  readonly status: string;
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly waitSeconds: number;
  readonly detail: string;
}

export interface PropagationProgress extends Omit<PollProgress, 'status'> {
  readonly ready: boolean;
  /** Provider change ids to see in sync before asking DNS (Route 53 GetChange). */
  readonly changeIds: readonly string[];
  /** Servers the last check could not ask, each with its cause. */
  readonly unreachable?: readonly string[];
}

export interface IssuanceProgress extends PollProgress {
  /** The key saved for the order (a live run); a dry run saves none and carries publicKeySha256 instead. */
  readonly pendingKeyVersion?: string;
  /** A dry run's key, by its SPKI SHA-256 only (public): what the test certificate must certify. */
  readonly publicKeySha256?: string;
  readonly certificateUrl?: string;
}

/** What StoreCertificate's read-only mode found current (no key): the version id it recorded. */
export interface RecordedVersion {
  readonly versionId: string | null;
  readonly holdsCertificate: boolean;
}

export interface IssuedSummary {
  readonly serialNumber: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly renewalTime: string;
  readonly revision: number;
  readonly dnsNames: readonly string[];
  readonly versionId: string;
  /** The secret now holding it (AWS only), as the store answered the write: for the run's event. */
  readonly secretArn?: string;
  /** The store said no pending key was left once it was stored: CleanUp need not list them. */
  readonly noPendingKeys?: true;
}

/** What a dry run verified and discarded: the CA issued it, nothing stored it. */
export interface DiscardedCertificate {
  readonly discarded: true;
  readonly serialNumber: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly dnsNames: readonly string[];
  /** The directory the dry run ordered from. */
  readonly directoryUrl: string;
}

/** The certificate stored when the run started, as CheckRenewal read it: the run's event names it unless one is issued. */
export interface StoredFacts {
  readonly serialNumber: string;
  readonly notAfter: string;
  readonly secretArn?: string;
}

export interface WorkflowState {
  readonly certificate: CertificateSpec;
  readonly force: boolean;
  /** Present (true) only on a dry run: every phase that talks to the CA asks the dry run's directory. */
  readonly dryRun?: boolean;
  readonly renewal?: RenewalDecision;
  readonly stored?: StoredFacts;
  /** Set by CheckRenewal when the run ends held back: the event the state machine sends as it is. */
  readonly event?: RunEventDetail;
  /** Present once this execution holds the certificate in the run ledger. */
  readonly run?: { readonly id: string };
  readonly order?: OrderRef;
  readonly propagation?: PropagationProgress;
  readonly validation?: PollProgress;
  readonly issuance?: IssuanceProgress;
  /** StoreCertificate's result: what it stored, or on a dry run what it verified and discarded. */
  readonly issued?: IssuedSummary | DiscardedCertificate;
  readonly failure?: { readonly Error: string; readonly Cause?: unknown };
}

/** The certificate this run stored, if it stored one (a dry run stores none). */
export function storedIssue(state: Pick<WorkflowState, 'issued'>): IssuedSummary | undefined {
  return state.issued && !('discarded' in state.issued) ? state.issued : undefined;
}

/** The TXT values this run's order asks for (RFC 8555 §8.4), as the DNS provider takes them. */
export function challengeRecords(state: Pick<WorkflowState, 'order'>): { dnsName: string; recordName: string; value: string }[] {
  return (state.order?.challenges ?? []).map(({ dnsName, recordName, value }) => ({ dnsName, recordName, value }));
}

/** Reads a field an earlier state must have written, failing with a clear InvalidState otherwise. */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined || value === null) throw new InvalidState(`${what} is missing from the execution state`);
  return value;
}

/** Seconds to wait before the next poll: what the CA asked for, within sane bounds. */
export function nextWaitSeconds(intervalSeconds: number, retryAfterSeconds: number | undefined, maxSeconds = 60): number {
  const wanted = retryAfterSeconds ?? intervalSeconds;
  return Math.max(0, Math.min(maxSeconds, Math.round(wanted)));
}
