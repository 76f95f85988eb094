/**
 * SyncCatalog's diff: what a deploy puts, starts, deletes, defers and re-applies, against an
 * in-memory catalog, a recording starter and a secret-policy writer that says which secrets
 * exist.
 */
import { describe, expect, it } from 'vitest';
import type { CertificateSpec, ExecutionInput } from '../../functions/core/certificate-spec.js';
import type { SecretPolicySettings } from '../../functions/core/secret-policy.js';
import { CertificatesFileInvalid, type FileCertificate, parseCertificatesFile, policyHash, syncCatalog } from '../../functions/phases/sync-catalog.js';
import type { CatalogEntry } from '../../functions/ports/certificate-catalog.js';
import { MemoryCatalog } from '../support/memory-catalog.js';

const ISSUERS = new Set(['letsencrypt']);
const ROLE = (name: string) => `arn:aws:iam::123456789012:role/certstep-${name}`;
const POLICY: SecretPolicySettings = { get: [ROLE('get')], getAcm: [ROLE('acm')], put: [ROLE('put')], stage: [ROLE('stage')], readers: [] };

const spec = (name: string, extra: Partial<CertificateSpec> = {}): CertificateSpec => ({
  name,
  dnsNames: [`${name}.example.com`],
  issuer: 'letsencrypt',
  keyAlgorithm: 'ecdsa-p256',
  renewBefore: 'P30D',
  ...extra,
});
const input = (name: string, extra: Partial<CertificateSpec> = {}): ExecutionInput => ({ certificate: spec(name, extra), force: false });
const file = (...inputs: ExecutionInput[]): FileCertificate[] => inputs.map((one) => ({ input: one, expiryAlarmDays: 14 }));
const stored = (name: string, extra: Partial<CatalogEntry> = {}): CatalogEntry => ({
  name,
  input: input(name),
  source: 'config',
  expiryAlarmDays: 14,
  policy: policyHash(POLICY, spec(name)),
  ...extra,
});

function harness(entries: CatalogEntry[], options: { secrets?: string[]; maxStarts?: number; policy?: SecretPolicySettings } = {}) {
  const catalog = new MemoryCatalog(entries);
  const started: string[] = [];
  const policies: string[] = [];
  const secrets = new Set(options.secrets ?? []);
  const deps = {
    catalog,
    starter: {
      start: async (one: ExecutionInput) => {
        started.push(one.certificate.name);
        return { executionId: `exec-${one.certificate.name}` };
      },
    },
    secrets: {
      ensurePolicy: async (certificate: CertificateSpec) => {
        policies.push(certificate.name);
        return secrets.has(certificate.name) ? ('applied' as const) : ('missing' as const);
      },
    },
    issuers: { names: ISSUERS },
    policy: options.policy ?? POLICY,
    maxStarts: options.maxStarts ?? 300,
  };
  return { catalog, started, policies, deps };
}

describe('syncCatalog', () => {
  it("puts a new certificate as the configuration's, with its threshold, and starts its first run", async () => {
    const { catalog, started, deps } = harness([]);

    const result = await syncCatalog(file(input('web')), deps);

    expect(result).toEqual({ started: ['web'], changed: ['web'], removed: [], deferred: [] });
    expect(started).toEqual(['web']);
    // No secret yet: no policy hash recorded, the store writes the policy when it makes the secret.
    expect(catalog.items.get('web')).toEqual({ name: 'web', input: input('web'), source: 'config', expiryAlarmDays: 14 });
  });

  it('leaves an unchanged certificate alone: no write, no run, no policy call', async () => {
    const { catalog, started, policies, deps } = harness([stored('web')], { secrets: ['web'] });

    const result = await syncCatalog(file(input('web')), deps);

    expect(result).toEqual({ started: [], changed: [], removed: [], deferred: [] });
    expect([catalog.puts, started, policies]).toEqual([[], [], []]);
  });

  it('treats an item an earlier version wrote, keys in another order and no source, as unchanged', async () => {
    const legacy = {
      name: 'web',
      input: {
        force: false,
        certificate: { renewBefore: 'P30D', name: 'web', keyAlgorithm: 'ecdsa-p256', issuer: 'letsencrypt', dnsNames: ['web.example.com'] },
      },
    };
    const { catalog, started, deps } = harness([{ ...stored('web'), ...legacy }], { secrets: ['web'] });

    await syncCatalog(file(input('web')), deps);

    expect([catalog.puts, started]).toEqual([[], []]);
  });

  it('puts and starts a certificate whose input changed', async () => {
    const { catalog, started, deps } = harness([stored('web')], { secrets: ['web'] });
    const wider = input('web', { dnsNames: ['web.example.com', 'www.example.com'] });

    const result = await syncCatalog(file(wider), deps);

    expect(result.started).toEqual(['web']);
    expect(started).toEqual(['web']);
    expect(catalog.items.get('web')?.input).toEqual(wider);
  });

  it('puts a new expiry alarm threshold without starting a run', async () => {
    const { catalog, started, deps } = harness([stored('web')], { secrets: ['web'] });

    const result = await syncCatalog([{ input: input('web'), expiryAlarmDays: 7 }], deps);

    expect(result).toEqual({ started: [], changed: ['web'], removed: [], deferred: [] });
    expect(started).toEqual([]);
    expect(catalog.items.get('web')?.expiryAlarmDays).toBe(7);
  });

  it("deletes the configuration's items the file no longer names, and never an applied one", async () => {
    // `legacy` as an earlier version wrote it: the DynamoDB adapter reads an item without a source as `config`.
    const { catalog, started, policies, deps } = harness([
      stored('web'),
      stored('gone'),
      { name: 'legacy', input: input('legacy'), source: 'config' },
      stored('cli', { source: 'apply' }),
    ]);

    const result = await syncCatalog(file(input('web')), deps);

    expect(result.removed).toEqual(['gone', 'legacy']);
    expect([...catalog.items.keys()].sort()).toEqual(['cli', 'web']);
    expect(started).toEqual([]);
    // Removing from the catalog touches no secret.
    expect(policies).toEqual([]);
  });

  it('takes over an applied certificate the configuration now names, and runs it', async () => {
    const { catalog, started, deps } = harness([stored('cli', { source: 'apply' })], { secrets: ['cli'] });

    const result = await syncCatalog(file(input('cli')), deps);

    expect(result.started).toEqual(['cli']);
    expect(started).toEqual(['cli']);
    expect(catalog.items.get('cli')?.source).toBe('config');
  });

  it('writes the policy of an existing secret whose recorded hash differs, without recording it, and starts nothing', async () => {
    // An earlier version's item: no policy hash; its secret exists. The upgrade deletes the
    // CloudFormation-made policy after this sync, so only the sweep (which runs later) records it.
    const { catalog, started, policies, deps } = harness([{ name: 'web', input: input('web'), source: 'config', expiryAlarmDays: 14 }], { secrets: ['web'] });

    const result = await syncCatalog(file(input('web')), deps);

    expect(policies).toEqual(['web']);
    expect(started).toEqual([]);
    expect(result.changed).toEqual([]);
    expect(catalog.items.get('web')?.policy).toBeUndefined();
  });

  it('writes every policy again when the roles change, on every deploy until the sweep records it', async () => {
    const moved: SecretPolicySettings = { ...POLICY, get: [ROLE('get-2')] };
    const { catalog, policies, deps } = harness([stored('web'), stored('api')], { secrets: ['web', 'api'], policy: moved });

    await syncCatalog(file(input('web'), input('api')), deps);
    await syncCatalog(file(input('web'), input('api')), deps);

    expect(policies.sort()).toEqual(['api', 'api', 'web', 'web']);
    expect(catalog.items.get('web')?.policy).toBe(policyHash(POLICY, spec('web')));
  });

  it('writes no policy when the recorded hash is current', async () => {
    const { policies, deps } = harness([stored('web')], { secrets: ['web'] });

    await syncCatalog(file(input('web')), deps);

    expect(policies).toEqual([]);
  });

  it('starts at most maxStarts runs and defers the rest, which are put all the same', async () => {
    const { catalog, started, deps } = harness([], { maxStarts: 2 });
    const names = ['a', 'b', 'c', 'd', 'e'];

    const result = await syncCatalog(file(...names.map((name) => input(name))), deps);

    expect(started).toHaveLength(2);
    expect(result.started).toHaveLength(2);
    expect(result.deferred).toHaveLength(3);
    expect([...result.started, ...result.deferred].sort()).toEqual(names);
    expect([...catalog.items.keys()].sort()).toEqual(names);
  });
});

describe('parseCertificatesFile', () => {
  const entry = (one: ExecutionInput) => ({ name: one.certificate.name, input: one, expiryAlarmDays: 14 });

  it('reads the file the stack writes', () => {
    expect(parseCertificatesFile({ certificates: [entry(input('web'))] }, ISSUERS)).toEqual([{ input: input('web'), expiryAlarmDays: 14 }]);
  });

  it('refuses the whole file, naming the certificate and field, when one of three is invalid', () => {
    const bad = { name: 'api', input: { certificate: { ...spec('api'), dnsNames: ['not a name'] }, force: false } };
    const failure = (() => {
      try {
        parseCertificatesFile({ certificates: [entry(input('web')), bad, entry(input('www'))] }, ISSUERS, 's3://bucket/key');
      } catch (error) {
        return error as Error;
      }
    })();
    expect(failure).toBeInstanceOf(CertificatesFileInvalid);
    expect(failure?.name).toBe('CertificatesFileInvalid');
    expect(failure?.message).toMatch(/^s3:\/\/bucket\/key: certificates\[1\] \(api\): input: certificate\.dnsNames\[0\]/);
    expect(failure?.message).toContain('deploy again');
  });

  it("refuses an unknown issuer, a name that is not the input's and a name given twice", () => {
    expect(() => parseCertificatesFile({ certificates: [entry(input('web', { issuer: 'zerossl' }))] }, ISSUERS)).toThrow(/unknown issuer "zerossl"/);
    expect(() => parseCertificatesFile({ certificates: [{ ...entry(input('web')), name: 'api' }] }, ISSUERS)).toThrow(/certificate\.name "web"/);
    expect(() => parseCertificatesFile({ certificates: [entry(input('web')), entry(input('web'))] }, ISSUERS)).toThrow(/appears twice/);
    expect(() => parseCertificatesFile({}, ISSUERS)).toThrow(/no "certificates" list/);
  });
});
