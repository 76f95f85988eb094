/**
 * The Route 53 test server, exercised through the real @aws-sdk/client-route-53 and through
 * real DNS clients (node:dns and dns2), so other tests can trust it to behave like Route 53.
 */
import { Resolver } from 'node:dns/promises';
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  ListHostedZonesByNameCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import dns2 from 'dns2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Route53TestServer, startRoute53TestServer } from './support/route53/server.js';

let server: Route53TestServer;
let client: Route53Client;

beforeEach(async () => {
  server = await startRoute53TestServer();
  client = new Route53Client({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
});
afterEach(async () => {
  client.destroy();
  await server.stop();
});

function txt(action: Change['Action'], name: string, values: string[], ttl = 60): Change {
  return { Action: action, ResourceRecordSet: { Name: name, Type: 'TXT', TTL: ttl, ResourceRecords: values.map((Value) => ({ Value })) } };
}

function change(zoneId: string, ...changes: Change[]) {
  return client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: changes } }));
}

/** The rejection of a promise that is expected to fail. */
async function failure(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  return promise.then(
    () => expect.fail('expected the call to fail'),
    (error: unknown) => error as Error,
  );
}

function resolver(): Resolver {
  const resolver = new Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([`${server.dns.host}:${server.dns.port}`]);
  return resolver;
}

/** TXT values seen over DNS, or the resolver's error code (ENODATA, ENOTFOUND, EREFUSED). */
async function txtOverDns(name: string): Promise<string[] | string> {
  try {
    return (await resolver().resolveTxt(name)).map((chunks) => chunks.join('')).sort();
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  }
}

function dns2Client() {
  return dns2.UDPClient({ dns: server.dns.host, port: server.dns.port });
}

describe('hosted zones', () => {
  it('pages ListHostedZones with Marker and NextMarker', async () => {
    // Prepare
    const zones = ['a.test', 'b.test', 'c.test', 'd.test', 'e.test'].map((name) => server.addZone(name, { private: name === 'c.test' }));

    // Act
    const pages = [await client.send(new ListHostedZonesCommand({ MaxItems: 2 }))];
    while (pages[pages.length - 1]?.IsTruncated) {
      pages.push(await client.send(new ListHostedZonesCommand({ MaxItems: 2, Marker: pages[pages.length - 1]?.NextMarker })));
    }

    // Assess
    expect(pages.map((page) => page.HostedZones?.map((zone) => zone.Name))).toEqual([['a.test.', 'b.test.'], ['c.test.', 'd.test.'], ['e.test.']]);
    expect(pages.map((page) => [page.IsTruncated, page.NextMarker, page.MaxItems])).toEqual([
      [true, zones[2]?.id, 2],
      [true, zones[4]?.id, 2],
      [false, undefined, 2],
    ]);
    expect(pages[1]?.HostedZones?.[0]).toMatchObject({ Id: `/hostedzone/${zones[2]?.id}`, Config: { PrivateZone: true }, ResourceRecordSetCount: 2 });
  });

  it('lists by name in reversed-label order, starting at DNSName', async () => {
    // Prepare
    for (const name of ['b.example.test', 'other.test', 'example.test', 'a.example.test']) server.addZone(name);

    // Act
    const all = await client.send(new ListHostedZonesByNameCommand({}));
    const fromA = await client.send(new ListHostedZonesByNameCommand({ DNSName: 'a.example.test', MaxItems: 1 }));

    // Assess
    expect(all.HostedZones?.map((zone) => zone.Name)).toEqual(['example.test.', 'a.example.test.', 'b.example.test.', 'other.test.']);
    expect(fromA).toMatchObject({ IsTruncated: true, NextDNSName: 'b.example.test.', HostedZones: [{ Name: 'a.example.test.' }] });
  });

  it('answers GetHostedZone with the delegation set, and NoSuchHostedZone for unknown ids', async () => {
    // Prepare
    const zone = server.addZone('Example.Test', { id: 'Z0123ABC' });

    // Act
    const found = await client.send(new GetHostedZoneCommand({ Id: '/hostedzone/Z0123ABC' }));
    const missing = await failure(client.send(new GetHostedZoneCommand({ Id: 'ZNOPE' })));

    // Assess
    expect(zone).toEqual({ id: 'Z0123ABC', name: 'example.test.', private: false, nameServers: ['ns1.Z0123ABC.route53.test', 'ns2.Z0123ABC.route53.test'] });
    expect(found.HostedZone).toMatchObject({ Id: '/hostedzone/Z0123ABC', Name: 'example.test.', Config: { PrivateZone: false } });
    expect(found.DelegationSet?.NameServers).toEqual(zone.nameServers);
    expect(missing).toMatchObject({ name: 'NoSuchHostedZone', $metadata: { httpStatusCode: 404 } });
  });
});

describe('record sets', () => {
  it('starts each zone with its SOA and NS at the apex', async () => {
    // Prepare
    const zone = server.addZone('example.test');

    // Act
    const listed = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone.id }));

    // Assess
    expect(listed.ResourceRecordSets?.map((set) => [set.Name, set.Type])).toEqual([
      ['example.test.', 'NS'],
      ['example.test.', 'SOA'],
    ]);
    expect(listed.ResourceRecordSets?.[0]?.ResourceRecords).toEqual([
      { Value: `ns1.${zone.id.toLowerCase()}.route53.test.` },
      { Value: `ns2.${zone.id.toLowerCase()}.route53.test.` },
    ]);
  });

  it('lists in Route 53 order and pages with NextRecordName and NextRecordType', async () => {
    // Prepare
    const zone = server.addZone('example.test');
    await change(zone.id, txt('CREATE', 'x.a.example.test', ['"1"']), txt('CREATE', 'a.example.test', ['"2"']), txt('CREATE', 'a-b.example.test', ['"3"']));

    // Act
    const first = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone.id, MaxItems: 3 }));
    const second = await client.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: zone.id, StartRecordName: first.NextRecordName, StartRecordType: first.NextRecordType, MaxItems: 3 }),
    );

    // Assess: "-" sorts before the "." that ends a label, so a-b comes before a.
    expect(first).toMatchObject({ IsTruncated: true, NextRecordName: 'a.example.test.', NextRecordType: 'TXT' });
    expect(first.ResourceRecordSets?.map((set) => set.Name)).toEqual(['example.test.', 'example.test.', 'a-b.example.test.']);
    expect(second.IsTruncated).toBe(false);
    expect(second.ResourceRecordSets?.map((set) => [set.Name, set.ResourceRecords?.[0]?.Value])).toEqual([
      ['a.example.test.', '"2"'],
      ['x.a.example.test.', '"1"'],
    ]);
  });

  it('rejects a CREATE of a set that already exists', async () => {
    // Prepare
    const zone = server.addZone('example.test');
    await change(zone.id, txt('CREATE', '_acme-challenge.example.test', ['"one"']));

    // Act
    const error = await failure(change(zone.id, txt('CREATE', '_ACME-challenge.Example.Test.', ['"two"'])));

    // Assess
    expect(error.name).toBe('InvalidChangeBatch');
    expect(error.message).toBe("[Tried to create resource record set [name='_acme-challenge.example.test.', type='TXT'] but it already exists]");
    expect(server.recordSets(zone.id).find((set) => set.type === 'TXT')?.values).toEqual(['"one"']);
  });

  it('rejects a DELETE whose values do not match, and one of a missing set', async () => {
    // Prepare
    const zone = server.addZone('example.test');
    await change(zone.id, txt('CREATE', 'x.example.test', ['"a"', '"b"']));

    // Act
    const wrongValue = await failure(change(zone.id, txt('DELETE', 'x.example.test', ['"a"'])));
    const wrongTtl = await failure(change(zone.id, txt('DELETE', 'x.example.test', ['"b"', '"a"'], 300)));
    const missing = await failure(change(zone.id, txt('DELETE', 'y.example.test', ['"a"'])));
    await change(zone.id, txt('DELETE', 'X.example.test.', ['"b"', '"a"']));

    // Assess
    expect(wrongValue.message).toContain(
      "Tried to delete resource record set [name='x.example.test.', type='TXT'] but the values provided do not match the current values",
    );
    expect(wrongTtl.message).toContain('the values provided do not match the current values');
    expect(missing.message).toContain("Tried to delete resource record set [name='y.example.test.', type='TXT'] but it was not found");
    expect(server.recordSets(zone.id).map((set) => set.type)).toEqual(['NS', 'SOA']);
  });

  it('replaces a set with DELETE then CREATE in one batch, and UPSERT creates or replaces', async () => {
    // Prepare
    const zone = server.addZone('example.test');
    await change(zone.id, txt('CREATE', 'x.example.test', ['"old"']));

    // Act
    await change(zone.id, txt('DELETE', 'x.example.test', ['"old"']), txt('CREATE', 'x.example.test', ['"new"', '"other"'], 120));
    await change(zone.id, txt('UPSERT', 'y.example.test', ['"first"']), txt('UPSERT', 'y.example.test', ['"second"']));

    // Assess
    expect(server.recordSets(zone.id).filter((set) => set.type === 'TXT')).toEqual([
      { name: 'x.example.test.', type: 'TXT', ttl: 120, values: ['"new"', '"other"'] },
      { name: 'y.example.test.', type: 'TXT', ttl: 60, values: ['"second"'] },
    ]);
  });

  it('applies nothing when a later change in the batch fails', async () => {
    // Prepare
    const zone = server.addZone('example.test');
    await change(zone.id, txt('CREATE', 'taken.example.test', ['"x"']));

    // Act
    const error = await failure(change(zone.id, txt('CREATE', 'fresh.example.test', ['"y"']), txt('CREATE', 'taken.example.test', ['"z"'])));

    // Assess
    expect(error.message).toContain("[name='taken.example.test.', type='TXT'] but it already exists");
    expect(server.recordSets(zone.id).map((set) => set.name)).not.toContain('fresh.example.test.');
    expect(await txtOverDns('fresh.example.test')).toBe('ENOTFOUND');
  });

  it('rejects duplicate values, unquoted TXT, out-of-zone names and CNAME conflicts', async () => {
    // Prepare
    const zone = server.addZone('example.test');
    await change(zone.id, txt('CREATE', 'x.example.test', ['"taken"']));
    const cname: Change = {
      Action: 'CREATE',
      ResourceRecordSet: { Name: 'x.example.test', Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: 'y.example.test' }] },
    };

    // Act
    const duplicate = await failure(change(zone.id, txt('CREATE', 'd.example.test', ['"abc"', '"abc"'])));
    const unquoted = await failure(change(zone.id, txt('CREATE', 'u.example.test', ['abc'])));
    const tooLong = await failure(change(zone.id, txt('CREATE', 'l.example.test', [`"${'a'.repeat(256)}"`])));
    const outside = await failure(change(zone.id, txt('CREATE', 'x.other.test', ['"a"'])));
    const conflict = await failure(change(zone.id, cname));

    // Assess
    expect(duplicate.message).toBe(`[Duplicate Resource Record: '"abc"']`);
    expect(unquoted.message).toBe(
      "[Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks) encountered with 'abc'']",
    );
    expect(tooLong.message).toContain('CharacterStringTooLong');
    expect(outside.message).toBe('[RRSet with DNS name x.other.test. is not permitted in zone example.test.]');
    expect(conflict.message).toContain('RRSet of type CNAME with DNS name x.example.test. is not permitted as it conflicts with other records');
    expect(server.recordSets(zone.id)).toHaveLength(3);
  });

  it('accepts several quoted strings in one TXT value and serves them as one record', async () => {
    // Prepare
    const zone = server.addZone('example.test');

    // Act
    await change(zone.id, txt('CREATE', 'multi.example.test', ['"part one" "part \\"two\\""', '"single"']));

    // Assess
    const records = await resolver().resolveTxt('multi.example.test');
    expect(records.sort()).toEqual([['part one', 'part "two"'], ['single']]);
  });
});

describe('changes and propagation', () => {
  it('goes PENDING then INSYNC, and DNS shows the value only once INSYNC', async () => {
    // Prepare
    const zone = server.addZone('example.test');
    server.setPendingPolls(2);

    // Act
    const submitted = await change(zone.id, txt('CREATE', '_acme-challenge.example.test', ['"token"']));
    const observed: [string | undefined, string[] | string][] = [];
    for (let poll = 0; poll < 3; poll++) {
      const status = (await client.send(new GetChangeCommand({ Id: submitted.ChangeInfo?.Id }))).ChangeInfo?.Status;
      observed.push([status, await txtOverDns('_acme-challenge.example.test')]);
    }

    // Assess
    expect(submitted.ChangeInfo).toMatchObject({ Id: expect.stringMatching(/^\/change\/C[A-Z0-9]+$/), Status: 'PENDING', SubmittedAt: expect.any(Date) });
    expect(observed).toEqual([
      ['PENDING', 'ENOTFOUND'],
      ['PENDING', 'ENOTFOUND'],
      ['INSYNC', ['token']],
    ]);
    expect(server.recordSets(zone.id).find((set) => set.type === 'TXT')?.values).toEqual(['"token"']);
  });

  it('answers INSYNC at once when no pending polls are configured', async () => {
    // Prepare
    const zone = server.addZone('example.test');

    // Act
    const submitted = await change(zone.id, txt('CREATE', 'now.example.test', ['"v"']));

    // Assess
    expect(submitted.ChangeInfo?.Status).toBe('INSYNC');
    expect(await txtOverDns('now.example.test')).toEqual(['v']);
  });

  it('surfaces injected faults with their AWS error names, changing nothing', async () => {
    // Prepare
    const zone = server.addZone('example.test', { id: 'ZFAULTS' });
    server.injectFaults('ChangeResourceRecordSets', ['Throttling', 'AccessDenied', 'PriorRequestNotComplete', 'InternalFailure', 'InvalidChangeBatch']);

    // Act
    const errors = [];
    for (let attempt = 0; attempt < 5; attempt++) errors.push(await failure(change(zone.id, txt('CREATE', 'x.example.test', ['"v"']))));
    await change(zone.id, txt('CREATE', 'x.example.test', ['"v"']));

    // Assess
    expect(errors.map((error) => [error.name, error.$metadata?.httpStatusCode])).toEqual([
      ['Throttling', 400],
      ['AccessDenied', 403],
      ['PriorRequestNotComplete', 400],
      ['InternalFailure', 500],
      ['InvalidChangeBatch', 400],
    ]);
    expect(errors[0]?.message).toBe('Rate exceeded');
    expect(errors[1]?.message).toContain('route53:ChangeResourceRecordSets on resource: arn:aws:route53:::hostedzone/ZFAULTS');
    expect(server.calls.map((call) => call.status)).toEqual([400, 403, 400, 500, 400, 200]);
    expect(server.calls[0]).toEqual({
      action: 'ChangeResourceRecordSets',
      zoneId: 'ZFAULTS',
      changes: [{ action: 'CREATE', name: 'x.example.test', type: 'TXT', values: ['"v"'], ttl: 60 }],
      status: 400,
    });
  });
});

describe('authoritative DNS', () => {
  it('follows a CNAME into another zone and returns the target TXT with AA set', async () => {
    // Prepare
    const customer = server.addZone('customer.test');
    const delegated = server.addZone('acme.delegate.test');
    server.seed(customer.id, { name: '_acme-challenge.customer.test.', type: 'CNAME', ttl: 300, values: ['_acme-challenge.acme.delegate.test'] });
    await change(delegated.id, txt('CREATE', '_acme-challenge.acme.delegate.test', ['"validation"']));

    // Act
    const viaNode = await txtOverDns('_acme-challenge.customer.test');
    const viaDns2 = await dns2Client()('_acme-challenge.customer.test', 'TXT');

    // Assess
    expect(viaNode).toEqual(['validation']);
    expect(viaDns2.header).toMatchObject({ aa: 1, rcode: 0 });
    expect(viaDns2.answers.map((answer) => [answer.name, answer.type, answer.domain ?? answer.data])).toEqual([
      ['_acme-challenge.customer.test', dns2.Packet.TYPE.CNAME, '_acme-challenge.acme.delegate.test'],
      ['_acme-challenge.acme.delegate.test', dns2.Packet.TYPE.TXT, ['validation']],
    ]);
  });

  it('answers NODATA for CAA, NXDOMAIN inside zones and REFUSED outside them', async () => {
    // Prepare
    const zone = server.addZone('example.test');
    await change(zone.id, txt('CREATE', '_acme-challenge.www.example.test', ['"v"']));
    const query = dns2Client();

    // Act
    const caaInZone = await query('www.example.test', 'CAA');
    const caaOutside = await query('elsewhere.invalid', 'CAA');
    const emptyNonTerminal = await query('www.example.test', 'TXT');
    const missing = await query('nope.example.test', 'TXT');
    const outside = await query('elsewhere.invalid', 'TXT');

    // Assess
    expect([caaInZone, caaOutside, emptyNonTerminal].map((packet) => [packet.header.rcode, packet.answers.length])).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
    expect(missing.header).toMatchObject({ rcode: 3, aa: 1 });
    expect(missing.authorities[0]).toMatchObject({ type: dns2.Packet.TYPE.SOA, name: 'example.test' });
    expect(outside.header.rcode).toBe(5);
    await expect(resolver().resolveCaa('www.example.test')).rejects.toMatchObject({ code: 'ENODATA' });
  });

  it('serves public zones only, preferring the public zone when a private one shares its name', async () => {
    // Prepare
    const privateZone = server.addZone('example.test', { private: true });
    const publicZone = server.addZone('example.test');
    const hidden = server.addZone('internal.test', { private: true });
    server.seed(privateZone.id, { name: 'x.example.test', type: 'TXT', ttl: 60, values: ['"private"'] });
    server.seed(publicZone.id, { name: 'x.example.test', type: 'TXT', ttl: 60, values: ['"public"'] });
    server.seed(hidden.id, { name: 'x.internal.test', type: 'TXT', ttl: 60, values: ['"hidden"'] });

    // Act
    const shared = await txtOverDns('x.example.test');
    const privateOnly = await txtOverDns('x.internal.test');

    // Assess
    expect(shared).toEqual(['public']);
    expect(privateOnly).toBe('EREFUSED');
  });
});
