/**
 * Where an issued certificate is also imported for AWS services to serve: ACM on AWS, a folder
 * locally. One importer per region.
 */
import type { KeyAlgorithm } from '../core/certificate-spec.js';

export interface AcmImport {
  readonly certificateName: string;
  readonly dnsNames: readonly string[];
  readonly chainPem: string;
  readonly privateKeyPem: string;
  readonly keyAlgorithm: KeyAlgorithm;
  /** The ARN this certificate was imported under before, when known. */
  readonly arn?: string;
}

/** What a region holds for a certificate: enough to tell whether it serves the current one. */
export interface ImportedCopy {
  readonly arn: string;
  /** Lowercase hex without separators or leading zeros (core/verify-certificate.ts normalizeSerial). */
  readonly serialNumber: string;
  readonly notAfter: string;
}

export interface CertificateImporter {
  /** Imports, or re-imports into the same ARN, and returns the ARN. */
  import(request: AcmImport): Promise<{ arn: string; reimported: boolean }>;
  /** The copy certstep imported for this certificate, if any (found by `arn` when given). */
  describe(certificateName: string, dnsNames: readonly string[], arn?: string): Promise<ImportedCopy | undefined>;
}
