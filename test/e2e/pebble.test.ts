import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAcme, type LocalAcme } from '../../cli/local/pebble.js';
import { httpRequest, tcpAccepts } from '../../cli/local/net.js';

const HOOK_TIMEOUT_MS = 60_000;

async function directory(acme: LocalAcme): Promise<Record<string, unknown>> {
  const res = await httpRequest(acme.directoryUrl, { ca: acme.caCertPem });
  expect(res.status).toBe(200);
  return JSON.parse(res.body) as Record<string, unknown>;
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

// The tests run in order and share one stack: restart and stop come last on purpose.
describe('startLocalAcme (real Pebble + pebble-challtestsrv)', () => {
  let acme: LocalAcme;

  beforeAll(async () => {
    acme = await startLocalAcme();
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await acme?.stop();
  }, HOOK_TIMEOUT_MS);

  it('serves an ACME directory over HTTPS signed by the throwaway CA', async () => {
    // Act
    const dir = await directory(acme);

    // Assess
    expect(acme.directoryUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/dir$/);
    expect(dir).toHaveProperty('newOrder');
    expect(dir).toHaveProperty('newAccount');
    expect(dir).toHaveProperty('newNonce');
  });

  it('answers DNS TXT queries with what was set through challtestsrv', async () => {
    // Prepare
    const set = await httpRequest(`${acme.challtestsrvUrl}/set-txt`, {
      method: 'POST',
      body: { host: '_acme-challenge.example.test.', value: 'abc' },
    });
    expect(set.status).toBe(200);
    const resolver = new Resolver({ timeout: 2000, tries: 2 });
    resolver.setServers([acme.dnsServer]);

    // Act
    const records = await resolver.resolveTxt('_acme-challenge.example.test');

    // Assess
    expect(records.map((chunks) => chunks.join(''))).toEqual(['abc']);
  });

  it('hands out the PEM of Pebble issuing root and intermediate', async () => {
    // Act
    const root = await acme.rootPem();
    const intermediate = await acme.intermediatePem();

    // Assess
    expect(root).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\s*$/);
    expect(intermediate).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\s*$/);
  });

  it(
    'restarts Pebble on the same address',
    async () => {
      // Prepare
      const rootBefore = await acme.rootPem();

      // Act
      await acme.restartPebble();

      // Assess: same URL works again, with a fresh CA (Pebble keeps nothing across restarts)
      const dir = await directory(acme);
      expect(dir).toHaveProperty('newOrder');
      expect(await acme.rootPem()).not.toBe(rootBefore);
    },
    HOOK_TIMEOUT_MS,
  );

  it(
    'says where Pebble waits before a restart, from its goroutine dump, and then starts again',
    async () => {
      // Act: a healthy Pebble, so nothing should wait on a lock of its own store.
      const stall = await acme.diagnoseStall();
      const stopped = await httpRequest(acme.directoryUrl, { ca: acme.caCertPem, timeoutMs: 1000 }).then(
        () => 'answered',
        () => 'refused',
      );
      await acme.restartPebble();

      // Assess: the directory answered before the dump; the dump was read (the HTTPS servers'
      // goroutines at least); Pebble exited after it and runs again after the restart.
      expect(stall.directory).toMatch(/^HTTP 200 in \d+ ms$/);
      expect(stall.waits.goroutines).toBeGreaterThanOrEqual(3);
      expect(stall.waits.where.filter(({ frame }) => frame.startsWith('db.'))).toEqual([]);
      expect(stopped).toBe('refused');
      expect(await directory(acme)).toHaveProperty('newOrder');
    },
    HOOK_TIMEOUT_MS,
  );

  it(
    'stops both processes so their ports refuse connections',
    async () => {
      // Prepare
      const ports = [acme.directoryUrl, acme.managementUrl, acme.challtestsrvUrl, `dns://${acme.dnsServer}`].map(portOf);
      for (const port of ports) expect(await tcpAccepts('127.0.0.1', port)).toBe(true);

      // Act
      await acme.stop();
      await acme.stop(); // idempotent

      // Assess
      for (const port of ports) expect(await tcpAccepts('127.0.0.1', port)).toBe(false);
    },
    HOOK_TIMEOUT_MS,
  );
});
