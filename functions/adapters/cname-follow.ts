/**
 * cnameStrategy "Follow": the TXT value goes to the end of the CNAME chain at
 * `_acme-challenge.<name>` (lego's and cert-manager's behaviour, for names whose challenge is
 * delegated into another zone), is checked and cleaned there, and the CNAME itself is never
 * touched. `cnameTarget` is the one chain follower (the Route 53 provider locates records with
 * it); `followingCnames` wraps a provider that writes where it is told (the local one). Records
 * keep their own name in everything the state machine sees.
 */
import { CnameRequired, DnsChangeRejected } from '../core/errors.js';
import { remembered } from '../core/remembered.js';
import type { ChallengeRecord, DnsProvider, Presented, PropagationResult } from '../ports/dns-provider.js';
import { LiveDns } from './live-dns.js';

/** The CNAME target of a name, or undefined when it has none. */
export type CnameLookup = (name: string) => Promise<string | undefined>;

/** How many CNAMEs in a row are followed before the chain counts as a loop. */
const MAX_HOPS = 8;

export async function cnameTarget(name: string, lookup: CnameLookup): Promise<string> {
  const chain = [name];
  let current = name;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const next = (await lookup(current))?.toLowerCase().replace(/\.$/, '');
    if (!next) return current;
    if (chain.includes(next)) throw new DnsChangeRejected(`the CNAMEs at ${name} go round in a loop (${[...chain, next].join(' -> ')})`);
    chain.push(next);
    current = next;
  }
  throw new DnsChangeRejected(`the CNAMEs at ${name} go on for more than ${MAX_HOPS} names (${chain.join(' -> ')} -> ...)`);
}

/**
 * The end of the CNAME chain at `recordName`, which the configuration says must be `expected`:
 * IAM was granted on that name only, so anything else (no CNAME, or one leading elsewhere) is
 * CnameRequired naming the exact record to create, as lego's ErrCNAMERequired does.
 */
export async function requireCnameTarget(recordName: string, expected: string, lookup: CnameLookup): Promise<string> {
  const name = recordName.toLowerCase().replace(/\.$/, '');
  const wanted = expected.toLowerCase().replace(/\.$/, '');
  const actual = await cnameTarget(name, lookup);
  if (actual === wanted) return actual;
  const now = actual === name ? `${name} has no CNAME yet` : `${name} now leads to ${actual}`;
  throw new CnameRequired(
    `create the record "${name}. CNAME ${wanted}." where ${name.replace(/^_acme-challenge\./, '')} is hosted (${now}), as dns01.route53.cnameTargets says`,
  );
}

export function followingCnames(provider: DnsProvider, lookup: CnameLookup): DnsProvider {
  const targets = new Map<string, Promise<string>>();
  const targetOf = (name: string) => remembered(targets, name, () => cnameTarget(name, lookup));
  const moved = async (records: readonly ChallengeRecord[]) =>
    Promise.all(records.map(async (record) => ({ original: record, moved: { ...record, recordName: await targetOf(record.recordName) } })));
  return {
    timing: provider.timing,
    checkZones: (dnsNames) => provider.checkZones(dnsNames),
    present: async (records): Promise<Presented> => provider.present((await moved(records)).map((pair) => pair.moved)),
    cleanUp: async (records) => provider.cleanUp((await moved(records)).map((pair) => pair.moved)),
    isPropagated: async (records, presented): Promise<PropagationResult> => {
      const pairs = await moved(records);
      const result = await provider.isPropagated(
        pairs.map((pair) => pair.moved),
        presented,
      );
      if (result.ready) return result;
      const pending = pairs.filter((pair) => result.pending.some((record) => record.recordName === pair.moved.recordName && record.value === pair.moved.value));
      return { ...result, pending: pending.map((pair) => pair.original) };
    },
  };
}

/** CNAME lookups through these DNS servers (`host:port`), or the system's when none; a name without a CNAME has no target. */
export function resolverCnameLookup(servers: readonly string[]): CnameLookup {
  const live = new LiveDns({ resolvers: servers });
  return (name) => live.cname(name);
}
