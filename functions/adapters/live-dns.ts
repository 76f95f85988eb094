/**
 * DNS as the CA will see it, not as the DNS provider describes it: the zone cut of a name and
 * its name servers come from live DNS (lego's FindZoneByFqdn and
 * LookupAuthoritativeNameservers), asked through the configured resolvers or the system's.
 * A server that cannot be asked is a failure with its name and cause, never an empty answer,
 * so "unreachable" is not mistaken for "not caught up yet".
 */
import { Resolver } from 'node:dns/promises';
import { DnsProviderUnavailable } from '../core/errors.js';
import { remembered } from '../core/remembered.js';

export interface LiveDnsOptions {
  /** `ip` or `ip:port`; the system resolvers when absent. */
  readonly resolvers?: readonly string[];
  /** The port name servers are asked on: 53, but test name servers listen elsewhere. */
  readonly nameServerPort?: number;
  /** Addresses (`ip:port`) of a name server, instead of its A/AAAA records through the resolvers. */
  readonly nameServerAddresses?: (host: string) => Promise<string[]>;
  readonly timeoutMs?: number;
}

/** A server that could not be asked: its name, then why, e.g. `ns1.example.net (no address: NXDOMAIN)`. */
export class LookupFailure extends Error {
  constructor(
    readonly server: string,
    readonly reason: string,
  ) {
    super(`${server} (${reason})`);
  }
}

export interface ZoneCut {
  /** Lowercase, without the trailing dot. */
  readonly zone: string;
  readonly nameServers: readonly string[];
}

/** "The name has no such record" is an answer; anything else means the server was not heard. */
const ABSENT = new Set(['ENODATA', 'ENOTFOUND']);

const CAUSES: Record<string, string> = {
  ETIMEOUT: 'no answer in time',
  ECONNREFUSED: 'connection refused',
  EREFUSED: 'REFUSED',
  ESERVFAIL: 'SERVFAIL',
  ENOTFOUND: 'NXDOMAIN',
  ENODATA: 'no such record',
};

function causeOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return CAUSES[code] ?? (code || String((error as Error).message ?? error));
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? '';
}

export class LiveDns {
  private readonly cuts = new Map<string, Promise<ZoneCut>>();
  private readonly addressCache = new Map<string, Promise<string[]>>();

  constructor(private readonly options: LiveDnsOptions = {}) {}

  /** Who answers for the resolvers in messages. */
  get resolverName(): string {
    return this.options.resolvers?.length ? `resolver ${this.options.resolvers.join(', ')}` : 'the system resolver';
  }

  /** The closest enclosing zone with NS records, walking up the labels as recursive resolvers see them. */
  zoneCut(fqdn: string): Promise<ZoneCut> {
    const name = fqdn.toLowerCase().replace(/\.$/, '');
    return remembered(this.cuts, name, () => this.walk(name));
  }

  /**
   * The CNAME target of a name through the resolvers, if it has one. A resolver that cannot
   * answer is a retryable failure, not "no CNAME": writing next to a CNAME nobody saw would
   * put the value where the CA never looks.
   */
  async cname(name: string): Promise<string | undefined> {
    try {
      return (await this.recursive().resolveCname(name))[0];
    } catch (error) {
      if (ABSENT.has(codeOf(error))) return undefined;
      throw new DnsProviderUnavailable(`CNAME lookup for ${name} at ${this.resolverName} failed: ${causeOf(error)}`);
    }
  }

  /** The TXT values the resolvers give for a name. */
  async txtViaResolvers(fqdn: string): Promise<string[]> {
    try {
      return (await this.recursive().resolveTxt(fqdn)).map((chunks) => chunks.join(''));
    } catch (error) {
      if (ABSENT.has(codeOf(error))) return [];
      throw new LookupFailure(this.resolverName, `TXT ${fqdn}: ${causeOf(error)}`);
    }
  }

  /**
   * The TXT values a name server holds for a name, asked directly. Its addresses are tried in
   * turn; only when none answers is it a LookupFailure naming the server.
   */
  async txtAt(nameServer: string, fqdn: string): Promise<string[]> {
    const addresses = await this.addresses(nameServer);
    const causes: string[] = [];
    for (const address of addresses) {
      const resolver = new Resolver({ timeout: this.options.timeoutMs ?? 2000, tries: 1 });
      resolver.setServers([address]);
      try {
        return (await resolver.resolveTxt(fqdn)).map((chunks) => chunks.join(''));
      } catch (error) {
        if (ABSENT.has(codeOf(error))) return [];
        causes.push(`${address}: ${causeOf(error)}`);
      }
    }
    throw new LookupFailure(nameServer, causes.join('; '));
  }

  private async walk(name: string): Promise<ZoneCut> {
    const resolver = this.recursive();
    for (let candidate = name; candidate !== ''; candidate = candidate.replace(/^[^.]*\.?/, '')) {
      try {
        const nameServers = await resolver.resolveNs(candidate);
        if (nameServers.length > 0) return { zone: candidate, nameServers: nameServers.map((server) => server.toLowerCase().replace(/\.$/, '')) };
      } catch (error) {
        // No NS here (no such name, or a name inside a zone): the cut is further up.
        if (!ABSENT.has(codeOf(error))) throw new LookupFailure(this.resolverName, `NS ${candidate}: ${causeOf(error)}`);
      }
    }
    throw new LookupFailure(this.resolverName, `no zone with NS records encloses ${name}`);
  }

  /** A name server's addresses, `ip:port` ready for setServers; a LookupFailure when it has none. */
  private addresses(nameServer: string): Promise<string[]> {
    return remembered(this.addressCache, nameServer, () => this.lookupAddresses(nameServer));
  }

  private async lookupAddresses(nameServer: string): Promise<string[]> {
    if (this.options.nameServerAddresses) {
      const given = await this.options.nameServerAddresses(nameServer);
      if (given.length === 0) throw new LookupFailure(nameServer, 'no address');
      return given;
    }
    const resolver = this.recursive();
    const port = this.options.nameServerPort ?? 53;
    const [v4, v6] = await Promise.allSettled([resolver.resolve4(nameServer), resolver.resolve6(nameServer)]);
    const addresses = [
      ...(v4.status === 'fulfilled' ? v4.value.map((address) => `${address}:${port}`) : []),
      ...(v6.status === 'fulfilled' ? v6.value.map((address) => `[${address}]:${port}`) : []),
    ];
    if (addresses.length > 0) return addresses;
    const failure = [v4, v6].find((result) => result.status === 'rejected' && !ABSENT.has(codeOf(result.reason)));
    const cause = failure?.status === 'rejected' ? causeOf(failure.reason) : v4.status === 'rejected' ? causeOf(v4.reason) : 'no such record';
    throw new LookupFailure(nameServer, `no address from ${this.resolverName}: ${cause}`);
  }

  private recursive(): Resolver {
    const resolver = new Resolver({ timeout: this.options.timeoutMs ?? 2000, tries: 2 });
    if (this.options.resolvers?.length) resolver.setServers([...this.options.resolvers]);
    return resolver;
  }
}
