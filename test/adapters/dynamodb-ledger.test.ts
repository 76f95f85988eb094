/**
 * The DynamoDB run ledger against a table fake that enforces the two condition expressions the
 * adapter writes with (test/support/aws-fakes.ts, requests as the SDK sends them), so concurrent
 * writers really race: one claim wins, a change that lands between a read and a write is read
 * again and kept, and one run's failure is counted once however often it is recorded. The cases
 * in run-ledger-contract.ts run here against the fake and in test/moto against moto_server.
 */
import { type AttributeValue, ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbRunLedger } from '../../functions/adapters/dynamodb-ledger.js';
import type { InFlightOrder, LedgerEntry } from '../../functions/ports/run-ledger.js';
import { type DynamoTable, statefulDynamo } from '../support/aws-fakes.js';
import { describeRunLedgerContract } from './run-ledger-contract.js';

const dynamo = mockClient(DynamoDBClient);
const ledger = () => new DynamoDbRunLedger(new DynamoDBClient({ region: 'eu-west-1' }), 'certstep-ledger');
const now = new Date('2026-11-22T10:00:00.000Z');
const lease = new Date('2026-11-22T12:00:00.000Z');

let table: DynamoTable;

beforeEach(() => {
  dynamo.reset();
  table = statefulDynamo(dynamo);
});

const order = (url: string, runId: string, values: string[]): InFlightOrder => ({
  url,
  specHash: 'h',
  runId,
  createdAt: now.toISOString(),
  records: values.map((value) => ({ dnsName: 'web.example.com', recordName: '_acme-challenge.web.example.com', value })),
});

describeRunLedgerContract('the table fake', () => ({
  ledger,
  interleave: (certificateName, change) => {
    table.beforeNextPut = () => {
      const item = table.items.get(certificateName) as Record<string, AttributeValue>;
      const entry = JSON.parse(item.entry?.S ?? '{}') as LedgerEntry;
      table.items.set(certificateName, { ...item, version: { N: String(Number(item.version?.N) + 1) }, entry: { S: JSON.stringify(change(entry)) } });
    };
  },
}));

describe('DynamoDbRunLedger', () => {
  it('writes only if the version read is still current, and re-applies its change over one that landed in between', async () => {
    // Prepare
    await ledger().claim('web', 'exec-1', now, lease);
    table.beforeNextPut = () => {
      const item = table.items.get('web') as Record<string, AttributeValue>;
      const entry = JSON.parse(item.entry?.S ?? '{}') as Record<string, unknown>;
      table.items.set('web', {
        ...item,
        version: { N: String(Number(item.version?.N) + 1) },
        entry: { S: JSON.stringify({ ...entry, acmArns: { 'us-east-1': 'arn:x' } }) },
      });
    };

    // Act
    await ledger().recordOrder('web', 'exec-1', order('https://ca/order/1', 'exec-1', ['v1']));

    // Assess
    const entry = await ledger().get('web');
    expect(entry?.order?.url).toBe('https://ca/order/1');
    expect(entry?.acmArns).toEqual({ 'us-east-1': 'arn:x' });
    expect(dynamo.commandCalls(PutItemCommand).at(-1)?.args[0].input.ConditionExpression).toBe('version = :version');
  });

  it('keeps an order a failure gives up in the write that drops it, and forgets only the URLs named while another writer adds one', async () => {
    // Prepare: a run gives its order up; between the forgetting run's read and write, another
    // run's clean-up gives one up too.
    await ledger().claim('web', 'exec-1', now, lease);
    await ledger().recordOrder('web', 'exec-1', order('https://ca/order/1', 'exec-1', ['v1']));
    const given = await ledger().finish('web', 'exec-1', {
      result: 'Failed',
      at: now,
      error: 'AcmeOrderInvalid',
      counts: true,
      keepOrder: false,
      abandonedOrders: ['https://ca/order/1'],
    });
    const puts = dynamo.commandCalls(PutItemCommand).length;
    table.beforeNextPut = () => {
      const item = table.items.get('web') as Record<string, AttributeValue>;
      const entry = JSON.parse(item.entry?.S ?? '{}') as { abandonedOrders: unknown[] };
      const other = { url: 'https://ca/order/2', at: now.toISOString() };
      table.items.set('web', {
        ...item,
        version: { N: String(Number(item.version?.N) + 1) },
        entry: { S: JSON.stringify({ ...entry, abandonedOrders: [other, ...entry.abandonedOrders] }) },
      });
    };

    // Act
    await ledger().forgetAbandonedOrders('web', ['https://ca/order/1'], now);

    // Assess
    expect(given.order).toBeUndefined();
    expect(given.abandonedOrders).toEqual([{ url: 'https://ca/order/1', at: now.toISOString() }]);
    expect((await ledger().get('web'))?.abandonedOrders).toEqual([{ url: 'https://ca/order/2', at: now.toISOString() }]);
    expect(dynamo.commandCalls(PutItemCommand).length - puts).toBe(2);
  });

  it('reads consistently, and treats an item written by certstep 0.1 as empty', async () => {
    // Prepare
    table.items.set('old', { certificateName: { S: 'old' }, consecutiveFailures: { N: '2' }, activeRun: { M: { runId: { S: 'x' } } } });

    // Act
    const entry = await ledger().get('old');
    const claim = await ledger().claim('old', 'exec-1', now, lease);

    // Assess
    expect(entry).toBeUndefined();
    expect(claim.claimed).toBe(true);
    expect(dynamo.commandCalls(GetItemCommand)[0]?.args[0].input.ConsistentRead).toBe(true);
  });

  it('turns throttling into the retryable StoreUnavailable', async () => {
    dynamo.on(GetItemCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(ledger().get('web')).rejects.toMatchObject({ name: 'StoreUnavailable', message: expect.stringContaining('Rate exceeded') });
  });

  it('fails at once with StoreAccessDenied when the role may not read the table: retrying cannot change a policy', async () => {
    dynamo
      .on(GetItemCommand)
      .rejects(Object.assign(new Error('not authorized to perform dynamodb:GetItem'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));
    await expect(ledger().get('web')).rejects.toMatchObject({
      name: 'StoreAccessDenied',
      retryable: false,
      message: expect.stringContaining('dynamodb:GetItem'),
    });
  });

  it('gives up on endless contention with the retryable StoreUnavailable, as other runs will settle', async () => {
    // Prepare: every write loses to another writer.
    dynamo.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: { httpStatusCode: 400 } }));

    // Act
    const failure = await ledger()
      .claim('web', 'exec-1', now, lease)
      .catch((error: unknown) => error);

    // Assess
    expect(failure).toMatchObject({ name: 'StoreUnavailable', retryable: true, message: expect.stringContaining('changed under us 8 times') });
    expect(dynamo.commandCalls(PutItemCommand)).toHaveLength(8);
  });
});
