/**
 * Least privilege per function: each gets the calls its adapters make, on the resources this
 * stack created or the configuration names, and nothing on `*` except where AWS offers no
 * resource-level permission. docs/iam.md is the prose version of this file.
 */
import { Annotations, ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { CERTSTEP_TAG } from '../functions/core/acm-config.js';
import type { CertificateSpec } from '../functions/core/certificate-spec.js';
import { ROLE_SESSION_PREFIX } from '../functions/core/role-session-name.js';
import type { CertstepConfig } from './config.js';
import { type DnsPlan, acmeDnsRegistrationNames } from './dns-plan.js';
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
  | 'certificate:read-acm' // read, on the certificates that are imported into ACM only
  | 'acme' // the ACME account: read, register (PutSecretValue), EAB HMAC key read
  | 'eab' // only the EAB HMAC key: resolving an issuer reads it, even for account-less calls (ARI)
  | 'route53:zones' // GetHostedZone: which zone, and its name servers
  | 'route53:records' // ListResourceRecordSets: read-modify-write of the TXT set
  | 'route53:change' // ChangeResourceRecordSets, conditioned to the challenge names
  | 'route53:getChange' // GetChange: INSYNC before asking the name servers
  | 'acme-dns:read' // GetSecretValue on the acme-dns registrations of the configured names
  | 'acme-dns:register' // + CreateSecret: a name's first run registers it and keeps the credentials
  | 'ledger' // GetItem, PutItem on the run ledger (conditional read-modify-write)
  | 'scheduler' // one-time renewal schedules: create and update
  | 'scheduler:read' // GetSchedule only: the reconcile compares the schedule with what it should be
  | 'acm' // ACM import in the configured regions
  | 'acm:read' // what ACM holds in the configured regions, without importing
  | 'catalog' // Scan of the certificate catalog (the daily sweep)
  | 'start'; // StartExecution of the renewal state machine (the daily sweep)

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
  Finalize: ['acme', 'certificate:read', 'certificate:write', 'ledger'],
  // Records what it stored (no key) in the ledger; its read-only mode re-reads a stale record.
  StoreCertificate: ['acme', 'certificate:read', 'certificate:write', 'certificate:stage', 'ledger'],
  ImportToAcm: ['certificate:read-acm', 'acm', 'ledger'],
  ScheduleRenewal: ['scheduler'],
  CleanUp: ['route53:zones', 'route53:records', 'route53:change', 'ledger', 'scheduler', 'certificate:pending'],
  // Not states of the state machine: the daily sweep, and the sweeper of runs that ended without clean-up.
  Sweep: ['certificate:describe', 'ledger', 'eab', 'scheduler:read', 'acm:read', 'catalog', 'start'],
  SweepEndedRun: ['route53:zones', 'route53:records', 'route53:change', 'ledger', 'scheduler', 'scheduler:read', 'certificate:pending'],
};

/** Functions the stack runs outside the state machine, and their entries under functions/handlers. */
export const SWEEP_FUNCTIONS = ['Sweep', 'SweepEndedRun'] as const;

export interface PermissionContext {
  readonly config: CertstepConfig;
  readonly dns: DnsPlan;
  readonly storage: CertstepStorage;
  readonly scheduling: CertstepScheduling;
  readonly stateMachineArn: string;
}

export function needsOf(name: string): readonly Need[] {
  return FUNCTION_NEEDS[name] ?? [];
}

/** The calls on a secret's value that its resource policy keeps to certstep's roles (and readers). */
export type SecretValueAction = 'secretsmanager:GetSecretValue' | 'secretsmanager:PutSecretValue' | 'secretsmanager:UpdateSecretVersionStage';

/**
 * The value calls a function with these needs may make on one certificate's secret: what
 * statementsFor grants, told per secret so that the secret's own policy (cdk/secret-policies.ts)
 * excepts exactly the roles IAM lets in, whatever FUNCTION_NEEDS says today.
 */
export function certificateSecretActions(needs: readonly Need[], certificate: CertificateSpec): SecretValueAction[] {
  const reads = needs.includes('certificate:read') || (needs.includes('certificate:read-acm') && Boolean(certificate.acm));
  const actions: SecretValueAction[] = [];
  if (reads) actions.push('secretsmanager:GetSecretValue');
  if (reads && needs.includes('certificate:write')) actions.push('secretsmanager:PutSecretValue');
  if ((reads && needs.includes('certificate:stage')) || needs.includes('certificate:pending')) actions.push('secretsmanager:UpdateSecretVersionStage');
  return actions;
}

/** The same for the ACME account secrets: any call to the CA may register the account. */
export function accountSecretActions(needs: readonly Need[]): SecretValueAction[] {
  return needs.includes('acme') ? ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'] : [];
}

/** Environment beyond the common one, for the needs whose adapters read it at init. */
export function environmentFor(needs: readonly Need[], context: PermissionContext): Record<string, string> {
  const acmeDns = usesAcmeDns(needs, context.config);
  return {
    ...(acmeDns && { CERTSTEP_ACME_DNS_SECRET_PREFIX: context.storage.acmeDnsSecretPrefix }),
    // The stack's own key too: registrations are secrets like the others.
    ...(acmeDns && context.storage.secretsKey && { CERTSTEP_SECRETS_KMS_KEY_ARN: context.storage.secretsKey.keyArn }),
    ...(needs.includes('ledger') && { CERTSTEP_LEDGER_TABLE: context.storage.ledger.tableName }),
    ...(needs.includes('catalog') && { CERTSTEP_CATALOG_TABLE: context.storage.catalog.tableName }),
    ...(needs.includes('start') && { CERTSTEP_STATE_MACHINE_ARN: context.stateMachineArn }),
    ...((needs.includes('scheduler') || needs.includes('scheduler:read')) && {
      CERTSTEP_SCHEDULE_GROUP: context.scheduling.renewalGroup.scheduleGroupName,
      CERTSTEP_STATE_MACHINE_ARN: context.stateMachineArn,
      CERTSTEP_SCHEDULER_ROLE_ARN: context.scheduling.role.roleArn,
      CERTSTEP_SCHEDULER_DLQ_ARN: context.scheduling.deadLetterQueue.queueArn,
    }),
  };
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
  const { storage, config, dns } = context;
  const statements: iam.PolicyStatement[] = [];
  const allow = (actions: string[], resources: string[], conditions?: Record<string, unknown>) => {
    if (resources.length > 0) statements.push(new iam.PolicyStatement({ actions, resources, ...(conditions && { conditions }) }));
  };
  const secretActions = (...extra: string[]) => ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret', ...extra];
  const certificateArns = (certificates: readonly CertificateSpec[]) =>
    certificates.map((certificate) => storage.certificateSecrets.get(certificate.name)?.secretArn).filter((arn): arn is string => arn !== undefined);

  let writesSecrets = false;
  let readsSecrets = false;
  const labelsOnly = (needs.includes('certificate:pending') || needs.includes('certificate:describe')) && !needs.includes('certificate:read');
  if (labelsOnly) {
    // Version ids and labels only (which version is current, which pending), and for
    // certificate:pending taking the label off. No GetSecretValue, so never a key.
    const actions = ['secretsmanager:DescribeSecret', ...(needs.includes('certificate:pending') ? ['secretsmanager:UpdateSecretVersionStage'] : [])];
    allow(actions, certificateArns(config.certificates));
  }
  if (needs.includes('certificate:read') || needs.includes('certificate:read-acm')) {
    const certificates = needs.includes('certificate:read') ? config.certificates : config.certificates.filter((certificate) => certificate.acm);
    const extra = [
      ...(needs.includes('certificate:write') ? ['secretsmanager:PutSecretValue'] : []),
      ...(needs.includes('certificate:stage') || needs.includes('certificate:pending') ? ['secretsmanager:UpdateSecretVersionStage'] : []),
    ];
    allow(secretActions(...extra), certificateArns(certificates));
    readsSecrets ||= certificates.length > 0;
    writesSecrets ||= extra.length > 0;
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
    // One secret per configured (server, domain), each by name: the function creates it on the
    // name's first run, so its ARN's random suffix is not known at synth.
    const registering = needs.includes('acme-dns:register');
    allow(
      registering ? ['secretsmanager:GetSecretValue', 'secretsmanager:CreateSecret'] : ['secretsmanager:GetSecretValue'],
      acmeDnsRegistrationNames(config.issuers, config.certificates).map((name) =>
        stack.formatArn({
          service: 'secretsmanager',
          resource: 'secret',
          resourceName: `${storage.acmeDnsSecretPrefix}${name}-??????`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ),
    );
    readsSecrets = true;
    writesSecrets ||= registering;
  }
  if (context.storage.secretsKey && readsSecrets) {
    // Only through Secrets Manager: the key cannot be used directly with these grants.
    allow(writesSecrets ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'], [context.storage.secretsKey.keyArn], {
      StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` },
    });
  }

  statements.push(...route53Statements(needs, dns, stack));

  if (needs.includes('ledger')) allow(['dynamodb:GetItem', 'dynamodb:PutItem'], [storage.ledger.tableArn]);
  if (needs.includes('catalog')) allow(['dynamodb:Scan'], [storage.catalog.tableArn]);
  if (needs.includes('start')) allow(['states:StartExecution'], [context.stateMachineArn]);
  const scheduleActions = [
    ...(needs.includes('scheduler') ? ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule'] : []),
    ...(needs.includes('scheduler:read') ? ['scheduler:GetSchedule'] : []),
  ];
  if (scheduleActions.length > 0) allow(scheduleActions, [context.scheduling.renewalSchedulesArn]);
  if (needs.includes('scheduler')) {
    allow(['iam:PassRole'], [context.scheduling.role.roleArn], { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
  }
  if (needs.includes('acm') || needs.includes('acm:read')) statements.push(...acmStatements(config, stack, needs.includes('acm')));
  return statements;
}

/** Only stacks with a certificate on acme-dns get its grants and environment. */
function usesAcmeDns(needs: readonly Need[], config: CertstepConfig): boolean {
  if (!needs.includes('acme-dns:read') && !needs.includes('acme-dns:register')) return false;
  return acmeDnsRegistrationNames(config.issuers, config.certificates).length > 0;
}

function route53Statements(needs: readonly Need[], dns: DnsPlan, stack: Stack): iam.PolicyStatement[] {
  if (!needs.some((need) => need.startsWith('route53:'))) return [];
  const zoneArn = (id: string) => stack.formatArn({ service: 'route53', region: '', account: '', resource: 'hostedzone', resourceName: id });
  const direct = [...dns.directZones.keys()];
  const statements: iam.PolicyStatement[] = [];
  const readActions = [
    ...(needs.includes('route53:zones') ? ['route53:GetHostedZone'] : []),
    ...(needs.includes('route53:records') ? ['route53:ListResourceRecordSets'] : []),
  ];
  if (readActions.length > 0 && direct.length > 0) statements.push(new iam.PolicyStatement({ actions: readActions, resources: direct.map(zoneArn) }));
  if (needs.includes('route53:change')) {
    for (const [zoneId, recordNames] of dns.directZones) {
      statements.push(
        new iam.PolicyStatement({
          actions: ['route53:ChangeResourceRecordSets'],
          resources: [zoneArn(zoneId)],
          conditions: {
            'ForAllValues:StringEquals': {
              'route53:ChangeResourceRecordSetsNormalizedRecordNames': [...recordNames],
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
  const roles = [...dns.roleZones.keys()];
  if (roles.length > 0) {
    // The functions name each session after its certificate (functions/core/role-session-name.ts);
    // the zone account's trust policy can require the same prefix (docs/cross-account-dns.md).
    statements.push(
      new iam.PolicyStatement({
        actions: ['sts:AssumeRole'],
        resources: roles,
        conditions: { StringLike: { 'sts:RoleSessionName': `${ROLE_SESSION_PREFIX}*` } },
      }),
    );
  }
  return statements;
}

function acmStatements(config: CertstepConfig, stack: Stack, imports: boolean): iam.PolicyStatement[] {
  const imported = config.certificates.filter((certificate) => certificate.acm);
  const regions = [...new Set(imported.flatMap((certificate) => certificate.acm?.regions ?? []))].sort();
  if (regions.length === 0) return [];
  const certificates = regions.map((region) => stack.formatArn({ service: 'acm', region, resource: 'certificate', resourceName: '*' }));
  const statements = [
    new iam.PolicyStatement({ actions: ['acm:DescribeCertificate', 'acm:ListTagsForCertificate'], resources: certificates }),
    // ListCertificates has no resource-level permission; the region condition is what narrows it.
    new iam.PolicyStatement({ actions: ['acm:ListCertificates'], resources: ['*'], conditions: { StringEquals: { 'aws:RequestedRegion': regions } } }),
  ];
  if (!imports) return statements;
  // ACM certificate ids are random, so the tag certstep puts on its first import is what tells
  // its certificates from everyone else's: a re-import only into one that carries it, a first
  // import only with it (and no other tag), so no other ACM certificate can be overwritten.
  const names = [...new Set(imported.map((certificate) => certificate.name))].sort();
  statements.push(
    new iam.PolicyStatement({
      actions: ['acm:ImportCertificate'],
      resources: certificates,
      conditions: { StringEquals: { [`aws:ResourceTag/${CERTSTEP_TAG}`]: names } },
    }),
    // ImportCertificate with Tags is also authorised as AddTagsToCertificate on the new ARN.
    new iam.PolicyStatement({
      actions: ['acm:ImportCertificate', 'acm:AddTagsToCertificate'],
      resources: certificates,
      conditions: {
        StringEquals: { [`aws:RequestTag/${CERTSTEP_TAG}`]: names },
        'ForAllValues:StringEquals': { 'aws:TagKeys': [CERTSTEP_TAG] },
      },
    }),
  );
  return statements;
}
