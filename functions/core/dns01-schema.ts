/**
 * The schema of a dns01 section (a certificate's, or an issuer's in certstep.config.json).
 * Apart from dns01-config.ts so that the functions that only route records to zones do
 * not bundle zod.
 */
import { isIP } from 'node:net';
import * as z from 'zod/mini';
import type { Dns01Config, PropagationConfig, Route53ZoneConfig } from './dns01-config.js';
import { normalizeDnsName, normalizeRecordName } from './dns-name.js';
import { DURATION, parseDuration } from './duration.js';
import { section, show } from './validation.js';

const ZONE_ID = /^(?:\/hostedzone\/)?([A-Z0-9]{1,32})$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/** A string that must match, with one reason whatever is wrong with it. */
const matching = (rule: RegExp, reason: string) => z.string({ error: reason }).check(z.regex(rule, { error: reason }));

const ZONE_ID_REASON = 'must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ';
const zoneShape = {
  hostedZoneId: z.optional(
    z.pipe(
      matching(ZONE_ID, ZONE_ID_REASON),
      z.transform((id) => ZONE_ID.exec(id)?.[1] ?? id),
    ),
  ),
  role: z.optional(matching(ROLE_ARN, 'must be an IAM role ARN such as arn:aws:iam::123456789012:role/dns')),
  externalId: z.optional(matching(EXTERNAL_ID, 'must be 2-1224 characters of letters, digits and +=,.@:/-_')),
};

const externalIdNeedsRole = z.superRefine((zone: Route53ZoneConfig, ctx) => {
  if (zone.externalId !== undefined && zone.role === undefined)
    ctx.addIssue({ code: 'custom', path: ['externalId'], message: 'only makes sense with a role to assume' });
});

/** The spelling each normalised zones key was written in, for messages about the entry. */
const writtenKeys = new WeakMap<object, ReadonlyMap<string, string>>();

/** Checked before its settings are read: the key names the domain the settings are for. */
const zoneDomain = z.string().check(
  z.superRefine((domain, ctx) => {
    const normalized = normalizeDnsName(domain);
    if (normalized.ok && !normalized.name.startsWith('*.')) return;
    ctx.addIssue(`is not a domain name${normalized.ok ? '' : `: ${normalized.reason}`}`);
  }),
);

const zones = z.pipe(
  z.record(zoneDomain, section(zoneShape).check(externalIdNeedsRole), { error: 'must be a JSON object' }),
  z.transform((entries) => {
    const parsed: Record<string, Route53ZoneConfig> = {};
    const written = new Map<string, string>();
    for (const [domain, settings] of Object.entries(entries)) {
      const normalized = normalizeDnsName(domain);
      const name = normalized.ok ? normalized.name : domain;
      parsed[name] = settings;
      written.set(name, domain);
    }
    writtenKeys.set(parsed, written);
    return parsed;
  }),
);

/** A name as dnsNames spell it; a wildcard shares its base's challenge record, so `*.x` is `x`. */
const challengeName = z.string().check(
  z.superRefine((name, ctx) => {
    const normalized = normalizeDnsName(name);
    if (!normalized.ok) ctx.addIssue(`is not a DNS name: ${normalized.reason}`);
  }),
);

const cnameTarget = z.pipe(
  z.string({ error: 'must be the fully qualified name the CNAME points at, such as "www-example-org.acme.example.net"' }).check(
    z.superRefine((target, ctx) => {
      const normalized = normalizeRecordName(target);
      if (!normalized.ok) ctx.addIssue(`is not a DNS name: ${normalized.reason}`);
    }),
  ),
  z.transform((target) => {
    const normalized = normalizeRecordName(target);
    return normalized.ok ? normalized.name : target;
  }),
);

const cnameTargets = z.pipe(
  z.record(challengeName, cnameTarget, { error: 'must be a JSON object mapping names to CNAME targets' }),
  z.transform((entries, ctx) => {
    const parsed: Record<string, string> = {};
    for (const [written, target] of Object.entries(entries)) {
      const normalized = normalizeDnsName(written);
      const name = normalized.ok ? normalized.name.replace(/^\*\./, '') : written;
      if (Object.hasOwn(parsed, name) && parsed[name] !== target) {
        ctx.issues.push({
          code: 'custom',
          path: [written],
          message: `names the same _acme-challenge record as another key, with another target`,
          input: entries,
        });
      }
      parsed[name] = target;
    }
    return parsed;
  }),
);

/** `1.1.1.1`, `1.1.1.1:53`, `2606:4700::1111` or `[2606:4700::1111]:53`: what node:dns setServers takes. */
function isResolverAddress(text: string): boolean {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
  const [host, port] = bracketed ? [bracketed[1] ?? '', bracketed[2]] : isIP(text) === 6 ? [text, undefined] : text.split(/:(?=\d+$)/);
  if (port !== undefined && !(Number(port) >= 1 && Number(port) <= 65535)) return false;
  return bracketed ? isIP(host ?? '') === 6 : isIP(host ?? '') === 4 || (port === undefined && isIP(host ?? '') === 6);
}

const RESOLVER_REASON = 'must be an IP address, optionally with a port, such as "1.1.1.1", "1.1.1.1:53" or "[2606:4700::1111]:53"';

const duration = z
  .string({ error: (issue) => `must be an ISO 8601 duration such as PT10M (got ${show(issue.input)})` })
  .check(
    z.superRefine((text, ctx) => {
      const parsed = parseDuration(text);
      if (!parsed.ok) ctx.addIssue(parsed.reason);
    }),
  )
  // For editors, through the JSON Schema, as renewBefore does.
  .register(z.globalRegistry, { pattern: DURATION.source });

/** More checks than this would crowd a run's history (Step Functions keeps 25,000 events). */
export const MAX_PROPAGATION_CHECKS = 500;

const propagationChecks = z.superRefine((propagation: PropagationConfig, ctx) => {
  const timeout = propagation.timeout === undefined ? undefined : parseDuration(propagation.timeout);
  const interval = propagation.interval === undefined ? undefined : parseDuration(propagation.interval);
  const timeoutMs = timeout?.ok ? timeout.ms : undefined;
  const intervalMs = interval?.ok ? interval.ms : undefined;
  if (timeoutMs === undefined || intervalMs === undefined) return;
  if (timeoutMs < intervalMs) ctx.addIssue({ code: 'custom', path: ['timeout'], message: `must not be shorter than interval (${propagation.interval})` });
  else if (timeoutMs / intervalMs > MAX_PROPAGATION_CHECKS)
    ctx.addIssue({ code: 'custom', path: ['timeout'], message: `allows at most ${MAX_PROPAGATION_CHECKS} checks of interval ${propagation.interval}` });
});

const propagation = section({
  resolvers: z.optional(
    z
      .array(z.string({ error: RESOLVER_REASON }).check(z.refine(isResolverAddress, { error: RESOLVER_REASON })), {
        error: 'must be a non-empty array of resolver addresses such as ["1.1.1.1:53"]',
      })
      .check(z.minLength(1, { error: 'must be a non-empty array of resolver addresses such as ["1.1.1.1:53"]' })),
  ),
  timeout: z.optional(duration),
  interval: z.optional(duration),
  check: z.optional(
    z.enum(['authoritative', 'resolvers', 'none'], {
      error: (issue) => `must be "authoritative", "resolvers" or "none" (got ${show(issue.input)})`,
    }),
  ),
}).check(propagationChecks);

const ACME_DNS_HOST_REASON = 'must be the https:// URL of an acme-dns server such as "https://auth.example.org" (http:// only for a loopback address)';

/** Credentials in the URL would be logged with it; the registration's own are kept in the store. */
function isAcmeDnsHost(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.username || url.password || url.search || url.hash) return false;
  if (url.protocol === 'https:') return true;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return url.protocol === 'http:' && (host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.')));
}

const acmeDns = section({
  host: z.string({ error: ACME_DNS_HOST_REASON }).check(z.refine(isAcmeDnsHost, { error: ACME_DNS_HOST_REASON })),
});

/** acme-dns decides where the records go, so settings for another place would silently not apply. */
const acmeDnsAlone = z.superRefine((dns01: Dns01Config, ctx) => {
  if (!dns01.acmeDNS) return;
  if (dns01.route53 !== undefined)
    ctx.addIssue({ code: 'custom', path: ['route53'], message: 'cannot be set together with acmeDNS: the records go to the acme-dns server' });
  else if (dns01.cnameStrategy === 'Follow')
    ctx.addIssue({
      code: 'custom',
      path: ['cnameStrategy'],
      message: '"Follow" cannot be set together with acmeDNS, which always goes through the CNAME it asks for',
    });
});

/** The dns01 section of a certificate or of an issuer (the stack's configuration). */
export const dns01Schema = section({
  cnameStrategy: z.optional(z.enum(['None', 'Follow'], { error: (issue) => `must be "None" or "Follow" (got ${JSON.stringify(issue.input)})` })),
  route53: z.optional(
    section({
      ...zoneShape,
      privateZone: z.optional(z.boolean({ error: 'must be a boolean' })),
      zones: z.optional(zones),
      cnameTargets: z.optional(cnameTargets),
    }).check(externalIdNeedsRole),
  ),
  propagation: z.optional(propagation),
  acmeDNS: z.optional(acmeDns),
}).check(acmeDnsAlone);

/**
 * A certificate's per-domain zone that none of its names (or of its CNAME targets) falls
 * under: a typo the CA would never reveal. Returns the zones key as written and why;
 * issuer-wide zones are not checked, as they apply to whichever certificates they match.
 */
export function zoneMatchingNoName(dns01: Dns01Config, dnsNames: readonly string[]): { key: string; reason: string } | undefined {
  const perDomain = dns01.route53?.zones ?? {};
  const targets = Object.values(dns01.route53?.cnameTargets ?? {});
  for (const domain of Object.keys(perDomain)) {
    if (dnsNames.some((name) => name.replace(/^\*\./, '') === domain || name.endsWith(`.${domain}`))) continue;
    if (targets.some((target) => target === domain || target.endsWith(`.${domain}`))) continue;
    return { key: writtenKeys.get(perDomain)?.get(domain) ?? domain, reason: 'matches none of certificate.dnsNames' };
  }
  return undefined;
}
