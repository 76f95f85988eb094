/**
 * `certstep export`: certbot's files from the local store (written by hand in the file store's
 * layout) and from a mocked Secrets Manager, their modes, and a deploy hook that runs once per
 * change and never when nothing changed.
 */
import { mkdir, mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DescribeSecretCommand, GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { runExport } from '../../cli/ops/export.js';
import { parseCommandLine } from '../../cli/program.js';

const pem = (label: string, body: string) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----`;
const LEAF_1 = pem('CERTIFICATE', 'TGVhZk9uZQ==');
const LEAF_2 = pem('CERTIFICATE', 'TGVhZlR3bw==');
const INTERMEDIATE = pem('CERTIFICATE', 'SW50ZXJtZWRpYXRl');
const KEY_1 = `${pem('PRIVATE KEY', 'S2V5T25lS2V5T25lS2V5T25l')}\n`;
const KEY_2 = `${pem('PRIVATE KEY', 'S2V5VHdvS2V5VHdvS2V5VHdv')}\n`;

const stored = (leaf: string, key: string, revision: number) => ({
  'tls.crt': `${leaf}\n${INTERMEDIATE}\n`,
  'tls.key': key,
  dnsNames: ['example.test', '*.example.test'],
  serialNumber: `0${revision}`,
  notBefore: '2026-10-01T00:00:00.000Z',
  notAfter: '2026-12-30T00:00:00.000Z',
  renewalTime: '2026-11-30T00:00:00.000Z',
  issuer: 'local',
  keyAlgorithm: 'ecdsa-p256',
  revision,
});

async function exportWith(argv: string[], secrets?: SecretsManagerClient) {
  let out = '';
  let err = '';
  const invocation = parseCommandLine(['export', ...argv], { env: {} });
  if (invocation.kind !== 'export') throw new Error(`parsed as ${invocation.kind}`);
  const code = await runExport(invocation.args, {
    io: { out: (text) => (out += `${text}\n`), err: (text) => (err += `${text}\n`) },
    ...(secrets && { secrets }),
  });
  expect(out + err).not.toContain('PRIVATE KEY');
  return { code, out, err };
}

const modeOf = async (file: string) => (await stat(file)).mode & 0o777;

describe('certstep export from the local store', () => {
  let root: string;
  let store: string;
  let out: string;
  let hookLog: string;
  let hook: string;
  const putCertificate = async (value: unknown) => {
    await mkdir(path.join(store, 'certificates'), { recursive: true });
    await writeFile(path.join(store, 'certificates', 'web.json'), JSON.stringify(value));
  };
  const hookRuns = async () => (await readFile(hookLog, 'utf8').catch(() => '')).split('\n').filter((line) => line !== '');

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'certstep-export-'));
    store = path.join(root, 'store');
    out = path.join(root, 'live', 'web');
    hookLog = path.join(root, 'hook.log');
    hook = `printf '%s|%s|%s|%s\\n' "$CERTSTEP_CERTIFICATE_NAME" "$CERTSTEP_OUT_DIR" "$RENEWED_LINEAGE" "$RENEWED_DOMAINS" >> '${hookLog}'`;
    await putCertificate(stored(LEAF_1, KEY_1, 1));
  });

  it("writes certbot's four files with their modes and runs the hook once, with the names in its environment", async () => {
    // Act
    const result = await exportWith(['web', '--out', out, '--store', store, '--deploy-hook', hook]);

    // Assess
    expect(result.code, result.err).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['cert.pem', 'chain.pem', 'fullchain.pem', 'privkey.pem']);
    expect(await readFile(path.join(out, 'cert.pem'), 'utf8')).toBe(`${LEAF_1}\n`);
    expect(await readFile(path.join(out, 'chain.pem'), 'utf8')).toBe(`${INTERMEDIATE}\n`);
    expect(await readFile(path.join(out, 'fullchain.pem'), 'utf8')).toBe(`${LEAF_1}\n${INTERMEDIATE}\n`);
    expect(await readFile(path.join(out, 'privkey.pem'), 'utf8')).toBe(KEY_1);
    expect(await modeOf(path.join(out, 'privkey.pem'))).toBe(0o600);
    for (const file of ['cert.pem', 'chain.pem', 'fullchain.pem']) expect(await modeOf(path.join(out, file))).toBe(0o644);
    expect(await hookRuns()).toEqual([`web|${out}|${out}|example.test *.example.test`]);
    expect(result.out).toContain('Deploy hook ran');
  });

  it('changes nothing and runs no hook when the files already hold the certificate', async () => {
    // Prepare
    await exportWith(['web', '--out', out, '--store', store, '--deploy-hook', hook]);
    const before = (await stat(path.join(out, 'fullchain.pem'))).mtimeMs;

    // Act
    const second = await exportWith(['web', '--out', out, '--store', store, '--deploy-hook', hook]);

    // Assess
    expect(second.code).toBe(0);
    expect(second.out).toMatch(/^Unchanged: .* already holds web \(serial 01, .*deploy hook not run$/m);
    expect(await hookRuns()).toHaveLength(1);
    expect((await stat(path.join(out, 'fullchain.pem'))).mtimeMs).toBe(before);
  });

  it('after a renewal, replaces the files (no temporary file left) and runs the hook once more', async () => {
    // Prepare
    await exportWith(['web', '--out', out, '--store', store, '--deploy-hook', hook]);
    await putCertificate(stored(LEAF_2, KEY_2, 2));

    // Act
    const renewed = await exportWith(['web', '--out', out, '--store', store, '--deploy-hook', hook]);
    const again = await exportWith(['web', '--out', out, '--store', store, '--deploy-hook', hook]);

    // Assess
    expect(renewed.code).toBe(0);
    expect(renewed.out).toContain('cert.pem, fullchain.pem, privkey.pem changed');
    expect(await readFile(path.join(out, 'fullchain.pem'), 'utf8')).toBe(`${LEAF_2}\n${INTERMEDIATE}\n`);
    expect(await readFile(path.join(out, 'privkey.pem'), 'utf8')).toBe(KEY_2);
    expect(await modeOf(path.join(out, 'privkey.pem'))).toBe(0o600);
    expect(again.code).toBe(0);
    expect(await hookRuns()).toHaveLength(2);
    expect((await readdir(out)).sort()).toEqual(['cert.pem', 'chain.pem', 'fullchain.pem', 'privkey.pem']);
  });

  it('puts a widened key mode back to 0600 even when the content is unchanged', async () => {
    await exportWith(['web', '--out', out, '--store', store]);
    const { chmod } = await import('node:fs/promises');
    await chmod(path.join(out, 'privkey.pem'), 0o644);

    const result = await exportWith(['web', '--out', out, '--store', store]);

    expect(result.code).toBe(0);
    expect(await modeOf(path.join(out, 'privkey.pem'))).toBe(0o600);
  });

  it('exits 1 and says so when the hook fails; the files are written', async () => {
    const result = await exportWith(['web', '--out', out, '--store', store, '--deploy-hook', 'exit 3']);

    expect(result.code).toBe(1);
    expect(result.err).toContain('the deploy hook exited with 3');
    expect(await readFile(path.join(out, 'cert.pem'), 'utf8')).toBe(`${LEAF_1}\n`);
  });

  it('exits 2 for an unknown certificate and 1 for one not issued yet, writing nothing', async () => {
    // Prepare: a certificate with only a schedule, nothing issued.
    await mkdir(path.join(store, 'schedules'), { recursive: true });
    await writeFile(path.join(store, 'schedules', 'api.json'), JSON.stringify({ at: '2026-12-01T00:00:00.000Z' }));

    // Act
    const unknown = await exportWith(['nope', '--out', out, '--store', store, '--deploy-hook', hook]);
    const notIssued = await exportWith(['api', '--out', out, '--store', store, '--deploy-hook', hook]);

    // Assess
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown certificate "nope"; known certificates: api, web');
    expect(notIssued.code).toBe(1);
    expect(notIssued.err).toContain('api has not been issued yet');
    expect(await readdir(out).catch(() => 'absent')).toBe('absent');
    expect(await hookRuns()).toEqual([]);
  });
});

describe('certstep export --aws', () => {
  const secretsMock = mockClient(SecretsManagerClient);
  let out: string;
  beforeEach(async () => {
    secretsMock.reset();
    out = path.join(await mkdtemp(path.join(tmpdir(), 'certstep-export-')), 'web');
  });

  it("reads the certificate's secret under the prefix and writes the same files", async () => {
    // Prepare
    secretsMock.on(GetSecretValueCommand, { SecretId: 'prod/certs/web' }).resolves({ VersionId: 'v2', SecretString: JSON.stringify(stored(LEAF_2, KEY_2, 2)) });

    // Act
    const result = await exportWith(['web', '--aws', '--secret-prefix', 'prod/certs/', '--out', out], new SecretsManagerClient({ region: 'eu-west-1' }));

    // Assess
    expect(result.code, result.err).toBe(0);
    expect(secretsMock.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input)).toEqual([{ SecretId: 'prod/certs/web' }]);
    expect(await readFile(path.join(out, 'fullchain.pem'), 'utf8')).toBe(`${LEAF_2}\n${INTERMEDIATE}\n`);
    expect(await readFile(path.join(out, 'privkey.pem'), 'utf8')).toBe(KEY_2);
    expect(await modeOf(path.join(out, 'privkey.pem'))).toBe(0o600);
  });

  // A certificate's secret is made at its first issuance, so a name without one is a certificate not issued yet.
  it('exits 1 when no such secret exists yet, as while it holds the placeholder', async () => {
    // Prepare
    const notFound = new ResourceNotFoundException({ message: 'not found', $metadata: {} });
    secretsMock.on(GetSecretValueCommand, { SecretId: 'certstep/certificates/nope' }).rejects(notFound);
    secretsMock.on(DescribeSecretCommand, { SecretId: 'certstep/certificates/nope' }).rejects(notFound);
    secretsMock.on(GetSecretValueCommand, { SecretId: 'certstep/certificates/api' }).resolves({ VersionId: 'v0', SecretString: '{}' });
    const client = new SecretsManagerClient({ region: 'eu-west-1' });

    // Act
    const unknown = await exportWith(['nope', '--aws', '--out', out], client);
    const placeholder = await exportWith(['api', '--aws', '--out', out], client);

    // Assess
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('nope has not been issued yet');
    expect(placeholder.code).toBe(1);
    expect(placeholder.err).toContain('api has not been issued yet');
  });

  it('refuses --store with --aws and an AWS flag without it', () => {
    expect(() => parseCommandLine(['export', 'web', '--aws', '--store', 'x', '--out', out], { env: {} })).toThrow(
      '--store is for the local store, not with --aws',
    );
    expect(() => parseCommandLine(['export', 'web', '--secret-prefix', 'p/', '--out', out], { env: {} })).toThrow('--secret-prefix needs --aws');
  });
});
