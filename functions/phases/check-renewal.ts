/**
 * CheckRenewal: validate the execution input, reconcile what should be with what is, and if
 * this run has work to do (issue, or repair outputs), claim the certificate so that a second
 * trigger firing at the same time ends cleanly instead of ordering again.
 */
import { parseExecutionInput } from '../core/certificate-spec.js';
import { CertstepError, InvalidInput, StoreUnavailable } from '../core/errors.js';
import type { RenewalDecision } from '../core/renewal-policy.js';
import { runEventDetail } from '../core/run-event.js';
import type { StoredFacts, WorkflowState } from '../core/workflow-state.js';
import type { CertificateSummary } from '../ports/certificate-store.js';
import type { LedgerEntry } from '../ports/run-ledger.js';
import type { PhaseDependencies } from './dependencies.js';
import { knownCurrent, metadataStale } from './known-current.js';
import { type ObserveDependencies, observe } from './observe.js';

/**
 * The ASL hands over the raw execution input (`$$.Execution.Input`), the execution's id
 * (`$$.Execution.Id`) and the state as it is (`$`): the execution input on the first entry, the
 * state after StoreCertificate re-read the certificate's secret on the second (MetadataStale).
 */
export interface CheckRenewalRequest {
  readonly input: unknown;
  readonly executionId: string;
  readonly previous?: unknown;
}

/** Longer than any run takes; a run that died holding it releases it when the lease ends. */
const LEASE_MS = 2 * 60 * 60_000;

export async function checkRenewal(
  request: CheckRenewalRequest,
  deps: Pick<PhaseDependencies, 'clock' | 'store' | 'issuers' | 'dns' | 'ledger' | 'scheduler' | 'acmImporter'> & Pick<ObserveDependencies, 'acme'>,
): Promise<WorkflowState> {
  const { certificate, force, dryRun } = parseExecutionInput(request?.input, deps.issuers.names);
  const reread = (request.previous as Partial<WorkflowState> | undefined)?.renewal?.reason === 'MetadataStale';
  if (dryRun) return checkDryRun(certificate, force, request.executionId, reread, deps);
  const { decision, current, entry, renewalInfo } = await observe(certificate, force, deps);
  if (decision.reason === 'MetadataStale') return staleOnce({ certificate, force, renewal: decision }, reread);
  if (renewalInfo) await deps.ledger.recordRenewalInfo(certificate.name, renewalInfo);
  const stored = current && storedFacts(current);
  if (!decision.due && !decision.repair) {
    const heldBack = decision.reason === 'BackingOff' ? { event: heldBackEvent(certificate, stored, entry, decision, request.executionId) } : {};
    return { certificate, force, renewal: decision, ...(stored && { stored }), ...heldBack };
  }

  // ACM keeps the key type of an ARN forever: refuse before ordering a certificate it would reject.
  if (decision.due && certificate.acm && current && current.keyAlgorithm !== certificate.keyAlgorithm) {
    throw new InvalidInput(
      `certificate.keyAlgorithm: cannot change from ${current.keyAlgorithm} to ${certificate.keyAlgorithm} while certificate.acm ` +
        're-imports into the same ACM certificate; ACM refuses a new key type on re-import. Keep the old keyAlgorithm, ' +
        'or remove certificate.acm, delete the ACM certificate after detaching it, and add certificate.acm back.',
    );
  }
  return claimDueRun({ certificate, force, ...(stored && { stored }) }, decision, request.executionId, 'a renewal', deps);
}

/**
 * The last step of every run with work to do, live or dry. A name with nowhere to put its
 * record stops the run before any order. A DNS provider that cannot answer right now does not:
 * the run goes on, fails where it needs DNS, and that failure is counted and retried on the
 * hold-off like any other (an order costs nothing extra, the next run resumes it). Then the
 * certificate is claimed, last, so nothing after it can fail and leave the claim behind; a run
 * that finds it held ends in progress.
 */
async function claimDueRun(
  base: Pick<WorkflowState, 'certificate' | 'force' | 'dryRun' | 'stored'>,
  decision: RenewalDecision,
  executionId: string,
  what: string,
  deps: Pick<PhaseDependencies, 'clock' | 'dns' | 'ledger'>,
): Promise<WorkflowState> {
  const { certificate } = base;
  if (decision.due) await deps.dns(certificate).checkZones(certificate.dnsNames).catch(onlyIfTerminal);
  const now = deps.clock();
  const claim = await deps.ledger.claim(certificate.name, executionId, now, new Date(now.getTime() + LEASE_MS));
  if (!claim.claimed) return { ...base, renewal: inProgress(decision, `${what} is already in progress (execution ${claim.heldBy}, since ${claim.since})`) };
  return { ...base, renewal: decision, run: { id: executionId } };
}

/**
 * A dry run is always due, whatever the renewal time and the failure hold-off say, and asks
 * the CA nothing here (no ARI, so no renewal info is recorded); it still claims the certificate,
 * so it never races a live run over the same `_acme-challenge` records.
 */
async function checkDryRun(
  certificate: WorkflowState['certificate'],
  force: boolean,
  executionId: string,
  reread: boolean,
  deps: Pick<PhaseDependencies, 'clock' | 'store' | 'dns' | 'ledger'>,
): Promise<WorkflowState> {
  const known = await knownCurrent(certificate.name, deps);
  if (known.stale) return staleOnce({ certificate, force, dryRun: true, renewal: metadataStale(certificate.name, known.versionId, known.entry) }, reread);
  const current = known.current;
  const stored = current && storedFacts(current);
  const decision: RenewalDecision = {
    due: true,
    reason: 'DryRun',
    message: 'a dry run: a test certificate is ordered, verified and discarded; the stored certificate, schedule and ACM copies are left alone',
    currentRevision: current?.revision ?? 0,
    ...(current && { notAfter: current.notAfter }),
  };
  return claimDueRun({ certificate, force, dryRun: true, ...(stored && { stored }) }, decision, executionId, 'a run', deps);
}

/**
 * The state machine has StoreCertificate read the secret again, then comes back here. A record
 * still stale after that means the secret changed again meanwhile (another run storing): a
 * retryable failure, not a loop.
 */
function staleOnce(state: WorkflowState, reread: boolean): WorkflowState {
  if (reread) throw new StoreUnavailable(`${state.renewal?.message ?? 'the stored certificate changed'}; it changed again while being read`);
  return state;
}

function storedFacts(current: CertificateSummary): StoredFacts {
  return { serialNumber: current.serialNumber, notAfter: current.notAfter, ...(current.secretArn && { secretArn: current.secretArn }) };
}

/** The run ends here without a Lambda after it, so its event is complete now: the last failure and when the next try comes. */
function heldBackEvent(
  certificate: WorkflowState['certificate'],
  stored: StoredFacts | undefined,
  entry: LedgerEntry | undefined,
  decision: RenewalDecision,
  executionArn: string,
) {
  return runEventDetail(
    {
      certificateName: certificate.name,
      dnsNames: certificate.dnsNames,
      ...(stored && { serial: stored.serialNumber, notAfter: stored.notAfter, ...(stored.secretArn && { secretArn: stored.secretArn }) }),
      ...(entry?.acmArns && { acmCertificateArns: entry.acmArns }),
    },
    { executionArn, outcome: 'HeldBack', ...(entry?.lastError && { error: entry.lastError.error }), cause: decision.message },
  );
}

function inProgress(decision: RenewalDecision, message: string): RenewalDecision {
  return { ...decision, due: false, repair: false, reason: 'InProgress', message };
}

function onlyIfTerminal(error: unknown): void {
  if (!(error instanceof CertstepError) || !error.retryable) throw error;
}
