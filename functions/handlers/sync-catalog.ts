/**
 * Lambda: SyncCatalog, the onEvent handler of the stack's catalog custom resource (not a state
 * of the state machine). Create and Update read the certificates file the stack wrote to S3 and
 * make the catalog say the same (phases/sync-catalog.ts); Delete does nothing, so deleting the
 * stack or the resource never deletes a certificate's data.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDbCertificateCatalog } from '../adapters/dynamodb-catalog.js';
import { StepFunctionsRunStarter } from '../adapters/sfn-starter.js';
import { SECRET_POLICY_ENV, parseSecretPolicySettings } from '../core/secret-policy.js';
import { maxStartsFrom } from '../phases/start-budget.js';
import { parseCertificatesFile, syncCatalog } from '../phases/sync-catalog.js';
import { issuerNames, readConfig, requiredEnv } from '../runtime/config.js';
import { lambdaHandler } from '../runtime/handler.js';
import { log } from '../runtime/log.js';
import { secretsManagerStore } from '../runtime/store.js';
import { traced } from '../runtime/tracing.js';

/** The CloudFormation custom resource event, as the custom-resources Provider passes it on. */
export interface CatalogResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: { readonly Bucket?: string; readonly Key?: string; readonly Hash?: string; readonly Policy?: string };
}

export const PHYSICAL_RESOURCE_ID = 'certstep-catalog';

const config = readConfig();
const store = secretsManagerStore(config);
const deps = {
  catalog: new DynamoDbCertificateCatalog(traced(new DynamoDBClient({ maxAttempts: 5 })), requiredEnv('CERTSTEP_CATALOG_TABLE')),
  starter: new StepFunctionsRunStarter(traced(new SFNClient({ maxAttempts: 5 })), requiredEnv('CERTSTEP_STATE_MACHINE_ARN')),
  secrets: store,
  issuers: { names: issuerNames(config) },
  policy: parseSecretPolicySettings(process.env[SECRET_POLICY_ENV]),
  maxStarts: maxStartsFrom(),
};
const s3 = traced(new S3Client({ maxAttempts: 5 }));

export const handler = lambdaHandler('SyncCatalog', async (event: CatalogResourceEvent) => {
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId ?? PHYSICAL_RESOURCE_ID };
  const { Bucket, Key } = event.ResourceProperties;
  if (!Bucket || !Key) throw new Error('the catalog custom resource has no Bucket and Key of the certificates file');
  const object = await s3.send(new GetObjectCommand({ Bucket, Key }));
  const text = (await object.Body?.transformToString('utf8')) ?? '';
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`s3://${Bucket}/${Key} is not JSON (${(error as Error).message}); the deployment asset is broken: deploy again`);
  }
  const file = parseCertificatesFile(raw, deps.issuers.names, `s3://${Bucket}/${Key}`);
  const result = await syncCatalog(file, deps);
  if (result.deferred.length > 0)
    log('WARN', 'SyncCatalog deferred runs past the start cap; the daily sweep starts them', { deferred: result.deferred.length, maxStarts: deps.maxStarts });
  log('INFO', 'SyncCatalog synced the catalog', {
    certificates: file.length,
    started: result.started.length,
    changed: result.changed.length,
    removed: result.removed.length,
    deferred: result.deferred.length,
  });
  return {
    PhysicalResourceId: PHYSICAL_RESOURCE_ID,
    Data: { started: result.started.length, changed: result.changed.length, removed: result.removed.length, deferred: result.deferred.length },
  };
});
