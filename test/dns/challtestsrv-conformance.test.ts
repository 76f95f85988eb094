/** The local provider (pebble-challtestsrv) passes the same DNS provider contract as Route 53. */
import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll } from 'vitest';
import { ChallTestSrvDnsProvider } from '../../functions/adapters/challtestsrv-dns.js';
import { type LocalAcme, startLocalAcme } from '../../cli/local/pebble.js';
import { describeDnsProviderConformance } from './conformance.js';
import { LocalEnvironment } from '../../cli/local/environment.js';
import { parseExecutionInput } from '../../functions/core/certificate-spec.js';
import { LOCAL_ISSUER } from '../../functions/core/issuers.js';

let acme: LocalAcme;
let counter = 0;
beforeAll(async () => {
  acme = await startLocalAcme();
});
afterAll(async () => {
  await acme?.stop();
});

describeDnsProviderConformance(
  'pebble-challtestsrv',
  () => ({
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
  }),
  {
    follow: () => {
      // The local run's own wiring: LocalEnvironment builds the provider from the certificate.
      const environment = new LocalEnvironment({
        external: { directoryUrl: acme.directoryUrl, challtestsrvUrl: acme.challtestsrvUrl, dnsServer: acme.dnsServer },
      });
      const certificate = parseExecutionInput(
        {
          certificate: { name: 'follow', dnsNames: ['follow.example.test'], issuer: LOCAL_ISSUER, dns01: { cnameStrategy: 'Follow' } },
        },
        new Set([LOCAL_ISSUER]),
      ).certificate;
      return {
        provider: () => environment.dnsProvider(certificate),
        delegate: async (recordName, target) => {
          const response = await fetch(new URL('/set-cname', acme.challtestsrvUrl), {
            method: 'POST',
            body: JSON.stringify({ host: `${recordName}.`, target: `${target}.` }),
          });
          if (!response.ok) throw new Error(`challtestsrv /set-cname answered ${response.status}`);
        },
        cnameOf: async (recordName) => {
          const resolver = new Resolver({ timeout: 2000, tries: 2 });
          resolver.setServers([acme.dnsServer]);
          return (await resolver.resolveCname(recordName).catch(() => []))[0];
        },
        targetName: () => `target-${++counter}.challenges.test`,
      };
    },
  },
);
