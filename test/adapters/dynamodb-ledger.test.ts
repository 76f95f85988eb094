/** The DynamoDB run ledger against exact requests (aws-sdk-client-mock). */
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbRunLedger } from '../../functions/adapters/dynamodb-ledger.js';

const dynamo = mockClient(DynamoDBClient);
const ledger = () => new DynamoDbRunLedger(new DynamoDBClient({ region: 'eu-west-1' }), 'certstep-ledger');
const now = new Date('2026-11-22T10:00:00.000Z');
const lease = new Date('2026-11-22T12:00:00.000Z');

beforeEach(() => dynamo.reset());

describe('DynamoDbRunLedger', () => {
  it('claims with a conditional write that only an absent, own or expired claim passes', async () => {
    // Prepare
    dynamo.on(UpdateItemCommand).resolves({});

    // Act
    const result = await ledger().claim('web', 'exec-1', now, lease);

    // Assess
    expect(result).toEqual({ claimed: true });
    expect(dynamo.commandCalls(UpdateItemCommand)[0]?.args[0].input).toEqual({
      TableName: 'certstep-ledger',
      Key: { certificateName: { S: 'web' } },
      UpdateExpression: 'SET activeRun = :run, consecutiveFailures = if_not_exists(consecutiveFailures, :zero)',
      ConditionExpression: 'attribute_not_exists(activeRun) OR activeRun.runId = :runId OR activeRun.leaseUntil < :now',
      ExpressionAttributeValues: {
        ':run': { M: { runId: { S: 'exec-1' }, since: { S: now.toISOString() }, leaseUntil: { S: lease.toISOString() } } },
        ':runId': { S: 'exec-1' },
        ':now': { S: now.toISOString() },
        ':zero': { N: '0' },
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('reports who holds the certificate when the condition fails', async () => {
    dynamo.on(UpdateItemCommand).rejects(
      new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
        Item: { certificateName: { S: 'web' }, activeRun: { M: { runId: { S: 'exec-0' }, since: { S: '2026-11-22T09:59:00.000Z' }, leaseUntil: { S: lease.toISOString() } } } },
      }),
    );
    expect(await ledger().claim('web', 'exec-1', now, lease)).toEqual({ claimed: false, heldBy: 'exec-0', since: '2026-11-22T09:59:00.000Z' });
  });

  it('records a failure: counts it, keeps the error and hold-off, releases its own claim', async () => {
    dynamo.on(UpdateItemCommand).resolves({ Attributes: { certificateName: { S: 'web' }, consecutiveFailures: { N: '2' } } });
    const entry = await ledger().finish('web', 'exec-1', { result: 'Failed', at: now, error: 'AcmeOrderInvalid', cause: 'bad TXT', nextAttemptAfter: lease });
    expect(entry.consecutiveFailures).toBe(2);
    expect(dynamo.commandCalls(UpdateItemCommand)[0]?.args[0].input).toMatchObject({
      UpdateExpression:
        'SET lastResult = :result, lastRunAt = :at, consecutiveFailures = if_not_exists(consecutiveFailures, :zero) + :one, lastError = :error, nextAttemptAfter = :next REMOVE activeRun',
      ConditionExpression: 'attribute_not_exists(activeRun) OR activeRun.runId = :runId',
      ExpressionAttributeValues: expect.objectContaining({ ':next': { S: lease.toISOString() }, ':runId': { S: 'exec-1' } }),
    });
  });

  it('records a success: resets the count, clears error and hold-off', async () => {
    dynamo.on(UpdateItemCommand).resolves({ Attributes: { certificateName: { S: 'web' }, consecutiveFailures: { N: '0' } } });
    await ledger().finish('web', 'exec-1', { result: 'Issued', at: now });
    expect(dynamo.commandCalls(UpdateItemCommand)[0]?.args[0].input.UpdateExpression).toBe(
      'SET lastResult = :result, lastRunAt = :at, consecutiveFailures = :zero REMOVE activeRun, lastError, nextAttemptAfter',
    );
  });

  it('leaves another run\'s claim alone when its own was taken over', async () => {
    dynamo
      .on(UpdateItemCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }))
      .resolves({ Attributes: { certificateName: { S: 'web' }, consecutiveFailures: { N: '0' } } });
    await ledger().finish('web', 'exec-1', { result: 'Issued', at: now });
    const second = dynamo.commandCalls(UpdateItemCommand)[1]?.args[0].input;
    expect(second?.UpdateExpression).toBe('SET lastResult = :result, lastRunAt = :at, consecutiveFailures = :zero REMOVE lastError, nextAttemptAfter');
    expect(second?.ConditionExpression).toBeUndefined();
  });

  it('reads consistently', async () => {
    dynamo.on(GetItemCommand).resolves({});
    expect(await ledger().get('web')).toBeUndefined();
    expect(dynamo.commandCalls(GetItemCommand)[0]?.args[0].input.ConsistentRead).toBe(true);
  });
});
