/**
 * moto_server keeps Route 53 record sets but serves no DNS, and its hosted zones name servers
 * that do not resolve. This answers DNS queries from what moto holds now (moto's changes are
 * INSYNC at once), so the Route 53 provider's resolver check can run against moto: TXT values,
 * and a CNAME at the name, followed, as a recursive resolver would. Public zones only, as the CA sees.
 */
import { type ListHostedZonesCommandOutput, ListHostedZonesCommand, ListResourceRecordSetsCommand, type Route53Client } from '@aws-sdk/client-route-53';
import dns2 from 'dns2';
import { unquoteTxt } from '../../functions/adapters/route53-changes.js';
import { withoutDot } from '../../functions/adapters/route53-zones.js';

const { Packet } = dns2;
const REFUSED = 5;
const MAX_CNAME_CHAIN = 8;

export interface MotoDns {
  /** `host:port`, for dns01.propagation.resolvers or a Resolver's setServers. */
  readonly address: string;
  stop(): Promise<void>;
}

export async function startMotoDns(route53: () => Route53Client): Promise<MotoDns> {
  const server = dns2.createUDPServer((request, send) => {
    void answer(route53(), request)
      .then(send)
      .catch(() => undefined);
  });
  await server.listen(0, '127.0.0.1');
  return {
    address: `127.0.0.1:${server.address().port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type Zone = NonNullable<ListHostedZonesCommandOutput['HostedZones']>[number];

async function answer(route53: Route53Client, request: dns2.Packet): Promise<dns2.Packet> {
  const response = Packet.createResponseFromRequest(request);
  const [question] = request.questions;
  if (!question) return response;
  const zones = ((await route53.send(new ListHostedZonesCommand({}))).HostedZones ?? []).filter((zone) => zone.Config?.PrivateZone !== true);
  let name = withoutDot(question.name);
  if (!zoneOf(zones, name)) {
    response.header.rcode = REFUSED;
    return response;
  }
  response.header.aa = 1;
  for (let hop = 0; hop < MAX_CNAME_CHAIN; hop++) {
    const zone = zoneOf(zones, name);
    if (!zone) break;
    const sets = await setsAt(route53, zone, name);
    const cname = sets.find((set) => set.Type === 'CNAME')?.ResourceRecords?.[0]?.Value;
    if (cname) {
      response.answers.push(new Packet.Resource({ name, type: Packet.TYPE.CNAME, class: Packet.CLASS.IN, ttl: 60, domain: withoutDot(cname) }));
      if (question.type === Packet.TYPE.CNAME) break;
      name = withoutDot(cname);
      continue;
    }
    if (question.type === Packet.TYPE.TXT) {
      for (const set of sets.filter((candidate) => candidate.Type === 'TXT')) {
        for (const value of set.ResourceRecords ?? []) {
          response.answers.push(
            new Packet.Resource({ name, type: Packet.TYPE.TXT, class: Packet.CLASS.IN, ttl: set.TTL ?? 60, data: unquoteTxt(value.Value ?? '') }),
          );
        }
      }
    }
    break;
  }
  return response;
}

function zoneOf(zones: Zone[], name: string): Zone | undefined {
  return zones
    .filter((zone) => name === withoutDot(zone.Name ?? '') || name.endsWith(`.${withoutDot(zone.Name ?? '')}`))
    .sort((a, b) => (b.Name ?? '').length - (a.Name ?? '').length)[0];
}

async function setsAt(route53: Route53Client, zone: Zone, name: string) {
  const listed = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone.Id, StartRecordName: `${name}.`, MaxItems: 20 }));
  return (listed.ResourceRecordSets ?? []).filter((set) => withoutDot(set.Name ?? '') === name);
}
