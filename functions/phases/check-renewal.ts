/** CheckRenewal: validate the execution input and decide whether this run issues. */
import { parseExecutionInput } from '../core/certificate-spec.js';
import { decideRenewal } from '../core/renewal-policy.js';
import type { WorkflowState } from '../core/workflow-state.js';
import type { PhaseDependencies } from './dependencies.js';

export async function checkRenewal(
  input: unknown,
  deps: Pick<PhaseDependencies, 'clock' | 'store' | 'issuers' | 'dns'>,
): Promise<WorkflowState> {
  const { certificate, force } = parseExecutionInput(input, deps.issuers.names);
  const current = await deps.store.getCurrentSummary(certificate.name);
  const renewal = decideRenewal({ spec: certificate, force, current, now: deps.clock() });
  // Only when issuing: an up-to-date daily check should not cost DNS API calls.
  if (renewal.due) await deps.dns(certificate).checkZones(certificate.dnsNames);
  return { certificate, force, renewal };
}
