/**
 * DNS-01 in Route 53. One change batch per zone per run; record sets shared with other
 * values are changed by compare-and-swap (see route53-changes.ts); propagation means
 * GetChange says INSYNC *and* every authoritative name server of the zone answers the exact
 * value, asked directly rather than through a caching resolver.
 */
import { Resolver } from 'node:dns/promises';
import { ChangeResourceRecordSetsCommand, GetChangeCommand, ListResourceRecordSetsCommand, type Route53Client } from '@aws-sdk/client-route-53';
import type { Dns01Config } from '../core/dns01-config.js';
import { DnsChangeRejected } from '../core/errors.js';
import type { ChallengeRecord, DnsProvider, Presented, PropagationResult, PropagationTiming } from '../ports/dns-provider.js';
import { type RecordChange, type TxtRecordSet, isConcurrentChange, planAdd, planRemove } from './route53-changes.js';
import { route53Failure } from './route53-errors.js';
import { type ClientFor, type HostedZone, ZoneDirectory, withoutDot } from './route53-zones.js';

export interface Route53DnsOptions {
  readonly dns01?: Dns01Config;
  readonly clientFor: ClientFor;
  readonly ttl?: number;
  readonly timing?: PropagationTiming;
  /** Addresses (`ip` or `ip:port`) of a name server host; by default its A/AAAA records, port 53. */
  readonly nameServerAddresses?: (host: string) => Promise<string[]>;
  /** The CNAME target of a name, if any; by default the system resolver. */
  readonly resolveCname?: (name: string) => Promise<string | undefined>;
  /** Re-reads after a concurrent change, before giving up. */
  readonly maxConflictRetries?: number;
}

/** Route 53 changes usually reach every name server within 60 s. */
export const ROUTE53_TIMING: PropagationTiming = { initialWaitSeconds: 30, intervalSeconds: 10, maxAttempts: 30 };

interface Located extends ChallengeRecord {
  /** Where the TXT record really goes: the record name, or its CNAME target. */
  readonly fqdn: string;
  readonly zone: HostedZone;
}

export class Route53DnsProvider implements DnsProvider {
  readonly timing: PropagationTiming;
  private readonly zones: ZoneDirectory;
  private readonly cnames = new Map<string, Promise<string | undefined>>();

  constructor(private readonly options: Route53DnsOptions) {
    this.timing = options.timing ?? ROUTE53_TIMING;
    this.zones = new ZoneDirectory(options.dns01?.route53 ?? {}, options.clientFor);
  }

  async checkZones(dnsNames: readonly string[]): Promise<void> {
    const names = [...new Set(dnsNames.map((name) => name.replace(/^\*\./, '')))];
    await Promise.all(names.map((dnsName) => this.locate({ dnsName, recordName: `_acme-challenge.${dnsName}`, value: '' })));
  }

  async present(records: readonly ChallengeRecord[]): Promise<Presented> {
    const changeIds = await this.changeEachZone(records, (name, current, values) => planAdd(name, current, values, this.options.ttl ?? 60));
    return { changeIds };
  }

  async cleanUp(records: readonly ChallengeRecord[]): Promise<void> {
    await this.changeEachZone(records, (_name, current, values) => planRemove(current, values));
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
    const missing: string[] = [];
    const pending: ChallengeRecord[] = [];
    for (const record of located) {
      for (const server of record.zone.nameServers) {
        if (!(await this.authoritativeValues(server, record.fqdn)).includes(record.value)) {
          missing.push(`${record.fqdn} at ${server}`);
          pending.push(record);
          break;
        }
      }
    }
    return pending.length === 0 ? { ready: true } : { ready: false, pending, detail: `not yet answered: ${missing.join(', ')}` };
  }

  /** One read-plan-write round per zone, repeated when another writer changed a set meanwhile. */
  private async changeEachZone(
    records: readonly ChallengeRecord[],
    plan: (name: string, current: TxtRecordSet | undefined, values: string[]) => RecordChange[],
  ): Promise<string[]> {
    const byZone = new Map<string, Located[]>();
    for (const record of await this.locateAll(records)) byZone.set(record.zone.id, [...(byZone.get(record.zone.id) ?? []), record]);
    const changeIds: string[] = [];
    for (const located of byZone.values()) {
      const zone = (located[0] as Located).zone;
      const client = this.options.clientFor(zone.access);
      const valuesByName = new Map<string, string[]>();
      for (const record of located) valuesByName.set(record.fqdn, [...(valuesByName.get(record.fqdn) ?? []), record.value]);
      for (let attempt = 0; ; attempt++) {
        const changes: RecordChange[] = [];
        for (const [name, values] of valuesByName) changes.push(...plan(name, await readTxtSet(client, zone.id, name), values));
        if (changes.length === 0) break;
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
          if (answer.ChangeInfo?.Id) changeIds.push(`${answer.ChangeInfo.Id}@${zone.id}`);
          break;
        } catch (error) {
          const message = (error as { message?: string }).message ?? '';
          const conflict = (error as { name?: string }).name === 'InvalidChangeBatch' && isConcurrentChange(message);
          if (!conflict || attempt >= (this.options.maxConflictRetries ?? 5)) throw route53Failure('ChangeResourceRecordSets', error, zone.id);
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 200 * 2 ** attempt));
        }
      }
    }
    return changeIds;
  }

  private locateAll(records: readonly ChallengeRecord[]): Promise<Located[]> {
    return Promise.all(records.map((record) => this.locate(record)));
  }

  private async locate(record: ChallengeRecord): Promise<Located> {
    const target = this.options.dns01?.cnameStrategy === 'Follow' ? await this.cnameTarget(record.recordName) : undefined;
    const fqdn = target ?? record.recordName.toLowerCase();
    return { ...record, fqdn, zone: await this.zones.zoneFor(fqdn, target !== undefined) };
  }

  /** Follows a chain of CNAMEs from the challenge name (bounded, loops refused). */
  private cnameTarget(name: string): Promise<string | undefined> {
    let target = this.cnames.get(name);
    if (!target) {
      target = (async () => {
        const resolve = this.options.resolveCname ?? systemCname;
        let current = name.toLowerCase();
        for (let hop = 0; hop < 8; hop++) {
          const next = await resolve(current);
          if (!next) return current === name.toLowerCase() ? undefined : current;
          current = withoutDot(next);
        }
        throw new DnsChangeRejected(`following CNAMEs from ${name} took more than 8 hops`);
      })();
      this.cnames.set(name, target);
    }
    return target;
  }

  private async authoritativeValues(server: string, fqdn: string): Promise<string[]> {
    const addresses = await (this.options.nameServerAddresses ?? systemAddresses)(server);
    for (const address of addresses) {
      const resolver = new Resolver({ timeout: 2000, tries: 1 });
      resolver.setServers([address]);
      try {
        return (await resolver.resolveTxt(fqdn)).map((chunks) => chunks.join(''));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENODATA' || code === 'ENOTFOUND') return [];
      }
    }
    return [];
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

async function systemCname(name: string): Promise<string | undefined> {
  try {
    return (await new Resolver().resolveCname(name))[0];
  } catch {
    return undefined;
  }
}

async function systemAddresses(host: string): Promise<string[]> {
  const resolver = new Resolver();
  const [v4, v6] = await Promise.all([resolver.resolve4(host).catch(() => []), resolver.resolve6(host).catch(() => [])]);
  return [...v4, ...v6.map((address) => `[${address}]:53`)];
}
