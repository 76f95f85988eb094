/**
 * How a certificate's DNS-01 records reach DNS, named as cert-manager's Route 53 solver
 * names them. Everything is optional: by default each name's record goes to the longest
 * matching public hosted zone of the account the functions run in.
 */
export interface Route53ZoneConfig {
  /** Use this hosted zone as is, without listing zones. */
  readonly hostedZoneId?: string;
  /** Assume this role to change the zone (cross-account zones). */
  readonly role?: string;
  readonly externalId?: string;
}

export interface Route53SolverConfig extends Route53ZoneConfig {
  /**
   * Accept private hosted zones, for a CA that resolves inside the VPC (a private ACME CA):
   * no public CA can see them, so without this a private zone is refused before ordering.
   * A public zone of the same name still wins a tie.
   */
  readonly privateZone?: boolean;
  /** Per-domain settings: the longest domain that is a suffix of the name applies. */
  readonly zones?: Readonly<Record<string, Route53ZoneConfig>>;
  /**
   * With cnameStrategy Follow: per name (as in dnsNames, a wildcard's base), the name its
   * `_acme-challenge` CNAME points at, normalised. Named in advance so the stack can grant IAM
   * on the target alone, and checked against live DNS before any order (CnameRequired).
   */
  readonly cnameTargets?: Readonly<Record<string, string>>;
}

/**
 * How the values are checked once the DNS provider reports its change applied, as lego's
 * `dns.resolvers` and `dns.propagation.*` options do.
 */
export interface PropagationConfig {
  /** `ip` or `ip:port` of the resolvers used for every lookup (zone cut, name server addresses, CNAMEs); the system's by default. */
  readonly resolvers?: readonly string[];
  /** ISO 8601 duration: how long to keep checking before giving up. */
  readonly timeout?: string;
  /** ISO 8601 duration between two checks. */
  readonly interval?: string;
  /**
   * `authoritative` (default): every name server of the zone cut, found in live DNS, must answer
   * the value; `resolvers`: the resolvers must; `none`: only the provider's own "applied".
   */
  readonly check?: 'authoritative' | 'resolvers' | 'none';
}

/**
 * An acme-dns server (joohoi/acme-dns), named as cert-manager names it. Each name's
 * `_acme-challenge` is delegated to the server by a CNAME the user creates once; certstep
 * registers at the server on first use and keeps the credentials in the store.
 */
export interface AcmeDnsConfig {
  /** The server's API, e.g. `https://auth.example.org`; http only on loopback (tests, a local server). */
  readonly host: string;
}

export interface Dns01Config {
  /** `Follow`: when `_acme-challenge.<name>` is a CNAME, write the TXT record at its target. */
  readonly cnameStrategy?: 'None' | 'Follow';
  readonly route53?: Route53SolverConfig;
  /** Records go to this acme-dns server instead of Route 53 (or the local challtestsrv). */
  readonly acmeDNS?: AcmeDnsConfig;
  readonly propagation?: PropagationConfig;
}

/**
 * The zone settings that apply to a record name: the longest per-domain entry that is a
 * suffix of the name wins, field by field over the solver-wide settings. The solver-wide
 * hosted zone id does not apply to a name a CNAME moved elsewhere. Shared by the Route 53
 * adapter at run time and the CDK stack at synth time, so IAM names the zones the code uses.
 */
export function zoneSettingsFor(route53: Route53SolverConfig, recordName: string, redirected = false): Route53ZoneConfig {
  const name = recordName.toLowerCase();
  const perDomain = Object.entries(route53.zones ?? {})
    .filter(([domain]) => name === domain || name.endsWith(`.${domain}`))
    .sort(([a], [b]) => b.length - a.length)[0]?.[1];
  const hostedZoneId = perDomain?.hostedZoneId ?? (redirected ? undefined : route53.hostedZoneId);
  const role = perDomain?.role ?? route53.role;
  const externalId = perDomain?.externalId ?? route53.externalId;
  return { ...(hostedZoneId && { hostedZoneId }), ...(role && { role }), ...(externalId && { externalId }) };
}

/** The configured CNAME target of a name's challenge record (a wildcard shares its base's). */
export function configuredCnameTarget(route53: Route53SolverConfig | undefined, dnsName: string): string | undefined {
  const targets = route53?.cnameTargets ?? {};
  const name = dnsName.toLowerCase().replace(/^\*\./, '');
  return Object.hasOwn(targets, name) ? targets[name] : undefined;
}
