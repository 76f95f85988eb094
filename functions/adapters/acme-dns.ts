/**
 * DNS-01 through an acme-dns server (joohoi/acme-dns), as lego's and cert-manager's acme-dns
 * providers do it. The API used, all JSON:
 *   POST /register            → 201 {username, password, fulldomain, subdomain, allowfrom}
 *   POST /update {subdomain, txt} with headers X-Api-User, X-Api-Key → 200 {txt}
 * The server answers TXT queries for `fulldomain` with the two newest values of the
 * subdomain, so an apex and a wildcard authorization fit side by side. The user delegates
 * each name once with `_acme-challenge.<name> CNAME <fulldomain>`; until that CNAME exists
 * the run stops with CnameRequired before anything is ordered (lego's ErrCNAMERequired).
 */
import type { PropagationConfig } from '../core/dns01-config.js';
import { CnameRequired, DnsChangeRejected, DnsProviderUnavailable } from '../core/errors.js';
import { remembered } from '../core/remembered.js';
import { type AcmeDnsCredentials, type AcmeDnsRegistration, isAcmeDnsRegistration } from '../ports/acme-dns-credentials.js';
import type { ChallengeRecord, DnsProvider, Presented, PropagationResult, PropagationTiming } from '../ports/dns-provider.js';
import { type CnameLookup, cnameTarget } from './cname-follow.js';
import { LiveDns, LookupFailure } from './live-dns.js';
import { propagationTiming } from './propagation-timing.js';

export interface AcmeDnsOptions {
  /** The server's API, e.g. `https://auth.example.org`. */
  readonly host: string;
  readonly credentials: AcmeDnsCredentials;
  /** `ip` or `ip:port` of the DNS servers every lookup goes to; the system resolver when empty. */
  readonly resolvers?: readonly string[];
  /** The base timing, before the certificate's dns01.propagation timeout and interval. */
  readonly timing?: PropagationTiming;
  /** The certificate's dns01.propagation: timeout and interval; check "none" trusts /update alone. */
  readonly propagation?: PropagationConfig | undefined;
  /** Per HTTP request to the server. */
  readonly timeoutMs?: number;
}

/** acme-dns answers its own DNS as soon as /update returns, so the first check can come at once. */
const ACME_DNS_TIMING: PropagationTiming = { initialWaitSeconds: 0, intervalSeconds: 2, maxAttempts: 30 };

/** The name a registration is made for: one per name, shared by its apex and wildcard. */
const domainOf = (dnsName: string) => dnsName.toLowerCase().replace(/^\*\./, '');
const canonical = (name: string) => name.toLowerCase().replace(/\.$/, '');

export class AcmeDnsProvider implements DnsProvider {
  readonly timing: PropagationTiming;
  private readonly cname: CnameLookup;
  private readonly resolvers: readonly string[];
  private readonly live: LiveDns;
  private readonly registrations = new Map<string, Promise<AcmeDnsRegistration>>();

  constructor(private readonly options: AcmeDnsOptions) {
    this.timing = propagationTiming(options.timing ?? ACME_DNS_TIMING, options.propagation);
    this.resolvers = options.resolvers ?? [];
    this.live = new LiveDns({ resolvers: this.resolvers });
    this.cname = (name) => this.live.cname(name);
  }

  /**
   * Registers each name that has no registration yet (once: the stored one is used from then
   * on), then requires `_acme-challenge.<name>` to lead to the registration's fulldomain.
   * Every missing CNAME is named in one error, so that one round of DNS changes is enough.
   */
  async checkZones(dnsNames: readonly string[]): Promise<void> {
    const missing: string[] = [];
    for (const domain of new Set(dnsNames.map(domainOf))) {
      const registration = await this.registration(domain);
      const recordName = `_acme-challenge.${domain}`;
      const target = await cnameTarget(recordName, this.cname);
      const fulldomain = canonical(registration.fulldomain);
      if (target === fulldomain) continue;
      const now = target === recordName ? 'there is no CNAME there yet' : `it leads to ${target} now`;
      missing.push(`"${recordName}. CNAME ${fulldomain}." (${now})`);
    }
    if (missing.length === 0) return;
    throw new CnameRequired(
      `create the DNS record ${missing.join(' and the DNS record ')} to delegate the DNS-01 challenge to the acme-dns server ${this.options.host}; ` +
        'nothing was ordered, and the next run goes on once the CNAME resolves',
    );
  }

  /**
   * One /update per value. With resolvers named, a value they already answer is not sent
   * again, so presenting one value twice does not push the other out. Through the system's
   * (recursive) resolver it is not asked first: its "no such record yet" would be cached and
   * hide the value from the propagation checks. Presenting the whole batch again, as a retry
   * does, leaves the same two newest values either way.
   */
  async present(records: readonly ChallengeRecord[]): Promise<Presented> {
    for (const [domain, values] of valuesByDomain(records)) {
      const registration = await this.options.credentials.get(this.options.host, domain);
      if (!registration) {
        throw new CnameRequired(
          `no acme-dns registration for ${domain} at ${this.options.host} yet (the check before ordering could not make one); ` +
            'the next run registers it and names the CNAME to create',
        );
      }
      const visible = new Set(this.resolvers.length > 0 ? await this.txt(canonical(registration.fulldomain)) : []);
      for (const value of values) {
        if (!visible.has(value)) await this.update(registration, value);
      }
    }
    return { changeIds: [] };
  }

  /**
   * Nothing to remove: acme-dns has no delete, it keeps the two newest values of a subdomain
   * and the next /update pushes the oldest out. A used challenge value is no secret and
   * cannot validate anything else, so leaving it is harmless.
   */
  async cleanUp(_records: readonly ChallengeRecord[]): Promise<void> {}

  /**
   * The values as DNS answers them at the end of each name's CNAME chain, which is where the
   * CA will look. No credentials are read: the CNAME already names the fulldomain.
   */
  async isPropagated(records: readonly ChallengeRecord[], _presented?: Presented): Promise<PropagationResult> {
    if (this.options.propagation?.check === 'none') return { ready: true };
    const pending: ChallengeRecord[] = [];
    const notes: string[] = [];
    for (const record of records) {
      const target = await cnameTarget(record.recordName, this.cname);
      if (target === canonical(record.recordName)) notes.push(`${record.recordName} is no CNAME (to acme-dns) yet`);
      if (!(await this.txt(target)).includes(record.value)) pending.push(record);
    }
    if (pending.length === 0) return { ready: true };
    return {
      ready: false,
      pending,
      detail: `not yet answered by ${this.live.resolverName}: ${pending.map((record) => record.recordName).join(', ')}${notes.length > 0 ? `; ${notes.join('; ')}` : ''}`,
    };
  }

  /** The stored registration of a domain, or a new one; one lookup per domain per invocation. */
  private registration(domain: string): Promise<AcmeDnsRegistration> {
    return remembered(this.registrations, domain, async () => {
      const stored = await this.options.credentials.get(this.options.host, domain);
      if (stored) return stored;
      return this.options.credentials.putIfAbsent(this.options.host, domain, await this.register());
    });
  }

  private async register(): Promise<AcmeDnsRegistration> {
    // An empty JSON object: no allowfrom restriction, which the server accepts as a body on every version.
    const answer = await this.call('/register', {}, {}, 201);
    // The answer holds the password: it is checked, never echoed.
    if (!isAcmeDnsRegistration(answer))
      throw new DnsChangeRejected(`acme-dns ${this.options.host}/register answered without username, password, fulldomain and subdomain`);
    const { username, password, fulldomain, subdomain, allowfrom } = answer;
    return { username, password, fulldomain, subdomain, ...(Array.isArray(allowfrom) && { allowfrom }) };
  }

  private async update(registration: AcmeDnsRegistration, value: string): Promise<void> {
    await this.call(
      '/update',
      { 'X-Api-User': registration.username, 'X-Api-Key': registration.password },
      { subdomain: registration.subdomain, txt: value },
      200,
    );
  }

  /** Messages name the route and status only: neither the credentials sent nor the registration answered. */
  private async call(route: '/register' | '/update', headers: Record<string, string>, body: object | undefined, expected: number): Promise<unknown> {
    const url = new URL(route.slice(1), this.options.host.endsWith('/') ? this.options.host : `${this.options.host}/`);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        ...(body && { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw new DnsProviderUnavailable(`acme-dns at ${this.options.host} could not be reached for ${route}: ${cause}`);
    }
    if (response.status === expected) return response.json().catch(() => undefined);
    const said = route === '/register' ? '' : `: ${(await response.text().catch(() => '')).slice(0, 200)}`;
    if (response.status === 429 || response.status >= 500) {
      throw new DnsProviderUnavailable(`acme-dns ${this.options.host}${route} answered HTTP ${response.status}${said}`);
    }
    const hint = response.status === 401 || response.status === 403 ? ' (the stored registration is refused: was it deleted at the server?)' : '';
    throw new DnsChangeRejected(`acme-dns ${this.options.host}${route} answered HTTP ${response.status}${said}${hint}`);
  }

  private async txt(name: string): Promise<string[]> {
    try {
      return await this.live.txtViaResolvers(name);
    } catch (error) {
      if (!(error instanceof LookupFailure)) throw error;
      throw new DnsProviderUnavailable(`TXT lookup for ${name} at ${error.message} failed`);
    }
  }
}

function valuesByDomain(records: readonly ChallengeRecord[]): Map<string, string[]> {
  const byDomain = new Map<string, string[]>();
  for (const record of records) {
    const values = byDomain.get(domainOf(record.dnsName)) ?? [];
    if (!values.includes(record.value)) values.push(record.value);
    byDomain.set(domainOf(record.dnsName), values);
  }
  return byDomain;
}
