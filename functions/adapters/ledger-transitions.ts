/**
 * Every change to a run-ledger entry, as pure functions from the entry read to the entry to
 * write. Both ledgers (a file under a lock, a DynamoDB item under a version condition) apply
 * them as read-modify-write, so the rules live once: one run holds a certificate at a time, an
 * outcome is counted once per run, and TXT values of a replaced order are never forgotten.
 */
import type { CurrentVersion } from '../ports/certificate-store.js';
import { InvalidState } from '../core/errors.js';
import { nextAttemptAfter } from '../core/failure-backoff.js';
import {
  type AbandonedOrder,
  type ActiveRun,
  type ClaimResult,
  type DryRunOrder,
  type DryRunOutcome,
  type InFlightOrder,
  type KnownRenewalInfo,
  type RecordedChallenge,
  type LedgerEntry,
  type RunLedger,
  type RunOutcome,
  liveAbandonedOrders,
  liveRun,
  sameRecord,
  unionRecords as union,
} from '../ports/run-ledger.js';

/** How many finished run ids an entry remembers: enough for a late sweeper or a retried clean-up. */
const RECENT_RUNS = 8;
const CAUSE_LIMIT = 4000;

export function emptyEntry(certificateName: string): LedgerEntry {
  return { certificateName, consecutiveFailures: 0 };
}

export type ClaimTransition = { readonly entry: LedgerEntry } | { readonly heldBy: string; readonly since: string };

export function claimed(entry: LedgerEntry, runId: string, now: Date, leaseUntil: Date, holder?: ActiveRun['holder']): ClaimTransition {
  const active = entry.activeRun;
  const live = liveRun(entry, now);
  if (live && live.runId !== runId) return { heldBy: live.runId, since: live.since };
  const since = active?.runId === runId ? active.since : now.toISOString();
  return { entry: { ...entry, activeRun: { runId, since, leaseUntil: leaseUntil.toISOString(), ...(holder && { holder }) } } };
}

export function withOrder(entry: LedgerEntry, runId: string, order: InFlightOrder): LedgerEntry {
  const { order: kept, staleRecords } = replacingOrder(entry, runId, entry.order, order);
  return { ...entry, order: kept, ...(staleRecords && { staleRecords }) };
}

/** As withOrder, for a dry run's order: the live order and everything it asked for stay as they are. */
export function withDryRunOrder(entry: LedgerEntry, runId: string, order: DryRunOrder): LedgerEntry {
  const { order: kept, staleRecords } = replacingOrder(entry, runId, entry.dryRun?.order, order);
  return { ...entry, dryRun: { runId, order: kept }, ...(staleRecords && { staleRecords }) };
}

/**
 * An order recorded in place of `previous`, by the run that holds the certificate only. The same
 * order picked up again keeps every value either run asked for (all may be in DNS); another
 * order hands what only the previous one asked for to staleRecords.
 */
function replacingOrder<T extends { readonly url: string; readonly records: readonly RecordedChallenge[] }>(
  entry: LedgerEntry,
  runId: string,
  previous: T | undefined,
  order: T,
): { order: T; staleRecords?: RecordedChallenge[] } {
  if (entry.activeRun?.runId !== runId) {
    throw new InvalidState(
      `execution ${runId} no longer holds certificate ${entry.certificateName} (held by ${entry.activeRun?.runId ?? 'nobody'}); it must not record an order`,
    );
  }
  if (previous?.url === order.url) return { order: { ...order, records: union(previous.records, order.records) } };
  const abandoned = previous ? previous.records.filter((record) => !order.records.some((kept) => sameRecord(kept, record))) : [];
  return { order, ...(abandoned.length > 0 && { staleRecords: union(entry.staleRecords ?? [], abandoned) }) };
}

export function withDryRunKey(entry: LedgerEntry, orderUrl: string, publicKeySha256: string): LedgerEntry {
  const dryRun = entry.dryRun;
  if (dryRun?.order?.url !== orderUrl) return entry;
  return { ...entry, dryRun: { ...dryRun, order: { ...dryRun.order, publicKeySha256 } } };
}

export function withPendingKey(entry: LedgerEntry, orderUrl: string, versionId: string): LedgerEntry {
  if (entry.order?.url !== orderUrl) return entry;
  return { ...entry, order: { ...entry.order, pendingKeyVersion: versionId } };
}

export function withAcmArn(entry: LedgerEntry, region: string, arn: string): LedgerEntry {
  return { ...entry, acmArns: { ...entry.acmArns, [region]: arn } };
}

export function withCurrent(entry: LedgerEntry, current: CurrentVersion): LedgerEntry {
  return { ...entry, current };
}

export function withRenewalInfo(entry: LedgerEntry, renewalInfo: KnownRenewalInfo): LedgerEntry {
  return { ...entry, renewalInfo };
}

export function finished(entry: LedgerEntry, runId: string, outcome: RunOutcome): LedgerEntry {
  if (entry.recentRuns?.includes(runId)) return entry;
  const { activeRun, order, staleRecords, nextAttemptAfter: holdOff, lastError, abandonedOrders, dryRun, ...rest } = entry;
  const holds = activeRun?.runId === runId;
  const ours = order?.runId === runId;
  const failed = outcome.result === 'Failed';
  const counts = failed && outcome.counts !== false;
  const failures = outcome.result === 'Issued' ? 0 : counts ? entry.consecutiveFailures + 1 : entry.consecutiveFailures;
  const next = counts ? nextAttemptAfter(outcome.at, failures, outcome.retryAfterSeconds, outcome.notAfter).toISOString() : failures > 0 ? holdOff : undefined;
  // The run that holds the certificate decides about the order in flight: after a success none is
  // needed (a repair run drops what a finished run left); after a failure its own is kept only if
  // it can still give a certificate, and one a finished run left stays for a later repair.
  const keptOrder = !holds ? order : failed && (ours ? outcome.keepOrder : true) ? order : undefined;
  const stale = holds ? (outcome.staleRecords ?? []) : union(staleRecords ?? [], outcome.staleRecords ?? []);
  // Given up here, with the drop of the order, so no crash in between can forget it.
  const given = (outcome.abandonedOrders ?? []).filter((url) => url !== keptOrder?.url).map((url): AbandonedOrder => ({ url, at: outcome.at.toISOString() }));
  const abandoned = liveAbandonedOrders([...(abandonedOrders ?? []), ...given], outcome.at);
  const error = failed
    ? { error: outcome.error ?? 'Unknown', cause: (outcome.cause ?? '').slice(0, CAUSE_LIMIT), at: outcome.at.toISOString() }
    : failures > 0
      ? lastError
      : undefined;
  return {
    ...rest,
    ...(!holds && activeRun && { activeRun }),
    // The holder's clean-up removed what a dead dry run left (or moved it to staleRecords).
    ...(!holds && dryRun && { dryRun }),
    lastResult: outcome.result,
    lastRunAt: outcome.at.toISOString(),
    recentRuns: [runId, ...(entry.recentRuns ?? [])].slice(0, RECENT_RUNS),
    consecutiveFailures: failures,
    ...(next && { nextAttemptAfter: next }),
    ...(error && { lastError: error }),
    ...(keptOrder && { order: keptOrder }),
    ...(stale.length > 0 && { staleRecords: stale }),
    ...(abandoned.length > 0 && { abandonedOrders: abandoned }),
  };
}

/**
 * A dry run's end: the claim released, its own record dropped (the clean-up removed its TXT
 * values, or hands them over as staleRecords), lastDryRun written; no live field changes.
 */
export function finishedDryRun(entry: LedgerEntry, runId: string, outcome: DryRunOutcome): LedgerEntry {
  if (entry.recentRuns?.includes(runId)) return entry;
  const { activeRun, dryRun, staleRecords, abandonedOrders, ...rest } = entry;
  const holds = activeRun?.runId === runId;
  const stale = holds ? (outcome.staleRecords ?? []) : union(staleRecords ?? [], outcome.staleRecords ?? []);
  const given = outcome.result === 'Failed' ? (outcome.abandonedOrders ?? []).map((url): AbandonedOrder => ({ url, at: outcome.at.toISOString() })) : [];
  const abandoned = liveAbandonedOrders([...(abandonedOrders ?? []), ...given], outcome.at);
  const keptDryRun = holds || dryRun?.runId === runId ? undefined : dryRun;
  return {
    ...rest,
    ...(!holds && activeRun && { activeRun }),
    ...(keptDryRun && { dryRun: keptDryRun }),
    recentRuns: [runId, ...(entry.recentRuns ?? [])].slice(0, RECENT_RUNS),
    lastDryRun: {
      at: outcome.at.toISOString(),
      result: outcome.result,
      ...(outcome.error !== undefined && { error: outcome.error }),
      ...(outcome.cause !== undefined && { cause: outcome.cause.slice(0, CAUSE_LIMIT) }),
      ...(outcome.directoryUrl && { directoryUrl: outcome.directoryUrl }),
      ...(outcome.serial && { serial: outcome.serial }),
    },
    ...(stale.length > 0 && { staleRecords: stale }),
    ...(abandoned.length > 0 && { abandonedOrders: abandoned }),
  };
}

/** Only the URLs named: an order another writer abandoned since they were read stays for its turn. */
export function withoutAbandonedOrders(entry: LedgerEntry, urls: readonly string[], now: Date): LedgerEntry {
  const { abandonedOrders, ...rest } = entry;
  if (!abandonedOrders) return entry;
  const left = liveAbandonedOrders(
    abandonedOrders.filter((order) => !urls.includes(order.url)),
    now,
  );
  if (left.length === abandonedOrders.length) return entry;
  return { ...rest, ...(left.length > 0 && { abandonedOrders: left }) };
}

/**
 * A run ledger is a store that can apply one transition atomically; every operation of the
 * port is one of the transitions above. The file ledger (under a lock), the DynamoDB ledger
 * (under a version condition) and the simulator's extend this.
 */
export abstract class TransitionLedger implements RunLedger {
  abstract get(certificateName: string): Promise<LedgerEntry | undefined>;
  /** Applies `change` to the entry as it is now (or an empty one), atomically; returns the result. */
  protected abstract update(certificateName: string, change: (entry: LedgerEntry) => LedgerEntry): Promise<LedgerEntry>;
  /** Who claims, for stores that can tell whether a holder is still alive (local processes). */
  protected readonly holder?: ActiveRun['holder'];

  async claim(certificateName: string, runId: string, now: Date, leaseUntil: Date): Promise<ClaimResult> {
    let refusal: { heldBy: string; since: string } | undefined;
    const entry = await this.update(certificateName, (current) => {
      const outcome = claimed(current, runId, now, leaseUntil, this.holder);
      refusal = 'entry' in outcome ? undefined : outcome;
      return 'entry' in outcome ? outcome.entry : current;
    });
    return refusal ? { claimed: false, ...refusal } : { claimed: true, entry };
  }

  async recordOrder(certificateName: string, runId: string, order: InFlightOrder): Promise<void> {
    await this.update(certificateName, (entry) => withOrder(entry, runId, order));
  }

  async recordPendingKey(certificateName: string, orderUrl: string, versionId: string): Promise<void> {
    await this.update(certificateName, (entry) => withPendingKey(entry, orderUrl, versionId));
  }

  async recordDryRunOrder(certificateName: string, runId: string, order: DryRunOrder): Promise<void> {
    await this.update(certificateName, (entry) => withDryRunOrder(entry, runId, order));
  }

  async recordDryRunKey(certificateName: string, orderUrl: string, publicKeySha256: string): Promise<void> {
    await this.update(certificateName, (entry) => withDryRunKey(entry, orderUrl, publicKeySha256));
  }

  async recordAcmArn(certificateName: string, region: string, arn: string): Promise<void> {
    await this.update(certificateName, (entry) => withAcmArn(entry, region, arn));
  }

  async recordCurrent(certificateName: string, current: CurrentVersion): Promise<void> {
    await this.update(certificateName, (entry) => withCurrent(entry, current));
  }

  async recordRenewalInfo(certificateName: string, info: KnownRenewalInfo): Promise<void> {
    await this.update(certificateName, (entry) => withRenewalInfo(entry, info));
  }

  finish(certificateName: string, runId: string, outcome: RunOutcome): Promise<LedgerEntry> {
    return this.update(certificateName, (entry) => finished(entry, runId, outcome));
  }

  finishDryRun(certificateName: string, runId: string, outcome: DryRunOutcome): Promise<LedgerEntry> {
    return this.update(certificateName, (entry) => finishedDryRun(entry, runId, outcome));
  }

  forgetAbandonedOrders(certificateName: string, urls: readonly string[], now: Date): Promise<LedgerEntry> {
    return this.update(certificateName, (entry) => withoutAbandonedOrders(entry, urls, now));
  }
}
