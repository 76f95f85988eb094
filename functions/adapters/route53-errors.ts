/**
 * Route 53 failures as certstep errors: what is worth retrying (after the SDK's own jittered
 * backoff ran out) is decided by aws-errors.ts; a missing hosted zone is ZoneNotFound, and every
 * other refusal fails fast with Route 53's own message.
 */
import { type CertstepError, DnsChangeRejected, DnsProviderUnavailable, ZoneNotFound } from '../core/errors.js';
import { classifyAwsError } from './aws-errors.js';

export function route53Failure(operation: string, error: unknown, zoneId?: string): CertstepError {
  const { kind, name, said } = classifyAwsError(error);
  const where = zoneId ? ` on hosted zone ${zoneId}` : '';
  // Route 53's other NoSuch* (a change id from GetChange) are ours to get right, not a zone's.
  if (kind === 'notFound' && name === 'NoSuchHostedZone') return new ZoneNotFound(`Route 53 ${operation}${where}: ${said}`);
  if (kind === 'transient') return new DnsProviderUnavailable(`Route 53 ${operation}${where} did not succeed after retries: ${said}`);
  return new DnsChangeRejected(`Route 53 ${operation}${where} was refused: ${said}`);
}
