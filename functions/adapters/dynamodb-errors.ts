/**
 * DynamoDB failures of the run ledger and the certificate catalog as store errors: retried by
 * the state machine only when aws-errors.ts calls them transient. A role without access or a
 * table that is missing fails at once, as for the certificate store.
 */
import { type CertstepError, StoreAccessDenied, StoreRequestRejected, StoreUnavailable } from '../core/errors.js';
import { classifyAwsError } from './aws-errors.js';

export function dynamoDbFailure(operation: string, table: string, error: unknown): CertstepError {
  const { kind, said } = classifyAwsError(error);
  if (kind === 'transient') return new StoreUnavailable(`DynamoDB ${operation} on ${table} failed: ${said}`);
  if (kind === 'denied') return new StoreAccessDenied(`DynamoDB ${operation} on ${table} was denied: ${said}`);
  return new StoreRequestRejected(`DynamoDB ${operation} on ${table} was refused: ${said}`);
}
