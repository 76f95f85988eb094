/**
 * The acme-dns provider against the acme-dns test server, with DNS answered by a real
 * challtestsrv: it registers once per name, keeps and reuses the credentials, stops with
 * CnameRequired naming the exact record until the CNAME exists, and classifies failures.
 */
import { stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAcme, startLocalAcme } from '../../cli/local/pebble.js';
import { AcmeDnsProvider } from '../../functions/adapters/acme-dns.js';
import { FileAcmeDnsCredentials } from '../../functions/adapters/file-acme-dns-credentials.js';
import { acmeDnsCredentialName } from '../../functions/ports/acme-dns-credentials.js';
import { type AcmeDnsTestServer, startAcmeDnsServer } from '../support/acme-dns-server.js';
import { newStore } from '../support/local-ca.js';
import { failureOf } from '../support/failure.js';

let acme: LocalAcme;
let server: AcmeDnsTestServer;
let counter = 0;
beforeAll(async () => {
  acme = await startLocalAcme();
  server = await startAcmeDnsServer({ challtestsrvUrl: acme.challtestsrvUrl });
});
afterAll(async () => {
  await server?.stop();
  await acme?.stop();
});

const uniqueName = () => `acme-dns-${++counter}-${process.pid}.example.test`;
const provider = (credentials: FileAcmeDnsCredentials, host = server.url) => new AcmeDnsProvider({ host, credentials, resolvers: [acme.dnsServer] });
const record = (dnsName: string, value: string) => ({ dnsName, recordName: `_acme-challenge.${dnsName.replace(/^\*\./, '')}`, value });

async function setCname(host: string, target: string): Promise<void> {
  const response = await fetch(new URL('/set-cname', acme.challtestsrvUrl), {
    method: 'POST',
    body: JSON.stringify({ host: `${host}.`, target: `${target}.` }),
  });
  expect(response.ok).toBe(true);
}

describe('AcmeDnsProvider', () => {
  it('registers once for an apex and its wildcard, keeps the credentials 0600, and names the exact CNAME to create', async () => {
    // Prepare
    const name = uniqueName();
    const credentials = new FileAcmeDnsCredentials(await newStore());
    const before = server.registrations();

    // Act
    const error = await failureOf(provider(credentials).checkZones([name, `*.${name}`]));

    // Assess
    const stored = await credentials.get(server.url, name);
    expect(server.registrations() - before).toBe(1);
    expect(stored?.fulldomain).toMatch(new RegExp(`\\.${server.zone.replace(/\./g, '\\.')}$`));
    expect(error).toMatchObject({ name: 'CnameRequired', retryable: false });
    expect(error.message).toContain(`create the DNS record "_acme-challenge.${name}. CNAME ${stored?.fulldomain}."`);
    expect(error.message).not.toContain(stored?.password);
    const file = path.join(credentials.root, 'acme-dns', `${acmeDnsCredentialName(server.url, name)}.json`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('reuses the stored registration on the next run and goes on once the CNAME exists', async () => {
    // Prepare: a first run registered and asked for the CNAME.
    const name = uniqueName();
    const credentials = new FileAcmeDnsCredentials(await newStore());
    await failureOf(provider(credentials).checkZones([name]));
    const registered = server.registrations();
    const stored = await credentials.get(server.url, name);

    // Act: a second run, still without the CNAME, then a third with it.
    const second = await failureOf(provider(credentials).checkZones([name]));
    await setCname(`_acme-challenge.${name}`, stored?.fulldomain as string);
    await provider(credentials).checkZones([name]);

    // Assess
    expect(second.message).toContain(`"_acme-challenge.${name}. CNAME ${stored?.fulldomain}."`);
    expect(server.registrations()).toBe(registered);
    expect(await credentials.get(server.url, name)).toEqual(stored);
  });

  it('says where a CNAME that leads elsewhere goes, and names every missing record in one error', async () => {
    // Prepare
    const [first, second] = [uniqueName(), uniqueName()];
    const credentials = new FileAcmeDnsCredentials(await newStore());
    await setCname(`_acme-challenge.${first}`, 'somewhere.else.test');

    // Act
    const error = await failureOf(provider(credentials).checkZones([first, second]));

    // Assess
    expect(error.message).toContain(
      `"_acme-challenge.${first}. CNAME ${(await credentials.get(server.url, first))?.fulldomain}." (it leads to somewhere.else.test now)`,
    );
    expect(error.message).toContain(
      `"_acme-challenge.${second}. CNAME ${(await credentials.get(server.url, second))?.fulldomain}." (there is no CNAME there yet)`,
    );
  });

  it('presents apex and wildcard values, sees them through the CNAME, and cleans up harmlessly', async () => {
    // Prepare
    const name = uniqueName();
    const credentials = new FileAcmeDnsCredentials(await newStore());
    await failureOf(provider(credentials).checkZones([name]));
    const stored = await credentials.get(server.url, name);
    await setCname(`_acme-challenge.${name}`, stored?.fulldomain as string);
    const records = [record(name, 'apex-value'), record(`*.${name}`, 'wildcard-value')];

    // Act
    const before = await provider(credentials).isPropagated(records);
    await provider(credentials).present(records);
    const after = await provider(credentials).isPropagated(records);
    await provider(credentials).cleanUp(records);

    // Assess
    expect(before).toMatchObject({ ready: false, pending: records });
    expect(after).toEqual({ ready: true });
    expect(server.values(stored?.subdomain as string)).toEqual(['apex-value', 'wildcard-value']);
  });

  it('uses credentials another writer stored first instead of its own', async () => {
    // Prepare: two runs of a new name register at the same moment.
    const name = uniqueName();
    const credentials = new FileAcmeDnsCredentials(await newStore());

    // Act
    const [one, two] = await Promise.all([failureOf(provider(credentials).checkZones([name])), failureOf(provider(credentials).checkZones([name]))]);

    // Assess: both ask for the one CNAME whose registration was stored.
    const stored = await credentials.get(server.url, name);
    expect(one.message).toContain(`CNAME ${stored?.fulldomain}.`);
    expect(two.message).toContain(`CNAME ${stored?.fulldomain}.`);
  });

  it('fails with DnsChangeRejected when the server refuses the stored credentials, without showing them', async () => {
    // Prepare: a registration whose key the server does not know.
    const name = uniqueName();
    const credentials = new FileAcmeDnsCredentials(await newStore());
    await failureOf(provider(credentials).checkZones([name]));
    const stored = await credentials.get(server.url, name);
    const forged = new FileAcmeDnsCredentials(await newStore());
    await forged.putIfAbsent(server.url, name, { ...(stored as NonNullable<typeof stored>), password: 'not-the-key-the-server-gave' });

    // Act
    const error = await failureOf(provider(forged).present([record(name, 'refused-value')]));

    // Assess
    expect(error).toMatchObject({ name: 'DnsChangeRejected', retryable: false });
    expect(error.message).toContain('HTTP 401');
    expect(error.message).not.toContain('not-the-key-the-server-gave');
    expect(server.values(stored?.subdomain as string)).toEqual([]);
  });

  it('fails with the retryable DnsProviderUnavailable when the server cannot be reached', async () => {
    // Prepare: a port nothing listens on.
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const credentials = new FileAcmeDnsCredentials(await newStore());

    // Act
    const error = await failureOf(provider(credentials, `http://127.0.0.1:${closed}`).checkZones([uniqueName()]));

    // Assess
    expect(error).toMatchObject({ name: 'DnsProviderUnavailable', retryable: true });
    expect(error.message).toContain(`acme-dns at http://127.0.0.1:${closed} could not be reached for /register`);
  });

  it('asks for a registration, rather than presenting, when none was made before ordering', async () => {
    const credentials = new FileAcmeDnsCredentials(await newStore());
    const before = server.calls.length;
    const error = await failureOf(provider(credentials).present([record(uniqueName(), 'no-registration')]));
    expect(error).toMatchObject({ name: 'CnameRequired' });
    expect(server.calls.length).toBe(before);
  });
});
