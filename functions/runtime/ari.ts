/**
 * ARI (RFC 9773) as CheckRenewal and the sweep ask it: one unauthenticated GET of the issuer's
 * renewalInfo, found in its directory (cached per container, adapters/acme-directory.ts). No
 * account and no signature, so acme-client is not in these functions' bundles.
 *
 * The issuer is resolved as every function resolves it (runtime/issuers.ts), which reads an EAB
 * issuer's HMAC secret once per container although ARI does not use it: the stack grants these
 * functions that read (cdk/needs.ts), and test/cdk/needs.test.ts holds grants and reads to each
 * other. Dropping the read means dropping the grant with it, on the CDK side.
 */
import { fetchRenewalInfo } from '../adapters/acme-directory.js';
import type { RenewalInfoSources } from '../phases/observe.js';
import type { RuntimeConfig } from './config.js';
import { issuerRegistry } from './issuers.js';

export function renewalInfoSources(config: RuntimeConfig): RenewalInfoSources {
  const issuers = issuerRegistry(config);
  return async (issuer) => {
    const { directoryUrl, caBundlePem } = await issuers.resolve(issuer);
    const source = { directoryUrl, ...(caBundlePem && { caBundlePem }) };
    return { renewalInfo: (certificateId) => fetchRenewalInfo(source, certificateId) };
  };
}
