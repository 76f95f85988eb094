/** ScheduleRenewal: record when the next run should start, with the same certificate spec. */
import { type WorkflowState, required } from '../core/workflow-state.js';
import type { PhaseDependencies } from './dependencies.js';

export async function scheduleRenewal(
  state: WorkflowState,
  deps: Pick<PhaseDependencies, 'scheduler'>,
): Promise<{ at: string; scheduleId: string }> {
  const issued = required(state.issued, 'issued');
  const { scheduleId } = await deps.scheduler.schedule({
    certificateName: state.certificate.name,
    at: issued.renewalTime,
    input: { certificate: state.certificate, force: false },
  });
  return { at: issued.renewalTime, scheduleId };
}
