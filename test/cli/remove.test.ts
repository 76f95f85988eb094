/**
 * `certstep remove`: every file of one certificate in a local store (and nothing of another),
 * the AWS deletions in order against mocked clients, the confirmation rules and idempotence.
 */
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { ACMClient, DeleteCertificateCommand } from '@aws-sdk/client-acm';
import { DeleteItemCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteScheduleCommand, GetScheduleCommand, ResourceNotFoundException as ScheduleNotFound, SchedulerClient } from '@aws-sdk/client-scheduler';
import { DeleteSecretCommand, DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { LocalSource } from '../../cli/ops/local-source.js';
import { type RemoveContext, runRemove } from '../../cli/ops/remove.js';
import { parseCommandLine } from '../../cli/program.js';

async function remove(argv: string[], context: RemoveContext = {}) {
  let out = '';
  let err = '';
  const invocation = parseCommandLine(['remove', ...argv], { env: {} });
  if (invocation.kind !== 'remove') throw new Error(`parsed as ${invocation.kind}`);
  const code = await runRemove(invocation.args, {
    interactive: false,
    ...context,
    io: { out: (text) => (out += `${text}\n`), err: (text) => (err += `${text}\n`) },
  });
  return { code, out, err };
}

const WEB_FILES = [
  'certificates/web.json',
  'certificates/web.previous.json',
  'pending/web/d67316bfbc1955808211c6dfb4223953.json',
  'schedules/web.json',
  'ledger/web.json',
  'executions/web/2026-12-01T00-00-00-000Z-run.json',
  'acm/eu-west-1/web.json',
];
const API_FILES = [
  'certificates/api.json',
  'schedules/api.json',
  'ledger/api.json',
  'executions/api/2026-12-01T00-00-00-000Z-run.json',
  'acm/eu-west-1/api.json',
];

describe('certstep remove (local store)', () => {
  let store: string;
  const files = async () =>
    ((await readdir(store, { recursive: true, withFileTypes: true })) as { isFile(): boolean; parentPath: string; name: string }[])
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(store, path.join(entry.parentPath, entry.name)))
      .sort();
  beforeEach(async () => {
    store = await mkdtemp(path.join(tmpdir(), 'certstep-remove-'));
    for (const file of [...WEB_FILES, ...API_FILES]) {
      await mkdir(path.dirname(path.join(store, file)), { recursive: true });
      await writeFile(path.join(store, file), '{}');
    }
  });

  it("removes every file the certificate left and nothing of another's; a second remove has nothing to do", async () => {
    // Act
    const first = await remove(['web', '--store', store, '--yes']);
    const second = await remove(['web', '--store', store, '--yes']);

    // Assess
    expect(first.code, first.err).toBe(0);
    for (const file of ['certificates/web.json', 'pending/web/', 'executions/web/', 'acm/eu-west-1/web.json'])
      expect(first.out).toContain(path.join(store, file));
    expect(await files()).toEqual([...API_FILES].sort());
    expect(await new LocalSource({ storeDir: store }).list()).toEqual(['api']);
    expect(second.code).toBe(0);
    expect(second.out).toBe(`Nothing to remove for web in ${store}\n`);
  });

  it('refuses with exit 2 when it cannot ask and --yes is missing, removing nothing', async () => {
    const result = await remove(['web', '--store', store]);

    expect(result.code).toBe(2);
    expect(result.err).toContain('stdin is not a terminal');
    expect(result.err).toContain('--yes');
    expect(await files()).toEqual([...WEB_FILES, ...API_FILES].sort());
  });

  it.each([
    ['n', 1, true],
    ['', 1, true],
    ['y', 0, false],
    ['yes', 0, false],
  ])('on a terminal, answering "%s" exits %i', async (answer, code, kept) => {
    const questions: string[] = [];
    const result = await remove(['web', '--store', store], {
      interactive: true,
      ask: async (question) => {
        questions.push(question);
        return answer;
      },
    });

    expect(result.code).toBe(code);
    expect(questions).toEqual(['Remove web? [y/N] ']);
    expect((await files()).includes('certificates/web.json')).toBe(kept);
  });

  it('refuses with exit 1 while a live local run holds the certificate, and goes ahead once its process is gone', async () => {
    const held = (pid: number) =>
      writeFile(
        path.join(store, 'ledger', 'web.json'),
        JSON.stringify({
          certificateName: 'web',
          consecutiveFailures: 0,
          activeRun: { runId: 'local:web:run-1', since: '2026-11-30T10:00:00.000Z', leaseUntil: '2099-01-01T00:00:00.000Z', holder: { host: hostname(), pid } },
        }),
      );
    await held(process.pid);

    const refused = await remove(['web', '--store', store, '--yes']);

    expect(refused.code).toBe(1);
    expect(refused.err).toContain('a run holds web (execution local:web:run-1, since 2026-11-30T10:00:00.000Z');
    expect(refused.err).toContain('Let it end (or stop it), then remove again');
    expect(await files()).toEqual([...WEB_FILES, ...API_FILES].sort());

    // A process id no process has: a killed run's claim holds nothing.
    await held(2 ** 22 + 1);
    const removed = await remove(['web', '--store', store, '--yes']);
    expect(removed.code, removed.err).toBe(0);
    expect(await files()).toEqual([...API_FILES].sort());
  });

  it('refuses AWS-only flags without --aws', () => {
    expect(() => parseCommandLine(['remove', 'web', '--include-acm'], { env: {} })).toThrow('--include-acm needs --aws');
    expect(() => parseCommandLine(['remove', 'web', '--recovery-window-days', '7'], { env: {} })).toThrow('--recovery-window-days needs --aws');
    expect(() => parseCommandLine(['remove', '../etc', '--yes'], { env: {} })).toThrow('is not a certificate name');
  });

  it('refuses --catalog-table without --aws, and takes it from CERTSTEP_CATALOG_TABLE with --aws', () => {
    expect(() => parseCommandLine(['remove', 'web', '--catalog-table', 'certstep-catalog'], { env: {} })).toThrow('--catalog-table needs --aws');
    const invocation = parseCommandLine(['remove', 'web', '--aws', '--ledger-table', 'l', '--schedule-group', 'g'], {
      env: { CERTSTEP_CATALOG_TABLE: 'certstep-catalog' },
    });
    expect(invocation.kind === 'remove' && invocation.args.aws?.catalogTable).toBe('certstep-catalog');
  });
});

describe('certstep remove --aws', () => {
  const secrets = mockClient(SecretsManagerClient);
  const scheduler = mockClient(SchedulerClient);
  const dynamodb = mockClient(DynamoDBClient);
  const acm = mockClient(ACMClient);
  const ACM_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b';
  const AWS = ['--aws', '--ledger-table', 'certstep-ledger', '--schedule-group', 'certstep-renewals', '--yes'];
  const clients = () => ({
    secrets: new SecretsManagerClient({ region: 'eu-west-1' }),
    scheduler: new SchedulerClient({ region: 'eu-west-1' }),
    dynamodb: new DynamoDBClient({ region: 'eu-west-1' }),
    acm: (region: string) => new ACMClient({ region }),
  });
  const order: string[] = [];

  beforeEach(() => {
    for (const mock of [secrets, scheduler, dynamodb, acm]) mock.reset();
    order.length = 0;
    secrets.on(DescribeSecretCommand, { SecretId: 'certstep/certificates/web' }).resolves({ Name: 'certstep/certificates/web' });
    scheduler.on(GetScheduleCommand, { Name: 'web', GroupName: 'certstep-renewals' }).resolves({ Name: 'web' });
    dynamodb.on(GetItemCommand, { TableName: 'certstep-ledger' }).resolves({
      Item: {
        certificateName: { S: 'web' },
        version: { N: '3' },
        entry: { S: JSON.stringify({ certificateName: 'web', consecutiveFailures: 0, acmArns: { 'us-east-1': ACM_ARN } }) },
      },
    });
    scheduler.on(DeleteScheduleCommand).callsFake(async () => order.push('schedule'));
    acm.on(DeleteCertificateCommand).callsFake(async () => order.push('acm'));
    secrets.on(DeleteSecretCommand).callsFake(async () => order.push('secret'));
    dynamodb.on(DeleteItemCommand).callsFake(async () => order.push('ledger'));
  });

  it('deletes the schedule, the secret with a 7-day window and the ledger item, and keeps ACM copies', async () => {
    // Act
    const result = await remove(['web', ...AWS], { clients: clients() });

    // Assess
    expect(result.code, result.err).toBe(0);
    expect(order).toEqual(['schedule', 'secret', 'ledger']);
    expect(scheduler.commandCalls(DeleteScheduleCommand)[0]?.args[0].input).toEqual({ Name: 'web', GroupName: 'certstep-renewals' });
    expect(secrets.commandCalls(DeleteSecretCommand)[0]?.args[0].input).toEqual({ SecretId: 'certstep/certificates/web', RecoveryWindowInDays: 7 });
    expect(dynamodb.commandCalls(DeleteItemCommand)[0]?.args[0].input).toEqual({ TableName: 'certstep-ledger', Key: { certificateName: { S: 'web' } } });
    expect(acm.commandCalls(DeleteCertificateCommand)).toHaveLength(0);
    expect(result.out).toContain(`Keeping ACM certificate ${ACM_ARN} (us-east-1); --include-acm deletes it`);
  });

  it('with --include-acm deletes the ACM copy before the ledger forgets its ARN, with the window asked for', async () => {
    const result = await remove(['web', ...AWS, '--include-acm', '--recovery-window-days', '30'], { clients: clients() });

    expect(result.code, result.err).toBe(0);
    expect(order).toEqual(['schedule', 'acm', 'secret', 'ledger']);
    expect(acm.commandCalls(DeleteCertificateCommand)[0]?.args[0].input).toEqual({ CertificateArn: ACM_ARN });
    expect(secrets.commandCalls(DeleteSecretCommand)[0]?.args[0].input.RecoveryWindowInDays).toBe(30);
  });

  it('stops at a failed deletion with exit 1, leaving the ledger (and its ARNs) for the next try', async () => {
    acm.on(DeleteCertificateCommand).rejects(Object.assign(new Error('certificate is in use'), { name: 'ResourceInUseException' }));

    const result = await remove(['web', ...AWS, '--include-acm'], { clients: clients() });

    expect(result.code).toBe(1);
    expect(result.err).toContain(`could not remove ACM certificate ${ACM_ARN}: ResourceInUseException`);
    expect(order).toEqual(['schedule']);
  });

  it('refuses with exit 1 while an execution holds the certificate, deleting nothing; an expired claim does not stop it', async () => {
    const ledgerItem = (leaseUntil: string) => ({
      Item: {
        certificateName: { S: 'web' },
        version: { N: '4' },
        entry: {
          S: JSON.stringify({
            certificateName: 'web',
            consecutiveFailures: 0,
            activeRun: { runId: 'arn:aws:states:eu-west-1:123456789012:execution:certstep:run-7', since: '2026-11-30T10:00:00.000Z', leaseUntil },
          }),
        },
      },
    });
    dynamodb.on(GetItemCommand, { TableName: 'certstep-ledger' }).resolves(ledgerItem('2026-11-30T12:00:00.000Z'));
    const clock = () => new Date('2026-11-30T11:00:00.000Z');

    const refused = await remove(['web', ...AWS], { clients: clients(), clock });

    expect(refused.code).toBe(1);
    expect(refused.err).toContain('a run holds web (execution arn:aws:states:eu-west-1:123456789012:execution:certstep:run-7');
    expect(order).toEqual([]);

    dynamodb.on(GetItemCommand, { TableName: 'certstep-ledger' }).resolves(ledgerItem('2026-11-30T10:30:00.000Z'));
    const removed = await remove(['web', ...AWS], { clients: clients(), clock });
    expect(removed.code, removed.err).toBe(0);
    expect(order).toEqual(['schedule', 'secret', 'ledger']);
  });

  it('says there is nothing to remove once the secret is scheduled for deletion and the rest is gone', async () => {
    secrets.on(DescribeSecretCommand).resolves({ Name: 'certstep/certificates/web', DeletedDate: new Date('2026-12-01T00:00:00Z') });
    scheduler.on(GetScheduleCommand).rejects(new ScheduleNotFound({ message: 'no schedule', Message: 'no schedule', $metadata: {} }));
    dynamodb.on(GetItemCommand).resolves({});

    const result = await remove(['web', ...AWS], { clients: clients() });

    expect(result.code).toBe(0);
    expect(result.out).toContain('Nothing to remove for web');
    expect(order).toEqual([]);
  });

  it.each(['6', '31', '7.5'])('refuses --recovery-window-days %s', (days) => {
    expect(() => parseCommandLine(['remove', 'web', ...AWS, '--recovery-window-days', days], { env: {} })).toThrow(
      '--recovery-window-days must be a whole number from 7 to 30',
    );
  });

  it('needs the ledger table and the schedule group', () => {
    expect(() => parseCommandLine(['remove', 'web', '--aws', '--yes'], { env: {} })).toThrow('remove --aws needs --ledger-table and --schedule-group');
  });
});
