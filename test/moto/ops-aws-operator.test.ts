/**
 * `certstep status` and `describe --aws` against moto_server enforcing IAM, run as an operator
 * whose policy is the read-only one docs/operations.md lists for them, without
 * secretsmanager:GetSecretValue: they must work from DescribeSecret and the run ledger alone.
 * The certificate is stored and recorded as StoreCertificate does (the store's makeCurrent, then
 * the ledger's recordCurrent of what readCurrent found), by an administrator.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOpsCommand } from '../../cli/ops/commands.js';
import { DynamoDbRunLedger } from '../../functions/adapters/dynamodb-ledger.js';
import { SecretsManagerCertificateStore } from '../../functions/adapters/secrets-manager-store.js';
import { type Credentials, queryCall, xmlField } from '../deployed/aws-call.js';
import { type Moto, startMoto } from '../support/moto.js';
import { TEST_SECRET_POLICY } from '../support/secret-policy-settings.js';

/** moto lets this many calls through unchecked: the three that make the administrator. */
const UNCHECKED_CALLS = 3;
const TABLE = 'certstep-ledger';
const NOW = new Date('2027-02-01T00:00:00Z');
const OPERATOR_ACTIONS = ['secretsmanager:ListSecrets', 'secretsmanager:DescribeSecret', 'secretsmanager:ListSecretVersionIds', 'dynamodb:GetItem'];
const CERTIFICATE = {
  'tls.crt': '-----BEGIN CERTIFICATE-----\nQ0VSVA==\n-----END CERTIFICATE-----\n',
  'tls.key': '-----BEGIN PRIVATE KEY-----\nS0VZ\n-----END PRIVATE KEY-----\n',
  dnsNames: ['operator.example.com'],
  serialNumber: '0b02',
  notBefore: '2027-01-01T00:00:00.000Z',
  notAfter: '2027-04-01T00:00:00.000Z',
  renewalTime: '2027-03-02T00:00:00.000Z',
  issuer: 'letsencrypt',
  keyAlgorithm: 'ecdsa-p256' as const,
  revision: 1,
};

let moto: Moto;
let admin: Credentials;
let operator: Credentials;

async function iamUser(name: string, actions: readonly string[], credentials: Credentials): Promise<Credentials> {
  const target = { endpoint: moto.endpoint, region: moto.region, credentials };
  const iam = (action: string, parameters: Record<string, string>) => queryCall(target, 'iam', '2010-05-08', action, parameters);
  await iam('CreateUser', { UserName: name });
  const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });
  await iam('PutUserPolicy', { UserName: name, PolicyName: 'certstep', PolicyDocument: policy });
  const keys = await iam('CreateAccessKey', { UserName: name });
  return { accessKeyId: xmlField(keys, 'AccessKeyId'), secretAccessKey: xmlField(keys, 'SecretAccessKey') };
}

const sdk = (credentials: Credentials) => ({ endpoint: moto.endpoint, region: moto.region, credentials });

async function certstep(command: 'status' | 'describe', ...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runOpsCommand(command, [...argv, '--aws', '--ledger-table', TABLE, '--json'], {
    io: { out: (text) => (out += text), err: (text) => (err += `${text}\n`) },
    clock: () => NOW,
    env: {},
    awsClients: { secrets: new SecretsManagerClient(sdk(operator)), dynamodb: new DynamoDBClient(sdk(operator)) },
  });
  return { code, json: JSON.parse(out) as Record<string, unknown>, err };
}

beforeAll(async () => {
  moto = await startMoto({ serverEnv: { INITIAL_NO_AUTH_ACTION_COUNT: String(UNCHECKED_CALLS) } });
  admin = await iamUser('certstep-test-admin', ['*'], { accessKeyId: 'testing', secretAccessKey: 'testing' });
  operator = await iamUser('certstep-operator', OPERATOR_ACTIONS, admin);
  const dynamodb = new DynamoDBClient(sdk(admin));
  await dynamodb.send(
    new CreateTableCommand({
      TableName: TABLE,
      KeySchema: [{ AttributeName: 'certificateName', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'certificateName', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  const secrets = new SecretsManagerClient(sdk(admin));
  for (const name of ['web', 'fresh']) await secrets.send(new CreateSecretCommand({ Name: `certstep/certificates/${name}`, SecretString: '{}' }));
  const store = new SecretsManagerCertificateStore({ client: secrets, secretPolicy: TEST_SECRET_POLICY });
  const pending = await store.putPendingKey({ name: 'web' }, { orderUrl: 'https://acme.example/order/1', keyAlgorithm: 'ecdsa-p256', privateKeyPem: 'PEM' });
  await store.makeCurrent('web', CERTIFICATE, pending.versionId);
  const current = await store.readCurrent('web');
  if (!current) throw new Error('makeCurrent left no current version');
  await new DynamoDbRunLedger(dynamodb, TABLE).recordCurrent('web', current);
}, 60_000);
afterAll(async () => moto?.stop());

describe('status and describe --aws as an operator without secretsmanager:GetSecretValue (moto_server enforcing IAM)', () => {
  it('is really denied GetSecretValue, so what follows cannot have read a secret value', async () => {
    const read = new SecretsManagerClient(sdk(operator)).send(new GetSecretValueCommand({ SecretId: 'certstep/certificates/web' }));
    // moto answers Secrets Manager's denial in XML, which the SDK fails to parse: the status is what counts.
    const denied = await read.then(
      () => undefined,
      (error: unknown) => error as { $metadata?: { httpStatusCode?: number } },
    );
    expect(denied?.$metadata?.httpStatusCode).toBe(403);
  });

  it('shows the stored certificate from the ledger, and MetadataStale for a secret no run has recorded', async () => {
    const status = await certstep('status');
    const described = await certstep('describe', 'web');

    expect(status.code).toBe(0);
    const rows = (status.json as { certificates: { name: string; reason: string; notAfter?: string }[] }).certificates;
    expect(rows.map(({ name, reason, notAfter }) => ({ name, reason, notAfter }))).toEqual([
      { name: 'fresh', reason: 'MetadataStale', notAfter: undefined },
      { name: 'web', reason: expect.not.stringMatching(/MetadataStale|Unknown|DoesNotExist/), notAfter: '2027-04-01T00:00:00.000Z' },
    ]);
    expect(described.code).toBe(0);
    expect(described.json.stored).toMatchObject({ serialNumber: '0b02', revision: 1, dnsNames: ['operator.example.com'] });
    expect(described.json.specSource).toBe('stored certificate');
    expect(JSON.stringify(described.json)).not.toContain('PRIVATE KEY');
    // This operator's policy predates the listing of the ledger (no dynamodb:Scan): still listed from the secrets, and said.
    expect(status.err).toMatch(
      /^certstep: could not list the run ledger certstep-ledger \(.+\): certificates not issued yet may be missing; the operator needs dynamodb:Scan on it\n$/,
    );
  });

  // Last, as it changes the secret the cases above read.
  it('says MetadataStale once the secret gets a version no run recorded', async () => {
    await new SecretsManagerClient(sdk(admin)).send(
      new PutSecretValueCommand({ SecretId: 'certstep/certificates/web', SecretString: JSON.stringify({ ...CERTIFICATE, serialNumber: '0c03' }) }),
    );

    const described = await certstep('describe', 'web');

    expect(described.code).toBe(0);
    expect(described.json.status).toMatchObject({ reason: 'MetadataStale', message: expect.stringContaining('certstep renew web --aws') });
    expect(described.json.stored).toBeUndefined();
    expect(JSON.stringify(described.json)).not.toContain('0c03');
  });
});
