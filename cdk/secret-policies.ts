/**
 * Who can read a certificate's key, said on the secret itself: each certificate secret's
 * resource policy denies reading its value to every principal but the certstep functions that
 * read it and the configured readers of that certificate, and writing it to all but the
 * functions that write it. IAM alone would let any administrator of the account read every key;
 * this is cert-manager's one Secret per Certificate with RBAC on reading it (docs/iam.md).
 */
import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { type CertstepConfig, ConfigError } from './config.js';
import type { CertstepFunction } from './functions.js';
import { type Need, type SecretValueAction, accountSecretActions, certificateSecretActions, needsOf } from './permissions.js';

export interface SecretPolicySources {
  readonly config: Pick<CertstepConfig, 'certificates' | 'readers'>;
  readonly storage: {
    readonly certificateSecrets: ReadonlyMap<string, secretsmanager.Secret>;
    readonly accountSecrets: ReadonlyMap<string, secretsmanager.Secret>;
    readonly secretsKey?: kms.IKey;
  };
  readonly functions: { readonly all: readonly CertstepFunction[] };
  /** Names the configuration in error messages. */
  readonly configSource?: string;
}

const GET: SecretValueAction = 'secretsmanager:GetSecretValue';
const PUT: SecretValueAction = 'secretsmanager:PutSecretValue';
const STAGE: SecretValueAction = 'secretsmanager:UpdateSecretVersionStage';
const ROOT = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;

export function restrictSecretAccess(scope: Construct, sources: SecretPolicySources): void {
  const { config, storage, functions } = sources;
  checkReaderAccounts(scope, sources);
  // The roles whose needs allow an action on a secret, however FUNCTION_NEEDS changes.
  const rolesAllowed = (actionsOf: (needs: readonly Need[]) => SecretValueAction[], action: SecretValueAction) =>
    functions.all.filter((fn) => actionsOf(needsOf(fn.name)).includes(action)).map((fn) => fn.role.roleArn);

  for (const certificate of config.certificates) {
    const secret = storage.certificateSecrets.get(certificate.name);
    if (!secret) continue;
    const readers = config.readers.get(certificate.name) ?? [];
    const actions = (needs: readonly Need[]) => certificateSecretActions(needs, certificate);
    secret.addToResourcePolicy(denyExcept('OnlyCertstepAndReadersReadTheValue', [GET], rolesAllowed(actions, GET), readers));
    secret.addToResourcePolicy(denyExcept('OnlyCertstepWritesTheValue', [PUT], rolesAllowed(actions, PUT)));
    secret.addToResourcePolicy(denyExcept('OnlyCertstepMovesTheLabels', [STAGE], rolesAllowed(actions, STAGE)));
    // Within the account IAM could grant this too; a reader in another account needs it here.
    if (readers.length > 0) {
      secret.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'ReadersReadTheValue',
          principals: readers.map((arn) => new iam.ArnPrincipal(arn)),
          actions: [GET, 'secretsmanager:DescribeSecret'],
          resources: ['*'],
        }),
      );
    }
  }
  // The ACME account key signs every order: only the functions that talk to the CA use it.
  const acme = rolesAllowed(accountSecretActions, GET);
  for (const secret of storage.accountSecrets.values()) secret.addToResourcePolicy(denyExcept('OnlyCertstepUsesTheAccountKey', [GET, PUT], acme));
}

/**
 * Deny to every principal but these. `aws:PrincipalArn` is the role's ARN for any of its
 * sessions; an account root among the readers lets that account's own IAM decide, through
 * `aws:PrincipalAccount`. A principal is spared when either condition spares it.
 */
export function denyExcept(sid: string, actions: string[], roleArns: readonly string[], readers: readonly string[] = []): iam.PolicyStatement {
  const principals = [...roleArns, ...readers.filter((arn) => !ROOT.test(arn))];
  const accounts = readers.flatMap((arn) => ROOT.exec(arn)?.slice(1, 2) ?? []);
  const conditions = {
    ...(principals.length > 0 && { ArnNotEquals: { 'aws:PrincipalArn': principals } }),
    ...(accounts.length > 0 && { StringNotEquals: { 'aws:PrincipalAccount': accounts } }),
  };
  return new iam.PolicyStatement({
    sid,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions,
    resources: ['*'],
    ...(Object.keys(conditions).length > 0 && { conditions }),
  });
}

/**
 * The AWS managed key serves its own account only: a reader elsewhere would be let in by the
 * resource policy and still fail to decrypt. Refused at synth when the stack's account is
 * known, or when the readers name several accounts (all but one are foreign).
 */
function checkReaderAccounts(scope: Construct, { config, storage, configSource = 'configuration' }: SecretPolicySources): void {
  if (storage.secretsKey) return;
  const accounts = new Map<string, { certificate: string; arn: string }>();
  for (const [certificate, readers] of config.readers) {
    for (const arn of readers) {
      const account = arn.split(':')[4] ?? '';
      if (!accounts.has(account)) accounts.set(account, { certificate, arn });
    }
  }
  const stackAccount = Stack.of(scope).account;
  const known = !Token.isUnresolved(stackAccount);
  const foreign = known ? [...accounts.keys()].filter((account) => account !== stackAccount) : accounts.size > 1 ? [...accounts.keys()] : [];
  const first = foreign.map((account) => accounts.get(account)).find((found) => found !== undefined);
  if (first) {
    const where = known ? `is not in the stack's account ${stackAccount}` : `is one of readers in ${foreign.length} accounts, so some are not the stack's`;
    throw new ConfigError(
      `${configSource}: reader ${first.arn} of certificate ${first.certificate} ${where}: the AWS managed key aws/secretsmanager cannot be used from another account. Set "secretsKey": "stack" (or kmsKeyArn to a key whose policy lets that account decrypt)`,
    );
  }
  if (!known && accounts.size === 1) {
    Annotations.of(scope).addWarningV2(
      'certstep:readerAccount',
      `the readers are in account ${[...accounts.keys()][0]}; the stack's account is not known at synth, so certstep cannot check it is the same: with the AWS managed key a reader in another account cannot decrypt`,
    );
  }
}
