/**
 * The SyncCatalog Lambda entry as the stack's custom resource calls it, against moto_server: the
 * certificates file read from S3, the catalog in DynamoDB, the answer CloudFormation reads.
 * (The certificates' secret policies are the store's ensurePolicy, covered with the store.)
 */
import { CreateTableCommand, DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Moto, startMoto } from '../support/moto.js';

const CATALOG = 'certstep-catalog';
const BUCKET = 'certstep-assets';
const ROLE = 'arn:aws:iam::123456789012:role/certstep-finalize';
const input = (name: string) => ({ certificate: { name, dnsNames: [`${name}.example.com`], issuer: 'letsencrypt' }, force: false });

let moto: Moto;
let handler: (event: unknown) => Promise<unknown>;
const sdk = () => ({ endpoint: moto.endpoint, region: moto.region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
const saved = { ...process.env };

beforeAll(async () => {
  moto = await startMoto();
  await new DynamoDBClient(sdk()).send(
    new CreateTableCommand({
      TableName: CATALOG,
      KeySchema: [{ AttributeName: 'name', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'name', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await new S3Client({ ...sdk(), forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: BUCKET }));
  Object.assign(process.env, moto.env, {
    CERTSTEP_ISSUERS: JSON.stringify([{ name: 'letsencrypt', directoryUrl: 'https://acme-v02.api.letsencrypt.org/directory' }]),
    CERTSTEP_CATALOG_TABLE: CATALOG,
    CERTSTEP_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:certstep-renewal',
    CERTSTEP_CERTIFICATE_SECRET_POLICY: JSON.stringify({ get: [ROLE], getAcm: [], put: [ROLE], stage: [ROLE], readers: [] }),
  });
  ({ handler } = await import('../../functions/handlers/sync-catalog.js'));
}, 60_000);
afterAll(async () => {
  process.env = saved;
  await moto?.stop();
});

async function upload(Key: string, body: string): Promise<void> {
  await new S3Client({ ...sdk(), forcePathStyle: true }).send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: body }));
}

async function names(): Promise<string[]> {
  const scan = await new DynamoDBClient(sdk()).send(new ScanCommand({ TableName: CATALOG }));
  return (scan.Items ?? []).map((item) => item.name?.S as string).sort();
}

describe('the SyncCatalog handler on moto_server', () => {
  it("reads the file from S3, deletes the configuration's items it no longer names, keeps applied ones, and answers CloudFormation", async () => {
    // Prepare
    const dynamodb = new DynamoDBClient(sdk());
    for (const [name, source] of [
      ['gone', 'config'],
      ['cli', 'apply'],
    ] as const) {
      await dynamodb.send(
        new PutItemCommand({ TableName: CATALOG, Item: { name: { S: name }, input: { S: JSON.stringify(input(name)) }, source: { S: source } } }),
      );
    }
    await upload('empty.json', JSON.stringify({ certificates: [] }));

    // Act
    const answer = await handler({
      RequestType: 'Update',
      PhysicalResourceId: 'certstep-catalog',
      ResourceProperties: { Bucket: BUCKET, Key: 'empty.json', Hash: 'h' },
    });

    // Assess
    expect(answer).toEqual({ PhysicalResourceId: 'certstep-catalog', Data: { started: 0, changed: 0, removed: 1, deferred: 0 } });
    expect(await names()).toEqual(['cli']);
  }, 60_000);

  it('fails the custom resource, writing nothing, when a certificate of the file is invalid', async () => {
    await upload(
      'broken.json',
      JSON.stringify({ certificates: [{ name: 'cli', input: { certificate: { name: 'cli', dnsNames: ['bad name'], issuer: 'letsencrypt' } } }] }),
    );

    const failure = await handler({ RequestType: 'Create', ResourceProperties: { Bucket: BUCKET, Key: 'broken.json' } }).catch((error: Error) => error);

    expect(failure).toMatchObject({ name: 'CertificatesFileInvalid' });
    expect((failure as Error).message).toMatch(/^s3:\/\/certstep-assets\/broken\.json: certificates\[0\] \(cli\): input: certificate\.dnsNames\[0\]/);
    expect(await names()).toEqual(['cli']);
  }, 60_000);

  it('does nothing on Delete: deleting the stack never deletes a certificate', async () => {
    const answer = await handler({ RequestType: 'Delete', PhysicalResourceId: 'certstep-catalog', ResourceProperties: { Bucket: BUCKET, Key: 'empty.json' } });

    expect(answer).toEqual({ PhysicalResourceId: 'certstep-catalog' });
    expect(await names()).toEqual(['cli']);
  }, 60_000);
});
