/**
 * cdk-nag's AwsSolutions pack finds nothing that cdk/nag.ts does not acknowledge, and every
 * acknowledgement says why. cdk-nag 3 is a CDK validation plugin (`Validations.of(app)`, as
 * cdk/app.ts registers it) rather than an Aspect; validateScope runs the same checks directly.
 */
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import type { CertstepConfigInput } from '../../cdk/config.js';
import { synthesise, testConfig } from './support.js';

const base = testConfig();
/** Everything that adds IAM wildcards or findings: a CMK, EAB, a role-delegated zone, ACM in two regions. */
const fullConfig: CertstepConfigInput = {
  ...base,
  kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555',
  issuers: [
    ...base.issuers,
    { name: 'zerossl', directoryUrl: 'https://acme.zerossl.com/v2/DV90', eab: { keyId: 'kid', hmacKeySecretName: 'certstep/eab/zerossl' } },
  ],
  certificates: [
    ...base.certificates,
    {
      name: 'partner',
      dnsNames: ['shop.partner.example'],
      issuer: 'zerossl',
      dns01: { route53: { hostedZoneId: 'Z3', role: 'arn:aws:iam::210987654321:role/dns' } },
    },
  ],
};

function findings(app: App): string[] {
  const report = new AwsSolutionsChecks(app).validateScope(app);
  return report.violations.map(
    (violation) =>
      `${violation.ruleName} at ${violation.violatingResources.map((resource) => (resource as { constructPath?: string }).constructPath).join(', ')}`,
  );
}

function acknowledgements(root: IConstruct): Array<{ path: string; id: string; reason: string }> {
  return root.node
    .findAll()
    .flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) => Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ path: construct.node.path, id, reason }))),
    );
}

describe('cdk-nag AwsSolutions', () => {
  it.each([
    ['an environment-agnostic stack', undefined],
    ['a stack with a known account and region', { account: '123456789012', region: 'eu-west-1' }],
  ])('reports no unacknowledged finding for %s', (_case, env) => {
    // Prepare
    const { app } = synthesise(fullConfig, { bundle: false, ...(env && { env }) });

    // Act
    const unacknowledged = findings(app);

    // Assess
    expect(unacknowledged).toEqual([]);
  });

  it('reports no unacknowledged finding for readers and the stack-owned key', () => {
    // Prepare
    const readers = { readers: ['arn:aws:iam::123456789012:role/ops'], certificateReaders: { web: ['arn:aws:iam::210987654321:root'] } };
    const { app } = synthesise({ ...testConfig(), secretsKey: 'stack', ...readers }, { bundle: false, env: { account: '123456789012', region: 'eu-west-1' } });

    // Act
    const unacknowledged = findings(app);

    // Assess
    expect(unacknowledged).toEqual([]);
  });

  it('passes the validation plugin that `cdk synth` runs', () => {
    const { app } = synthesise(testConfig(), { bundle: false });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth({ force: true })).not.toThrow();
  });

  it('acknowledges each finding on a named resource, for a specific reason', () => {
    // Prepare
    const { app } = synthesise(fullConfig, { bundle: false });

    // Act
    const acknowledged = acknowledgements(app);

    // Assess
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { path, id, reason } of acknowledged) {
      expect(id, path).toMatch(/AwsSolutions-(IAM5\[Resource::.+\]|SMG4|SQS3|L1)$/);
      expect(reason.length, `${id} at ${path}`).toBeGreaterThan(60);
      // Acknowledged where the finding is, never for the whole stack or construct.
      expect(['CertstepTest', 'CertstepTest/Renewal'], `${id} at ${path}`).not.toContain(path);
    }
    const wildcards = acknowledged.filter(({ id }) => id.includes('IAM5')).map(({ id }) => id);
    expect(wildcards).toEqual(
      expect.arrayContaining([expect.stringContaining(':route53:::change/*]'), expect.stringContaining(':schedule/certstep-renewals/*]')]),
    );
  });
});
