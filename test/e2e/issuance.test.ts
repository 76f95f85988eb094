/**
 * Full runs of statemachine/renewal.asl.json against a real Pebble and challtestsrv:
 * issuance, reuse, forced re-issue and renewal by time.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjectAltDnsNames } from '../../functions/core/verify-certificate.js';
import { type TestCa, newStore, opensslVerify, publicKeysOf, readStored, spec, startTestCa, statesEntered } from '../support/local-ca.js';

let ca: TestCa;
beforeAll(async () => {
  ca = await startTestCa();
});
afterAll(async () => {
  await ca?.stop();
});

describe('issuance against Pebble', () => {
  it('issues an apex + wildcard ECDSA certificate that openssl verifies, with exactly those names and a matching key', async () => {
    // Prepare
    const input = spec('web', ['example.test', '*.example.test']);

    // Act
    const result = await ca.run(input);

    // Assess
    expect(result.status, result.cause).toBe('SUCCEEDED');
    const stored = await readStored(result.certificatePath);
    expect(await opensslVerify(ca, stored)).toContain('leaf.pem: OK');
    const leaf = new X509Certificate(stored['tls.crt']);
    expect(subjectAltDnsNames(leaf)).toEqual(['*.example.test', 'example.test']);
    const keys = publicKeysOf(stored);
    expect(keys.fromKey).toBe(keys.fromCertificate);
    expect(stored['tls.key']).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(createPrivateKey(stored['tls.key']).asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(stored).toMatchObject({ dnsNames: ['example.test', '*.example.test'], issuer: 'local', revision: 1, keyAlgorithm: 'ecdsa-p256' });
    expect(stored.serialNumber).toBe(leaf.serialNumber.toLowerCase());
    const unjittered = new Date(stored.notAfter).getTime() - 30 * 86_400_000;
    expect(new Date(stored.renewalTime).getTime()).toBeLessThanOrEqual(unjittered);
    expect(new Date(stored.renewalTime).getTime()).toBeGreaterThanOrEqual(unjittered - 6 * 3_600_000);
    expect(await ca.txtValues('_acme-challenge.example.test')).toEqual([]);
  });

  it('issues three names with an RSA 2048 key', async () => {
    // Prepare
    const input = spec('api', ['api.example.test', 'www.example.test', 'admin.example.test'], { keyAlgorithm: 'rsa-2048' });

    // Act
    const result = await ca.run(input);

    // Assess
    expect(result.status, result.cause).toBe('SUCCEEDED');
    const stored = await readStored(result.certificatePath);
    expect(await opensslVerify(ca, stored)).toContain('OK');
    expect(subjectAltDnsNames(new X509Certificate(stored['tls.crt']))).toEqual(['admin.example.test', 'api.example.test', 'www.example.test']);
    const key = createPrivateKey(stored['tls.key']);
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it.each([
    ['ecdsa-p384', 'ec', 'secp384r1'],
    ['rsa-3072', 'rsa', 3072],
    ['rsa-4096', 'rsa', 4096],
  ] as const)('issues with an %s key, for a first name too long for a CN and an IDN', async (keyAlgorithm, type, size) => {
    // Prepare: the CSR (certstep's own) then has no CN, and an A-label in its SAN.
    const long = `${'l'.repeat(55)}.${keyAlgorithm}.example.test`;
    const input = spec(`keys-${keyAlgorithm}`, [long, `xn--bcher-kva.${keyAlgorithm}.example.test`], { keyAlgorithm });

    // Act
    const result = await ca.run(input);

    // Assess
    expect(long.length).toBeGreaterThan(64);
    expect(result.status, result.cause).toBe('SUCCEEDED');
    const stored = await readStored(result.certificatePath);
    expect(await opensslVerify(ca, stored)).toContain('leaf.pem: OK');
    expect(subjectAltDnsNames(new X509Certificate(stored['tls.crt'])).sort()).toEqual(input.certificate.dnsNames.slice().sort());
    const keys = publicKeysOf(stored);
    expect(keys.fromKey).toBe(keys.fromCertificate);
    const key = createPrivateKey(stored['tls.key']);
    expect(key.asymmetricKeyType).toBe(type);
    expect(type === 'ec' ? key.asymmetricKeyDetails?.namedCurve : key.asymmetricKeyDetails?.modulusLength).toBe(size);
  });

  it('does not order again when the certificate is not due, and re-issues when forced', async () => {
    // Prepare
    const storeDir = await newStore();
    const input = spec('app', ['app.example.test']);
    const first = await ca.run(input, { storeDir });
    expect(first.status, first.cause).toBe('SUCCEEDED');
    const issued = await readStored(first.certificatePath);

    // Act
    const second = await ca.run(input, { storeDir });
    const afterSecond = await readStored(second.certificatePath);
    const forced = await ca.run({ ...input, force: true }, { storeDir });

    // Assess
    expect(second.status).toBe('SUCCEEDED');
    expect(statesEntered(second)).toEqual(['CheckRenewal', 'IsRenewalDue', 'UpToDate']);
    expect(second.output?.renewal).toMatchObject({ due: false, reason: 'UpToDate' });
    expect(afterSecond.serialNumber).toBe(issued.serialNumber);
    expect(forced.status, forced.cause).toBe('SUCCEEDED');
    expect(forced.output?.renewal?.reason).toBe('Forced');
    const reissued = await readStored(forced.certificatePath);
    expect(reissued.revision).toBe(2);
    expect(reissued.serialNumber).not.toBe(issued.serialNumber);
  });

  it('renews with a new key and revision 2 when run past the renewal time', async () => {
    // Prepare
    const storeDir = await newStore();
    const input = spec('renew', ['renew.example.test', '*.renew.example.test']);
    const first = await ca.run(input, { storeDir });
    expect(first.status, first.cause).toBe('SUCCEEDED');
    const issued = await readStored(first.certificatePath);
    const justBefore = new Date(new Date(issued.renewalTime).getTime() - 60_000);
    const justAfter = new Date(new Date(issued.renewalTime).getTime() + 60_000);

    // Act
    const early = await ca.run(input, { storeDir, now: justBefore });
    const due = await ca.run(input, { storeDir, now: justAfter });

    // Assess
    expect(early.output?.renewal?.due).toBe(false);
    expect(due.status, due.cause).toBe('SUCCEEDED');
    expect(due.output?.renewal?.reason).toBe('RenewalTimeReached');
    const renewed = await readStored(due.certificatePath);
    expect(renewed.revision).toBe(2);
    expect(renewed['tls.key']).not.toBe(issued['tls.key']);
    expect(renewed.serialNumber).not.toBe(issued.serialNumber);
    expect(await opensslVerify(ca, renewed)).toContain('OK');
  });

  it('re-issues when the spec changes names, and skips authorizations the CA already holds as valid', async () => {
    // Prepare: Pebble reuses valid authorizations for 50 % of new orders by default.
    const storeDir = await newStore();
    const first = await ca.run(spec('grow', ['grow.example.test']), { storeDir });
    expect(first.status, first.cause).toBe('SUCCEEDED');

    // Act
    const grown = await ca.run(spec('grow', ['grow.example.test', 'more.example.test']), { storeDir });

    // Assess
    expect(grown.status, grown.cause).toBe('SUCCEEDED');
    expect(grown.output?.renewal?.reason).toBe('SpecChanged');
    const order = grown.output?.order;
    const presented = order?.challenges.map((challenge) => challenge.dnsName) ?? [];
    expect([...presented, ...(order?.reusedAuthorizations ?? [])].sort()).toEqual(['grow.example.test', 'more.example.test']);
    expect(presented).toContain('more.example.test');
    expect(presented.filter((name) => order?.reusedAuthorizations.includes(name))).toEqual([]);
  });
});

describe('ACM import (local stand-in)', () => {
  it('imports after storing, re-imports into the same ARN on renewal, and refuses a key change before ordering', async () => {
    // Prepare
    const storeDir = await newStore();
    const input = spec('acm', ['acm.example.test'], { acm: { regions: ['us-east-1', 'eu-west-1'] } });

    // Act
    const first = await ca.run(input, { storeDir });
    const renewed = await ca.run({ ...input, force: true }, { storeDir });
    const keyChange = await ca.run(
      { ...spec('acm', ['acm.example.test'], { acm: { regions: ['us-east-1'] }, keyAlgorithm: 'rsa-2048' }), force: true },
      { storeDir },
    );

    // Assess
    expect(first.status, first.cause).toBe('SUCCEEDED');
    const firstImports = (first.output as { acm?: { imports: { region: string; arn: string; reimported: boolean }[] } }).acm?.imports;
    expect(firstImports?.map((item) => [item.region, item.reimported])).toEqual([
      ['us-east-1', false],
      ['eu-west-1', false],
    ]);
    const renewedImports = (renewed.output as { acm?: { imports: { arn: string; reimported: boolean }[] } }).acm?.imports;
    expect(renewedImports?.map((item) => item.reimported)).toEqual([true, true]);
    expect(renewedImports?.[0]?.arn).toBe(firstImports?.[0]?.arn);
    expect(keyChange.status).toBe('FAILED');
    expect(keyChange.error).toBe('InvalidInput');
    expect(keyChange.cause).toContain('cannot change from ecdsa-p256 to rsa-2048');
    expect(statesEntered(keyChange)).not.toContain('CreateOrder');
  });
});

describe('key rotation and profiles', () => {
  it('keeps the key with rotationPolicy Never, and rotates it by default', async () => {
    // Prepare
    const storeDir = await newStore();
    const never = spec('keep', ['keep.example.test'], { rotationPolicy: 'Never' });
    const first = await ca.run(never, { storeDir });
    const original = await readStored(first.certificatePath);

    // Act
    const kept = await ca.run({ ...never, force: true }, { storeDir });
    const keptKey = (await readStored(kept.certificatePath))['tls.key'];
    const rotated = await ca.run({ ...spec('keep', ['keep.example.test']), force: true }, { storeDir });

    // Assess
    expect(kept.status, kept.cause).toBe('SUCCEEDED');
    expect(keptKey).toBe(original['tls.key']);
    expect((await readStored(rotated.certificatePath))['tls.key']).not.toBe(original['tls.key']);
  });

  it("asks for the spec's profile on newOrder, records it, and treats a profile change as a spec change", async () => {
    // Prepare: Pebble 2.4.0 ignores profiles, so the request itself is what is checked.
    const storeDir = await newStore();
    const { localDependencies } = await import('../../cli/local/runner.js');
    const base = localDependencies({ input: {}, storeDir, environment: ca.environment });
    const profiles: (string | undefined)[] = [];
    const acme = async (issuer: string) => {
      const gateway = await base.acme(issuer);
      return Object.assign(Object.create(gateway) as typeof gateway, {
        createOrder: (names: readonly string[], options?: { profile?: string }) => {
          profiles.push(options?.profile);
          return gateway.createOrder(names, options);
        },
      });
    };

    // Act
    const first = await ca.run(spec('prof', ['prof.example.test'], { profile: 'shortlived' }), { storeDir, dependencies: { acme } });
    const firstStored = await readStored(first.certificatePath);
    const changed = await ca.run(spec('prof', ['prof.example.test'], { profile: 'tlsserver' }), { storeDir, dependencies: { acme } });

    // Assess
    expect(first.status, first.cause).toBe('SUCCEEDED');
    expect(firstStored.profile).toBe('shortlived');
    expect(changed.output?.renewal).toMatchObject({ reason: 'SpecChanged', message: 'profile changed from shortlived to tlsserver' });
    expect(profiles).toEqual(['shortlived', 'tlsserver']);
  });
});
