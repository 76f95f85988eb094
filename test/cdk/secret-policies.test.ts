/**
 * Who can read a certificate's key, checked on the synthesised template: each certificate
 * secret's resource policy denies reading and writing its value to every principal but the
 * roles IAM lets do it and the certificate's readers; the stack's own key may be used through
 * Secrets Manager only. The expected roles come from the template's IAM policies and from
 * FUNCTION_NEEDS, never from the code under test, so the two cannot agree by construction.
 */
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CertstepConfigInput } from '../../cdk/config.js';
import { FUNCTION_NEEDS } from '../../cdk/permissions.js';
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

let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  ({ template } = synthesise(config, { bundle: false, env: ENV }));
  resources = template.toJSON().Resources as Record<string, Resource>;
});

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
  const match = /^RenewalFunctions([A-Za-z]+)Role[0-9A-F]{8}$/.exec(roleId);
  if (!match) throw new Error(`not a function role: ${roleId}`);
  return match[1] as string;
};

/** Functions whose role IAM allows `action` on the secret, read from the template's IAM policies. */
function iamAllowed(secret: string, action: string): string[] {
  return ofType('AWS::IAM::Policy')
    .filter(([, policy]) =>
      (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement.some(
        (statement) =>
          statement.Effect === 'Allow' &&
          actionsOf(statement).includes(action) &&
          resourcesOf(statement).some((resource) => JSON.stringify(resource) === JSON.stringify({ Ref: secret })),
      ),
    )
    .flatMap(([, policy]) => (policy.Properties.Roles as Array<{ Ref: string }>).map((role) => functionOfRole(role.Ref)))
    .sort();
}

/** Who a Deny statement spares: function names for the stack's roles, ARNs and accounts for the others. */
function spared(statement: PolicyStatement): { functions: string[]; others: string[] } {
  const arns = (statement.Condition?.ArnNotEquals?.['aws:PrincipalArn'] ?? []) as unknown[];
  const accounts = (statement.Condition?.StringNotEquals?.['aws:PrincipalAccount'] ?? []) as string[];
  const functions = arns.flatMap((arn) => (typeof arn === 'string' ? [] : [functionOfRole((arn as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0])]));
  const others = [...arns.filter((arn): arn is string => typeof arn === 'string'), ...accounts.map((account) => `arn:aws:iam::${account}:root`)];
  return { functions: functions.sort(), others: others.sort() };
}

const denyOf = (statements: PolicyStatement[], action: string): PolicyStatement => {
  const denies = statements.filter((statement) => statement.Effect === 'Deny' && actionsOf(statement).includes(action));
  expect(denies, action).toHaveLength(1);
  const [deny] = denies as [PolicyStatement];
  expect(deny.Principal).toEqual({ AWS: '*' });
  return deny;
};

describe('a certificate secret', () => {
  it.each(['web', 'api'])('%s: only the roles IAM lets read it and its readers are spared the Deny on GetSecretValue', (name) => {
    // Prepare
    const secret = secretId('Certificate', name);

    // Act
    const deny = denyOf(resourcePolicyOf(secret), 'secretsmanager:GetSecretValue');

    // Assess
    const readers = iamAllowed(secret, 'secretsmanager:GetSecretValue');
    expect(readers.length).toBeGreaterThan(0);
    expect(spared(deny)).toEqual({ functions: readers, others: [...(READERS[name] ?? [])].sort() });
  });

  it.each([
    ['web', 'secretsmanager:PutSecretValue'],
    ['web', 'secretsmanager:UpdateSecretVersionStage'],
    ['api', 'secretsmanager:PutSecretValue'],
    ['api', 'secretsmanager:UpdateSecretVersionStage'],
  ])('%s: only the roles IAM lets call %s are spared its Deny, and no reader', (name, action) => {
    // Prepare
    const secret = secretId('Certificate', name);

    // Act
    const deny = denyOf(resourcePolicyOf(secret), action);

    // Assess
    const writers = iamAllowed(secret, action);
    expect(writers.length).toBeGreaterThan(0);
    expect(spared(deny)).toEqual({ functions: writers, others: [] });
  });

  it('never spares a function that does not need the key (certificate:read or certificate:read-acm for an ACM certificate)', () => {
    for (const [name, acm] of [
      ['web', false],
      ['api', true],
    ] as const) {
      // Act
      const { functions } = spared(denyOf(resourcePolicyOf(secretId('Certificate', name)), 'secretsmanager:GetSecretValue'));

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
      const allows = resourcePolicyOf(secretId('Certificate', name)).filter((statement) => statement.Effect === 'Allow');
      expect(allows, name).toEqual([
        {
          Sid: 'ReadersReadTheValue',
          Effect: 'Allow',
          Principal: { AWS: readers.length === 1 ? readers[0] : readers },
          Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
          Resource: '*',
        },
      ]);
    }
  });

  it('has no Allow at all without readers, and still the Denies', () => {
    // Prepare
    const { template: plain } = synthesise(testConfig(), { bundle: false });
    const policies = Object.values(plain.findResources('AWS::SecretsManager::ResourcePolicy') as Record<string, Resource>);

    // Assess: two certificates and two accounts.
    expect(policies).toHaveLength(4);
    for (const policy of policies) {
      const statements = (policy.Properties.ResourcePolicy as { Statement: PolicyStatement[] }).Statement;
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
    expect(secrets).toHaveLength(4);
    for (const [, secret] of secrets) expect(secret.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
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
