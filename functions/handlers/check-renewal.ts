/** Lambda: CheckRenewal. */
import { type CheckRenewalRequest, checkRenewal } from '../phases/check-renewal.js';
import { acmeGateways } from '../runtime/acme.js';
import { readConfig } from '../runtime/config.js';
import { route53DnsFor } from '../runtime/dns.js';
import { lambdaHandler } from '../runtime/handler.js';
import { dynamoDbLedger } from '../runtime/ledger.js';
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
};

export const handler = lambdaHandler('CheckRenewal', (request: CheckRenewalRequest) => checkRenewal(request, deps));
