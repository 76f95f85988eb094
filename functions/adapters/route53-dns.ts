/**
 * DNS-01 in Route 53. One change batch per zone per run; record sets shared with other
 * values are changed by compare-and-swap (see route53-changes.ts); propagation means
 * GetChange says INSYNC *and* every name server that live DNS delegates the name to answers
 * the exact value, asked directly rather than through a caching resolver (or, as configured
 * in dns01.propagation, the resolvers answer it, or INSYNC alone).
 */
import { ChangeResourceRecordSetsCommand, GetChangeCommand, ListResourceRecordSetsCommand, type Route53Client } from '@aws-sdk/client-route-53';
import { type Dns01Config, configuredCnameTarget } from '../core/dns01-config.js';
import { CnameRequired, DnsChangeRejected, ZoneNotFound } from '../core/errors.js';
import type { ChallengeRecord, DnsProvider, Presented, PropagationResult, PropagationTiming } from '../ports/dns-provider.js';
import { remembered } from '../core/remembered.js';
import { cnameTarget, requireCnameTarget } from './cname-follow.js';
import { LiveDns, LookupFailure, type ZoneCut } from './live-dns.js';
import { propagationTiming } from './propagation-timing.js';
import { type RecordChange, type TxtRecordSet, isConcurrentChange, planAdd, planRemove } from './route53-changes.js';
import { route53Failure } from './route53-errors.js';
import { type ClientFor, type HostedZone, ZoneDirectory, type ZoneRef, withoutDot } from './route53-zones.js';

export interface Route53DnsOptions {
  readonly dns01?: Dns01Config;
  readonly clientFor: ClientFor;
  readonly ttl?: number;
  readonly timing?: PropagationTiming;
  /** The port name servers are asked on (53); test name servers listen elsewhere. */
  readonly nameServerPort?: number;
  /** Addresses (`ip` or `ip:port`) of a name server host; by default its A/AAAA records through the resolvers. */
  readonly nameServerAddresses?: (host: string) => Promise<string[]>;
  /** Re-reads after a concurrent change, before giving up. */
  readonly maxConflictRetries?: number;
}

/** Route 53 changes usually reach every name server within 60 s. */
export const ROUTE53_TIMING: PropagationTiming = { initialWaitSeconds: 30, intervalSeconds: 10, maxAttempts: 30 };

interface Located extends ChallengeRecord {
  /** Where the TXT record really goes: the record name, or its CNAME target. */
  readonly fqdn: string;
  /** By id: checkZones (the first state) has checked what the zone is; route53-zones.ts says why that is enough. */
  readonly zone: ZoneRef;
}

export class Route53DnsProvider implements DnsProvider {
  readonly timing: PropagationTiming;
  private readonly zones: ZoneDirectory;
  private readonly cnames = new Map<string, Promise<string>>();
  private readonly live: LiveDns;

  constructor(private readonly options: Route53DnsOptions) {
    this.timing = propagationTiming(options.timing ?? ROUTE53_TIMING, options.dns01?.propagation);
    this.zones = new ZoneDirectory(options.dns01?.route53 ?? {}, options.clientFor);
    const resolvers = options.dns01?.propagation?.resolvers;
    this.live = new LiveDns({
      ...(resolvers && { resolvers }),
      ...(options.nameServerPort !== undefined && { nameServerPort: options.nameServerPort }),
      ...(options.nameServerAddresses && { nameServerAddresses: options.nameServerAddresses }),
    });
  }

  /**
   * Also refuses private zones (unless route53.privateZone): no public CA can see them, and a
   * failed validation counts against the CA's limits. With Follow, every CNAME that
   * cnameTargets names must be in place: all the missing ones are listed at once.
   */
  async checkZones(dnsNames: readonly string[]): Promise<void> {
    const names = [...new Set(dnsNames.map((name) => name.replace(/^\*\./, '')))];
    const settled = await Promise.allSettled(
      names.map(async (dnsName) => {
        const record = await this.locate({ dnsName, recordName: `_acme-challenge.${dnsName}`, value: '' });
        return { ...record, zone: await this.zones.verified(record.zone, record.fqdn) };
      }),
    );
    const failures = settled.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
    const cnames = failures.filter((failure): failure is CnameRequired => failure instanceof CnameRequired);
    if (cnames.length > 1 && cnames.length === failures.length) throw new CnameRequired(cnames.map((failure) => failure.message).join('; '));
    if (failures.length > 0) throw failures[0];
    const located = settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    const hidden = located.find((record) => record.zone.private);
    if (hidden && this.options.dns01?.route53?.privateZone !== true) {
      throw new ZoneNotFound(
        `hosted zone ${hidden.zone.id} (${hidden.zone.name}) for ${hidden.fqdn} is private: no public CA can see its records; ` +
          'use a public hosted zone, or set certificate.dns01.route53.privateZone only for a CA that resolves inside the VPC',
      );
    }
  }

  async present(records: readonly ChallengeRecord[]): Promise<Presented> {
    const changeIds = await this.changeEachZone(records, (name, current, values) => planAdd(name, current, values, this.options.ttl ?? 60));
    return { changeIds };
  }

  /** Where cnameTargets names the target, cleaned there without a lookup: a CNAME changed mid-run must not strand the value. */
  async cleanUp(records: readonly ChallengeRecord[]): Promise<void> {
    await this.changeEachZone(records, (_name, current, values) => planRemove(current, values), false);
  }

  async isPropagated(records: readonly ChallengeRecord[], presented: Presented): Promise<PropagationResult> {
    const located = await this.locateAll(records);
    for (const token of presented.changeIds) {
      // Tokens are `<change id>@<zone id>`: a change can only be read with its zone's account.
      const [changeId = token, zoneId] = token.split('@');
      const zone = located.find((record) => record.zone.id === zoneId)?.zone;
      const client = this.options.clientFor(zone?.access ?? {});
      const answer = await client.send(new GetChangeCommand({ Id: changeId })).catch((error: unknown) => {
        throw route53Failure('GetChange', error);
      });
      if (answer.ChangeInfo?.Status !== 'INSYNC') {
        return { ready: false, pending: records, detail: `Route 53 change ${changeId} is ${answer.ChangeInfo?.Status ?? 'unknown'}` };
      }
    }
    const check = this.options.dns01?.propagation?.check ?? 'authoritative';
    if (check === 'none') return { ready: true };
    const seen = await Promise.all(located.map((record) => (check === 'resolvers' ? this.seenByResolvers(record) : this.seenByNameServers(record))));
    const pending = located.filter((_, index) => !seen[index]?.visible).map(({ dnsName, recordName, value }) => ({ dnsName, recordName, value }));
    if (pending.length === 0) return { ready: true };
    const missing = [...new Set(seen.flatMap((look) => look.missingAt))];
    const unreachable = [...new Set(seen.flatMap((look) => look.unreachable))];
    const notes = [...new Set(seen.flatMap((look) => look.notes))];
    const detail = [
      missing.length > 0 && `not yet answered: ${missing.join(', ')}`,
      unreachable.length > 0 && `could not ask: ${unreachable.join(', ')}`,
      ...notes,
    ].filter(Boolean);
    return { ready: false, pending, detail: detail.join('; '), ...(unreachable.length > 0 && { unreachable }) };
  }

  /** Every name server of the live zone cut must answer the value, as any of them may be the one the CA asks. */
  private async seenByNameServers(record: Located): Promise<Look> {
    let cut: ZoneCut;
    try {
      cut = await this.live.zoneCut(record.fqdn);
    } catch (error) {
      return { visible: false, missingAt: [], unreachable: [describeFailure(error)], notes: [] };
    }
    const answers = await Promise.all(
      cut.nameServers.map((server) =>
        this.live.txtAt(server, record.fqdn).then(
          (values) => ({ server, values }),
          (error: unknown) => ({ server, failure: describeFailure(error) }),
        ),
      ),
    );
    const missingAt = answers
      .filter((answer) => 'values' in answer && !answer.values.includes(record.value))
      .map((answer) => `${record.fqdn} at ${answer.server}`);
    const unreachable = answers.flatMap((answer) => ('failure' in answer ? [answer.failure] : []));
    const visible = missingAt.length === 0 && unreachable.length === 0;
    return { visible, missingAt, unreachable, notes: visible ? [] : delegationNotes(record, cut, await this.zones.describe(record.zone)) };
  }

  private async seenByResolvers(record: Located): Promise<Look> {
    try {
      const visible = (await this.live.txtViaResolvers(record.fqdn)).includes(record.value);
      return { visible, missingAt: visible ? [] : [`${record.fqdn} at ${this.live.resolverName}`], unreachable: [], notes: [] };
    } catch (error) {
      return { visible: false, missingAt: [], unreachable: [describeFailure(error)], notes: [] };
    }
  }

  /** One read-plan-write round per zone, repeated when another writer changed a set meanwhile. */
  private async changeEachZone(
    records: readonly ChallengeRecord[],
    plan: (name: string, current: TxtRecordSet | undefined, values: string[]) => RecordChange[],
    verifyCnames = true,
  ): Promise<string[]> {
    const byZone = new Map<string, Located[]>();
    for (const record of await this.locateAll(records, verifyCnames)) byZone.set(record.zone.id, [...(byZone.get(record.zone.id) ?? []), record]);
    const changeIds: string[] = [];
    for (const located of byZone.values()) {
      const zone = (located[0] as Located).zone;
      const changeId = await this.changeZone(zone, located, plan).catch((error: unknown) => {
        // The cached details of a zone Route 53 no longer has must not outlive this answer.
        if (error instanceof ZoneNotFound) this.zones.forget(zone);
        throw error;
      });
      if (changeId) changeIds.push(changeId);
    }
    return changeIds;
  }

  /** One zone's read-plan-write round; the change id token, or undefined when nothing had to change. */
  private async changeZone(
    zone: ZoneRef,
    located: readonly Located[],
    plan: (name: string, current: TxtRecordSet | undefined, values: string[]) => RecordChange[],
  ): Promise<string | undefined> {
    const client = this.options.clientFor(zone.access);
    const valuesByName = new Map<string, string[]>();
    for (const record of located) valuesByName.set(record.fqdn, [...(valuesByName.get(record.fqdn) ?? []), record.value]);
    for (let attempt = 0; ; attempt++) {
      const changes: RecordChange[] = [];
      for (const [name, values] of valuesByName) changes.push(...plan(name, await readTxtSet(client, zone.id, name), values));
      if (changes.length === 0) return undefined;
      try {
        const answer = await client.send(
          new ChangeResourceRecordSetsCommand({
            HostedZoneId: zone.id,
            ChangeBatch: {
              Comment: 'certstep DNS-01',
              Changes: changes.map(({ action, set }) => ({
                Action: action,
                ResourceRecordSet: { Name: `${set.name}.`, Type: 'TXT', TTL: set.ttl, ResourceRecords: set.values.map((Value) => ({ Value })) },
              })),
            },
          }),
        );
        return answer.ChangeInfo?.Id ? `${answer.ChangeInfo.Id}@${zone.id}` : undefined;
      } catch (error) {
        const message = (error as { message?: string }).message ?? '';
        const conflict = (error as { name?: string }).name === 'InvalidChangeBatch' && isConcurrentChange(message);
        if (!conflict || attempt >= (this.options.maxConflictRetries ?? 5)) throw route53Failure('ChangeResourceRecordSets', error, zone.id);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 200 * 2 ** attempt));
      }
    }
  }

  private locateAll(records: readonly ChallengeRecord[], verifyCnames = true): Promise<Located[]> {
    return Promise.all(records.map((record) => this.locate(record, verifyCnames)));
  }

  private async locate(record: ChallengeRecord, verifyCnames = true): Promise<Located> {
    const name = record.recordName.toLowerCase();
    const fqdn = this.options.dns01?.cnameStrategy === 'Follow' ? await this.followed(record.dnsName, name, verifyCnames) : name;
    return { ...record, fqdn, zone: await this.zones.refFor(fqdn, fqdn !== name) };
  }

  /** The end of the CNAME chain at `name`; where cnameTargets names it, live DNS must agree (unless only cleaning up). */
  private followed(dnsName: string, name: string, verify: boolean): Promise<string> {
    const expected = configuredCnameTarget(this.options.dns01?.route53, dnsName);
    if (expected !== undefined && !verify) return Promise.resolve(expected);
    const lookup = (current: string) => this.live.cname(current);
    return remembered(this.cnames, name, () => (expected === undefined ? cnameTarget(name, lookup) : requireCnameTarget(name, expected, lookup)));
  }
}

async function readTxtSet(client: Route53Client, zoneId: string, name: string): Promise<TxtRecordSet | undefined> {
  const answer = await client
    .send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: `${name}.`, StartRecordType: 'TXT', MaxItems: 10 }))
    .catch((error: unknown) => {
      throw route53Failure('ListResourceRecordSets', error, zoneId);
    });
  const sets = (answer.ResourceRecordSets ?? []).filter((set) => withoutDot(set.Name ?? '') === name && set.Type === 'TXT');
  if (sets.some((set) => set.SetIdentifier !== undefined)) {
    throw new DnsChangeRejected(`${name} has TXT records with a routing policy (SetIdentifier); certstep shares only simple TXT record sets`);
  }
  const set = sets[0];
  if (!set) return undefined;
  return { name, ttl: set.TTL ?? 60, values: (set.ResourceRecords ?? []).map((record) => record.Value ?? '') };
}

/** What one record's check saw. */
interface Look {
  readonly visible: boolean;
  /** `<fqdn> at <server>` where the server answered without the value. */
  readonly missingAt: readonly string[];
  /** `<server> (<cause>)` for each server that could not be asked. */
  readonly unreachable: readonly string[];
  readonly notes: readonly string[];
}

function describeFailure(error: unknown): string {
  if (error instanceof LookupFailure) return error.message;
  throw error;
}

/**
 * Why the servers that count may never see the value: the hosted zone written to is not the
 * one live DNS delegates to (a duplicate, or a zone never delegated). Said, not refused: a
 * reusable delegation set with white-label names looks different and still works.
 */
function delegationNotes(record: Located, cut: ZoneCut, zone: HostedZone): string[] {
  if (cut.zone !== zone.name) {
    return [`live DNS puts ${record.fqdn} in ${cut.zone}, not in hosted zone ${zone.id} (${zone.name}): is ${zone.name} delegated to Route 53?`];
  }
  const route53 = new Set(zone.nameServers.map((server) => withoutDot(server)));
  if (route53.size === 0 || cut.nameServers.some((server) => route53.has(server))) return [];
  return [
    `${cut.zone} is delegated to ${cut.nameServers.join(', ')}, not to the name servers of hosted zone ${zone.id} (${[...route53].join(', ')}): is it a duplicate zone?`,
  ];
}
