/** The ACME gateway as Lambdas build it; imported only by the functions that talk to the CA. */
import { AcmeClientGateway } from '../adapters/acme-client-gateway.js';
import { dryRunIssuer } from '../core/issuers.js';
import type { AcmeGateway } from '../ports/acme-gateway.js';
import type { CertificateStore } from '../ports/certificate-store.js';
import type { RuntimeConfig } from './config.js';
import { issuerRegistry } from './issuers.js';

export function acmeGateways(config: RuntimeConfig, store: CertificateStore): (issuer: string, options?: { dryRun?: boolean }) => Promise<AcmeGateway> {
  const issuers = issuerRegistry(config);
  return async (issuer, options) => {
    const resolved = await issuers.resolve(issuer);
    return new AcmeClientGateway(options?.dryRun ? dryRunIssuer(resolved) : resolved, store);
  };
}
