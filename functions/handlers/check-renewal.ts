/** Lambda: CheckRenewal. */
import { type CheckRenewalRequest, checkRenewal } from '../phases/check-renewal.js';
import { readConfig } from '../runtime/config.js';
import { route53DnsFor } from '../runtime/dns.js';
import { lambdaHandler } from '../runtime/handler.js';
import { logDaysUntilExpiry } from '../runtime/metrics.js';
import { reconcileDependencies } from '../runtime/reconcile.js';

const config = readConfig();
const deps = { ...reconcileDependencies(config), dns: route53DnsFor(config) };

export const handler = lambdaHandler('CheckRenewal', async (request: CheckRenewalRequest) => {
  const state = await checkRenewal(request, deps);
  const notAfter = state.renewal?.notAfter;
  if (notAfter) logDaysUntilExpiry(state.certificate.name, notAfter, deps.clock());
  return state;
});
