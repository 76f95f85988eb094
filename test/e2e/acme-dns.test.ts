/**
 * dns01.acmeDNS through a local run against Pebble: the first run registers the name at the
 * acme-dns test server and stops with CnameRequired naming the record, before any order; once
 * the CNAME is set in challtestsrv, the next run issues with the same registration, the
 * values reaching Pebble through the CNAME.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileAcmeDnsCredentials } from '../../functions/adapters/file-acme-dns-credentials.js';
import { type AcmeDnsTestServer, startAcmeDnsServer } from '../support/acme-dns-server.js';
import { type TestCa, newStore, readStored, spec, startTestCa, statesEntered } from '../support/local-ca.js';

let ca: TestCa;
let server: AcmeDnsTestServer;
beforeAll(async () => {
  ca = await startTestCa({ pebbleEnv: { PEBBLE_AUTHZREUSE: '0' } });
  server = await startAcmeDnsServer({ challtestsrvUrl: ca.acme.challtestsrvUrl });
});
afterAll(async () => {
  await server?.stop();
  await ca?.stop();
});

describe('dns01.acmeDNS, locally', () => {
  it('asks for the CNAME before ordering anything, then issues apex and wildcard with the one registration', async () => {
    // Prepare
    const storeDir = await newStore();
    const input = spec('acmedns', ['acmedns.example.test', '*.acmedns.example.test'], { dns01: { acmeDNS: { host: server.url } } });

    // Act: the first run, the CNAME a user creates, the second run.
    const first = await ca.run(input, { storeDir });
    const registration = await new FileAcmeDnsCredentials(storeDir).get(server.url, 'acmedns.example.test');
    const response = await fetch(new URL('/set-cname', ca.acme.challtestsrvUrl), {
      method: 'POST',
      body: JSON.stringify({ host: '_acme-challenge.acmedns.example.test.', target: `${registration?.fulldomain}.` }),
    });
    const second = await ca.run(input, { storeDir });

    // Assess: the first run stopped at the zone check, naming the exact record.
    expect(first).toMatchObject({ status: 'FAILED', error: 'CnameRequired' });
    expect(first.cause).toContain(`create the DNS record "_acme-challenge.acmedns.example.test. CNAME ${registration?.fulldomain}."`);
    expect(statesEntered(first)).not.toContain('CreateOrder');
    expect(response.ok).toBe(true);
    // The second run issued, with the same registration, both values sent to acme-dns.
    expect(second.status).toBe('SUCCEEDED');
    expect((await readStored(second.certificatePath)).dnsNames).toEqual(['acmedns.example.test', '*.acmedns.example.test']);
    expect(server.registrations()).toBe(1);
    expect(server.calls.filter((call) => call.route === '/update' && call.status === 200 && call.subdomain === registration?.subdomain)).toHaveLength(2);
    // Nothing of the registration went into the run's history or the certificate's file.
    const history = JSON.stringify([first.events, second.events, first.cause]);
    const stored = await readFile(path.join(storeDir, 'certificates', 'acmedns.json'), 'utf8');
    for (const secret of [registration?.password, registration?.username]) {
      expect(history).not.toContain(secret);
      expect(stored).not.toContain(secret);
    }
  });
});
