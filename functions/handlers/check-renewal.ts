/** Lambda: CheckRenewal. */
import { type CheckRenewalRequest, checkRenewal } from '../phases/check-renewal.js';
import { acmImporters } from '../runtime/acm.js';
import { acmeGateways } from '../runtime/acme.js';
import { readConfig } from '../runtime/config.js';
import { route53DnsFor } from '../runtime/dns.js';
import { lambdaHandler } from '../runtime/handler.js';
import { dynamoDbLedger } from '../runtime/ledger.js';
import { daysUntilExpiryLine } from '../runtime/metrics.js';
import { eventBridgeScheduler } from '../runtime/scheduler.js';
import { secretsManagerStore } from '../runtime/store.js';

const config = readConfig();
const store = secretsManagerStore(config);
const deps = {
  clock: () => new Date(),
  store,
  issuers: { names: new Set(config.issuers.map((issuer) => issuer.name)) },
  dns: route53DnsFor(config),
  ledger: dynamoDbLedger(),
  // For ARI (RFC 9773) only: renewalInfo needs no account, but it is the CA that answers.
  acme: acmeGateways(config, store),
  // Read only: the reconcile compares what they hold with what should be.
  scheduler: eventBridgeScheduler(),
  acmImporter: acmImporters(),
};

export const handler = lambdaHandler('CheckRenewal', async (request: CheckRenewalRequest) => {
  const state = await checkRenewal(request, deps);
  const notAfter = state.renewal?.notAfter;
  if (notAfter) process.stdout.write(`${daysUntilExpiryLine(state.certificate.name, notAfter, deps.clock())}\n`);
  return state;
});
