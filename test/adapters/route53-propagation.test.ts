/**
 * The propagation check as the CA will see it: zone cut and name servers from live DNS (the
 * test server's DNS as the resolver), not from Route 53's DelegationSet; servers that cannot
 * be asked are named; private zones are refused before ordering; dns01.propagation applies.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { challengeRecord as record, failureOf, route53Provider } from '../support/route53/provider.js';
import { type Route53TestServer, startRoute53TestServer } from '../support/route53/server.js';

let server: Route53TestServer;
beforeEach(async () => {
  server = await startRoute53TestServer();
});
afterEach(async () => {
  await server?.stop();
});

/** Queries for `zoneId`'s own name servers go to a server holding that zone alone; the rest to the test server's DNS. */
async function ownServersFor(zoneId: string, nameServers: readonly string[]) {
  const own = await server.zoneServer(zoneId);
  const ownNames = new Set(nameServers.map((name) => name.toLowerCase()));
  return async (host: string) => [ownNames.has(host.toLowerCase()) ? `${own.host}:${own.port}` : `${server.dns.host}:${server.dns.port}`];
}

describe('the propagation check', () => {
  it('is not ready when the values went to a duplicate hosted zone that live DNS does not delegate to', async () => {
    // Prepare: the delegated zone, and a duplicate of the same name whose own servers answer for it.
    const delegated = server.addZone('example.test');
    const duplicate = server.addZone('example.test', { delegated: false });
    const nameServers = await ownServersFor(duplicate.id, duplicate.nameServers);
    const { provider } = route53Provider(server, { route53: { hostedZoneId: duplicate.id } }, 6, { nameServers });
    const records = [record('www.example.test', 'in-the-duplicate')];
    const presented = await provider.present(records);

    // Act
    const result = await provider.isPropagated(records, presented);

    // Assess
    expect(result.ready).toBe(false);
    const detail = result.ready ? '' : result.detail;
    const [ns1, ns2] = delegated.nameServers.map((name) => name.toLowerCase());
    expect(detail).toContain(`not yet answered: _acme-challenge.www.example.test at ${ns1}, _acme-challenge.www.example.test at ${ns2}`);
    expect(detail).toContain(`example.test is delegated to ${ns1}, ${ns2}, not to the name servers of hosted zone ${duplicate.id}`);
  });

  it('is not ready when the hosted zone was never delegated from its parent', async () => {
    // Prepare
    server.addZone('example.test');
    const sub = server.addZone('sub.example.test', { delegated: false });
    const nameServers = await ownServersFor(sub.id, sub.nameServers);
    const { provider } = route53Provider(server, {}, 6, { nameServers });
    const records = [record('www.sub.example.test', 'undelegated')];
    const presented = await provider.present(records);

    // Act
    const result = await provider.isPropagated(records, presented);

    // Assess
    expect(result).toMatchObject({
      ready: false,
      pending: records,
      detail: expect.stringContaining(`live DNS puts _acme-challenge.www.sub.example.test in example.test, not in hosted zone ${sub.id}`),
    });
  });

  it('is ready once every name server of the live zone cut answers, its addresses found through the resolvers', async () => {
    // Prepare: the name servers' addresses are published, as registrars publish glue.
    const hosts = server.addZone('route53.test');
    const zone = server.addZone('ok.test', { nameServers: ['ns-a.route53.test', 'ns-b.route53.test'] });
    for (const host of zone.nameServers) server.seed(hosts.id, { name: host, type: 'A', ttl: 60, values: ['127.0.0.1'] });
    const { provider } = route53Provider(server, {}, 6, { nameServers: 'resolved' });
    const records = [record('ok.test', 'apex'), record('ok.test', 'wild')];

    // Act
    const result = await provider.isPropagated(records, await provider.present(records));

    // Assess
    expect(result).toEqual({ ready: true });
  });

  it('names a name server that has no address, and why, instead of "not yet"', async () => {
    // Prepare: one name server resolves, the other has no address record.
    const hosts = server.addZone('route53.test');
    server.seed(hosts.id, { name: 'ns-ok.route53.test', type: 'A', ttl: 60, values: ['127.0.0.1'] });
    server.addZone('lame.test', { nameServers: ['ns-ok.route53.test', 'ns-gone.route53.test'] });
    const { provider } = route53Provider(server, {}, 6, { nameServers: 'resolved' });
    const records = [record('lame.test', 'v')];

    // Act
    const result = await provider.isPropagated(records, await provider.present(records));

    // Assess
    const resolver = `resolver ${server.dns.host}:${server.dns.port}`;
    expect(result).toMatchObject({ ready: false, unreachable: [`ns-gone.route53.test (no address from ${resolver}: NXDOMAIN)`] });
    expect(result.ready ? '' : result.detail).toBe(`could not ask: ns-gone.route53.test (no address from ${resolver}: NXDOMAIN)`);
  });

  it('names a name server that does not answer', async () => {
    // Prepare: a port nothing listens on.
    server.addZone('silent.test');
    const { provider } = route53Provider(server, {}, 6, { nameServers: async () => ['127.0.0.1:9'] });
    const records = [record('silent.test', 'v')];

    // Act
    const result = await provider.isPropagated(records, await provider.present(records));

    // Assess
    expect(result.ready).toBe(false);
    expect(result.ready ? [] : result.unreachable).toEqual([
      expect.stringMatching(/^ns1\.\w+\.route53\.test \(127\.0\.0\.1:9: (connection refused|no answer in time)\)$/),
      expect.stringMatching(/^ns2\.\w+\.route53\.test \(127\.0\.0\.1:9: (connection refused|no answer in time)\)$/),
    ]);
  });
});

describe('dns01.propagation', () => {
  it('sends every lookup to the configured resolvers', async () => {
    // Prepare: a resolver that is not there.
    server.addZone('example.test');
    const { provider } = route53Provider(server, { propagation: { resolvers: ['127.0.0.1:9'] } });
    const records = [record('example.test', 'v')];

    // Act
    const result = await provider.isPropagated(records, await provider.present(records));

    // Assess
    expect(result).toMatchObject({ ready: false, unreachable: [expect.stringMatching(/^resolver 127\.0\.0\.1:9 \(NS _acme-challenge\.example\.test: /)] });
  });

  it('asks the resolvers for the value with check "resolvers", and nothing after INSYNC with "none"', async () => {
    // Prepare: an undelegated zone, which only its own server (used as the resolver) answers for.
    server.addZone('example.test');
    const sub = server.addZone('sub.example.test', { delegated: false });
    const own = await server.zoneServer(sub.id);
    const records = [record('sub.example.test', 'v')];
    const presented = await route53Provider(server).provider.present(records);
    const check = (dns01: Parameters<typeof route53Provider>[1]) => route53Provider(server, dns01).provider.isPropagated(records, presented);

    // Act
    const authoritative = await check({});
    const viaOwnServer = await check({ propagation: { check: 'resolvers', resolvers: [`${own.host}:${own.port}`] } });
    const viaTestDns = await check({ propagation: { check: 'resolvers' } });
    const none = await check({ propagation: { check: 'none', resolvers: ['127.0.0.1:9'] } });

    // Assess
    expect(authoritative.ready).toBe(false);
    expect(viaOwnServer).toEqual({ ready: true });
    expect(viaTestDns).toMatchObject({
      ready: false,
      detail: `not yet answered: _acme-challenge.sub.example.test at resolver ${server.dns.host}:${server.dns.port}`,
    });
    expect(none).toEqual({ ready: true });
  });

  it('turns timeout and interval into the Wait between checks and their number', () => {
    const timing = (propagation: { timeout?: string; interval?: string }) => route53Provider(server, { propagation }).provider.timing;
    expect(timing({ timeout: 'PT10M', interval: 'PT10S' })).toEqual({ initialWaitSeconds: 0, intervalSeconds: 10, maxAttempts: 60 });
    expect(timing({ timeout: 'PT1M', interval: 'PT25S' })).toEqual({ initialWaitSeconds: 0, intervalSeconds: 25, maxAttempts: 3 });
    expect(timing({})).toEqual({ initialWaitSeconds: 0, intervalSeconds: 0, maxAttempts: 5 });
  });
});

describe('private hosted zones', () => {
  it('are refused before ordering, even when configured by id', async () => {
    // Prepare
    const hidden = server.addZone('internal.test', { private: true });

    // Act
    const failure = await failureOf(route53Provider(server, { route53: { hostedZoneId: hidden.id } }).provider.checkZones(['app.internal.test']));

    // Assess
    expect(failure.name).toBe('ZoneNotFound');
    expect(failure.retryable).toBe(false);
    expect(failure.message).toContain(
      `hosted zone ${hidden.id} (internal.test) for _acme-challenge.app.internal.test is private: no public CA can see its records`,
    );
    expect(server.calls.map((call) => call.action)).toEqual(['GetHostedZone']);
  });

  it('lose a tie to the public zone of the same name, even when private zones are allowed', async () => {
    // Prepare: the private zone is listed first.
    const hidden = server.addZone('example.test', { private: true });
    const visible = server.addZone('example.test');
    const { provider } = route53Provider(server, { route53: { privateZone: true } });

    // Act
    await provider.checkZones(['www.example.test']);
    await provider.present([record('www.example.test', 'v')]);

    // Assess
    const changed = server.calls.filter((call) => call.action === 'ChangeResourceRecordSets').map((call) => call.zoneId);
    expect(changed).toEqual([visible.id]);
    expect(changed).not.toContain(hidden.id);
  });
});
