/**
 * The certificate catalog in DynamoDB: one item per certificate (partition key `name`), its
 * execution input as JSON, where it came from, its expiry alarm threshold and the hash of the
 * secret policy last applied. Read whole by the daily sweep; written by the deploy-time sync and
 * by `certstep apply`.
 */
import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type AttributeValue,
  ScanCommand,
  type ScanCommandOutput,
} from '@aws-sdk/client-dynamodb';
import type { CatalogEntry, WritableCertificateCatalog } from '../ports/certificate-catalog.js';
import { dynamoDbFailure } from './dynamodb-errors.js';

const WHAT = 'the certificate catalog';

export class DynamoDbCertificateCatalog implements WritableCertificateCatalog {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async entries(): Promise<CatalogEntry[]> {
    const entries: CatalogEntry[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      let page: ScanCommandOutput;
      try {
        page = await this.client.send(new ScanCommand({ TableName: this.tableName, ConsistentRead: true, ...(start && { ExclusiveStartKey: start }) }));
      } catch (error) {
        throw dynamoDbFailure('Scan', WHAT, error);
      }
      for (const item of page.Items ?? []) entries.push(entryOf(item));
      start = page.LastEvaluatedKey;
    } while (start);
    return entries;
  }

  /** Every stored execution input, as the sweep validates them. */
  async list(): Promise<unknown[]> {
    return (await this.entries()).map((entry) => entry.input);
  }

  async get(name: string): Promise<CatalogEntry | undefined> {
    try {
      const answer = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: { name: { S: name } }, ConsistentRead: true }));
      return answer.Item ? entryOf(answer.Item) : undefined;
    } catch (error) {
      throw dynamoDbFailure('GetItem', WHAT, error);
    }
  }

  async put(entry: CatalogEntry): Promise<void> {
    const item: Record<string, AttributeValue> = {
      name: { S: entry.name },
      input: { S: JSON.stringify(entry.input) },
      source: { S: entry.source },
      ...(entry.expiryAlarmDays !== undefined && { expiryAlarmDays: { N: String(entry.expiryAlarmDays) } }),
      ...(entry.policy !== undefined && { policy: { S: entry.policy } }),
    };
    try {
      await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: item }));
    } catch (error) {
      throw dynamoDbFailure('PutItem', WHAT, error);
    }
  }

  async delete(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: { name: { S: name } } }));
    } catch (error) {
      throw dynamoDbFailure('DeleteItem', WHAT, error);
    }
  }
}

function entryOf(item: Record<string, AttributeValue>): CatalogEntry {
  const name = item.name?.S ?? 'unknown';
  let input: unknown;
  try {
    input = JSON.parse(item.input?.S ?? 'null');
  } catch {
    // Validated like any input by the sweep, which names the certificate it cannot read.
    input = { certificate: { name } };
  }
  const days = item.expiryAlarmDays?.N === undefined ? undefined : Number(item.expiryAlarmDays.N);
  return {
    name,
    input,
    source: item.source?.S === 'apply' ? 'apply' : 'config',
    ...(days !== undefined && Number.isFinite(days) && { expiryAlarmDays: days }),
    ...(item.policy?.S !== undefined && { policy: item.policy.S }),
  };
}
