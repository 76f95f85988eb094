/**
 * cnameStrategy "Follow" at synth time. The stack grants route53:ChangeResourceRecordSets on the
 * CNAME targets alone, so every name of a Follow certificate needs its target in
 * dns01.route53.cnameTargets, in a hosted zone named in dns01.route53.zones; without Follow the
 * targets would be silently unused, which is a mistake worth saying. Apart from config.ts so the
 * rules about Follow read in one place.
 */
import type { CertificateSpec } from '../functions/core/certificate-spec.js';
import { type Dns01Config, configuredCnameTarget } from '../functions/core/dns01-config.js';
import type { IssuerSetting } from '../functions/runtime/config.js';
import { challengeTargets } from './dns-plan.js';

export interface CnameTargetFault {
  readonly path: PropertyKey[];
  readonly message: string;
  readonly echo?: string;
}

const ZONE_ID_EXAMPLE = 'Z0123456789ABCDEFGHIJ';

/** The first fault in a certificate's CNAME targets, given its issuer's and its own dns01 merged. */
export function cnameTargetFault(
  certificate: CertificateSpec,
  index: number,
  issuers: readonly IssuerSetting[],
  dns01: Dns01Config,
): CnameTargetFault | undefined {
  const at = `certificates[${index}]`;
  const own = certificate.dns01?.route53?.cnameTargets;
  const issuerIndex = issuers.findIndex((issuer) => issuer.name === certificate.issuer);
  const issuerTargets = issuers[issuerIndex]?.dns01?.route53?.cnameTargets ?? {};
  /** Where a name's target was written: the certificate's own entry wins, as in mergeDns01. */
  const written = (name: string): PropertyKey[] =>
    own && Object.hasOwn(own, name)
      ? ['certificates', index, 'dns01', 'route53', 'cnameTargets', name]
      : ['issuers', issuerIndex, 'dns01', 'route53', 'cnameTargets', name];
  const base = (dnsName: string) => dnsName.replace(/^\*\./, '');

  if (dns01.cnameStrategy !== 'Follow') {
    if (own && Object.keys(own).length > 0) return { path: ['certificates', index, 'dns01', 'route53', 'cnameTargets'], message: onlyWithFollow(at) };
    const named = certificate.dnsNames.map(base).find((name) => Object.hasOwn(issuerTargets, name));
    if (named !== undefined)
      return { path: written(named), message: `names ${named} of ${at}, which does not use cnameStrategy "Follow": ${onlyWithFollow(at)}` };
    return undefined;
  }

  const stray = Object.keys(own ?? {}).find((name) => !certificate.dnsNames.some((dnsName) => base(dnsName) === name));
  if (stray !== undefined) return { path: written(stray), message: `matches none of ${at}.dnsNames` };

  for (const target of challengeTargets(dns01, certificate.dnsNames)) {
    const name = base(target.dnsName);
    const configured = configuredCnameTarget(dns01.route53, name);
    if (configured === undefined) {
      return {
        path: ['certificates', index, 'dnsNames', certificate.dnsNames.indexOf(target.dnsName)],
        echo: JSON.stringify(target.dnsName),
        message:
          `cnameStrategy "Follow" needs the name that _acme-challenge.${name} is a CNAME to, as IAM is granted on that name alone at synth time: ` +
          `add it to ${at}.dns01.route53.cnameTargets (or the issuer's), such as "cnameTargets": {"${name}": "<the CNAME's target>"}, ` +
          `with the target's hosted zone in dns01.route53.zones, such as "zones": {"acme.example.net": {"hostedZoneId": "${ZONE_ID_EXAMPLE}"}}`,
      };
    }
    if (configured === target.cname) {
      return { path: written(name), message: `is _acme-challenge.${name} itself: give the name that record is a CNAME to` };
    }
    if (!target.zone) return { path: written(name), message: unzonedTarget(configured, dns01) };
  }
  return undefined;
}

function onlyWithFollow(at: string): string {
  return `cnameTargets is only used with cnameStrategy "Follow": set ${at}.dns01.cnameStrategy (or the issuer's) to "Follow", or remove it`;
}

/** No zones entry holds the target, or the one that does gives no hosted zone id. */
function unzonedTarget(target: string, dns01: Dns01Config): string {
  const holder = Object.entries(dns01.route53?.zones ?? {})
    .filter(([domain]) => target === domain || target.endsWith(`.${domain}`))
    .sort(([a], [b]) => b.length - a.length)[0]?.[0];
  if (holder !== undefined) {
    return `the dns01.route53.zones entry "${holder}" that holds ${target} gives no hostedZoneId; least-privilege IAM names the zone at synth time`;
  }
  const parent = target.split('.').slice(1).join('.');
  return (
    `${target} is in none of the hosted zones of dns01.route53.zones (the solver-wide hostedZoneId is the names' own): ` +
    `add the Route 53 hosted zone the CNAME points into, such as "zones": {"${parent}": {"hostedZoneId": "${ZONE_ID_EXAMPLE}"}}`
  );
}
