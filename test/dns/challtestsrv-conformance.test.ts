/** The local provider (pebble-challtestsrv) passes the same DNS provider contract as Route 53. */
import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll } from 'vitest';
import { ChallTestSrvDnsProvider } from '../../functions/adapters/challtestsrv-dns.js';
import { type LocalAcme, startLocalAcme } from '../../cli/local/pebble.js';
import { describeDnsProviderConformance } from './conformance.js';

let acme: LocalAcme;
let counter = 0;
beforeAll(async () => {
  acme = await startLocalAcme();
});
afterAll(async () => {
  await acme?.stop();
});

describeDnsProviderConformance('pebble-challtestsrv', () => ({
  provider: () => new ChallTestSrvDnsProvider({ managementUrl: acme.challtestsrvUrl, dnsServer: acme.dnsServer }),
  visibleValues: async (recordName) => {
    const resolver = new Resolver({ timeout: 2000, tries: 2 });
    resolver.setServers([acme.dnsServer]);
    try {
      return (await resolver.resolveTxt(recordName)).map((chunks) => chunks.join('')).sort();
    } catch {
      return [];
    }
  },
  seedForeignValue: async (recordName, value) => {
    await fetch(new URL('/set-txt', acme.challtestsrvUrl), { method: 'POST', body: JSON.stringify({ host: `${recordName}.`, value }) });
  },
  domain: () => `conformance-${++counter}.example.test`,
}));
