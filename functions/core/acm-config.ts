/**
 * Optional import of each issued certificate into AWS Certificate Manager, so load balancers
 * and CloudFront distributions pick it up. Re-imports keep the ARN (attachments survive),
 * which is why ACM's and CloudFront's key rules are checked before anything is ordered.
 */
import * as z from 'zod/mini';
import type { KeyAlgorithm } from './key-algorithm.js';

export interface AcmConfig {
  /** Regions to import into; CloudFront reads only us-east-1. */
  readonly regions: readonly string[];
  /** The certificate will serve CloudFront: only RSA and EC P-256 keys, and us-east-1 must be listed. */
  readonly cloudFront?: boolean;
}

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
/** What CloudFront accepts from ACM. */
const CLOUDFRONT_KEYS: readonly KeyAlgorithm[] = ['ecdsa-p256', 'rsa-2048', 'rsa-3072', 'rsa-4096'];

const REGIONS_REASON = 'must be a non-empty array of AWS regions';
const regionReason = (issue: { input?: unknown }) => `must be an AWS region such as us-east-1 (got ${JSON.stringify(issue.input)})`;

export const acmSchema = z.pipe(
  z
    .strictObject(
      {
        regions: z.array(z.string({ error: regionReason }).check(z.regex(REGION, { error: regionReason })), { error: REGIONS_REASON }).check(z.minLength(1, { error: REGIONS_REASON })),
        cloudFront: z.optional(z.boolean({ error: 'must be a boolean' })),
      },
      { error: (issue) => (issue.code === 'unrecognized_keys' ? 'unknown field' : 'must be a JSON object') },
    )
    .check(
      z.superRefine(({ regions, cloudFront }, ctx) => {
        if (new Set(regions).size !== regions.length) ctx.addIssue({ code: 'custom', path: ['regions'], message: 'lists a region twice' });
        else if (cloudFront === true && !regions.includes('us-east-1')) {
          ctx.addIssue({ code: 'custom', path: ['regions'], message: 'must include us-east-1: CloudFront only uses certificates imported there' });
        }
      }),
    ),
  // cloudFront false says nothing the absence of the field does not.
  z.transform(({ regions, cloudFront }): AcmConfig => ({ regions, ...(cloudFront === true && { cloudFront: true }) })),
);

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
