/**
 * Route 53 failures classified at the boundary: throttling, a prior request still in
 * progress, 5xx and the network are worth retrying (after the SDK's own jittered backoff
 * ran out); permissions and rejected batches fail fast with Route 53's own message.
 */
import { type CertstepError, DnsChangeRejected, DnsProviderUnavailable, ZoneNotFound } from '../core/errors.js';

const RETRYABLE = new Set(['Throttling', 'ThrottlingException', 'PriorRequestNotComplete', 'InternalFailure', 'ServiceUnavailable', 'TimeoutError', 'RequestTimeout']);

export function route53Failure(operation: string, error: unknown, zoneId?: string): CertstepError {
  const failure = error as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const name = failure.name ?? 'Error';
  const where = zoneId ? ` on hosted zone ${zoneId}` : '';
  const said = `${failure.message ?? name} (${name})`;
  if (name === 'NoSuchHostedZone') return new ZoneNotFound(`Route 53 ${operation}${where}: ${said}`);
  const status = failure.$metadata?.httpStatusCode;
  const network = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE'].includes(failure.code ?? '');
  if (RETRYABLE.has(name) || network || (status !== undefined && status >= 500)) {
    return new DnsProviderUnavailable(`Route 53 ${operation}${where} did not succeed after retries: ${said}`);
  }
  return new DnsChangeRejected(`Route 53 ${operation}${where} was refused: ${said}`);
}
