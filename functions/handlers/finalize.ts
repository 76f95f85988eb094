/** Lambda: Finalize. */
import { acmeClientKeys } from '../adapters/acme-client-keys.js';
import type { WorkflowState } from '../core/workflow-state.js';
import { finalize } from '../phases/finalize.js';
import { acmeGateways } from '../runtime/acme.js';
import { readConfig } from '../runtime/config.js';
import { lambdaHandler } from '../runtime/handler.js';
import { dynamoDbLedger } from '../runtime/ledger.js';
import { pollingFromEnvironment } from '../runtime/polling.js';
import { secretsManagerStore } from '../runtime/store.js';

const config = readConfig();
const store = secretsManagerStore(config);
const deps = { acme: acmeGateways(config, store), keys: acmeClientKeys, store, ledger: dynamoDbLedger(), ...pollingFromEnvironment() };

export const handler = lambdaHandler('Finalize', (state: WorkflowState) => finalize(state, deps));
