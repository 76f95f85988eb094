/**
 * The execution input of the certificate state machine, validated once at the start so
 * that every later phase can trust it and a bad request never reaches the CA.
 */
import { InvalidInput } from './errors.js';
import { type AcmConfig, parseAcmConfig } from './acm-config.js';
import { type Dns01Config, parseDns01Config } from './dns01-config.js';
import { normalizeDnsName } from './dns-name.js';

export { normalizeDnsName } from './dns-name.js';
export type { DnsNameResult } from './dns-name.js';

export const KEY_ALGORITHMS = ['ecdsa-p256', 'ecdsa-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096'] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

export interface CertificateSpec {
  /** Used as a file name and an AWS secret name, hence the DNS-label rule. */
  name: string;
  /** Normalised: lowercase, ASCII (punycode), no trailing dot, deduplicated, input order kept. */
  dnsNames: string[];
  issuer: string;
  keyAlgorithm: KeyAlgorithm;
  /** ISO 8601 duration, as given. */
  renewBefore: string;
  /** Where the challenge records go; absent means the defaults (longest public zone). */
  dns01?: Dns01Config;
  /** Also import every issued certificate into ACM in these regions. */
  acm?: AcmConfig;
  /** ACME profile to ask the CA for (sent on newOrder), e.g. Let's Encrypt's `tlsserver` or `shortlived`. */
  profile?: string;
  /** `Always` (default): a new key at every issuance. `Never`: keep the current key while keyAlgorithm is unchanged. */
  rotationPolicy?: 'Always' | 'Never';
}

export interface ExecutionInput {
  certificate: CertificateSpec;
  force: boolean;
}

export const DEFAULT_KEY_ALGORITHM: KeyAlgorithm = 'ecdsa-p256';
export const DEFAULT_RENEW_BEFORE = 'P30D';
/** Let's Encrypt's limit on names per certificate. */
export const MAX_DNS_NAMES = 100;
/** Raw entries beyond this are refused unread, however many duplicates they hold. */
export const MAX_RAW_DNS_NAMES = 1000;

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_RENEW_BEFORE_MS = 365 * DAY_MS;
const NAME_RULE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

// Calendar units are missing on purpose: a year or a month has no fixed length.
const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;
const DURATION_UNIT_MS = [7 * DAY_MS, DAY_MS, 60 * 60 * 1000, 60 * 1000, 1000] as const;

type DurationResult = { ok: true; ms: number } | { ok: false; reason: string };

function parseDuration(iso: string): DurationResult {
  const match = DURATION.exec(iso);
  if (!match || iso.endsWith('T') || iso === 'P') {
    const datePart = iso.split('T')[0] ?? '';
    if (/^P.*[YM]/.test(datePart)) {
      return {
        ok: false,
        reason: `years (Y) and months (M) are not accepted because their length varies; use weeks (W) or days (D) (got ${show(iso)})`,
      };
    }
    return {
      ok: false,
      reason: `must be an ISO 8601 duration in whole weeks, days, hours, minutes or seconds, such as P30D or PT12H (got ${show(iso)})`,
    };
  }
  let ms = 0;
  DURATION_UNIT_MS.forEach((unitMs, i) => {
    ms += Number(match[i + 1] ?? 0) * unitMs;
  });
  if (!Number.isSafeInteger(ms)) return { ok: false, reason: `is too long (got ${show(iso)})` };
  if (ms <= 0) return { ok: false, reason: `must be longer than zero (got ${show(iso)})` };
  return { ok: true, ms };
}

/**
 * Length in milliseconds of an ISO 8601 duration made of W, D, H, M (minutes) and S in
 * whole numbers; undefined when the text is anything else, uses Y or M (months), or is
 * not longer than zero.
 */
export function durationToMilliseconds(iso: string): number | undefined {
  const result = parseDuration(iso);
  return result.ok ? result.ms : undefined;
}

/**
 * Validate and normalise the state machine's execution input. Throws InvalidInput naming
 * the first offending field (`certificate.dnsNames[1] "…": reason`); nothing is defaulted
 * silently except the documented optional fields.
 */
export function parseExecutionInput(raw: unknown, knownIssuers: ReadonlySet<string>): ExecutionInput {
  const input = expectObject(raw, 'execution input');
  rejectUnknownKeys(input, ['certificate', 'force'], '');
  if (input.certificate === undefined) invalid('certificate', 'required');
  const cert = expectObject(input.certificate, 'certificate');
  rejectUnknownKeys(cert, ['name', 'dnsNames', 'issuer', 'keyAlgorithm', 'renewBefore', 'dns01', 'acm', 'profile', 'rotationPolicy'], 'certificate');

  let force = false;
  if (input.force !== undefined) {
    if (typeof input.force !== 'boolean') invalid('force', `must be a boolean (got ${show(input.force)})`);
    force = input.force;
  }

  const name = parseName(cert.name);
  const dnsNames = parseDnsNames(cert.dnsNames);
  const keyAlgorithm = parseKeyAlgorithm(cert.keyAlgorithm);
  return {
    certificate: {
      name,
      dnsNames,
      issuer: parseIssuer(cert.issuer, knownIssuers),
      keyAlgorithm,
      renewBefore: parseRenewBefore(cert.renewBefore),
      ...(cert.dns01 !== undefined && { dns01: parseDns01Config(cert.dns01, dnsNames, invalid) }),
      ...(cert.acm !== undefined && { acm: parseAcmConfig(cert.acm, keyAlgorithm, invalid) }),
      ...(cert.profile !== undefined && { profile: parseProfile(cert.profile) }),
      ...(cert.rotationPolicy !== undefined && { rotationPolicy: parseRotationPolicy(cert.rotationPolicy) }),
    },
    force,
  };
}

function parseName(value: unknown): string {
  const path = 'certificate.name';
  const text = expectString(value, path);
  if (!NAME_RULE.test(text)) {
    invalid(
      path,
      `must be 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit, because it names files and AWS secrets (got ${show(text)})`,
    );
  }
  return text;
}

function parseDnsNames(value: unknown): string[] {
  const path = 'certificate.dnsNames';
  if (value === undefined) invalid(path, 'required');
  if (!Array.isArray(value)) invalid(path, `must be an array of DNS names (got ${show(value)})`);
  if (value.length === 0) invalid(path, 'must contain at least one DNS name');
  if (value.length > MAX_RAW_DNS_NAMES) {
    invalid(path, `must have at most ${MAX_RAW_DNS_NAMES} entries (got ${value.length})`);
  }

  const names = new Set<string>();
  value.forEach((element: unknown, i) => {
    const elementPath = `${path}[${i}]`;
    if (typeof element !== 'string') invalid(elementPath, `must be a string (got ${show(element)})`);
    const result = normalizeDnsName(element);
    if (!result.ok) invalid(`${elementPath} ${show(element)}`, result.reason);
    names.add(result.name);
  });
  if (names.size > MAX_DNS_NAMES) {
    invalid(path, `must have at most ${MAX_DNS_NAMES} distinct names after normalisation (got ${names.size})`);
  }
  // A Set iterates in insertion order, which keeps the first spelling's position.
  return [...names];
}

function parseIssuer(value: unknown, knownIssuers: ReadonlySet<string>): string {
  const path = 'certificate.issuer';
  const text = expectString(value, path);
  if (!knownIssuers.has(text)) {
    const known = [...knownIssuers].sort();
    invalid(
      path,
      known.length === 0
        ? `unknown issuer ${show(text)}: no issuers are configured`
        : `unknown issuer ${show(text)}; known issuers: ${known.join(', ')}`,
    );
  }
  return text;
}

/** Profile names are short tokens chosen by the CA (draft-ietf-acme-profiles). */
function parseProfile(value: unknown): string {
  const path = 'certificate.profile';
  const text = expectString(value, path);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(text)) invalid(path, `must be a profile name the CA lists, such as tlsserver or shortlived (got ${show(text)})`);
  return text;
}

function parseRotationPolicy(value: unknown): 'Always' | 'Never' {
  if (value !== 'Always' && value !== 'Never') invalid('certificate.rotationPolicy', `must be "Always" or "Never" (got ${show(value)})`);
  return value;
}

function parseKeyAlgorithm(value: unknown): KeyAlgorithm {
  if (value === undefined) return DEFAULT_KEY_ALGORITHM;
  if (!isKeyAlgorithm(value)) {
    invalid('certificate.keyAlgorithm', `must be one of ${KEY_ALGORITHMS.join(', ')} (got ${show(value)})`);
  }
  return value;
}

function isKeyAlgorithm(value: unknown): value is KeyAlgorithm {
  return KEY_ALGORITHMS.some((algorithm) => algorithm === value);
}

function parseRenewBefore(value: unknown): string {
  const path = 'certificate.renewBefore';
  if (value === undefined) return DEFAULT_RENEW_BEFORE;
  const text = expectString(value, path);
  const result = parseDuration(text);
  if (!result.ok) invalid(path, result.reason);
  if (result.ms > MAX_RENEW_BEFORE_MS) {
    invalid(path, `must be at most P365D; longer than any certificate lifetime, it would renew on every run (got ${show(text)})`);
  }
  return text;
}

function invalid(path: string, reason: string): never {
  throw new InvalidInput(`${path}: ${reason}`);
}

function expectObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    invalid(path, `must be a JSON object (got ${show(value)})`);
  }
  return value as Record<string, unknown>;
}

function expectString(value: unknown, path: string): string {
  if (value === undefined) invalid(path, 'required');
  if (typeof value !== 'string') invalid(path, `must be a string (got ${show(value)})`);
  return value;
}

function rejectUnknownKeys(object: Record<string, unknown>, allowed: readonly string[], parent: string): void {
  for (const key of Object.keys(object)) {
    if (allowed.includes(key)) continue;
    const segment = /^[A-Za-z_$][\w$]{0,63}$/.test(key) ? key : `[${show(key)}]`;
    const path = parent === '' ? segment : segment.startsWith('[') ? parent + segment : `${parent}.${segment}`;
    invalid(path, 'unknown field');
  }
}

/** A field name as it may appear in a message: short, or quoted and cut. */
export function fieldName(key: string): string {
  return /^[A-Za-z_$][\w$]{0,63}$/.test(key) ? key : `[${show(key)}]`;
}

/** Echoes a value into a message without letting a huge or odd input flood the log. */
function show(value: unknown): string {
  if (typeof value === 'string') {
    if (value.length <= 80) return JSON.stringify(value);
    return `${JSON.stringify(`${value.slice(0, 80)}…`)} (${value.length} characters)`;
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (value === undefined) return 'nothing';
  return `${typeof value} ${String(value)}`;
}
