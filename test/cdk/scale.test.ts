/**
 * Issue 16's goal, held: 10,000 certificates in one stack, a template under 200 KB and constant
 * in N. Synthesised at N = 0, 1 and 1,000 apex + wildcard certificates in one hosted zone (the
 * shape of bench/template-size.ts), the template has the same resources and the same largest IAM
 * policy whatever N is, and the functions' environments stay within Lambda's 4 KB.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { largestPolicy, scaleConfig } from '../../bench/template-size.js';
import { LAMBDA_ENVIRONMENT_BYTES } from '../../cdk/permissions.js';
import { configErrorOf, synthesise } from './support.js';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** CloudFormation's limits that a growing stack hit first, and the issue's goal. */
const TEMPLATE_GOAL_BYTES = 200_000;
const INLINE_POLICY_CHARACTERS = 10_240;

const resourcesOf = (template: Template) => (template.toJSON() as { Resources: Resources }).Resources;

/**
 * The longest a policy document can be once CloudFormation resolves it: every reference as a
 * 256-character ARN, which no role, table or key ARN of this stack reaches.
 */
function resolvedUpperBound(node: unknown): string {
  if (typeof node === 'string') return node;
  if (Array.isArray(node)) return `[${node.map((item) => JSON.stringify(resolvedUpperBound(item))).join(',')}]`;
  const value = node as Record<string, unknown>;
  if ('Fn::Join' in value) {
    const [separator, parts] = value['Fn::Join'] as [string, unknown[]];
    return parts.map(resolvedUpperBound).join(separator);
  }
  if ('Ref' in value || 'Fn::GetAtt' in value || 'Fn::Sub' in value) return 'x'.repeat(256);
  return `{${Object.entries(value)
    .map(([key, item]) => `${JSON.stringify(key)}:${typeof item === 'string' ? JSON.stringify(item) : resolvedUpperBound(item)}`)
    .join(',')}}`;
}

const largestResolvedPolicy = (resources: Resources): number =>
  Math.max(
    ...Object.values(resources)
      .filter((resource) => resource.Type === 'AWS::IAM::Policy')
      .map((resource) => resolvedUpperBound(resource.Properties?.PolicyDocument).length),
  );

let one: Resources;
let none: Resources;
let thousand: Resources;
let thousandBytes: number;

beforeAll(() => {
  one = resourcesOf(synthesise(scaleConfig(1), { bundle: false }).template);
  none = resourcesOf(synthesise(scaleConfig(0), { bundle: false }).template);
  const { template } = synthesise(scaleConfig(1000), { bundle: false });
  thousand = resourcesOf(template);
  thousandBytes = Buffer.byteLength(JSON.stringify(template.toJSON()));
}, 300_000);

describe('a stack of 1,000 certificates', () => {
  it('has a template under 200 KB', () => {
    expect(thousandBytes).toBeLessThan(TEMPLATE_GOAL_BYTES);
  });

  it('has exactly the resources of a stack of one certificate, and of none', () => {
    const types = (resources: Resources) =>
      Object.entries(resources)
        .map(([id, resource]) => `${resource.Type} ${id}`)
        .sort();
    expect(Object.keys(thousand)).toHaveLength(Object.keys(one).length);
    expect(types(thousand)).toEqual(types(one));
    expect(types(none)).toEqual(types(one));
  });

  it('has a largest IAM policy of the same size as with one certificate, within the 10,240-character inline policy limit', () => {
    // Act
    const largest = largestPolicy(thousand);

    // Assess
    expect(largest).toEqual(largestPolicy(one));
    expect(largestResolvedPolicy(thousand)).toBe(largestResolvedPolicy(one));
    expect(largestResolvedPolicy(thousand)).toBeLessThan(INLINE_POLICY_CHARACTERS);
  });
});

describe("the functions' environment", () => {
  it('is refused at synth, naming the policy variable and what to do, when the stack readers would take it over 4 KB', () => {
    // Prepare: 60 distinct roles with long paths, each named in CERTSTEP_CERTIFICATE_SECRET_POLICY.
    const readers = Array.from({ length: 60 }, (_, i) => `arn:aws:iam::123456789012:role/platform/teams/certificate-readers/reader-${i}`);

    // Act
    const message = configErrorOf(() => synthesise({ ...scaleConfig(1), readers }, { bundle: false }));

    // Assess
    expect(message).toMatch(/^configuration: the (Finalize|SyncCatalog) Lambda's environment would take up to \d+ bytes, over Lambda's 4096/);
    expect(message).toContain('CERTSTEP_CERTIFICATE_SECRET_POLICY');
    expect(message).toContain('name account roots');
    expect(LAMBDA_ENVIRONMENT_BYTES).toBe(4096);
  });

  it('is accepted with a handful of readers', () => {
    const readers = Array.from({ length: 5 }, (_, i) => `arn:aws:iam::123456789012:role/reader-${i}`);
    expect(() => synthesise({ ...scaleConfig(1), readers }, { bundle: false })).not.toThrow();
  });
});
