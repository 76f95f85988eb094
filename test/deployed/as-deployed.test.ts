/**
 * certstep as deployed: what `cdk deploy` ships (the bundles of the cloud assembly, the
 * definition and its substitutions, each function's environment and IAM policy, all from the
 * template) runs against AWS implementations nobody on this project wrote (moto, IAM enforced
 * for actions) and a real ACME CA (Pebble). Route 53 is the project's wire server, which checks
 * no IAM. The scenarios run in order, on one stack, as a deployment lives.
 */
import { execFileSync } from 'node:child_process';
import { ACMClient, GetCertificateCommand, ListCertificatesCommand } from '@aws-sdk/client-acm';
import { DynamoDBClient, GetItemCommand, PutItemCommand, type PutItemCommandInput } from '@aws-sdk/client-dynamodb';
import { ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient, StartExecutionCommand, type StartExecutionCommandInput } from '@aws-sdk/client-sfn';
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

/** A custom resource's `Create` call, as the AwsCustomResource provider would read it, and the role it runs with. */
function createCall(type: string): { call: { service: string; action: string; parameters: Record<string, unknown> }; role: Json } {
  const [[, resource]] = resourcesOfType(stack.assembly.template, type) as unknown as [[string, { Properties: Record<string, Json> }]];
  const call = JSON.parse(resolve(resource.Properties.Create as Json, stack.deployed) as string);
  const provider = (resource.Properties.ServiceToken as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return { call, role: stack.assembly.template.Resources[provider]?.Properties?.Role as Json };
}

describe('certstep as deployed', () => {
  let first: StoredCertificate;

  it(
    "issues the first certificate from the deploy-time trigger's own calls",
    async () => {
      // Prepare: the two calls the custom resources make on Create, with their role's credentials.
      const catalog = createCall('Custom::CertstepCatalogItem');
      const start = createCall('Custom::CertstepStartExecution');
      expect([catalog.call.service, catalog.call.action, start.call.service, start.call.action]).toEqual(['DynamoDB', 'putItem', 'SFN', 'startExecution']);
      const credentials = await stack.credentialsFor(start.role);
      const client = { endpoint: stack.moto.endpoint, region: stack.moto.region, credentials };
      await new DynamoDBClient(client).send(new PutItemCommand(catalog.call.parameters as unknown as PutItemCommandInput));
      const started = await new SFNClient(client).send(new StartExecutionCommand(start.call.parameters as unknown as StartExecutionCommandInput));
      expect(started.executionArn).toContain(':execution:certstep-renewal:');

      // Act: the execution it started, run by the local state machine with exactly that input.
      const result = await stack.run(JSON.parse(start.call.parameters.input as string));

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
      const item = await new DynamoDBClient(sdk()).send(
        new GetItemCommand({ TableName: catalog.call.parameters.TableName as string, Key: { name: { S: 'web' } } }),
      );
      expect(item.Item?.input?.S).toBe(start.call.parameters.input);
      expectNoKeyMaterial(result);
      // The stack's placeholder is a version the ledger has no record of: StoreCertificate reads it
      // once (CheckRenewal's role may only DescribeSecret), and CheckRenewal decides again.
      const entered = result.events.filter((event) => event.type === 'StateEntered').map((event) => (event.state as { name: string }).name);
      expect(entered.slice(0, 5)).toEqual(['CheckRenewal', 'IsRenewalDue', 'ReadStoredCertificate', 'CheckRenewal', 'IsRenewalDue']);
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
      const { call } = createCall('Custom::CertstepStartExecution');

      // Act
      const result = await stack.run({ ...JSON.parse(call.parameters.input as string), force: true });

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
      const { call } = createCall('Custom::CertstepStartExecution');
      const current = await currentCertificate();
      stack.pebble.server.injectFaults('GetChange', ['AccessDenied']);

      // Act
      const result = await stack.run({ ...JSON.parse(call.parameters.input as string), force: true });

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
