/** PresentChallenges: publish every TXT value of this order in one batch. */
import { type PropagationProgress, type WorkflowState, challengeRecords, required } from '../core/workflow-state.js';
import type { PhaseDependencies } from './dependencies.js';

export async function presentChallenges(state: WorkflowState, deps: Pick<PhaseDependencies, 'dns'>): Promise<PropagationProgress> {
  const records = challengeRecords(state);
  required(state.order, 'order');
  const dns = deps.dns(state.certificate);
  const { changeIds } = await dns.present(records);
  return {
    ready: false,
    attempts: 0,
    maxAttempts: dns.timing.maxAttempts,
    waitSeconds: dns.timing.initialWaitSeconds,
    detail: `presented ${records.length} TXT value(s)`,
    changeIds: [...changeIds],
  };
}
