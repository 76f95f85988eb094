/**
 * The customer-managed key the stack creates for its secrets when the configuration asks for
 * one (`"secretsKey": "stack"`): the AWS managed aws/secretsmanager key cannot be shared with
 * another account, nor can its policy be read or narrowed.
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { CertstepConfig } from './config.js';

/**
 * What the console's default key policy gives key administrators: everything but using the key.
 * kms:Put* and kms:Create* (a grant) still let an administrator give themselves use of it, as
 * for any key; that is a policy change CloudTrail records, not a read.
 */
export const KEY_ADMIN_ACTIONS = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:RotateKeyOnDemand',
];

/** The Secrets Manager endpoint of the stack's region: the only way the key may be used. */
export function viaSecretsManager(scope: Construct): Record<string, Record<string, string>> {
  return { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(scope).region}.amazonaws.com` } };
}

export function createSecretsKey(scope: Construct, id: string, config: CertstepConfig): kms.Key {
  const account = new iam.AccountRootPrincipal();
  const readers = [...new Set([...config.readers.values()].flat())];
  // Each secret created with this key adds the account's use of it through Secrets Manager
  // (aws-secretsmanager's Secret does): CloudFormation needs it to create a secret with its
  // placeholder value (Secrets Manager calls GenerateDataKey and Decrypt as the caller), and the
  // functions' IAM grants rely on it. So within the account, IAM may allow use through Secrets
  // Manager only, never directly; the secrets' resource policies decide who reads a value.
  const statements = [new iam.PolicyStatement({ sid: 'AdministerKey', principals: [account], actions: KEY_ADMIN_ACTIONS, resources: ['*'] })];
  if (readers.length > 0) {
    // Named here, a reader needs no KMS permission of its own in this account; one in another
    // account still needs kms:Decrypt on this key in its own IAM policy.
    statements.push(
      new iam.PolicyStatement({
        sid: 'ReadersDecryptThroughSecretsManager',
        principals: readers.map((arn) => new iam.ArnPrincipal(arn)),
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: viaSecretsManager(scope),
      }),
    );
  }
  return new kms.Key(scope, id, {
    description: `certstep ${config.resourcePrefix}: encrypts the certificate, ACME account and acme-dns secrets`,
    enableKeyRotation: true,
    // The secrets are retained with the stack's deletion; without their key they could never be read again.
    removalPolicy: RemovalPolicy.RETAIN,
    policy: new iam.PolicyDocument({ statements }),
  });
}
