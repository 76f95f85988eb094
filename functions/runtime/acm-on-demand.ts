/**
 * ACM importers for the reconcilers (CheckRenewal, Sweep): the same as acm.ts builds, imported at
 * the first call. ACM copies are opt-in per certificate, so most cold starts of these functions
 * never need ACM; in a Lambda bundle its client and adapter sit in a chunk of their own
 * (scripts/lambda-bundle.mjs) that those cold starts do not read (~18 KiB). ImportToAcm, which
 * always imports, takes acm.ts directly.
 */
import type { AcmImport, CertificateImporter } from '../ports/certificate-importer.js';
import { onFirstUse } from './on-first-use.js';

export function acmImportersOnDemand(): (region: string) => CertificateImporter {
  const importers = onFirstUse(() => import('./acm.js').then(({ acmImporters }) => acmImporters()));
  const importerFor = async (region: string) => (await importers())(region);
  return (region) => ({
    import: async (request: AcmImport) => (await importerFor(region)).import(request),
    describe: async (certificateName: string, dnsNames: readonly string[], arn?: string) =>
      (await importerFor(region)).describe(certificateName, dnsNames, arn),
  });
}
