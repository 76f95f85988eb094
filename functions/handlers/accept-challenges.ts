/** Lambda: AcceptChallenges. */
import type { WorkflowState } from '../core/workflow-state.js';
import { acceptChallenges } from '../phases/accept-challenges.js';
import { acmeGateways } from '../runtime/acme.js';
import { readConfig } from '../runtime/config.js';
import { lambdaHandler } from '../runtime/handler.js';
import { pollingFromEnvironment } from '../runtime/polling.js';
import { secretsManagerStore } from '../runtime/store.js';

const config = readConfig();
const deps = { acme: acmeGateways(config, secretsManagerStore(config)), ...pollingFromEnvironment() };

export const handler = lambdaHandler('AcceptChallenges', (state: WorkflowState) => acceptChallenges(state, deps));
