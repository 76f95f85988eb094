/**
 * Where each certificate's challenge records go, worked out at synth time from the same
 * settings the Lambdas use, so IAM can name the exact hosted zones and record names.
 */
import type { CertificateSpec } from '../functions/core/certificate-spec.js';
import { type Dns01Config, configuredCnameTarget, zoneSettingsFor } from '../functions/core/dns01-config.js';
import { acmeDnsCredentialName } from '../functions/ports/acme-dns-credentials.js';
import type { IssuerSetting } from '../functions/runtime/config.js';
import { mergeDns01 } from '../functions/runtime/dns.js';

export interface ZoneAccess {
  readonly hostedZoneId: string;
  /** Cross-account zones are changed through this role, so the functions' own role needs only sts:AssumeRole. */
  readonly role?: string;
}

export interface ChallengeTarget {
  readonly dnsName: string;
  /**
   * Where the TXT record goes, the name Route 53 normalises and IAM compares: `_acme-challenge.<name>`,
   * wildcard stripped, or with cnameStrategy Follow the target cnameTargets names for it.
   */
  readonly recordName: string;
  /** Undefined when the configuration gives no hosted zone id for the record (nor, with Follow, a target). */
  readonly zone?: ZoneAccess;
  /** With Follow only: `_acme-challenge.<name>`, the CNAME the user keeps; equal to recordName while no target is named. */
  readonly cname?: string;
}

export interface DnsPlan {
  /** Zones the functions change with their own role: zone id → sorted record names. */
  readonly directZones: ReadonlyMap<string, readonly string[]>;
  /** Zones changed through an assumed role: role → zone id → sorted record names. */
  readonly roleZones: ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;
}

export function effectiveDns01(issuers: readonly IssuerSetting[], certificate: CertificateSpec): Dns01Config {
  const issuer = issuers.find((candidate) => candidate.name === certificate.issuer);
  return mergeDns01(issuer?.dns01, certificate.dns01);
}

/**
 * The configured zone of each challenge record, chosen by the same function the Route 53 adapter
 * uses. With Follow, the record is the named CNAME target, whose zone comes from the per-domain
 * zones only (as for the adapter, the solver-wide zone id is the names' own); nothing is planned
 * on the zone of the CNAME itself, which certstep never changes.
 */
export function challengeTargets(dns01: Dns01Config, dnsNames: readonly string[]): ChallengeTarget[] {
  const route53 = dns01.route53 ?? {};
  const follow = dns01.cnameStrategy === 'Follow';
  const seen = new Set<string>();
  const targets: ChallengeTarget[] = [];
  for (const dnsName of dnsNames) {
    const challenge = `_acme-challenge.${dnsName.replace(/^\*\./, '')}`.toLowerCase();
    if (seen.has(challenge)) continue;
    seen.add(challenge);
    const cnameTarget = follow ? configuredCnameTarget(route53, dnsName) : undefined;
    if (follow && (cnameTarget === undefined || cnameTarget === challenge)) {
      targets.push({ dnsName, recordName: challenge, cname: challenge });
      continue;
    }
    const recordName = cnameTarget ?? challenge;
    const { hostedZoneId, role } = zoneSettingsFor(route53, recordName, follow);
    const zone = hostedZoneId && { zone: { hostedZoneId, ...(role && { role }) } };
    targets.push({ dnsName, recordName, ...zone, ...(follow && { cname: challenge }) });
  }
  return targets;
}

export function planDns(issuers: readonly IssuerSetting[], certificates: readonly CertificateSpec[]): DnsPlan {
  const direct = new Map<string, Set<string>>();
  const byRole = new Map<string, Map<string, Set<string>>>();
  for (const certificate of certificates) {
    // Its records go to the acme-dns server, not to Route 53.
    if (effectiveDns01(issuers, certificate).acmeDNS) continue;
    for (const target of challengeTargets(effectiveDns01(issuers, certificate), certificate.dnsNames)) {
      if (!target.zone) throw new Error(`certificate ${certificate.name}: no hosted zone id for ${target.dnsName} (validate the configuration first)`);
      const { hostedZoneId, role } = target.zone;
      const zones = role ? getOrAdd(byRole, role, () => new Map<string, Set<string>>()) : direct;
      getOrAdd(zones, hostedZoneId, () => new Set<string>()).add(target.recordName);
    }
  }
  const sorted = (zones: Map<string, Set<string>>) => new Map([...zones].sort(([a], [b]) => a.localeCompare(b)).map(([id, names]) => [id, [...names].sort()]));
  return {
    directZones: sorted(direct),
    roleZones: new Map([...byRole].sort(([a], [b]) => a.localeCompare(b)).map(([role, zones]) => [role, sorted(zones)])),
  };
}

/**
 * The storage names (`<server>/<domain>`) of the acme-dns registrations the certificates can
 * make, sorted: the secrets IAM lets the functions create and read, and nothing else.
 */
export function acmeDnsRegistrationNames(issuers: readonly IssuerSetting[], certificates: readonly CertificateSpec[]): string[] {
  const names = new Set<string>();
  for (const certificate of certificates) {
    const host = effectiveDns01(issuers, certificate).acmeDNS?.host;
    if (host) for (const dnsName of certificate.dnsNames) names.add(acmeDnsCredentialName(host, dnsName));
  }
  return [...names].sort();
}

function getOrAdd<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

/** The Route 53 zones a stack's functions may change, whoever's certificates they hold. */
export interface StackZones {
  /** Zone id → the record names IAM allows in it: `_acme-challenge.*`, and CNAME targets that do not match it. */
  readonly direct: ReadonlyMap<string, readonly string[]>;
  /** Roles assumed for cross-account zones (their own account's policy says which records). */
  readonly roles: readonly string[];
}

/** What every challenge record is named unless cnameStrategy Follow moves it. */
export const CHALLENGE_RECORDS = '_acme-challenge.*';

/**
 * The zones of planDns for the configuration's certificates, plus every zone the issuers' dns01
 * names: a certificate added by `certstep apply` may use any of them without a deploy, so IAM
 * names zones, not certificates, and stays the same size however many certificates there are.
 */
export function stackZones(issuers: readonly IssuerSetting[], certificates: readonly CertificateSpec[]): StackZones {
  const plan = planDns(issuers, certificates);
  const direct = new Map<string, Set<string>>();
  const roles = new Set<string>(plan.roleZones.keys());
  const addZone = (zoneId: string) => getOrAdd(direct, zoneId, () => new Set([CHALLENGE_RECORDS]));
  for (const [zoneId, recordNames] of plan.directZones) {
    const names = addZone(zoneId);
    for (const name of recordNames) if (!name.startsWith('_acme-challenge.')) names.add(name);
  }
  for (const issuer of issuers) {
    const route53 = issuer.dns01?.route53;
    if (!route53 || issuer.dns01?.acmeDNS) continue;
    const zones = [route53, ...Object.values(route53.zones ?? {})];
    for (const zone of zones) {
      const role = zone.role ?? route53.role;
      if (role) roles.add(role);
      else if (zone.hostedZoneId) addZone(zone.hostedZoneId);
    }
  }
  return {
    direct: new Map([...direct].sort(([a], [b]) => a.localeCompare(b)).map(([id, names]) => [id, [...names].sort()])),
    roles: [...roles].sort(),
  };
}
