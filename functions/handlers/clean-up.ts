/** Lambda: CleanUp, behind both CleanUp and CleanUpAfterFailure. No ACME client in this bundle. */
import type { WorkflowState } from '../core/workflow-state.js';
import { cleanUp } from '../phases/clean-up.js';
import { readConfig } from '../runtime/config.js';
import { route53DnsFor } from '../runtime/dns.js';
import { lambdaHandler } from '../runtime/handler.js';
import { dynamoDbLedger } from '../runtime/ledger.js';
import { eventBridgeScheduler } from '../runtime/scheduler.js';
import { secretsManagerStore } from '../runtime/store.js';

const config = readConfig();
// The store only to list and drop pending keys, and to read the renewal time: never to write a certificate.
const deps = {
  dns: route53DnsFor(config),
  ledger: dynamoDbLedger(),
  scheduler: eventBridgeScheduler(),
  store: secretsManagerStore(config),
  clock: () => new Date(),
};

export const handler = lambdaHandler('CleanUp', (state: WorkflowState, task) => cleanUp(state, deps, task.executionArn));
