/**
 * ACME Renewal Information (RFC 9773) against Pebble behind an ARI responder: the CA's window
 * sets the renewal time, an early window makes a certificate due, and the renewal order names
 * the certificate it replaces.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalEnvironment } from '../../cli/local/environment.js';
import { localDependencies } from '../../cli/local/runner.js';
import type { AcmeGateway } from '../../functions/ports/acme-gateway.js';
import { startAriProxy, type AriProxy } from '../support/ari-proxy.js';
import { type TestCa, newStore, readStored, spec, startTestCa, statesEntered } from '../support/local-ca.js';

let ca: TestCa;
let ari: AriProxy;
let environment: LocalEnvironment;
beforeAll(async () => {
  ca = await startTestCa({ pebbleEnv: { PEBBLE_AUTHZREUSE: '0' } });
  ari = await startAriProxy(ca.acme.directoryUrl, ca.acme.caCertPem);
  environment = new LocalEnvironment({
    external: { directoryUrl: ari.directoryUrl, caBundlePem: ca.acme.caCertPem, challtestsrvUrl: ca.acme.challtestsrvUrl, dnsServer: ca.acme.dnsServer },
  });
});
afterAll(async () => {
  await ari?.stop();
  await ca?.stop();
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Runs through the ARI-enabled directory, recording what each newOrder asked for. */
async function run(input: unknown, storeDir: string, orders: { replaces?: string }[] = []) {
  return ca.run(input, { storeDir, environment, dependencies: { acme: recordingOrders(input, storeDir, orders) } });
}

function recordingOrders(input: unknown, storeDir: string, orders: { replaces?: string }[]) {
  const base = localDependencies({ input, storeDir, environment });
  return async (issuer: string): Promise<AcmeGateway> => {
    const gateway = await base.acme(issuer);
    return Object.assign(Object.create(gateway) as AcmeGateway, {
      createOrder: (names: readonly string[], options?: { replaces?: string }) => {
        orders.push({ ...(options?.replaces && { replaces: options.replaces }) });
        return gateway.createOrder(names, options);
      },
    });
  };
}

/** The RFC 9773 identifier computed independently, from what openssl prints. */
function opensslAriId(leafPem: string): string {
  const text = execFileSync('openssl', ['x509', '-noout', '-ext', 'authorityKeyIdentifier', '-serial'], { input: leafPem, encoding: 'utf8' });
  const keyId = (/keyid:([0-9A-F:]+)/i.exec(text)?.[1] ?? /\n\s+([0-9A-F]{2}(?::[0-9A-F]{2})+)/i.exec(text)?.[1] ?? '').replace(/:/g, '');
  let serial = (/serial=([0-9A-F]+)/i.exec(text)?.[1] ?? '').toLowerCase();
  if (serial.length % 2) serial = `0${serial}`;
  if (Number.parseInt(serial.slice(0, 2), 16) >= 0x80) serial = `00${serial}`;
  return `${Buffer.from(keyId, 'hex').toString('base64url')}.${Buffer.from(serial, 'hex').toString('base64url')}`;
}

describe('ARI', () => {
  it('takes the renewal time from the CA window, asks again only after its Retry-After, and renews early when the window moves, naming the replaced certificate', async () => {
    // Prepare: the CA suggests renewing in 40 to 42 days, and asks to be asked again in 60 s.
    const storeDir = await newStore();
    const input = spec('ari', ['ari.example.test', '*.ari.example.test']);
    const issuedAt = Date.now();
    ari.answer(() => ({ start: new Date(issuedAt + 40 * DAY), end: new Date(issuedAt + 42 * DAY) }), 60);
    const first = await run(input, storeDir);
    const issued = await readStored(first.certificatePath);
    const leaf = issued['tls.crt'].match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)?.[0] ?? '';

    // Act: a check while the window is still ahead; the CA moves the window to now; a check
    // within its Retry-After, which must not ask; one after it, which must.
    const ahead = await run(input, storeDir);
    const askedAfterAhead = ari.asked.length;
    ari.answer(() => ({ start: new Date(Date.now() - 2 * HOUR), end: new Date(Date.now() - HOUR) }), 60);
    const tooSoon = await run(input, storeDir);
    const askedAfterTooSoon = ari.asked.length;
    const orders: { replaces?: string }[] = [];
    const early = await ca.run(input, {
      storeDir,
      environment,
      now: new Date(Date.now() + 2 * 60_000),
      dependencies: { acme: recordingOrders(input, storeDir, orders) },
    });

    // Assess
    expect(first.status, first.cause).toBe('SUCCEEDED');
    expect(issued.ariCertId).toBe(opensslAriId(leaf));
    const renewalTime = new Date(issued.renewalTime).getTime();
    expect(renewalTime).toBeGreaterThanOrEqual(issuedAt + 40 * DAY);
    expect(renewalTime).toBeLessThanOrEqual(issuedAt + 42 * DAY);
    expect(ahead.output?.renewal).toMatchObject({ due: false, reason: 'UpToDate', renewalTime: issued.renewalTime });
    expect(tooSoon.output?.renewal).toMatchObject({ due: false, reason: 'UpToDate' });
    expect(askedAfterTooSoon).toBe(askedAfterAhead);
    expect(early.status, early.cause).toBe('SUCCEEDED');
    expect(early.output?.renewal?.reason).toBe('RenewalWindowReached');
    expect(ari.asked.length).toBeGreaterThan(askedAfterTooSoon);
    expect(orders).toEqual([{ replaces: issued.ariCertId }]);
    expect(ari.asked).toContain(issued.ariCertId);
    expect((await readStored(early.certificatePath)).revision).toBe(2);
  });

  it('sends no replaces to a CA whose directory offers no renewalInfo', async () => {
    // Prepare
    const storeDir = await newStore();
    const plain = localDependencies({ input: {}, storeDir, environment: ca.environment });
    const orders: { replaces?: string }[] = [];
    const acme = async (issuer: string): Promise<AcmeGateway> => {
      const gateway = await plain.acme(issuer);
      return Object.assign(Object.create(gateway) as AcmeGateway, {
        createOrder: (names: readonly string[], options?: { replaces?: string }) => {
          orders.push({ ...(options?.replaces && { replaces: options.replaces }) });
          return gateway.createOrder(names, options);
        },
      });
    };
    const input = spec('plain', ['plain.example.test']);

    // Act
    await ca.run(input, { storeDir, dependencies: { acme } });
    const renewed = await ca.run({ ...input, force: true }, { storeDir, dependencies: { acme } });

    // Assess
    expect(renewed.status, renewed.cause).toBe('SUCCEEDED');
    expect(orders).toEqual([{}, {}]);
    expect(statesEntered(renewed)).toContain('StoreCertificate');
  });
});
