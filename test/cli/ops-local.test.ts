/**
 * `certstep status | describe | renew` over a local store written by hand: what the operator
 * reads, what `--json` gives machines, and that no key material ever reaches either.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/arguments.js';
import { runOpsCommand } from '../../cli/ops/commands.js';
import { failingStep, fromLocalEvents } from '../../cli/ops/history.js';

const NOW = new Date('2026-12-05T00:00:00Z');
const HOLD_OFF = '2026-12-05T02:00:00.000Z';
const KEY_BODY = 'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgS3cr3tK3yB0dyN0tT0BePr1nt3d';
const KEY = `-----BEGIN PRIVATE KEY-----\n${KEY_BODY}\n-----END PRIVATE KEY-----\n`;
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBzzCCAXWgAwIBAgIIQ2VydEJvZHk=\n-----END CERTIFICATE-----\n';
const PENDING_VERSION = 'd67316bfbc1955808211c6dfb4223953';
const ORDER_URL = 'https://127.0.0.1:14000/my-order/failed-order';
const SPEC = { name: 'web', dnsNames: ['example.test', '*.example.test'], issuer: 'local', keyAlgorithm: 'ecdsa-p256', renewBefore: 'P30D' };

const stored = (revision: number, serialNumber: string) => ({
  'tls.crt': CERT,
  'tls.key': KEY,
  dnsNames: SPEC.dnsNames,
  serialNumber,
  notBefore: '2026-10-01T00:00:00.000Z',
  notAfter: '2026-12-30T00:00:00.000Z',
  renewalTime: '2026-11-30T00:00:00.000Z',
  issuer: 'local',
  keyAlgorithm: 'ecdsa-p256',
  revision,
});

const challenges = [
  {
    dnsName: 'example.test',
    wildcard: false,
    authorizationUrl: 'https://ca/authz/1',
    challengeUrl: 'https://ca/chal/1',
    recordName: '_acme-challenge.example.test',
    value: 'value-one',
  },
  {
    dnsName: 'example.test',
    wildcard: true,
    authorizationUrl: 'https://ca/authz/2',
    challengeUrl: 'https://ca/chal/2',
    recordName: '_acme-challenge.example.test',
    value: 'value-two',
  },
];
const order = { url: ORDER_URL, status: 'pending', finalizeUrl: 'https://ca/finalize', challenges, reusedAuthorizations: [] };
const entered = (name: string, timestamp: number, type = 'Task') => ({ type: 'StateEntered', timestamp, state: { name, type, input: {} } });
const exited = (name: string, timestamp: number, output: unknown) => ({ type: 'StateExited', timestamp, state: { name, type: 'Task', input: {}, output } });
const failedEvents = [
  { type: 'ExecutionStarted', timestamp: 1, input: { certificate: SPEC, force: false } },
  entered('CheckRenewal', 2),
  exited('CheckRenewal', 3, { certificate: SPEC, renewal: { due: true } }),
  entered('CreateOrder', 4),
  exited('CreateOrder', 5, { certificate: SPEC, order }),
  entered('PresentChallenges', 6),
  exited('PresentChallenges', 7, { certificate: SPEC, order, propagation: { ready: false } }),
  entered('AcceptChallenges', 8),
  exited('AcceptChallenges', 9, { certificate: SPEC, order, validation: { status: 'pending', attempts: 0 } }),
  entered('PollAuthorizations', 10),
  { type: 'StateFailed', timestamp: 11, state: { name: 'PollAuthorizations', type: 'Task', input: {} }, Error: 'AcmeServerError', Cause: 'CA answered 503' },
  entered('CleanUpAfterFailure', 12),
  exited('CleanUpAfterFailure', 13, { cleanUp: { removed: 2 } }),
  entered('Failed', 14, 'Fail'),
  { type: 'StateFailed', timestamp: 15, state: { name: 'Failed', type: 'Fail', input: {} }, Error: 'AcmeServerError', Cause: 'CA answered 503' },
  { type: 'ExecutionFailed', timestamp: 15, Error: 'AcmeServerError', Cause: 'CA answered 503' },
];

let store: string;

async function put(relative: string, value: unknown): Promise<void> {
  const file = path.join(store, relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(value, null, 2));
}

async function certstep(command: 'status' | 'describe' | 'renew', ...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runOpsCommand(command, [...argv, '--store', store], {
    io: { out: (text) => (out += `${text}\n`), err: (text) => (err += `${text}\n`) },
    clock: () => NOW,
    env: {},
  });
  return { code, out, err };
}

beforeAll(async () => {
  store = await mkdtemp(path.join(tmpdir(), 'certstep-ops-'));
  await put('certificates/web.json', stored(3, 'aa03'));
  await put('certificates/web.previous.json', stored(2, 'aa02'));
  await put(`pending/web/${PENDING_VERSION}.json`, { orderUrl: ORDER_URL, keyAlgorithm: 'ecdsa-p256', privateKeyPem: KEY });
  await put('ledger/web.json', {
    certificateName: 'web',
    consecutiveFailures: 3,
    lastResult: 'Failed',
    lastRunAt: '2026-12-04T23:00:00.000Z',
    lastError: { error: 'AcmeServerError', cause: 'CA answered 503' },
    nextAttemptAfter: HOLD_OFF,
    abandonedOrders: [
      { url: 'https://127.0.0.1:14000/my-order/spent-2', at: '2026-12-04T23:00:09.000Z' },
      { url: 'https://127.0.0.1:14000/my-order/spent-1', at: '2026-12-04T22:00:09.000Z' },
    ],
  });
  await put('schedules/web.json', { certificateName: 'web', at: HOLD_OFF, input: { certificate: SPEC, force: false } });
  await put('executions/web/2026-12-01T00-00-00-000Z-ok.json', {
    executionId: 'arn:aws:states:local:000000000000:execution:certstep-renewal:ok',
    status: 'SUCCEEDED',
    startedAt: '2026-12-01T00:00:00.000Z',
    stoppedAt: '2026-12-01T00:00:05.000Z',
    input: { certificate: SPEC, force: false },
    events: [
      { type: 'ExecutionStarted', timestamp: 0 },
      { type: 'ExecutionSucceeded', timestamp: 1 },
    ],
  });
  await put('executions/web/2026-12-04T23-00-00-000Z-bad.json', {
    executionId: 'arn:aws:states:local:000000000000:execution:certstep-renewal:bad',
    status: 'FAILED',
    startedAt: '2026-12-04T23:00:00.000Z',
    stoppedAt: '2026-12-04T23:00:09.000Z',
    error: 'AcmeServerError',
    cause: 'CA answered 503',
    failedState: 'PollAuthorizations',
    input: { certificate: SPEC, force: false },
    events: failedEvents,
  });
  // No schedule, ledger or executions: its spec must be rebuilt from the stored certificate.
  await put('certificates/api.json', {
    ...stored(1, 'bb01'),
    dnsNames: ['api.example.test'],
    notAfter: '2027-03-01T00:00:00.000Z',
    notBefore: '2026-12-01T00:00:00.000Z',
  });
});

function expectNoKeyMaterial(text: string): void {
  for (const forbidden of ['PRIVATE KEY', KEY_BODY, KEY_BODY.slice(0, 24), 'tls.key', 'privateKeyPem', 'BEGIN CERTIFICATE', 'tls.crt']) {
    expect(text).not.toContain(forbidden);
  }
}

describe('certstep status (local)', () => {
  it('shows one aligned row per certificate with reason, failures, hold-off and active run', async () => {
    const { code, out } = await certstep('status');

    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^NAME\s+DNS NAMES\s+NOT AFTER\s+RENEWS AT\s+REASON\s+LAST RESULT\s+FAILURES\s+HOLD-OFF UNTIL\s+ACTIVE RUN$/);
    const web = lines.find((line) => line.startsWith('web ')) as string;
    expect(web).toContain('example.test,*.example.test');
    expect(web).toContain('2026-12-30 00:00:00Z');
    expect(web).toContain('BackingOff');
    expect(web).toContain('Failed 2026-12-04 23:00:00Z');
    expect(web).toMatch(/\s3\s+2026-12-05 02:00:00Z\s+no$/);
    // api has a certificate but no schedule: what CheckRenewal would repair, without ordering.
    expect(lines.find((line) => line.startsWith('api '))).toMatch(/ScheduleMissing\s+-\s+0\s+-\s+no$/);
    // Columns line up: REASON starts at the same offset on every line.
    const offset = (lines[0] as string).indexOf('REASON');
    expect(web.slice(offset)).toMatch(/^BackingOff/);
    expectNoKeyMaterial(out);
  });

  it('gives machines --json with the same facts', async () => {
    const { code, out } = await certstep('status', '--json');

    expect(code).toBe(0);
    const parsed = JSON.parse(out) as { at: string; store: string; certificates: Record<string, unknown>[] };
    expect(parsed.at).toBe(NOW.toISOString());
    expect(parsed.store).toBe(store);
    expect(parsed.certificates.map((row) => row.name)).toEqual(['api', 'web']);
    expect(parsed.certificates[1]).toEqual({
      name: 'web',
      dnsNames: ['example.test', '*.example.test'],
      notAfter: '2026-12-30T00:00:00.000Z',
      renewalTime: expect.stringMatching(/^2026-11-(29|30)T/),
      reason: 'BackingOff',
      message: expect.stringContaining(`held back until ${HOLD_OFF} after 3 consecutive failure(s)`),
      lastResult: 'Failed',
      lastRunAt: '2026-12-04T23:00:00.000Z',
      consecutiveFailures: 3,
      holdOffUntil: HOLD_OFF,
      nextRunAt: HOLD_OFF,
      specSource: 'schedule',
    });
    expect(parsed.certificates[0]).toMatchObject({ name: 'api', reason: 'ScheduleMissing', consecutiveFailures: 0, specSource: 'stored certificate' });
    expectNoKeyMaterial(out);
  });

  it('says so when the store is empty', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'certstep-ops-empty-'));
    let out = '';
    const code = await runOpsCommand('status', ['--store', empty], { io: { out: (text) => (out += text), err: () => undefined }, env: {} });
    expect(code).toBe(0);
    expect(out).toBe(`No certificates in ${empty}.`);
  });
});

describe('certstep describe (local)', () => {
  it('shows the spec, the stored versions, the ledger, the schedule and where the last run failed', async () => {
    const { code, out } = await certstep('describe', 'web');

    expect(code).toBe(0);
    expect(out).toContain('spec from     schedule');
    expect(out).toMatch(/serial\s+aa03/);
    expect(out).toMatch(/revision\s+3/);
    expect(out).toMatch(/current\s+current\s+\S+ \S+\s+serial aa03 revision 3/);
    expect(out).toMatch(/previous\s+previous\s+\S+ \S+\s+serial aa02 revision 2/);
    expect(out).toMatch(new RegExp(`${PENDING_VERSION}\\s+pending`));
    expect(out).toMatch(/consecutive failures\s+3/);
    expect(out).toMatch(/hold-off until\s+2026-12-05 02:00:00Z/);
    expect(out).toMatch(/abandoned orders\s+2 awaiting deactivation/);
    expect(out).toMatch(/Next scheduled run\n\s+at\s+2026-12-05 02:00:00Z/);
    expect(out).toContain('FAILED');
    expect(out).toContain('failed in PollAuthorizations');
    expect(out).toContain('AcmeServerError: CA answered 503');
    expect(out).toContain(`order  ${ORDER_URL}  (pending)`);
    expect(out).toMatch(/\*\.example\.test\s+pending/);
    expect(out).toMatch(/_acme-challenge\.example\.test\s+example\.test\s+value-one\s+unknown \(local CA stopped\)/);
    expect(out).toMatch(/_acme-challenge\.example\.test\s+\*\.example\.test\s+value-two\s+unknown \(local CA stopped\)/);
    // Newest first.
    expect(out.indexOf(':bad')).toBeLessThan(out.indexOf(':ok'));
    expectNoKeyMaterial(out);
  });

  it('gives the same chain as --json, without key material', async () => {
    const { code, out } = await certstep('describe', 'web', '--json');

    expect(code).toBe(0);
    const details = JSON.parse(out) as {
      specSource: string;
      stored: unknown;
      versions: { id: string }[];
      ledger: unknown;
      executions: { events?: unknown }[];
      lastRun: { order: unknown; records: { recordName: string }[] };
    };
    expect(details.specSource).toBe('schedule');
    expect(details.stored).toMatchObject({ serialNumber: 'aa03', revision: 3, renewalTime: '2026-11-30T00:00:00.000Z' });
    expect(details.versions.map((version) => version.id)).toEqual(['current', 'previous', PENDING_VERSION]);
    expect(details.ledger).toMatchObject({ consecutiveFailures: 3, nextAttemptAfter: HOLD_OFF });
    expect(details.executions[0]).toMatchObject({ status: 'FAILED', failedState: 'PollAuthorizations', error: 'AcmeServerError' });
    expect(details.executions[0]).toBeDefined();
    expect(details.executions[0]?.events).toBeUndefined();
    expect(details.lastRun.order).toEqual({ url: ORDER_URL, status: 'pending' });
    expect(details.lastRun.records.map((record) => record.recordName)).toEqual(['_acme-challenge.example.test', '_acme-challenge.example.test']);
    expectNoKeyMaterial(out);
  });

  it('notes a spec rebuilt from the stored certificate', async () => {
    const { code, out } = await certstep('describe', 'api');
    expect(code).toBe(0);
    expect(out).toContain('spec from     stored certificate');
    expect(out).toMatch(/abandoned orders\s+-\n/);
    expect(out).toContain('Executions (newest first)\n  none found');
    expect(out).toContain('no schedule: the spec was rebuilt from the stored certificate');
    expectNoKeyMaterial(out);
  });
});

describe('an unknown certificate', () => {
  it.each(['describe', 'renew'] as const)('%s exits 2 and lists the known names', async (command) => {
    const { code, out, err } = await certstep(command, 'nope');
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain('unknown certificate "nope"; known certificates: api, web');
  });
});

describe('flags', () => {
  it('refuses AWS flags without --aws, --store with --aws, and a missing name', async () => {
    await expect(runOpsCommand('status', ['--ledger-table', 't'], { env: {} })).rejects.toThrow(UsageError);
    await expect(runOpsCommand('status', ['--aws', '--store', 'x'], { env: {} })).rejects.toThrow('--store is for the local store');
    await expect(runOpsCommand('describe', [], { env: {} })).rejects.toThrow('describe needs exactly one certificate name');
    await expect(runOpsCommand('describe', ['../etc'], { env: {} })).rejects.toThrow('is not a certificate name');
    await expect(runOpsCommand('renew', ['web', '--json'], { env: {} })).rejects.toThrow('unknown option --json');
  });
});

describe('the failing step, read from a history', () => {
  it('names the Task whose result a Pass state judged, and ignores the closing Fail state', () => {
    const events = [
      entered('AcceptChallenges', 1),
      entered('PollAuthorizations', 2),
      entered('IsOrderReady', 3, 'Choice'),
      entered('ValidationFailed', 4, 'Pass'),
      entered('CleanUpAfterFailure', 5),
      entered('Failed', 6, 'Fail'),
      { type: 'StateFailed', timestamp: 7, state: { name: 'Failed', type: 'Fail' }, Error: 'AcmeOrderInvalid', Cause: 'x' },
      { type: 'ExecutionFailed', timestamp: 7, Error: 'AcmeOrderInvalid', Cause: 'x' },
    ];
    expect(failingStep(fromLocalEvents(events))).toBe('PollAuthorizations (ValidationFailed)');
    expect(failingStep(fromLocalEvents(failedEvents))).toBe('PollAuthorizations');
  });
});
