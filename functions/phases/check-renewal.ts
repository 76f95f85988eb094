/** CheckRenewal: validate the execution input and decide whether this run issues. */
import { parseExecutionInput } from '../core/certificate-spec.js';
import { InvalidInput } from '../core/errors.js';
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
  // ACM keeps the key type of an ARN forever: refuse before ordering a certificate it would reject.
  if (renewal.due && certificate.acm && current && current.keyAlgorithm !== certificate.keyAlgorithm) {
    throw new InvalidInput(
      `certificate.keyAlgorithm: cannot change from ${current.keyAlgorithm} to ${certificate.keyAlgorithm} while certificate.acm ` +
        're-imports into the same ACM certificate; ACM refuses a new key type on re-import. Keep the old keyAlgorithm, ' +
        'or remove certificate.acm, delete the ACM certificate after detaching it, and add certificate.acm back.',
    );
  }
  // Only when issuing: an up-to-date daily check should not cost DNS API calls.
  if (renewal.due) await deps.dns(certificate).checkZones(certificate.dnsNames);
  return { certificate, force, renewal };
}
