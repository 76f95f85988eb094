/**
 * What a run that ended without its own clean-up leaves is swept up after it: on AWS a rule on
 * the state machine's FAILED, TIMED_OUT and ABORTED status changes hands each such execution
 * here. If it still holds its certificate, it died before clean-up (an abort, the execution
 * timeout, a clean-up that failed for good): its TXT values are removed, its claim released,
 * its failure recorded once (a second event, or a clean-up that did run, changes nothing) and
 * the next attempt scheduled, exactly as its own clean-up would have.
 */
import { type CertificateSpec, parseExecutionInput } from '../core/certificate-spec.js';
import { type CleanUpDependencies, type CleanUpResult, cleanUp } from './clean-up.js';
import type { PhaseDependencies } from './dependencies.js';
import { knownFrom } from './known-current.js';
import type { LedgerEntry } from '../ports/run-ledger.js';

export interface EndedRun {
  readonly executionId: string;
  readonly status: string;
  /** The execution input (the JSON text Step Functions reports, or the value). */
  readonly input: unknown;
  readonly error?: string;
  readonly cause?: string;
}

export type SweepEndedRunResult = { readonly swept: false; readonly why: string } | ({ readonly swept: true; readonly certificate: string } & CleanUpResult);

const STATUS_ERROR: Readonly<Record<string, string>> = { TIMED_OUT: 'ExecutionTimedOut', ABORTED: 'ExecutionAborted' };

export async function sweepEndedRun(run: EndedRun, deps: CleanUpDependencies & Pick<PhaseDependencies, 'issuers'>): Promise<SweepEndedRunResult> {
  let input = run.input;
  if (typeof input === 'string') {
    try {
      input = JSON.parse(input);
    } catch {
      return { swept: false, why: 'the execution input is not JSON, so the run never held a certificate' };
    }
  }
  let certificate: CertificateSpec;
  let dryRun: boolean;
  try {
    ({ certificate, dryRun = false } = parseExecutionInput(input, deps.issuers.names));
  } catch {
    return { swept: false, why: 'the execution input is not valid, so the run never held a certificate' };
  }
  const entry = await deps.ledger.get(certificate.name);
  if (entry?.activeRun?.runId !== run.executionId) {
    // A dry run that died early leaves the schedule as it found it.
    const rescheduled = dryRun ? undefined : await rescheduleIfLost(certificate, run, entry, deps);
    return {
      swept: false,
      why: `the run does not hold ${certificate.name} (its own clean-up ran, or it never claimed it)${rescheduled ? `; ${rescheduled.why}, so a run is scheduled at ${rescheduled.at}` : ''}`,
    };
  }
  const error = run.error || STATUS_ERROR[run.status] || 'ExecutionFailed';
  const cause = run.cause || `the execution ended ${run.status} before its clean-up ran`;
  if (dryRun) {
    // A dry run's own clean-up: its TXT values go, lastDryRun says how it ended, nothing live changes.
    const dry = { certificate, force: false, dryRun: true, run: { id: run.executionId }, failure: { Error: error, Cause: cause } };
    return { swept: true, certificate: certificate.name, ...(await cleanUp(dry, deps)) };
  }
  // An order in flight means it was issuing: that failure counts, like any failed issue.
  const issuing = entry.order?.runId === run.executionId;
  // The retry comes sooner as expiry nears; without an order the certificate stays scheduled at
  // its renewal time, as the run's own clean-up would keep it.
  // The ledger's record, never the secret: this function may not read a key. When the record is
  // stale, or the renewal time has passed, the schedule below brings the next run within a minute.
  const current = entry.current?.certificate;
  const renewalTime = issuing ? undefined : current?.renewalTime;
  const result = await cleanUp(
    {
      certificate,
      force: false,
      run: { id: run.executionId },
      renewal: {
        due: issuing,
        reason: issuing ? 'Forced' : 'UpToDate',
        message: 'swept after the run ended',
        currentRevision: current?.revision ?? 0,
        ...(renewalTime && { renewalTime }),
        ...(current && { notAfter: current.notAfter }),
      },
      failure: { Error: error, Cause: cause },
    },
    deps,
  );
  // A due run that died after its claim and before its order is not counted as issuing, and its
  // renewal time has passed, so the clean-up scheduled nothing; the schedule that started it is
  // gone. Left alone, only the next daily sweep would try again, which may be after expiry.
  const due = !issuing && (!renewalTime || Date.parse(renewalTime) <= deps.clock().getTime());
  const rescheduled = due ? await rescheduleIfLost(certificate, run, entry, deps) : undefined;
  return { swept: true, certificate: certificate.name, ...result, ...(rescheduled && { nextAttemptAfter: rescheduled.at }) };
}

/** Errors that mean the input itself cannot succeed: scheduling another run would only repeat them. */
const HOPELESS = new Set(['InvalidInput', 'ZoneNotFound', 'States.Runtime']);

/**
 * A run that died before it claimed the certificate (in CheckRenewal) recorded nothing and
 * scheduled nothing, and the schedule that started it deleted itself when it fired: left alone,
 * only the next daily sweep would try again. If no schedule is left, one is made a minute ahead.
 * So it is when the run died before the stored certificate was read again (the ledger's record
 * of it is stale): the schedule left is the one the record's certificate set, which may be
 * later than what is stored now needs.
 */
async function rescheduleIfLost(
  certificate: CertificateSpec,
  run: EndedRun,
  entry: LedgerEntry | undefined,
  deps: Pick<PhaseDependencies, 'scheduler' | 'clock' | 'store'>,
): Promise<{ at: string; why: string } | undefined> {
  if (run.error && HOPELESS.has(run.error)) return undefined;
  // The entry as read above: its record of the stored certificate is not changed by a clean-up.
  const stale = knownFrom(await deps.store.currentVersion(certificate.name), entry).stale;
  if (!stale && (await deps.scheduler.get(certificate.name))) return undefined;
  const at = new Date(deps.clock().getTime() + 60_000).toISOString();
  await deps.scheduler.schedule({ certificateName: certificate.name, at, input: { certificate, force: false }, kind: 'retry' });
  return { at, why: stale ? 'it died before it read what is stored again' : 'it died before it could schedule anything' };
}
