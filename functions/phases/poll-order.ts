/**
 * PollOrder: RFC 8555 §7.4 one look at the order. Used twice: while the CA validates (until
 * ready) and after finalize (until valid). Statuses are folded to what the Choice states test:
 * pending, ready, valid, invalid.
 */
import { describeProblem } from '../core/acme-failure.js';
import { type PollProgress, type WorkflowState, nextWaitSeconds, required } from '../core/workflow-state.js';
import type { AcmeGateway } from '../ports/acme-gateway.js';
import { type PhaseDependencies, acmeFor } from './dependencies.js';

export interface PollOrderInput {
  readonly certificate: WorkflowState['certificate'];
  readonly order: NonNullable<WorkflowState['order']>;
  readonly previous: PollProgress & { readonly pendingKeyVersion?: string; readonly publicKeySha256?: string };
}

export async function pollOrder(
  input: PollOrderInput,
  deps: Pick<PhaseDependencies, 'acme' | 'validationPolling' | 'issuancePolling'>,
): Promise<PollProgress & { certificateUrl?: string; pendingKeyVersion?: string; publicKeySha256?: string }> {
  const order = required(input.order, 'order');
  const previous = required(input.previous, 'previous poll');
  // The polling states pass the order, not the whole state: a dry run's order says so itself.
  const gateway = await acmeFor({ certificate: input.certificate, ...(order.dryRun && { dryRun: true }) }, deps);
  const current = await gateway.getOrder(order.url);
  const status = current.status === 'processing' ? 'pending' : current.status;
  // Only the issuance loop carries the key (a live run's pending version, a dry run's public key hash).
  const polling = previous.pendingKeyVersion || previous.publicKeySha256 ? deps.issuancePolling : deps.validationPolling;
  const detail = status === 'invalid' ? await whyInvalid(gateway, current.authorizationUrls, current.error) : `order is ${current.status}`;
  return {
    ...previous,
    status,
    attempts: previous.attempts + 1,
    waitSeconds: nextWaitSeconds(polling.intervalSeconds, current.retryAfterSeconds),
    detail,
    ...(current.certificateUrl && { certificateUrl: current.certificateUrl }),
  };
}

/** The order's own error rarely says which name failed; the challenges' errors do. */
async function whyInvalid(gateway: AcmeGateway, authorizationUrls: readonly string[], orderError: Parameters<typeof describeProblem>[0]): Promise<string> {
  const reasons: string[] = [];
  for (const url of authorizationUrls) {
    const authorization = await gateway.getAuthorization(url).catch(() => undefined);
    if (authorization && authorization.status !== 'valid' && authorization.challenge?.error) {
      const name = `${authorization.wildcard ? '*.' : ''}${authorization.dnsName}`;
      reasons.push(`${name}: ${describeProblem(authorization.challenge.error)}`);
    }
  }
  return reasons.length ? `the CA refused the order: ${reasons.join('; ')}` : `the CA refused the order: ${describeProblem(orderError)}`;
}
