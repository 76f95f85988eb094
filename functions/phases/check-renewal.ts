/**
 * CheckRenewal: validate the execution input, decide whether this run issues, and if it does,
 * claim the certificate so that a second trigger firing at the same time ends cleanly
 * instead of ordering again.
 */
import { momentInWindow } from '../core/ari.js';
import { parseExecutionInput } from '../core/certificate-spec.js';
import { InvalidInput } from '../core/errors.js';
import { type RenewalDecision, decideRenewal } from '../core/renewal-policy.js';
import type { WorkflowState } from '../core/workflow-state.js';
import type { PhaseDependencies } from './dependencies.js';

/** The ASL hands over the raw input and the execution's id (`$$.Execution.Id`). */
export interface CheckRenewalRequest {
  readonly input: unknown;
  readonly executionId: string;
}

/** Longer than any run takes; a run that died holding it releases it when the lease ends. */
const LEASE_MS = 2 * 60 * 60_000;

export async function checkRenewal(
  request: CheckRenewalRequest,
  deps: Pick<PhaseDependencies, 'clock' | 'store' | 'issuers' | 'dns' | 'ledger' | 'acme'>,
): Promise<WorkflowState> {
  const { certificate, force } = parseExecutionInput(request?.input, deps.issuers.names);
  const now = deps.clock();
  const [current, entry] = await Promise.all([deps.store.getCurrentSummary(certificate.name), deps.ledger.get(certificate.name)]);
  const ariMoment = current?.ariCertId ? await askForRenewalWindow(deps, certificate.issuer, current.ariCertId, current.serialNumber) : undefined;
  const decision = decideRenewal({ spec: certificate, force, current, now, ...(ariMoment && { ariMoment }) });
  if (!decision.due) return { certificate, force, renewal: decision };

  const holdOff = entry?.nextAttemptAfter ? new Date(entry.nextAttemptAfter) : undefined;
  if (!force && holdOff && holdOff > now) {
    return { certificate, force, renewal: notDue(decision, 'BackingOff', `held back until ${holdOff.toISOString()} after ${entry?.consecutiveFailures} consecutive failure(s); last: ${entry?.lastError?.error ?? 'unknown'}. Force a run to try now.`) };
  }
  // ACM keeps the key type of an ARN forever: refuse before ordering a certificate it would reject.
  if (certificate.acm && current && current.keyAlgorithm !== certificate.keyAlgorithm) {
    throw new InvalidInput(
      `certificate.keyAlgorithm: cannot change from ${current.keyAlgorithm} to ${certificate.keyAlgorithm} while certificate.acm ` +
        're-imports into the same ACM certificate; ACM refuses a new key type on re-import. Keep the old keyAlgorithm, ' +
        'or remove certificate.acm, delete the ACM certificate after detaching it, and add certificate.acm back.',
    );
  }
  await deps.dns(certificate).checkZones(certificate.dnsNames);
  // Claimed last, so nothing after it can fail and leave the claim behind.
  const claim = await deps.ledger.claim(certificate.name, request.executionId, now, new Date(now.getTime() + LEASE_MS));
  if (!claim.claimed) {
    return { certificate, force, renewal: notDue(decision, 'InProgress', `a renewal is already in progress (execution ${claim.heldBy}, since ${claim.since})`) };
  }
  return { certificate, force, renewal: decision, run: { id: request.executionId } };
}

/**
 * RFC 9773: the CA's window, asked afresh at every check (it moves when the CA wants an early
 * renewal, e.g. before a revocation). Advisory: a CA that cannot answer leaves our own time.
 */
async function askForRenewalWindow(
  deps: Pick<PhaseDependencies, 'acme'>,
  issuer: string,
  certificateId: string,
  serialNumber: string,
): Promise<Date | undefined> {
  try {
    const info = await (await deps.acme(issuer)).renewalInfo(certificateId);
    return info ? momentInWindow(info.window, serialNumber) : undefined;
  } catch {
    return undefined;
  }
}

function notDue(decision: RenewalDecision, reason: 'BackingOff' | 'InProgress', message: string): RenewalDecision {
  return { ...decision, due: false, reason, message };
}
