/**
 * Optional import of each issued certificate into AWS Certificate Manager, so load balancers
 * and CloudFront distributions pick it up. Re-imports keep the ARN (attachments survive),
 * which is why ACM's and CloudFront's key rules are checked before anything is ordered.
 */
import type { KeyAlgorithm } from './key-algorithm.js';

export interface AcmConfig {
  /** Regions to import into; CloudFront reads only us-east-1. */
  readonly regions: readonly string[];
  /** The certificate will serve CloudFront: only RSA and EC P-256 keys, and us-east-1 must be listed. */
  readonly cloudFront?: boolean;
}

/**
 * The tag the first import puts on an ACM certificate, valued with certstep's name for it. Later
 * imports find the ARN by it, and the stack's IAM lets ImportToAcm re-import only into certificates
 * that carry it (cdk/permissions.ts), so it is a contract between the two.
 */
export const CERTSTEP_TAG = 'certstep:certificate';

/** What CloudFront accepts from ACM. */
const CLOUDFRONT_KEYS: readonly KeyAlgorithm[] = ['ecdsa-p256', 'rsa-2048', 'rsa-3072', 'rsa-4096'];

/** Why the certificate's key cannot go where its acm section sends it, if it cannot. */
export function cloudFrontKeyRefusal(acm: AcmConfig, keyAlgorithm: KeyAlgorithm): string | undefined {
  if (acm.cloudFront !== true || CLOUDFRONT_KEYS.includes(keyAlgorithm)) return undefined;
  return `${keyAlgorithm} is not accepted by CloudFront; use ecdsa-p256 or an RSA key`;
}

/** ACM's name for each key algorithm, as DescribeCertificate reports it. */
export const ACM_KEY_ALGORITHM: Readonly<Record<KeyAlgorithm, string>> = {
  'ecdsa-p256': 'EC_prime256v1',
  'ecdsa-p384': 'EC_secp384r1',
  'rsa-2048': 'RSA_2048',
  'rsa-3072': 'RSA_3072',
  'rsa-4096': 'RSA_4096',
};
