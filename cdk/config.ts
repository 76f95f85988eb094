/**
 * The one file a user edits (certstep.config.json), validated at synth so that a mistake
 * fails `cdk synth` with the field's path instead of failing an execution weeks later.
 * Certificates are checked by the state machine's own certificate schema, so the stack, the
 * CLI and an input typed into the console accept exactly the same specs. The same schema,
 * as JSON Schema, is schema/certstep.config.schema.json (npm run schema writes it).
 */
import { ConfigError } from '../functions/core/config-error.js';
import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { type CertificateSpec, certificateSpecSchema, durationToMilliseconds, unknownIssuerReason } from '../functions/core/certificate-spec.js';
import type { Dns01Config } from '../functions/core/dns01-config.js';
import { dns01Schema } from '../functions/core/dns01-schema.js';
import { readerList } from '../functions/core/principal-arn.js';
import { firstIssueMessage } from '../functions/core/validation.js';
import type { IssuerSetting } from '../functions/runtime/config.js';
import { cnameTargetFault } from './cname-targets.js';
import { challengeTargets, effectiveDns01 } from './dns-plan.js';

export const ISSUER_PRESETS = {
  letsencrypt: 'https://acme-v02.api.letsencrypt.org/directory',
  'letsencrypt-staging': 'https://acme-staging-v02.api.letsencrypt.org/directory',
} as const;
export type IssuerPreset = keyof typeof ISSUER_PRESETS;

/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

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
  /**
   * Absent or empty: every certificate comes from `certstep apply`. There is no limit on how many:
   * they go into an S3 asset the stack syncs into its catalog, not into the template.
   */
  readonly certificates?: readonly CertificateInput[];
  readonly kmsKeyArn?: string;
  /** `stack`: a customer-managed key the stack creates; `aws-managed` (the default without kmsKeyArn): aws/secretsmanager. */
  readonly secretsKey?: 'stack' | 'aws-managed';
  /** IAM principal ARNs that may read every certificate secret (docs/iam.md, "Who can read a certificate's key"). */
  readonly readers?: readonly string[];
  /** Per certificate name, principals that may read that certificate's secret, besides `readers`. */
  readonly certificateReaders?: Readonly<Record<string, readonly string[]>>;
  /**
   * IAM principal ARNs of the stack's account that may use the ACME account keys besides
   * certstep's functions: the roles operators run `certstep revoke --aws` and
   * `certstep account … --aws` as (docs/iam.md, "Who can use the ACME account key").
   */
  readonly accountAdmins?: readonly string[];
  readonly alarmDaysBeforeExpiry?: number;
  /** Per certificate name, overriding alarmDaysBeforeExpiry (short-lived certificates need less than a day or two). */
  readonly expiryAlarmDays?: Readonly<Record<string, number>>;
  readonly logRetentionDays?: number;
  readonly dailyCheckSchedule?: string;
  /** Every AWS SDK call an X-Ray subsegment (Powertools Tracer). Off by default: docs/operations.md, "Traces". */
  readonly traceAwsCalls?: boolean;
  /** Who hears of each run's outcome (docs/operations.md, "Events and hooks"). */
  readonly notifications?: NotificationsInput;
}

/** Subscribers of the run events, for every certificate of the stack. */
export interface SubscribersInput {
  /** Gets every event (issued, failed, held back, outputs repaired). */
  readonly snsTopicArn?: string;
  /** Invoked with the "Certificate Issued" event only: certbot's deploy hook, serverless. */
  readonly deployHookFunctionArn?: string;
}

export interface NotificationsInput extends SubscribersInput {
  /** Per certificate name, subscribers of that certificate's events, in addition to the stack-wide ones. */
  readonly certificates?: Readonly<Record<string, SubscribersInput>>;
}

/** One subscription: every certificate's events, or one certificate's. */
export interface Subscription extends SubscribersInput {
  readonly certificateName?: string;
}

export interface IssuerInput {
  /** Defaults to the preset's name. */
  readonly name?: string;
  readonly preset?: IssuerPreset;
  readonly directoryUrl?: string;
  readonly email?: string;
  readonly eab?: { readonly keyId: string; readonly hmacKeySecretName: string };
  /** The common name of the issuer an alternate chain should lead to, when the CA offers several. */
  readonly preferredChain?: string;
  /** Where `renew --dry-run` orders (core/issuers.ts); Let's Encrypt production has its staging by default. */
  readonly stagingDirectoryUrl?: string;
  /**
   * PEM of the CA(s) that sign the directory's HTTPS certificate, for a private ACME server (as
   * cert-manager's `caBundle`, but PEM text, not base64): trusted beside the public roots.
   */
  readonly caBundlePem?: string;
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
  /** Present when the stack creates the secrets' key (with kmsKeyArn the key is the user's). */
  readonly secretsKey?: 'stack';
  /** Per certificate name, the principals besides certstep's own functions that may read its secret: `readers` first, then its own. */
  readonly readers: ReadonlyMap<string, readonly string[]>;
  /** `readers`: every certificate's, named in each secret's policy when a function makes it (each certificate's own are in its spec). */
  readonly stackReaders: readonly string[];
  /** `accountAdmins`: besides the functions that talk to the CA, who may read and write the ACME account secrets. */
  readonly accountAdmins: readonly string[];
  readonly alarmDaysBeforeExpiry: number;
  /** The expiry alarm threshold of every certificate, in days. */
  readonly expiryAlarmDays: ReadonlyMap<string, number>;
  readonly logRetentionDays: number;
  readonly dailyCheckSchedule: string;
  /** Whether the functions load Powertools Tracer (POWERTOOLS_TRACE_ENABLED); the state machine and every function are traced either way. */
  readonly traceAwsCalls: boolean;
  /** Stack-wide first, then per certificate in configuration order. */
  readonly subscriptions: readonly Subscription[];
}

export { ConfigError };

const ISSUER_NAME = /^[a-z0-9-]{1,63}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
/** An X.509 common name: at most 64 characters (RFC 5280), on one line, no space at either end. */
const PREFERRED_CHAIN = /^\S(?:[^\n\r\t]{0,62}\S)?$/;
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const PREFIX = /^[a-z][a-z0-9-]{0,19}$/;
const SCHEDULE = /^(cron|rate)\(.+\)$/;
/** A standard topic: EventBridge cannot deliver to a FIFO topic without a message group it does not set here. */
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z]{2}(-[a-z]+)+-\d:\d{12}:[A-Za-z0-9_-]{1,256}$/;
/** A function, optionally with a version or alias; not a layer or an event source mapping. */
const LAMBDA_FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[a-z]{2}(-[a-z]+)+-\d:\d{12}:function:[A-Za-z0-9_-]{1,64}(:(\$LATEST|[A-Za-z0-9_-]{1,128}))?$/;
const PRESET_NAMES = Object.keys(ISSUER_PRESETS) as IssuerPreset[];
/** Each distinct reader is named in the key policy (32 KB) and in the secret policies (20 KB each). */
export const MAX_READERS = 100;
const SECRETS_KEYS = ['stack', 'aws-managed'] as const;

type Reason = (issue: { input?: unknown }) => string;

/** `must be <what> (got <value>)`, or `required` followed by why when the value is missing. */
const mustBe =
  (what: string, required = 'required'): Reason =>
  ({ input }) =>
    input === undefined ? required : `must be ${what} (got ${JSON.stringify(input)})`;

const text = (rule: RegExp, what: string, required?: string) =>
  z.string({ error: mustBe(what, required) }).check(z.regex(rule, { error: mustBe(what, required) }));

const wholeNumber = (min: number, max: number) => {
  const error = mustBe(`a whole number from ${min} to ${max}`);
  return z.int({ error }).check(z.gte(min, { error }), z.lte(max, { error }));
};

/** Strict, and an unknown field's message lists the known ones: the likely cause is a typo. */
const section = <S extends z.core.$ZodLooseShape>(shape: S, known = Object.keys(shape)) =>
  z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown field; known fields: ${known.join(', ')}` : 'must be a JSON object'),
  });

const nonEmptyArray = <T extends z.core.SomeType>(element: T) =>
  z.array(element, { error: 'must be a non-empty array' }).check(z.minLength(1, { error: 'must be a non-empty array' }));

const subscribersShape = {
  snsTopicArn: z.optional(
    text(SNS_TOPIC_ARN, 'the ARN of a standard SNS topic such as arn:aws:sns:eu-west-1:123456789012:certstep-events (not a FIFO topic, not a name)'),
  ),
  deployHookFunctionArn: z.optional(
    text(LAMBDA_FUNCTION_ARN, 'the ARN of a Lambda function such as arn:aws:lambda:eu-west-1:123456789012:function:reload-nginx (not a name)'),
  ),
};
const subscribersSchema = section(subscribersShape);
const notificationsSchema = section(
  {
    ...subscribersShape,
    certificates: z.optional(
      z.record(z.string(), subscribersSchema, { error: 'must be a JSON object: certificate name → { snsTopicArn, deployHookFunctionArn }' }),
    ),
  },
  ['snsTopicArn', 'deployHookFunctionArn', 'certificates'],
);

/**
 * Every function gets the issuers in CERTSTEP_ISSUERS, within the 3 KB of Lambda's 4 KB
 * environment the stack leaves them (checked in settle): room for a CA certificate or two, not
 * a system bundle.
 */
const CA_BUNDLE_MAX = 2500;
const CA_BUNDLE_PEM = new RegExp(`^(?=[\\s\\S]{1,${CA_BUNDLE_MAX}}$)\\s*(-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\\s]+-----END CERTIFICATE-----\\s*)+$`);

const issuerSchema = section(
  {
    preset: z.optional(z.enum(PRESET_NAMES, { error: mustBe(`one of ${PRESET_NAMES.join(', ')}`) })),
    directoryUrl: z.optional(text(/^https:\/\/\S+$/, 'an https:// ACME directory URL')),
    name: z.optional(text(ISSUER_NAME, '1-63 lowercase letters, digits or "-"')),
    email: z.optional(text(EMAIL, 'an e-mail address')),
    eab: z.optional(
      section({
        keyId: text(/^\S{1,1024}$/, 'the key id the CA gave you'),
        hmacKeySecretName: text(
          SECRET_NAME,
          'a Secrets Manager secret name',
          'required: the name of the Secrets Manager secret you created holding the HMAC key',
        ),
      }),
    ),
    preferredChain: z.optional(text(PREFERRED_CHAIN, 'the common name of an issuer in the chain, 1-64 characters, such as "ISRG Root X1"')),
    stagingDirectoryUrl: z.optional(text(/^https:\/\/\S+$/, "an https:// ACME directory URL: the CA's staging directory, for dry runs")),
    caBundlePem: z.optional(text(CA_BUNDLE_PEM, `PEM certificates ("-----BEGIN CERTIFICATE-----" ...), at most ${CA_BUNDLE_MAX} characters`)),
    dns01: z.optional(dns01Schema),
  },
  ['name', 'preset', 'directoryUrl', 'email', 'eab', 'preferredChain', 'stagingDirectoryUrl', 'caBundlePem', 'dns01'],
).check(
  z.superRefine((issuer, ctx) => {
    if (issuer.preset !== undefined && issuer.directoryUrl !== undefined) ctx.addIssue('give either preset or directoryUrl, not both');
    else if (issuer.preset === undefined && issuer.directoryUrl === undefined) ctx.addIssue(`needs a preset (${PRESET_NAMES.join(', ')}) or a directoryUrl`);
    else if (issuer.name === undefined && issuer.preset === undefined)
      ctx.addIssue({ code: 'custom', path: ['name'], message: 'required when no preset is given' });
  }),
);

const TOP_LEVEL = section(
  {
    // In the order the fields were checked before the schema, so the first fault reported stays the same.
    $schema: z.optional(
      z.unknown().register(z.globalRegistry, { type: 'string', description: 'The JSON Schema of this file, for editors; certstep ignores it.' }),
    ),
    email: z.optional(text(EMAIL, 'an e-mail address')),
    issuers: nonEmptyArray(issuerSchema),
    // No upper bound: certificates are data (an S3 asset synced into the catalog), so the template
    // does not grow with them; synth time does, about linearly (docs/configuration.md).
    certificates: z._default(z.array(certificateSpecSchema, { error: 'must be an array (it may be empty)' }), []),
    alarmDaysBeforeExpiry: z._default(wholeNumber(1, 89), 14),
    expiryAlarmDays: z.optional(
      z.record(
        z.string(),
        z
          .number({ error: mustBe('a number of days above 0 and at most 89') })
          .check(
            z.gt(0, { error: mustBe('a number of days above 0 and at most 89') }),
            z.lte(89, { error: mustBe('a number of days above 0 and at most 89') }),
          ),
        { error: 'must be a JSON object' },
      ),
    ),
    logRetentionDays: z._default(
      wholeNumber(1, 3653)
        .check(
          z.refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
            error: ({ input }) => `CloudWatch Logs accepts only ${LOG_RETENTION_DAYS.join(', ')} (got ${String(input)})`,
          }),
        )
        .register(z.globalRegistry, { enum: [...LOG_RETENTION_DAYS] }),
      90,
    ),
    notificationEmail: text(EMAIL, 'an e-mail address', 'required: failed renewals and expiring certificates are reported to this address'),
    kmsKeyArn: z.optional(text(KMS_KEY_ARN, 'a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/<id> (not an alias)')),
    secretsKey: z.optional(z.enum(SECRETS_KEYS, { error: mustBe('"stack" (a key the stack creates) or "aws-managed" (aws/secretsmanager, the default)') })),
    readers: z.optional(readerList),
    certificateReaders: z.optional(z.record(z.string(), readerList, { error: 'must be a JSON object: certificate name → [IAM principal ARN, ...]' })),
    accountAdmins: z.optional(readerList),
    stackName: z._default(text(STACK_NAME, 'a CloudFormation stack name (letters, digits, "-")'), 'Certstep'),
    resourcePrefix: z._default(text(PREFIX, '1-20 lowercase letters, digits or "-", starting with a letter'), 'certstep'),
    dailyCheckSchedule: z._default(text(SCHEDULE, 'an EventBridge Scheduler cron(...) or rate(...) expression'), 'cron(0 4 * * ? *)'),
    traceAwsCalls: z._default(z.boolean({ error: mustBe('true or false') }), false),
    notifications: z.optional(notificationsSchema),
  },
  [
    'stackName',
    'resourcePrefix',
    'notificationEmail',
    'email',
    'issuers',
    'certificates',
    'kmsKeyArn',
    'secretsKey',
    'readers',
    'certificateReaders',
    'accountAdmins',
    'alarmDaysBeforeExpiry',
    'expiryAlarmDays',
    'logRetentionDays',
    'dailyCheckSchedule',
    'traceAwsCalls',
    'notifications',
  ],
);

/** certstep.config.json: its JSON Schema is this schema's input side. */
export const configSchema = z.pipe(
  TOP_LEVEL,
  z.transform((root, ctx): CertstepConfig => {
    const settled = settle(root);
    if (!('fault' in settled)) return settled;
    const { path, message, echo } = settled.fault;
    ctx.issues.push({ code: 'custom', path, message, input: root, ...(echo !== undefined && { params: { echo } }) });
    return z.NEVER;
  }),
);

/** The first fault found by a check that spans fields; `echo` follows the path, as for a DNS name. */
interface Fault {
  readonly fault: { readonly path: PropertyKey[]; readonly message: string; readonly echo?: string };
}

const fault = (path: PropertyKey[], message: string, echo?: string): Fault => ({ fault: { path, message, ...(echo !== undefined && { echo }) } });

/** The checks that span fields, and the defaults that come from other fields. */
function settle(root: z.output<typeof TOP_LEVEL>): CertstepConfig | Fault {
  const issuers: IssuerSetting[] = root.issuers.map(({ name, preset, directoryUrl, email, eab, preferredChain, stagingDirectoryUrl, caBundlePem, dns01 }) => ({
    name: (name ?? preset) as string,
    directoryUrl: preset ? ISSUER_PRESETS[preset] : (directoryUrl as string),
    ...((email ?? root.email) && { email: email ?? root.email }),
    ...(eab && { eabKeyId: eab.keyId, eabHmacSecretId: eab.hmacKeySecretName }),
    ...(preferredChain && { preferredChain }),
    ...(stagingDirectoryUrl && { stagingDirectoryUrl }),
    ...(caBundlePem && { caBundlePem }),
    ...(dns01 && { dns01 }),
  }));
  for (const [index, issuer] of issuers.entries()) {
    const first = issuers.findIndex((other) => other.name === issuer.name);
    if (first !== index) return fault(['issuers', index, 'name'], `"${issuer.name}" is already the name of issuers[${first}]`);
  }
  const issuerNames = new Set(issuers.map((issuer) => issuer.name));
  const certificates: readonly CertificateSpec[] = root.certificates;
  for (const [index, certificate] of certificates.entries()) {
    const refusal = unknownIssuerReason(certificate.issuer, issuerNames);
    if (refusal) return fault(['certificates', index, 'issuer'], refusal);
  }
  for (const [index, certificate] of certificates.entries()) {
    const first = certificates.findIndex((other) => other.name === certificate.name);
    if (first !== index)
      return fault(
        ['certificates', index, 'name'],
        `"${certificate.name}" is already the name of certificates[${first}]; names become secret names and must be unique`,
      );
    const zoneFault = checkZones(certificate, index, issuers);
    if (zoneFault) return zoneFault;
  }

  const { alarmDaysBeforeExpiry } = root;
  const overrides = root.expiryAlarmDays ?? {};
  // Own keys only: a certificate may well be named "constructor".
  const override = (name: string): number | undefined => (Object.hasOwn(overrides, name) ? overrides[name] : undefined);
  const unnamed = Object.keys(overrides).find((name) => !certificates.some((certificate) => certificate.name === name));
  if (unnamed !== undefined) return fault(['expiryAlarmDays', unnamed], 'names no certificate');
  const expiryAlarmDays = new Map(certificates.map((certificate) => [certificate.name, override(certificate.name) ?? alarmDaysBeforeExpiry]));
  for (const [index, certificate] of certificates.entries()) {
    const days = expiryAlarmDays.get(certificate.name) ?? alarmDaysBeforeExpiry;
    const renewBeforeDays = (durationToMilliseconds(certificate.renewBefore) ?? 0) / 86_400_000;
    if (days >= renewBeforeDays) {
      const field = override(certificate.name) === undefined ? ['alarmDaysBeforeExpiry'] : ['expiryAlarmDays', certificate.name];
      return fault(
        field,
        `${days} days is not below certificates[${index}].renewBefore ${certificate.renewBefore}: the expiry alarm would fire before certstep even tries to renew`,
      );
    }
  }

  const subscriptions: Subscription[] = [];
  const { certificates: perCertificate = {}, ...stackWide } = root.notifications ?? {};
  if (stackWide.snsTopicArn || stackWide.deployHookFunctionArn) subscriptions.push(stackWide);
  for (const [name, subscribers] of Object.entries(perCertificate)) {
    if (!certificates.some((certificate) => certificate.name === name)) return fault(['notifications', 'certificates', name], 'names no certificate');
    if (subscribers.snsTopicArn || subscribers.deployHookFunctionArn) subscriptions.push({ certificateName: name, ...subscribers });
  }

  if (root.kmsKeyArn && root.secretsKey)
    return fault(
      ['secretsKey'],
      `kmsKeyArn already names the secrets' key: drop secretsKey to use your key, or drop kmsKeyArn to use secretsKey ${JSON.stringify(root.secretsKey)}`,
    );
  const readers = readersOf(root.readers ?? [], root.certificateReaders ?? {}, certificates);
  if ('fault' in readers) return readers;

  const environment = Buffer.byteLength(issuersEnvironment(issuers));
  if (environment > LAMBDA_ENVIRONMENT_BYTES - 1024) {
    return fault(
      ['issuers'],
      `take ${environment} bytes as the Lambdas' CERTSTEP_ISSUERS variable, over the 3 KB the stack leaves them of Lambda's 4 KB environment; ${
        issuers.some((issuer) => issuer.caBundlePem) ? "give caBundlePem only the CA certificate that signs the directory's HTTPS certificate, or " : ''
      }move per-domain zones from the issuers' dns01 into the certificates`,
    );
  }
  const readersByName = root.certificateReaders ?? {};
  return {
    stackName: root.stackName,
    resourcePrefix: root.resourcePrefix,
    notificationEmail: root.notificationEmail,
    issuers,
    certificates: certificates.map((certificate) => {
      const own = ownReaders(certificate, readersByName);
      const { readers: _, ...rest } = certificate;
      return own.length > 0 ? { ...rest, readers: own } : rest;
    }),
    stackReaders: [...new Set(root.readers ?? [])],
    accountAdmins: [...new Set(root.accountAdmins ?? [])],
    ...(root.kmsKeyArn && { kmsKeyArn: root.kmsKeyArn }),
    ...(root.secretsKey === 'stack' && { secretsKey: 'stack' as const }),
    readers,
    alarmDaysBeforeExpiry,
    expiryAlarmDays,
    logRetentionDays: root.logRetentionDays,
    dailyCheckSchedule: root.dailyCheckSchedule,
    traceAwsCalls: root.traceAwsCalls,
    subscriptions,
  };
}

/** Each certificate's readers: the stack-wide ones, then its own (its `readers`, then certificateReaders), each once. */
function readersOf(
  stackWide: readonly string[],
  perCertificate: Readonly<Record<string, readonly string[]>>,
  certificates: readonly CertificateSpec[],
): ReadonlyMap<string, readonly string[]> | Fault {
  const unnamed = Object.keys(perCertificate).find((name) => !certificates.some((certificate) => certificate.name === name));
  if (unnamed !== undefined) return fault(['certificateReaders', unnamed], 'names no certificate');
  const readers = new Map(certificates.map((certificate) => [certificate.name, [...new Set([...stackWide, ...ownReaders(certificate, perCertificate)])]]));
  const distinct = new Set([...readers.values()].flat());
  if (distinct.size > MAX_READERS)
    return fault(
      ['readers'],
      `with certificateReaders, ${distinct.size} distinct principals, over ${MAX_READERS}: the key policy and each secret's resource policy name every one; name account roots or fewer roles`,
    );
  return readers;
}

/** A certificate's own readers travel in its spec: the function that makes its secret names them in the secret's policy. */
function ownReaders(certificate: CertificateSpec, perCertificate: Readonly<Record<string, readonly string[]>>): string[] {
  const listed = Object.hasOwn(perCertificate, certificate.name) ? (perCertificate[certificate.name] ?? []) : [];
  return [...new Set([...(certificate.readers ?? []), ...listed])];
}

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
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(`${source}: ${firstIssueMessage(result.error.issues, '(top level)')}`);
  return result.data;
}

/** CERTSTEP_ISSUERS, as functions/runtime/config.ts reads it. */
export function issuersEnvironment(issuers: readonly IssuerSetting[]): string {
  return JSON.stringify(issuers);
}

function checkZones(certificate: CertificateSpec, index: number, issuers: readonly IssuerSetting[]): Fault | undefined {
  const path = `certificates[${index}]`;
  const dns01 = effectiveDns01(issuers, certificate);
  const follow = cnameTargetFault(certificate, index, issuers, dns01);
  if (follow) return fault(follow.path, follow.message, follow.echo);
  // acme-dns needs no hosted zone: IAM names its credential secrets instead (cdk/permissions.ts).
  if (dns01.acmeDNS) return undefined;
  const unzoned = challengeTargets(dns01, certificate.dnsNames).find((target) => !target.zone);
  if (!unzoned) return undefined;
  const domain = unzoned.dnsName.replace(/^\*\./, '');
  return fault(
    ['certificates', index, 'dnsNames', certificate.dnsNames.indexOf(unzoned.dnsName)],
    `no hosted zone id: set ${path}.dns01.route53.hostedZoneId or ${path}.dns01.route53.zones["${domain}"].hostedZoneId (or the issuer's dns01). ` +
      'Least-privilege IAM limits route53:ChangeResourceRecordSets to named hosted zones and record names, so the stack needs a zone id for every name at synth time',
    `"${unzoned.dnsName}"`,
  );
}
