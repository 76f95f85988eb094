/**
 * After a deploy, the catalog the daily sweep reads holds certstep.config.json's certificates,
 * and each new or changed one has a run started without waiting for the sweep. The certificates
 * are data, not resources: synth writes them into a file of their own, uploaded as an S3 asset,
 * and ONE custom resource hands that file to the SyncCatalog Lambda, which puts and deletes
 * catalog items, starts runs (capped, the sweep starts the rest) and re-applies the policy of
 * secrets that exist. The template therefore does not grow with the certificates.
 *
 * The resource's properties change whenever the file (its hash) or the secrets' policy (the
 * roles it names) does, so CloudFormation calls the sync exactly when there is something to do.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomResource, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { CertificateSpec } from '../functions/core/certificate-spec.js';
import type { CertstepConfig } from './config.js';

/** One certificate of the file SyncCatalog reads. */
export interface CertificatesFileEntry {
  readonly name: string;
  /** The execution input that renews it: what the catalog item holds and a run is started with. */
  readonly input: { readonly certificate: CertificateSpec; readonly force: false };
  /** Its expiry alarm threshold: its own expiryAlarmDays, or the stack's alarmDaysBeforeExpiry. */
  readonly expiryAlarmDays: number;
}

export interface CertificatesFileContent {
  readonly certificates: readonly CertificatesFileEntry[];
}

/** What SyncCatalog is handed: the configuration's certificates, normalised, with their thresholds. */
export function certificatesFileContent(config: Pick<CertstepConfig, 'certificates' | 'expiryAlarmDays' | 'alarmDaysBeforeExpiry'>): CertificatesFileContent {
  return {
    certificates: config.certificates.map((certificate) => ({
      name: certificate.name,
      input: { certificate, force: false },
      expiryAlarmDays: config.expiryAlarmDays.get(certificate.name) ?? config.alarmDaysBeforeExpiry,
    })),
  };
}

export const CERTIFICATES_FILE_NAME = 'certificates.json';

/** The certificates file as an S3 asset; written into a directory of its own so that nothing else is uploaded with it. */
export class CertificatesFile extends Construct {
  readonly asset: s3assets.Asset;
  readonly content: CertificatesFileContent;

  constructor(scope: Construct, id: string, config: CertstepConfig) {
    super(scope, id);
    this.content = certificatesFileContent(config);
    const directory = mkdtempSync(join(tmpdir(), 'certstep-certificates-'));
    const path = join(directory, CERTIFICATES_FILE_NAME);
    writeFileSync(path, JSON.stringify(this.content));
    // A single file is uploaded as it is (not zipped); its hash is its content's.
    this.asset = new s3assets.Asset(this, 'Asset', { path });
  }
}

export interface CatalogSyncProps {
  readonly file: CertificatesFile;
  /** The SyncCatalog Lambda. */
  readonly onEvent: lambda.IFunction;
  /** CERTSTEP_CERTIFICATE_SECRET_POLICY: a change of the roles re-applies every secret's policy. */
  readonly secretPolicy: string;
  readonly logRetention: logs.RetentionDays;
}

export class CatalogSync extends Construct {
  readonly provider: cr.Provider;
  readonly role: iam.Role;
  readonly resource: CustomResource;
  readonly onEvent: lambda.IFunction;

  constructor(scope: Construct, id: string, props: CatalogSyncProps) {
    super(scope, id);
    this.onEvent = props.onEvent;
    const logGroup = new logs.LogGroup(this, 'ProviderLogs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    // An own role instead of the provider's default keeps the AWS managed AWSLambdaBasicExecutionRole
    // (logs:* on every log group) out: its logs, and invoking SyncCatalog (the Provider adds that).
    this.role = new iam.Role(this, 'ProviderRole', {
      description: 'certstep: hands the certificates file to SyncCatalog during a deploy',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
    this.provider = new cr.Provider(this, 'Provider', { onEventHandler: props.onEvent, logGroup, frameworkOnEventRole: this.role });
    const { asset } = props.file;
    this.resource = new CustomResource(this, 'Sync', {
      serviceToken: this.provider.serviceToken,
      resourceType: 'Custom::CertstepCatalogSync',
      properties: { Bucket: asset.s3BucketName, Key: asset.s3ObjectKey, Hash: asset.assetHash, Policy: props.secretPolicy },
    });
  }
}
