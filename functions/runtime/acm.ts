/** ACM importers as Lambdas build them: one client per region, kept for the container's life. */
import { ACMClient } from '@aws-sdk/client-acm';
import { AcmImporter } from '../adapters/acm-importer.js';
import type { CertificateImporter } from '../ports/certificate-importer.js';
import { traced } from './tracing.js';

export function acmImporters(): (region: string) => CertificateImporter {
  const clients = new Map<string, ACMClient>();
  return (region) => {
    let client = clients.get(region);
    if (!client) {
      client = traced(new ACMClient({ region, maxAttempts: 5 }));
      clients.set(region, client);
    }
    return new AcmImporter(client, region);
  };
}
