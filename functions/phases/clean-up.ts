/**
 * CleanUp, behind both CleanUp and CleanUpAfterFailure: remove the TXT values this run and
 * earlier, finished runs of the certificate left in DNS (and only those), record once how the
 * run ended, release the certificate, drop pending keys no order will use, and make sure a
 * schedule starts the next run.
 *
 * A failure while issuing counts towards the hold-off and schedules a retry no earlier than the
 * hold-off and the CA's Retry-After allow; the in-flight order is kept for that retry to
 * resume, unless the failure spent it. A failure after the certificate was stored, or on a run
 * that only repaired outputs, does not count: the renewal stays scheduled at its time and
 * whatever is still out of sync is repaired by the next run (the daily sweep at the latest).
 * An order the failure spent is abandoned: the ledger keeps it, in the write that drops it,
 * until its pending authorizations are deactivated (RFC 8555 §7.5.2), best effort. Given the
 * CA client that is done at once; without it (on AWS) the next run's CreateOrder does it.
 */
import type { CertificateSpec } from '../core/certificate-spec.js';
import { retryAfterFromMessage } from '../core/errors.js';
import { type CertificateFacts, type RunEventDetail, runEventDetail } from '../core/run-event.js';
import { type WorkflowState, challengeRecords, storedIssue } from '../core/workflow-state.js';
import { type LedgerEntry, type RunOutcome, unionRecords as union } from '../ports/run-ledger.js';
import { type Deactivation, deactivateOrders } from './abandon-order.js';
import { cleanUpDryRun, removeAfterFailure } from './clean-up-dry-run.js';
import type { PhaseDependencies, RecordRemovers } from './dependencies.js';

export interface CleanUpResult {
  readonly removed: number;
  /** Present on the failure path: what the Fail state reports. */
  readonly error?: string;
  readonly cause?: string;
  readonly nextAttemptAfter?: string;
  /**
   * What the state machine sends to EventBridge as it is: the clean-up is the last state that
   * knows everything. None for a dry run: like certbot's --dry-run it notifies no one.
   */
  readonly event?: RunEventDetail;
}

/** CheckRenewal's Catch replaces the whole state with {Error, Cause}; every other Catch writes $.failure. */
export type CleanUpInput = Partial<WorkflowState> & { readonly Error?: string; readonly Cause?: unknown };

/**
 * The CA client is optional: without it (the CleanUp Lambda, whose role may not read the ACME
 * account) an abandoned order's authorizations wait in the ledger for the next CreateOrder.
 */
export type CleanUpDependencies = Pick<PhaseDependencies, 'ledger' | 'scheduler' | 'store' | 'clock'> & { readonly dns: RecordRemovers } & Partial<
    Pick<PhaseDependencies, 'acme'>
  >;

/** After these the order cannot end in a certificate any more: the next run orders anew. */
const ORDER_SPENT = new Set(['AcmeOrderInvalid', 'AcmeRequestRejected', 'CertificateVerificationFailed', 'InvalidState']);

/** The execution's ARN comes from the Task's context: a run that failed in CheckRenewal has no run id to name it. */
export async function cleanUp(input: CleanUpInput, deps: CleanUpDependencies, executionArn?: string): Promise<CleanUpResult> {
  const failure = input.failure ?? (typeof input.Error === 'string' ? { Error: input.Error, Cause: input.Cause } : undefined);
  const { certificate, run } = input;
  const arn = executionArn ?? run?.id ?? 'unknown';
  if (!certificate || !run) {
    // This run never held the certificate (it failed in CheckRenewal): it presented nothing.
    if (!failure) return { removed: 0, event: runEventDetail(factsOf(input, undefined), { executionArn: arn, outcome: 'OutputsRepaired' }) };
    const cause = causeMessage(failure.Cause);
    const event = runEventDetail(factsOf(input, undefined), { executionArn: arn, outcome: 'Failed', error: failure.Error, cause });
    return { removed: 0, error: failure.Error, cause, event };
  }
  const state = input as WorkflowState & { run: { id: string } };
  if (state.dryRun) {
    const message = failure && causeMessage(failure.Cause);
    const done = await cleanUpDryRun(state, failure && { error: failure.Error, cause: message as string }, deps);
    if (!failure) return { removed: done.removed };
    return { removed: done.removed, error: failure.Error, cause: [message, ...done.notes].join(' ') };
  }
  const entry = await deps.ledger.get(certificate.name);
  // With what a dry run that died left (its values are only in its own record).
  const records = union(
    union(union(challengeRecords(state), entry?.staleRecords ?? []), entry?.order?.records ?? []),
    entry?.dryRun && entry.dryRun.runId !== run.id ? (entry.dryRun.order?.records ?? []) : [],
  );
  const now = deps.clock();

  if (!failure) {
    // On success a DNS error is thrown: the state machine retries, then takes the failure path.
    if (records.length > 0) await deps.dns(certificate).cleanUp(records);
    // No order stays in flight after a success, so no pending key is needed. Dropped before the
    // outcome is recorded: a run recorded Issued or Repaired has left none (the reconcile relies
    // on it to skip listing them), and if dropping fails the run fails and says so. Not listed
    // when StoreCertificate's store said none was left.
    if (!storedIssue(state)?.noPendingKeys) await dropUnusedPendingKeys(certificate.name, undefined, deps);
    const finished = await deps.ledger.finish(certificate.name, run.id, { result: state.issued ? 'Issued' : 'Repaired', at: now });
    const outcome = state.issued ? 'Issued' : 'OutputsRepaired';
    return { removed: records.length, event: runEventDetail(factsOf(state, finished), { executionArn: arn, outcome }) };
  }

  const { stale, notes } = await removeAfterFailure(certificate, records, deps);
  const message = causeMessage(failure.Cause);
  const issuing = state.renewal?.due === true && !state.issued;
  // Once issued, the order is valid and holds nothing pending: only an issuing run abandons one,
  // and only its own (a run that took the certificate over deals with the orders it replaced).
  const ours = issuing ? [state.order?.url, entry?.order?.runId === run.id ? entry.order.url : undefined] : [];
  const given = [...new Set(ours)].filter((url): url is string => url !== undefined);
  const retryAfterSeconds = retryAfterFromMessage(message);
  const outcome: RunOutcome = {
    result: 'Failed',
    at: now,
    error: failure.Error,
    cause: message,
    counts: issuing,
    keepOrder: issuing && !ORDER_SPENT.has(failure.Error),
    staleRecords: stale,
    ...(given.length > 0 && { abandonedOrders: given }),
    ...(retryAfterSeconds !== undefined && { retryAfterSeconds }),
    ...(state.renewal?.notAfter && { notAfter: new Date(state.renewal.notAfter) }),
  };
  const after = await deps.ledger.finish(certificate.name, run.id, outcome);
  // The ledger kept what it dropped (a retried clean-up finds it there still); not the order it keeps for a later run.
  const abandoned = (after.abandonedOrders ?? []).map((order) => order.url).filter((url) => given.includes(url));
  if (deps.acme && abandoned.length > 0) notes.push(...(await deactivateAbandoned(certificate, abandoned, deps.acme, deps, now)));
  await dropUnusedPendingKeys(certificate.name, after, deps).catch((error: unknown) => {
    notes.push(`Pending keys could not be checked (${(error as Error).message}).`);
  });
  // Thrown: the state machine retries the clean-up, which records nothing twice.
  const next = await scheduleNextRun(state, after, issuing, deps, now);
  const cause = [message, ...notes, next?.sentence].filter(Boolean).join(' ');
  return {
    removed: stale.length > 0 ? 0 : records.length,
    error: failure.Error,
    cause,
    ...(next?.retry && { nextAttemptAfter: next.at }),
    event: runEventDetail(factsOf(state, after), { executionArn: arn, outcome: 'Failed', error: failure.Error, cause }),
  };
}

/** The certificate that is current after the run: the one it issued, else the one it started with. */
function factsOf(state: CleanUpInput, entry: LedgerEntry | undefined): CertificateFacts {
  const issued = storedIssue(state);
  const current = issued
    ? { serial: issued.serialNumber, notAfter: issued.notAfter, secretArn: issued.secretArn }
    : state.stored && { serial: state.stored.serialNumber, notAfter: state.stored.notAfter, secretArn: state.stored.secretArn };
  return {
    ...(state.certificate && { certificateName: state.certificate.name, dnsNames: state.certificate.dnsNames }),
    ...current,
    ...(entry?.acmArns && { acmCertificateArns: entry.acmArns }),
  };
}

/**
 * Locally, where CleanUp has the CA client: the abandoned orders are deactivated at once and
 * forgotten, unless the failure may pass (the CA could not be reached): the next CreateOrder
 * tries again. Returns what to add to the cause.
 */
async function deactivateAbandoned(
  certificate: CertificateSpec,
  urls: readonly string[],
  acme: PhaseDependencies['acme'],
  deps: Pick<PhaseDependencies, 'ledger'>,
  now: Date,
): Promise<string[]> {
  const gateway = await acme(certificate.issuer).catch(() => undefined);
  const outcomes: Deactivation[] = gateway
    ? await deactivateOrders(gateway, urls)
    : urls.map(() => ({ deactivated: 0, failure: 'no CA client for the issuer', retry: true }));
  const notes = outcomes
    .filter((outcome) => outcome.failure)
    .map((outcome) => {
      const then = outcome.retry ? 'the next run tries again' : 'they expire at the CA';
      return `Also, the abandoned order's pending authorizations were not all deactivated (${outcome.failure}); ${then}.`;
    });
  const handled = urls.filter((_, index) => !outcomes[index]?.retry);
  if (handled.length > 0) {
    await deps.ledger.forgetAbandonedOrders(certificate.name, handled, now).catch((error: unknown) => {
      notes.push(`The abandoned order(s) could not be struck from the ledger (${(error as Error).message}); the next run finds nothing pending there.`);
    });
  }
  return notes;
}

/**
 * The one schedule of the certificate: the retry after a counted failure, otherwise the
 * renewal at its time (ScheduleRenewal may not have run, or may have failed).
 */
async function scheduleNextRun(
  state: WorkflowState,
  entry: LedgerEntry,
  issuing: boolean,
  deps: CleanUpDependencies,
  now: Date,
): Promise<{ at: string; retry: boolean; sentence: string } | undefined> {
  const input = { certificate: state.certificate, force: false };
  if (issuing && entry.nextAttemptAfter) {
    await deps.scheduler.schedule({ certificateName: state.certificate.name, at: entry.nextAttemptAfter, input, kind: 'retry' });
    return { at: entry.nextAttemptAfter, retry: true, sentence: `Next attempt after ${entry.nextAttemptAfter}.` };
  }
  const renewalTime = storedIssue(state)?.renewalTime ?? (state.renewal?.due === false ? state.renewal.renewalTime : undefined);
  if (!renewalTime || new Date(renewalTime) <= now) return undefined;
  await deps.scheduler.schedule({ certificateName: state.certificate.name, at: renewalTime, input, kind: 'renewal' });
  return {
    at: renewalTime,
    retry: false,
    sentence: `The certificate is stored; its renewal stays scheduled at ${renewalTime}, and what is out of sync is repaired by the next run.`,
  };
}

/** Pending keys that belong to no order in flight: a finished order's, or an abandoned one's. */
async function dropUnusedPendingKeys(name: string, entry: LedgerEntry | undefined, deps: Pick<PhaseDependencies, 'store'>): Promise<void> {
  const keep = entry?.order?.pendingKeyVersion;
  for (const version of await deps.store.listPendingKeys(name)) if (version !== keep) await deps.store.removePendingKey(name, version);
}

/** Lambda wraps a thrown error as JSON {errorType, errorMessage, trace}; locally it is the bare message. */
export function causeMessage(cause: unknown): string {
  if (typeof cause !== 'string') return cause === undefined ? 'no cause recorded' : JSON.stringify(cause);
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: already a message
  }
  return cause;
}
