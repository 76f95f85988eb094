/**
 * What certstep remembers about each certificate's runs, apart from the certificate itself:
 * which execution holds it now (so two triggers firing together order once), the order in
 * flight (so a run that died is resumed, not ordered again), what a run left behind in DNS,
 * how the last run ended, and how many failed in a row (so a broken certificate backs off
 * instead of burning the CA's failed-validation limit). Locally a file per certificate; on AWS
 * a DynamoDB item, changed only with conditional writes.
 */

import type { CurrentVersion } from './certificate-store.js';

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

/**
 * An order a run gave up on while its authorizations may still be pending at the CA, where they
 * count against the account's pending-authorization limit until they expire. Kept until a run
 * with the CA client deactivates them (RFC 8555 §7.5.2): on AWS the CleanUp Lambda that gives
 * the order up may not use the ACME account, the next CreateOrder can.
 */
export interface AbandonedOrder {
  readonly url: string;
  /** When it was given up: after the CA's expiry of pending authorizations there is nothing left to deactivate. */
  readonly at: string;
}

/** The CA's RFC 9773 answer, kept so that it is asked again only after its Retry-After. */
export interface KnownRenewalInfo {
  readonly certificateId: string;
  readonly window: { readonly start: string; readonly end: string };
  readonly nextCheckAt: string;
  readonly explanationUrl?: string;
}

/**
 * A dry run's order, kept apart from the live `order` so that a dry run never resumes, replaces
 * or drops the live one. Its TXT values are here for the clean-up and the ended-run sweeper.
 */
export interface DryRunOrder {
  readonly url: string;
  readonly specHash: string;
  readonly createdAt: string;
  /** The directory the dry run ordered from (the issuer's staging directory when it has one). */
  readonly directoryUrl: string;
  readonly records: readonly RecordedChallenge[];
  /**
   * Set by Finalize before the CSR goes out: the SPKI SHA-256 of the key it certifies (public).
   * The private key is never saved, so a retried Finalize verifies against this alone.
   */
  readonly publicKeySha256?: string;
}

/** The dry run that holds the certificate (or held it until it died), and its order once it has one. */
export interface DryRunRecord {
  readonly runId: string;
  readonly order?: DryRunOrder;
}

/** How the last dry run ended; a dry run changes nothing else a live run reads. */
export interface LastDryRun {
  readonly at: string;
  readonly result: 'Succeeded' | 'Failed';
  readonly error?: string;
  readonly cause?: string;
  readonly directoryUrl?: string;
  /** The test certificate's serial, verified and discarded. */
  readonly serial?: string;
}

export interface DryRunOutcome {
  readonly result: 'Succeeded' | 'Failed';
  readonly at: Date;
  readonly error?: string;
  readonly cause?: string;
  readonly directoryUrl?: string;
  readonly serial?: string;
  /** TXT values still to remove later (their clean-up failed); replaces staleRecords. */
  readonly staleRecords?: readonly RecordedChallenge[];
  /** The dry run's orders it gives up on, as RunOutcome's. */
  readonly abandonedOrders?: readonly string[];
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
  /** Orders given up whose pending authorizations are still to be deactivated; newest first. */
  readonly abandonedOrders?: readonly AbandonedOrder[];
  /** ACM certificate ARN per region, remembered after the first import. */
  readonly acmArns?: Readonly<Record<string, string>>;
  readonly renewalInfo?: KnownRenewalInfo;
  /**
   * What the current version of the certificate's secret holds, without the key, as the last
   * function allowed to read it found it. Trusted only while the secret's current version id
   * still matches (phases/known-current.ts).
   */
  readonly current?: CurrentVersion;
  /** Present while a dry run holds the certificate, or until what a dead one left is cleaned. */
  readonly dryRun?: DryRunRecord;
  readonly lastDryRun?: LastDryRun;
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
  /**
   * Orders this run gives up on: added to abandonedOrders, except the one the entry keeps in
   * flight, in the same write that drops them, so no crash between the two forgets one.
   */
  readonly abandonedOrders?: readonly string[];
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
  /** A dry run's order: like recordOrder, but into `dryRun`, leaving the live order alone. */
  recordDryRunOrder(certificateName: string, runId: string, order: DryRunOrder): Promise<void>;
  /** Notes the SPKI SHA-256 of the key a dry run's order at `orderUrl` is finalized with. */
  recordDryRunKey(certificateName: string, orderUrl: string, publicKeySha256: string): Promise<void>;
  recordAcmArn(certificateName: string, region: string, arn: string): Promise<void>;
  /** Remembers what the secret's current version holds (no key), replacing what was remembered. */
  recordCurrent(certificateName: string, current: CurrentVersion): Promise<void>;
  recordRenewalInfo(certificateName: string, info: KnownRenewalInfo): Promise<void>;
  /**
   * Records the outcome and releases the claim, if `runId` still holds it. Once per run: a
   * second call for the same run (a retried clean-up, a sweeper after a clean-up that did
   * finish) returns the entry unchanged, so one failure is never counted twice. A failure that
   * counts sets nextAttemptAfter from core/failure-backoff.ts and the Retry-After.
   */
  finish(certificateName: string, runId: string, outcome: RunOutcome): Promise<LedgerEntry>;
  /**
   * A dry run's finish: releases the claim, drops `dryRun`, records `lastDryRun`, and touches no
   * live field (lastResult, lastError, consecutiveFailures, nextAttemptAfter, order, acmArns,
   * renewalInfo). Once per run, like finish.
   */
  finishDryRun(certificateName: string, runId: string, outcome: DryRunOutcome): Promise<LedgerEntry>;
  /**
   * Removes exactly these URLs from abandonedOrders (their authorizations were dealt with), and
   * whatever aged out by `now`; an order another writer added in the meantime stays.
   */
  forgetAbandonedOrders(certificateName: string, urls: readonly string[], now: Date): Promise<LedgerEntry>;
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

/**
 * At most this many abandoned orders are kept, the newest. A failed run abandons one order and
 * the hold-off spaces failed runs out, so ten span days of failures; a CA that refuses every
 * deactivation cannot grow the entry (one DynamoDB item, 400 KB at most) without bound.
 */
export const ABANDONED_ORDERS_KEPT = 10;

/**
 * Abandoned orders older than this are dropped: Let's Encrypt expires pending authorizations
 * 7 days after it created them, so by then there is nothing left to deactivate.
 */
export const ABANDONED_ORDER_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

/** The abandoned orders still worth deactivating at `now`: each URL once (its first entry), newest first, bounded. */
export function liveAbandonedOrders(orders: readonly AbandonedOrder[], now: Date): AbandonedOrder[] {
  const live: AbandonedOrder[] = [];
  for (const order of orders) {
    // An unreadable time gives NaN, which is not younger than anything: dropped.
    const young = now.getTime() - Date.parse(order.at) < ABANDONED_ORDER_MAX_AGE_MS;
    if (young && !live.some((seen) => seen.url === order.url)) live.push(order);
  }
  return live.sort((a, b) => Date.parse(b.at) - Date.parse(a.at)).slice(0, ABANDONED_ORDERS_KEPT);
}
