/**
 * Least privilege, checked on the synthesised policies: Route 53 only on the configured zones
 * and challenge names, certificate secrets only by the stack's name prefix (they are made at
 * first issuance), account secrets by ARN, the scheduler role only able to start this state
 * machine. The configuration adds what makes IAM interesting: a cross-account zone behind a
 * role, a customer-managed key and an EAB secret.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CertstepConfigInput } from '../../cdk/config.js';
import { roleSessionName } from '../../functions/core/role-session-name.js';
import {
  type Resource,
  type Statement,
  OTHER_ZONE,
  ZONE,
  actionsOf,
  functionStatements,
  resourcesOf,
  statementsOf,
  synthesise,
  testConfig,
} from './support.js';

const PARTNER_ROLE = 'arn:aws:iam::210987654321:role/certstep-dns';
const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555';

const base = testConfig();
const config: CertstepConfigInput = {
  ...base,
  kmsKeyArn: KEY_ARN,
  issuers: [
    ...base.issuers,
    { name: 'zerossl', directoryUrl: 'https://acme.zerossl.com/v2/DV90', eab: { keyId: 'kid-1', hmacKeySecretName: 'certstep/eab/zerossl' } },
  ],
  certificates: [
    ...base.certificates,
    {
      name: 'partner',
      dnsNames: ['shop.partner.example'],
      issuer: 'zerossl',
      dns01: { route53: { hostedZoneId: 'Z3', role: PARTNER_ROLE, externalId: 'certstep' } },
    },
  ],
};

const zoneArn = (id: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:route53:::hostedzone/${id}`]] });
const grants = <S extends Statement>(statements: S[], action: string): S[] => statements.filter((statement) => actionsOf(statement).includes(action));

let template: Template;
let all: ReturnType<typeof statementsOf>;

beforeAll(() => {
  ({ template } = synthesise(config, { bundle: false }));
  all = statementsOf(template);
});

describe('Route 53', () => {
  it('allows ChangeResourceRecordSets on the configured zones for _acme-challenge.* names only, TXT only, CREATE and DELETE only', () => {
    // Act
    const changes = grants(functionStatements(template, 'PresentChallenges'), 'route53:ChangeResourceRecordSets');

    // Assess: one statement for Z1 and Z2, whatever certificates use them (certstep apply adds more without a deploy).
    expect(changes).toEqual([
      {
        Effect: 'Allow',
        Action: 'route53:ChangeResourceRecordSets',
        Resource: [zoneArn(ZONE), zoneArn(OTHER_ZONE)],
        Condition: {
          'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['_acme-challenge.*'] },
          'ForAllValues:StringEquals': {
            'route53:ChangeResourceRecordSetsRecordTypes': ['TXT'],
            'route53:ChangeResourceRecordSetsActions': ['CREATE', 'DELETE'],
          },
        },
      },
    ]);
  });

  it('also names the zones the issuers’ dns01 names, direct and behind a role, with no certificate using them', () => {
    // Prepare
    const { certificates: _, ...rest } = testConfig();
    const zonesOnly: CertstepConfigInput = {
      ...rest,
      issuers: [
        {
          preset: 'letsencrypt',
          dns01: {
            route53: { hostedZoneId: 'Z5', zones: { 'example.org': { hostedZoneId: 'Z6' }, 'partner.example': { hostedZoneId: 'Z3', role: PARTNER_ROLE } } },
          },
        },
      ],
    };

    // Act
    const statements = statementsOf(synthesise(zonesOnly, { bundle: false }).template);

    // Assess
    expect(grants(statements, 'route53:ChangeResourceRecordSets')[0]?.Resource).toEqual([zoneArn('Z5'), zoneArn('Z6')]);
    expect(grants(statements, 'sts:AssumeRole')[0]?.Resource).toBe(PARTNER_ROLE);
    expect(JSON.stringify(statements)).not.toContain('hostedzone/Z3');
  });

  it('grants the same record changes to CleanUp and the sweeper of ended runs, and to nobody else', () => {
    const changers = all.filter((statement) => actionsOf(statement).includes('route53:ChangeResourceRecordSets'));
    expect(new Set(changers.map((statement) => statement.policy.replace(/Role.*$/, '')))).toEqual(
      new Set(['RenewalFunctionsPresentChallenges', 'RenewalFunctionsCleanUp', 'RenewalFunctionsSweepEndedRun']),
    );
    for (const statement of changers) {
      expect(statement.Condition?.['ForAllValues:StringEquals']?.['route53:ChangeResourceRecordSetsRecordTypes']).toEqual(['TXT']);
      expect(statement.Resource).toEqual([zoneArn(ZONE), zoneArn(OTHER_ZONE)]);
      expect(statement.Condition?.['ForAllValues:StringLike']?.['route53:ChangeResourceRecordSetsNormalizedRecordNames']).toEqual(['_acme-challenge.*']);
    }
  });

  it('never grants Route 53 on a zone that is changed through an assumed role; grants sts:AssumeRole on that role only', () => {
    expect(JSON.stringify(all)).not.toContain('hostedzone/Z3');
    const assume = all.filter((statement) => actionsOf(statement).includes('sts:AssumeRole'));
    expect(assume.length).toBeGreaterThan(0);
    for (const statement of assume) expect(statement.Resource).toBe(PARTNER_ROLE);
  });

  it('lets the functions assume the zone role only with a certstep- session name, the prefix each certificate session has', () => {
    const assume = all.filter((statement) => actionsOf(statement).includes('sts:AssumeRole'));
    expect(assume.map((statement) => statement.policy.replace(/Role.*$/, '')).sort()).toEqual([
      'RenewalFunctionsCheckPropagation',
      'RenewalFunctionsCheckRenewal',
      'RenewalFunctionsCleanUp',
      'RenewalFunctionsPresentChallenges',
      'RenewalFunctionsSweepEndedRun',
    ]);
    for (const statement of assume) expect(statement.Condition).toEqual({ StringLike: { 'sts:RoleSessionName': 'certstep-*' } });
    expect(roleSessionName('partner')).toMatch(/^certstep-/);
  });

  it('reads zones only where the code does, GetChange only in CheckPropagation, and never ListHostedZones', () => {
    expect(grants(all, 'route53:ListHostedZones')).toEqual([]);
    const getChange = grants(all, 'route53:GetChange');
    expect(getChange.map((statement) => statement.policy.replace(/Role.*$/, ''))).toEqual(['RenewalFunctionsCheckPropagation']);
    expect(getChange[0]?.Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':route53:::change/*']] });
    expect(grants(functionStatements(template, 'CheckRenewal'), 'route53:GetHostedZone')[0]?.Resource).toEqual([zoneArn(ZONE), zoneArn(OTHER_ZONE)]);
    expect(grants(functionStatements(template, 'CheckRenewal'), 'route53:ListResourceRecordSets')).toEqual([]);
  });
});

describe('Route 53 with cnameStrategy Follow', () => {
  // Names hosted elsewhere (Z8 would be their own zone, were it in Route 53) whose challenges are CNAMEs into Z7.
  const TARGET_ZONE = 'Z7';
  const NAMES_ZONE = 'Z8';
  let follow: Template;
  beforeAll(() => {
    const followBase = testConfig();
    ({ template: follow } = synthesise(
      {
        ...followBase,
        certificates: [
          ...followBase.certificates,
          {
            name: 'shop',
            dnsNames: ['www.example.org', 'example.org', '*.example.org'],
            issuer: 'letsencrypt',
            dns01: {
              cnameStrategy: 'Follow',
              route53: {
                hostedZoneId: NAMES_ZONE,
                cnameTargets: { 'www.example.org': 'www-example-org.acme.example.net', 'example.org': 'example-org.acme.example.net' },
                zones: { 'acme.example.net': { hostedZoneId: TARGET_ZONE } },
              },
            },
          },
        ],
      },
      { bundle: false },
    ));
  });

  it('allows ChangeResourceRecordSets on the target zone for challenge names and exactly the target names, TXT only, CREATE and DELETE only', () => {
    const changers = grants(statementsOf(follow), 'route53:ChangeResourceRecordSets');
    const onTarget = changers.filter((statement) => JSON.stringify(statement.Resource) === JSON.stringify(zoneArn(TARGET_ZONE)));
    expect(new Set(onTarget.map((statement) => statement.policy.replace(/Role.*$/, '')))).toEqual(
      new Set(['RenewalFunctionsPresentChallenges', 'RenewalFunctionsCleanUp', 'RenewalFunctionsSweepEndedRun']),
    );
    for (const statement of onTarget) {
      expect(statement.Condition).toEqual({
        'ForAllValues:StringLike': {
          'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['_acme-challenge.*', 'example-org.acme.example.net', 'www-example-org.acme.example.net'],
        },
        'ForAllValues:StringEquals': {
          'route53:ChangeResourceRecordSetsRecordTypes': ['TXT'],
          'route53:ChangeResourceRecordSetsActions': ['CREATE', 'DELETE'],
        },
      });
    }
  });

  it("grants nothing on the names' own challenge records or zone, which keep the CNAMEs certstep never changes", () => {
    const text = JSON.stringify(statementsOf(follow));
    expect(text).not.toContain('_acme-challenge.www.example.org');
    expect(text).not.toContain('_acme-challenge.example.org');
    expect(text).not.toContain(`hostedzone/${NAMES_ZONE}`);
    expect(grants(functionStatements(follow, 'CheckRenewal'), 'route53:GetHostedZone')[0]?.Resource).toEqual([
      zoneArn(ZONE),
      zoneArn(OTHER_ZONE),
      zoneArn(TARGET_ZONE),
    ]);
  });
});

describe('Secrets Manager and KMS', () => {
  it('never grants a secretsmanager action on "*" or on a wildcard other than an EAB secret suffix or the certificate secrets’ name prefix', () => {
    const secretStatements = all.filter((statement) => actionsOf(statement).some((action) => action.startsWith('secretsmanager:')));
    expect(secretStatements.length).toBeGreaterThan(0);
    for (const statement of secretStatements) {
      for (const resource of resourcesOf(statement)) {
        expect(resource).not.toBe('*');
        if (typeof resource !== 'object') continue;
        const text = JSON.stringify(resource);
        if (text.includes('*') && !text.endsWith(':secret:certstep/certificates/*"]]}'))
          throw new Error(`wildcard secret resource in ${statement.policy}: ${text}`);
      }
    }
  });

  it('gives each function only the secret calls its code makes', () => {
    // Prepare
    const secretActions = (name: string) =>
      [
        ...new Set(
          functionStatements(template, name)
            .flatMap(actionsOf)
            .filter((action) => action.startsWith('secretsmanager:')),
        ),
      ].sort();

    // Assess
    expect(secretActions('CheckRenewal')).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
    // The sweep puts back the secret policies an upgrade deleted; it never reads a certificate's value.
    expect(secretActions('Sweep')).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutResourcePolicy']);
    expect(secretActions('CreateOrder')).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue']);
    expect(secretActions('StoreCertificate')).toContain('secretsmanager:UpdateSecretVersionStage');
    expect(secretActions('Finalize')).not.toContain('secretsmanager:UpdateSecretVersionStage');
    // CleanUp finds and drops unused pending keys by their labels: it can never read one.
    expect(secretActions('CleanUp')).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:UpdateSecretVersionStage']);
    for (const name of ['PresentChallenges', 'CheckPropagation', 'ScheduleRenewal']) expect(secretActions(name), name).toEqual([]);
  });

  it('lets only Finalize, StoreCertificate and ImportToAcm read a certificate secret, which holds the key', () => {
    // Prepare: any statement that could return a certificate secret's value, from any policy of the stack.
    const readsValue = (action: string) => /^secretsmanager:(GetSecretValue|Get\*|\*)$/.test(action) || action === '*';
    const onCertificate = (resource: unknown) => /RenewalStorageCertificate|:secret:certstep\/certificates\//.test(JSON.stringify(resource));

    // Act
    const readers = all.filter((statement) => actionsOf(statement).some(readsValue) && resourcesOf(statement).some(onCertificate));

    // Assess
    expect([...new Set(readers.map((statement) => statement.policy.replace(/Role.*$/, '')))].sort()).toEqual([
      'RenewalFunctionsFinalize',
      'RenewalFunctionsImportToAcm',
      'RenewalFunctionsStoreCertificate',
    ]);
    // The deciders still see which version is current, never what it holds.
    for (const name of ['CheckRenewal', 'Sweep', 'SweepEndedRun', 'CleanUp']) {
      const onCertificates = functionStatements(template, name).filter((statement) => resourcesOf(statement).some(onCertificate));
      expect(onCertificates.flatMap(actionsOf), name).toContain('secretsmanager:DescribeSecret');
      expect(onCertificates.flatMap(actionsOf).filter(readsValue), name).toEqual([]);
    }
    expect(functionStatements(template, 'CreateOrder').filter((statement) => resourcesOf(statement).some(onCertificate))).toEqual([]);
  });

  it('lets ImportToAcm read certificate secrets by the stack’s prefix only (each secret’s policy lets it read only those imported into ACM)', () => {
    const reads = grants(functionStatements(template, 'ImportToAcm'), 'secretsmanager:GetSecretValue');
    expect(reads.flatMap(resourcesOf)).toEqual([
      {
        'Fn::Join': [
          '',
          ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':secret:certstep/certificates/*'],
        ],
      },
    ]);
  });

  it('lets only Finalize create a certificate secret, tagged certstep:certificate and nothing else, and only it and the sync set a secret’s policy, never a public one', () => {
    // Prepare
    const creates = grants(all, 'secretsmanager:CreateSecret').filter((statement) => JSON.stringify(statement.Resource).includes('certificates/'));
    const policies = grants(all, 'secretsmanager:PutResourcePolicy');

    // Assess
    expect(creates.map((statement) => statement.policy.replace(/Role.*$/, ''))).toEqual(['RenewalFunctionsFinalize']);
    expect(actionsOf(creates[0] as Statement)).toEqual(['secretsmanager:CreateSecret', 'secretsmanager:TagResource']);
    expect(creates[0]?.Condition).toEqual({
      Null: { 'aws:RequestTag/certstep:certificate': 'false' },
      'ForAllValues:StringEquals': { 'aws:TagKeys': ['certstep:certificate'] },
    });
    expect(grants(all, 'secretsmanager:TagResource')).toHaveLength(1);
    expect(policies.map((statement) => statement.policy.replace(/Role.*$/, '')).sort()).toEqual([
      'RenewalFunctionsFinalize',
      'RenewalFunctionsSweep',
      'RenewalFunctionsSyncCatalog',
    ]);
    for (const statement of policies) {
      expect(actionsOf(statement)).toEqual(['secretsmanager:PutResourcePolicy']);
      expect(statement.Condition).toEqual({ Bool: { 'secretsmanager:BlockPublicPolicy': 'true' } });
      expect(JSON.stringify(statement.Resource)).toContain(':secret:certstep/certificates/*');
    }
    // The sync re-applies policies; it never reads or writes a value.
    expect(
      functionStatements(template, 'SyncCatalog')
        .flatMap(actionsOf)
        .filter((action) => action.startsWith('secretsmanager:')),
    ).toEqual(['secretsmanager:PutResourcePolicy']);
  });

  it('lets the ACME functions read the EAB HMAC secret by name, whatever its random suffix', () => {
    const eab = grants(functionStatements(template, 'CreateOrder'), 'secretsmanager:GetSecretValue').filter((statement) =>
      JSON.stringify(statement.Resource).includes('eab'),
    );
    expect(eab).toHaveLength(1);
    expect(JSON.stringify(eab[0]?.Resource)).toContain(':secret:certstep/eab/zerossl-??????');
    expect(actionsOf(eab[0] as Statement)).toEqual(['secretsmanager:GetSecretValue']);
  });

  it('encrypts the secrets with the configured key and grants it only through Secrets Manager', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'certstep/accounts/letsencrypt', KmsKeyId: KEY_ARN });
    // The secrets the functions make use it too.
    for (const name of ['Finalize', 'SyncCatalog']) {
      const lambda = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) =>
        id.startsWith(`RenewalFunctions${name}Function`),
      )?.[1] as Resource;
      expect((lambda.Properties.Environment as { Variables: Record<string, unknown> }).Variables.CERTSTEP_SECRETS_KMS_KEY_ARN, name).toBe(KEY_ARN);
    }
    const kmsStatements = all.filter((statement) => actionsOf(statement).some((action) => action.startsWith('kms:')));
    expect(kmsStatements.length).toBeGreaterThan(0);
    for (const statement of kmsStatements) {
      expect(statement.Resource).toBe(KEY_ARN);
      expect(JSON.stringify(statement.Condition)).toContain('kms:ViaService');
    }
    expect(actionsOf(grants(functionStatements(template, 'CheckRenewal'), 'kms:Decrypt')[0] as Statement)).toEqual(['kms:Decrypt']);
    expect(actionsOf(grants(functionStatements(template, 'Finalize'), 'kms:Decrypt')[0] as Statement)).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
  });
});

describe('EventBridge Scheduler', () => {
  it('lets the scheduler role start this state machine, invoke the daily sweep and write to the dead-letter queue, nothing else', () => {
    // Prepare
    const roles = template.findResources('AWS::IAM::Role') as Record<string, Resource>;
    const [roleId, role] = Object.entries(roles).find(([id]) => id.startsWith('RenewalSchedulingRole')) ?? [];
    const statements = all.filter((statement) => statement.policy.startsWith('RenewalSchedulingRole'));

    // Assess
    expect(roleId).toBeDefined();
    expect(JSON.stringify(role?.Properties.AssumeRolePolicyDocument)).toContain('scheduler.amazonaws.com');
    expect(JSON.stringify(role?.Properties.AssumeRolePolicyDocument)).toContain('aws:SourceAccount');
    expect(statements.map(({ policy: _policy, ...statement }) => statement)).toEqual([
      {
        Effect: 'Allow',
        Action: 'states:StartExecution',
        Resource: {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':stateMachine:certstep-renewal'],
          ],
        },
      },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^RenewalSchedulingDeadLetterQueue/), 'Arn'] } },
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^RenewalFunctionsSweepFunction/), 'Arn'] } },
    ]);
  });

  it('lets ScheduleRenewal, CleanUp and the sweeper of ended runs write schedules only in the renewal group and pass only the scheduler role; the reconcilers only read them', () => {
    for (const name of ['ScheduleRenewal', 'CleanUp', 'SweepEndedRun']) {
      const statements = functionStatements(template, name);
      const schedules = grants(statements, 'scheduler:CreateSchedule');
      // The ended-run sweeper also looks for a schedule before it makes one.
      const actions =
        name === 'SweepEndedRun'
          ? ['scheduler:CreateSchedule', 'scheduler:GetSchedule', 'scheduler:UpdateSchedule']
          : ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule'];
      expect(schedules.map((statement) => [actionsOf(statement), statement.Resource])).toEqual([
        [
          actions,
          {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':schedule/certstep-renewals/*'],
            ],
          },
        ],
      ]);
      const passRole = grants(statements, 'iam:PassRole');
      expect(passRole).toEqual([
        {
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: { 'Fn::GetAtt': [expect.stringMatching(/^RenewalSchedulingRole/), 'Arn'] },
          Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        },
      ]);
    }
    for (const name of ['CheckRenewal', 'Sweep']) {
      const statements = functionStatements(template, name).filter((statement) => actionsOf(statement).some((action) => action.startsWith('scheduler:')));
      expect(
        statements.map((statement) => [actionsOf(statement), statement.Resource]),
        name,
      ).toEqual([
        [
          ['scheduler:GetSchedule'],
          {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':schedule/certstep-renewals/*'],
            ],
          },
        ],
      ]);
      expect(grants(functionStatements(template, name), 'iam:PassRole'), name).toEqual([]);
    }
    const schedulerUsers = all.filter((statement) => actionsOf(statement).some((action) => action.startsWith('scheduler:')));
    expect(new Set(schedulerUsers.map((statement) => statement.policy.replace(/Role.*$/, '')))).toEqual(
      new Set([
        'RenewalFunctionsScheduleRenewal',
        'RenewalFunctionsCleanUp',
        'RenewalFunctionsSweepEndedRun',
        'RenewalFunctionsCheckRenewal',
        'RenewalFunctionsSweep',
      ]),
    );
  });
});

describe('everything else', () => {
  it('reads and writes the run ledger (GetItem, conditional PutItem) where the code records runs, scans the catalog from the daily sweep, which only records policies in it, and deletes from it in the sync only', () => {
    const tables = all.filter(
      (statement) => actionsOf(statement).some((action) => action.startsWith('dynamodb:')) && statement.policy.startsWith('RenewalFunctions'),
    );
    expect(tables.map((statement) => [statement.policy.replace(/Role.*$/, ''), actionsOf(statement)]).sort()).toEqual([
      ['RenewalFunctionsCheckRenewal', ['dynamodb:GetItem', 'dynamodb:PutItem']],
      ['RenewalFunctionsCleanUp', ['dynamodb:GetItem', 'dynamodb:PutItem']],
      ['RenewalFunctionsCreateOrder', ['dynamodb:GetItem', 'dynamodb:PutItem']],
      ['RenewalFunctionsFinalize', ['dynamodb:GetItem', 'dynamodb:PutItem']],
      ['RenewalFunctionsImportToAcm', ['dynamodb:GetItem', 'dynamodb:PutItem']],
      ['RenewalFunctionsStoreCertificate', ['dynamodb:GetItem', 'dynamodb:PutItem']],
      ['RenewalFunctionsSweep', ['dynamodb:GetItem', 'dynamodb:PutItem']],
      // The sweep records in the catalog a secret policy it put back: PutItem, never DeleteItem.
      ['RenewalFunctionsSweep', ['dynamodb:PutItem', 'dynamodb:Scan']],
      ['RenewalFunctionsSweepEndedRun', ['dynamodb:GetItem', 'dynamodb:PutItem']],
      ['RenewalFunctionsSyncCatalog', ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Scan']],
    ]);
    for (const scan of grants(tables, 'dynamodb:Scan'))
      expect(scan.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^RenewalStorageCatalog/), 'Arn'] });
    for (const statement of tables.filter((candidate) => actionsOf(candidate).includes('dynamodb:GetItem'))) {
      expect(statement.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^RenewalStorageLedger/), 'Arn'] });
    }
  });

  it('lets only the daily sweep and the catalog sync start executions, of this state machine', () => {
    const starts = grants(
      all.filter((statement) => statement.policy.startsWith('RenewalFunctions')),
      'states:StartExecution',
    );
    expect(starts.map((statement) => statement.policy.replace(/Role.*$/, '')).sort()).toEqual(['RenewalFunctionsSweep', 'RenewalFunctionsSyncCatalog']);
    for (const start of starts) expect(JSON.stringify(start.Resource)).toContain(':stateMachine:certstep-renewal');
  });

  it('lets the sync read the certificates file, that one S3 object only, and the daily sweep put events on the default bus only', () => {
    // Prepare
    const reads = grants(all, 's3:GetObject');
    const puts = grants(
      all.filter((statement) => statement.policy.startsWith('RenewalFunctions')),
      'events:PutEvents',
    );
    const [sync] = Object.values(template.findResources('Custom::CertstepCatalogSync')) as Resource[];

    // Assess
    expect(reads.map((statement) => statement.policy.replace(/Role.*$/, ''))).toEqual(['RenewalFunctionsSyncCatalog']);
    expect(actionsOf(reads[0] as Statement)).toEqual(['s3:GetObject']);
    expect(JSON.stringify(reads[0]?.Resource)).toContain(`/${sync?.Properties.Key as string}`);
    expect(puts.map((statement) => statement.policy.replace(/Role.*$/, ''))).toEqual(['RenewalFunctionsSweep']);
    expect(JSON.stringify(puts[0]?.Resource)).toContain(':event-bus/default');
  });

  it('grants ACM imports only to ImportToAcm, reads to the reconcilers, in any region (a certificate’s regions are data)', () => {
    const acm = all.filter((statement) => actionsOf(statement).some((action) => action.startsWith('acm:')));
    expect(new Set(acm.map((statement) => statement.policy.replace(/Role.*$/, '')))).toEqual(
      new Set(['RenewalFunctionsImportToAcm', 'RenewalFunctionsCheckRenewal', 'RenewalFunctionsSweep']),
    );
    const importers = grants(acm, 'acm:ImportCertificate');
    // Two statements: the re-import and the first import, each with its own tag condition (below).
    expect(importers.map((statement) => statement.policy.replace(/Role.*$/, ''))).toEqual(['RenewalFunctionsImportToAcm', 'RenewalFunctionsImportToAcm']);
    for (const name of ['CheckRenewal', 'Sweep']) {
      const actions = functionStatements(template, name)
        .flatMap(actionsOf)
        .filter((action) => action.startsWith('acm:'));
      expect(actions.sort(), name).toEqual(['acm:DescribeCertificate', 'acm:ListCertificates', 'acm:ListTagsForCertificate']);
    }
    for (const statement of acm.filter((candidate) => !actionsOf(candidate).includes('acm:ListCertificates'))) {
      expect(statement.Resource).toEqual({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':acm:*:', { Ref: 'AWS::AccountId' }, ':certificate/*']],
      });
    }
    for (const list of grants(acm, 'acm:ListCertificates')) {
      expect(list.Resource).toBe('*');
      expect(list.Condition).toBeUndefined();
    }
  });

  it('lets ImportToAcm import only into ACM certificates tagged certstep:certificate, and tag only new ones with that tag alone', () => {
    const reimport = { Null: { 'aws:ResourceTag/certstep:certificate': 'false' } };
    const firstImport = {
      Null: { 'aws:RequestTag/certstep:certificate': 'false' },
      'ForAllValues:StringEquals': { 'aws:TagKeys': ['certstep:certificate'] },
    };
    const importing = grants(all, 'acm:ImportCertificate');
    const tagging = grants(all, 'acm:AddTagsToCertificate');
    // Every grant, in every policy of the stack: an unconditioned one anywhere would overwrite any ACM certificate.
    for (const statement of importing) expect([reimport, firstImport], JSON.stringify(statement)).toContainEqual(statement.Condition);
    for (const statement of tagging) expect(statement.Condition, JSON.stringify(statement)).toEqual(firstImport);
    // Both paths exist: a first import (tagged) and a re-import into the tagged ARN.
    expect(importing.map((statement) => statement.Condition)).toEqual(expect.arrayContaining([reimport, firstImport]));
    expect(tagging).toHaveLength(1);
    expect(actionsOf(grants(importing, 'acm:AddTagsToCertificate')[0] as Statement).sort()).toEqual(['acm:AddTagsToCertificate', 'acm:ImportCertificate']);
  });

  it('uses no wildcard actions and no AWS managed policies', () => {
    for (const statement of all) for (const action of actionsOf(statement)) expect(action, statement.policy).not.toContain('*');
    const roles = Object.values(template.findResources('AWS::IAM::Role')) as Resource[];
    for (const role of roles) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });
});
