/**
 * CheckPropagation: one look at whether the CA can see every value; "not yet" loops via a Wait.
 * When the last allowed look still could not reach some servers, the run fails naming them
 * (DnsServerUnreachable) rather than with the generic PropagationTimeout.
 */
import { DnsServerUnreachable } from '../core/errors.js';
import { type PropagationProgress, type WorkflowState, challengeRecords, required } from '../core/workflow-state.js';
import type { PhaseDependencies } from './dependencies.js';

export async function checkPropagation(state: WorkflowState, deps: Pick<PhaseDependencies, 'dns'>): Promise<PropagationProgress> {
  const previous = required(state.propagation, 'propagation');
  const dns = deps.dns(state.certificate);
  const changeIds = previous.changeIds ?? [];
  const result = await dns.isPropagated(challengeRecords(state), { changeIds });
  const attempts = previous.attempts + 1;
  const unreachable = result.ready ? [] : (result.unreachable ?? []);
  if (unreachable.length > 0 && attempts >= previous.maxAttempts) {
    throw new DnsServerUnreachable(`after ${attempts} checks, still could not ask ${unreachable.join(', ')}`);
  }
  return {
    ready: result.ready,
    attempts,
    maxAttempts: previous.maxAttempts,
    waitSeconds: dns.timing.intervalSeconds,
    detail: result.ready ? 'every TXT value is visible' : result.detail,
    changeIds: [...changeIds],
    ...(unreachable.length > 0 && { unreachable }),
  };
}
