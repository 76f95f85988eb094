/**
 * The run ledger in DynamoDB: one item per certificate holding the entry as JSON and a version
 * number. Every change reads the item, applies one of the pure transitions in
 * ledger-transitions.ts, and writes it back only if the version is still the one read, so the
 * claim that makes "one run at a time" true is decided by DynamoDB, not by timing, and a
 * concurrent change is read again and re-applied instead of lost.
 */
import { type AttributeValue, ConditionalCheckFailedException, type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { StoreUnavailable } from '../core/errors.js';
import type { LedgerEntry } from '../ports/run-ledger.js';
import { dynamoDbFailure } from './dynamodb-errors.js';
import { TransitionLedger, emptyEntry } from './ledger-transitions.js';

/** Conflicts are other runs' changes landing between our read and write; a few rounds settle them. */
const MAX_ROUNDS = 8;

interface Versioned {
  readonly entry?: LedgerEntry;
  readonly version: number;
}

export class DynamoDbRunLedger extends TransitionLedger {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    super();
  }

  async get(certificateName: string): Promise<LedgerEntry | undefined> {
    return (await this.read(certificateName)).entry;
  }

  /** Read, change, write if unchanged since the read; again on a conflict. A change that changes nothing writes nothing. */
  protected async update(certificateName: string, change: (entry: LedgerEntry) => LedgerEntry): Promise<LedgerEntry> {
    for (let round = 1; ; round++) {
      const { entry, version } = await this.read(certificateName);
      const before = entry ?? emptyEntry(certificateName);
      const after = change(before);
      if (after === before) return before;
      try {
        await this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: { certificateName: { S: certificateName }, version: { N: String(version + 1) }, entry: { S: JSON.stringify(after) } },
            // An item without `entry` is absent, or was written by certstep 0.1 (its bookkeeping is dropped: one extra run at most).
            ConditionExpression: entry ? 'version = :version' : 'attribute_not_exists(entry)',
            ...(entry && { ExpressionAttributeValues: { ':version': { N: String(version) } } }),
          }),
        );
        return after;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw dynamoDbFailure('PutItem', 'the run ledger', error);
        // Other runs kept changing the entry: a contention that passes, so worth a retry of the phase.
        if (round >= MAX_ROUNDS)
          throw new StoreUnavailable(`DynamoDB PutItem on the run ledger failed: the entry of ${certificateName} changed under us ${round} times in a row`);
      }
    }
  }

  private async read(certificateName: string): Promise<Versioned> {
    let item: Record<string, AttributeValue> | undefined;
    try {
      item = (await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: { certificateName: { S: certificateName } }, ConsistentRead: true })))
        .Item;
    } catch (error) {
      throw dynamoDbFailure('GetItem', 'the run ledger', error);
    }
    if (!item?.entry?.S) return { version: Number(item?.version?.N ?? '0') };
    return { entry: JSON.parse(item.entry.S) as LedgerEntry, version: Number(item.version?.N ?? '0') };
  }
}
