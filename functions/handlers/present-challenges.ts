/** Lambda: PresentChallenges. No ACME client in this bundle. */
import type { WorkflowState } from '../core/workflow-state.js';
import { presentChallenges } from '../phases/present-challenges.js';
import { readConfig } from '../runtime/config.js';
import { route53DnsFor } from '../runtime/dns.js';
import { lambdaHandler } from '../runtime/handler.js';

const deps = { dns: route53DnsFor(readConfig()) };

export const handler = lambdaHandler('PresentChallenges', (state: WorkflowState) => presentChallenges(state, deps));
