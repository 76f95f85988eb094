/**
 * What certstep remembers about each certificate's runs, apart from the certificate itself:
 * which execution holds it now (so two triggers firing together order once), how the last
 * run ended, and how many failed in a row (so a broken certificate backs off instead of
 * burning the CA's failed-validation limit). Locally a file per certificate; on AWS a
 * DynamoDB item, changed only with conditional writes.
 */

export type RunResult = 'Issued' | 'Failed';

export interface LedgerEntry {
  readonly certificateName: string;
  /** The execution working on the certificate, while one is. */
  readonly activeRun?: { readonly runId: string; readonly since: string; readonly leaseUntil: string };
  readonly lastResult?: RunResult;
  readonly lastRunAt?: string;
  readonly lastError?: { readonly error: string; readonly cause: string };
  readonly consecutiveFailures: number;
  /** No new attempt before this time, unless forced. */
  readonly nextAttemptAfter?: string;
}

export type ClaimResult = { readonly claimed: true } | { readonly claimed: false; readonly heldBy: string; readonly since: string };

export interface RunOutcome {
  readonly result: RunResult;
  readonly at: Date;
  readonly error?: string;
  readonly cause?: string;
  /** Computed by the caller from the failure count (core/failure-backoff.ts). */
  readonly nextAttemptAfter?: Date;
}

export interface RunLedger {
  get(certificateName: string): Promise<LedgerEntry | undefined>;
  /**
   * Claims the certificate for `runId` until `leaseUntil`. Claiming again with the same run id
   * succeeds (a retried CheckRenewal); an expired lease may be taken over.
   */
  claim(certificateName: string, runId: string, now: Date, leaseUntil: Date): Promise<ClaimResult>;
  /** Records the outcome and releases the claim, if `runId` still holds it. */
  finish(certificateName: string, runId: string, outcome: RunOutcome): Promise<LedgerEntry>;
}
