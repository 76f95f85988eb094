/**
 * Every AWS adapter turns the shared classification (aws-errors.ts) into its own certstep
 * error: the same SDK error is retried by the state machine whichever adapter met it. One row
 * per adapter and kind, each error shaped as the SDK shapes it.
 */
import { ACMClient, ListCertificatesCommand } from '@aws-sdk/client-acm';
import { DynamoDBClient, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AcmImporter } from '../../functions/adapters/acm-importer.js';
import { type AwsFailureKind, classifyAwsError } from '../../functions/adapters/aws-errors.js';
import { DynamoDbCertificateCatalog } from '../../functions/adapters/dynamodb-catalog.js';
import { DynamoDbRunLedger } from '../../functions/adapters/dynamodb-ledger.js';
import { EventBridgeRenewalScheduler } from '../../functions/adapters/eventbridge-scheduler.js';
import { route53Failure } from '../../functions/adapters/route53-errors.js';
import { storeFailure } from '../../functions/adapters/secrets-manager-store.js';
import { StepFunctionsRunStarter } from '../../functions/adapters/sfn-starter.js';
import type { ExecutionInput } from '../../functions/core/certificate-spec.js';
import { CertstepError } from '../../functions/core/errors.js';

const acm = mockClient(ACMClient);
const dynamo = mockClient(DynamoDBClient);
const scheduler = mockClient(SchedulerClient);
const sfn = mockClient(SFNClient);
beforeEach(() => {
  for (const mock of [acm, dynamo, scheduler, sfn]) mock.reset();
});

const sdkError = (name: string, status?: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} said no`), { name, $metadata: status === undefined ? {} : { httpStatusCode: status }, ...extra });

/** SDK errors of each kind but notFound (each service has its own); the network one is the case the adapters used to disagree on. */
const errors: Record<string, unknown> = {
  throttled: sdkError('ThrottlingException', 400),
  'a reset connection': Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
  'a 503': sdkError('ServiceUnavailable', 503),
  AccessDeniedException: sdkError('AccessDeniedException', 400),
  ValidationException: sdkError('ValidationException', 400),
};

const input: ExecutionInput = {
  certificate: { name: 'web', dnsNames: ['example.com'], issuer: 'letsencrypt', keyAlgorithm: 'ecdsa-p256', renewBefore: 'P30D' },
  force: false,
};

/** How each adapter meets an AWS error, and the certstep error it owes for each kind. */
const adapters: { name: string; missing?: [string, unknown]; failWith: (error: unknown) => Promise<unknown>; expected: Record<AwsFailureKind, string> }[] = [
  {
    name: 'Route 53',
    missing: ['NoSuchHostedZone', sdkError('NoSuchHostedZone', 404)],
    failWith: async (error) => route53Failure('ChangeResourceRecordSets', error, 'Z1'),
    expected: { transient: 'DnsProviderUnavailable', denied: 'DnsChangeRejected', notFound: 'ZoneNotFound', rejected: 'DnsChangeRejected' },
  },
  {
    name: 'Secrets Manager',
    missing: ['ResourceNotFoundException', sdkError('ResourceNotFoundException', 400)],
    failWith: async (error) => storeFailure(error, 'GetSecretValue', 'certstep/web', 'certificate web'),
    expected: { transient: 'StoreUnavailable', denied: 'StoreAccessDenied', notFound: 'SecretNotFound', rejected: 'StoreRequestRejected' },
  },
  {
    name: 'EventBridge Scheduler',
    failWith: (error) => {
      scheduler.on(UpdateScheduleCommand).rejects(error as Error);
      const adapter = new EventBridgeRenewalScheduler({
        client: new SchedulerClient({ region: 'eu-west-1' }),
        groupName: 'certstep',
        stateMachineArn: 'arn:sm',
        roleArn: 'arn:role',
      });
      return adapter.schedule({ certificateName: 'web', at: '2030-01-01T00:00:00.000Z', input }).catch((caught: unknown) => caught);
    },
    // A missing schedule is created instead (its own test): only the other kinds reach the mapping.
    expected: { transient: 'SchedulerUnavailable', denied: 'ScheduleRejected', notFound: 'ScheduleRejected', rejected: 'ScheduleRejected' },
  },
  {
    name: 'ACM',
    missing: ['ResourceNotFoundException', sdkError('ResourceNotFoundException', 400)],
    failWith: (error) => {
      acm.on(ListCertificatesCommand).rejects(error as Error);
      const chainPem = '-----BEGIN CERTIFICATE-----\nLEAF\n-----END CERTIFICATE-----\n';
      const request = { certificateName: 'web', dnsNames: ['example.com'], chainPem, privateKeyPem: 'KEY', keyAlgorithm: 'ecdsa-p256' as const };
      return new AcmImporter(new ACMClient({ region: 'us-east-1' }), 'us-east-1').import(request).catch((caught: unknown) => caught);
    },
    expected: { transient: 'AcmUnavailable', denied: 'AcmImportRefused', notFound: 'AcmImportRefused', rejected: 'AcmImportRefused' },
  },
  {
    name: 'the DynamoDB run ledger',
    missing: ['ResourceNotFoundException', sdkError('ResourceNotFoundException', 400)],
    failWith: (error) => {
      dynamo.on(GetItemCommand).rejects(error as Error);
      return new DynamoDbRunLedger(new DynamoDBClient({ region: 'eu-west-1' }), 'ledger').get('web').catch((caught: unknown) => caught);
    },
    expected: { transient: 'StoreUnavailable', denied: 'StoreAccessDenied', notFound: 'StoreRequestRejected', rejected: 'StoreRequestRejected' },
  },
  {
    name: 'the DynamoDB certificate catalog',
    missing: ['ResourceNotFoundException', sdkError('ResourceNotFoundException', 400)],
    failWith: (error) => {
      dynamo.on(ScanCommand).rejects(error as Error);
      return new DynamoDbCertificateCatalog(new DynamoDBClient({ region: 'eu-west-1' }), 'catalog').list().catch((caught: unknown) => caught);
    },
    expected: { transient: 'StoreUnavailable', denied: 'StoreAccessDenied', notFound: 'StoreRequestRejected', rejected: 'StoreRequestRejected' },
  },
  {
    name: 'the Step Functions starter',
    missing: ['StateMachineDoesNotExist', sdkError('StateMachineDoesNotExist', 400)],
    failWith: (error) => {
      sfn.on(StartExecutionCommand).rejects(error as Error);
      return new StepFunctionsRunStarter(new SFNClient({ region: 'eu-west-1' }), 'arn:sm').start(input).catch((caught: unknown) => caught);
    },
    expected: { transient: 'SchedulerUnavailable', denied: 'ScheduleRejected', notFound: 'ScheduleRejected', rejected: 'ScheduleRejected' },
  },
];

const rows = adapters.flatMap((adapter) =>
  [...Object.entries(errors), ...(adapter.missing ? [adapter.missing] : [])].map(([label, error]) => ({
    adapter: adapter.name,
    label,
    error,
    kind: classifyAwsError(error).kind,
    adapterUnderTest: adapter,
  })),
);

describe('AWS adapters map the shared classification', () => {
  it.each(rows)('$adapter: $label ($kind)', async ({ error, kind, adapterUnderTest }) => {
    // Act
    const failure = await adapterUnderTest.failWith(error);

    // Assess
    expect(failure).toBeInstanceOf(CertstepError);
    const certstep = failure as CertstepError;
    expect(certstep.name).toBe(adapterUnderTest.expected[kind]);
    expect(certstep.retryable).toBe(kind === 'transient');
    if (kind !== 'notFound') expect(certstep.message).toContain(classifyAwsError(error).said);
  });
});
