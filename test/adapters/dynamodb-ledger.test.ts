/**
 * The DynamoDB run ledger against a table fake that enforces the two condition expressions the
 * adapter writes with (test/support/aws-fakes.ts, requests as the SDK sends them), so concurrent
 * writers really race: one claim wins, a change that lands between a read and a write is read
 * again and kept, and one run's failure is counted once however often it is recorded.
 */
import { type AttributeValue, ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbRunLedger } from '../../functions/adapters/dynamodb-ledger.js';
import type { InFlightOrder } from '../../functions/ports/run-ledger.js';
import { type DynamoTable, statefulDynamo } from '../support/aws-fakes.js';

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

describe('DynamoDbRunLedger', () => {
  it('lets exactly one of two runs that claim at once win, and tells the other who holds it', async () => {
    // Act
    const [first, second] = await Promise.all([ledger().claim('web', 'exec-1', now, lease), ledger().claim('web', 'exec-2', now, lease)]);

    // Assess
    const results = [first, second];
    expect(results.filter((result) => result.claimed)).toHaveLength(1);
    const loser = results.find((result) => !result.claimed);
    const winner = first.claimed ? 'exec-1' : 'exec-2';
    expect(loser).toEqual({ claimed: false, heldBy: winner, since: now.toISOString() });
    expect((await ledger().get('web'))?.activeRun?.runId).toBe(winner);
  });

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

  it('counts a failure once, however often the same run records it, and sets the hold-off from the count and Retry-After', async () => {
    // Prepare
    await ledger().claim('web', 'exec-1', now, lease);
    const failure = { result: 'Failed' as const, at: now, error: 'AcmeRateLimited', cause: 'too many', counts: true, retryAfterSeconds: 3600 };

    // Act
    const once = await ledger().finish('web', 'exec-1', failure);
    const again = await ledger().finish('web', 'exec-1', failure);

    // Assess
    expect(once.consecutiveFailures).toBe(1);
    expect(again).toEqual(once);
    expect(once.activeRun).toBeUndefined();
    expect(once.nextAttemptAfter).toBe(new Date(now.getTime() + 3_600_000).toISOString());
    expect(once.lastError).toMatchObject({ error: 'AcmeRateLimited', cause: 'too many' });
  });

  it('moves the TXT values of an order replaced by another to the stale list, so they are still removed', async () => {
    // Prepare
    await ledger().claim('web', 'exec-1', now, lease);
    await ledger().recordOrder('web', 'exec-1', order('https://ca/order/1', 'exec-1', ['old', 'shared']));

    // Act
    await ledger().recordOrder('web', 'exec-1', order('https://ca/order/2', 'exec-1', ['shared', 'new']));

    // Assess
    const entry = await ledger().get('web');
    expect(entry?.order?.url).toBe('https://ca/order/2');
    expect(entry?.staleRecords?.map((record) => record.value)).toEqual(['old']);
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

  it('refuses to record an order for a run that does not hold the certificate', async () => {
    await ledger().claim('web', 'exec-1', now, lease);
    await expect(ledger().recordOrder('web', 'exec-2', order('https://ca/order/9', 'exec-2', []))).rejects.toThrow(/no longer holds certificate web/);
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
