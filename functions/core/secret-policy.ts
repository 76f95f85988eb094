/**
 * The resource policy of a certificate secret, built where the secret is made: by the function
 * that first stores a key for the certificate (and again by the deploy-time sync for secrets an
 * earlier version made). Who can read a key is said on the secret itself: reading its value is
 * denied to every principal but the certstep roles that read it and the certificate's readers;
 * writing it and moving its labels, to all but the roles that do. IAM alone would let any
 * administrator of the account read every key (docs/iam.md, "Who can read a certificate's key").
 *
 * The stack computes the roles from each function's needs (cdk/permissions.ts) and hands them
 * over as CERTSTEP_CERTIFICATE_SECRET_POLICY, so the policy a function writes and the policy
 * IAM enforces can never name different roles.
 */
import { ConfigError } from './config-error.js';
import type { CertificateSpec } from './certificate-spec.js';
import { PRINCIPAL_ARN } from './principal-arn-pattern.js';

/** The environment variable that carries SecretPolicySettings as JSON. */
export const SECRET_POLICY_ENV = 'CERTSTEP_CERTIFICATE_SECRET_POLICY';

export interface SecretPolicySettings {
  /** Role ARNs that read the value of every certificate secret (the key with it). */
  readonly get: readonly string[];
  /** Role ARNs that read it only for certificates imported into ACM. */
  readonly getAcm: readonly string[];
  /** Role ARNs that write a value (a pending key, an issued certificate). */
  readonly put: readonly string[];
  /** Role ARNs that move AWSCURRENT / AWSPENDING between versions. */
  readonly stage: readonly string[];
  /** The stack's `readers`: every certificate's, besides its own. */
  readonly readers: readonly string[];
}

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal: '*' | { readonly AWS: string | string[] };
  readonly Action: string | string[];
  readonly Resource: '*';
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: PolicyStatement[];
}

const GET = 'secretsmanager:GetSecretValue';
const PUT = 'secretsmanager:PutSecretValue';
const STAGE = 'secretsmanager:UpdateSecretVersionStage';
const ROOT = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;

/**
 * Deny to every principal but these. `aws:PrincipalArn` is the role's ARN for any of its
 * sessions; an account root among the readers lets that account's own IAM decide, through
 * `aws:PrincipalAccount`. A principal is spared when either condition spares it.
 */
export function denyExcept(sid: string, actions: readonly string[], roleArns: readonly string[], readers: readonly string[] = []): PolicyStatement {
  const principals = [...new Set([...roleArns, ...readers.filter((arn) => !ROOT.test(arn))])];
  const accounts = [...new Set(readers.flatMap((arn) => ROOT.exec(arn)?.slice(1, 2) ?? []))];
  const condition = {
    ...(principals.length > 0 && { ArnNotEquals: { 'aws:PrincipalArn': principals } }),
    ...(accounts.length > 0 && { StringNotEquals: { 'aws:PrincipalAccount': accounts } }),
  };
  return {
    Sid: sid,
    Effect: 'Deny',
    Principal: '*',
    Action: actions.length === 1 ? (actions[0] as string) : [...actions],
    Resource: '*',
    ...(Object.keys(condition).length > 0 && { Condition: condition }),
  };
}

/** The whole policy of one certificate's secret: the stack's roles and readers, and the certificate's own readers. */
export function certificateSecretPolicy(settings: SecretPolicySettings, certificate: Pick<CertificateSpec, 'readers' | 'acm'>): PolicyDocument {
  const readers = [...new Set([...settings.readers, ...(certificate.readers ?? [])])];
  const getters = [...settings.get, ...(certificate.acm ? settings.getAcm : [])];
  const statements = [
    denyExcept('OnlyCertstepAndReadersReadTheValue', [GET], getters, readers),
    denyExcept('OnlyCertstepWritesTheValue', [PUT], settings.put),
    denyExcept('OnlyCertstepMovesTheLabels', [STAGE], settings.stage),
  ];
  // Within the account IAM could grant this too; a reader in another account needs it here.
  if (readers.length > 0) {
    statements.push({
      Sid: 'ReadersReadTheValue',
      Effect: 'Allow',
      Principal: { AWS: readers.length === 1 ? (readers[0] as string) : readers },
      Action: [GET, 'secretsmanager:DescribeSecret'],
      Resource: '*',
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/** Reads CERTSTEP_CERTIFICATE_SECRET_POLICY once at init; a malformed value is the stack's fault, said as such. */
export function parseSecretPolicySettings(text: string | undefined): SecretPolicySettings {
  if (text === undefined || text === '')
    throw new ConfigError(`${SECRET_POLICY_ENV} is not set: the stack sets it on the functions that make certificate secrets`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${SECRET_POLICY_ENV} is not JSON: ${(error as Error).message}`);
  }
  const lists = ['get', 'getAcm', 'put', 'stage', 'readers'] as const;
  const record = (parsed ?? {}) as Record<string, unknown>;
  for (const key of lists) {
    const value = record[key];
    if (!Array.isArray(value) || !value.every((arn) => typeof arn === 'string' && PRINCIPAL_ARN.test(arn)))
      throw new ConfigError(`${SECRET_POLICY_ENV}.${key} must be a list of IAM principal ARNs`);
  }
  return Object.fromEntries(lists.map((key) => [key, record[key] as string[]])) as unknown as SecretPolicySettings;
}
