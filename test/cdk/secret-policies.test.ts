/**
 * Who can read a certificate's key, checked on the synthesised template: the resource policy
 * Finalize writes on each certificate secret it makes (from CERTSTEP_CERTIFICATE_SECRET_POLICY
 * and the certificate's spec in the catalog asset) denies reading and writing its value to every
 * principal but the roles IAM lets do it and the certificate's readers; account secrets carry
 * such a policy as stack resources; the stack's own key may be used through Secrets Manager
 * only. The expected roles come from the template's IAM policies and from FUNCTION_NEEDS, never
 * from the code under test, so the two cannot agree by construction.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CertstepConfigInput } from '../../cdk/config.js';
import { FUNCTION_NEEDS } from '../../cdk/permissions.js';
import type { CertificatesFileContent } from '../../cdk/triggers.js';
import type { CertificateSpec } from '../../functions/core/certificate-spec.js';
import { certificateSecretPolicy, parseSecretPolicySettings } from '../../functions/core/secret-policy.js';
import { type Resource, type Statement, actionsOf, configErrorOf, resourcesOf, synthesise, testConfig } from './support.js';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const OPS = 'arn:aws:iam::123456789012:role/platform/ops';
const WEB_TASK = 'arn:aws:iam::123456789012:role/web-task';
const PARTNER_ACCOUNT = '210987654321';
const PARTNER = `arn:aws:iam::${PARTNER_ACCOUNT}:root`;
const KEY_USE = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKey*', 'kms:ReEncrypt*', 'kms:CreateGrant', 'kms:*'];

const config: CertstepConfigInput = {
  ...testConfig(),
  secretsKey: 'stack',
  readers: [OPS],
  certificateReaders: { web: [WEB_TASK, PARTNER] },
};
/** Each certificate's readers, as configured above. */
const READERS: Record<string, string[]> = { web: [OPS, WEB_TASK, PARTNER], api: [OPS] };

type PolicyStatement = Statement & { Sid?: string; Principal?: unknown };

let app: App;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  ({ app, template } = synthesise(config, { bundle: false, env: ENV }));
  resources = template.toJSON().Resources as Record<string, Resource>;
});

/** A role's ARN as CloudFormation resolves it, made from its logical id (what `functionOfRole` reads back). */
const roleArn = (roleId: string) => `arn:aws:iam::${ENV.account}:role/${roleId}`;
/** A value of the template as CloudFormation would resolve it, roles by roleArn. */
const render = (value: unknown): string => {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(render).join(join[0]);
  const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  if (getAtt?.[1] === 'Arn') return roleArn(getAtt[0]);
  throw new Error(`cannot render ${JSON.stringify(value)}`);
};
/** The policy Finalize writes on a certificate's secret: the stack's settings, that certificate's spec from the asset. */
const certificatePolicyOf = (name: string): PolicyStatement[] => {
  const finalize = ofType('AWS::Lambda::Function').find(([id]) => id.startsWith('RenewalFunctionsFinalizeFunction'))?.[1];
  const settings = parseSecretPolicySettings(
    render((finalize?.Properties.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables.CERTSTEP_CERTIFICATE_SECRET_POLICY),
  );
  const [, sync] = ofType('Custom::CertstepCatalogSync')[0] as [string, Resource];
  const file = JSON.parse(readFileSync(join(app.outdir, `asset.${sync.Properties.Key as string}`), 'utf8')) as CertificatesFileContent;
  const spec = file.certificates.find((entry) => entry.name === name)?.input.certificate as CertificateSpec;
  // As Secrets Manager stores it, and as the tests below read the account secrets' policies.
  return JSON.parse(JSON.stringify(certificateSecretPolicy(settings, spec).Statement)) as PolicyStatement[];
};

const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
const secretId = (kind: 'Certificate' | 'Account', name: string): string => {
  const found = ofType('AWS::SecretsManager::Secret').find(([id]) => new RegExp(`^RenewalStorage${kind}${name.replace(/-/g, '')}[0-9A-F]{8}$`).test(id));
  if (!found) throw new Error(`no ${kind} secret ${name}`);
  return found[0];
};
const resourcePolicyOf = (secret: string): PolicyStatement[] => {
  const policies = ofType('AWS::SecretsManager::ResourcePolicy').filter(
    ([, resource]) => JSON.stringify(resource.Properties.SecretId) === JSON.stringify({ Ref: secret }),
  );
  expect(policies, secret).toHaveLength(1);
  return ((policies[0] as [string, Resource])[1].Properties.ResourcePolicy as { Statement: PolicyStatement[] }).Statement;
};
const functionOfRole = (roleId: string): string => {
  const match = /^(?:arn:aws:iam::\d{12}:role\/)?RenewalFunctions([A-Za-z]+)Role[0-9A-F]{8}$/.exec(roleId);
  if (!match) throw new Error(`not a function role: ${roleId}`);
  return match[1] as string;
};

/** Functions whose role IAM allows `action` on the secret (its logical id, or `certificate` for the certificate name prefix). */
function iamAllowed(secret: string, action: string): string[] {
  const onSecret = (resource: unknown) =>
    secret === 'certificate'
      ? /:secret:certstep\/certificates\/\*"/.test(JSON.stringify(resource))
      : JSON.stringify(resource) === JSON.stringify({ Ref: secret });
  return ofType('AWS::IAM::Policy')
    .filter(([, policy]) =>
      (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement.some(
        (statement) => statement.Effect === 'Allow' && actionsOf(statement).includes(action) && resourcesOf(statement).some(onSecret),
      ),
    )
    .flatMap(([, policy]) => (policy.Properties.Roles as Array<{ Ref: string }>).map((role) => functionOfRole(role.Ref)))
    .sort();
}

/** Who a Deny statement spares: function names for the stack's roles, ARNs and accounts for the others. */
function spared(statement: PolicyStatement): { functions: string[]; others: string[] } {
  const arns = (statement.Condition?.ArnNotEquals?.['aws:PrincipalArn'] ?? []) as unknown[];
  const accounts = (statement.Condition?.StringNotEquals?.['aws:PrincipalAccount'] ?? []) as string[];
  const isRole = (arn: unknown) => typeof arn !== 'string' || arn.includes(':role/RenewalFunctions');
  const functions = arns.filter(isRole).map((arn) => functionOfRole(typeof arn === 'string' ? arn : (arn as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0]));
  const others = [...arns.filter((arn): arn is string => !isRole(arn)), ...accounts.map((account) => `arn:aws:iam::${account}:root`)];
  return { functions: functions.sort(), others: others.sort() };
}

const denyOf = (statements: PolicyStatement[], action: string): PolicyStatement => {
  const denies = statements.filter((statement) => statement.Effect === 'Deny' && actionsOf(statement).includes(action));
  expect(denies, action).toHaveLength(1);
  const [deny] = denies as [PolicyStatement];
  // Everyone: `"*"` as functions/core/secret-policy.ts writes it, which CDK renders as {"AWS": "*"}.
  expect([{ AWS: '*' }, '*']).toContainEqual(deny.Principal);
  return deny;
};

/** Only certificates imported into ACM are read by ImportToAcm (its IAM grant is by name prefix). */
const ACM: Record<string, boolean> = { web: false, api: true };
const forCertificate = (name: string, functions: string[]) =>
  functions.filter((fn) => ACM[name] || !FUNCTION_NEEDS[fn]?.includes('certificate:read-acm') || FUNCTION_NEEDS[fn]?.includes('certificate:read'));

describe('a certificate secret', () => {
  it('is no stack resource, nor has a resource policy in the template: Finalize makes both', () => {
    expect(
      ofType('AWS::SecretsManager::Secret')
        .map(([id]) => id)
        .filter((id) => id.startsWith('RenewalStorageCertificate')),
    ).toEqual([]);
    expect(ofType('AWS::SecretsManager::ResourcePolicy')).toHaveLength(2);
  });

  it.each(['web', 'api'])('%s: only the roles IAM lets read it and its readers are spared the Deny on GetSecretValue', (name) => {
    // Act
    const deny = denyOf(certificatePolicyOf(name), 'secretsmanager:GetSecretValue');

    // Assess
    const readers = forCertificate(name, iamAllowed('certificate', 'secretsmanager:GetSecretValue'));
    expect(readers.length).toBeGreaterThan(0);
    expect(spared(deny)).toEqual({ functions: readers, others: [...(READERS[name] ?? [])].sort() });
  });

  it.each([
    ['web', 'secretsmanager:PutSecretValue'],
    ['web', 'secretsmanager:UpdateSecretVersionStage'],
    ['api', 'secretsmanager:PutSecretValue'],
    ['api', 'secretsmanager:UpdateSecretVersionStage'],
  ])('%s: only the roles IAM lets call %s are spared its Deny, and no reader', (name, action) => {
    // Act
    const deny = denyOf(certificatePolicyOf(name), action);

    // Assess
    const writers = iamAllowed('certificate', action);
    expect(writers.length).toBeGreaterThan(0);
    expect(spared(deny)).toEqual({ functions: writers, others: [] });
  });

  it('never spares a function that does not need the key (certificate:read or certificate:read-acm for an ACM certificate)', () => {
    for (const [name, acm] of [
      ['web', false],
      ['api', true],
    ] as const) {
      // Act
      const { functions } = spared(denyOf(certificatePolicyOf(name), 'secretsmanager:GetSecretValue'));

      // Assess: exactly the functions whose needs read this certificate, and some that do not exist to be refused.
      const needsKey = ([, needs]: [string, readonly string[]]) => needs.includes('certificate:read') || (acm && needs.includes('certificate:read-acm'));
      const deciders = Object.entries(FUNCTION_NEEDS)
        .filter((entry) => !needsKey(entry))
        .map(([fn]) => fn);
      expect(deciders.length, name).toBeGreaterThan(0);
      for (const decider of deciders) expect(functions, `${decider} on ${name}`).not.toContain(decider);
      expect(functions, name).toEqual(
        Object.entries(FUNCTION_NEEDS)
          .filter(needsKey)
          .map(([fn]) => fn)
          .sort(),
      );
    }
  });

  it('lets its readers, and only them, read it and describe it (a reader in another account needs this)', () => {
    for (const [name, readers] of Object.entries(READERS)) {
      const allows = certificatePolicyOf(name).filter((statement) => statement.Effect === 'Allow');
      expect(allows, name).toEqual([
        {
          Sid: 'ReadersReadTheValue',
          Effect: 'Allow',
          Principal: { AWS: readers.length === 1 ? readers[0] : readers },
          Action: expect.arrayContaining(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']),
          Resource: '*',
        },
      ]);
      expect(allows[0]?.Action, name).toHaveLength(2);
    }
  });

  it('has no Allow at all without readers, and still the Denies', () => {
    // Prepare
    const { template: plain } = synthesise(testConfig(), { bundle: false });
    const policies = Object.values(plain.findResources('AWS::SecretsManager::ResourcePolicy') as Record<string, Resource>);
    const finalize = Object.entries(plain.findResources('AWS::Lambda::Function')).find(([id]) =>
      id.startsWith('RenewalFunctionsFinalizeFunction'),
    )?.[1] as Resource;
    const settings = parseSecretPolicySettings(
      render((finalize.Properties.Environment as { Variables: Record<string, unknown> }).Variables.CERTSTEP_CERTIFICATE_SECRET_POLICY),
    );
    const certificate = { name: 'web', dnsNames: ['example.com'], issuer: 'letsencrypt' } as CertificateSpec;

    // Act
    const certificateStatements = certificateSecretPolicy(settings, certificate).Statement;

    // Assess: two accounts in the template, and the policy a certificate's secret gets.
    expect(policies).toHaveLength(2);
    for (const statements of [
      ...policies.map((policy) => (policy.Properties.ResourcePolicy as { Statement: PolicyStatement[] }).Statement),
      certificateStatements,
    ]) {
      expect(statements.length).toBeGreaterThan(0);
      expect(statements.every((statement) => statement.Effect === 'Deny')).toBe(true);
    }
  });
});

describe('an ACME account secret', () => {
  it.each(['letsencrypt', 'letsencrypt-staging'])('%s: only the functions that talk to the CA are spared the Deny, and no reader', (issuer) => {
    // Prepare
    const secret = secretId('Account', issuer);
    const statements = resourcePolicyOf(secret);

    // Act
    const deny = denyOf(statements, 'secretsmanager:GetSecretValue');

    // Assess
    const acme = Object.entries(FUNCTION_NEEDS)
      .filter(([, needs]) => needs.includes('acme'))
      .map(([fn]) => fn)
      .sort();
    expect(actionsOf(deny).sort()).toEqual(['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue']);
    expect(spared(deny)).toEqual({ functions: acme, others: [] });
    expect(iamAllowed(secret, 'secretsmanager:GetSecretValue')).toEqual(acme);
    expect(iamAllowed(secret, 'secretsmanager:PutSecretValue')).toEqual(acme);
    expect(statements.filter((statement) => statement.Effect === 'Allow')).toEqual([]);
  });
});

describe('accountAdmins', () => {
  const ADMIN = 'arn:aws:iam::123456789012:role/platform/certstep-admin';

  it('are spared the account secrets’ Deny, besides the functions, and appear in no certificate secret’s policy', () => {
    const { template: withAdmins } = synthesise({ ...config, accountAdmins: [ADMIN, 'arn:aws:iam::123456789012:root'] }, { bundle: false, env: ENV });
    const all = withAdmins.toJSON().Resources as Record<string, Resource>;
    const accountPolicies = Object.values(all).filter(
      (resource) => resource.Type === 'AWS::SecretsManager::ResourcePolicy' && JSON.stringify(resource.Properties).includes('OnlyCertstepUsesTheAccountKey'),
    );

    expect(accountPolicies.length).toBeGreaterThan(0);
    for (const policy of accountPolicies) {
      const statements = (policy.Properties.ResourcePolicy as { Statement: PolicyStatement[] }).Statement;
      const deny = denyOf(statements, 'secretsmanager:GetSecretValue');
      expect(spared(deny).others).toEqual([ADMIN, 'arn:aws:iam::123456789012:root']);
      expect(actionsOf(deny).sort()).toEqual(['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue']);
    }
    // Certificate secrets get their policy from the functions' CERTSTEP_CERTIFICATE_SECRET_POLICY: no admin there.
    const environments = Object.values(all)
      .filter((resource) => resource.Type === 'AWS::Lambda::Function')
      .map((fn) => JSON.stringify(fn.Properties.Environment ?? {}));
    expect(environments.some((environment) => environment.includes('CERTSTEP_CERTIFICATE_SECRET_POLICY'))).toBe(true);
    expect(environments.filter((environment) => environment.includes('certstep-admin'))).toEqual([]);
  });

  it('in another account fail synth, as the account secrets’ policies only deny', () => {
    expect(configErrorOf(() => synthesise({ ...config, accountAdmins: [`arn:aws:iam::${PARTNER_ACCOUNT}:role/admin`] }, { bundle: false, env: ENV }))).toBe(
      `configuration: accountAdmins: arn:aws:iam::${PARTNER_ACCOUNT}:role/admin is not in the stack's account 123456789012: the ACME account key can be used from the stack's account only; name a role there`,
    );
    expect(configErrorOf(() => synthesise({ ...config, accountAdmins: [ADMIN, `arn:aws:iam::${PARTNER_ACCOUNT}:role/admin`] }, { bundle: false }))).toContain(
      "accountAdmins name 2 accounts (123456789012, 210987654321): they must all be in the stack's account",
    );
  });
});

describe('the stack-owned key', () => {
  // The notification topic has a key of its own.
  const keyOf = (t: Template) =>
    Object.entries(t.findResources('AWS::KMS::Key') as Record<string, Resource & { DeletionPolicy?: string }>).filter(([id]) =>
      id.startsWith('RenewalStorageSecretsKey'),
    );

  it('encrypts every secret, rotates, and outlives the stack as the secrets do', () => {
    // Act
    const keys = keyOf(template);

    // Assess
    expect(keys).toHaveLength(1);
    const [[keyId, key]] = keys as [[string, Resource & { DeletionPolicy?: string; UpdateReplacePolicy?: string }]];
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe('Retain');
    expect(key.UpdateReplacePolicy).toBe('Retain');
    const secrets = ofType('AWS::SecretsManager::Secret');
    expect(secrets).toHaveLength(2);
    for (const [, secret] of secrets) expect(secret.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    // The certificate secrets, made by Finalize, and the policies re-applied by the sync: the same key.
    for (const name of ['Finalize', 'SyncCatalog']) {
      const fn = ofType('AWS::Lambda::Function').find(([id]) => id.startsWith(`RenewalFunctions${name}Function`))?.[1];
      expect((fn?.Properties.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables.CERTSTEP_SECRETS_KMS_KEY_ARN, name).toEqual({
        'Fn::GetAtt': [keyId, 'Arn'],
      });
    }
  });

  it('lets the account administer it, and anyone use it only through Secrets Manager', () => {
    // Prepare
    const [[, key]] = keyOf(template) as [[string, Resource]];
    const statements = (key.Properties.KeyPolicy as { Statement: PolicyStatement[] }).Statement;

    // Assess
    expect(statements.every((statement) => statement.Effect === 'Allow')).toBe(true);
    const admin = statements.find((statement) => statement.Sid === 'AdministerKey');
    expect(admin?.Principal).toEqual({ AWS: `arn:aws:iam::${ENV.account}:root` });
    expect(actionsOf(admin as Statement)).toEqual(expect.arrayContaining(['kms:Put*', 'kms:Enable*', 'kms:ScheduleKeyDeletion']));
    expect(actionsOf(admin as Statement).filter((action) => KEY_USE.includes(action))).toEqual([]);
    const using = statements.filter((statement) => actionsOf(statement).some((action) => KEY_USE.includes(action)));
    expect(using.length).toBeGreaterThanOrEqual(2);
    expect(using).not.toContainEqual(admin);
    for (const statement of using) {
      expect(statement.Condition, JSON.stringify(statement)).toEqual({ StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } });
    }
    const readers = statements.find((statement) => statement.Sid === 'ReadersDecryptThroughSecretsManager');
    expect(readers?.Action).toBe('kms:Decrypt');
    expect(readers?.Principal).toEqual({ AWS: [OPS, WEB_TASK, PARTNER] });
  });

  it('is not created by default, nor next to a configured kmsKeyArn', () => {
    for (const extra of [{}, { kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555' }]) {
      const { template: other } = synthesise(testConfig(extra), { bundle: false });
      expect(keyOf(other)).toEqual([]);
    }
  });

  it('gives the acme-dns registrations the same key', () => {
    // Prepare
    const base = testConfig();
    const acmeDns = { name: 'delegated', dnsNames: ['shop.example.org'], issuer: 'letsencrypt', dns01: { acmeDNS: { host: 'https://auth.example.org' } } };

    // Act
    const { template: withAcmeDns } = synthesise({ ...base, secretsKey: 'stack', certificates: [...base.certificates, acmeDns] } as CertstepConfigInput, {
      bundle: false,
    });

    // Assess
    const keyId = keyOf(withAcmeDns)[0]?.[0];
    expect(keyId).toBeDefined();
    withAcmeDns.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CERTSTEP_SECRETS_KMS_KEY_ARN: { 'Fn::GetAtt': [keyId, 'Arn'] } }) },
    });
  });
});

describe('readers in another account', () => {
  const foreign = { ...testConfig(), certificateReaders: { api: [PARTNER] } };

  it('fail synth with the AWS managed key, which no other account can use', () => {
    const error = configErrorOf(() => synthesise({ ...foreign, readers: [OPS] }, { bundle: false, env: ENV }));
    expect(error).toBe(
      `configuration: reader ${PARTNER} of certificate api is not in the stack's account 123456789012: the AWS managed key aws/secretsmanager cannot be used from another account. Set "secretsKey": "stack" (or kmsKeyArn to a key whose policy lets that account decrypt)`,
    );
  });

  it('fail synth when they span two accounts and the stack’s account is not known', () => {
    const error = configErrorOf(() => synthesise({ ...foreign, readers: [OPS] }, { bundle: false }));
    expect(error).toContain('is one of readers in 2 accounts, so some are not the stack');
  });

  it('are accepted with a customer-managed key, the stack’s or the configured one', () => {
    expect(() => synthesise({ ...foreign, secretsKey: 'stack' }, { bundle: false, env: ENV })).not.toThrow();
    const kmsKeyArn = 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555';
    expect(() => synthesise({ ...foreign, kmsKeyArn }, { bundle: false, env: ENV })).not.toThrow();
  });

  it('are warned about when the stack’s account is not known', () => {
    const { stack } = synthesise(foreign, { bundle: false });
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp(`readers are in account ${PARTNER_ACCOUNT}.*cannot check`));
    const { stack: same } = synthesise({ ...testConfig(), readers: [OPS] }, { bundle: false, env: ENV });
    Annotations.fromStack(same).hasNoWarning('*', Match.stringLikeRegexp('readers are in account'));
  });
});
