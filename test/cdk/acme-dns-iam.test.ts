/**
 * A stack with a certificate on acme-dns: it needs no hosted zone, and only the functions that
 * call acme-dns with credentials get Secrets Manager access, to the registration secrets of
 * exactly its names under the stack's prefix. A stack without acme-dns gets none of it.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CertstepConfigInput } from '../../cdk/config.js';
import { validateConfig } from '../../cdk/config.js';
import { type Resource, type Statement, actionsOf, configErrorOf, functionStatements, resourcesOf, statementsOf, synthesise, testConfig } from './support.js';

const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555';
const base = testConfig();
const config: CertstepConfigInput = {
  ...base,
  kmsKeyArn: KEY_ARN,
  certificates: [
    ...base.certificates,
    {
      name: 'delegated',
      dnsNames: ['shop.example.org', '*.shop.example.org', 'pay.example.org'],
      issuer: 'letsencrypt',
      dns01: { acmeDNS: { host: 'https://auth.example.org' } },
    },
  ],
};

const secretArn = (name: string) => ({
  'Fn::Join': [
    '',
    ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:secret:certstep/acme-dns/${name}`],
  ],
});
const acmeDnsStatements = (statements: Statement[]) => statements.filter((statement) => JSON.stringify(statement.Resource).includes('acme-dns'));
const environmentOf = (template: Template, name: string) => {
  const functions = template.findResources('AWS::Lambda::Function') as Record<string, Resource>;
  const [, fn] = Object.entries(functions).find(([id]) => id.startsWith(`RenewalFunctions${name}`) && !id.includes('Role')) ?? [];
  return ((fn?.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<string, unknown>;
};

let template: Template;
beforeAll(() => {
  ({ template } = synthesise(config, { bundle: false }));
});

describe('a stack with a certificate on acme-dns', () => {
  it('accepts the certificate without any hosted zone id, and grants Route 53 nothing for its names', () => {
    expect(() => validateConfig(config)).not.toThrow();
    expect(JSON.stringify(statementsOf(template))).not.toContain('_acme-challenge.shop.example.org');
  });

  it('lets CheckRenewal create and read, and PresentChallenges only read, the registration secrets, by the stack’s name prefix', () => {
    // Act
    const checkRenewal = acmeDnsStatements(functionStatements(template, 'CheckRenewal'));
    const present = acmeDnsStatements(functionStatements(template, 'PresentChallenges'));

    // Assess: names a certificate added by `certstep apply` may bring are covered too.
    const resources = secretArn('*');
    expect(checkRenewal).toEqual([{ Effect: 'Allow', Action: ['secretsmanager:CreateSecret', 'secretsmanager:GetSecretValue'], Resource: resources }]);
    expect(present).toEqual([{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: resources }]);
  });

  it('gives no other function the registrations', () => {
    const holders = statementsOf(template)
      .filter((statement) => JSON.stringify(statement.Resource).includes('acme-dns'))
      .map((statement) => statement.policy.replace(/Role.*$/, ''));
    expect(new Set(holders)).toEqual(new Set(['RenewalFunctionsCheckRenewal', 'RenewalFunctionsPresentChallenges']));
  });

  it('lets CheckRenewal encrypt the new secrets with the stack key, through Secrets Manager only', () => {
    const kms = functionStatements(template, 'CheckRenewal').filter((statement) => actionsOf(statement).some((action) => action.startsWith('kms:')));
    expect(kms).toHaveLength(1);
    expect(actionsOf(kms[0] as Statement)).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(resourcesOf(kms[0] as Statement)).toEqual([KEY_ARN]);
    expect(JSON.stringify(kms[0]?.Condition)).toContain('kms:ViaService');
    expect(actionsOf(functionStatements(template, 'PresentChallenges').find((statement) => actionsOf(statement).includes('kms:Decrypt')) as Statement)).toEqual(
      ['kms:Decrypt'],
    );
  });

  it('tells those functions the prefix and the key, and only those', () => {
    for (const name of ['CheckRenewal', 'PresentChallenges']) {
      expect(environmentOf(template, name), name).toMatchObject({
        CERTSTEP_ACME_DNS_SECRET_PREFIX: 'certstep/acme-dns/',
        CERTSTEP_SECRETS_KMS_KEY_ARN: KEY_ARN,
      });
    }
    for (const name of ['CheckPropagation', 'CleanUp', 'CreateOrder'])
      expect(environmentOf(template, name), name).not.toHaveProperty('CERTSTEP_ACME_DNS_SECRET_PREFIX');
  });
});

describe('a stack whose issuer uses acme-dns, with no certificate configured yet', () => {
  it('grants the registrations by prefix, so certificates added by certstep apply can register', () => {
    // Prepare
    const { certificates: _, ...rest } = testConfig();
    const issuerOnly: CertstepConfigInput = { ...rest, issuers: [{ preset: 'letsencrypt', dns01: { acmeDNS: { host: 'https://auth.example.org' } } }] };

    // Act
    const { template: synthesised } = synthesise(issuerOnly, { bundle: false });

    // Assess
    expect(acmeDnsStatements(functionStatements(synthesised, 'CheckRenewal'))).toEqual([
      { Effect: 'Allow', Action: ['secretsmanager:CreateSecret', 'secretsmanager:GetSecretValue'], Resource: secretArn('*') },
    ]);
    expect(environmentOf(synthesised, 'PresentChallenges')).toHaveProperty('CERTSTEP_ACME_DNS_SECRET_PREFIX', 'certstep/acme-dns/');
  });
});

describe('a stack without acme-dns', () => {
  it('grants no acme-dns secret and sets no acme-dns environment', () => {
    const { template: plain } = synthesise(testConfig(), { bundle: false });
    expect(JSON.stringify(statementsOf(plain))).not.toContain('acme-dns');
    expect(environmentOf(plain, 'CheckRenewal')).not.toHaveProperty('CERTSTEP_ACME_DNS_SECRET_PREFIX');
  });

  it('still demands a hosted zone id for a certificate on Route 53', () => {
    const message = configErrorOf(() =>
      validateConfig(testConfig({ certificates: [{ name: 'bare', dnsNames: ['bare.example.org'], issuer: 'letsencrypt' }] })),
    );
    expect(message).toContain('no hosted zone id');
  });
});
