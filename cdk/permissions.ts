/**
 * Least privilege per function: each gets the calls its adapters make, on the resources this
 * stack created or the configuration names, and nothing on `*` except where AWS offers no
 * resource-level permission. Certificates are data (`certstep apply` adds them without a
 * deploy), so no statement names one: certificate secrets by name prefix, ACM certificates by
 * certstep's tag, Route 53 by zone and `_acme-challenge.*`; the policies stay the same size
 * however many certificates there are. docs/iam.md is the prose version of this file.
 */
import { Annotations, ArnFormat, CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { CERTSTEP_TAG } from '../functions/core/acm-config.js';
import { SECRET_POLICY_ENV, type SecretPolicySettings } from '../functions/core/secret-policy.js';
import { ROLE_SESSION_PREFIX } from '../functions/core/role-session-name.js';
import { type CertstepConfig, ConfigError } from './config.js';
import { type DnsPlan, type StackZones, effectiveDns01 } from './dns-plan.js';
import type { CertstepFunction } from './functions.js';
import type { CertstepScheduling } from './scheduling.js';
import type { CertstepStorage } from './storage.js';

/** What a function's code does; each need becomes policy statements (and sometimes environment). */
export type Need =
  | 'certificate:read' // GetSecretValue, DescribeSecret on certificate secrets: the value, key included
  | 'certificate:describe' // DescribeSecret only: which version is current, which are pending; never a value
  | 'certificate:write' // + PutSecretValue (the pending key, the issued certificate)
  | 'certificate:stage' // + UpdateSecretVersionStage (AWSPENDING removed once current)
  | 'certificate:pending' // DescribeSecret, UpdateSecretVersionStage only: find and drop unused pending keys, never read one
  | 'certificate:read-acm' // read, on the certificates that are imported into ACM only (their secrets' policies say which)
  | 'certificate:create' // CreateSecret tagged certstep:certificate, PutResourcePolicy: a certificate's secret at first issuance
  | 'certificate:policy' // PutResourcePolicy only: re-applies the policy of secrets that exist (the deploy-time sync)
  | 'acme' // the ACME account: read, register (PutSecretValue), EAB HMAC key read
  | 'eab' // only the EAB HMAC key: resolving an issuer reads it, even for account-less calls (ARI)
  | 'route53:zones' // GetHostedZone: which zone, and its name servers
  | 'route53:records' // ListResourceRecordSets: read-modify-write of the TXT set
  | 'route53:change' // ChangeResourceRecordSets, conditioned to the challenge names
  | 'route53:getChange' // GetChange: INSYNC before asking the name servers
  | 'acme-dns:read' // GetSecretValue on the acme-dns registrations
  | 'acme-dns:register' // + CreateSecret: a name's first run registers it and keeps the credentials
  | 'ledger' // GetItem, PutItem on the run ledger (conditional read-modify-write)
  | 'scheduler' // one-time renewal schedules: create and update
  | 'scheduler:read' // GetSchedule only: the reconcile compares the schedule with what it should be
  | 'acm' // ACM import, certstep's certificates only (by tag), in any region
  | 'acm:read' // what ACM holds, without importing
  | 'catalog' // Scan of the certificate catalog (the daily sweep)
  | 'catalog:write' // PutItem, DeleteItem on the catalog (the deploy-time sync)
  | 'catalog:record' // PutItem only: the sweep records a secret policy it put back
  | 'asset' // GetObject of the certificates file the stack uploads as an S3 asset
  | 'start' // StartExecution of the renewal state machine (the daily sweep, the sync)
  | 'events'; // PutEvents on the default bus: the sweep's "Certificate Expiring" events

/**
 * Per function, from its handler and phase. Every phase that talks to the CA may be the first
 * to register the ACME account (or re-register one the CA forgot), so all of them may write it.
 */
export const FUNCTION_NEEDS: Readonly<Record<string, readonly Need[]>> = {
  // Asks the CA for ARI renewal info (no account), checks the zones before anything is ordered,
  // and reconciles: what ACM holds, the schedule, pending keys left behind. What is stored comes
  // from the ledger's record, checked against the secret's current version id (DescribeSecret):
  // a decider is never sent a key. With acme-dns, the zone check registers new names.
  CheckRenewal: ['certificate:describe', 'route53:zones', 'acme-dns:register', 'ledger', 'eab', 'scheduler:read', 'acm:read'],
  // Names the certificate an order replaces (ARI) from the ledger's record; records the order.
  CreateOrder: ['acme', 'ledger'],
  // acme-dns: /update with the stored credentials. CheckPropagation and the clean-ups need none:
  // propagation follows the CNAME, and acme-dns has nothing to clean up.
  PresentChallenges: ['route53:zones', 'route53:records', 'route53:change', 'acme-dns:read'],
  CheckPropagation: ['route53:zones', 'route53:getChange'],
  AcceptChallenges: ['acme'],
  PollOrder: ['acme'],
  // Stores the pending key: the first time for a certificate, it creates the secret.
  Finalize: ['acme', 'certificate:read', 'certificate:write', 'certificate:create', 'ledger'],
  // Records what it stored (no key) in the ledger; its read-only mode re-reads a stale record.
  StoreCertificate: ['acme', 'certificate:read', 'certificate:write', 'certificate:stage', 'ledger'],
  ImportToAcm: ['certificate:read-acm', 'acm', 'ledger'],
  ScheduleRenewal: ['scheduler'],
  CleanUp: ['route53:zones', 'route53:records', 'route53:change', 'ledger', 'scheduler', 'certificate:pending'],
  // Not states of the state machine: the daily sweep, the sweeper of runs that ended without
  // clean-up, and the deploy-time sync of certstep.config.json's certificates into the catalog.
  // Puts back the secret policies an upgrade deletes after the deploy's sync (certificate:policy),
  // and records them in the catalog.
  Sweep: ['certificate:describe', 'certificate:policy', 'ledger', 'eab', 'scheduler:read', 'acm:read', 'catalog', 'catalog:record', 'start', 'events'],
  SweepEndedRun: ['route53:zones', 'route53:records', 'route53:change', 'ledger', 'scheduler', 'scheduler:read', 'certificate:pending'],
  SyncCatalog: ['asset', 'catalog', 'catalog:write', 'start', 'certificate:policy'],
};

/** Functions the stack runs outside the state machine, and their entries under functions/handlers. */
export const SWEEP_FUNCTIONS = ['Sweep', 'SweepEndedRun', 'SyncCatalog'] as const;

export interface PermissionContext {
  readonly config: CertstepConfig;
  readonly dns: DnsPlan;
  /** The zones of the stack: the configuration's certificates' and the issuers'. */
  readonly zones: StackZones;
  readonly storage: CertstepStorage;
  readonly scheduling: CertstepScheduling;
  readonly stateMachineArn: string;
  /** The certificates file SyncCatalog reads (triggers.ts). */
  readonly catalogAsset?: { readonly bucketArn: string; readonly objectKey: string };
}

export function needsOf(name: string): readonly Need[] {
  return FUNCTION_NEEDS[name] ?? [];
}

/** The calls on a secret's value that its resource policy keeps to certstep's roles (and readers). */
export type SecretValueAction = 'secretsmanager:GetSecretValue' | 'secretsmanager:PutSecretValue' | 'secretsmanager:UpdateSecretVersionStage';

/** Which lists of a certificate secret's policy (SecretPolicySettings) a role belongs in. */
export type SecretPolicyRole = Exclude<keyof SecretPolicySettings, 'readers'>;

/**
 * The lists of the certificate secrets' resource policy a function with these needs belongs in:
 * what statementsFor grants, said once, so that the policy a function writes on a secret
 * (functions/core/secret-policy.ts) excepts exactly the roles IAM lets in, whatever
 * FUNCTION_NEEDS says today.
 */
export function certificateSecretRoles(needs: readonly Need[]): SecretPolicyRole[] {
  const reads = needs.includes('certificate:read');
  const readsAcm = needs.includes('certificate:read-acm');
  const roles: SecretPolicyRole[] = [];
  if (reads) roles.push('get');
  if (readsAcm && !reads) roles.push('getAcm');
  if ((reads || readsAcm) && needs.includes('certificate:write')) roles.push('put');
  if (((reads || readsAcm) && needs.includes('certificate:stage')) || needs.includes('certificate:pending')) roles.push('stage');
  return roles;
}

/** The settings every certificate secret's policy is built from: the roles of these functions, and the stack's readers. */
export function secretPolicySettings(
  functions: readonly { readonly name: string; readonly roleArn: string }[],
  stackReaders: readonly string[],
): SecretPolicySettings {
  const roles = (list: SecretPolicyRole) => functions.filter((fn) => certificateSecretRoles(needsOf(fn.name)).includes(list)).map((fn) => fn.roleArn);
  return { get: roles('get'), getAcm: roles('getAcm'), put: roles('put'), stage: roles('stage'), readers: [...stackReaders] };
}

/** The same for the ACME account secrets: any call to the CA may register the account. */
export function accountSecretActions(needs: readonly Need[]): SecretValueAction[] {
  return needs.includes('acme') ? ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'] : [];
}

/** What only the stack knows when the functions are created: the policy of the secrets they make. */
export interface FunctionEnvironmentContext extends PermissionContext {
  /** CERTSTEP_CERTIFICATE_SECRET_POLICY, for the functions that make or re-apply it. */
  readonly secretPolicy?: string;
}

/** Environment beyond the common one, for the needs whose adapters read it at init. */
export function environmentFor(needs: readonly Need[], context: FunctionEnvironmentContext): Record<string, string> {
  const acmeDns = usesAcmeDns(needs, context.config);
  const makesSecrets = needs.includes('certificate:create') || needs.includes('certificate:policy');
  const key = context.storage.secretsKey?.keyArn;
  return {
    ...(acmeDns && { CERTSTEP_ACME_DNS_SECRET_PREFIX: context.storage.acmeDnsSecretPrefix }),
    // The stack's own key for every secret a function creates: registrations and certificates alike.
    ...((acmeDns || makesSecrets) && key && { CERTSTEP_SECRETS_KMS_KEY_ARN: key }),
    ...(makesSecrets && context.secretPolicy !== undefined && { [SECRET_POLICY_ENV]: context.secretPolicy }),
    ...(needs.includes('ledger') && { CERTSTEP_LEDGER_TABLE: context.storage.ledger.tableName }),
    ...((needs.includes('catalog') || needs.includes('catalog:write')) && { CERTSTEP_CATALOG_TABLE: context.storage.catalog.tableName }),
    ...(needs.includes('start') && { CERTSTEP_STATE_MACHINE_ARN: context.stateMachineArn }),
    // The threshold of catalog items that carry none (written by `certstep apply` without one).
    ...(needs.includes('events') && { CERTSTEP_ALARM_DAYS: String(context.config.alarmDaysBeforeExpiry) }),
    ...((needs.includes('scheduler') || needs.includes('scheduler:read')) && {
      CERTSTEP_SCHEDULE_GROUP: context.scheduling.renewalGroup.scheduleGroupName,
      CERTSTEP_STATE_MACHINE_ARN: context.stateMachineArn,
      CERTSTEP_SCHEDULER_ROLE_ARN: context.scheduling.role.roleArn,
      CERTSTEP_SCHEDULER_DLQ_ARN: context.scheduling.deadLetterQueue.queueArn,
    }),
  };
}

/** Lambda's limit on all environment variables of a function together (names and values). */
export const LAMBDA_ENVIRONMENT_BYTES = 4096;

/**
 * The most bytes `value` can take once CloudFormation resolves it: literal text as is, and each
 * reference at its longest (an ARN of a role CDK names, a generated table name, a partition).
 */
export function resolvedBytes(scope: Construct, value: string): number {
  if (!Token.isUnresolved(value)) return Buffer.byteLength(value);
  const stack = Stack.of(scope);
  const roles = new Set(
    stack.node
      .findAll()
      .filter((construct): construct is CfnResource => construct instanceof CfnResource && construct.cfnResourceType === 'AWS::IAM::Role')
      .map((role) => stack.resolve(role.logicalId) as string),
  );
  const longest = (node: unknown): number => {
    if (typeof node === 'string') return Buffer.byteLength(node);
    if (Array.isArray(node)) return node.reduce((sum: number, item) => sum + longest(item), 0);
    const value = (node ?? {}) as Record<string, unknown>;
    if ('Fn::Join' in value) {
      const [separator, parts] = value['Fn::Join'] as [string, unknown[]];
      return parts.reduce((sum: number, part) => sum + longest(part), 0) + Buffer.byteLength(separator) * Math.max(parts.length - 1, 0);
    }
    const getAtt = value['Fn::GetAtt'] as [string, string] | undefined;
    // A role the stack makes has a name of at most 64 characters on the root path: arn:<partition>:iam::<account>:role/<name>.
    if (getAtt?.[1] === 'Arn' && roles.has(getAtt[0])) return 'arn:aws-iso-b:iam::123456789012:role/'.length + 64;
    const ref = value.Ref;
    if (ref === 'AWS::Partition') return 'aws-iso-b'.length + 1;
    if (ref === 'AWS::Region') return 'ap-southeast-5'.length;
    if (ref === 'AWS::AccountId') return 12;
    if (ref === 'AWS::URLSuffix') return 'amazonaws.com.cn'.length;
    // A 255-character table name or queue ARN: the longest of them.
    return 256;
  };
  return longest(Stack.of(scope).resolve(value));
}

/** Refuses at synth an environment Lambda would refuse at deploy, naming what takes the room. */
export function checkEnvironmentSize(scope: Construct, name: string, environment: Readonly<Record<string, string>>, configSource = 'configuration'): void {
  const sizes = Object.entries(environment).map(([variable, value]) => [variable, Buffer.byteLength(variable) + resolvedBytes(scope, value)] as const);
  const total = sizes.reduce((sum, [, bytes]) => sum + bytes, 0);
  if (total <= LAMBDA_ENVIRONMENT_BYTES) return;
  const largest = [...sizes]
    .sort(([, a], [, b]) => b - a)
    .slice(0, 2)
    .map(([variable, bytes]) => `${variable} ${bytes}`)
    .join(', ');
  throw new ConfigError(
    `${configSource}: the ${name} Lambda's environment would take up to ${total} bytes, over Lambda's ${LAMBDA_ENVIRONMENT_BYTES} (largest: ${largest}). ` +
      `${SECRET_POLICY_ENV} names every role that uses certificate secrets and every principal in readers: name account roots (arn:aws:iam::<account>:root) instead of many roles, or move readers to the certificates that need them (certificateReaders)`,
  );
}

export function grantNeeds(fn: CertstepFunction, context: PermissionContext): void {
  const needs = FUNCTION_NEEDS[fn.name];
  if (!needs) {
    Annotations.of(fn.function).addWarningV2(
      'certstep:unknownFunction',
      `${fn.name} is in the state machine but cdk/permissions.ts does not list what it needs: it gets no AWS permissions beyond its logs`,
    );
    return;
  }
  for (const statement of statementsFor(needs, context, fn.function)) fn.role.addToPolicy(statement);
}

export function statementsFor(needs: readonly Need[], context: PermissionContext, scope: Construct): iam.PolicyStatement[] {
  const stack = Stack.of(scope);
  const { storage, config } = context;
  const statements: iam.PolicyStatement[] = [];
  const allow = (actions: string[], resources: string[], conditions?: Record<string, unknown>) => {
    if (resources.length > 0) statements.push(new iam.PolicyStatement({ actions, resources, ...(conditions && { conditions }) }));
  };
  const secretActions = (...extra: string[]) => ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret', ...extra];
  // Every certificate secret, by name: they are made at first issuance, so no ARN is known here,
  // and a certificate added by `certstep apply` needs no new grant. Which role may read or write
  // one value is said again by each secret's own resource policy (functions/core/secret-policy.ts).
  const certificates = [storage.certificateSecretArnPattern];

  let writesSecrets = false;
  let readsSecrets = false;
  const labelsOnly = (needs.includes('certificate:pending') || needs.includes('certificate:describe')) && !needs.includes('certificate:read');
  if (labelsOnly) {
    // Version ids and labels only (which version is current, which pending), and for
    // certificate:pending taking the label off. No GetSecretValue, so never a key.
    const actions = ['secretsmanager:DescribeSecret', ...(needs.includes('certificate:pending') ? ['secretsmanager:UpdateSecretVersionStage'] : [])];
    allow(actions, certificates);
  }
  if (needs.includes('certificate:read') || needs.includes('certificate:read-acm')) {
    const extra = [
      ...(needs.includes('certificate:write') ? ['secretsmanager:PutSecretValue'] : []),
      ...(needs.includes('certificate:stage') || needs.includes('certificate:pending') ? ['secretsmanager:UpdateSecretVersionStage'] : []),
    ];
    allow(secretActions(...extra), certificates);
    readsSecrets = true;
    writesSecrets ||= extra.length > 0;
  }
  if (needs.includes('certificate:create')) {
    // Only a secret tagged with the certificate's name, and no other tag: the tag is how an
    // operator (and `certstep remove`) tells certstep's secrets apart. CreateSecret with Tags
    // is also authorised as TagResource.
    allow(['secretsmanager:CreateSecret', 'secretsmanager:TagResource'], certificates, {
      Null: { [`aws:RequestTag/${CERTSTEP_TAG}`]: 'false' },
      'ForAllValues:StringEquals': { 'aws:TagKeys': [CERTSTEP_TAG] },
    });
  }
  if (needs.includes('certificate:create') || needs.includes('certificate:policy')) {
    // Secrets Manager refuses a policy that would make the secret public.
    allow(['secretsmanager:PutResourcePolicy'], certificates, { Bool: { 'secretsmanager:BlockPublicPolicy': 'true' } });
  }
  if (needs.includes('acme')) {
    allow(
      secretActions('secretsmanager:PutSecretValue'),
      [...storage.accountSecrets.values()].map((secret) => secret.secretArn),
    );
    readsSecrets = writesSecrets = true;
  }
  if (needs.includes('acme') || needs.includes('eab')) {
    // The HMAC key secret is the user's; its ARN ends in a random suffix the name does not carry.
    const eabArns = config.issuers.flatMap((issuer) =>
      issuer.eabHmacSecretId
        ? [
            stack.formatArn({
              service: 'secretsmanager',
              resource: 'secret',
              resourceName: `${issuer.eabHmacSecretId}-??????`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ]
        : [],
    );
    allow(['secretsmanager:GetSecretValue'], eabArns);
    readsSecrets ||= eabArns.length > 0;
  }
  if (usesAcmeDns(needs, config)) {
    // The registrations, by name prefix: the function creates one on a name's first run, for
    // names a certificate added by `certstep apply` may bring.
    const registering = needs.includes('acme-dns:register');
    allow(registering ? ['secretsmanager:GetSecretValue', 'secretsmanager:CreateSecret'] : ['secretsmanager:GetSecretValue'], [
      stack.formatArn({
        service: 'secretsmanager',
        resource: 'secret',
        resourceName: `${storage.acmeDnsSecretPrefix}*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    ]);
    readsSecrets = true;
    writesSecrets ||= registering;
  }
  if (context.storage.secretsKey && readsSecrets) {
    // Only through Secrets Manager: the key cannot be used directly with these grants.
    allow(writesSecrets ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'], [context.storage.secretsKey.keyArn], {
      StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` },
    });
  }

  statements.push(...route53Statements(needs, context.zones, stack));

  if (needs.includes('ledger')) allow(['dynamodb:GetItem', 'dynamodb:PutItem'], [storage.ledger.tableArn]);
  const catalogActions = [
    ...(needs.includes('catalog') ? ['dynamodb:Scan'] : []),
    ...(needs.includes('catalog:write') ? ['dynamodb:PutItem', 'dynamodb:DeleteItem'] : needs.includes('catalog:record') ? ['dynamodb:PutItem'] : []),
  ];
  if (catalogActions.length > 0) allow(catalogActions, [storage.catalog.tableArn]);
  if (needs.includes('asset') && context.catalogAsset) {
    allow(['s3:GetObject'], [`${context.catalogAsset.bucketArn}/${context.catalogAsset.objectKey}`]);
  }
  if (needs.includes('start')) allow(['states:StartExecution'], [context.stateMachineArn]);
  if (needs.includes('events')) allow(['events:PutEvents'], [stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' })]);
  const scheduleActions = [
    ...(needs.includes('scheduler') ? ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule'] : []),
    ...(needs.includes('scheduler:read') ? ['scheduler:GetSchedule'] : []),
  ];
  if (scheduleActions.length > 0) allow(scheduleActions, [context.scheduling.renewalSchedulesArn]);
  if (needs.includes('scheduler')) {
    allow(['iam:PassRole'], [context.scheduling.role.roleArn], { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
  }
  if (needs.includes('acm') || needs.includes('acm:read')) statements.push(...acmStatements(stack, needs.includes('acm')));
  return statements;
}

/**
 * Only stacks whose issuers or configured certificates use acme-dns get its grants and
 * environment: a certificate `certstep apply` adds on acme-dns needs an issuer (or a configured
 * certificate) that already does, as a new Route 53 zone needs a deploy.
 */
export function usesAcmeDns(needs: readonly Need[], config: Pick<CertstepConfig, 'issuers' | 'certificates'>): boolean {
  if (!needs.includes('acme-dns:read') && !needs.includes('acme-dns:register')) return false;
  return (
    config.issuers.some((issuer) => issuer.dns01?.acmeDNS) || config.certificates.some((certificate) => effectiveDns01(config.issuers, certificate).acmeDNS)
  );
}

function route53Statements(needs: readonly Need[], zones: StackZones, stack: Stack): iam.PolicyStatement[] {
  if (!needs.some((need) => need.startsWith('route53:'))) return [];
  const zoneArn = (id: string) => stack.formatArn({ service: 'route53', region: '', account: '', resource: 'hostedzone', resourceName: id });
  const direct = [...zones.direct.keys()];
  const statements: iam.PolicyStatement[] = [];
  const readActions = [
    ...(needs.includes('route53:zones') ? ['route53:GetHostedZone'] : []),
    ...(needs.includes('route53:records') ? ['route53:ListResourceRecordSets'] : []),
  ];
  if (readActions.length > 0 && direct.length > 0) statements.push(new iam.PolicyStatement({ actions: readActions, resources: direct.map(zoneArn) }));
  if (needs.includes('route53:change')) {
    // Zones that allow the same record names share one statement.
    const byNames = new Map<string, { names: readonly string[]; zoneIds: string[] }>();
    for (const [zoneId, names] of zones.direct) {
      const key = names.join('\n');
      const group = byNames.get(key) ?? { names, zoneIds: [] };
      group.zoneIds.push(zoneId);
      byNames.set(key, group);
    }
    for (const { names, zoneIds } of byNames.values()) {
      statements.push(
        new iam.PolicyStatement({
          actions: ['route53:ChangeResourceRecordSets'],
          resources: zoneIds.map(zoneArn),
          conditions: {
            // Every record of a change must be a challenge record (or a configured CNAME target).
            'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': [...names] },
            'ForAllValues:StringEquals': {
              'route53:ChangeResourceRecordSetsRecordTypes': ['TXT'],
              // The provider's compare-and-swap only ever sends CREATE and DELETE, never UPSERT.
              'route53:ChangeResourceRecordSetsActions': ['CREATE', 'DELETE'],
            },
          },
        }),
      );
    }
  }
  // Change ids are generated by Route 53, so no narrower resource exists.
  if (needs.includes('route53:getChange') && direct.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        actions: ['route53:GetChange'],
        resources: [stack.formatArn({ service: 'route53', region: '', account: '', resource: 'change', resourceName: '*' })],
      }),
    );
  }
  if (zones.roles.length > 0) {
    // The functions name each session after its certificate (functions/core/role-session-name.ts);
    // the zone account's trust policy can require the same prefix (docs/cross-account-dns.md).
    statements.push(
      new iam.PolicyStatement({
        actions: ['sts:AssumeRole'],
        resources: [...zones.roles],
        conditions: { StringLike: { 'sts:RoleSessionName': `${ROLE_SESSION_PREFIX}*` } },
      }),
    );
  }
  return statements;
}

/** ACM certificates of this account in any region: which regions a certificate imports into is data now. */
export function acmCertificateArns(stack: Stack): string {
  return stack.formatArn({ service: 'acm', region: '*', resource: 'certificate', resourceName: '*' });
}

function acmStatements(stack: Stack, imports: boolean): iam.PolicyStatement[] {
  const certificates = [acmCertificateArns(stack)];
  const statements = [
    new iam.PolicyStatement({ actions: ['acm:DescribeCertificate', 'acm:ListTagsForCertificate'], resources: certificates }),
    // ListCertificates has no resource-level permission; it lists ARNs and domain names only.
    new iam.PolicyStatement({ actions: ['acm:ListCertificates'], resources: ['*'] }),
  ];
  if (!imports) return statements;
  // ACM certificate ids are random, so the tag certstep puts on its first import is what tells
  // its certificates from everyone else's: a re-import only into one that carries it, a first
  // import only with it (and no other tag), so no other ACM certificate can be overwritten.
  statements.push(
    new iam.PolicyStatement({
      actions: ['acm:ImportCertificate'],
      resources: certificates,
      conditions: { Null: { [`aws:ResourceTag/${CERTSTEP_TAG}`]: 'false' } },
    }),
    // ImportCertificate with Tags is also authorised as AddTagsToCertificate on the new ARN.
    new iam.PolicyStatement({
      actions: ['acm:ImportCertificate', 'acm:AddTagsToCertificate'],
      resources: certificates,
      conditions: {
        Null: { [`aws:RequestTag/${CERTSTEP_TAG}`]: 'false' },
        'ForAllValues:StringEquals': { 'aws:TagKeys': [CERTSTEP_TAG] },
      },
    }),
  );
  return statements;
}
