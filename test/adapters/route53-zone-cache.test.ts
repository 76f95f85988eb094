/**
 * Hosted zone details outlive one invocation (issue 18): a warm container's providers share
 * them through their Route 53 client, and drop them when Route 53 says the zone is gone.
 */
import {
  ChangeResourceRecordSetsCommand,
  GetHostedZoneCommand,
  ListResourceRecordSetsCommand,
  NoSuchHostedZone,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { Route53DnsProvider } from '../../functions/adapters/route53-dns.js';
import { challengeRecord } from '../support/route53/provider.js';

function container() {
  const client = new Route53Client({ region: 'us-east-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } });
  const route53 = mockClient(client);
  route53.on(GetHostedZoneCommand).resolves({
    HostedZone: { Id: '/hostedzone/ZCACHED', Name: 'example.test.', CallerReference: 'x', Config: { PrivateZone: false } },
    DelegationSet: { NameServers: ['ns1.example.test'] },
  });
  route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 1 });
  route53.on(ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date() } });
  // A new provider per invocation and one client per container, as runtime/dns.ts builds them.
  const invocation = () => new Route53DnsProvider({ dns01: { route53: { hostedZoneId: 'ZCACHED' } }, clientFor: () => client });
  return { route53, invocation, described: () => route53.commandCalls(GetHostedZoneCommand).length };
}

describe('hosted zone details', () => {
  it('are described once for every invocation of a warm container', async () => {
    const { invocation, described } = container();

    await invocation().checkZones(['www.example.test']);
    await invocation().present([challengeRecord('www.example.test', 'one')]);
    await invocation().cleanUp([challengeRecord('www.example.test', 'one')]);

    expect(described()).toBe(1);
  });

  it('are not shared with another container (another client)', async () => {
    const first = container();
    const second = container();

    await first.invocation().checkZones(['www.example.test']);
    await second.invocation().checkZones(['www.example.test']);

    expect([first.described(), second.described()]).toEqual([1, 1]);
  });

  it('are described again once Route 53 said the zone is gone', async () => {
    const { route53, invocation, described } = container();
    await invocation().checkZones(['www.example.test']);
    route53.on(ChangeResourceRecordSetsCommand).rejectsOnce(new NoSuchHostedZone({ message: 'No hosted zone found with ID: ZCACHED', $metadata: {} }));

    const failure = await invocation()
      .present([challengeRecord('www.example.test', 'one')])
      .catch((error: unknown) => error);
    await invocation().checkZones(['www.example.test']);

    expect(failure).toMatchObject({ name: 'ZoneNotFound' });
    expect(described()).toBe(2);
  });
});
