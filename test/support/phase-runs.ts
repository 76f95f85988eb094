/** A run as the phases see it once CheckRenewal has claimed the certificate in the run ledger. */
import { expect } from 'vitest';
import type { CertificateSpec } from '../../functions/core/certificate-spec.js';
import type { WorkflowState } from '../../functions/core/workflow-state.js';
import type { RunLedger } from '../../functions/ports/run-ledger.js';

/** Claims the certificate for an hour from `now` (the claim must succeed) and returns the state CreateOrder starts from. */
export async function claimedRun(ledger: RunLedger, certificate: CertificateSpec, runId: string, now: Date): Promise<WorkflowState> {
  const claim = await ledger.claim(certificate.name, runId, now, new Date(now.getTime() + 3_600_000));
  expect(claim.claimed).toBe(true);
  return { certificate, force: false, run: { id: runId } } as WorkflowState;
}
