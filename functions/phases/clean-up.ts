/**
 * CleanUp: remove this run's TXT values, and only those. On the failure path it also turns
 * the caught error into the Error and Cause the Fail state shows an operator.
 */
import type { WorkflowState } from '../core/workflow-state.js';
import type { PhaseDependencies } from './dependencies.js';
import { challengeRecords } from './present-challenges.js';

export interface CleanUpResult {
  readonly removed: number;
  /** Present on the failure path: what the Fail state reports. */
  readonly error?: string;
  readonly cause?: string;
}

/** CheckRenewal's Catch replaces the whole state with {Error, Cause}; every other Catch writes $.failure. */
type CleanUpInput = Partial<WorkflowState> & { readonly Error?: string; readonly Cause?: unknown };

export async function cleanUp(input: CleanUpInput, deps: Pick<PhaseDependencies, 'dns'>): Promise<CleanUpResult> {
  const records = input.order ? challengeRecords(input as WorkflowState) : [];
  const failure = input.failure ?? (typeof input.Error === 'string' ? { Error: input.Error, Cause: input.Cause } : undefined);
  // Without an order nothing was presented, and the certificate may not even be valid input.
  const removeRecords = async () => {
    if (records.length > 0) await deps.dns((input as WorkflowState).certificate).cleanUp(records);
  };
  if (!failure) {
    await removeRecords();
    return { removed: records.length };
  }
  let cleanUpProblem = '';
  try {
    await removeRecords();
  } catch (error) {
    cleanUpProblem = ` Also, ${records.length} TXT record(s) could not be removed (${(error as Error).message}); remove them by hand.`;
  }
  return {
    removed: cleanUpProblem ? 0 : records.length,
    error: failure.Error,
    cause: `${causeMessage(failure.Cause)}${cleanUpProblem}`,
  };
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
