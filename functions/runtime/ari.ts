/**
 * ARI (RFC 9773) as CheckRenewal and the sweep ask it: one unauthenticated GET of the issuer's
 * renewalInfo, found in its directory (cached per container, adapters/acme-directory.ts). No
 * account, no signature, so neither acme-client nor the EAB secret is needed, and neither is
 * in these functions' bundles.
 */
import { fetchRenewalInfo } from '../adapters/acme-directory.js';
import { InvalidInput } from '../core/errors.js';
import type { RenewalInfoSources } from '../phases/observe.js';
import type { RuntimeConfig } from './config.js';

export function renewalInfoSources(config: RuntimeConfig): RenewalInfoSources {
  return async (issuer) => {
    const setting = config.issuers.find((candidate) => candidate.name === issuer);
    if (!setting) throw new InvalidInput(`certificate.issuer: unknown issuer "${issuer}"`);
    const source = { directoryUrl: setting.directoryUrl, ...(setting.caBundlePem && { caBundlePem: setting.caBundlePem }) };
    return { renewalInfo: (certificateId) => fetchRenewalInfo(source, certificateId) };
  };
}
