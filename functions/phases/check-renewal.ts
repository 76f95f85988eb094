/** CheckRenewal: validate the execution input and decide whether this run issues. */
import { parseExecutionInput } from '../core/certificate-spec.js';
import { decideRenewal } from '../core/renewal-policy.js';
import type { WorkflowState } from '../core/workflow-state.js';
import type { PhaseDependencies } from './dependencies.js';

export async function checkRenewal(
  input: unknown,
  deps: Pick<PhaseDependencies, 'clock' | 'store' | 'issuers'>,
): Promise<WorkflowState> {
  const { certificate, force } = parseExecutionInput(input, deps.issuers.names);
  const current = await deps.store.getCurrentSummary(certificate.name);
  const renewal = decideRenewal({ spec: certificate, force, current, now: deps.clock() });
  return { certificate, force, renewal };
}
