/**
 * Which hosted zone holds a challenge record, and with which credentials to change it.
 * A configured hosted zone id is used as is (no listing, which is what keeps large accounts
 * clear of ListHostedZones throttling); otherwise the longest matching zone wins, public
 * ones only unless private zones were asked for, and a public one wins a tie. The listing is
 * cached for one invocation (a zone created meanwhile must be seen by the next one); a zone's
 * details (its name, privacy and name servers, which do not change for the life of a zone id)
 * are cached per Route 53 client, that is per container and set of credentials, for an hour,
 * and dropped as soon as Route 53 says the zone is gone.
 *
 * Only the first state needs the details of a configured zone: it checks that the zone can hold
 * the names and is public (verified), before any order. A zone id names the same zone for its
 * whole life, so the phases after it change records by the id alone (refFor) and ask for the
 * details only to explain a record that is not visible yet: a cold container saves a
 * GetHostedZone, and Route 53 itself refuses a record that does not belong in the zone.
 */
import { GetHostedZoneCommand, ListHostedZonesCommand, type Route53Client } from '@aws-sdk/client-route-53';
import { type Route53SolverConfig, type Route53ZoneConfig, zoneSettingsFor } from '../core/dns01-config.js';
import { ZoneNotFound } from '../core/errors.js';
import { route53Failure } from './route53-errors.js';
import { ExpiringCache } from '../core/expiring-cache.js';
import { remembered } from '../core/remembered.js';

export interface HostedZone {
  readonly id: string;
  /** Without the trailing dot, lowercase. */
  readonly name: string;
  readonly private: boolean;
  readonly nameServers: readonly string[];
  /** Credentials to change this zone with. */
  readonly access: Pick<Route53ZoneConfig, 'role' | 'externalId'>;
}

export type ClientFor = (access: Pick<Route53ZoneConfig, 'role' | 'externalId'>) => Route53Client;

interface ListedZone {
  readonly id: string;
  readonly name: string;
  readonly private: boolean;
}

type ZoneDetails = Omit<HostedZone, 'access'>;

/** A hosted zone by id, with the credentials to change it: all a change or a GetChange needs. */
export type ZoneRef = Pick<HostedZone, 'id' | 'access'>;

/** The hosted zones a container changes are few; the bound only keeps a long-lived one from growing. */
const ZONE_DETAILS = { maxEntries: 64, ttlMs: 60 * 60_000 };
const detailsByClient = new WeakMap<Route53Client, ExpiringCache<string, ZoneDetails>>();

function detailsOf(client: Route53Client): ExpiringCache<string, ZoneDetails> {
  let cache = detailsByClient.get(client);
  if (!cache) {
    cache = new ExpiringCache(ZONE_DETAILS);
    detailsByClient.set(client, cache);
  }
  return cache;
}

export class ZoneDirectory {
  private listed = new Map<string, Promise<ListedZone[]>>();

  constructor(
    private readonly config: Route53SolverConfig,
    private readonly clientFor: ClientFor,
  ) {}

  /** The zone's details, checked to be a zone that can hold `recordName`: what the first state asks of each zone. */
  async verified(ref: ZoneRef, recordName: string): Promise<HostedZone> {
    const name = recordName.toLowerCase();
    const zone = await this.describe(ref);
    if (name !== zone.name && !name.endsWith(`.${zone.name}`)) {
      throw new ZoneNotFound(`hosted zone ${zone.id} (${zone.name}) cannot hold ${name}; check certificate.dns01.route53`);
    }
    return zone;
  }

  /**
   * The zone for `recordName` (e.g. `_acme-challenge.www.example.com`), without asking for a
   * configured zone's details. `redirected` is true when a CNAME moved the record away from the
   * name, so a certificate-wide zone id no longer applies.
   */
  async refFor(recordName: string, redirected: boolean): Promise<ZoneRef> {
    const name = recordName.toLowerCase();
    const { hostedZoneId: configuredId, ...access } = zoneSettingsFor(this.config, name, redirected);
    if (configuredId) return { id: configuredId, access };
    const candidates = (await this.list(access))
      .filter((zone) => name === zone.name || name.endsWith(`.${zone.name}`))
      .filter((zone) => this.config.privateZone === true || !zone.private)
      // Longest name first; on a tie the public zone wins, as the CA can only see that one.
      .sort((a, b) => b.name.length - a.name.length || Number(a.private) - Number(b.private));
    const best = candidates[0];
    if (!best) {
      const kind = this.config.privateZone ? 'hosted zone' : 'public hosted zone';
      throw new ZoneNotFound(
        `no ${kind} in the account${access.role ? ` of ${access.role}` : ''} can hold ${name}; create one or set certificate.dns01.route53.hostedZoneId`,
      );
    }
    return { id: best.id, access };
  }

  private list(access: HostedZone['access']): Promise<ListedZone[]> {
    const key = `${access.role ?? ''}|${access.externalId ?? ''}`;
    return remembered(this.listed, key, () => this.listAll(access));
  }

  private async listAll(access: HostedZone['access']): Promise<ListedZone[]> {
    const client = this.clientFor(access);
    const zones: ListedZone[] = [];
    let marker: string | undefined;
    do {
      const page = await client.send(new ListHostedZonesCommand({ ...(marker && { Marker: marker }) })).catch((error: unknown) => {
        throw route53Failure('ListHostedZones', error);
      });
      for (const zone of page.HostedZones ?? []) {
        zones.push({ id: stripZonePrefix(zone.Id ?? ''), name: withoutDot(zone.Name ?? ''), private: zone.Config?.PrivateZone === true });
      }
      marker = page.IsTruncated ? page.NextMarker : undefined;
    } while (marker);
    return zones;
  }

  /** For an answer that says the zone is gone (NoSuchHostedZone): the next lookup asks Route 53 again. */
  forget(zone: ZoneRef): void {
    detailsOf(this.clientFor(zone.access)).delete(zone.id);
  }

  /** The zone's name, privacy and name servers: GetHostedZone, once per client and hour. */
  async describe({ id, access }: ZoneRef): Promise<HostedZone> {
    const client = this.clientFor(access);
    const details = await detailsOf(client).get(id, () =>
      client.send(new GetHostedZoneCommand({ Id: id })).then(
        (answer) => ({
          id,
          name: withoutDot(answer.HostedZone?.Name ?? ''),
          private: answer.HostedZone?.Config?.PrivateZone === true,
          nameServers: answer.DelegationSet?.NameServers ?? [],
        }),
        (error: unknown) => {
          throw route53Failure('GetHostedZone', error, id);
        },
      ),
    );
    return { ...details, access };
  }
}

export function stripZonePrefix(id: string): string {
  return id.replace(/^\/hostedzone\//, '');
}

export function withoutDot(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}
