/** A Route53DnsProvider wired to the Route 53 test server through the real SDK client. */
import { Resolver } from 'node:dns/promises';
import { Route53Client } from '@aws-sdk/client-route-53';
import { Route53DnsProvider } from '../../../functions/adapters/route53-dns.js';
import type { Dns01Config } from '../../../functions/core/dns01-config.js';
import type { Route53TestServer } from './server.js';

export interface ProviderFixture {
  readonly provider: Route53DnsProvider;
  /** Roles the provider asked for, in order (cross-account zones). */
  readonly rolesUsed: string[];
}

export function route53Provider(server: Route53TestServer, dns01: Dns01Config = {}, maxAttempts = 6): ProviderFixture {
  const rolesUsed: string[] = [];
  const client = new Route53Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts,
  });
  const dnsAddress = `${server.dns.host}:${server.dns.port}`;
  const provider = new Route53DnsProvider({
    dns01,
    clientFor: (access) => {
      if (access.role) rolesUsed.push(`${access.role}|${access.externalId ?? ''}`);
      return client;
    },
    timing: { initialWaitSeconds: 0, intervalSeconds: 0, maxAttempts: 5 },
    nameServerAddresses: async () => [dnsAddress],
    resolveCname: async (name) => {
      const resolver = new Resolver({ timeout: 1000, tries: 1 });
      resolver.setServers([dnsAddress]);
      return (await resolver.resolveCname(name).catch(() => []))[0];
    },
  });
  return { provider, rolesUsed };
}

export async function visibleTxt(server: Route53TestServer, name: string): Promise<string[]> {
  const resolver = new Resolver({ timeout: 1000, tries: 2 });
  resolver.setServers([`${server.dns.host}:${server.dns.port}`]);
  try {
    return (await resolver.resolveTxt(name)).map((chunks) => chunks.join('')).sort();
  } catch {
    return [];
  }
}
