/**
 * The schema of a certificate's acm section. Apart from acm-config.ts so that the
 * functions that only import into ACM do not bundle zod.
 */
import * as z from 'zod/mini';
import type { AcmConfig } from './acm-config.js';
import { section } from './validation.js';

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const REGIONS_REASON = 'must be a non-empty array of AWS regions';
const regionReason = (issue: { input?: unknown }) => `must be an AWS region such as us-east-1 (got ${JSON.stringify(issue.input)})`;

export const acmSchema = z.pipe(
  section({
    regions: z
      .array(z.string({ error: regionReason }).check(z.regex(REGION, { error: regionReason })), { error: REGIONS_REASON })
      .check(z.minLength(1, { error: REGIONS_REASON })),
    cloudFront: z.optional(z.boolean({ error: 'must be a boolean' })),
  }).check(
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
