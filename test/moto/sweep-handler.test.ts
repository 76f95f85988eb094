/**
 * The Sweep Lambda entry against moto_server: the catalog it reads, the runs it starts within the
 * start cap, and the one metric line per sweep its alarms read (stdout, as CloudWatch takes it).
 */
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateScheduleGroupCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateStateMachineCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Moto, startMoto } from '../support/moto.js';

const CATALOG = 'certstep-catalog';
const LEDGER = 'certstep-ledger';
const GROUP = 'certstep-renewals';

let moto: Moto;
let stateMachineArn: string;
let handler: (event: unknown) => Promise<Record<string, number>>;
const sdk = () => ({ endpoint: moto.endpoint, region: moto.region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
const saved = { ...process.env };
const input = (name: string) => ({ certificate: { name, dnsNames: [`${name}.example.com`], issuer: 'letsencrypt' }, force: false });

beforeAll(async () => {
  moto = await startMoto();
  const dynamodb = new DynamoDBClient(sdk());
  for (const [TableName, key] of [
    [CATALOG, 'name'],
    [LEDGER, 'certificateName'],
  ] as const) {
    await dynamodb.send(
      new CreateTableCommand({
        TableName,
        KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  }
  await new SchedulerClient(sdk()).send(new CreateScheduleGroupCommand({ Name: GROUP }));
  const machine = await new SFNClient(sdk()).send(
    new CreateStateMachineCommand({
      name: 'certstep-renewal',
      roleArn: 'arn:aws:iam::123456789012:role/certstep-renewal',
      definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
    }),
  );
  stateMachineArn = machine.stateMachineArn as string;
  // Two certificates never issued (their secrets hold the placeholder) and one the sweep cannot read.
  for (const name of ['fresh-a', 'fresh-b']) {
    await new SecretsManagerClient(sdk()).send(new CreateSecretCommand({ Name: `certstep/certificates/${name}`, SecretString: '{}' }));
    await dynamodb.send(
      new PutItemCommand({ TableName: CATALOG, Item: { name: { S: name }, input: { S: JSON.stringify(input(name)) }, source: { S: 'config' } } }),
    );
  }
  await dynamodb.send(new PutItemCommand({ TableName: CATALOG, Item: { name: { S: 'broken' }, input: { S: '{not json' } } }));
  Object.assign(process.env, moto.env, {
    CERTSTEP_ISSUERS: JSON.stringify([{ name: 'letsencrypt', directoryUrl: 'https://acme-v02.api.letsencrypt.org/directory' }]),
    CERTSTEP_CATALOG_TABLE: CATALOG,
    CERTSTEP_LEDGER_TABLE: LEDGER,
    CERTSTEP_SCHEDULE_GROUP: GROUP,
    CERTSTEP_SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/certstep-scheduler',
    CERTSTEP_STATE_MACHINE_ARN: stateMachineArn,
    CERTSTEP_MAX_STARTS: '1',
    CERTSTEP_ALARM_DAYS: '10',
  });
  ({ handler } = (await import('../../functions/handlers/sweep.js')) as unknown as { handler: typeof handler });
}, 60_000);
afterAll(async () => {
  process.env = saved;
  await moto?.stop();
});

describe('the Sweep handler on moto_server', () => {
  it('starts one run within CERTSTEP_MAX_STARTS, defers the other, counts the unreadable one and writes one metric line', async () => {
    // Prepare
    // Powertools writes WARN and ERROR lines to stderr, the rest to stdout.
    const written: string[] = [];
    const capture = (chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);

    // Act
    const result = await handler({}).finally(() => vi.restoreAllMocks());

    // Assess
    expect(result).toEqual({ checked: 3, started: 1, failed: 1, deferred: 1, expiring: 0, eventsFailed: 0 });
    const executions = await new SFNClient(sdk()).send(new ListExecutionsCommand({ stateMachineArn }));
    expect(executions.executions).toHaveLength(1);
    const lines = written
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const metrics = lines.filter((line) => line._aws);
    expect(metrics).toEqual([expect.objectContaining({ StateMachine: 'certstep-renewal', CertificatesNotChecked: 1, Sweeps: 1 })]);
    expect(metrics[0]?.ExpiryMarginDays).toBeUndefined();
    expect(lines).toContainEqual(
      expect.objectContaining({ message: 'Sweep deferred runs past the start cap; the next sweep starts them', deferred: 1, maxStarts: 1 }),
    );
  }, 60_000);
});
