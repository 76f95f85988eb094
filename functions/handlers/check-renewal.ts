/** Lambda: CheckRenewal. */
import { checkRenewal } from '../phases/check-renewal.js';
import { readConfig } from '../runtime/config.js';
import { route53DnsFor } from '../runtime/dns.js';
import { lambdaHandler } from '../runtime/handler.js';
import { secretsManagerStore } from '../runtime/store.js';

const config = readConfig();
const deps = {
  clock: () => new Date(),
  store: secretsManagerStore(config),
  issuers: { names: new Set(config.issuers.map((issuer) => issuer.name)) },
  dns: route53DnsFor(config),
};

export const handler = lambdaHandler('CheckRenewal', (input: unknown) => checkRenewal(input, deps));
