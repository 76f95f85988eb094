/** Lambda: CreateOrder. */
import type { WorkflowState } from '../core/workflow-state.js';
import { createOrder } from '../phases/create-order.js';
import { acmeGateways } from '../runtime/acme.js';
import { readConfig } from '../runtime/config.js';
import { lambdaHandler } from '../runtime/handler.js';
import { dynamoDbLedger } from '../runtime/ledger.js';
import { secretsManagerStore } from '../runtime/store.js';

const config = readConfig();
const store = secretsManagerStore(config);
const deps = { acme: acmeGateways(config, store), store, ledger: dynamoDbLedger(), clock: () => new Date() };

export const handler = lambdaHandler('CreateOrder', (state: WorkflowState) => createOrder(state, deps));
