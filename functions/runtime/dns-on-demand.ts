/**
 * Removing a certificate's TXT values, with the DNS providers of dns.ts imported at the first
 * removal. For SweepEndedRun: most runs it is handed ran their own clean-up, and it touches no
 * DNS for them; in a Lambda bundle Route 53, STS and acme-dns then sit in a chunk of their own
 * (scripts/lambda-bundle.mjs) that those cold starts do not read. CleanUp, which removes values
 * after nearly every run, takes dns.ts directly.
 */
import type { RecordRemovers } from '../phases/dependencies.js';
import type { RuntimeConfig } from './config.js';
import { onFirstUse } from './on-first-use.js';

export function recordRemoversOnDemand(config: RuntimeConfig): RecordRemovers {
  const providers = onFirstUse(() => import('./dns.js').then(({ route53DnsFor }) => route53DnsFor(config)));
  return (certificate) => ({ cleanUp: async (records) => (await providers())(certificate).cleanUp(records) });
}
