/** Lambda: StoreCertificate. */
import type { WorkflowState } from '../core/workflow-state.js';
import { storeCertificate } from '../phases/store-certificate.js';
import { acmeGateways } from '../runtime/acme.js';
import { readConfig } from '../runtime/config.js';
import { lambdaHandler } from '../runtime/handler.js';
import { secretsManagerStore } from '../runtime/store.js';

const config = readConfig();
const store = secretsManagerStore(config);
const deps = { acme: acmeGateways(config, store), store, clock: () => new Date() };

export const handler = lambdaHandler('StoreCertificate', (state: WorkflowState) => storeCertificate(state, deps));
