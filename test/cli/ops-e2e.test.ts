import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { newStore } from '../support/local-ca.js';
import { ROOT, certstep } from '../support/cli-process.js';

let store: string;
let keyBody: string;

beforeAll(async () => {
  store = await newStore();
  const run = await certstep(['local', 'run', path.join(ROOT, 'examples', 'web.json'), '--store', store]);
  expect(run.code, run.stderr).toBe(0);
  const stored = JSON.parse(await readFile(path.join(store, 'certificates', 'web.json'), 'utf8')) as { 'tls.key': string };
  keyBody = stored['tls.key'].split('\n').slice(1, -2).join('');
});

describe('certstep status, describe and renew after a real local run', () => {
  it('status shows the issued certificate as up to date', async () => {
    const outcome = await certstep(['status', '--store', store, '--json']);

    expect(outcome.code, outcome.stderr).toBe(0);
    const parsed = JSON.parse(outcome.stdout) as { certificates: Record<string, unknown>[] };
    expect(parsed.certificates).toEqual([
      expect.objectContaining({ name: 'web', reason: 'UpToDate', lastResult: 'Issued', consecutiveFailures: 0, specSource: 'schedule' }),
    ]);
    expect(outcome.stdout).not.toContain('PRIVATE KEY');
    expect(outcome.stdout).not.toContain(keyBody.slice(0, 40));
  });

  it('describe shows the run, its order and the TXT records it presented', async () => {
    const outcome = await certstep(['describe', 'web', '--store', store]);

    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).toMatch(/SUCCEEDED\s+arn:aws:states:local:/);
    expect(outcome.stdout).toMatch(/order {2}https:\/\/127\.0\.0\.1:\d+\/my-order\/\S+ {2}\(valid\)/);
    expect(outcome.stdout).toMatch(/_acme-challenge\.example\.test\s+\*\.example\.test\s+\S+\s+unknown \(local CA stopped\)/);
    expect(outcome.stdout + outcome.stderr).not.toContain('PRIVATE KEY');
    expect(outcome.stdout).not.toContain(keyBody.slice(0, 40));
  });

  it('renew forces a new issuance with the scheduled spec; an unknown name exits 2', async () => {
    const outcome = await certstep(['renew', 'web', '--store', store]);

    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).toContain('issuing: a re-issue was forced (Forced)');
    expect(outcome.stdout).toContain('certificate issued (revision 2)');
    const unknown = await certstep(['renew', 'nope', '--store', store]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('known certificates: web');
  });
});
