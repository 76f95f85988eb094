/**
 * The DynamoDB run ledger and certificate catalog through the real SDK against moto_server's
 * DynamoDB, on tables shaped as the stack makes them (cdk/storage.ts). The ledger runs the same
 * contract as against the table fake, so its condition expressions are judged by DynamoDB's own
 * rules rather than by the fake's reading of them.
 */
import { type AttributeValue, CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, type PutItemCommandInput } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbCertificateCatalog } from '../../functions/adapters/dynamodb-catalog.js';
import { DynamoDbRunLedger } from '../../functions/adapters/dynamodb-ledger.js';
import type { LedgerEntry } from '../../functions/ports/run-ledger.js';
import { describeRunLedgerContract } from '../adapters/run-ledger-contract.js';
import { type Moto, startMoto } from '../support/moto.js';

let moto: Moto;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => moto?.stop());

let tables = 0;
let ledgerTable: string;
/** A new table per case instead of a reset, with the key schema of cdk/storage.ts. */
async function createTable(key: 'certificateName' | 'name'): Promise<string> {
  const TableName = `certstep-${key}-${++tables}`;
  await client().send(
    new CreateTableCommand({
      TableName,
      KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return TableName;
}

beforeEach(async () => {
  ledgerTable = await createTable('certificateName');
});

function client(): DynamoDBClient {
  return new DynamoDBClient({ endpoint: moto.endpoint, region: moto.region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
}

/** Another writer's change, put straight on the item with the version moved on, as a concurrent run's write would. */
async function landOtherWrite(certificateName: string, change: (entry: LedgerEntry) => LedgerEntry): Promise<void> {
  const dynamo = client();
  const item = (await dynamo.send(new GetItemCommand({ TableName: ledgerTable, Key: { certificateName: { S: certificateName } }, ConsistentRead: true }))).Item;
  const entry = JSON.parse(item?.entry?.S ?? 'null') ?? { certificateName, consecutiveFailures: 0 };
  const version = Number(item?.version?.N ?? '0') + 1;
  const written: Record<string, AttributeValue> = {
    certificateName: { S: certificateName },
    version: { N: String(version) },
    entry: { S: JSON.stringify(change(entry)) },
  };
  await dynamo.send(new PutItemCommand({ TableName: ledgerTable, Item: written }));
}

let interleaved: (() => Promise<void>) | undefined;

/** A ledger whose next PutItem first lets the interleaved writer in: the ledger has read, and now writes on a stale version. */
function ledger(): DynamoDbRunLedger {
  const dynamo = client();
  dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      const hook = interleaved;
      if (context.commandName === 'PutItemCommand' && hook && (args.input as PutItemCommandInput).TableName === ledgerTable) {
        interleaved = undefined;
        await hook();
      }
      return next(args);
    },
    { step: 'initialize', name: 'interleaveAnotherWriter' },
  );
  return new DynamoDbRunLedger(dynamo, ledgerTable);
}

describeRunLedgerContract('moto_server', () => ({
  ledger,
  interleave: (certificateName, change) => {
    interleaved = () => landOtherWrite(certificateName, change);
  },
}));

describe('the DynamoDB certificate catalog on moto_server', () => {
  it('lists every execution input the stack put, and names a certificate whose input it cannot read', async () => {
    // Prepare: as cdk/triggers.ts puts them.
    const catalogTable = await createTable('name');
    const dynamo = client();
    const input = (name: string) => ({ certificate: { name, dnsNames: [`${name}.example.com`], issuer: 'letsencrypt' }, force: false });
    for (const name of ['api', 'web']) {
      await dynamo.send(new PutItemCommand({ TableName: catalogTable, Item: { name: { S: name }, input: { S: JSON.stringify(input(name)) } } }));
    }
    await dynamo.send(new PutItemCommand({ TableName: catalogTable, Item: { name: { S: 'broken' }, input: { S: '{not json' } } }));

    // Act
    const listed = await new DynamoDbCertificateCatalog(dynamo, catalogTable).list();

    // Assess
    const byName = (value: unknown) => (value as { certificate: { name: string } }).certificate.name;
    expect([...listed].sort((a, b) => byName(a).localeCompare(byName(b)))).toEqual([input('api'), { certificate: { name: 'broken' } }, input('web')]);
  });

  it('reads past the first page of a Scan', async () => {
    // Prepare: DynamoDB ends a Scan page at 1 MB; a dozen items of 100 kB each make two pages.
    const catalogTable = await createTable('name');
    const dynamo = client();
    const padding = 'x'.repeat(100_000);
    const names = Array.from({ length: 12 }, (_, index) => `cert-${String(index).padStart(2, '0')}`);
    for (const name of names) {
      await dynamo.send(
        new PutItemCommand({ TableName: catalogTable, Item: { name: { S: name }, input: { S: JSON.stringify({ certificate: { name }, padding }) } } }),
      );
    }
    let scans = 0;
    dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'ScanCommand') scans++;
        return next(args);
      },
      { step: 'initialize', name: 'countScans' },
    );

    // Act
    const listed = await new DynamoDbCertificateCatalog(dynamo, catalogTable).list();

    // Assess
    expect(listed.map((value) => (value as { certificate: { name: string } }).certificate.name).sort()).toEqual(names);
    expect(scans).toBeGreaterThan(1);
  });

  it('refuses a table that does not exist with StoreRequestRejected, not a retry', async () => {
    const failure = await new DynamoDbCertificateCatalog(client(), 'no-such-table').list().catch((error: unknown) => error as Error & { retryable: boolean });
    expect(failure).toMatchObject({ name: 'StoreRequestRejected', retryable: false, message: expect.stringContaining('ResourceNotFoundException') });
  });
});
