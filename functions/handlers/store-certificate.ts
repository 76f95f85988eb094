/** Lambda: StoreCertificate (and its read-only mode, when CheckRenewal found the ledger's record stale). */
import type { WorkflowState } from '../core/workflow-state.js';
import { storeCertificate } from '../phases/store-certificate.js';
import { acmeGateways } from '../runtime/acme.js';
import { readConfig } from '../runtime/config.js';
import { lambdaHandler } from '../runtime/handler.js';
import { dynamoDbLedger } from '../runtime/ledger.js';
import { logDaysUntilExpiry } from '../runtime/metrics.js';
import { secretsManagerStore } from '../runtime/store.js';

const config = readConfig();
const store = secretsManagerStore(config);
const deps = { acme: acmeGateways(config, store), store, ledger: dynamoDbLedger(), clock: () => new Date() };

export const handler = lambdaHandler('StoreCertificate', async (state: WorkflowState) => {
  const result = await storeCertificate(state, deps);
  // The expiry alarm sees the new certificate at once, not only at the next daily check.
  if ('notAfter' in result) logDaysUntilExpiry(state.certificate.name, result.notAfter, deps.clock());
  return result;
});
