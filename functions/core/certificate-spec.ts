/**
 * The execution input of the certificate state machine, validated once at the start so
 * that every later phase can trust it and a bad request never reaches the CA. The schema of
 * a certificate is also the schema of each entry of certstep.config.json's certificates.
 */
import * as z from 'zod/mini';
import { InvalidInput } from './errors.js';
import { type AcmConfig, cloudFrontKeyRefusal } from './acm-config.js';
import { acmSchema } from './acm-schema.js';
import type { Dns01Config } from './dns01-config.js';
import { dns01Schema, zoneMatchingNoName } from './dns01-schema.js';
import { normalizeDnsName } from './dns-name.js';
import { readerList } from './principal-arn.js';
import { DEFAULT_KEY_ALGORITHM, KEY_ALGORITHMS, type KeyAlgorithm } from './key-algorithm.js';
import { DURATION, parseDuration } from './duration.js';
import { type EchoParams, expected, firstIssueMessage, show } from './validation.js';

export { normalizeDnsName } from './dns-name.js';
export type { DnsNameResult } from './dns-name.js';
export { DEFAULT_KEY_ALGORITHM, KEY_ALGORITHMS, type KeyAlgorithm } from './key-algorithm.js';
export { durationToMilliseconds } from './duration.js';

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
  /**
   * IAM principals besides certstep's own functions that may read this certificate's secret (its
   * resource policy says so when the secret is made); the stack's `readers` come on top.
   */
  readers?: string[];
}

export interface ExecutionInput {
  certificate: CertificateSpec;
  force: boolean;
  /** Order a test certificate (from the issuer's staging directory when it has one), verify it, discard it. */
  dryRun?: boolean;
}

export const DEFAULT_RENEW_BEFORE = 'P30D';
/** Let's Encrypt's limit on names per certificate. */
export const MAX_DNS_NAMES = 100;
/** Raw entries beyond this are refused unread, however many duplicates they hold. */
export const MAX_RAW_DNS_NAMES = 1000;

const MAX_RENEW_BEFORE_MS = 365 * 24 * 60 * 60 * 1000;
const NAME_RULE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const PROFILE_RULE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const dnsName = z.pipe(
  z.string({ error: (issue) => `must be a string (got ${show(issue.input)})` }),
  z.transform((text, ctx) => {
    const result = normalizeDnsName(text);
    if (result.ok) return result.name;
    const params: EchoParams = { echo: show(text) };
    ctx.issues.push({ code: 'custom', message: result.reason, input: text, params, continue: false });
    return z.NEVER;
  }),
);

/** Checked before any element is read, so a huge array costs nothing to refuse. */
const dnsNameList = z
  .custom<unknown[]>((value) => Array.isArray(value) && value.length > 0 && value.length <= MAX_RAW_DNS_NAMES, {
    error: ({ input }) => {
      if (input === undefined) return 'required';
      if (!Array.isArray(input)) return `must be an array of DNS names (got ${show(input)})`;
      if (input.length === 0) return 'must contain at least one DNS name';
      return `must have at most ${MAX_RAW_DNS_NAMES} entries (got ${input.length})`;
    },
  })
  .register(z.globalRegistry, { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: MAX_RAW_DNS_NAMES });

const dnsNames = z.pipe(
  dnsNameList,
  z.pipe(
    z.array(dnsName),
    z.transform((names, ctx) => {
      // A Set iterates in insertion order, which keeps the first spelling's position.
      const distinct = [...new Set(names)];
      if (distinct.length <= MAX_DNS_NAMES) return distinct;
      ctx.issues.push({
        code: 'custom',
        message: `must have at most ${MAX_DNS_NAMES} distinct names after normalisation (got ${distinct.length})`,
        input: names,
      });
      return z.NEVER;
    }),
  ),
);

const renewBefore = z
  .string({ error: expected('a string') })
  .check(
    z.superRefine((text, ctx) => {
      const result = parseDuration(text);
      if (!result.ok) ctx.addIssue(result.reason);
      else if (result.ms > MAX_RENEW_BEFORE_MS) {
        ctx.addIssue(`must be at most P365D; longer than any certificate lifetime, it would renew on every run (got ${show(text)})`);
      }
    }),
  )
  // For editors, through the JSON Schema: the same units, without the limits.
  .register(z.globalRegistry, { pattern: DURATION.source });

/** One certificate: the execution input's `certificate`, and each of certstep.config.json's `certificates`. */
export const certificateSpecSchema = z
  .strictObject(
    {
      name: z.string({ error: expected('a string') }).check(
        z.regex(NAME_RULE, {
          error: ({ input }) =>
            `must be 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit, because it names files and AWS secrets (got ${show(input)})`,
        }),
      ),
      dnsNames,
      issuer: z.string({ error: expected('a string') }),
      keyAlgorithm: z._default(
        z.enum(KEY_ALGORITHMS, { error: ({ input }) => `must be one of ${KEY_ALGORITHMS.join(', ')} (got ${show(input)})` }),
        DEFAULT_KEY_ALGORITHM,
      ),
      renewBefore: z._default(renewBefore, DEFAULT_RENEW_BEFORE),
      dns01: z.optional(dns01Schema),
      acm: z.optional(acmSchema),
      /** Profile names are short tokens chosen by the CA (draft-ietf-acme-profiles). */
      profile: z.optional(
        z
          .string({ error: expected('a string') })
          .check(z.regex(PROFILE_RULE, { error: ({ input }) => `must be a profile name the CA lists, such as tlsserver or shortlived (got ${show(input)})` })),
      ),
      rotationPolicy: z.optional(z.enum(['Always', 'Never'], { error: ({ input }) => `must be "Always" or "Never" (got ${show(input)})` })),
      readers: z.optional(readerList),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? 'unknown field' : expected('a JSON object')(issue)) },
  )
  .check(
    z.superRefine((spec, ctx) => {
      const zone = spec.dns01 && zoneMatchingNoName(spec.dns01, spec.dnsNames);
      if (zone) ctx.addIssue({ code: 'custom', path: ['dns01', 'route53', 'zones', zone.key], message: zone.reason });
      const refusal = spec.acm && cloudFrontKeyRefusal(spec.acm, spec.keyAlgorithm);
      if (refusal) ctx.addIssue({ code: 'custom', path: ['keyAlgorithm'], message: refusal });
    }),
  );

export const executionInputSchema = z.strictObject(
  {
    certificate: certificateSpecSchema,
    force: z._default(z.boolean({ error: ({ input }) => `must be a boolean (got ${show(input)})` }), false),
    // Optional rather than defaulted: the inputs schedules and triggers send stay as they were.
    dryRun: z.optional(z.boolean({ error: ({ input }) => `must be a boolean (got ${show(input)})` })),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? 'unknown field' : `must be a JSON object (got ${show(issue.input)})`) },
);

/**
 * Validate and normalise the state machine's execution input. Throws InvalidInput naming
 * the first offending field (`certificate.dnsNames[1] "…": reason`); nothing is defaulted
 * silently except the documented optional fields.
 */
export function parseExecutionInput(raw: unknown, knownIssuers: ReadonlySet<string>): ExecutionInput {
  const result = executionInputSchema.safeParse(raw);
  if (!result.success) throw new InvalidInput(firstIssueMessage(result.error.issues, 'execution input'));
  const input: ExecutionInput = result.data;
  const refusal = unknownIssuerReason(input.certificate.issuer, knownIssuers);
  if (refusal) throw new InvalidInput(`certificate.issuer: ${refusal}`);
  return input;
}

/** Issuers are configured per deployment, so the schema cannot list them: checked after it. */
export function unknownIssuerReason(issuer: string, knownIssuers: ReadonlySet<string>): string | undefined {
  if (knownIssuers.has(issuer)) return undefined;
  const known = [...knownIssuers].sort();
  return known.length === 0
    ? `unknown issuer ${show(issuer)}: no issuers are configured`
    : `unknown issuer ${show(issuer)}; known issuers: ${known.join(', ')}`;
}
