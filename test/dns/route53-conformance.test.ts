/** The Route 53 provider, through the real SDK against the Route 53 test server, passes the shared DNS contract. */
import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll } from 'vitest';
import { route53Provider, visibleTxt } from '../support/route53/provider.js';
import { type Route53TestServer, startRoute53TestServer } from '../support/route53/server.js';
import { describeDnsProviderConformance } from './conformance.js';

let server: Route53TestServer;
let zoneId: string;
let counter = 0;
beforeAll(async () => {
  server = await startRoute53TestServer();
  zoneId = server.addZone('conformance.test').id;
  // The zone the CNAMEs of the Follow cases point into.
  server.addZone('challenges.conformance-targets.test');
});
afterAll(async () => {
  await server?.stop();
});

describeDnsProviderConformance(
  'Route 53',
  () => ({
    provider: () => route53Provider(server).provider,
    visibleValues: (recordName) => visibleTxt(server, recordName),
    seedForeignValue: async (recordName, value) => {
      const name = `${recordName}.`;
      const existing = server.recordSets(zoneId).find((set) => set.name === name && set.type === 'TXT');
      server.seed(zoneId, { name, type: 'TXT', ttl: 300, values: [...(existing?.values ?? []), `"${value}"`] });
    },
    domain: () => `host-${++counter}.conformance.test`,
  }),
  {
    follow: () => ({
      provider: () => route53Provider(server, { cnameStrategy: 'Follow' }).provider,
      delegate: async (recordName, target) => {
        server.seed(zoneId, { name: `${recordName}.`, type: 'CNAME', ttl: 300, values: [`${target}.`] });
      },
      cnameOf: async (recordName) => {
        const resolver = new Resolver({ timeout: 1000, tries: 2 });
        resolver.setServers([`${server.dns.host}:${server.dns.port}`]);
        return (await resolver.resolveCname(recordName).catch(() => []))[0];
      },
      targetName: () => `target-${++counter}.challenges.conformance-targets.test`,
    }),
  },
);
