/**
 * `certstep apply --aws` and `certstep remove --aws` as a user runs them (a process from the
 * checkout's bin) against moto_server: a real DynamoDB catalog table and a Step Functions state
 * machine whose executions moto records.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateTableCommand, DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateScheduleGroupCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { CreateStateMachineCommand, DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certstep } from '../support/cli-process.js';
import { type Moto, startMoto } from '../support/moto.js';

const CATALOG = 'certstep-catalog';
const LEDGER = 'certstep-ledger';
const GROUP = 'certstep-renewals';
const STACK = {
  notificationEmail: 'ops@example.com',
  issuers: [{ preset: 'letsencrypt', dns01: { route53: { hostedZoneId: 'Z0ISSUER' } } }],
  certificates: [{ name: 'web', dnsNames: ['web.example.com'], issuer: 'letsencrypt' }],
};
const cert = (name: string, extra: Record<string, unknown> = {}) => ({ name, dnsNames: [`${name}.example.com`], issuer: 'letsencrypt', ...extra });

let moto: Moto;
let dir: string;
let stateMachineArn: string;
const sdk = () => ({ endpoint: moto.endpoint, region: moto.region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });

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
  dir = await mkdtemp(path.join(tmpdir(), 'certstep-catalog-cli-'));
  await writeFile(path.join(dir, 'certstep.config.json'), JSON.stringify(STACK));
}, 60_000);
afterAll(async () => moto?.stop());

/** certstep's own lines: the SDK adds a NodeVersionSupportWarning on Node 20. */
const said = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('certstep:'));

/** The catalog as a map name → item, read straight from the table. */
async function catalog(): Promise<Map<string, Record<string, { S?: string; N?: string }>>> {
  const scan = await new DynamoDBClient(sdk()).send(new ScanCommand({ TableName: CATALOG }));
  return new Map((scan.Items ?? []).map((item) => [item.name?.S as string, item as Record<string, { S?: string; N?: string }>]));
}

async function run(...args: string[]) {
  return certstep(args, dir, { ...moto.env, CERTSTEP_CATALOG_TABLE: CATALOG, CERTSTEP_STATE_MACHINE_ARN: stateMachineArn });
}

describe('certstep apply --aws on moto_server', () => {
  it('writes nothing and exits 2 when one of three certificates is invalid, then applies the valid three and starts their runs', async () => {
    // Prepare
    await writeFile(
      path.join(dir, 'bad.json'),
      JSON.stringify({ certificates: [cert('api'), cert('blog', { dnsNames: ['blog example.com'] }), cert('docs')] }),
    );
    await writeFile(path.join(dir, 'good.json'), JSON.stringify({ certificates: [cert('api'), cert('blog'), cert('docs')] }));

    // Act
    const refused = await run('apply', 'bad.json', '--aws');
    const applied = await run('apply', 'good.json', '--aws', '--json');

    // Assess
    expect(refused.code, refused.stderr).toBe(2);
    expect(said(refused.stderr)).toEqual([expect.stringMatching(/^certstep: bad\.json: certificates\[1\]\.dnsNames\[0\] "blog example\.com"/)]);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect(applied.code, applied.stderr).toBe(0);
    const report = JSON.parse(applied.stdout) as { certificates: { name: string; outcome: string; executionId?: string }[] };
    expect(report.certificates.map(({ name, outcome }) => [name, outcome])).toEqual([
      ['api', 'created'],
      ['blog', 'created'],
      ['docs', 'created'],
    ]);
    const items = await catalog();
    expect([...items.keys()].sort()).toEqual(['api', 'blog', 'docs']);
    expect(items.get('api')?.source?.S).toBe('apply');
    const executions = await new SFNClient(sdk()).send(new ListExecutionsCommand({ stateMachineArn }));
    expect(executions.executions).toHaveLength(3);
    const started = await new SFNClient(sdk()).send(new DescribeExecutionCommand({ executionArn: report.certificates[0]?.executionId }));
    expect(JSON.parse(started.input ?? '')).toEqual({ certificate: JSON.parse(items.get('api')?.input?.S ?? '').certificate, force: false });
  }, 60_000);

  it('reports unchanged and starts nothing when the file says what the catalog says', async () => {
    const before = (await new SFNClient(sdk()).send(new ListExecutionsCommand({ stateMachineArn }))).executions?.length;

    const again = await run('apply', 'good.json', '--aws');

    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe('api: unchanged\nblog: unchanged\ndocs: unchanged\n');
    expect((await new SFNClient(sdk()).send(new ListExecutionsCommand({ stateMachineArn }))).executions).toHaveLength(before ?? -1);
  }, 60_000);

  it('refuses a certificate whose catalog item a deploy wrote (no source: an earlier version), exit 2', async () => {
    await new DynamoDBClient(sdk()).send(
      new PutItemCommand({ TableName: CATALOG, Item: { name: { S: 'legacy' }, input: { S: JSON.stringify({ certificate: cert('legacy'), force: false }) } } }),
    );
    await writeFile(path.join(dir, 'legacy.json'), JSON.stringify(cert('legacy')));

    const refused = await run('apply', 'legacy.json', '--aws');

    expect(refused.code).toBe(2);
    expect(said(refused.stderr)).toEqual(['certstep: legacy.json: certificates[0].name "legacy": managed by certstep.config.json: edit it there and deploy']);
  }, 60_000);

  it('exits 1 when the table does not exist', async () => {
    const failed = await certstep(['apply', 'good.json', '--aws', '--catalog-table', 'no-such-table', '--state-machine-arn', stateMachineArn], dir, moto.env);
    expect(failed.code).toBe(1);
    expect(said(failed.stderr)).toEqual([expect.stringMatching(/^certstep: StoreRequestRejected: DynamoDB GetItem on the certificate catalog was refused/)]);
    expect(failed.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});

describe('certstep status and renew --aws on moto_server, before any certificate was issued', () => {
  const DEPLOYMENT = ['--aws', '--ledger-table', LEDGER, '--schedule-group', GROUP];

  it('status lists the applied certificates, which have no secret yet, from the catalog', async () => {
    const listed = await run('status', ...DEPLOYMENT, '--json');

    expect(listed.code, listed.stderr).toBe(0);
    const rows = (JSON.parse(listed.stdout) as { certificates: { name: string; reason: string; dnsNames: string[] }[] }).certificates;
    expect(rows.map(({ name, reason }) => [name, reason])).toEqual([
      ['api', 'DoesNotExist'],
      ['blog', 'DoesNotExist'],
      ['docs', 'DoesNotExist'],
      ['legacy', 'DoesNotExist'],
    ]);
    expect(rows[0]?.dnsNames).toEqual(['api.example.com']);
  }, 60_000);

  it('renew --wait starts a run with the catalog spec and waits for it to end', async () => {
    await moto.configure({ stepfunctions: { execute_state_machine: true } });
    try {
      // moto runs executions in a backend of its own: the state machine is made again there.
      const machine = await new SFNClient(sdk()).send(
        new CreateStateMachineCommand({
          name: 'certstep-renewal-run',
          roleArn: 'arn:aws:iam::123456789012:role/certstep-renewal',
          definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
        }),
      );
      const renewed = await run('renew', 'docs', ...DEPLOYMENT, '--state-machine-arn', machine.stateMachineArn as string, '--wait');

      expect(renewed.code, renewed.stderr).toBe(0);
      expect(renewed.stdout).toMatch(
        /^Started a forced renewal of docs: arn:aws:states:.*:execution:certstep-renewal-run:renew-docs-\d{8}T\d{6}Z\nWaiting for it to end\.\.\.\n/,
      );
      // The stand-in state machine is one Succeed state: its output is the input, which decides nothing.
      expect(renewed.stdout).toMatch(/\nSucceeded: certificate is up to date\n$/);
      const executions = (await new SFNClient(sdk()).send(new ListExecutionsCommand({ stateMachineArn: machine.stateMachineArn }))).executions ?? [];
      const started = executions.find((execution) => execution.name?.startsWith('renew-docs-'));
      const described = await new SFNClient(sdk()).send(new DescribeExecutionCommand({ executionArn: started?.executionArn }));
      expect(described.status).toBe('SUCCEEDED');
      const cataloged = JSON.parse((await catalog()).get('docs')?.input?.S ?? '{}') as { certificate: unknown };
      expect(JSON.parse(described.input ?? '')).toEqual({ certificate: cataloged.certificate, force: true });
    } finally {
      await moto.configure({ stepfunctions: { execute_state_machine: false } });
    }
  }, 60_000);
});

describe('certstep remove --aws on moto_server', () => {
  const REMOVE = ['--aws', '--ledger-table', LEDGER, '--schedule-group', GROUP, '--yes'];

  it('deletes an applied certificate from the catalog', async () => {
    const removed = await run('remove', 'docs', ...REMOVE);

    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain(`catalog item docs in ${CATALOG}`);
    expect([...(await catalog()).keys()].sort()).toEqual(['api', 'blog', 'legacy']);
  }, 60_000);

  it("deletes a deploy's item too, saying the next deploy brings it back unless certstep.config.json drops it", async () => {
    const removed = await run('remove', 'legacy', ...REMOVE);

    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain(
      'legacy is managed by certstep.config.json: the next deploy brings it back unless it is removed from certstep.config.json',
    );
    expect((await catalog()).has('legacy')).toBe(false);
  }, 60_000);

  it('leaves the catalog alone without a catalog table', async () => {
    const removed = await certstep(['remove', 'api', ...REMOVE], dir, moto.env);

    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toBe('Nothing to remove for api in the AWS deployment (secrets under certstep/certificates/)\n');
    expect((await catalog()).has('api')).toBe(true);
  }, 60_000);
});
