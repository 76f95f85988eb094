/**
 * The acme-dns provider passes the DNS provider contract, against the acme-dns test server
 * publishing through a real challtestsrv, with each name's `_acme-challenge` CNAME set the
 * way a user would after the first run asked for it. acme-dns cannot remove values, so the
 * suite runs with removesValues: false (see ProviderCapabilities in conformance.ts).
 */
import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll } from 'vitest';
import { type LocalAcme, startLocalAcme } from '../../cli/local/pebble.js';
import { AcmeDnsProvider } from '../../functions/adapters/acme-dns.js';
import { FileAcmeDnsCredentials } from '../../functions/adapters/file-acme-dns-credentials.js';
import { CnameRequired } from '../../functions/core/errors.js';
import type { DnsProvider } from '../../functions/ports/dns-provider.js';
import { type AcmeDnsTestServer, startAcmeDnsServer } from '../support/acme-dns-server.js';
import { newStore } from '../support/local-ca.js';
import { describeDnsProviderConformance } from './conformance.js';

let acme: LocalAcme;
let server: AcmeDnsTestServer;
let credentials: FileAcmeDnsCredentials;
let counter = 0;
beforeAll(async () => {
  acme = await startLocalAcme();
  server = await startAcmeDnsServer({ challtestsrvUrl: acme.challtestsrvUrl });
  credentials = new FileAcmeDnsCredentials(await newStore());
});
afterAll(async () => {
  await server?.stop();
  await acme?.stop();
});

const build = () => new AcmeDnsProvider({ host: server.url, credentials, resolvers: [acme.dnsServer] });

async function post(url: string, body: object, headers: Record<string, string> = {}): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
}

/** What a user does once per name: run, read the CNAME asked for, create it. */
async function delegate(domain: string): Promise<void> {
  const asked = await build()
    .checkZones([domain])
    .then(
      () => undefined,
      (error: unknown) => error,
    );
  if (!(asked instanceof CnameRequired)) throw new Error(`expected CnameRequired for a new name, got ${String(asked)}`);
  const fulldomain = (await credentials.get(server.url, domain))?.fulldomain;
  await post(new URL('/set-cname', acme.challtestsrvUrl).href, { host: `_acme-challenge.${domain}.`, target: `${fulldomain}.` });
  await build().checkZones([domain]);
}

/** The provider, each call waiting until every name handed out by then is delegated. */
function awaiting(ready: () => Promise<unknown>): DnsProvider {
  const provider = build();
  return {
    timing: provider.timing,
    checkZones: (names) => ready().then(() => provider.checkZones(names)),
    present: (records) => ready().then(() => provider.present(records)),
    cleanUp: (records) => ready().then(() => provider.cleanUp(records)),
    isPropagated: (records, presented) => ready().then(() => provider.isPropagated(records, presented)),
  };
}

describeDnsProviderConformance(
  'acme-dns',
  () => {
    let ready: Promise<unknown> = Promise.resolve();
    return {
      provider: () => awaiting(() => ready),
      visibleValues: async (recordName) => {
        const resolver = new Resolver({ timeout: 2000, tries: 2 });
        resolver.setServers([acme.dnsServer]);
        const target = (await resolver.resolveCname(recordName).catch(() => []))[0] ?? recordName;
        return (await resolver.resolveTxt(target).catch(() => [])).map((chunks) => chunks.join('')).sort();
      },
      seedForeignValue: async (recordName, value) => {
        const registration = await credentials.get(server.url, recordName.replace(/^_acme-challenge\./, ''));
        if (!registration) throw new Error(`${recordName} has no registration to write through`);
        await post(
          `${server.url}/update`,
          { subdomain: registration.subdomain, txt: value },
          { 'X-Api-User': registration.username, 'X-Api-Key': registration.password },
        );
      },
      domain: () => {
        const domain = `conformance-${++counter}.acme-dns.example.test`;
        ready = Promise.all([ready, delegate(domain)]);
        return domain;
      },
    };
  },
  { removesValues: false },
);
