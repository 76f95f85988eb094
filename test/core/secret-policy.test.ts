/**
 * The resource policy of a certificate secret as the functions build it at run time: who may
 * read the key (the certstep roles, the ACM getters only for certificates going to ACM, the
 * stack's and the certificate's readers, account roots through their account), who may write
 * and move labels, and the settings' parse errors, which name the variable.
 */
import { describe, expect, it } from 'vitest';
import {
  type PolicyStatement,
  SECRET_POLICY_ENV,
  type SecretPolicySettings,
  certificateSecretPolicy,
  parseSecretPolicySettings,
} from '../../functions/core/secret-policy.js';

const role = (name: string) => `arn:aws:iam::123456789012:role/certstep-${name}`;
const SETTINGS: SecretPolicySettings = {
  get: [role('Finalize'), role('StoreCertificate')],
  getAcm: [role('ImportToAcm')],
  put: [role('Finalize'), role('StoreCertificate')],
  stage: [role('StoreCertificate'), role('CleanUp')],
  readers: ['arn:aws:iam::123456789012:role/web-task'],
};
const OTHER_ACCOUNT = 'arn:aws:iam::210987654321:root';
const OWN_READER = 'arn:aws:iam::123456789012:user/ops/deployer';

function statement(policy: { Statement: PolicyStatement[] }, sid: string): PolicyStatement | undefined {
  return policy.Statement.find((entry) => entry.Sid === sid);
}

describe('certificateSecretPolicy', () => {
  it('denies reading the value to all but the getters and the readers, writing to all but the writers, labels to all but the stagers', () => {
    // Act
    const policy = certificateSecretPolicy(SETTINGS, {});

    // Assess
    expect(policy.Version).toBe('2012-10-17');
    expect(statement(policy, 'OnlyCertstepAndReadersReadTheValue')).toEqual({
      Sid: 'OnlyCertstepAndReadersReadTheValue',
      Effect: 'Deny',
      Principal: '*',
      Action: 'secretsmanager:GetSecretValue',
      Resource: '*',
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': [...SETTINGS.get, ...SETTINGS.readers] } },
    });
    expect(statement(policy, 'OnlyCertstepWritesTheValue')).toMatchObject({
      Effect: 'Deny',
      Action: 'secretsmanager:PutSecretValue',
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': SETTINGS.put } },
    });
    expect(statement(policy, 'OnlyCertstepMovesTheLabels')).toMatchObject({
      Effect: 'Deny',
      Action: 'secretsmanager:UpdateSecretVersionStage',
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': SETTINGS.stage } },
    });
  });

  it('lets the ACM getters read only the keys of certificates imported into ACM', () => {
    const plain = certificateSecretPolicy(SETTINGS, {});
    const imported = certificateSecretPolicy(SETTINGS, { acm: { regions: ['eu-west-1'] } });

    const readers = (policy: typeof plain) => statement(policy, 'OnlyCertstepAndReadersReadTheValue')?.Condition?.ArnNotEquals?.['aws:PrincipalArn'];
    expect(readers(plain)).not.toContain(role('ImportToAcm'));
    expect(readers(imported)).toContain(role('ImportToAcm'));
  });

  it("adds the certificate's own readers to the stack's, once each, and allows them to read", () => {
    // Act
    const policy = certificateSecretPolicy(SETTINGS, { readers: [OWN_READER, SETTINGS.readers[0] as string] });

    // Assess
    expect(statement(policy, 'OnlyCertstepAndReadersReadTheValue')?.Condition?.ArnNotEquals?.['aws:PrincipalArn']).toEqual([
      ...SETTINGS.get,
      ...SETTINGS.readers,
      OWN_READER,
    ]);
    expect(statement(policy, 'ReadersReadTheValue')).toEqual({
      Sid: 'ReadersReadTheValue',
      Effect: 'Allow',
      Principal: { AWS: [...SETTINGS.readers, OWN_READER] },
      Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      Resource: '*',
    });
  });

  it("spares an account root through its account rather than its ARN, so that account's own IAM decides", () => {
    const policy = certificateSecretPolicy({ ...SETTINGS, readers: [] }, { readers: [OTHER_ACCOUNT] });

    const read = statement(policy, 'OnlyCertstepAndReadersReadTheValue');
    expect(read?.Condition).toEqual({
      ArnNotEquals: { 'aws:PrincipalArn': SETTINGS.get },
      StringNotEquals: { 'aws:PrincipalAccount': ['210987654321'] },
    });
    expect(statement(policy, 'ReadersReadTheValue')?.Principal).toEqual({ AWS: OTHER_ACCOUNT });
  });

  it('allows no one without readers: no Allow statement at all', () => {
    const policy = certificateSecretPolicy({ ...SETTINGS, readers: [] }, {});

    expect(policy.Statement.map((entry) => entry.Effect)).toEqual(['Deny', 'Deny', 'Deny']);
  });
});

describe('parseSecretPolicySettings', () => {
  it('reads the settings the stack writes', () => {
    expect(parseSecretPolicySettings(JSON.stringify(SETTINGS))).toEqual(SETTINGS);
  });

  it('keeps only the five lists', () => {
    expect(parseSecretPolicySettings(JSON.stringify({ ...SETTINGS, extra: ['x'] }))).toEqual(SETTINGS);
  });

  it.each([
    ['unset', undefined, `${SECRET_POLICY_ENV} is not set`],
    ['empty', '', `${SECRET_POLICY_ENV} is not set`],
    ['not JSON', '{get:', `${SECRET_POLICY_ENV} is not JSON`],
    ['null', 'null', `${SECRET_POLICY_ENV}.get must be a list of IAM principal ARNs`],
    ['a list missing', JSON.stringify({ ...SETTINGS, stage: undefined }), `${SECRET_POLICY_ENV}.stage must be a list`],
    ['a string for a list', JSON.stringify({ ...SETTINGS, put: role('Finalize') }), `${SECRET_POLICY_ENV}.put must be a list`],
    [
      'a session ARN',
      JSON.stringify({ ...SETTINGS, readers: ['arn:aws:sts::123456789012:assumed-role/web/i-1'] }),
      `${SECRET_POLICY_ENV}.readers must be a list`,
    ],
    ['a wildcard', JSON.stringify({ ...SETTINGS, getAcm: ['arn:aws:iam::123456789012:role/*'] }), `${SECRET_POLICY_ENV}.getAcm must be a list`],
  ])('refuses %s with a ConfigError naming the variable', (_label, text, message) => {
    expect(() => parseSecretPolicySettings(text)).toThrowError(expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining(message) }));
  });
});
