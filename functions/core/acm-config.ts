/**
 * Optional import of each issued certificate into AWS Certificate Manager, so load balancers
 * and CloudFront distributions pick it up. Re-imports keep the ARN (attachments survive),
 * which is why ACM's and CloudFront's key rules are checked before anything is ordered.
 */
import { type KeyAlgorithm, fieldName } from './certificate-spec.js';

export interface AcmConfig {
  /** Regions to import into; CloudFront reads only us-east-1. */
  readonly regions: readonly string[];
  /** The certificate will serve CloudFront: only RSA and EC P-256 keys, and us-east-1 must be listed. */
  readonly cloudFront?: boolean;
}

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
/** What CloudFront accepts from ACM. */
const CLOUDFRONT_KEYS: readonly KeyAlgorithm[] = ['ecdsa-p256', 'rsa-2048', 'rsa-3072', 'rsa-4096'];

type Fail = (path: string, reason: string) => never;

export function parseAcmConfig(value: unknown, keyAlgorithm: KeyAlgorithm, fail: Fail): AcmConfig {
  const path = 'certificate.acm';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'must be a JSON object');
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) if (key !== 'regions' && key !== 'cloudFront') fail(`${path}.${fieldName(key)}`, 'unknown field');
  const regions = object.regions;
  if (!Array.isArray(regions) || regions.length === 0) fail(`${path}.regions`, 'must be a non-empty array of AWS regions');
  regions.forEach((region: unknown, index) => {
    if (typeof region !== 'string' || !REGION.test(region)) fail(`${path}.regions[${index}]`, `must be an AWS region such as us-east-1 (got ${JSON.stringify(region)})`);
  });
  if (new Set(regions).size !== regions.length) fail(`${path}.regions`, 'lists a region twice');
  if (object.cloudFront !== undefined && typeof object.cloudFront !== 'boolean') fail(`${path}.cloudFront`, 'must be a boolean');
  if (object.cloudFront === true) {
    if (!regions.includes('us-east-1')) fail(`${path}.regions`, 'must include us-east-1: CloudFront only uses certificates imported there');
    if (!CLOUDFRONT_KEYS.includes(keyAlgorithm)) {
      fail('certificate.keyAlgorithm', `${keyAlgorithm} is not accepted by CloudFront; use ecdsa-p256 or an RSA key`);
    }
  }
  return { regions: regions as string[], ...(object.cloudFront === true && { cloudFront: true }) };
}

/** ACM's name for each key algorithm, as DescribeCertificate reports it. */
export const ACM_KEY_ALGORITHM: Readonly<Record<KeyAlgorithm, string>> = {
  'ecdsa-p256': 'EC_prime256v1',
  'ecdsa-p384': 'EC_secp384r1',
  'rsa-2048': 'RSA_2048',
  'rsa-3072': 'RSA_3072',
  'rsa-4096': 'RSA_4096',
};
