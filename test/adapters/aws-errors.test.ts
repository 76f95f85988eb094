/**
 * The one classification of AWS SDK errors every adapter maps to its own certstep error: one
 * row per kind of failure the SDK reports, shaped as the SDK shapes it.
 */
import { InternalServerException, ThrottlingException, ValidationException } from '@aws-sdk/client-scheduler';
import { ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { type AwsFailureKind, classifyAwsError } from '../../functions/adapters/aws-errors.js';

const sdkError = (name: string, status?: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: status === undefined ? {} : { httpStatusCode: status }, ...extra });
const networkError = (code: string) => Object.assign(new Error(`connect ${code} 10.0.0.1:443`), { code });

const rows: [string, unknown, AwsFailureKind][] = [
  // Throttling, by name (the SDK's list), by status, by trait.
  ['ThrottlingException (400)', new ThrottlingException({ message: 'slow down', Message: 'slow down', $metadata: { httpStatusCode: 400 } }), 'transient'],
  ['Throttling (Route 53, 400)', sdkError('Throttling', 400), 'transient'],
  ['PriorRequestNotComplete (Route 53, 400)', sdkError('PriorRequestNotComplete', 400), 'transient'],
  ['TooManyRequestsException', sdkError('TooManyRequestsException', 400), 'transient'],
  ['ProvisionedThroughputExceededException (DynamoDB)', sdkError('ProvisionedThroughputExceededException', 400), 'transient'],
  ['an unnamed 429', sdkError('Error', 429), 'transient'],
  ['$retryable on an unknown name', sdkError('SomethingBusy', 400, { $retryable: {} }), 'transient'],
  ['$retryable.throttling on an unknown name', sdkError('SomethingSlow', 400, { $retryable: { throttling: true } }), 'transient'],
  // Server faults.
  ['500 InternalFailure', sdkError('InternalFailure', 500), 'transient'],
  ['503 ServiceUnavailable', sdkError('ServiceUnavailable', 503), 'transient'],
  ['501 with an unknown name', sdkError('NotImplemented', 501), 'transient'],
  ['a modeled server fault without a status', new InternalServerException({ message: 'oops', Message: 'oops', $metadata: {} }), 'transient'],
  // The network: a code, no HTTP status.
  ...['ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'EPIPE'].map((code): [string, unknown, AwsFailureKind] => [
    `${code} without a status`,
    networkError(code),
    'transient',
  ]),
  ['TimeoutError (the SDK request timeout)', Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' }), 'transient'],
  ['RequestTimeout', sdkError('RequestTimeout', 400), 'transient'],
  ['a network error wrapped as the cause', Object.assign(new Error('fetch failed'), { cause: networkError('ECONNRESET') }), 'transient'],
  // Clock skew: transient once the SDK corrected its clock, a refusal otherwise.
  [
    'RequestTimeTooSkewed the SDK corrected',
    sdkError('RequestTimeTooSkewed', 403, { $metadata: { httpStatusCode: 403, clockSkewCorrected: true } }),
    'transient',
  ],
  ['RequestTimeTooSkewed not corrected', sdkError('RequestTimeTooSkewed', 403), 'denied'],
  // Permissions.
  ['403 AccessDenied (Route 53)', sdkError('AccessDenied', 403), 'denied'],
  ['AccessDeniedException (400)', sdkError('AccessDeniedException', 400), 'denied'],
  ['an unnamed 403', sdkError('Error', 403), 'denied'],
  ['DecryptionFailure (KMS behind Secrets Manager)', sdkError('DecryptionFailure', 400), 'denied'],
  ['ExpiredTokenException', sdkError('ExpiredTokenException', 400), 'denied'],
  ['UnrecognizedClientException', sdkError('UnrecognizedClientException', 400), 'denied'],
  // Missing resources.
  [
    'ResourceNotFoundException',
    new ResourceNotFoundException({ message: 'no such secret', Message: 'no such secret', $metadata: { httpStatusCode: 400 } }),
    'notFound',
  ],
  ['NoSuchHostedZone (404)', sdkError('NoSuchHostedZone', 404), 'notFound'],
  ['an unnamed 404', sdkError('Error', 404), 'notFound'],
  // Requests AWS will refuse again.
  ['ValidationException', new ValidationException({ message: 'bad role', Message: 'bad role', $metadata: { httpStatusCode: 400 } }), 'rejected'],
  ['InvalidChangeBatch (400)', sdkError('InvalidChangeBatch', 400), 'rejected'],
  ['an unnamed 400', sdkError('Error', 400), 'rejected'],
  ['an aborted call', sdkError('AbortError'), 'rejected'],
  ['an unknown error without status or code', new Error('boom'), 'rejected'],
  ['a thrown string', 'boom', 'rejected'],
];

describe('classifyAwsError', () => {
  it.each(rows.map(([label, error, kind]) => ({ label, error, kind })))('$label is $kind', ({ error, kind }) => {
    // Act
    const failure = classifyAwsError(error);

    // Assess
    expect(failure.kind).toBe(kind);
  });

  it.each([
    [
      'a message and a name',
      Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }),
      'ThrottlingException',
      'Rate exceeded (ThrottlingException)',
    ],
    ['a name and no message', Object.assign(new Error(), { name: 'NoSuchHostedZone' }), 'NoSuchHostedZone', 'NoSuchHostedZone (NoSuchHostedZone)'],
    ['no name', { message: 'odd' }, 'Error', 'odd (Error)'],
    ['a thrown string', 'boom', 'Error', 'boom (Error)'],
  ])('says what AWS said, given %s', (_label, error, name, said) => {
    // Act
    const failure = classifyAwsError(error);

    // Assess
    expect(failure.name).toBe(name);
    expect(failure.said).toBe(said);
  });
});
