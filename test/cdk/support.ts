/**
 * Synthesises CertstepStack in-process from a configuration object, with the feature flags of
 * cdk.json (the CLI passes them to the app; an in-process App would not see them otherwise).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type Environment } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';
import { type CertificateInput, type CertstepConfigInput, ConfigError } from '../../cdk/config.js';
import { PROJECT_ROOT } from '../../cdk/definition.js';
import { CertstepStack } from '../../cdk/stack.js';

export const CDK_CONTEXT = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

export const ZONE = 'Z1';
export const OTHER_ZONE = 'Z2';

/** A configuration whose certificates are written out, as the tests' always are. */
export type TestConfig = CertstepConfigInput & { readonly certificates: readonly CertificateInput[] };

/** Two certificates sharing zone Z1, one name in Z2, an ACM import: what most deployments look like. */
export function testConfig(overrides: Partial<TestConfig> = {}): TestConfig {
  return {
    notificationEmail: 'ops@example.com',
    email: 'hostmaster@example.com',
    issuers: [{ preset: 'letsencrypt' }, { preset: 'letsencrypt-staging' }],
    certificates: [
      {
        name: 'web',
        dnsNames: ['example.com', '*.example.com', 'www.example.com'],
        issuer: 'letsencrypt',
        dns01: { route53: { hostedZoneId: ZONE } },
      },
      {
        name: 'api',
        dnsNames: ['api.example.net'],
        issuer: 'letsencrypt-staging',
        keyAlgorithm: 'rsa-2048',
        dns01: { route53: { zones: { 'example.net': { hostedZoneId: OTHER_ZONE } } } },
        acm: { regions: ['us-east-1', 'eu-west-1'] },
      },
    ],
    ...overrides,
  };
}

export interface Synthesised {
  readonly app: App;
  readonly stack: CertstepStack;
  readonly template: Template;
}

export interface SynthOptions {
  readonly env?: Environment;
  /**
   * Bundle the Lambdas with esbuild (a few seconds). Tests about the template's IAM or cdk-nag
   * findings skip it, as `cdk deploy --exclusively` does for other stacks; stack.test.ts bundles.
   */
  readonly bundle?: boolean;
}

export function synthesise(config: CertstepConfigInput = testConfig(), { env, bundle = true }: SynthOptions = {}): Synthesised {
  const context = { ...CDK_CONTEXT, ...(!bundle && { 'aws:cdk:bundling-stacks': [] }) };
  const app = new App({ context, outdir: mkdtempSync(join(tmpdir(), 'certstep-cdk-')) });
  const stack = new CertstepStack(app, 'CertstepTest', { config, ...(env && { env }) });
  return { app, stack, template: Template.fromStack(stack) };
}

/** The folder CDK staged for a Lambda function's code in `outdir`: what its deployment zip holds. */
export function lambdaCodeDirectory(outdir: string, lambda: { readonly Properties: Record<string, unknown> }): string {
  const key = (lambda.Properties.Code as { S3Key: string }).S3Key;
  return join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
}

export type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };
export type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };

export function statementsOf(template: Template): Array<Statement & { policy: string }> {
  const policies = template.findResources('AWS::IAM::Policy') as Record<string, Resource>;
  return Object.entries(policies).flatMap(([policy, resource]) =>
    (resource.Properties.PolicyDocument as { Statement: Statement[] }).Statement.map((statement) => ({ ...statement, policy })),
  );
}

export function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

export function resourcesOf(statement: Statement): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

/** The policy attached to the role of one function, by the function's name (CheckRenewal). */
export function functionStatements(template: Template, name: string): Statement[] {
  return statementsOf(template)
    .filter((statement) => statement.policy.startsWith(`RenewalFunctions${name}Role`))
    .map(({ policy: _policy, ...statement }) => statement);
}

/** The message of the ConfigError that `run` throws; fails the test when it throws anything else, or nothing. */
export function configErrorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}
