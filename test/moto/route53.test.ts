/**
 * The Route 53 DNS provider through the real SDK against moto_server's Route 53: the shared DNS
 * provider contract (test/dns/conformance.ts, also run against the project's own Route 53 wire
 * server), with cnameStrategy Follow, zone choice and a zone that is gone. moto serves no DNS and
 * its name servers do not resolve, so propagation here is GetChange plus the resolver check
 * against a small DNS front for moto's record sets (test/support/moto-dns.ts); the wire server
 * covers the name-server check and the rules in which moto is more lenient (pinned below).
 */
import { Resolver } from 'node:dns/promises';
import {
  ChangeResourceRecordSetsCommand,
  type ChangeResourceRecordSetsCommandInput,
  CreateHostedZoneCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unquoteTxt } from '../../functions/adapters/route53-changes.js';
import { Route53DnsProvider } from '../../functions/adapters/route53-dns.js';
import { stripZonePrefix } from '../../functions/adapters/route53-zones.js';
import type { Dns01Config } from '../../functions/core/dns01-config.js';
import { describeDnsProviderConformance } from '../dns/conformance.js';
import { failureOf } from '../support/failure.js';
import { type Moto, startMoto } from '../support/moto.js';
import { type MotoDns, startMotoDns } from '../support/moto-dns.js';
import { challengeRecord as record } from '../support/route53/provider.js';

let moto: Moto;
let dns: MotoDns;
let conformanceZone: string;
let counter = 0;
beforeAll(async () => {
  moto = await startMoto();
  dns = await startMotoDns(route53);
  conformanceZone = await createZone('conformance.test');
  // The zone the CNAMEs of the Follow cases point into.
  await createZone('challenges.conformance-targets.test');
});
afterAll(async () => {
  await dns?.stop();
  await moto?.stop();
});

const route53 = () =>
  new Route53Client({ endpoint: moto.endpoint, region: moto.region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 });

async function createZone(name: string, vpc = false): Promise<string> {
  const created = await route53().send(
    new CreateHostedZoneCommand({
      Name: name,
      CallerReference: `certstep-${name}-${++counter}`,
      ...(vpc && { VPC: { VPCRegion: 'us-east-1', VPCId: 'vpc-12345678' }, HostedZoneConfig: { PrivateZone: true } }),
    }),
  );
  return stripZonePrefix(created.HostedZone?.Id ?? '');
}

function provider(dns01: Dns01Config = {}): Route53DnsProvider {
  const client = route53();
  return new Route53DnsProvider({
    dns01: { ...dns01, propagation: { check: 'resolvers', resolvers: [dns.address], ...dns01.propagation } },
    clientFor: () => client,
    timing: { initialWaitSeconds: 0, intervalSeconds: 0, maxAttempts: 5 },
  });
}

async function txtSet(zoneId: string, name: string) {
  const listed = await route53().send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: `${name}.`, StartRecordType: 'TXT' }));
  return listed.ResourceRecordSets?.find((set) => set.Name === `${name}.` && set.Type === 'TXT');
}

async function txtValues(zoneId: string, name: string): Promise<string[]> {
  return ((await txtSet(zoneId, name))?.ResourceRecords ?? []).map((value) => unquoteTxt(value.Value ?? '')).sort();
}

const change = (zoneId: string, changes: NonNullable<ChangeResourceRecordSetsCommandInput['ChangeBatch']>['Changes']) =>
  route53().send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: changes } }));
const txt = (name: string, values: string[]) => ({
  Name: `${name}.`,
  Type: 'TXT' as const,
  TTL: 60,
  ResourceRecords: values.map((v) => ({ Value: `"${v}"` })),
});

describeDnsProviderConformance(
  'Route 53 on moto_server',
  () => ({
    provider: () => provider(),
    visibleValues: async (recordName) => {
      const resolver = new Resolver({ timeout: 1000, tries: 2 });
      resolver.setServers([dns.address]);
      return (await resolver.resolveTxt(recordName).catch(() => [])).map((chunks) => chunks.join('')).sort();
    },
    seedForeignValue: async (recordName, value) => {
      await change(conformanceZone, [{ Action: 'UPSERT', ResourceRecordSet: txt(recordName, [...(await txtValues(conformanceZone, recordName)), value]) }]);
    },
    domain: () => `host-${++counter}.conformance.test`,
  }),
  {
    follow: () => ({
      provider: () => provider({ cnameStrategy: 'Follow' }),
      delegate: async (recordName, target) => {
        await change(conformanceZone, [
          { Action: 'CREATE', ResourceRecordSet: { Name: `${recordName}.`, Type: 'CNAME', TTL: 300, ResourceRecords: [{ Value: `${target}.` }] } },
        ]);
      },
      cnameOf: async (recordName) => {
        const resolver = new Resolver({ timeout: 1000, tries: 2 });
        resolver.setServers([dns.address]);
        return (await resolver.resolveCname(recordName).catch(() => []))[0];
      },
      targetName: () => `target-${++counter}.challenges.conformance-targets.test`,
    }),
  },
);

describe('the Route 53 DNS provider on moto_server, beyond the shared contract', () => {
  it('writes into the longest matching public zone, never into a private zone of the same name', async () => {
    // Prepare
    await createZone('zones.test');
    const sub = await createZone('sub.zones.test');
    const privateSub = await createZone('sub.zones.test', true);

    // Act
    await provider().checkZones(['x.sub.zones.test']);
    await provider().present([record('x.sub.zones.test', 'v')]);

    // Assess
    expect(await txtValues(sub, '_acme-challenge.x.sub.zones.test')).toEqual(['v']);
    expect(await txtValues(privateSub, '_acme-challenge.x.sub.zones.test')).toEqual([]);
  });

  it('refuses a name outside every zone, and a configured zone that does not exist, with ZoneNotFound', async () => {
    const outside = await failureOf(provider().checkZones(['www.nowhere.test']));
    const gone = await failureOf(provider({ route53: { hostedZoneId: 'Z0000000000000000GONE' } }).present([record('www.conformance.test', 'v')]));

    expect(outside).toMatchObject({ name: 'ZoneNotFound', retryable: false });
    expect(gone).toMatchObject({ name: 'ZoneNotFound', retryable: false, message: expect.stringContaining('NoSuchHostedZone') });
  });

  it('keeps the TTL of a set it shares, and writes its own sets with a 60 s TTL', async () => {
    // Prepare
    await change(conformanceZone, [{ Action: 'CREATE', ResourceRecordSet: { ...txt('_acme-challenge.ttl.conformance.test', ['foreign']), TTL: 300 } }]);

    // Act
    await provider().present([record('ttl.conformance.test', 'ours'), record('fresh-ttl.conformance.test', 'new')]);

    // Assess
    expect((await txtSet(conformanceZone, '_acme-challenge.ttl.conformance.test'))?.TTL).toBe(300);
    expect(await txtValues(conformanceZone, '_acme-challenge.ttl.conformance.test')).toEqual(['foreign', 'ours']);
    expect((await txtSet(conformanceZone, '_acme-challenge.fresh-ttl.conformance.test'))?.TTL).toBe(60);
  });
});

describe('where moto_server is more lenient than Route 53 (pinned, so an upgrade that changes it is noticed)', () => {
  it('accepts a DELETE with values the set held once but holds no more, and drops the whole set (Route 53: InvalidChangeBatch)', async () => {
    // Prepare: moto checks a DELETE against every value ever written, not against the set as it is.
    const name = '_acme-challenge.stale.conformance.test';
    await change(conformanceZone, [{ Action: 'CREATE', ResourceRecordSet: txt(name, ['old']) }]);
    await change(conformanceZone, [
      { Action: 'DELETE', ResourceRecordSet: txt(name, ['old']) },
      { Action: 'CREATE', ResourceRecordSet: txt(name, ['current']) },
    ]);

    // Act
    await change(conformanceZone, [{ Action: 'DELETE', ResourceRecordSet: txt(name, ['old']) }]);

    // Assess
    expect(await txtValues(conformanceZone, name)).toEqual([]);
  });

  it('refuses a DELETE of values never written as InvalidInput (Route 53: InvalidChangeBatch, which certstep reads as a concurrent change)', async () => {
    const name = '_acme-challenge.never.conformance.test';
    await change(conformanceZone, [{ Action: 'CREATE', ResourceRecordSet: txt(name, ['current']) }]);

    const failure = await failureOf(change(conformanceZone, [{ Action: 'DELETE', ResourceRecordSet: txt(name, ['never']) }]));

    expect(failure.name).toBe('InvalidInput');
  });

  it('accepts a CREATE of a set that exists with other values, and then holds two sets of that name (Route 53: InvalidChangeBatch "but it already exists")', async () => {
    const name = '_acme-challenge.twice.conformance.test';
    await change(conformanceZone, [{ Action: 'CREATE', ResourceRecordSet: txt(name, ['first']) }]);

    await change(conformanceZone, [{ Action: 'CREATE', ResourceRecordSet: txt(name, ['second']) }]);

    const listed = await route53().send(
      new ListResourceRecordSetsCommand({ HostedZoneId: conformanceZone, StartRecordName: `${name}.`, StartRecordType: 'TXT' }),
    );
    const sets = (listed.ResourceRecordSets ?? []).filter((set) => set.Name === `${name}.` && set.Type === 'TXT');
    expect(sets.map((set) => set.ResourceRecords?.map((value) => value.Value))).toEqual([['"first"'], ['"second"']]);
  });

  it("so certstep's compare-and-swap does not hold there: a value another writer adds between our read and our write is lost", async () => {
    // Prepare: the same race as route53-dns.test.ts's against the wire server, where both values survive.
    const name = '_acme-challenge.race.conformance.test';
    await change(conformanceZone, [{ Action: 'CREATE', ResourceRecordSet: txt(name, ['existing']) }]);
    const client = route53();
    let raced = false;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'ChangeResourceRecordSetsCommand' && !raced) {
          raced = true;
          await change(conformanceZone, [{ Action: 'UPSERT', ResourceRecordSet: txt(name, ['existing', 'other-cert']) }]);
        }
        return next(args);
      },
      { step: 'initialize', name: 'raceAnotherWriter' },
    );
    const racing = new Route53DnsProvider({ dns01: { propagation: { check: 'none' } }, clientFor: () => client });

    // Act
    await racing.present([record('race.conformance.test', 'ours')]);

    // Assess
    expect(raced).toBe(true);
    expect(await txtValues(conformanceZone, name)).toEqual(['existing', 'ours']);
  });

  it('answers INSYNC for every change at once (Route 53: PENDING first, usually for seconds)', async () => {
    const submitted = await change(conformanceZone, [{ Action: 'UPSERT', ResourceRecordSet: txt('_acme-challenge.sync.conformance.test', ['v']) }]);

    const status = await route53().send(new GetChangeCommand({ Id: submitted.ChangeInfo?.Id ?? '' }));

    expect(submitted.ChangeInfo?.Status).toBe('INSYNC');
    expect(status.ChangeInfo?.Status).toBe('INSYNC');
  });

  it('lists name servers for a hosted zone that do not resolve', async () => {
    const zone = await route53().send(new GetHostedZoneCommand({ Id: conformanceZone }));
    const nameServers = zone.DelegationSet?.NameServers ?? [];
    expect(nameServers.length).toBeGreaterThan(0);
    const { Resolver } = await import('node:dns/promises');
    const resolver = new Resolver({ timeout: 500, tries: 1 });
    resolver.setServers(['127.0.0.1:9']);
    const looked = await Promise.allSettled(nameServers.map((server) => resolver.resolve4(server)));
    expect(looked.every((outcome) => outcome.status === 'rejected')).toBe(true);
  });
});
