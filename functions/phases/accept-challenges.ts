/** AcceptChallenges: RFC 8555 §7.5.1, tell the CA each challenge is ready to be validated. */
import { ACME_REQUESTS_IN_FLIGHT, mapWithLimit } from '../core/concurrency.js';
import { type PollProgress, type WorkflowState, required } from '../core/workflow-state.js';
import { type PhaseDependencies, acmeFor } from './dependencies.js';

export async function acceptChallenges(state: WorkflowState, deps: Pick<PhaseDependencies, 'acme' | 'validationPolling'>): Promise<PollProgress> {
  const order = required(state.order, 'order');
  const gateway = await acmeFor(state, deps);
  await mapWithLimit(order.challenges, ACME_REQUESTS_IN_FLIGHT, (challenge) => gateway.acceptChallenge(challenge.challengeUrl));
  return {
    status: 'pending',
    attempts: 0,
    maxAttempts: deps.validationPolling.maxAttempts,
    waitSeconds: deps.validationPolling.initialWaitSeconds,
    detail: `asked the CA to validate ${order.challenges.length} challenge(s)`,
  };
}
