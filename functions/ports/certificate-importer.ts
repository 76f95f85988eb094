/** Where an issued certificate is also imported for AWS services to serve: ACM on AWS, a folder locally. */
import type { AcmImport } from '../adapters/acm-importer.js';

export type { AcmImport };

export interface CertificateImporter {
  /** Imports, or re-imports into the same ARN, and returns the ARN. */
  import(request: AcmImport): Promise<{ arn: string; reimported: boolean }>;
}
