/**
 * An authoritative name server for the public zones' published records, so a DNS-01
 * validator (Pebble's -dnsserver, or node:dns with setServers) sees exactly what Route 53's
 * name servers would: nothing until a change is INSYNC.
 */
import type { AddressInfo, Socket } from 'node:net';
import dns2 from 'dns2';
import { isWithin, normalizeName } from './names.js';
import type { TestRecordSet, TestZone } from './store.js';
import { parseTxtValue } from './txt.js';

const { Packet } = dns2;
type Resource = dns2.Packet.Resource;

export interface PublishedZone {
  zone: TestZone;
  records: TestRecordSet[];
}

export interface RunningDns {
  host: string;
  port: number;
  stop(): Promise<void>;
}

const MAX_CNAME_CHAIN = 8;
/** RFC 1035 §4.1.1 response codes; dns2's typings leave its own table out. */
const RCODE = { NOERROR: 0, FORMERR: 1, NXDOMAIN: 3, REFUSED: 5 } as const;

interface Lookup {
  rcode: number;
  answers: Resource[];
  /** Zone whose SOA goes in the authority section of a negative answer. */
  negativeZone?: PublishedZone;
}

/** The most specific zone containing the name, as a server holding all of them would pick. */
function zoneFor(zones: PublishedZone[], name: string): PublishedZone | undefined {
  return zones.filter((candidate) => isWithin(name, candidate.zone.name)).sort((left, right) => right.zone.name.length - left.zone.name.length)[0];
}

function toResources(owner: string, set: TestRecordSet): Resource[] {
  const base = { name: owner, type: Packet.TYPE.A as number, class: Packet.CLASS.IN as number, ttl: set.ttl };
  return set.values.flatMap((value): Resource[] => {
    switch (set.type) {
      case 'A':
        return [new Packet.Resource({ ...base, address: value })];
      case 'AAAA':
        return [new Packet.Resource({ ...base, type: Packet.TYPE.AAAA, address: value })];
      case 'CNAME':
        return [new Packet.Resource({ ...base, type: Packet.TYPE.CNAME, domain: normalizeName(value) })];
      case 'NS':
        return [new Packet.Resource({ ...base, type: Packet.TYPE.NS, ns: normalizeName(value) })];
      case 'TXT': {
        const parsed = parseTxtValue(value);
        // dns2 writes Buffers byte for byte, which keeps \ddd escapes exact.
        const data = ('strings' in parsed ? parsed.strings : [Buffer.from(value)]) as unknown as string[];
        return [new Packet.Resource({ ...base, type: Packet.TYPE.TXT, data })];
      }
      case 'SOA': {
        const [primary = '', admin = '', ...numbers] = value.trim().split(/\s+/);
        const [serial = 1, refresh = 7200, retry = 900, expiration = 1209600, minimum = 86400] = numbers.map(Number);
        return [new Packet.Resource({ ...base, type: Packet.TYPE.SOA, primary, admin, serial, refresh, retry, expiration, minimum })];
      }
      default:
        // Types dns2 cannot encode are left out, which reads as NODATA to the asker.
        return [];
    }
  });
}

function lookup(zones: PublishedZone[], zone: PublishedZone, name: string, owner: string, qtype: number, depth: number): Lookup {
  const atName = zone.records.filter((set) => set.name === name);
  if (atName.length === 0) {
    // A name with descendants exists even without records of its own (an empty non-terminal).
    const hasDescendants = zone.records.some((set) => set.name.endsWith(`.${name}`));
    return { rcode: hasDescendants ? RCODE.NOERROR : RCODE.NXDOMAIN, answers: [], negativeZone: zone };
  }
  const cname = atName.find((set) => set.type === 'CNAME');
  if (cname && qtype !== Packet.TYPE.CNAME) {
    const answers = toResources(owner, cname);
    const target = normalizeName(cname.values[0] ?? '');
    const targetZone = zoneFor(zones, target);
    if (!targetZone || depth >= MAX_CNAME_CHAIN) return { rcode: RCODE.NOERROR, answers };
    const chased = lookup(zones, targetZone, target, target, qtype, depth + 1);
    return { ...chased, answers: [...answers, ...chased.answers] };
  }
  const matching = atName.filter((set) => qtype === Packet.TYPE.ANY || Packet.TYPE[set.type as keyof typeof Packet.TYPE] === qtype);
  const answers = matching.flatMap((set) => toResources(owner, set));
  return answers.length > 0 ? { rcode: RCODE.NOERROR, answers } : { rcode: RCODE.NOERROR, answers, negativeZone: zone };
}

export function answer(zones: PublishedZone[], request: dns2.Packet): dns2.Packet {
  const response = Packet.createResponseFromRequest(request);
  const question = request.questions[0];
  if (!question) {
    response.header.rcode = RCODE.FORMERR;
    return response;
  }
  const name = normalizeName(question.name);
  const zone = zoneFor(zones, name);
  // Pebble asks for CAA before issuing; no zone here publishes CAA, so say so everywhere.
  if (question.type === Packet.TYPE.CAA) {
    response.header.aa = zone ? 1 : 0;
    return response;
  }
  if (!zone) {
    response.header.rcode = RCODE.REFUSED;
    return response;
  }
  const result = lookup(zones, zone, name, question.name, question.type, 0);
  response.header.aa = 1;
  response.header.rcode = result.rcode;
  response.answers = result.answers;
  const soa = result.negativeZone?.records.find((set) => set.type === 'SOA' && set.name === result.negativeZone?.zone.name);
  if (soa && result.answers.length === 0) {
    // RFC 2308: negative answers carry the SOA, with its minimum as the negative TTL.
    const [resource] = toResources(soa.name, soa);
    if (resource) {
      resource.ttl = Math.min(soa.ttl, resource.minimum ?? soa.ttl);
      response.authorities = [resource];
    }
  }
  return response;
}

/**
 * Listens on UDP (what Pebble and node:dns use) and, on the same port, TCP, so a client
 * retrying a truncated answer does not hang; a few attempts cover the TCP port being taken.
 */
export async function startDnsServer(zones: () => PublishedZone[], host = '127.0.0.1'): Promise<RunningDns> {
  const handle: dns2.DnsHandler = (request, send) => {
    void send(answer(zones(), request)).catch(() => undefined);
  };
  for (let attempt = 1; ; attempt++) {
    const udp = dns2.createUDPServer(handle);
    await udp.listen(0, host);
    const port = udp.address().port;
    const tcp = dns2.createTCPServer(handle);
    const sockets = new Set<Socket>();
    tcp.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    const bound = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, host, () => resolve(true));
    });
    if (!bound) {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      if (attempt >= 5) throw new Error('could not bind the DNS server on matching UDP and TCP ports');
      continue;
    }
    return {
      host,
      port: (tcp.address() as AddressInfo).port,
      stop: async () => {
        for (const socket of sockets) socket.destroy();
        await Promise.all([new Promise<void>((resolve) => udp.close(() => resolve())), new Promise<void>((resolve) => tcp.close(() => resolve()))]);
      },
    };
  }
}
