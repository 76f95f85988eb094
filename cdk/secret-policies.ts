/**
 * Who can use an ACME account key, said on the secret itself: each account secret's resource
 * policy denies reading and writing its value to every principal but the certstep functions
 * that talk to the CA. Certificate secrets are not stack resources any more: the function that
 * makes one writes its policy (functions/core/secret-policy.ts, from the settings the stack
 * computes in permissions.ts), and the deploy-time sync re-applies it. The statements here come
 * from that same builder, so account and certificate secrets are denied the same way (docs/iam.md).
 */
import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { accountOfArn } from '../functions/core/principal-arn.js';
import { denyExcept } from '../functions/core/secret-policy.js';
import { type CertstepConfig, ConfigError } from './config.js';
import type { CertstepFunction } from './functions.js';
import { type SecretValueAction, accountSecretActions, needsOf } from './permissions.js';

export interface SecretPolicySources {
  readonly config: Pick<CertstepConfig, 'readers' | 'stackReaders' | 'accountAdmins'>;
  readonly storage: {
    readonly accountSecrets: ReadonlyMap<string, secretsmanager.Secret>;
    readonly secretsKey?: kms.IKey;
  };
  readonly functions: { readonly all: readonly CertstepFunction[] };
  /** Names the configuration in error messages. */
  readonly configSource?: string;
}

const GET: SecretValueAction = 'secretsmanager:GetSecretValue';
const PUT: SecretValueAction = 'secretsmanager:PutSecretValue';

export function restrictSecretAccess(scope: Construct, sources: SecretPolicySources): void {
  const { storage, functions, config } = sources;
  checkReaderAccounts(scope, sources);
  checkAdminAccounts(scope, sources);
  // The ACME account key signs every order: only the functions that talk to the CA use it,
  // whatever FUNCTION_NEEDS says today, and the operators named in accountAdmins (revoke,
  // account rollover), whose own IAM policies must still allow it.
  const acme = functions.all.filter((fn) => accountSecretActions(needsOf(fn.name)).includes(GET)).map((fn) => fn.role.roleArn);
  for (const secret of storage.accountSecrets.values()) {
    secret.addToResourcePolicy(iam.PolicyStatement.fromJson(denyExcept('OnlyCertstepUsesTheAccountKey', [GET, PUT], acme, config.accountAdmins)));
  }
}

/**
 * The account secrets' policies only deny: within the stack's account IAM lets an admin in,
 * from another account nothing would (that needs an Allow here and in the key policy). Refused
 * at synth rather than deployed to fail at the first `certstep revoke`.
 */
function checkAdminAccounts(scope: Construct, { config, configSource = 'configuration' }: SecretPolicySources): void {
  const stackAccount = Stack.of(scope).account;
  if (Token.isUnresolved(stackAccount)) {
    const accounts = [...new Set(config.accountAdmins.map((arn) => accountOfArn(arn) ?? ''))];
    if (accounts.length > 1)
      throw new ConfigError(
        `${configSource}: accountAdmins name ${accounts.length} accounts (${accounts.join(', ')}): they must all be in the stack's account`,
      );
    return;
  }
  const foreign = config.accountAdmins.find((arn) => accountOfArn(arn) !== stackAccount);
  if (foreign)
    throw new ConfigError(
      `${configSource}: accountAdmins: ${foreign} is not in the stack's account ${stackAccount}: the ACME account key can be used from the stack's account only; name a role there`,
    );
}

/**
 * The AWS managed key serves its own account only: a reader elsewhere would be let in by the
 * resource policy and still fail to decrypt. Refused at synth when the stack's account is
 * known, or when the readers name several accounts (all but one are foreign).
 */
function checkReaderAccounts(scope: Construct, { config, storage, configSource = 'configuration' }: SecretPolicySources): void {
  if (storage.secretsKey) return;
  const accounts = new Map<string, { whose: string; arn: string }>();
  const add = (arn: string, whose: string) => {
    const account = accountOfArn(arn) ?? '';
    if (!accounts.has(account)) accounts.set(account, { whose, arn });
  };
  for (const [certificate, readers] of config.readers) for (const arn of readers) add(arn, `of certificate ${certificate}`);
  // A stack without configured certificates still names its readers in every secret it will make.
  for (const arn of config.stackReaders) add(arn, 'in readers');
  const stackAccount = Stack.of(scope).account;
  const known = !Token.isUnresolved(stackAccount);
  const foreign = known ? [...accounts.keys()].filter((account) => account !== stackAccount) : accounts.size > 1 ? [...accounts.keys()] : [];
  const first = foreign.map((account) => accounts.get(account)).find((found) => found !== undefined);
  if (first) {
    const where = known ? `is not in the stack's account ${stackAccount}` : `is one of readers in ${foreign.length} accounts, so some are not the stack's`;
    throw new ConfigError(
      `${configSource}: reader ${first.arn} ${first.whose} ${where}: the AWS managed key aws/secretsmanager cannot be used from another account. Set "secretsKey": "stack" (or kmsKeyArn to a key whose policy lets that account decrypt)`,
    );
  }
  if (!known && accounts.size === 1) {
    Annotations.of(scope).addWarningV2(
      'certstep:readerAccount',
      `the readers are in account ${[...accounts.keys()][0]}; the stack's account is not known at synth, so certstep cannot check it is the same: with the AWS managed key a reader in another account cannot decrypt`,
    );
  }
}
