/** A run as the phases see it once CheckRenewal has claimed the certificate in the run ledger. */
import { expect } from 'vitest';
import type { CertificateSpec } from '../../functions/core/certificate-spec.js';
import type { OrderRef, WorkflowState } from '../../functions/core/workflow-state.js';
import type { CleanUpDependencies } from '../../functions/phases/clean-up.js';
import type { AcmeGateway } from '../../functions/ports/acme-gateway.js';
import type { CertificateStore } from '../../functions/ports/certificate-store.js';
import type { DnsProvider } from '../../functions/ports/dns-provider.js';
import type { RenewalScheduler } from '../../functions/ports/renewal-scheduler.js';
import type { RunLedger } from '../../functions/ports/run-ledger.js';

/** Claims the certificate for an hour from `now` (the claim must succeed) and returns the state CreateOrder starts from. */
export async function claimedRun(ledger: RunLedger, certificate: CertificateSpec, runId: string, now: Date): Promise<WorkflowState> {
  const claim = await ledger.claim(certificate.name, runId, now, new Date(now.getTime() + 3_600_000));
  expect(claim.claimed).toBe(true);
  return { certificate, force: false, run: { id: runId } } as WorkflowState;
}

/**
 * What CleanUp needs when DNS and the scheduler are beside the point: a DNS provider with
 * nothing to remove, a scheduler that accepts anything, and the CA client only if given one
 * (as on AWS, where the CleanUp Lambda has none).
 */
export function quietCleanUpDependencies(ledger: RunLedger, store: CertificateStore, now: Date, acme?: AcmeGateway): CleanUpDependencies {
  const scheduler: RenewalScheduler = { schedule: async () => ({ scheduleId: 'schedule' }), get: async () => undefined };
  return {
    dns: (() => ({ cleanUp: async () => undefined })) as unknown as (certificate: CertificateSpec) => DnsProvider,
    ledger,
    scheduler,
    store,
    clock: () => now,
    ...(acme && { acme: async () => acme }),
  };
}

/** The state CleanUp gets from an issuing run that ordered and then failed with `error`. */
export function failedAfterOrder(state: WorkflowState, order: OrderRef, error: string): WorkflowState {
  return {
    ...state,
    order,
    renewal: { due: true, reason: 'Forced', message: 'test', currentRevision: 0 },
    failure: { Error: error, Cause: 'test' },
  } as WorkflowState;
}
