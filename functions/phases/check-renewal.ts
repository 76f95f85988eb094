/**
 * CheckRenewal: validate the execution input, reconcile what should be with what is, and if
 * this run has work to do (issue, or repair outputs), claim the certificate so that a second
 * trigger firing at the same time ends cleanly instead of ordering again.
 */
import { parseExecutionInput } from '../core/certificate-spec.js';
import { CertstepError, InvalidInput } from '../core/errors.js';
import type { RenewalDecision } from '../core/renewal-policy.js';
import type { WorkflowState } from '../core/workflow-state.js';
import type { PhaseDependencies } from './dependencies.js';
import { observe } from './observe.js';

/** The ASL hands over the raw input and the execution's id (`$$.Execution.Id`). */
export interface CheckRenewalRequest {
  readonly input: unknown;
  readonly executionId: string;
}

/** Longer than any run takes; a run that died holding it releases it when the lease ends. */
const LEASE_MS = 2 * 60 * 60_000;

export async function checkRenewal(
  request: CheckRenewalRequest,
  deps: Pick<PhaseDependencies, 'clock' | 'store' | 'issuers' | 'dns' | 'ledger' | 'acme' | 'scheduler' | 'acmImporter'>,
): Promise<WorkflowState> {
  const { certificate, force } = parseExecutionInput(request?.input, deps.issuers.names);
  const { decision, current, renewalInfo } = await observe(certificate, force, deps);
  if (renewalInfo) await deps.ledger.recordRenewalInfo(certificate.name, renewalInfo);
  if (!decision.due && !decision.repair) return { certificate, force, renewal: decision };

  // ACM keeps the key type of an ARN forever: refuse before ordering a certificate it would reject.
  if (decision.due && certificate.acm && current && current.keyAlgorithm !== certificate.keyAlgorithm) {
    throw new InvalidInput(
      `certificate.keyAlgorithm: cannot change from ${current.keyAlgorithm} to ${certificate.keyAlgorithm} while certificate.acm ` +
        're-imports into the same ACM certificate; ACM refuses a new key type on re-import. Keep the old keyAlgorithm, ' +
        'or remove certificate.acm, delete the ACM certificate after detaching it, and add certificate.acm back.',
    );
  }
  // A name with nowhere to put its record stops the run before any order. A DNS provider that
  // cannot answer right now does not: the run goes on, fails where it needs DNS, and that
  // failure is counted and retried on the hold-off like any other (an order costs nothing
  // extra, the next run resumes it).
  if (decision.due) await deps.dns(certificate).checkZones(certificate.dnsNames).catch(onlyIfTerminal);
  // Claimed last, so nothing after it can fail and leave the claim behind.
  const now = deps.clock();
  const claim = await deps.ledger.claim(certificate.name, request.executionId, now, new Date(now.getTime() + LEASE_MS));
  if (!claim.claimed) {
    return { certificate, force, renewal: inProgress(decision, `a renewal is already in progress (execution ${claim.heldBy}, since ${claim.since})`) };
  }
  return { certificate, force, renewal: decision, run: { id: request.executionId } };
}

function inProgress(decision: RenewalDecision, message: string): RenewalDecision {
  return { ...decision, due: false, repair: false, reason: 'InProgress', message };
}

function onlyIfTerminal(error: unknown): void {
  if (!(error instanceof CertstepError) || !error.retryable) throw error;
}
