/**
 * The one file a user edits (certstep.config.json), validated at synth so that a mistake
 * fails `cdk synth` with the field's path instead of failing an execution weeks later.
 * Certificates go through the state machine's own parseExecutionInput, so the stack, the
 * CLI and an input typed into the console accept exactly the same specs.
 */
import { readFileSync } from 'node:fs';
import { type CertificateSpec, durationToMilliseconds, parseExecutionInput } from '../functions/core/certificate-spec.js';
import { type Dns01Config, parseDns01Config } from '../functions/core/dns01-config.js';
import { normalizeDnsName } from '../functions/core/dns-name.js';
import type { IssuerSetting } from '../functions/runtime/config.js';
import { challengeTargets, effectiveDns01 } from './dns-plan.js';

export const ISSUER_PRESETS = {
  letsencrypt: 'https://acme-v02.api.letsencrypt.org/directory',
  'letsencrypt-staging': 'https://acme-staging-v02.api.letsencrypt.org/directory',
} as const;
export type IssuerPreset = keyof typeof ISSUER_PRESETS;

/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** About four resources per certificate, under CloudFormation's 500 per stack with room for the rest. */
export const MAX_CERTIFICATES = 100;
/** Lambda's limit on all environment variables of a function together. */
const LAMBDA_ENVIRONMENT_BYTES = 4096;

/** The JSON a user writes; validateConfig checks it and fills in the defaults (docs/configuration.md). */
export interface CertstepConfigInput {
  readonly $schema?: string;
  readonly stackName?: string;
  readonly resourcePrefix?: string;
  readonly notificationEmail: string;
  /** Default ACME contact for issuers without their own. */
  readonly email?: string;
  readonly issuers: readonly IssuerInput[];
  readonly certificates: readonly CertificateInput[];
  readonly kmsKeyArn?: string;
  readonly alarmDaysBeforeExpiry?: number;
  /** Per certificate name, overriding alarmDaysBeforeExpiry (short-lived certificates need less than a day or two). */
  readonly expiryAlarmDays?: Readonly<Record<string, number>>;
  readonly logRetentionDays?: number;
  readonly dailyCheckSchedule?: string;
}

export interface IssuerInput {
  /** Defaults to the preset's name. */
  readonly name?: string;
  readonly preset?: IssuerPreset;
  readonly directoryUrl?: string;
  readonly email?: string;
  readonly eab?: { readonly keyId: string; readonly hmacKeySecretName: string };
  readonly dns01?: Dns01Config;
}

/**
 * The `certificate` of an execution input, before normalisation; derived from CertificateSpec
 * so that fields the state machine learns (profile, ...) are accepted here too.
 */
export type CertificateInput = Pick<CertificateSpec, 'name' | 'issuer'> &
  Partial<Omit<CertificateSpec, 'name' | 'issuer' | 'dnsNames'>> & { readonly dnsNames: readonly string[] };

export interface CertstepConfig {
  readonly stackName: string;
  /** Names the state machine, schedule groups, alarms and secrets: `<prefix>/certificates/<name>`. */
  readonly resourcePrefix: string;
  readonly notificationEmail: string;
  /** In the form the Lambdas read from CERTSTEP_ISSUERS. */
  readonly issuers: readonly IssuerSetting[];
  /** Normalised, exactly as they go into each execution input. */
  readonly certificates: readonly CertificateSpec[];
  readonly kmsKeyArn?: string;
  readonly alarmDaysBeforeExpiry: number;
  /** The expiry alarm threshold of every certificate, in days. */
  readonly expiryAlarmDays: ReadonlyMap<string, number>;
  readonly logRetentionDays: number;
  readonly dailyCheckSchedule: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const TOP_LEVEL_KEYS = [
  '$schema', 'stackName', 'resourcePrefix', 'notificationEmail', 'email', 'issuers', 'certificates',
  'kmsKeyArn', 'alarmDaysBeforeExpiry', 'expiryAlarmDays', 'logRetentionDays', 'dailyCheckSchedule',
];
const ISSUER_KEYS = ['name', 'preset', 'directoryUrl', 'email', 'eab', 'dns01'];
const ISSUER_NAME = /^[a-z0-9-]{1,63}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const PREFIX = /^[a-z][a-z0-9-]{0,19}$/;
const SCHEDULE = /^(cron|rate)\(.+\)$/;

/** The file as JSON, not yet validated; errors name the file. */
export function readConfigFile(path: string, source: string = path): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${source}: cannot read the configuration (${(error as Error).message})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigError(`${source}: not valid JSON: ${(error as Error).message}`);
  }
}

export function loadConfig(path: string, source: string = path): CertstepConfig {
  return validateConfig(readConfigFile(path, source), source);
}

export function validateConfig(raw: unknown, source = 'configuration'): CertstepConfig {
  const fail = (path: string, reason: string): never => {
    throw new ConfigError(`${source}: ${path}: ${reason}`);
  };
  const root = object(raw, '(top level)', fail);
  for (const key of Object.keys(root)) if (!TOP_LEVEL_KEYS.includes(key)) fail(key, `unknown field; known fields: ${TOP_LEVEL_KEYS.slice(1).join(', ')}`);

  const defaultEmail = optionalString(root.email, 'email', EMAIL, 'an e-mail address', fail);
  const issuers = list(root.issuers, 'issuers', fail).map((entry, index) => parseIssuer(entry, `issuers[${index}]`, defaultEmail, fail));
  issuers.forEach((issuer, index) => {
    const first = issuers.findIndex((other) => other.name === issuer.name);
    if (first !== index) fail(`issuers[${index}].name`, `"${issuer.name}" is already the name of issuers[${first}]`);
  });
  const issuerNames = new Set(issuers.map((issuer) => issuer.name));

  const rawCertificates = list(root.certificates, 'certificates', fail);
  if (rawCertificates.length > MAX_CERTIFICATES) {
    fail('certificates', `at most ${MAX_CERTIFICATES} per stack (CloudFormation allows 500 resources and each certificate needs about four); deploy a second stack with another resourcePrefix`);
  }
  const certificates = rawCertificates.map((entry, index) => parseCertificate(entry, index, issuerNames, source));
  certificates.forEach((certificate, index) => {
    const first = certificates.findIndex((other) => other.name === certificate.name);
    if (first !== index) fail(`certificates[${index}].name`, `"${certificate.name}" is already the name of certificates[${first}]; names become secret names and must be unique`);
    checkZones(certificate, index, issuers, fail);
  });

  const alarmDaysBeforeExpiry = optionalInteger(root.alarmDaysBeforeExpiry, 'alarmDaysBeforeExpiry', 1, 89, fail) ?? 14;
  const overrides = root.expiryAlarmDays === undefined ? {} : object(root.expiryAlarmDays, 'expiryAlarmDays', fail);
  for (const [name, days] of Object.entries(overrides)) {
    const path = `expiryAlarmDays[${JSON.stringify(name)}]`;
    if (!certificates.some((certificate) => certificate.name === name)) fail(path, 'names no certificate');
    if (typeof days !== 'number' || !(days > 0) || days > 89) fail(path, `must be a number of days above 0 and at most 89 (got ${JSON.stringify(days)})`);
  }
  const expiryAlarmDays = new Map(certificates.map((certificate) => [certificate.name, (overrides[certificate.name] as number | undefined) ?? alarmDaysBeforeExpiry]));
  certificates.forEach((certificate, index) => {
    const days = expiryAlarmDays.get(certificate.name) ?? alarmDaysBeforeExpiry;
    const renewBeforeDays = (durationToMilliseconds(certificate.renewBefore) ?? 0) / 86_400_000;
    if (days >= renewBeforeDays) {
      const field = certificate.name in overrides ? `expiryAlarmDays[${JSON.stringify(certificate.name)}]` : 'alarmDaysBeforeExpiry';
      fail(field, `${days} days is not below certificates[${index}].renewBefore ${certificate.renewBefore}: the expiry alarm would fire before certstep even tries to renew`);
    }
  });

  const logRetentionDays = optionalInteger(root.logRetentionDays, 'logRetentionDays', 1, 3653, fail) ?? 90;
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
    fail('logRetentionDays', `CloudWatch Logs accepts only ${LOG_RETENTION_DAYS.join(', ')} (got ${logRetentionDays})`);
  }
  const notificationEmail = optionalString(root.notificationEmail, 'notificationEmail', EMAIL, 'an e-mail address', fail)
    ?? fail('notificationEmail', 'required: failed renewals and expiring certificates are reported to this address');
  const kmsKeyArn = optionalString(root.kmsKeyArn, 'kmsKeyArn', KMS_KEY_ARN, 'a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/<id> (not an alias)', fail);
  const config: CertstepConfig = {
    stackName: optionalString(root.stackName, 'stackName', STACK_NAME, 'a CloudFormation stack name (letters, digits, "-")', fail) ?? 'Certstep',
    resourcePrefix: optionalString(root.resourcePrefix, 'resourcePrefix', PREFIX, '1-20 lowercase letters, digits or "-", starting with a letter', fail) ?? 'certstep',
    notificationEmail,
    issuers,
    certificates,
    ...(kmsKeyArn && { kmsKeyArn }),
    alarmDaysBeforeExpiry,
    expiryAlarmDays,
    logRetentionDays,
    dailyCheckSchedule: optionalString(root.dailyCheckSchedule, 'dailyCheckSchedule', SCHEDULE, 'an EventBridge Scheduler cron(...) or rate(...) expression', fail) ?? 'cron(0 4 * * ? *)',
  };
  const environment = Buffer.byteLength(issuersEnvironment(config.issuers));
  if (environment > LAMBDA_ENVIRONMENT_BYTES - 1024) {
    fail('issuers', `take ${environment} bytes as the Lambdas' CERTSTEP_ISSUERS variable, over the 3 KB the stack leaves them of Lambda's 4 KB environment; move per-domain zones from the issuers' dns01 into the certificates`);
  }
  return config;
}

/** CERTSTEP_ISSUERS, as functions/runtime/config.ts reads it. */
export function issuersEnvironment(issuers: readonly IssuerSetting[]): string {
  return JSON.stringify(issuers);
}

type Fail = (path: string, reason: string) => never;

function parseIssuer(raw: unknown, path: string, defaultEmail: string | undefined, fail: Fail): IssuerSetting {
  const entry = object(raw, path, fail);
  for (const key of Object.keys(entry)) if (!ISSUER_KEYS.includes(key)) fail(`${path}.${key}`, `unknown field; known fields: ${ISSUER_KEYS.join(', ')}`);
  let directoryUrl: string;
  let presetName: string | undefined;
  if (entry.preset !== undefined) {
    if (entry.directoryUrl !== undefined) fail(path, 'give either preset or directoryUrl, not both');
    if (typeof entry.preset !== 'string' || !(entry.preset in ISSUER_PRESETS)) {
      fail(`${path}.preset`, `must be one of ${Object.keys(ISSUER_PRESETS).join(', ')} (got ${JSON.stringify(entry.preset)})`);
    }
    presetName = entry.preset;
    directoryUrl = ISSUER_PRESETS[entry.preset as IssuerPreset];
  } else {
    directoryUrl = optionalString(entry.directoryUrl, `${path}.directoryUrl`, /^https:\/\/\S+$/, 'an https:// ACME directory URL', fail)
      ?? fail(path, `needs a preset (${Object.keys(ISSUER_PRESETS).join(', ')}) or a directoryUrl`);
  }
  const name = optionalString(entry.name, `${path}.name`, ISSUER_NAME, '1-63 lowercase letters, digits or "-"', fail)
    ?? presetName ?? fail(`${path}.name`, 'required when no preset is given');
  const email = optionalString(entry.email, `${path}.email`, EMAIL, 'an e-mail address', fail) ?? defaultEmail;
  let eab: { eabKeyId: string; eabHmacSecretId: string } | undefined;
  if (entry.eab !== undefined) {
    const eabEntry = object(entry.eab, `${path}.eab`, fail);
    for (const key of Object.keys(eabEntry)) if (key !== 'keyId' && key !== 'hmacKeySecretName') fail(`${path}.eab.${key}`, 'unknown field; known fields: keyId, hmacKeySecretName');
    eab = {
      eabKeyId: optionalString(eabEntry.keyId, `${path}.eab.keyId`, /^\S{1,1024}$/, 'the key id the CA gave you', fail) ?? fail(`${path}.eab.keyId`, 'required'),
      eabHmacSecretId: optionalString(eabEntry.hmacKeySecretName, `${path}.eab.hmacKeySecretName`, SECRET_NAME, 'a Secrets Manager secret name', fail)
        ?? fail(`${path}.eab.hmacKeySecretName`, 'required: the name of the Secrets Manager secret you created holding the HMAC key'),
    };
  }
  let dns01: Dns01Config | undefined;
  if (entry.dns01 !== undefined) {
    // Issuer-wide zones apply to whichever certificates they match, so each is checked against itself only.
    const zones = (entry.dns01 as { route53?: { zones?: unknown } } | null)?.route53?.zones;
    const domains = zones && typeof zones === 'object' ? Object.keys(zones).map((domain) => { const result = normalizeDnsName(domain); return result.ok ? result.name : domain; }) : [];
    dns01 = parseDns01Config(entry.dns01, domains, (at, reason) => fail(at.replace(/^certificate\.dns01/, `${path}.dns01`), reason));
    if (dns01.cnameStrategy === 'Follow') fail(`${path}.dns01.cnameStrategy`, FOLLOW_UNSUPPORTED);
  }
  return { name, directoryUrl, ...(email && { email }), ...eab, ...(dns01 && { dns01 }) };
}

const FOLLOW_UNSUPPORTED =
  '"Follow" is not supported by the CDK stack: the zone of a CNAME target is only known at run time, and least-privilege IAM needs every hosted zone and record name at synth time';

function parseCertificate(raw: unknown, index: number, issuerNames: ReadonlySet<string>, source: string): CertificateSpec {
  try {
    return parseExecutionInput({ certificate: raw, force: false }, issuerNames).certificate;
  } catch (error) {
    // parseExecutionInput names fields from the execution input's point of view: `certificate.dnsNames[0] ...`.
    const message = (error as Error).message.replace(/^certificate(?=[.[:\s])/, `certificates[${index}]`);
    throw new ConfigError(`${source}: ${message}`);
  }
}

function checkZones(certificate: CertificateSpec, index: number, issuers: readonly IssuerSetting[], fail: Fail): void {
  const path = `certificates[${index}]`;
  const dns01 = effectiveDns01(issuers, certificate);
  if (dns01.cnameStrategy === 'Follow') fail(`${path}.dns01.cnameStrategy`, FOLLOW_UNSUPPORTED);
  for (const target of challengeTargets(dns01, certificate.dnsNames)) {
    if (target.zone) continue;
    const at = certificate.dnsNames.indexOf(target.dnsName);
    const domain = target.dnsName.replace(/^\*\./, '');
    fail(
      `${path}.dnsNames[${at}] "${target.dnsName}"`,
      `no hosted zone id: set ${path}.dns01.route53.hostedZoneId or ${path}.dns01.route53.zones["${domain}"].hostedZoneId (or the issuer's dns01). ` +
        'Least-privilege IAM limits route53:ChangeResourceRecordSets to named hosted zones and record names, so the stack needs a zone id for every name at synth time',
    );
  }
}

function object(value: unknown, path: string, fail: Fail): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'must be a JSON object');
  return value as Record<string, unknown>;
}

function list(value: unknown, path: string, fail: Fail): unknown[] {
  if (!Array.isArray(value) || value.length === 0) fail(path, 'must be a non-empty array');
  return value as unknown[];
}

function optionalString(value: unknown, path: string, rule: RegExp, what: string, fail: Fail): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !rule.test(value)) fail(path, `must be ${what} (got ${JSON.stringify(value)})`);
  return value as string;
}

function optionalInteger(value: unknown, path: string, min: number, max: number, fail: Fail): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) fail(path, `must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)})`);
  return value as number;
}
