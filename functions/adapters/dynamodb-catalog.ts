/**
 * The certificate catalog in DynamoDB: one item per certificate, its execution input as JSON,
 * kept in sync with certstep.config.json by the stack. Read whole by the daily sweep.
 */
import { type DynamoDBClient, ScanCommand, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import type { CertificateCatalog } from '../ports/certificate-catalog.js';
import { dynamoDbFailure } from './dynamodb-errors.js';

export class DynamoDbCertificateCatalog implements CertificateCatalog {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async list(): Promise<unknown[]> {
    const inputs: unknown[] = [];
    let start: Record<string, never> | undefined;
    do {
      let page: ScanCommandOutput;
      try {
        page = await this.client.send(new ScanCommand({ TableName: this.tableName, ConsistentRead: true, ...(start && { ExclusiveStartKey: start }) }));
      } catch (error) {
        throw dynamoDbFailure('Scan', 'the certificate catalog', error);
      }
      for (const item of page.Items ?? []) {
        try {
          inputs.push(JSON.parse(item.input?.S ?? 'null'));
        } catch {
          // Validated like any input by the sweep, which names the certificate it cannot read.
          inputs.push({ certificate: { name: item.name?.S } });
        }
      }
      start = page.LastEvaluatedKey as Record<string, never> | undefined;
    } while (start);
    return inputs;
  }
}
