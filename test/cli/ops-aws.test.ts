/**
 * `certstep status | renew | describe --aws` against mocked AWS clients: the exact requests,
 * bounded execution lookups, and no key material in the output. What is stored comes from the
 * ledger's `current` record, trusted while DescribeSecret names the same AWSCURRENT version;
 * GetSecretValue still answers with the whole certificate and its key, so that a call to it
 * would both be counted and put the key within reach of the output.
 */
import { GetItemCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { GetScheduleCommand, ResourceNotFoundException, SchedulerClient } from '@aws-sdk/client-scheduler';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  ListSecretsCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/arguments.js';
import { EXECUTION_LIMITS } from '../../cli/ops/aws-executions.js';
import { type OpsCommand, runOpsCommand } from '../../cli/ops/commands.js';

const sfn = mockClient(SFNClient);
const secrets = mockClient(SecretsManagerClient);
const dynamodb = mockClient(DynamoDBClient);
const scheduler = mockClient(SchedulerClient);
const route53 = mockClient(Route53Client);

const NOW = new Date('2026-12-05T00:00:00Z');
const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:certstep-renewal';
const execution = (id: string) => `arn:aws:states:eu-west-1:123456789012:execution:certstep-renewal:${id}`;
const KEY_BODY = 'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgAwsS3cr3tK3yB0dy';
const SPEC = {
  name: 'web',
  dnsNames: ['example.com', '*.example.com'],
  issuer: 'letsencrypt',
  keyAlgorithm: 'ecdsa-p256',
  renewBefore: 'P30D',
  dns01: { route53: { hostedZoneId: 'Z0123456789ABC' } },
};
/** What StoreCertificate records in the ledger: the stored certificate without key and chain. */
const SUMMARY = {
  dnsNames: SPEC.dnsNames,
  serialNumber: '04a1',
  notBefore: '2026-10-01T00:00:00.000Z',
  notAfter: '2026-12-30T00:00:00.000Z',
  renewalTime: '2026-11-30T00:00:00.000Z',
  issuer: 'letsencrypt',
  keyAlgorithm: 'ecdsa-p256',
  revision: 4,
  secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:certstep/certificates/web-AbCdEf',
};
const SECRET = JSON.stringify({
  'tls.crt': '-----BEGIN CERTIFICATE-----\nMIIBzzCCAXWgAwIBAgIIQ2VydEJvZHk=\n-----END CERTIFICATE-----\n',
  'tls.key': `-----BEGIN PRIVATE KEY-----\n${KEY_BODY}\n-----END PRIVATE KEY-----\n`,
  ...SUMMARY,
});
const WEB_ENTRY = {
  certificateName: 'web',
  consecutiveFailures: 3,
  lastResult: 'Failed',
  lastRunAt: '2026-12-04T23:00:00.000Z',
  lastError: { error: 'AcmeServerError', cause: 'CA answered 503' },
  nextAttemptAfter: '2026-12-05T02:00:00.000Z',
  current: { versionId: 'v4', certificate: SUMMARY },
};
const ledgerItem = (entry: { certificateName: string; [field: string]: unknown }, version = 7) => ({
  Item: { certificateName: { S: entry.certificateName }, version: { N: String(version) }, entry: { S: JSON.stringify(entry) } },
});
const AWS_FLAGS = ['--aws', '--state-machine-arn', MACHINE, '--ledger-table', 'certstep-ledger', '--schedule-group', 'certstep'];

async function certstep(command: OpsCommand, ...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runOpsCommand(command, argv, {
    io: { out: (text) => (out += `${text}\n`), err: (text) => (err += `${text}\n`) },
    clock: () => NOW,
    env: {},
    pollIntervalMs: 0,
    awsClients: {
      sfn: new SFNClient({ region: 'eu-west-1' }),
      secrets: new SecretsManagerClient({ region: 'eu-west-1' }),
      dynamodb: new DynamoDBClient({ region: 'eu-west-1' }),
      scheduler: new SchedulerClient({ region: 'eu-west-1' }),
      route53: new Route53Client({ region: 'eu-west-1' }),
    },
  });
  return { code, out, err };
}

function expectNoKeyMaterial(text: string): void {
  for (const forbidden of ['PRIVATE KEY', KEY_BODY, KEY_BODY.slice(0, 20), 'tls.key', 'BEGIN CERTIFICATE', 'tls.crt']) expect(text).not.toContain(forbidden);
}

beforeEach(() => {
  for (const mock of [sfn, secrets, dynamodb, scheduler, route53]) mock.reset();
  secrets
    .on(ListSecretsCommand)
    .resolves({ SecretList: [{ Name: 'certstep/certificates/web' }], NextToken: 'page-2' })
    .on(ListSecretsCommand, { NextToken: 'page-2' })
    .resolves({ SecretList: [{ Name: 'certstep/certificates/api' }, { Name: 'certstep/certificates/Not_A_Name' }] });
  secrets
    .on(DescribeSecretCommand, { SecretId: 'certstep/certificates/web' })
    .resolves({ Name: 'certstep/certificates/web', VersionIdsToStages: { v3: ['AWSPREVIOUS'], v4: ['AWSCURRENT'] } });
  secrets
    .on(DescribeSecretCommand, { SecretId: 'certstep/certificates/api' })
    .resolves({ Name: 'certstep/certificates/api', VersionIdsToStages: { v0: ['AWSCURRENT'] } });
  // The trap (see the top): nothing here may read these.
  secrets.on(GetSecretValueCommand, { SecretId: 'certstep/certificates/web' }).resolves({ VersionId: 'v4', SecretString: SECRET });
  secrets.on(GetSecretValueCommand, { SecretId: 'certstep/certificates/api' }).resolves({ VersionId: 'v0', SecretString: '{}' });
  dynamodb.on(GetItemCommand).resolves({});
  // The ledger's items, as `list` scans them (key only): the same two certificates as the secrets.
  dynamodb.on(ScanCommand).resolves({ Items: [{ certificateName: { S: 'web' } }, { certificateName: { S: 'api' } }] });
  dynamodb.on(GetItemCommand, { Key: { certificateName: { S: 'web' } } }).resolves(ledgerItem(WEB_ENTRY));
  // A first run read the stack's placeholder (v0) and recorded it: nothing issued yet.
  dynamodb
    .on(GetItemCommand, { Key: { certificateName: { S: 'api' } } })
    .resolves(ledgerItem({ certificateName: 'api', consecutiveFailures: 0, current: { versionId: 'v0' } }, 2));
  scheduler
    .on(GetScheduleCommand)
    .rejects(new ResourceNotFoundException({ message: 'Schedule api does not exist.', Message: 'Schedule api does not exist.', $metadata: {} }));
  scheduler.on(GetScheduleCommand, { Name: 'web' }).resolves({
    Name: 'web',
    ScheduleExpression: 'at(2026-12-05T02:00:00)',
    Target: { Arn: MACHINE, RoleArn: 'arn:aws:iam::123456789012:role/scheduler', Input: JSON.stringify({ certificate: SPEC, force: false }) },
  });
});

describe('certstep status --aws', () => {
  it('lists the secrets under the prefix, describes each one (never reading its value), reads its ledger item and its schedule', async () => {
    const { code, out } = await certstep('status', ...AWS_FLAGS);

    expect(code).toBe(0);
    expect(secrets.commandCalls(ListSecretsCommand).map((call) => call.args[0].input)).toEqual([
      { Filters: [{ Key: 'name', Values: ['certstep/certificates/'] }], MaxResults: 100 },
      { Filters: [{ Key: 'name', Values: ['certstep/certificates/'] }], MaxResults: 100, NextToken: 'page-2' },
    ]);
    expect(
      secrets
        .commandCalls(DescribeSecretCommand)
        .map((call) => call.args[0].input)
        .sort((a, b) => String(a.SecretId).localeCompare(String(b.SecretId))),
    ).toEqual([{ SecretId: 'certstep/certificates/api' }, { SecretId: 'certstep/certificates/web' }]);
    expect(secrets.commandCalls(GetSecretValueCommand)).toEqual([]);
    expect(dynamodb.commandCalls(GetItemCommand).map((call) => call.args[0].input)).toContainEqual({
      TableName: 'certstep-ledger',
      Key: { certificateName: { S: 'web' } },
      ConsistentRead: true,
    });
    expect(scheduler.commandCalls(GetScheduleCommand).map((call) => call.args[0].input)).toContainEqual({ Name: 'web', GroupName: 'certstep' });
    expect(sfn.calls()).toHaveLength(0);
    const web = out.split('\n').find((line) => line.startsWith('web ')) as string;
    expect(web).toMatch(/BackingOff\s+Failed 2026-12-04 23:00:00Z\s+3\s+2026-12-05 02:00:00Z\s+no$/);
    expect(web).toContain('2026-12-30 00:00:00Z'); // notAfter, from the ledger's record of v4
    expect(out.split('\n').find((line) => line.startsWith('api '))).toMatch(/DoesNotExist/);
    expect(out).not.toContain('Not_A_Name');
    expectNoKeyMaterial(out);
  });

  it('takes its settings from the environment and prints --json without key material', async () => {
    let out = '';
    const code = await runOpsCommand('status', ['--aws', '--json'], {
      io: { out: (text) => (out += text), err: () => undefined },
      clock: () => NOW,
      env: { CERTSTEP_LEDGER_TABLE: 'from-env', CERTSTEP_SCHEDULE_GROUP: 'env-group' },
      awsClients: {
        secrets: new SecretsManagerClient({ region: 'eu-west-1' }),
        dynamodb: new DynamoDBClient({ region: 'eu-west-1' }),
        scheduler: new SchedulerClient({ region: 'eu-west-1' }),
      },
    });

    expect(code).toBe(0);
    expect(dynamodb.commandCalls(GetItemCommand)[0]?.args[0].input.TableName).toBe('from-env');
    expect(scheduler.commandCalls(GetScheduleCommand)[0]?.args[0].input.GroupName).toBe('env-group');
    const parsed = JSON.parse(out) as { certificates: { name: string; reason: string; consecutiveFailures: number }[] };
    expect(parsed.certificates.map(({ name, reason, consecutiveFailures }) => ({ name, reason, consecutiveFailures }))).toEqual([
      { name: 'api', reason: 'DoesNotExist', consecutiveFailures: 0 },
      { name: 'web', reason: 'BackingOff', consecutiveFailures: 3 },
    ]);
    expectNoKeyMaterial(out);
  });
});

describe('what status and describe --aws know of the stored certificate, without reading the key', () => {
  beforeEach(() => {
    secrets.on(ListSecretVersionIdsCommand).resolves({ Versions: [{ VersionId: 'v5', VersionStages: ['AWSCURRENT'], CreatedDate: NOW }] });
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
  });

  it('says MetadataStale when the ledger records another version than the current one, and shows nothing of the old record', async () => {
    // A newer version (v5) became current after the ledger recorded v4: edited by hand, or a run that died in between.
    secrets
      .on(DescribeSecretCommand, { SecretId: 'certstep/certificates/web' })
      .resolves({ Name: 'certstep/certificates/web', VersionIdsToStages: { v4: ['AWSPREVIOUS'], v5: ['AWSCURRENT'] } });

    const text = await certstep('status', ...AWS_FLAGS);
    const json = JSON.parse((await certstep('status', ...AWS_FLAGS, '--json')).out) as { certificates: Record<string, unknown>[] };
    const described = await certstep('describe', 'web', ...AWS_FLAGS);

    expect(text.code).toBe(0);
    const web = text.out.split('\n').find((line) => line.startsWith('web ')) as string;
    expect(web).toMatch(/^web\s+example\.com,\*\.example\.com\s+-\s+-\s+MetadataStale\s+Failed 2026-12-04 23:00:00Z\s+3\s+2026-12-05 02:00:00Z\s+no$/);
    expect(text.out).toContain("MetadataStale: the run ledger does not describe the secret's current version; the next run records it");
    const status = json.certificates.find((row) => row.name === 'web');
    expect(status).toMatchObject({ reason: 'MetadataStale', consecutiveFailures: 3, holdOffUntil: '2026-12-05T02:00:00.000Z' });
    expect(status).not.toHaveProperty('notAfter');
    expect(status?.message).toBe(
      'the run ledger records version v4 of the secret of web, but version v5 is current: the stored certificate is not known until the next run records it ' +
        '(the scheduled one, or `certstep renew web --aws`; with --dry-run it replaces nothing)',
    );
    expect(described.code).toBe(0);
    expect(described.out).toContain('renewal       MetadataStale: the run ledger records version v4');
    expect(described.out).toContain('Stored certificate\n  not known here without reading the key (see Notes)');
    expect(described.out).not.toContain('04a1');
    expect(described.out).toMatch(/Notes\n(\s+.*\n)*\s+the run ledger records version v4 of the secret of web, but version v5 is current/);
    expect(secrets.commandCalls(GetSecretValueCommand)).toEqual([]);
    expectNoKeyMaterial(text.out + described.out);
  });

  it('says MetadataStale for a secret the ledger has no record of (no run since deploy or the upgrade from 0.1)', async () => {
    dynamodb.on(GetItemCommand, { Key: { certificateName: { S: 'api' } } }).resolves({});

    const { code, out } = await certstep('status', ...AWS_FLAGS, '--json');

    expect(code).toBe(0);
    const api = (JSON.parse(out) as { certificates: { name: string; reason: string; message: string }[] }).certificates.find((row) => row.name === 'api');
    expect(api?.reason).toBe('MetadataStale');
    expect(api?.message).toMatch(/^the run ledger has no record of what the secret of api holds \(no run since the stack was deployed or upgraded from 0\.1\)/);
    expect(api?.message).toContain('`certstep renew api --aws`');
    expect(secrets.commandCalls(GetSecretValueCommand)).toEqual([]);
  });

  it('judges a secret without a current version as nothing stored, whatever the ledger says', async () => {
    secrets.on(DescribeSecretCommand, { SecretId: 'certstep/certificates/web' }).resolves({ Name: 'certstep/certificates/web', VersionIdsToStages: {} });

    const { out } = await certstep('status', ...AWS_FLAGS, '--json');

    // Due because nothing is stored, and held back by the ledger's hold-off.
    expect((JSON.parse(out) as { certificates: { name: string }[] }).certificates.find((row) => row.name === 'web')).toMatchObject({
      reason: 'BackingOff',
      message: expect.stringMatching(/^due \(DoesNotExist\), but held back until 2026-12-05T02:00:00.000Z/),
    });
    expect(out).not.toContain('notAfter');
    expect(secrets.commandCalls(GetSecretValueCommand)).toEqual([]);
  });

  it('without --ledger-table says the stored certificate is not read, exits 0, and neither reads the secret nor the table', async () => {
    const flags = ['--aws', '--state-machine-arn', MACHINE, '--schedule-group', 'certstep'];

    const text = await certstep('status', ...flags);
    const json = JSON.parse((await certstep('status', ...flags, '--json')).out) as { certificates: { name: string; reason: string; message: string }[] };
    const described = await certstep('describe', 'web', ...flags, '--json');

    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^web\s+example\.com,\*\.example\.com\s+-\s+-\s+Unknown\s+-\s+0\s+-\s+no$/m);
    expect(text.out).toContain('No --ledger-table (or CERTSTEP_LEDGER_TABLE): what each secret stores is not known');
    expect(json.certificates.map(({ name, reason }) => ({ name, reason }))).toEqual([
      { name: 'api', reason: 'Unknown' },
      { name: 'web', reason: 'Unknown' },
    ]);
    expect(json.certificates[1]?.message).toBe(
      'the stored certificate is not read without --ledger-table (or CERTSTEP_LEDGER_TABLE): certstep learns it from the run ledger, never from the secret, which holds the key',
    );
    expect(described.code).toBe(0);
    const details = JSON.parse(described.out) as { notes: string[]; stored?: unknown; storedUnknown?: string };
    expect(details.stored).toBeUndefined();
    expect(details.storedUnknown).toContain('not read without --ledger-table');
    expect(details.notes).toContain(
      'no --ledger-table (or CERTSTEP_LEDGER_TABLE): ledger not read, nor what the stored certificate is (only the ledger records it without the key)',
    );
    expect(dynamodb.calls()).toHaveLength(0);
    expect(secrets.commandCalls(GetSecretValueCommand)).toEqual([]);
  });
});

describe('certstep renew --aws', () => {
  it('starts a forced execution with the scheduled spec and prints its ARN', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: execution('renew-web-20261205T000000Z'), startDate: NOW });

    const { code, out } = await certstep('renew', 'web', ...AWS_FLAGS);

    expect(code).toBe(0);
    expect(sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input)).toEqual([
      { stateMachineArn: MACHINE, name: 'renew-web-20261205T000000Z', input: JSON.stringify({ certificate: SPEC, force: true }) },
    ]);
    expect(out).toBe(`Started a forced renewal of web: ${execution('renew-web-20261205T000000Z')}\n`);
  });

  it('with --dry-run starts an execution whose input has dryRun: true, named as a dry run, and says what it leaves alone', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: execution('dry-run-web-20261205T000000Z'), startDate: NOW });

    const { code, out } = await certstep('renew', 'web', '--dry-run', ...AWS_FLAGS);

    expect(code).toBe(0);
    expect(sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input)).toEqual([
      { stateMachineArn: MACHINE, name: 'dry-run-web-20261205T000000Z', input: JSON.stringify({ certificate: SPEC, force: true, dryRun: true }) },
    ]);
    expect(out).toContain(`Started a dry run of web: ${execution('dry-run-web-20261205T000000Z')}`);
    expect(out).toContain('the stored certificate, schedule and ACM copies are left alone');
  });

  it("without a schedule, takes the spec from the ledger's record of the stored certificate, and refuses while it is stale", async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: execution('renew-web-20261205T000000Z'), startDate: NOW });
    const flags = ['--aws', '--state-machine-arn', MACHINE, '--ledger-table', 'certstep-ledger'];

    const rebuilt = await certstep('renew', 'web', ...flags);
    secrets
      .on(DescribeSecretCommand, { SecretId: 'certstep/certificates/web' })
      .resolves({ Name: 'certstep/certificates/web', VersionIdsToStages: { v4: ['AWSPREVIOUS'], v5: ['AWSCURRENT'] } });
    const stale = certstep('renew', 'web', ...flags);

    expect(rebuilt.code).toBe(0);
    expect(rebuilt.err).toContain('no schedule for web; the run uses the spec rebuilt from its stored certificate');
    expect(JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.input ?? '{}')).toMatchObject({
      certificate: { name: 'web', dnsNames: SPEC.dnsNames, issuer: 'letsencrypt', keyAlgorithm: 'ecdsa-p256' },
      force: true,
    });
    await expect(stale).rejects.toThrow(
      /^certificate web has no schedule \(--schedule-group\) or catalog item \(--catalog-table\) to take its spec from, and its stored certificate is not known \(the run ledger records version v4/,
    );
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    expect(secrets.commandCalls(GetSecretValueCommand)).toEqual([]);
  });

  it('with --wait asks until the execution ends, says it issued and exits 0', async () => {
    const arn = execution('renew-web-20261205T000000Z');
    sfn.on(StartExecutionCommand).resolves({ executionArn: arn, startDate: NOW });
    const issued = { certificate: SPEC, force: true, renewal: { due: true, reason: 'Forced' }, issued: { revision: 5, serialNumber: '04a2' } };
    sfn
      .on(DescribeExecutionCommand, { executionArn: arn })
      .resolvesOnce({ executionArn: arn, status: 'RUNNING' })
      .resolvesOnce({ executionArn: arn, status: 'RUNNING' })
      .resolves({ executionArn: arn, status: 'SUCCEEDED', output: JSON.stringify(issued) });

    const { code, out, err } = await certstep('renew', 'web', '--wait', ...AWS_FLAGS);

    expect(code).toBe(0);
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(3);
    expect(out).toBe(`Started a forced renewal of web: ${arn}\nWaiting for it to end...\nSucceeded: certificate issued (revision 5)\n`);
    expect(err).toBe('');
  });

  it.each([
    [{ status: 'FAILED', error: 'AcmeRateLimited', cause: 'newOrder: rate limited by the CA' }, 1, 'Failed: AcmeRateLimited: newOrder: rate limited by the CA'],
    [{ status: 'FAILED', error: 'InvalidInput', cause: 'certificate.dnsNames: required' }, 2, 'Failed: InvalidInput: certificate.dnsNames: required'],
    [{ status: 'TIMED_OUT', error: 'States.Timeout' }, 1, 'Timed out: States.Timeout'],
    [{ status: 'ABORTED' }, 1, 'Aborted: no error given'],
  ])('with --wait, an execution that ended %j exits %i and says so on stderr', async (ended, exitCode, said) => {
    const arn = execution('renew-web-20261205T000000Z');
    sfn.on(StartExecutionCommand).resolves({ executionArn: arn, startDate: NOW });
    sfn.on(DescribeExecutionCommand, { executionArn: arn }).resolves({ executionArn: arn, ...ended } as never);

    const { code, err } = await certstep('renew', 'web', '--wait', ...AWS_FLAGS);

    expect(code).toBe(exitCode);
    expect(err).toBe(`${said}\n`);
  });

  it('with --wait, a run the failure hold-off stopped exits 3, as cron must see it', async () => {
    const arn = execution('renew-web-20261205T000000Z');
    sfn.on(StartExecutionCommand).resolves({ executionArn: arn, startDate: NOW });
    const held = { certificate: SPEC, force: true, renewal: { due: false, reason: 'BackingOff', message: 'held back until 02:00Z after 3 failures' } };
    sfn.on(DescribeExecutionCommand, { executionArn: arn }).resolves({ executionArn: arn, status: 'SUCCEEDED', output: JSON.stringify(held) });

    const { code, out } = await certstep('renew', 'web', '--wait', ...AWS_FLAGS);

    expect(code).toBe(3);
    expect(out).toContain('Held back: held back until 02:00Z after 3 failures (nothing was tried)');
  });

  it('with --dry-run --wait: 0 when the test certificate was verified, 1 when nothing was ordered', async () => {
    const arn = execution('dry-run-web-20261205T000000Z');
    sfn.on(StartExecutionCommand).resolves({ executionArn: arn, startDate: NOW });
    const tested = {
      certificate: SPEC,
      dryRun: true,
      renewal: { due: true, reason: 'Forced' },
      issued: { discarded: true, directoryUrl: 'https://acme-staging-v02.api.letsencrypt.org/directory', serialNumber: 'fa11' },
    };
    const notDone = { certificate: SPEC, dryRun: true, renewal: { due: true, reason: 'InProgress', message: 'a renewal is already in progress' } };
    sfn
      .on(DescribeExecutionCommand, { executionArn: arn })
      .resolvesOnce({ executionArn: arn, status: 'SUCCEEDED', output: JSON.stringify(tested) })
      .resolves({ executionArn: arn, status: 'SUCCEEDED', output: JSON.stringify(notDone) });

    const verified = await certstep('renew', 'web', '--dry-run', '--wait', ...AWS_FLAGS);
    const skipped = await certstep('renew', 'web', '--dry-run', '--wait', ...AWS_FLAGS);

    expect(verified.code).toBe(0);
    expect(verified.out).toContain(
      'Dry run succeeded: ordered from https://acme-staging-v02.api.letsencrypt.org/directory; the test certificate (serial fa11)',
    );
    expect(skipped.code).toBe(1);
    expect(skipped.err).toContain('Dry run not done: a renewal is already in progress');
  });

  it('refuses --wait without --aws: a local renew always runs to its end', async () => {
    await expect(certstep('renew', 'web', '--wait')).rejects.toThrow('--wait needs --aws: a local renew always runs to its end');
  });

  it('needs the state machine ARN, and refuses an unknown certificate with exit 2', async () => {
    await expect(certstep('renew', 'web', '--aws')).rejects.toThrow(UsageError);
    const unknown = await certstep('renew', 'nope', ...AWS_FLAGS);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown certificate "nope"; known certificates: api, web');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});

const order = {
  url: 'https://acme.example/order/1',
  status: 'pending',
  finalizeUrl: 'https://acme.example/finalize/1',
  challenges: [
    { dnsName: 'example.com', wildcard: true, authorizationUrl: 'a', challengeUrl: 'c', recordName: '_acme-challenge.example.com', value: 'txt-value' },
  ],
  reusedAuthorizations: ['example.com'],
};
let eventId = 0;
const event = (type: string, details: Partial<HistoryEvent> = {}): HistoryEvent => ({
  id: ++eventId,
  type: type as HistoryEvent['type'],
  timestamp: NOW,
  ...details,
});
const failedHistory = (): HistoryEvent[] => [
  event('ExecutionStarted'),
  event('TaskStateEntered', { stateEnteredEventDetails: { name: 'CreateOrder' } }),
  event('TaskStateExited', { stateExitedEventDetails: { name: 'CreateOrder', output: JSON.stringify({ certificate: SPEC, order }) } }),
  event('TaskStateEntered', { stateEnteredEventDetails: { name: 'AcceptChallenges' } }),
  event('TaskStateExited', { stateExitedEventDetails: { name: 'AcceptChallenges', output: JSON.stringify({ order, validation: { status: 'pending' } }) } }),
  event('TaskStateEntered', { stateEnteredEventDetails: { name: 'PollAuthorizations' } }),
  event('LambdaFunctionFailed', { lambdaFunctionFailedEventDetails: { error: 'AcmeServerError', cause: 'CA answered 503' } }),
  event('TaskStateEntered', { stateEnteredEventDetails: { name: 'CleanUpAfterFailure' } }),
  event('TaskStateExited', { stateExitedEventDetails: { name: 'CleanUpAfterFailure', output: '{}' } }),
  event('FailStateEntered', { stateEnteredEventDetails: { name: 'Failed' } }),
  event('ExecutionFailed', { executionFailedEventDetails: { error: 'AcmeServerError', cause: 'CA answered 503' } }),
];

describe('certstep describe --aws', () => {
  beforeEach(() => {
    secrets.on(ListSecretVersionIdsCommand).resolves({
      Versions: [
        { VersionId: 'v3', VersionStages: ['AWSPREVIOUS'], CreatedDate: new Date('2026-10-01T00:00:00Z') },
        { VersionId: 'v4', VersionStages: ['AWSCURRENT'], CreatedDate: new Date('2026-11-01T00:00:00Z') },
      ],
    });
    sfn.on(ListExecutionsCommand).resolves({
      executions: ['failed', 'other', 'older'].map((id) => ({
        executionArn: execution(id),
        stateMachineArn: MACHINE,
        name: id,
        status: 'SUCCEEDED',
        startDate: NOW,
      })),
    });
    sfn.on(DescribeExecutionCommand, { executionArn: execution('failed') }).resolves({
      executionArn: execution('failed'),
      stateMachineArn: MACHINE,
      status: 'FAILED',
      startDate: new Date('2026-12-04T23:00:00Z'),
      stopDate: new Date('2026-12-04T23:00:09Z'),
      input: JSON.stringify({ certificate: SPEC, force: false }),
      error: 'AcmeServerError',
      cause: 'CA answered 503',
    });
    sfn.on(DescribeExecutionCommand, { executionArn: execution('other') }).resolves({
      executionArn: execution('other'),
      stateMachineArn: MACHINE,
      status: 'SUCCEEDED',
      startDate: NOW,
      input: JSON.stringify({ certificate: { ...SPEC, name: 'api' } }),
    });
    sfn.on(DescribeExecutionCommand, { executionArn: execution('older') }).resolves({
      executionArn: execution('older'),
      stateMachineArn: MACHINE,
      status: 'SUCCEEDED',
      startDate: new Date('2026-11-01T00:00:00Z'),
      stopDate: new Date('2026-11-01T00:01:00Z'),
      input: JSON.stringify({ certificate: SPEC }),
    });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: failedHistory().reverse() });
    route53.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [{ Name: '_acme-challenge.example.com.', Type: 'TXT', TTL: 60, ResourceRecords: [{ Value: '"txt-value"' }] }],
      IsTruncated: false,
      MaxItems: 1,
    });
  });

  it('shows the versions, the executions with the failing step, the order and whether its TXT records remain', async () => {
    const { code, out } = await certstep('describe', 'web', ...AWS_FLAGS);

    expect(code).toBe(0);
    expect(secrets.commandCalls(ListSecretVersionIdsCommand)[0]?.args[0].input).toEqual({ SecretId: 'certstep/certificates/web', MaxResults: 100 });
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(3);
    // Only the failed execution's history is needed: it is also the newest.
    expect(sfn.commandCalls(GetExecutionHistoryCommand).map((call) => call.args[0].input)).toEqual([
      { executionArn: execution('failed'), reverseOrder: true, maxResults: 1000, includeExecutionData: true },
    ]);
    expect(route53.commandCalls(ListResourceRecordSetsCommand).map((call) => call.args[0].input)).toEqual([
      { HostedZoneId: 'Z0123456789ABC', StartRecordName: '_acme-challenge.example.com', StartRecordType: 'TXT', MaxItems: 1 },
    ]);
    expect(out).toMatch(/v4\s+AWSCURRENT\s+2026-11-01 00:00:00Z/);
    expect(out).toMatch(/v3\s+AWSPREVIOUS\s+2026-10-01 00:00:00Z/);
    expect(out).toContain('failed in PollAuthorizations');
    expect(out).toContain('AcmeServerError: CA answered 503');
    expect(out).not.toContain(execution('other'));
    expect(out).toContain(execution('older'));
    expect(out).toContain('order  https://acme.example/order/1  (pending)');
    expect(out).toMatch(/example\.com\s+valid \(reused\)/);
    expect(out).toMatch(/_acme-challenge\.example\.com\s+\*\.example\.com\s+txt-value\s+yes/);
    expect(out).toMatch(/consecutive failures\s+3/);
    expect(out).toMatch(/Stored certificate\n\s+serial\s+04a1/);
    expect(secrets.commandCalls(GetSecretValueCommand)).toEqual([]);
    expectNoKeyMaterial(out);
  });

  it('keeps the last failure and its order in view after a held-back run, names each outcome and the ACM ARNs', async () => {
    // Prepare: a held-back run after the failure, and a ledger that remembers an ACM copy.
    sfn.on(ListExecutionsCommand).resolves({
      executions: ['held', 'failed'].map((id) => ({ executionArn: execution(id), stateMachineArn: MACHINE, name: id, status: 'SUCCEEDED', startDate: NOW })),
    });
    sfn.on(DescribeExecutionCommand, { executionArn: execution('held') }).resolves({
      executionArn: execution('held'),
      stateMachineArn: MACHINE,
      status: 'SUCCEEDED',
      startDate: new Date('2026-12-05T00:30:00Z'),
      input: JSON.stringify({ certificate: SPEC, force: false }),
      output: JSON.stringify({ certificate: SPEC, renewal: { due: false, reason: 'BackingOff', message: 'held back' } }),
    });
    sfn.on(GetExecutionHistoryCommand, { executionArn: execution('held') }).resolves({ events: [event('ExecutionSucceeded'), event('ExecutionStarted')] });
    const ACM_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b';
    dynamodb.on(GetItemCommand, { Key: { certificateName: { S: 'web' } } }).resolves({
      Item: {
        certificateName: { S: 'web' },
        version: { N: '8' },
        entry: {
          S: JSON.stringify({
            certificateName: 'web',
            consecutiveFailures: 1,
            lastResult: 'HeldBack',
            acmArns: { 'us-east-1': ACM_ARN },
            current: { versionId: 'v4', certificate: SUMMARY },
          }),
        },
      },
    });

    // Act
    const { code, out } = await certstep('describe', 'web', ...AWS_FLAGS);
    const json = JSON.parse((await certstep('describe', 'web', ...AWS_FLAGS, '--json')).out) as Record<string, unknown>;

    // Assess
    expect(code).toBe(0);
    expect(out).toMatch(/HeldBack\s+SUCCEEDED\s+arn:aws:states:\S+:held/);
    expect(out).toMatch(/Failed\s+FAILED\s+arn:aws:states:\S+:failed/);
    expect(out).toMatch(/Last execution held\n\s+order\s+none created/);
    expect(out).toMatch(/Last failure failed at 2026-12-04 23:00:00Z\n\s+order {2}https:\/\/acme\.example\/order\/1 {2}\(pending\)/);
    expect(out).toMatch(/_acme-challenge\.example\.com\s+\*\.example\.com\s+txt-value\s+yes/);
    expect(out).toMatch(/failed in PollAuthorizations\n\s+AcmeServerError: CA answered 503/);
    expect(out).toMatch(new RegExp(`ACM copies\\n.*\\n\\s+us-east-1\\s+${ACM_ARN}\\s+-\\s+not checked`));
    expect(json.executions).toEqual([expect.objectContaining({ outcome: 'HeldBack' }), expect.objectContaining({ outcome: 'Failed' })]);
    expect(json.lastFailure).toMatchObject({ executionId: execution('failed'), order: { url: 'https://acme.example/order/1' }, error: 'AcmeServerError' });
    expect(json.acm).toEqual([{ region: 'us-east-1', arn: ACM_ARN, current: false }]);
    expectNoKeyMaterial(out);
  });

  it('bounds the DescribeExecution calls when the certificate has few executions', async () => {
    const many = Array.from({ length: 120 }, (_, index) => ({
      executionArn: execution(`x${index}`),
      stateMachineArn: MACHINE,
      name: `x${index}`,
      status: 'SUCCEEDED' as const,
      startDate: NOW,
    }));
    sfn.on(ListExecutionsCommand).resolves({ executions: many.slice(0, 100), nextToken: 'more' });
    sfn.on(ListExecutionsCommand, { nextToken: 'more' }).resolves({ executions: many.slice(100) });
    sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED', startDate: NOW, input: JSON.stringify({ certificate: { ...SPEC, name: 'api' } }) });

    const { code, out } = await certstep('describe', 'web', ...AWS_FLAGS, '--json');

    expect(code).toBe(0);
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(EXECUTION_LIMITS.described);
    expect(sfn.commandCalls(GetExecutionHistoryCommand)).toHaveLength(0);
    const details = JSON.parse(out) as { executions: unknown[]; notes: string[] };
    expect(details.executions).toEqual([]);
    expect(details.notes.join('\n')).toContain('only the newest executions were looked at');
    expectNoKeyMaterial(out);
  });
});

describe('certificates that were never issued (no secret yet)', () => {
  const NEW_SPEC = {
    name: 'new',
    dnsNames: ['new.example.com'],
    issuer: 'letsencrypt',
    keyAlgorithm: 'ecdsa-p256',
    renewBefore: 'P30D',
    dns01: { route53: { hostedZoneId: 'Z0123456789ABC' } },
  };
  const CATALOG = 'certstep-catalog';
  const catalogItem = (name: string, certificate: object) => ({
    name: { S: name },
    input: { S: JSON.stringify({ certificate, force: false }) },
    source: { S: 'config' },
  });

  /** The certificates the status table lists, in its order. */
  const listed = (out: string) =>
    out
      .split('\n')
      .filter((line) => /^(api|fresh|new|web) /.test(line))
      .map((line) => line.split(' ')[0]);

  beforeEach(() => {
    // 'new' is in the catalog and its first runs failed: a ledger entry, no secret, no schedule.
    // 'fresh' is only in the catalog: applied, its first run not started yet (the start cap deferred it).
    const fresh = catalogItem('fresh', { ...NEW_SPEC, name: 'fresh', dnsNames: ['fresh.example.com'] });
    dynamodb.on(ScanCommand, { TableName: CATALOG }).resolves({ Items: [catalogItem('web', SPEC), catalogItem('new', NEW_SPEC), fresh] });
    dynamodb
      .on(ScanCommand, { TableName: 'certstep-ledger' })
      .resolves({ Items: [{ certificateName: { S: 'web' } }, { certificateName: { S: 'api' } }, { certificateName: { S: 'new' } }] });
    dynamodb.on(GetItemCommand, { Key: { certificateName: { S: 'new' } } }).resolves(
      ledgerItem({
        certificateName: 'new',
        consecutiveFailures: 2,
        lastResult: 'Failed',
        lastRunAt: '2026-12-04T22:00:00.000Z',
        lastError: { error: 'ZoneNotFound', cause: 'new.example.com is not in hosted zone Z0123456789ABC' },
        nextAttemptAfter: '2026-12-05T01:00:00.000Z',
      }),
    );
    const missing = Object.assign(new Error("Secrets Manager can't find the specified secret."), { name: 'ResourceNotFoundException', $metadata: {} });
    for (const name of ['new', 'fresh']) {
      secrets.on(DescribeSecretCommand, { SecretId: `certstep/certificates/${name}` }).rejects(missing);
      secrets.on(ListSecretVersionIdsCommand, { SecretId: `certstep/certificates/${name}` }).rejects(missing);
    }
  });

  it('status lists them from the catalog and the ledger, with their failures', async () => {
    const { code, out } = await certstep('status', ...AWS_FLAGS, '--catalog-table', CATALOG);

    expect(code).toBe(0);
    expect(listed(out)).toEqual(['api', 'fresh', 'new', 'web']);
    expect(out.split('\n').find((line) => line.startsWith('fresh '))).toMatch(/fresh\.example\.com.*DoesNotExist/);
    const row = out.split('\n').find((line) => line.startsWith('new ')) as string;
    expect(row).toContain('new.example.com');
    expect(row).toMatch(/BackingOff\s+Failed 2026-12-04 22:00:00Z\s+2\s+2026-12-05 01:00:00Z/);
    expect(out).not.toContain('No --catalog-table');
    expect(secrets.commandCalls(GetSecretValueCommand)).toEqual([]);
  });

  it('without a catalog table, finds one the ledger has, and says where the rest would be', async () => {
    const { out } = await certstep('status', ...AWS_FLAGS);

    expect(out.split('\n').some((line) => line.startsWith('new '))).toBe(true);
    expect(out.split('\n').some((line) => line.startsWith('fresh '))).toBe(false);
    expect(out).toContain('No --catalog-table (or CERTSTEP_CATALOG_TABLE)');
  });

  it('renew takes the spec from the catalog item, whole, and starts the run', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: execution('renew-new-20261205T000000Z'), startDate: NOW });

    const { code, err } = await certstep('renew', 'new', ...AWS_FLAGS, '--catalog-table', CATALOG);

    expect(code).toBe(0);
    expect(err).toBe('');
    expect(sfn.commandCalls(StartExecutionCommand).map((call) => JSON.parse(call.args[0].input.input ?? '{}'))).toEqual([
      { certificate: NEW_SPEC, force: true },
    ]);
  });

  it('describe shows the ledger and no stored versions, instead of failing on the missing secret', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    const { code, out } = await certstep('describe', 'new', ...AWS_FLAGS, '--catalog-table', CATALOG, '--json');
    const details = JSON.parse(out) as { spec?: { name?: string }; specSource?: string; versions?: unknown[]; status?: { reason?: string } };

    expect(code).toBe(0);
    expect(details.spec?.name).toBe('new');
    expect(details.specSource).toBe('catalog');
    expect(details.versions ?? []).toEqual([]);
  });

  it('still lists the issued ones when the operator may not scan the tables, and says what is missing', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform: dynamodb:Scan'), { name: 'AccessDeniedException', $metadata: {} });
    dynamodb.on(ScanCommand).rejects(denied);

    const { code, out } = await certstep('status', ...AWS_FLAGS, '--catalog-table', CATALOG);

    expect(code).toBe(0);
    expect(listed(out)).toEqual(['api', 'web']);
    expect(out).toContain(`Could not list the catalog table ${CATALOG} (StoreAccessDenied: DynamoDB Scan on the certificate catalog was denied`);
    expect(out).toContain('Could not list the run ledger certstep-ledger (AccessDeniedException');
  });

  it('refuses --catalog-table without --aws', async () => {
    await expect(certstep('status', '--catalog-table', CATALOG)).rejects.toThrow('--catalog-table needs --aws');
  });
});
