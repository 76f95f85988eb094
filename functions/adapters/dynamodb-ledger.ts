/**
 * The run ledger in DynamoDB: one item per certificate, every change a conditional write, so
 * the claim that makes "one run at a time" true is decided by DynamoDB, not by timing.
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { StoreUnavailable } from '../core/errors.js';
import type { ClaimResult, LedgerEntry, RunLedger, RunOutcome } from '../ports/run-ledger.js';

export class DynamoDbRunLedger implements RunLedger {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async get(certificateName: string): Promise<LedgerEntry | undefined> {
    const answer = await this.call('GetItem', () =>
      this.client.send(new GetItemCommand({ TableName: this.tableName, Key: key(certificateName), ConsistentRead: true })),
    );
    return answer.Item ? fromItem(answer.Item) : undefined;
  }

  async claim(certificateName: string, runId: string, now: Date, leaseUntil: Date): Promise<ClaimResult> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(certificateName),
          UpdateExpression: 'SET activeRun = :run, consecutiveFailures = if_not_exists(consecutiveFailures, :zero)',
          ConditionExpression: 'attribute_not_exists(activeRun) OR activeRun.runId = :runId OR activeRun.leaseUntil < :now',
          ExpressionAttributeValues: {
            ':run': { M: { runId: { S: runId }, since: { S: now.toISOString() }, leaseUntil: { S: leaseUntil.toISOString() } } },
            ':runId': { S: runId },
            ':now': { S: now.toISOString() },
            ':zero': { N: '0' },
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw failure('UpdateItem', error);
      const active = error.Item ? fromItem(error.Item).activeRun : undefined;
      return { claimed: false, heldBy: active?.runId ?? 'another run', since: active?.since ?? now.toISOString() };
    }
  }

  async finish(certificateName: string, runId: string, outcome: RunOutcome): Promise<LedgerEntry> {
    const failed = outcome.result === 'Failed';
    const values: Record<string, AttributeValue> = {
      ':result': { S: outcome.result },
      ':at': { S: outcome.at.toISOString() },
      ':zero': { N: '0' },
      ...(failed && {
        ':one': { N: '1' },
        ':error': { M: { error: { S: outcome.error ?? 'Unknown' }, cause: { S: (outcome.cause ?? '').slice(0, 4000) } } },
      }),
      ...(failed && outcome.nextAttemptAfter && { ':next': { S: outcome.nextAttemptAfter.toISOString() } }),
    };
    const set = failed
      ? `SET lastResult = :result, lastRunAt = :at, consecutiveFailures = if_not_exists(consecutiveFailures, :zero) + :one, lastError = :error${outcome.nextAttemptAfter ? ', nextAttemptAfter = :next' : ''}`
      : 'SET lastResult = :result, lastRunAt = :at, consecutiveFailures = :zero';
    const remove = failed ? (outcome.nextAttemptAfter ? [] : ['nextAttemptAfter']) : ['lastError', 'nextAttemptAfter'];
    const update = (releasing: boolean) =>
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: key(certificateName),
        UpdateExpression: [set, ...(releasing || remove.length ? [`REMOVE ${[...(releasing ? ['activeRun'] : []), ...remove].join(', ')}`] : [])].join(' '),
        ...(releasing && { ConditionExpression: 'attribute_not_exists(activeRun) OR activeRun.runId = :runId' }),
        ExpressionAttributeValues: { ...values, ...(releasing && { ':runId': { S: runId } }) },
        ReturnValues: 'ALL_NEW',
      });
    try {
      const answer = await this.client.send(update(true));
      return fromItem(answer.Attributes ?? {});
    } catch (error) {
      // Another run took over an expired lease: record our outcome, leave its claim alone.
      if (!(error instanceof ConditionalCheckFailedException)) throw failure('UpdateItem', error);
      const answer = await this.call('UpdateItem', () => this.client.send(update(false)));
      return fromItem(answer.Attributes ?? {});
    }
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw failure(operation, error);
    }
  }
}

function key(certificateName: string): Record<string, AttributeValue> {
  return { certificateName: { S: certificateName } };
}

function fromItem(item: Record<string, AttributeValue>): LedgerEntry {
  const run = item.activeRun?.M;
  const error = item.lastError?.M;
  return {
    certificateName: item.certificateName?.S ?? '',
    consecutiveFailures: Number(item.consecutiveFailures?.N ?? '0'),
    ...(run && { activeRun: { runId: run.runId?.S ?? '', since: run.since?.S ?? '', leaseUntil: run.leaseUntil?.S ?? '' } }),
    ...(item.lastResult?.S && { lastResult: item.lastResult.S as LedgerEntry['lastResult'] & string }),
    ...(item.lastRunAt?.S && { lastRunAt: item.lastRunAt.S }),
    ...(error && { lastError: { error: error.error?.S ?? '', cause: error.cause?.S ?? '' } }),
    ...(item.nextAttemptAfter?.S && { nextAttemptAfter: item.nextAttemptAfter.S }),
  };
}

function failure(operation: string, error: unknown): Error {
  const failed = error as { name?: string; message?: string };
  return new StoreUnavailable(`DynamoDB ${operation} on the run ledger failed: ${failed.message ?? failed.name} (${failed.name})`);
}
