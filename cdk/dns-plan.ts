/**
 * Where each certificate's challenge records go, worked out at synth time from the same
 * settings the Lambdas use, so IAM can name the exact hosted zones and record names.
 */
import type { CertificateSpec } from '../functions/core/certificate-spec.js';
import { type Dns01Config, zoneSettingsFor } from '../functions/core/dns01-config.js';
import type { IssuerSetting } from '../functions/runtime/config.js';
import { mergeDns01 } from '../functions/runtime/dns.js';

export interface ZoneAccess {
  readonly hostedZoneId: string;
  /** Cross-account zones are changed through this role, so the functions' own role needs only sts:AssumeRole. */
  readonly role?: string;
}

export interface ChallengeTarget {
  readonly dnsName: string;
  /** `_acme-challenge.<name>`, wildcard stripped: the name Route 53 normalises and IAM compares. */
  readonly recordName: string;
  /** Undefined when the configuration gives no hosted zone id for the name. */
  readonly zone?: ZoneAccess;
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

/** The configured zone of each challenge record, chosen by the same function the Route 53 adapter uses. */
export function challengeTargets(dns01: Dns01Config, dnsNames: readonly string[]): ChallengeTarget[] {
  const route53 = dns01.route53 ?? {};
  const seen = new Set<string>();
  const targets: ChallengeTarget[] = [];
  for (const dnsName of dnsNames) {
    const recordName = `_acme-challenge.${dnsName.replace(/^\*\./, '')}`.toLowerCase();
    if (seen.has(recordName)) continue;
    seen.add(recordName);
    const { hostedZoneId, role } = zoneSettingsFor(route53, recordName);
    targets.push({ dnsName, recordName, ...(hostedZoneId && { zone: { hostedZoneId, ...(role && { role }) } }) });
  }
  return targets;
}

export function planDns(issuers: readonly IssuerSetting[], certificates: readonly CertificateSpec[]): DnsPlan {
  const direct = new Map<string, Set<string>>();
  const byRole = new Map<string, Map<string, Set<string>>>();
  for (const certificate of certificates) {
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

function getOrAdd<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}
