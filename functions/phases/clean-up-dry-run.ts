/**
 * CleanUp for a dry run, behind both CleanUp and CleanUpAfterFailure and the ended-run sweeper:
 * remove the TXT values the dry run (and earlier, finished runs) left, record lastDryRun once and
 * release the certificate. Unlike a live run's clean-up it counts no failure, schedules nothing
 * and leaves pending keys alone (a dry run saves none): the live bookkeeping stays as it was, so
 * a dry run that fails neither holds the certificate back nor moves its renewal.
 */
import type { WorkflowState } from '../core/workflow-state.js';
import { challengeRecords } from '../core/workflow-state.js';
import { type RecordedChallenge, unionRecords as union } from '../ports/run-ledger.js';
import { deactivateOrders } from './abandon-order.js';
import { type PhaseDependencies, type RecordRemovers, acmeFor } from './dependencies.js';

export type DryRunCleanUpDependencies = Pick<PhaseDependencies, 'ledger' | 'clock'> & { readonly dns: RecordRemovers } & Partial<
    Pick<PhaseDependencies, 'acme'>
  >;

export interface DryRunCleanUp {
  readonly removed: number;
  /** Only after a failure: what to add to its cause. */
  readonly notes: readonly string[];
}

/** `failure` is the run's failure, its cause already a message; absent on the success path. */
export async function cleanUpDryRun(
  state: WorkflowState & { run: { id: string } },
  failure: { readonly error: string; readonly cause: string } | undefined,
  deps: DryRunCleanUpDependencies,
): Promise<DryRunCleanUp> {
  const { certificate, run } = state;
  const entry = await deps.ledger.get(certificate.name);
  // Not the live order's values: a live run may resume that order and needs them.
  const records = union(union(challengeRecords(state), entry?.staleRecords ?? []), entry?.dryRun?.order?.records ?? []);
  const now = deps.clock();
  const discarded = state.issued && 'discarded' in state.issued ? state.issued : undefined;
  const directoryUrl = discarded?.directoryUrl ?? entry?.dryRun?.order?.directoryUrl;

  if (!failure) {
    // On success a DNS error is thrown: the state machine retries, then takes the failure path.
    if (records.length > 0) await deps.dns(certificate).cleanUp(records);
    await deps.ledger.finishDryRun(certificate.name, run.id, {
      result: 'Succeeded',
      at: now,
      ...(directoryUrl && { directoryUrl }),
      ...(discarded && { serial: discarded.serialNumber }),
    });
    return { removed: records.length, notes: [] };
  }

  const { stale, notes } = await removeAfterFailure(certificate, records, deps);
  // Only the dry run's own order is given up: a test order is never resumed by a later run.
  const ours = [state.order?.url, entry?.dryRun?.runId === run.id ? entry.dryRun.order?.url : undefined];
  const given = [...new Set(ours)].filter((url): url is string => url !== undefined);
  const after = await deps.ledger.finishDryRun(certificate.name, run.id, {
    result: 'Failed',
    at: now,
    error: failure.error,
    cause: failure.cause,
    staleRecords: stale,
    abandonedOrders: given,
    ...(directoryUrl && { directoryUrl }),
  });
  const abandoned = (after.abandonedOrders ?? []).map((order) => order.url).filter((url) => given.includes(url));
  if (deps.acme && abandoned.length > 0) {
    // Best effort, locally where the CA client is at hand; otherwise the next CreateOrder deals with them.
    const gateway = await acmeFor(state, { acme: deps.acme }).catch(() => undefined);
    const outcomes = gateway ? await deactivateOrders(gateway, abandoned) : [];
    const handled = abandoned.filter((_, index) => outcomes[index] && !outcomes[index].retry);
    if (handled.length > 0) await deps.ledger.forgetAbandonedOrders(certificate.name, handled, now).catch(() => undefined);
  }
  return { removed: stale.length > 0 ? 0 : records.length, notes };
}

/**
 * After a failure, both clean-ups remove the run's TXT values without letting a DNS error hide
 * the failure: values that could not go are kept (staleRecords) for the next run and said.
 */
export async function removeAfterFailure(
  certificate: WorkflowState['certificate'],
  records: readonly RecordedChallenge[],
  deps: { readonly dns: RecordRemovers },
): Promise<{ stale: RecordedChallenge[]; notes: string[] }> {
  try {
    if (records.length > 0) await deps.dns(certificate).cleanUp(records);
    return { stale: [], notes: [] };
  } catch (error) {
    return {
      stale: [...records],
      notes: [`Also, ${records.length} TXT value(s) could not be removed (${(error as Error).message}); the next run removes them.`],
    };
  }
}
