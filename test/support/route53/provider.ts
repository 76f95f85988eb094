/** A Route53DnsProvider wired to the Route 53 test server through the real SDK client. */
import { Resolver } from 'node:dns/promises';
import { Route53Client } from '@aws-sdk/client-route-53';
import { Route53DnsProvider } from '../../../functions/adapters/route53-dns.js';
import type { Dns01Config } from '../../../functions/core/dns01-config.js';
import type { ChallengeRecord } from '../../../functions/ports/dns-provider.js';
import type { Route53TestServer } from './server.js';

export interface ProviderFixture {
  readonly provider: Route53DnsProvider;
  /** Roles the provider asked for, in order (cross-account zones). */
  readonly rolesUsed: string[];
}

export interface FixtureOptions {
  /**
   * How name servers are reached: 'test-server' (default) sends every name server's queries to
   * the test server's DNS; 'resolved' looks up their addresses through the resolvers, as in
   * production, and asks them on the test server's port; a function maps names to addresses.
   */
  readonly nameServers?: 'test-server' | 'resolved' | ((host: string) => Promise<string[]>);
  /**
   * The client to send with, made once by the caller: a Lambda container keeps its clients
   * across invocations (runtime/dns.ts), and zone details are cached per client.
   */
  readonly client?: Route53Client;
}

/**
 * Every lookup goes through the test server's DNS as the resolver, unless dns01.propagation
 * names other resolvers.
 */
export function route53Provider(server: Route53TestServer, dns01: Dns01Config = {}, maxAttempts = 6, fixture: FixtureOptions = {}): ProviderFixture {
  const rolesUsed: string[] = [];
  const client =
    fixture.client ??
    new Route53Client({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts,
    });
  const dnsAddress = `${server.dns.host}:${server.dns.port}`;
  const nameServers = fixture.nameServers ?? 'test-server';
  const provider = new Route53DnsProvider({
    dns01: { ...dns01, propagation: { resolvers: [dnsAddress], ...dns01.propagation } },
    clientFor: (access) => {
      if (access.role) rolesUsed.push(`${access.role}|${access.externalId ?? ''}`);
      return client;
    },
    timing: { initialWaitSeconds: 0, intervalSeconds: 0, maxAttempts: 5 },
    ...(nameServers === 'resolved'
      ? { nameServerPort: server.dns.port }
      : { nameServerAddresses: nameServers === 'test-server' ? async () => [dnsAddress] : nameServers }),
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

/** The record a DNS-01 challenge for `dnsName` puts at `_acme-challenge.<dnsName>`. */
export const challengeRecord = (dnsName: string, value: string): ChallengeRecord => ({ dnsName, recordName: `_acme-challenge.${dnsName}`, value });

export { failureOf } from '../failure.js';
