/**
 * `certstep describe` over a local store where a failure was followed by more held-back runs
 * than the execution list shows: the failure and its order stay in view, each run names its
 * outcome, and the local ACM copies are listed per region with their ARN.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runOpsCommand } from '../../cli/ops/commands.js';

const SPEC = { name: 'web', dnsNames: ['example.test'], issuer: 'local', acm: { regions: ['us-east-1', 'eu-west-1'] } };
const ORDER_URL = 'https://127.0.0.1:14000/my-order/failed-order';
const order = {
  url: ORDER_URL,
  status: 'pending',
  finalizeUrl: 'https://ca/finalize',
  challenges: [{ dnsName: 'example.test', wildcard: false, authorizationUrl: 'a', challengeUrl: 'c', recordName: '_acme-challenge.example.test', value: 'v1' }],
  reusedAuthorizations: [],
};
const ARN_US = 'arn:aws:acm:us-east-1:000000000000:certificate/us';
const ARN_EU = 'arn:aws:acm:eu-west-1:000000000000:certificate/eu';

let store: string;
async function put(relative: string, value: unknown): Promise<void> {
  const file = path.join(store, relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(value));
}
const succeeded = (day: string, id: string, output: unknown) =>
  put(`executions/web/2026-12-${day}T00-00-00-000Z-${id}.json`, {
    executionId: `arn:aws:states:local:000000000000:execution:certstep-renewal:${id}`,
    status: 'SUCCEEDED',
    startedAt: `2026-12-${day}T00:00:00.000Z`,
    stoppedAt: `2026-12-${day}T00:00:01.000Z`,
    input: { certificate: SPEC, force: false },
    events: [
      { type: 'ExecutionStarted', timestamp: 1 },
      { type: 'ExecutionSucceeded', timestamp: 2, output },
    ],
  });

beforeAll(async () => {
  store = await mkdtemp(path.join(tmpdir(), 'certstep-describe-'));
  await put('certificates/web.json', {
    dnsNames: SPEC.dnsNames,
    serialNumber: 'aa03',
    notBefore: '2026-10-01T00:00:00.000Z',
    notAfter: '2026-12-30T00:00:00.000Z',
    renewalTime: '2026-11-30T00:00:00.000Z',
    issuer: 'local',
    keyAlgorithm: 'ecdsa-p256',
    revision: 3,
  });
  await put('schedules/web.json', { at: '2026-12-09T00:00:00.000Z', input: { certificate: SPEC, force: false } });
  await put('acm/us-east-1/web.json', { arn: ARN_US, serialNumber: 'aa03' });
  await put('acm/eu-west-1/web.json', { arn: ARN_EU, serialNumber: 'aa02' });
  await succeeded('01', 'issued', { certificate: SPEC, renewal: { due: true, reason: 'RenewalTimeReached' }, issued: { revision: 3 } });
  await put('executions/web/2026-12-02T00-00-00-000Z-bad.json', {
    executionId: 'arn:aws:states:local:000000000000:execution:certstep-renewal:bad',
    status: 'FAILED',
    startedAt: '2026-12-02T00:00:00.000Z',
    stoppedAt: '2026-12-02T00:00:09.000Z',
    error: 'AcmeServerError',
    cause: 'CA answered 503',
    failedState: 'PollAuthorizations',
    input: { certificate: SPEC, force: false },
    events: [
      { type: 'ExecutionStarted', timestamp: 1 },
      { type: 'StateEntered', timestamp: 2, state: { name: 'CreateOrder', type: 'Task', input: {} } },
      { type: 'StateExited', timestamp: 3, state: { name: 'CreateOrder', type: 'Task', input: {}, output: { certificate: SPEC, order } } },
      { type: 'StateEntered', timestamp: 4, state: { name: 'PollAuthorizations', type: 'Task', input: {} } },
      { type: 'StateEntered', timestamp: 5, state: { name: 'CleanUpAfterFailure', type: 'Task', input: {} } },
      { type: 'ExecutionFailed', timestamp: 6, Error: 'AcmeServerError', Cause: 'CA answered 503' },
    ],
  });
  // More held-back runs than the list shows (5), then one that only repaired outputs.
  for (const day of ['03', '04', '05', '06', '07']) await succeeded(day, `held${day}`, { certificate: SPEC, renewal: { due: false, reason: 'BackingOff' } });
  await succeeded('08', 'repaired', { certificate: SPEC, renewal: { due: false, reason: 'ScheduleMissing', repair: true } });
});

async function describeWeb(...argv: string[]) {
  let out = '';
  const code = await runOpsCommand('describe', ['web', '--store', store, ...argv], {
    io: { out: (text) => (out += `${text}\n`), err: () => undefined },
    env: {},
    clock: () => new Date('2026-12-08T12:00:00Z'),
  });
  return { code, out };
}

describe('certstep describe (local) after a failure and later runs', () => {
  it('names each run by its outcome, not only SUCCEEDED', async () => {
    const { code, out } = await describeWeb();

    expect(code).toBe(0);
    expect(out).toMatch(/OutputsRepaired\s+SUCCEEDED\s+\S+:repaired/);
    expect(out).toMatch(/HeldBack\s+SUCCEEDED\s+\S+:held07/);
    expect(out).not.toContain(':bad\n');
  });

  it('keeps the last failure with its order and failing step in view', async () => {
    const { out } = await describeWeb();

    expect(out).toMatch(/Last execution repaired\n\s+order\s+none created/);
    expect(out).toMatch(/Last failure bad at 2026-12-02 00:00:00Z\n\s+order {2}https:\/\/127\.0\.0\.1:14000\/my-order\/failed-order {2}\(pending\)/);
    expect(out).toMatch(/failed in PollAuthorizations\n\s+AcmeServerError: CA answered 503/);
  });

  it('lists the ACM copy of each region with its ARN and whether it holds the stored serial', async () => {
    const { out } = await describeWeb();

    expect(out).toMatch(new RegExp(`ACM copies\\n\\s+REGION.*\\n\\s+eu-west-1\\s+${ARN_EU}\\s+aa02\\s+stale\\n\\s+us-east-1\\s+${ARN_US}\\s+aa03\\s+current`));
  });

  it('gives the same as --json', async () => {
    const details = JSON.parse((await describeWeb('--json')).out) as Record<string, unknown>;

    expect((details.executions as { outcome: string }[]).map((execution) => execution.outcome)).toEqual([
      'OutputsRepaired',
      'HeldBack',
      'HeldBack',
      'HeldBack',
      'HeldBack',
    ]);
    expect(details.lastFailure).toMatchObject({ order: { url: ORDER_URL, status: 'pending' }, error: 'AcmeServerError', failedState: 'PollAuthorizations' });
    expect(details.acm).toEqual([
      { region: 'eu-west-1', arn: ARN_EU, serialNumber: 'aa02', current: false },
      { region: 'us-east-1', arn: ARN_US, serialNumber: 'aa03', current: true },
    ]);
  });
});
