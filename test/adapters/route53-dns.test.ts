/**
 * Route 53 specifics the shared contract does not cover, through the real SDK against the
 * Route 53 test server: batching, zone choice, pagination, INSYNC, throttling, fail-fast,
 * compare-and-swap under concurrent writers, CNAME delegation and cross-account roles.
 */
import { ChangeResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Route53DnsProvider } from '../../functions/adapters/route53-dns.js';
import { challengeRecord as record, failureOf, route53Provider, visibleTxt } from '../support/route53/provider.js';
import { type Route53TestServer, startRoute53TestServer } from '../support/route53/server.js';

let server: Route53TestServer;
beforeEach(async () => {
  server = await startRoute53TestServer();
});
afterEach(async () => {
  await server?.stop();
});

const callsOf = (action: string) => server.calls.filter((call) => call.action === action);

describe('Route53DnsProvider', () => {
  it('sends one change batch per zone, whatever the number of names and values', async () => {
    // Prepare
    const a = server.addZone('a.test');
    const b = server.addZone('b.test');
    const { provider } = route53Provider(server);

    // Act
    await provider.present([record('a.test', 'apex'), record('a.test', 'wild'), record('www.a.test', 'www'), record('b.test', 'bee')]);

    // Assess
    const batches = callsOf('ChangeResourceRecordSets');
    expect(batches.map((call) => call.zoneId).sort()).toEqual([a.id, b.id].sort());
    expect(
      batches
        .find((call) => call.zoneId === a.id)
        ?.changes?.map((change) => change.name)
        .sort(),
    ).toEqual(['_acme-challenge.a.test.', '_acme-challenge.www.a.test.']);
    expect(server.recordSets(a.id).find((set) => set.name === '_acme-challenge.a.test.')).toMatchObject({ ttl: 60, values: ['"apex"', '"wild"'] });
  });

  it('picks the longest matching public zone, ignoring a private zone of the same name', async () => {
    // Prepare
    server.addZone('example.test');
    const sub = server.addZone('sub.example.test');
    const privateSub = server.addZone('sub.example.test', { private: true });
    const { provider } = route53Provider(server);

    // Act
    await provider.present([record('x.sub.example.test', 'v')]);

    // Assess
    expect(callsOf('ChangeResourceRecordSets').map((call) => call.zoneId)).toEqual([sub.id]);
    expect(server.recordSets(privateSub.id).some((set) => set.type === 'TXT')).toBe(false);
  });

  it('uses a private zone only when asked to', async () => {
    const privateZone = server.addZone('internal.test', { private: true });
    expect((await failureOf(route53Provider(server).provider.checkZones(['app.internal.test']))).name).toBe('ZoneNotFound');
    await route53Provider(server, { route53: { privateZone: true } }).provider.present([record('app.internal.test', 'v')]);
    expect(callsOf('ChangeResourceRecordSets').map((call) => call.zoneId)).toEqual([privateZone.id]);
  });

  it('uses a configured hosted zone id as is, without listing zones', async () => {
    const zone = server.addZone('configured.test');
    await route53Provider(server, { route53: { hostedZoneId: zone.id } }).provider.present([record('configured.test', 'v')]);
    expect(callsOf('ListHostedZones')).toHaveLength(0);
    expect(callsOf('ChangeResourceRecordSets').map((call) => call.zoneId)).toEqual([zone.id]);
  });

  it('refuses a configured zone that cannot hold the name, before any change', async () => {
    const other = server.addZone('other.test');
    const failure = await failureOf(route53Provider(server, { route53: { hostedZoneId: other.id } }).provider.checkZones(['example.test']));
    expect(failure.name).toBe('ZoneNotFound');
    expect(failure.message).toContain(`hosted zone ${other.id} (other.test) cannot hold _acme-challenge.example.test`);
  });

  it('changes a configured zone by its id alone after the first state, and Route 53 still refuses a name it cannot hold', async () => {
    // Prepare: CheckRenewal checked the zone; the later phases (new providers) do not describe it again.
    const zone = server.addZone('checked.test');
    const other = server.addZone('other.test');

    // Act
    await route53Provider(server, { route53: { hostedZoneId: zone.id } }).provider.present([record('checked.test', 'v')]);
    const failure = await failureOf(route53Provider(server, { route53: { hostedZoneId: other.id } }).provider.present([record('checked.test', 'v')]));

    // Assess
    expect(callsOf('GetHostedZone')).toHaveLength(0);
    expect(callsOf('ChangeResourceRecordSets').map((call) => call.zoneId)).toEqual([zone.id, other.id]);
    expect(failure.name).toBe('DnsChangeRejected');
    expect(failure.message).toContain('is not permitted in zone other.test');
    expect(server.recordSets(other.id).filter((set) => set.type === 'TXT')).toEqual([]);
  });

  it('fails with ZoneNotFound for a name outside every zone', async () => {
    server.addZone('example.test');
    const failure = await failureOf(route53Provider(server).provider.checkZones(['www.elsewhere.test']));
    expect(failure.name).toBe('ZoneNotFound');
    expect(failure.retryable).toBe(false);
    expect(failure.message).toContain('no public hosted zone');
  });

  it('pages through ListHostedZones and lists once per invocation', async () => {
    // Prepare: more zones than one page holds; the one we need comes last.
    for (let index = 0; index < 120; index++) server.addZone(`zone-${index}.test`);
    const last = server.addZone('last.test');
    const { provider } = route53Provider(server);

    // Act
    await provider.checkZones(['last.test', 'www.last.test']);
    await provider.present([record('last.test', 'v')]);

    // Assess
    expect(callsOf('ListHostedZones')).toHaveLength(2);
    expect(callsOf('ChangeResourceRecordSets').map((call) => call.zoneId)).toEqual([last.id]);
  });

  it('is not propagated while GetChange says PENDING, then is once INSYNC and on every name server', async () => {
    // Prepare
    server.addZone('slow.test');
    server.setPendingPolls(2);
    const { provider } = route53Provider(server);
    const records = [record('slow.test', 'slow-value')];
    const presented = await provider.present(records);

    // Act
    const first = await provider.isPropagated(records, presented);
    const second = await provider.isPropagated(records, presented);
    const third = await provider.isPropagated(records, presented);

    // Assess
    expect(first).toMatchObject({ ready: false, detail: expect.stringContaining('PENDING') });
    expect(second.ready).toBe(false);
    expect(third.ready).toBe(true);
    expect(presented.changeIds).toHaveLength(1);
  });

  it('rides out Throttling and PriorRequestNotComplete with the SDK backoff', async () => {
    server.addZone('busy.test');
    server.injectFaults('ChangeResourceRecordSets', ['Throttling', 'PriorRequestNotComplete', 'Throttling']);
    await route53Provider(server).provider.present([record('busy.test', 'v')]);
    expect(callsOf('ChangeResourceRecordSets').map((call) => call.status)).toEqual([400, 400, 400, 200]);
    expect(await visibleTxt(server, '_acme-challenge.busy.test')).toEqual(['v']);
  });

  it('gives up on endless throttling with a retryable DnsProviderUnavailable', async () => {
    server.addZone('busy.test');
    server.injectFaults('ChangeResourceRecordSets', Array(10).fill('Throttling'));
    const failure = await failureOf(route53Provider(server, {}, 3).provider.present([record('busy.test', 'v')]));
    expect(failure.name).toBe('DnsProviderUnavailable');
    expect(failure.retryable).toBe(true);
    expect(callsOf('ChangeResourceRecordSets')).toHaveLength(3);
  });

  it.each([
    ['AccessDenied', 'is not authorized to perform: route53:ChangeResourceRecordSets'],
    ['InvalidChangeBatch', 'injected'],
  ] as const)('fails fast on %s with the Route 53 message', async (fault, message) => {
    server.addZone('denied.test');
    server.injectFaults('ChangeResourceRecordSets', [fault]);
    const failure = await failureOf(route53Provider(server).provider.present([record('denied.test', 'v')]));
    expect(failure.name).toBe('DnsChangeRejected');
    expect(failure.retryable).toBe(false);
    expect(failure.message).toContain(message);
    expect(callsOf('ChangeResourceRecordSets')).toHaveLength(1);
  });

  it('reads again and keeps both values when another writer changes the set between read and write', async () => {
    // Prepare: a client that lets a "concurrent" certificate write just before our first batch lands.
    const zone = server.addZone('race.test');
    server.seed(zone.id, { name: '_acme-challenge.race.test.', type: 'TXT', ttl: 60, values: ['"existing"'] });
    const client = new Route53Client({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } });
    const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
    let raced = false;
    (client as unknown as { send: (command: unknown) => Promise<unknown> }).send = async (command) => {
      if (command instanceof ChangeResourceRecordSetsCommand && !raced) {
        raced = true;
        server.seed(zone.id, { name: '_acme-challenge.race.test.', type: 'TXT', ttl: 60, values: ['"existing"', '"other-cert"'] });
      }
      return send(command);
    };
    const provider = new Route53DnsProvider({ clientFor: () => client });

    // Act
    await provider.present([record('race.test', 'ours')]);

    // Assess
    expect(callsOf('ChangeResourceRecordSets').map((call) => call.status)).toEqual([400, 200]);
    expect(await visibleTxt(server, '_acme-challenge.race.test')).toEqual(['existing', 'other-cert', 'ours']);
  });

  it('follows a CNAME on _acme-challenge to the delegated zone when asked to', async () => {
    // Prepare
    const source = server.addZone('customer.test');
    const target = server.addZone('acme-delegation.test');
    server.seed(source.id, { name: '_acme-challenge.www.customer.test.', type: 'CNAME', ttl: 300, values: ['www.acme-delegation.test.'] });
    const records = [record('www.customer.test', 'delegated-value')];

    // Act
    const withoutFollow = await failureOf(route53Provider(server).provider.present(records));
    const { provider } = route53Provider(server, { cnameStrategy: 'Follow' });
    const presented = await provider.present(records);

    // Assess
    expect(withoutFollow.name).toBe('DnsChangeRejected');
    expect(server.recordSets(target.id).find((set) => set.type === 'TXT')).toMatchObject({ name: 'www.acme-delegation.test.', values: ['"delegated-value"'] });
    expect((await provider.isPropagated(records, presented)).ready).toBe(true);
    expect(await visibleTxt(server, '_acme-challenge.www.customer.test')).toEqual(['delegated-value']);
    await provider.cleanUp(records);
    expect(server.recordSets(target.id).some((set) => set.type === 'TXT')).toBe(false);
  });

  it('with Follow, fails retryably when the resolvers cannot say whether there is a CNAME, and writes nothing', async () => {
    // Prepare: a resolver port nobody listens on.
    server.addZone('unasked.test');
    const { provider } = route53Provider(server, { cnameStrategy: 'Follow', propagation: { resolvers: ['127.0.0.1:9'] } });

    // Act
    const failure = await failureOf(provider.present([record('www.unasked.test', 'unseen')]));

    // Assess: "no answer" is not "no CNAME", or the value would land where the CA never looks.
    expect(failure).toMatchObject({ name: 'DnsProviderUnavailable', retryable: true });
    expect(failure.message).toContain('_acme-challenge.www.unasked.test');
    expect(callsOf('ChangeResourceRecordSets')).toEqual([]);
  });

  describe('with the CNAME targets named in dns01.route53.cnameTargets', () => {
    const zonesFor = (targetZoneId: string) => ({ 'acme-delegation.test': { hostedZoneId: targetZoneId } });

    it('fails the zone check with one CnameRequired naming every CNAME to create, before any change and without touching the zone of the names', async () => {
      // Prepare: the names live in a zone certstep is not configured for (another provider, in effect).
      const source = server.addZone('customer.test');
      const target = server.addZone('acme-delegation.test');
      // The old target's zone exists, so DNS answers "no such name" there rather than refusing.
      server.addZone('elsewhere.test');
      server.seed(source.id, { name: '_acme-challenge.moved.customer.test.', type: 'CNAME', ttl: 300, values: ['old.elsewhere.test.'] });
      server.seed(source.id, { name: '_acme-challenge.ok.customer.test.', type: 'CNAME', ttl: 300, values: ['ok.acme-delegation.test.'] });
      const cnameTargets = {
        'missing.customer.test': 'missing.acme-delegation.test',
        'moved.customer.test': 'moved.acme-delegation.test',
        'ok.customer.test': 'ok.acme-delegation.test',
      };
      const { provider } = route53Provider(server, { cnameStrategy: 'Follow', route53: { cnameTargets, zones: zonesFor(target.id) } });

      // Act
      const failure = await failureOf(provider.checkZones(['missing.customer.test', '*.moved.customer.test', 'ok.customer.test']));

      // Assess
      expect(failure).toMatchObject({ name: 'CnameRequired', retryable: false });
      expect(failure.message).toBe(
        'create the record "_acme-challenge.missing.customer.test. CNAME missing.acme-delegation.test." where missing.customer.test is hosted ' +
          '(_acme-challenge.missing.customer.test has no CNAME yet), as dns01.route53.cnameTargets says; ' +
          'create the record "_acme-challenge.moved.customer.test. CNAME moved.acme-delegation.test." where moved.customer.test is hosted ' +
          '(_acme-challenge.moved.customer.test now leads to old.elsewhere.test), as dns01.route53.cnameTargets says',
      );
      expect(server.calls.filter((call) => call.action !== 'GetHostedZone')).toEqual([]);
      expect(server.calls.every((call) => call.zoneId === target.id)).toBe(true);
    });

    it('passes the zone check once the CNAMEs are there, and presents, checks and cleans up at the targets only', async () => {
      // Prepare
      const source = server.addZone('customer.test');
      const target = server.addZone('acme-delegation.test');
      server.seed(source.id, { name: '_acme-challenge.www.customer.test.', type: 'CNAME', ttl: 300, values: ['www.acme-delegation.test.'] });
      const dns01 = {
        cnameStrategy: 'Follow' as const,
        route53: { cnameTargets: { 'www.customer.test': 'www.acme-delegation.test' }, zones: zonesFor(target.id) },
      };
      const { provider } = route53Provider(server, dns01);
      const records = [record('www.customer.test', 'delegated-value')];

      // Act
      await provider.checkZones(['www.customer.test']);
      const presented = await provider.present(records);
      const propagated = await provider.isPropagated(records, presented);
      await provider.cleanUp(records);

      // Assess
      expect(propagated.ready).toBe(true);
      expect(
        callsOf('ChangeResourceRecordSets').map((call) => [call.zoneId, call.changes?.map((change) => `${change.action} ${change.type} ${change.name}`)]),
      ).toEqual([
        [target.id, ['CREATE TXT www.acme-delegation.test.']],
        [target.id, ['DELETE TXT www.acme-delegation.test.']],
      ]);
      expect(server.calls.some((call) => call.zoneId === source.id || call.action === 'ListHostedZones')).toBe(false);
      expect(server.recordSets(source.id).find((set) => set.type === 'CNAME')).toMatchObject({ values: ['www.acme-delegation.test.'] });
    });

    it('refuses to present when the CNAME no longer leads to the target, but still cleans the target up', async () => {
      // Prepare: presented through the right CNAME, which then changes mid-run.
      const source = server.addZone('customer.test');
      const target = server.addZone('acme-delegation.test');
      const cname = { name: '_acme-challenge.www.customer.test.', type: 'CNAME', ttl: 300, values: ['www.acme-delegation.test.'] };
      server.seed(source.id, cname);
      const dns01 = {
        cnameStrategy: 'Follow' as const,
        route53: { cnameTargets: { 'www.customer.test': 'www.acme-delegation.test' }, zones: zonesFor(target.id) },
      };
      const records = [record('www.customer.test', 'stranded?')];
      await route53Provider(server, dns01).provider.present(records);
      server.addZone('elsewhere.test');
      server.seed(source.id, { ...cname, values: ['www.elsewhere.test.'] });

      // Act: a later invocation (a new provider, as each Lambda builds one).
      const present = await failureOf(route53Provider(server, dns01).provider.present([record('www.customer.test', 'again')]));
      await route53Provider(server, dns01).provider.cleanUp(records);

      // Assess
      expect(present.name).toBe('CnameRequired');
      expect(server.recordSets(target.id).some((set) => set.type === 'TXT')).toBe(false);
    });
  });

  it('assumes the role configured for a zone (cross-account)', async () => {
    server.addZone('partner.test');
    const role = 'arn:aws:iam::210987654321:role/dns01';
    const { provider, rolesUsed } = route53Provider(server, { route53: { zones: { 'partner.test': { role, externalId: 'certstep-ext' } } } });
    await provider.present([record('partner.test', 'v')]);
    expect(new Set(rolesUsed)).toEqual(new Set([`${role}|certstep-ext`]));
  });
});
