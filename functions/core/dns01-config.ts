/**
 * How a certificate's DNS-01 records reach DNS, named as cert-manager's Route 53 solver
 * names them. Everything is optional: by default each name's record goes to the longest
 * matching public hosted zone of the account the functions run in.
 */
import { fieldName } from './certificate-spec.js';
import { normalizeDnsName } from './dns-name.js';

export interface Route53ZoneConfig {
  /** Use this hosted zone as is, without listing zones. */
  readonly hostedZoneId?: string;
  /** Assume this role to change the zone (cross-account zones). */
  readonly role?: string;
  readonly externalId?: string;
}

export interface Route53SolverConfig extends Route53ZoneConfig {
  /** Consider private hosted zones when looking for a zone (public ones win a tie). */
  readonly privateZone?: boolean;
  /** Per-domain settings: the longest domain that is a suffix of the name applies. */
  readonly zones?: Readonly<Record<string, Route53ZoneConfig>>;
}

export interface Dns01Config {
  /** `Follow`: when `_acme-challenge.<name>` is a CNAME, write the TXT record at its target. */
  readonly cnameStrategy?: 'None' | 'Follow';
  readonly route53?: Route53SolverConfig;
}

const ZONE_ID = /^(?:\/hostedzone\/)?([A-Z0-9]{1,32})$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

type Fail = (path: string, reason: string) => never;

export function parseDns01Config(value: unknown, dnsNames: readonly string[], fail: Fail): Dns01Config {
  const path = 'certificate.dns01';
  const object = expectObject(value, path, fail);
  allowOnly(object, ['cnameStrategy', 'route53'], path, fail);
  const config: { cnameStrategy?: 'None' | 'Follow'; route53?: Route53SolverConfig } = {};
  if (object.cnameStrategy !== undefined) {
    if (object.cnameStrategy !== 'None' && object.cnameStrategy !== 'Follow') {
      fail(`${path}.cnameStrategy`, `must be "None" or "Follow" (got ${JSON.stringify(object.cnameStrategy)})`);
    }
    config.cnameStrategy = object.cnameStrategy;
  }
  if (object.route53 !== undefined) config.route53 = parseRoute53(object.route53, dnsNames, `${path}.route53`, fail);
  return config;
}

function parseRoute53(value: unknown, dnsNames: readonly string[], path: string, fail: Fail): Route53SolverConfig {
  const object = expectObject(value, path, fail);
  allowOnly(object, ['hostedZoneId', 'role', 'externalId', 'privateZone', 'zones'], path, fail);
  const solver: { -readonly [K in keyof Route53SolverConfig]: Route53SolverConfig[K] } = { ...parseZone(object, path, fail) };
  if (object.privateZone !== undefined) {
    if (typeof object.privateZone !== 'boolean') fail(`${path}.privateZone`, 'must be a boolean');
    solver.privateZone = object.privateZone;
  }
  if (object.zones !== undefined) {
    const zones = expectObject(object.zones, `${path}.zones`, fail);
    const parsed: Record<string, Route53ZoneConfig> = {};
    for (const [domain, settings] of Object.entries(zones)) {
      const normalized = normalizeDnsName(domain);
      const zonePath = `${path}.zones[${JSON.stringify(domain)}]`;
      if (!normalized.ok || normalized.name.startsWith('*.')) fail(zonePath, `is not a domain name${normalized.ok ? '' : `: ${normalized.reason}`}`);
      const domainName = normalized.name;
      if (!dnsNames.some((name) => name.replace(/^\*\./, '') === domainName || name.endsWith(`.${domainName}`))) {
        fail(zonePath, `matches none of certificate.dnsNames`);
      }
      const zoneObject = expectObject(settings, zonePath, fail);
      allowOnly(zoneObject, ['hostedZoneId', 'role', 'externalId'], zonePath, fail);
      parsed[domainName] = parseZone(zoneObject, zonePath, fail);
    }
    solver.zones = parsed;
  }
  return solver;
}

function parseZone(object: Record<string, unknown>, path: string, fail: Fail): Route53ZoneConfig {
  const zone: { hostedZoneId?: string; role?: string; externalId?: string } = {};
  if (object.hostedZoneId !== undefined) {
    const match = typeof object.hostedZoneId === 'string' ? ZONE_ID.exec(object.hostedZoneId) : null;
    if (!match) fail(`${path}.hostedZoneId`, 'must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ');
    zone.hostedZoneId = match[1] as string;
  }
  if (object.role !== undefined) {
    if (typeof object.role !== 'string' || !ROLE_ARN.test(object.role)) fail(`${path}.role`, 'must be an IAM role ARN such as arn:aws:iam::123456789012:role/dns');
    zone.role = object.role;
  }
  if (object.externalId !== undefined) {
    if (typeof object.externalId !== 'string' || !EXTERNAL_ID.test(object.externalId)) {
      fail(`${path}.externalId`, 'must be 2-1224 characters of letters, digits and +=,.@:/-_');
    }
    if (object.role === undefined) fail(`${path}.externalId`, 'only makes sense with a role to assume');
    zone.externalId = object.externalId;
  }
  return zone;
}

function expectObject(value: unknown, path: string, fail: Fail): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'must be a JSON object');
  return value as Record<string, unknown>;
}

function allowOnly(object: Record<string, unknown>, allowed: readonly string[], path: string, fail: Fail): void {
  for (const key of Object.keys(object)) if (!allowed.includes(key)) fail(`${path}.${fieldName(key)}`, 'unknown field');
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
