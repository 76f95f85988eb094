/**
 * ScheduleRenewal: the certificate's one schedule, at its renewal time, with the same spec.
 * After an issue that is the new certificate's renewal time; on a repair run the one the
 * reconcile computed (which follows the CA's ARI window when it offers one).
 */
import { type WorkflowState, required, storedIssue } from '../core/workflow-state.js';
import type { PhaseDependencies } from './dependencies.js';

export async function scheduleRenewal(state: WorkflowState, deps: Pick<PhaseDependencies, 'scheduler'>): Promise<{ at: string; scheduleId: string }> {
  const at = storedIssue(state)?.renewalTime ?? required(state.renewal?.renewalTime, 'renewal.renewalTime');
  const { scheduleId } = await deps.scheduler.schedule({
    certificateName: state.certificate.name,
    at,
    input: { certificate: state.certificate, force: false },
    kind: 'renewal',
  });
  return { at, scheduleId };
}
