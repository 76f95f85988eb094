/** CheckPropagation: one look at whether the CA can see every value; "not yet" loops via a Wait. */
import { type PropagationProgress, type WorkflowState, challengeRecords, required } from '../core/workflow-state.js';
import type { PhaseDependencies } from './dependencies.js';

export async function checkPropagation(state: WorkflowState, deps: Pick<PhaseDependencies, 'dns'>): Promise<PropagationProgress> {
  const previous = required(state.propagation, 'propagation');
  const dns = deps.dns(state.certificate);
  const changeIds = previous.changeIds ?? [];
  const result = await dns.isPropagated(challengeRecords(state), { changeIds });
  return {
    ready: result.ready,
    attempts: previous.attempts + 1,
    maxAttempts: previous.maxAttempts,
    waitSeconds: dns.timing.intervalSeconds,
    detail: result.ready ? 'every TXT value is visible' : result.detail,
    changeIds: [...changeIds],
  };
}
