/**
 * CleanUp: remove this run's TXT values, and only those, then record how the run ended and
 * release the certificate. On the failure path it also schedules the next attempt after the
 * hold-off, and turns the caught error into the Error and Cause the Fail state shows.
 */
import { nextAttemptAfter } from '../core/failure-backoff.js';
import type { WorkflowState } from '../core/workflow-state.js';
import type { PhaseDependencies } from './dependencies.js';
import { challengeRecords } from './present-challenges.js';

export interface CleanUpResult {
  readonly removed: number;
  /** Present on the failure path: what the Fail state reports. */
  readonly error?: string;
  readonly cause?: string;
  readonly nextAttemptAfter?: string;
}

/** CheckRenewal's Catch replaces the whole state with {Error, Cause}; every other Catch writes $.failure. */
type CleanUpInput = Partial<WorkflowState> & { readonly Error?: string; readonly Cause?: unknown };

export async function cleanUp(
  input: CleanUpInput,
  deps: Pick<PhaseDependencies, 'dns' | 'ledger' | 'scheduler' | 'clock'>,
): Promise<CleanUpResult> {
  const records = input.order ? challengeRecords(input as WorkflowState) : [];
  const failure = input.failure ?? (typeof input.Error === 'string' ? { Error: input.Error, Cause: input.Cause } : undefined);
  // Without an order nothing was presented, and the certificate may not even be valid input.
  const removeRecords = async () => {
    if (records.length > 0) await deps.dns((input as WorkflowState).certificate).cleanUp(records);
  };
  if (!failure) {
    await removeRecords();
    if (input.run && input.certificate) await deps.ledger.finish(input.certificate.name, input.run.id, { result: 'Issued', at: deps.clock() });
    return { removed: records.length };
  }

  let cleanUpProblem = '';
  try {
    await removeRecords();
  } catch (error) {
    cleanUpProblem = ` Also, ${records.length} TXT record(s) could not be removed (${(error as Error).message}); remove them by hand.`;
  }
  const message = causeMessage(failure.Cause);
  const retry = input.run && input.certificate ? await recordFailure(input as WorkflowState & { run: { id: string } }, failure.Error, message, deps) : '';
  return {
    removed: cleanUpProblem ? 0 : records.length,
    error: failure.Error,
    cause: `${message}${cleanUpProblem}${retry ? ` Next attempt after ${retry}.` : ''}`,
    ...(retry && { nextAttemptAfter: retry }),
  };
}

/** Counts the failure, and schedules the next attempt at the end of the hold-off. */
async function recordFailure(
  state: WorkflowState & { run: { id: string } },
  error: string,
  cause: string,
  deps: Pick<PhaseDependencies, 'ledger' | 'scheduler' | 'clock'>,
): Promise<string> {
  const now = deps.clock();
  const failuresInARow = ((await deps.ledger.get(state.certificate.name))?.consecutiveFailures ?? 0) + 1;
  const next = nextAttemptAfter(now, failuresInARow);
  await deps.ledger.finish(state.certificate.name, state.run.id, { result: 'Failed', at: now, error, cause, nextAttemptAfter: next });
  await deps.scheduler.schedule({ certificateName: state.certificate.name, at: next.toISOString(), input: { certificate: state.certificate, force: false } });
  return next.toISOString();
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
