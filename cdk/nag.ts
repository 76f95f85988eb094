/**
 * cdk-nag (AwsSolutions) findings this design accepts, each acknowledged on the one resource it
 * concerns and, for IAM wildcards, for the one wildcard it concerns, with the reason. Uses CDK's
 * own Validations API (what cdk-nag 3 reads), so embedding the construct needs no cdk-nag.
 */
import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import type { CertstepConfig } from './config.js';
import type { StackZones } from './dns-plan.js';
import type { CertstepFunctions } from './functions.js';
import { acmCertificateArns, needsOf, usesAcmeDns } from './permissions.js';
import type { CertstepScheduling } from './scheduling.js';
import type { CertstepStorage } from './storage.js';

const XRAY = 'X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level permissions; tracing is required';

/**
 * The parts of a CertstepRenewal whose resources draw the accepted findings. Named here rather
 * than imported from construct.ts, which calls this module: no import runs both ways.
 */
export interface FindingSources extends IConstruct {
  readonly config: Pick<CertstepConfig, 'issuers' | 'certificates'>;
  readonly zones: Pick<StackZones, 'direct'>;
  readonly storage: Pick<CertstepStorage, 'accountSecrets' | 'certificateSecretArnPattern' | 'acmeDnsSecretPrefix'>;
  readonly scheduling: Pick<CertstepScheduling, 'deadLetterQueue' | 'renewalSchedulesArn'>;
  readonly functions: Pick<CertstepFunctions, 'all'>;
  readonly stateMachine: { readonly role: iam.IRole };
  readonly catalogSync: { readonly role: iam.IRole; readonly onEvent: { readonly functionArn: string } };
}

export function suppressAcceptedFindings(renewal: FindingSources): void {
  const stack = Stack.of(renewal);
  const wildcard = (scope: IConstruct, resource: string, reason: string) =>
    Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flatten(stack.resolve(resource))}]`, reason });

  for (const [name, secret] of renewal.storage.accountSecrets) {
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: `The ACME account key of issuer ${name} identifies the account at the CA; rotating it needs an ACME key-change, not a Secrets Manager rotation`,
    });
  }
  Validations.of(renewal.scheduling.deadLetterQueue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: 'This queue is itself the dead-letter queue of the EventBridge Scheduler schedules; the SchedulesUndelivered alarm watches it',
  });

  const changes = stack.formatArn({ service: 'route53', region: '', account: '', resource: 'change', resourceName: '*' });
  const acmCertificates = acmCertificateArns(stack);
  for (const fn of renewal.functions.all) {
    const needs = needsOf(fn.name);
    const listsAcm = needs.includes('acm') || needs.includes('acm:read');
    Validations.of(fn.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Node.js 22 on purpose: the bundles target node22 and the project is tested on it; moving to Node.js 24 is a deliberate upgrade, not a drift',
    });
    wildcard(fn.role, '*', listsAcm ? `${XRAY}; acm:ListCertificates has none either, and lists ARNs and domain names only` : XRAY);
    if (fn.name === 'CheckPropagation' && renewal.zones.direct.size > 0) {
      wildcard(fn.role, changes, 'Route 53 change ids are generated per ChangeResourceRecordSets call; GetChange only reads their status');
    }
    if (needs.includes('scheduler') || needs.includes('scheduler:read')) {
      wildcard(
        fn.role,
        renewal.scheduling.renewalSchedulesArn,
        'One-time schedules are named after certificates at run time; the wildcard is limited to the stack-owned renewal schedule group',
      );
    }
    if (needs.some((need) => need.startsWith('certificate:'))) {
      wildcard(
        fn.role,
        renewal.storage.certificateSecretArnPattern,
        "Certificate secrets are made at first issuance, one per certificate, and certificates are data (certstep apply): the wildcard is the stack-owned name prefix, and each secret's own resource policy names the roles that may read or write its value",
      );
    }
    if (usesAcmeDns(needs, renewal.config)) {
      wildcard(
        fn.role,
        stack.formatArn({
          service: 'secretsmanager',
          resource: 'secret',
          resourceName: `${renewal.storage.acmeDnsSecretPrefix}*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
        "acme-dns registrations are created on a name's first run, for names certificates added at run time may bring: the wildcard is the stack-owned name prefix",
      );
    }
    if (!listsAcm) continue;
    wildcard(
      fn.role,
      acmCertificates,
      "ACM certificate ids are assigned at the first import and a certificate's regions are data: imports are limited by the certstep:certificate tag, reads only list and describe",
    );
  }
  wildcard(
    renewal.catalogSync.role,
    `${renewal.catalogSync.onEvent.functionArn}:*`,
    'The custom resource provider invokes the SyncCatalog Lambda, by any of its versions (what cdk custom-resources grants); nothing else',
  );
  wildcard(renewal.stateMachine.role, '*', 'Step Functions log delivery (logs:CreateLogDelivery and friends) and X-Ray have no resource-level permissions');
}

/** As cdk-nag names a resource in a finding id (its utils/flatten-cfn-reference). */
function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const value = node as Record<string, unknown>;
  if (value['Fn::Join']) {
    const [delimiter, items] = value['Fn::Join'] as [string, unknown[]];
    return items.map(flatten).join(delimiter);
  }
  if (value['Fn::Sub']) return flatten(value['Fn::Sub']);
  if (value['Fn::GetAtt']) {
    const [resource, attribute] = value['Fn::GetAtt'] as [unknown, unknown];
    return `<${flatten(resource)}.${flatten(attribute)}>`;
  }
  if (value['Fn::ImportValue']) return flatten(value['Fn::ImportValue']);
  if (value.Ref) return `<${flatten(value.Ref)}>`;
  return JSON.stringify(node);
}
