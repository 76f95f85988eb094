/** Lambda: PollOrder, behind both PollAuthorizations and PollFinalizedOrder. */
import { type PollOrderInput, pollOrder } from '../phases/poll-order.js';
import { acmeGateways } from '../runtime/acme.js';
import { readConfig } from '../runtime/config.js';
import { lambdaHandler } from '../runtime/handler.js';
import { pollingFromEnvironment } from '../runtime/polling.js';
import { secretsManagerStore } from '../runtime/store.js';

const config = readConfig();
const deps = { acme: acmeGateways(config, secretsManagerStore(config)), ...pollingFromEnvironment() };

export const handler = lambdaHandler('PollOrder', (input: PollOrderInput) => pollOrder(input, deps));
