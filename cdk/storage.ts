/**
 * What certstep keeps: one secret per issuer account, created here with the placeholder `{}`
 * that the functions read as "nothing yet", the run ledger that lets only one execution work on
 * a certificate at a time, and the catalog of certificates the daily sweep reconciles.
 *
 * Certificate secrets are not stack resources: Finalize creates each on the certificate's first
 * issuance (tagged certstep:certificate=<name>, under the name prefix below), so the template
 * does not grow with the number of certificates. Secrets that earlier versions created here had
 * RemovalPolicy RETAIN: the update that drops them from the template leaves them in place, with
 * their keys, and the functions adopt them by name (their CloudFormation resource policies are
 * deleted by that update; the catalog sync puts the same policy back, see triggers.ts).
 */
import { ArnFormat, RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { CertstepConfig } from './config.js';
import { createSecretsKey } from './secrets-key.js';

export class CertstepStorage extends Construct {
  /** The customer-managed key of the secrets, when the configuration names one or asks the stack for one. */
  readonly secretsKey?: kms.IKey;
  readonly accountSecrets: ReadonlyMap<string, secretsmanager.Secret>;
  readonly ledger: dynamodb.Table;
  /** One item per certificate, from certstep.config.json or `certstep apply`: its name and execution input. */
  readonly catalog: dynamodb.Table;
  readonly certificateSecretPrefix: string;
  /** Every certificate secret, by name: `arn:<partition>:secretsmanager:<region>:<account>:secret:<prefix>/certificates/*`. */
  readonly certificateSecretArnPattern: string;
  readonly accountSecretPrefix: string;
  /** acme-dns registrations: created by the functions on a domain's first run, so not here. */
  readonly acmeDnsSecretPrefix: string;

  constructor(scope: Construct, id: string, config: CertstepConfig) {
    super(scope, id);
    this.certificateSecretPrefix = `${config.resourcePrefix}/certificates/`;
    this.accountSecretPrefix = `${config.resourcePrefix}/accounts/`;
    this.acmeDnsSecretPrefix = `${config.resourcePrefix}/acme-dns/`;
    // The `*` also stands for the random suffix Secrets Manager adds to a secret's ARN.
    this.certificateSecretArnPattern = Stack.of(this).formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${this.certificateSecretPrefix}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    if (config.kmsKeyArn) this.secretsKey = kms.Key.fromKeyArn(this, 'SecretsKey', config.kmsKeyArn);
    else if (config.secretsKey === 'stack') this.secretsKey = createSecretsKey(this, 'SecretsKey', config);

    const secret = (logicalId: string, secretName: string, description: string) =>
      new secretsmanager.Secret(this, logicalId, {
        secretName,
        description,
        // Not a generated value: the functions treat `{}` as "no certificate (or account) yet".
        secretStringValue: SecretValue.unsafePlainText('{}'),
        ...(this.secretsKey && { encryptionKey: this.secretsKey }),
        // Accounts carry rate-limit history: a stack deletion must not take them along.
        removalPolicy: RemovalPolicy.RETAIN,
      });

    this.accountSecrets = new Map(
      config.issuers.map((issuer) => [
        issuer.name,
        secret(`Account-${issuer.name}`, `${this.accountSecretPrefix}${issuer.name}`, `certstep: ACME account key for issuer ${issuer.name}`),
      ]),
    );

    this.ledger = new dynamodb.Table(this, 'Ledger', {
      partitionKey: { name: 'certificateName', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Run bookkeeping (who holds a certificate, failure counts, the order in flight, ACM ARNs):
      // losing it costs at most one extra order per certificate; ARNs are found again by tag.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // What certificates exist: the daily sweep reads it at run time (triggers.ts syncs it with certstep.config.json at deploy).
    this.catalog = new dynamodb.Table(this, 'Catalog', {
      partitionKey: { name: 'name', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Its config items are rebuilt from certstep.config.json by every deploy; `certstep apply`
      // items go with the stack, as does the state machine that would renew them.
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }
}
