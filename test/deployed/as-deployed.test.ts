/**
 * certstep as deployed: what `cdk deploy` ships (the bundles of the cloud assembly, the
 * definition and its substitutions, each function's environment and IAM policy, all from the
 * template) runs against AWS implementations nobody on this project wrote (moto, IAM enforced
 * for actions) and a real ACME CA (Pebble). Route 53 is the project's wire server, which checks
 * no IAM. The scenarios run in order, on one stack, as a deployment lives.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ACMClient, GetCertificateCommand, ListCertificatesCommand } from '@aws-sdk/client-acm';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { DescribeSecretCommand, GetResourcePolicyCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../functions/ports/run-ledger.js';
import type { StoredCertificate } from '../../functions/ports/certificate-store.js';
import { opensslVerify, publicKeysOf } from '../support/local-ca.js';
import { visibleTxt } from '../support/route53/provider.js';
import { jsonCall } from './aws-call.js';
import type { ExecutionResult } from './execution.js';
import { LambdaHarness, LambdaInvocationError } from './lambda-harness.js';
import { type DeployedStack, ZONE, startDeployedStack } from './stack.js';
import { type Json, resolve, resourcesOfType } from './template.js';

/** A run is a dozen cold starts of multi-megabyte bundles: seconds each on a busy machine. */
const RUN_TIMEOUT = 240_000;

let stack: DeployedStack;
const started = Date.now();
beforeAll(async () => {
  stack = await startDeployedStack();
}, 600_000);
afterAll(async () => {
  await stack?.stop();
  process.stdout.write(`as-deployed: synth ${stack?.synthSeconds.toFixed(1)} s, whole file ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
});

const sdk = () => ({ endpoint: stack.moto.endpoint, region: stack.moto.region, credentials: stack.deployed.admin });
const secretName = 'certstep/certificates/web';

async function currentCertificate(stage = 'AWSCURRENT'): Promise<StoredCertificate> {
  const answer = await new SecretsManagerClient(sdk()).send(new GetSecretValueCommand({ SecretId: secretName, VersionStage: stage }));
  return JSON.parse(answer.SecretString ?? '{}') as StoredCertificate;
}

async function ledgerEntry(): Promise<LedgerEntry> {
  const table = stack.functions.find((fn) => fn.variables.CERTSTEP_LEDGER_TABLE)?.variables.CERTSTEP_LEDGER_TABLE as string;
  const item = await new DynamoDBClient(sdk()).send(new GetItemCommand({ TableName: table, Key: { certificateName: { S: 'web' } } }));
  return JSON.parse(item.Item?.entry?.S ?? '{}') as LedgerEntry;
}

/** What the event rules delivered since the last call (they stand in for the SNS topic of the configuration). */
async function deliveredEvents(): Promise<Array<{ 'detail-type': string; detail: { certificateName?: string } }>> {
  const target = { endpoint: stack.moto.endpoint, region: stack.moto.region, credentials: stack.deployed.admin };
  const events = [];
  for (;;) {
    const answer = await jsonCall<{ Messages?: Array<{ Body: string; ReceiptHandle: string }> }>(target, 'sqs', 'AmazonSQS.ReceiveMessage', '1.0', {
      QueueUrl: stack.deployed.eventsQueueUrl,
      MaxNumberOfMessages: 10,
    });
    if (!answer.Messages?.length) return events;
    for (const message of answer.Messages) {
      events.push(JSON.parse(message.Body));
      await jsonCall(target, 'sqs', 'AmazonSQS.DeleteMessage', '1.0', { QueueUrl: stack.deployed.eventsQueueUrl, ReceiptHandle: message.ReceiptHandle });
    }
  }
}

/** A function of the template by its name in the definition (`${CheckRenewalFunctionArn}` → CheckRenewal). */
function functionNamed(name: string) {
  const fn = stack.functions.find((candidate) => candidate.logicalId.startsWith(`RenewalFunctions${name}Function`));
  if (!fn) throw new Error(`no ${name} function in the template`);
  return fn;
}

function subjectAltNames(stored: StoredCertificate): string {
  return execFileSync('openssl', ['x509', '-noout', '-ext', 'subjectAltName'], { input: stored['tls.crt'], encoding: 'utf8' });
}

function expectNoKeyMaterial(result: ExecutionResult): void {
  expect(JSON.stringify(result.events)).not.toContain('PRIVATE KEY');
  expect(stack.harness.logs.join('')).not.toContain('PRIVATE KEY');
}

/**
 * The deploy-time sync as CloudFormation runs it: the certificates file uploaded where `cdk
 * deploy` puts assets, then SyncCatalog invoked (in its own Lambda environment, with its own
 * role) with the custom resource's Create event. Answers the executions it started, by input.
 */
async function deployTimeSync(): Promise<{ answer: unknown; inputs: unknown[]; catalogTable: string }> {
  const [[, resource]] = resourcesOfType(stack.assembly.template, 'Custom::CertstepCatalogSync') as unknown as [[string, { Properties: Record<string, Json> }]];
  const { ServiceToken: _, ...properties } = resource.Properties;
  const resolved = resolve(properties as Json, stack.deployed) as { Bucket: string; Key: string; Hash: string; Policy: string };
  const file = stack.assembly.assetFiles.get(resolved.Key);
  if (!file) throw new Error(`the certificates file ${resolved.Key} is not among the assembly's assets`);
  const s3 = new S3Client({ ...sdk(), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: resolved.Bucket })).catch(() => undefined);
  await s3.send(new PutObjectCommand({ Bucket: resolved.Bucket, Key: resolved.Key, Body: readFileSync(file) }));
  const sync = stack.functions.find((fn) => fn.logicalId.startsWith('RenewalFunctionsSyncCatalogFunction'));
  if (!sync) throw new Error('no SyncCatalog function in the template');
  const answer = await stack.harness.invoke(sync.arn, { RequestType: 'Create', ResourceProperties: resolved });
  const sfn = new SFNClient(sdk());
  const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: stack.machine.arn }));
  const inputs = [];
  for (const execution of listed.executions ?? []) {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: execution.executionArn }));
    inputs.push(JSON.parse(described.input ?? 'null'));
  }
  return { answer, inputs, catalogTable: sync.variables.CERTSTEP_CATALOG_TABLE as string };
}

/** The execution input the sync started the first run with: what every later run of this file starts from. */
let webInput: Record<string, unknown>;

describe('certstep as deployed', () => {
  let first: StoredCertificate;

  it(
    'issues the first certificate from the deploy-time sync, as CloudFormation runs it',
    async () => {
      // Prepare: the deploy's one custom resource, as CloudFormation would run it.
      const sync = await deployTimeSync();
      expect(sync.answer).toEqual({ PhysicalResourceId: 'certstep-catalog', Data: { started: 1, changed: 1, removed: 0, deferred: 0 } });
      expect(sync.inputs).toHaveLength(1);
      webInput = sync.inputs[0] as Record<string, unknown>;

      // Act: the execution it started, run by the local state machine with exactly that input.
      const result = await stack.run(webInput);

      // Assess
      expect(result.status, `${result.error}: ${result.cause}`).toBe('SUCCEEDED');
      first = await currentCertificate();
      const keys = publicKeysOf(first);
      expect(keys.fromKey).toBe(keys.fromCertificate);
      expect(await opensslVerify(stack.pebble.ca, first)).toContain('OK');
      expect(subjectAltNames(first)).toMatch(new RegExp(`DNS:${ZONE}.*DNS:\\*\\.${ZONE}|DNS:\\*\\.${ZONE}.*DNS:${ZONE}`));

      const acm = new ACMClient(sdk());
      const imported = (await acm.send(new ListCertificatesCommand({}))).CertificateSummaryList ?? [];
      expect(imported.map((summary) => summary.DomainName)).toEqual([ZONE]);
      const copy = await acm.send(new GetCertificateCommand({ CertificateArn: imported[0]?.CertificateArn }));
      expect(copy.Certificate?.trim()).toBe(first['tls.crt'].match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)?.[0]);

      const schedules = await new SchedulerClient(sdk()).send(new ListSchedulesCommand({ GroupName: 'certstep-renewals' }));
      expect(schedules.Schedules?.map((schedule) => schedule.Name)).toEqual([expect.stringContaining('web')]);

      const events = await deliveredEvents();
      expect(events.map((event) => [event['detail-type'], event.detail.certificateName])).toEqual([['Certificate Issued', 'web']]);
      expect(await visibleTxt(stack.pebble.server, `_acme-challenge.${ZONE}`)).toEqual([]);
      const item = await new DynamoDBClient(sdk()).send(new GetItemCommand({ TableName: sync.catalogTable, Key: { name: { S: 'web' } } }));
      expect(JSON.parse(item.Item?.input?.S ?? 'null')).toEqual(webInput);
      expect(item.Item?.source?.S).toBe('config');
      expectNoKeyMaterial(result);
      // No secret before the first issuance: nothing stored, so nothing to re-read.
      const entered = result.events.filter((event) => event.type === 'StateEntered').map((event) => (event.state as { name: string }).name);
      expect(entered).not.toContain('ReadStoredCertificate');
      // Finalize made the secret, tagged, with the policy that keeps its key to certstep's roles.
      const secrets = new SecretsManagerClient(sdk());
      const described = await secrets.send(new DescribeSecretCommand({ SecretId: secretName }));
      expect(described.Tags).toEqual([{ Key: 'certstep:certificate', Value: 'web' }]);
      const policy = JSON.parse((await secrets.send(new GetResourcePolicyCommand({ SecretId: secretName }))).ResourcePolicy ?? '{}');
      const sids = (policy.Statement as Array<{ Sid: string }>).map((statement) => statement.Sid);
      expect(sids).toEqual(expect.arrayContaining(['OnlyCertstepAndReadersReadTheValue', 'OnlyCertstepWritesTheValue', 'OnlyCertstepMovesTheLabels']));
    },
    RUN_TIMEOUT,
  );

  it(
    'renews on a forced run in fresh Lambda environments, keeping the replaced certificate as AWSPREVIOUS',
    async () => {
      // Prepare: CheckRenewal and Finalize start cold again, so they read their configuration at init
      // once more; the others stay warm from the first run.
      const cold = ['CheckRenewal', 'Finalize'].map((name) => functionNamed(name).name);
      const warm = functionNamed('CreateOrder').name;
      const before = new Map(stack.harness.coldStarts);
      stack.harness.recycle(cold);
      // Act
      const result = await stack.run({ ...webInput, force: true });

      // Assess
      expect(result.status, `${result.error}: ${result.cause}`).toBe('SUCCEEDED');
      const entered = result.events.filter((event) => event.type === 'StateEntered').map((event) => (event.state as { name: string }).name);
      expect(entered).not.toContain('ReadStoredCertificate');
      for (const name of cold) expect(stack.harness.coldStarts.get(name)).toBe((before.get(name) ?? 0) + 1);
      expect(stack.harness.coldStarts.get(warm)).toBe(before.get(warm));
      const renewed = await currentCertificate();
      expect(serialOf(renewed)).not.toBe(serialOf(first));
      expect((await currentCertificate('AWSPREVIOUS'))['tls.crt']).toBe(first['tls.crt']);
      const imported = (await new ACMClient(sdk()).send(new ListCertificatesCommand({}))).CertificateSummaryList ?? [];
      expect(imported).toHaveLength(1);
      expect((await deliveredEvents()).map((event) => event['detail-type'])).toEqual(['Certificate Issued']);
      expectNoKeyMaterial(result);
    },
    RUN_TIMEOUT,
  );

  it(
    'cleans its TXT records up and records the failure when Route 53 refuses mid-run',
    async () => {
      // Prepare
      const current = await currentCertificate();
      stack.pebble.server.injectFaults('GetChange', ['AccessDenied']);

      // Act
      const result = await stack.run({ ...webInput, force: true });

      // Assess
      expect(result.status).toBe('FAILED');
      const entered = result.events.filter((event) => event.type === 'StateEntered').map((event) => (event.state as { name: string }).name);
      expect(entered).toContain('PresentChallenges');
      expect(entered).toContain('CleanUpAfterFailure');
      expect(stack.pebble.server.recordSets(stack.pebble.zoneId).filter((set) => set.type === 'TXT')).toEqual([]);
      expect(await visibleTxt(stack.pebble.server, `_acme-challenge.${ZONE}`)).toEqual([]);
      const entry = await ledgerEntry();
      expect(entry).toMatchObject({ lastResult: 'Failed', consecutiveFailures: 1, lastError: { error: 'DnsChangeRejected' } });
      expect(entry.activeRun).toBeUndefined();
      expect((await currentCertificate())['tls.crt']).toBe(current['tls.crt']);
      expect((await deliveredEvents()).map((event) => event['detail-type'])).toEqual(['Certificate Renewal Failed']);
      expectNoKeyMaterial(result);
    },
    RUN_TIMEOUT,
  );

  it(
    'reports a bundle that fails at init as the Lambda error Step Functions matches on',
    async () => {
      // Prepare: CheckRenewal deployed without the variable its module scope reads.
      const checkRenewal = functionNamed('CheckRenewal');
      const { CERTSTEP_ISSUERS: _dropped, ...variables } = checkRenewal.variables;
      const harness = new LambdaHarness({ functions: [{ ...checkRenewal, variables }], runtimeEnvironment: stack.runtimeEnvironment });

      // Act
      const failure = await harness.invoke(checkRenewal.arn, {}).then(
        () => undefined,
        (error: unknown) => error,
      );
      harness.stop();

      // Assess
      expect(failure).toBeInstanceOf(LambdaInvocationError);
      expect((failure as Error).name).toBe('ConfigError');
      expect(JSON.parse((failure as LambdaInvocationError).cause)).toMatchObject({
        errorType: 'ConfigError',
        errorMessage: expect.stringContaining('CERTSTEP_ISSUERS'),
      });
    },
    RUN_TIMEOUT,
  );
});

function serialOf(stored: StoredCertificate): string {
  return execFileSync('openssl', ['x509', '-noout', '-serial'], { input: stored['tls.crt'], encoding: 'utf8' })
    .trim()
    .replace(/^serial=/, '')
    .toLowerCase();
}
