/**
 * How the CloudFormation template grows with the number of certificates: CertstepStack is
 * synthesised in-process (no cdk CLI, Lambdas not bundled: bundling does not change the
 * template, only the asset hashes in it) for N apex + wildcard certificates in one hosted zone.
 * Prints, per N: template bytes (minified JSON, what CloudFormation's 1 MB limit counts),
 * resource count (limit 500), synth time, and the largest IAM policy document in the template
 * (bytes of its minified JSON with CloudFormation functions unresolved, and which role).
 *
 *   npm run bench:template            # N = 1, 100, 1000
 *   npm run bench:template -- 1 10000
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CertificateInput, CertstepConfigInput } from '../cdk/config.js';
import { PROJECT_ROOT } from '../cdk/definition.js';
import { CertstepStack } from '../cdk/stack.js';

const CDK_CONTEXT = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

export interface TemplateSize {
  readonly certificates: number;
  readonly bytes: number;
  readonly resources: number;
  readonly synthMilliseconds: number;
  readonly largestPolicy: { readonly bytes: number; readonly role: string };
}

/** N certificates `site-<i>`: `site-<i>.example.com` and `*.site-<i>.example.com`, all in zone Z1. */
export function scaleConfig(n: number): CertstepConfigInput {
  const certificates: CertificateInput[] = Array.from({ length: n }, (_, i) => ({
    name: `site-${i}`,
    dnsNames: [`site-${i}.example.com`, `*.site-${i}.example.com`],
    issuer: 'letsencrypt',
    dns01: { route53: { hostedZoneId: 'Z1' } },
  }));
  return { notificationEmail: 'ops@example.com', email: 'hostmaster@example.com', issuers: [{ preset: 'letsencrypt' }], certificates };
}

type Resource = { Type: string; Properties?: Record<string, unknown> };

/** The largest AWS::IAM::Policy document, and the role(s) it is attached to (their logical ids). */
export function largestPolicy(resources: Record<string, Resource>): { bytes: number; role: string } {
  let largest = { bytes: 0, role: '' };
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    const bytes = Buffer.byteLength(JSON.stringify(resource.Properties?.PolicyDocument));
    const roles = (resource.Properties?.Roles as Array<{ Ref?: string }> | undefined)?.map((role) => role.Ref ?? JSON.stringify(role)).join(',') ?? id;
    if (bytes > largest.bytes) largest = { bytes, role: roles };
  }
  return largest;
}

export function measureTemplate(n: number): TemplateSize {
  const outdir = mkdtempSync(join(tmpdir(), 'certstep-template-size-'));
  try {
    const started = performance.now();
    // Without CDK's own 500-resource check, so a stack over the limit is measured instead of refused.
    const context = { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:stackResourceLimit': 0 };
    const app = new App({ context, outdir });
    const stack = new CertstepStack(app, 'CertstepScale', { config: scaleConfig(n) });
    Validations.of(stack).acknowledge(
      { id: 'CloudFormation-Validate::F0007', reason: 'measured, not deployed: the resource count is what is reported' },
      { id: '@aws-cdk/core:Stack.templateSize', reason: 'measured, not deployed: the template size is what is reported' },
    );
    const json = Template.fromStack(stack).toJSON() as { Resources: Record<string, Resource> };
    const synthMilliseconds = performance.now() - started;
    return {
      certificates: n,
      bytes: Buffer.byteLength(JSON.stringify(json)),
      resources: Object.keys(json.Resources).length,
      synthMilliseconds,
      largestPolicy: largestPolicy(json.Resources),
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop() ?? '');
if (isMain) {
  const counts = process.argv.slice(2).map(Number);
  console.log('N\ttemplate bytes\tresources\tsynth s\tlargest IAM policy bytes\trole');
  for (const n of counts.length > 0 ? counts : [1, 100, 1000]) {
    const size = measureTemplate(n);
    console.log([n, size.bytes, size.resources, (size.synthMilliseconds / 1000).toFixed(1), size.largestPolicy.bytes, size.largestPolicy.role].join('\t'));
  }
}
