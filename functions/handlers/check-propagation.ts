/** Lambda: CheckPropagation. No ACME client in this bundle. */
import type { WorkflowState } from '../core/workflow-state.js';
import { checkPropagation } from '../phases/check-propagation.js';
import { readConfig } from '../runtime/config.js';
import { route53DnsFor } from '../runtime/dns.js';
import { lambdaHandler } from '../runtime/handler.js';

const deps = { dns: route53DnsFor(readConfig()) };

export const handler = lambdaHandler('CheckPropagation', (state: WorkflowState) => checkPropagation(state, deps));
