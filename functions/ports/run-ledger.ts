/**
 * What certstep remembers about each certificate's runs, apart from the certificate itself:
 * which execution holds it now (so two triggers firing together order once), the order in
 * flight (so a run that died is resumed, not ordered again), what a run left behind in DNS,
 * how the last run ended, and how many failed in a row (so a broken certificate backs off
 * instead of burning the CA's failed-validation limit). Locally a file per certificate; on AWS
 * a DynamoDB item, changed only with conditional writes.
 */

export type RunResult = 'Issued' | 'Failed' | 'Repaired';

/** One TXT value a run asked for at `_acme-challenge.<name>` (RFC 8555 §8.4). */
export interface RecordedChallenge {
  readonly dnsName: string;
  readonly recordName: string;
  readonly value: string;
}

/**
 * The ACME order a certificate's runs are working through. Written right after newOrder, so
 * whatever happens to the execution afterwards (a crash, a timeout, an abort) the next run
 * finds it and resumes it for the same spec, instead of ordering and finalizing again.
 */
export interface InFlightOrder {
  readonly url: string;
  /** core/spec-hash.ts: what the order and its key were made for. */
  readonly specHash: string;
  /** The run that last worked on it. */
  readonly runId: string;
  readonly createdAt: string;
  /** Every TXT value the order's authorizations ask for; the ones to remove if the run dies. */
  readonly records: readonly RecordedChallenge[];
  /** Set by Finalize once the key for this order is saved. */
  readonly pendingKeyVersion?: string;
}

/** The CA's RFC 9773 answer, kept so that it is asked again only after its Retry-After. */
export interface KnownRenewalInfo {
  readonly certificateId: string;
  readonly window: { readonly start: string; readonly end: string };
  readonly nextCheckAt: string;
  readonly explanationUrl?: string;
}

export interface ActiveRun {
  readonly runId: string;
  readonly since: string;
  readonly leaseUntil: string;
  /** Local runs only: the process that holds the claim, so a dead one's claim is taken over at once. */
  readonly holder?: { readonly host: string; readonly pid: number };
}

export interface LedgerEntry {
  readonly certificateName: string;
  /** The execution working on the certificate, while one is. */
  readonly activeRun?: ActiveRun;
  readonly lastResult?: RunResult;
  readonly lastRunAt?: string;
  /** The last few runs whose outcome is recorded (newest first): recording one again changes nothing. */
  readonly recentRuns?: readonly string[];
  readonly lastError?: { readonly error: string; readonly cause: string; readonly at?: string };
  readonly consecutiveFailures: number;
  /** No new attempt before this time, unless forced. */
  readonly nextAttemptAfter?: string;
  readonly order?: InFlightOrder;
  /** TXT values a run could not remove, or that belonged to an abandoned order: removed at the next chance. */
  readonly staleRecords?: readonly RecordedChallenge[];
  /** ACM certificate ARN per region, remembered after the first import. */
  readonly acmArns?: Readonly<Record<string, string>>;
  readonly renewalInfo?: KnownRenewalInfo;
}

export type ClaimResult =
  | { readonly claimed: true; readonly entry: LedgerEntry }
  | { readonly claimed: false; readonly heldBy: string; readonly since: string };

export interface RunOutcome {
  readonly result: RunResult;
  readonly at: Date;
  readonly error?: string;
  readonly cause?: string;
  /**
   * Failed only: whether the failure counts towards the hold-off. A failure after the
   * certificate was stored (an output could not be updated) does not: nothing was wrong with
   * issuing, and the next attempt repairs only what is out of sync.
   */
  readonly counts?: boolean;
  /** The CA's Retry-After, in seconds: the next attempt waits at least this long. */
  readonly retryAfterSeconds?: number;
  /** When the current certificate expires, if there is one: hold-offs shrink as it nears. */
  readonly notAfter?: Date;
  /** Keep the in-flight order for the next run to resume (a failure it may recover from). */
  readonly keepOrder?: boolean;
  /** TXT values still to remove later (their clean-up failed); replaces staleRecords. */
  readonly staleRecords?: readonly RecordedChallenge[];
}

export interface RunLedger {
  get(certificateName: string): Promise<LedgerEntry | undefined>;
  /**
   * Claims the certificate for `runId` until `leaseUntil`. Claiming again with the same run id
   * succeeds (a retried CheckRenewal); an expired lease, or a local claim whose process is gone,
   * may be taken over.
   */
  claim(certificateName: string, runId: string, now: Date, leaseUntil: Date): Promise<ClaimResult>;
  /**
   * Records the in-flight order (replacing any other), while `runId` holds the claim; what the
   * replaced order asked for in DNS moves to staleRecords unless the new order asks for it too.
   */
  recordOrder(certificateName: string, runId: string, order: InFlightOrder): Promise<void>;
  /** Notes the pending key version of the in-flight order at `orderUrl`. */
  recordPendingKey(certificateName: string, orderUrl: string, versionId: string): Promise<void>;
  recordAcmArn(certificateName: string, region: string, arn: string): Promise<void>;
  recordRenewalInfo(certificateName: string, info: KnownRenewalInfo): Promise<void>;
  /**
   * Records the outcome and releases the claim, if `runId` still holds it. Once per run: a
   * second call for the same run (a retried clean-up, a sweeper after a clean-up that did
   * finish) returns the entry unchanged, so one failure is never counted twice. A failure that
   * counts sets nextAttemptAfter from core/failure-backoff.ts and the Retry-After.
   */
  finish(certificateName: string, runId: string, outcome: RunOutcome): Promise<LedgerEntry>;
}

/** Both lists' values, each (record name, value) once, in first-seen order. */
export function unionRecords(a: readonly RecordedChallenge[], b: readonly RecordedChallenge[]): RecordedChallenge[] {
  const all = [...a];
  for (const record of b) if (!all.some((seen) => sameRecord(seen, record))) all.push(record);
  return all;
}

/** One TXT value at one name: what DNS-01 presents, and what clean-up must remove. */
export function sameRecord(a: RecordedChallenge, b: RecordedChallenge): boolean {
  return a.recordName === b.recordName && a.value === b.value;
}

/** The run that holds the certificate now, if its lease has not run out. */
export function liveRun(entry: LedgerEntry | undefined, now: Date): ActiveRun | undefined {
  const active = entry?.activeRun;
  return active && new Date(active.leaseUntil) > now ? active : undefined;
}
