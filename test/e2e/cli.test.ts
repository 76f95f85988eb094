/**
 * The `certstep` command as a user runs it: exit codes, flags, the history file, the embedded
 * default and an externally started Pebble with hostile settings.
 */
import { spawn } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAcme, startLocalAcme } from '../../cli/local/pebble.js';
import { newStore, readStored } from '../support/local-ca.js';
import { BIN, ROOT, certstep } from '../support/cli-process.js';

async function inputFile(content: unknown): Promise<string> {
  const file = path.join(await newStore(), 'input.json');
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('certstep local run with an external Pebble rejecting 30 % of nonces', () => {
  let pebble: LocalAcme;
  let caFile: string;
  beforeAll(async () => {
    pebble = await startLocalAcme({ pebbleEnv: { PEBBLE_WFE_NONCEREJECT: '30' } });
    caFile = path.join(await newStore(), 'pebble-ca.pem');
    await writeFile(caFile, pebble.caCertPem);
  });
  afterAll(async () => {
    await pebble?.stop();
  });

  it('issues, exits 0, and writes a history that holds no private key', async () => {
    // Prepare
    const storeDir = await newStore();
    const history = path.join(storeDir, 'history.json');
    const input = await inputFile({ certificate: { name: 'web', dnsNames: ['example.test', '*.example.test'], issuer: 'local' } });
    const external = ['--acme-directory', pebble.directoryUrl, '--acme-ca', caFile, '--challtestsrv', pebble.challtestsrvUrl];

    // Act
    const outcome = await certstep(['local', 'run', input, '--store', storeDir, '--history', history, ...external]);

    // Assess
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).toMatch(/order created: https:\/\/127\.0\.0\.1/);
    expect(outcome.stdout).toContain('TXT presented: _acme-challenge.example.test for *.example.test');
    expect(outcome.stdout).toContain('TXT presented: _acme-challenge.example.test for example.test');
    expect(outcome.stdout).toMatch(/issued: serial [0-9a-f]+, notAfter \S+, revision 1/);
    expect(outcome.stdout).toMatch(/next renewal at \d{4}-/);
    const stored = await readStored(path.join(storeDir, 'certificates', 'web.json'));
    const historyText = await readFile(history, 'utf8');
    const events = JSON.parse(historyText) as { type: string }[];
    expect(events[0]?.type).toBe('ExecutionStarted');
    expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
    const keyBody = stored['tls.key'].split('\n').slice(1, -2).join('');
    expect(keyBody.length).toBeGreaterThan(40);
    for (const forbidden of ['PRIVATE KEY', keyBody, keyBody.slice(0, 40), 'tls.key']) {
      expect(historyText).not.toContain(forbidden);
      expect(outcome.stdout + outcome.stderr).not.toContain(forbidden);
    }
  });
});

describe('certstep local run with bad input', () => {
  it.each([
    ['a wildcard in the middle', { certificate: { name: 'x', dnsNames: ['a.*.example.test'], issuer: 'local' } }, 'certificate.dnsNames[0]'],
    ['an unknown issuer', { certificate: { name: 'x', dnsNames: ['example.test'], issuer: 'nope' } }, 'certificate.issuer'],
    ['an IP address', { certificate: { name: 'x', dnsNames: ['192.0.2.1'], issuer: 'local' } }, 'certificate.dnsNames[0]'],
    ['an unknown field', { certificate: { name: 'x', dnsNames: ['example.test'], issuer: 'local', colour: 'red' } }, 'certificate.colour'],
    ['not JSON', '{"certificate":', 'not valid JSON'],
  ])('exits 2 for %s, names the problem, and never starts a CA', async (_label, content, named) => {
    // Prepare
    const input = await inputFile(content);
    const storeDir = path.join(await newStore(), 'store');

    // Act
    const outcome = await certstep(['local', 'run', input, '--store', storeDir]);

    // Assess
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain(named);
    expect(outcome.stdout).not.toContain('Starting');
    expect(outcome.stdout).not.toContain('CreateOrder');
    // Rejected inputs write nothing to the store, so they never show in `certstep status`.
    expect(await readdir(storeDir, { recursive: true }).catch(() => [])).toEqual([]);
  });

  it('exits 2 for an unknown flag', async () => {
    const outcome = await certstep(['local', 'run', 'x.json', '--frobnicate']);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain('unknown option --frobnicate');
  });
});

describe('certstep usage, as a user meets it', () => {
  it('points at a JSON syntax error by file, line and column, once', async () => {
    // Prepare
    const input = await inputFile('{\n  "certificate": {\n    "name": "web"\n    "issuer": "local"\n  }\n}\n');

    // Act
    const outcome = await certstep(['local', 'run', input, '--store', await newStore()]);

    // Assess
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toBe(`certstep: InvalidInput: ${input}:4:5: Expected ',' or '}' after the property value, found "\\"" (not valid JSON)\n`);
  });

  it.each([
    ['a misspelt command', ['stauts'], "certstep: unknown command stauts; did you mean status? (see 'certstep --help')\n"],
    ['a misspelt option', ['status', '--jsno'], "certstep: unknown option --jsno for status; did you mean --json? (see 'certstep status --help')\n"],
    [
      'a bad value',
      ['local', 'run', 'x.json', '--now', 'soon'],
      `certstep: --now must be an ISO 8601 time such as 2030-01-31T12:00:00Z (got "soon") (see 'certstep local run --help')\n`,
    ],
  ])('%s: exit 2, one line on stderr, nothing on stdout', async (_label, argv, line) => {
    const outcome = await certstep(argv);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toBe(line);
    expect(outcome.stdout).toBe('');
  });

  it('certstep status --help exits 0 with the options and the exit codes on stdout', async () => {
    const outcome = await certstep(['status', '--help']);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain('Usage: certstep status [options]');
    expect(outcome.stdout).toContain('--secret-prefix <prefix>');
    expect(outcome.stdout).toMatch(/^ {2}3 {2}held back after failures/m);
    expect(outcome.stderr).toBe('');
  });
});

describe('certstep local demo (npm start)', () => {
  it('issues from examples/web.json with its own Pebble, renews it at its renewal time, and prints a summary', async () => {
    // Prepare
    const storeDir = await newStore();

    // Act
    const outcome = await certstep(['local', 'demo', '--store', storeDir]);

    // Assess
    expect(outcome.code, outcome.stderr + outcome.stdout).toBe(0);
    expect(outcome.stdout).toContain('Pebble ready');
    expect(outcome.stdout).toMatch(/issued: serial \w+, notAfter \S+, revision 1/);
    expect(outcome.stdout).toMatch(/issuing: renewal time \S+ has passed \(RenewalTimeReached\)/);
    expect(outcome.stdout).toMatch(/issued: serial \w+, notAfter \S+, revision 2/);
    expect(outcome.stdout).toMatch(/names\s+example\.test, \*\.example\.test/);
    expect(outcome.stdout).toContain('yes, a fresh key at renewal');
  });
});

describe('certstep local run over a lifetime: kills, failures, repairs', () => {
  let pebble: LocalAcme;
  let external: string[];
  beforeAll(async () => {
    pebble = await startLocalAcme({ pebbleEnv: { PEBBLE_AUTHZREUSE: '0' } });
    const caFile = path.join(await newStore(), 'pebble-ca.pem');
    await writeFile(caFile, pebble.caCertPem);
    external = ['--acme-directory', pebble.directoryUrl, '--acme-ca', caFile, '--challtestsrv', pebble.challtestsrvUrl];
  });
  afterAll(async () => {
    await pebble?.stop();
  });

  const txtValues = async (name: string) => {
    const resolver = new Resolver({ timeout: 2000, tries: 2 });
    resolver.setServers([pebble.dnsServer]);
    return resolver.resolveTxt(name).then(
      (records) => records.map((chunks) => chunks.join('')),
      () => [],
    );
  };

  it('a run killed with SIGKILL right after Finalize never blocks the next one, which resumes its order and cleans its TXT up', async () => {
    // Prepare
    const storeDir = await newStore();
    const input = await inputFile({ certificate: { name: 'killed', dnsNames: ['killed.example.test', '*.killed.example.test'], issuer: 'local' } });

    // Act: kill the process the moment it reports that the CSR went out.
    const killed = await new Promise<{ stdout: string; signal: NodeJS.Signals | null }>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, 'local', 'run', input, '--store', storeDir, ...external], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (/^Finalize\s/m.test(stdout)) child.kill('SIGKILL');
      });
      child.on('error', reject);
      child.on('close', (_code, signal) => resolve({ stdout, signal }));
    });
    const leftBehind = await txtValues('_acme-challenge.killed.example.test');
    const next = await certstep(['local', 'run', input, '--store', storeDir, ...external]);

    // Assess
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.stdout).toMatch(/key saved as pending version/);
    expect(leftBehind.length).toBeGreaterThan(0);
    expect(next.code, next.stderr + next.stdout).toBe(0);
    expect(next.stdout).not.toContain('already in progress');
    expect(next.stdout).toMatch(/order resumed \((valid|processing|ready)\)/);
    expect(next.stdout).toMatch(/issued: serial [0-9a-f]+, notAfter \S+, revision 1/);
    expect(await txtValues('_acme-challenge.killed.example.test')).toEqual([]);
  });

  it('a StoreCertificate failure prints the Fail message once and exits 1, with no stack trace', async () => {
    // Prepare: issue, then run as if long after notAfter (the new certificate is then "expired" for the run).
    const storeDir = await newStore();
    const input = await inputFile({ certificate: { name: 'web', dnsNames: ['late.example.test'], issuer: 'local' } });
    const first = await certstep(['local', 'run', input, '--store', storeDir, ...external]);

    // Act
    const late = await certstep(['local', 'run', input, '--store', storeDir, '--now', '2031-01-01T00:00:00Z', ...external]);

    // Assess
    expect(first.code, first.stderr).toBe(0);
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/^Failed: CertificateVerificationFailed: the issued certificate was not stored: it expired at /m);
    for (const trace of ['TypeError', '    at ', 'Node.js v']) expect(late.stdout + late.stderr).not.toContain(trace);
  });

  it('a due run the failure hold-off stopped exits 3 and says it tried nothing; once not due, 0', async () => {
    // Prepare: issue, then fail at a time when the new certificate would be expired (as above).
    const storeDir = await newStore();
    const input = await inputFile({ certificate: { name: 'held', dnsNames: ['held.example.test'], issuer: 'local' } });
    const late = ['--now', '2031-01-01T00:00:00Z'];
    const first = await certstep(['local', 'run', input, '--store', storeDir, ...external]);
    const failed = await certstep(['local', 'run', input, '--store', storeDir, ...late, ...external]);

    // Act
    const held = await certstep(['local', 'run', input, '--store', storeDir, ...late, ...external]);
    const upToDate = await certstep(['local', 'run', input, '--store', storeDir, ...external]);

    // Assess
    expect(first.code, first.stderr).toBe(0);
    expect(failed.code, failed.stderr).toBe(1);
    expect(held.code, held.stderr + held.stdout).toBe(3);
    expect(held.stdout).toMatch(
      /^Held back: held back until \S+ after 1 consecutive failure\(s\); last: CertificateVerificationFailed.*\(nothing was tried\)$/m,
    );
    expect(held.stdout).not.toMatch(/^Succeeded/m);
    expect(held.stdout).not.toContain('CreateOrder');
    expect(upToDate.code, upToDate.stderr).toBe(0);
    expect(upToDate.stdout).toMatch(/^Succeeded: /m);
  });

  it('a run that only repaired outputs exits 0, and says so', async () => {
    // Prepare
    const storeDir = await newStore();
    const input = await inputFile({ certificate: { name: 'mended', dnsNames: ['mended.example.test'], issuer: 'local' } });
    await certstep(['local', 'run', input, '--store', storeDir, ...external]);
    await rm(path.join(storeDir, 'schedules', 'mended.json'));

    // Act
    const outcome = await certstep(['local', 'run', input, '--store', storeDir, ...external]);

    // Assess
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).toMatch(/^Succeeded: outputs repaired without ordering \(ScheduleMissing\)/m);
    const schedule = JSON.parse(await readFile(path.join(storeDir, 'schedules', 'mended.json'), 'utf8')) as { at: string };
    expect(schedule.at).toBe((await readStored(path.join(storeDir, 'certificates', 'mended.json'))).renewalTime);
  });
});
