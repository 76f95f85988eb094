/** The DynamoDB run ledger as Lambdas build it (table from CERTSTEP_LEDGER_TABLE). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbRunLedger } from '../adapters/dynamodb-ledger.js';
import { requiredEnv } from './config.js';
import { traced } from './tracing.js';

export function dynamoDbLedger(env: NodeJS.ProcessEnv = process.env): DynamoDbRunLedger {
  return new DynamoDbRunLedger(traced(new DynamoDBClient({ maxAttempts: 5 })), requiredEnv('CERTSTEP_LEDGER_TABLE', env));
}
