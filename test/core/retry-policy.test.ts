/**
 * The retry policy's error names are derived from the error classes (test/asl holds the ASL to
 * them); these rows check the derivation finds the classes it should, and only those.
 */
import { describe, expect, it } from 'vitest';
import * as errors from '../../functions/core/errors.js';
import { LAMBDA_SERVICE_ERROR_NAMES, RETRY_AFTER_ERROR_NAMES, RETRYABLE_ERROR_NAMES, SHARED_RETRIER } from '../../functions/core/retry-policy.js';

type ErrorClass = new (message: string) => errors.CertstepError;

const retryable: ErrorClass[] = [
  errors.AcmeNetworkError,
  errors.AcmeServerError,
  errors.AcmeBadNonce,
  errors.DnsProviderUnavailable,
  errors.StoreUnavailable,
  errors.SchedulerUnavailable,
  errors.AcmUnavailable,
];
const terminal: ErrorClass[] = [
  errors.InvalidInput,
  errors.AcmeRequestRejected,
  errors.AcmeOrderInvalid,
  errors.DnsChangeRejected,
  errors.ZoneNotFound,
  errors.DnsServerUnreachable,
  errors.CnameRequired,
  errors.SecretNotFound,
  errors.StoreAccessDenied,
  errors.StoreRequestRejected,
  errors.ScheduleRejected,
  errors.AcmImportRefused,
  errors.CertificateVerificationFailed,
  errors.InvalidState,
];
const askToWait: ErrorClass[] = [errors.AcmeRateLimited, errors.AcmeServiceUnavailable];

describe('retry policy', () => {
  it.each(retryable.map((ErrorClass) => new ErrorClass('x').name))('retries %s', (name) => {
    expect(RETRYABLE_ERROR_NAMES).toContain(name);
    expect(SHARED_RETRIER.ErrorEquals).toContain(name);
  });

  it.each([...terminal, ...askToWait].map((ErrorClass) => new ErrorClass('x').name))('does not retry %s', (name) => {
    expect(RETRYABLE_ERROR_NAMES).not.toContain(name);
    expect(SHARED_RETRIER.ErrorEquals).not.toContain(name);
  });

  it('lists each retryable class once, and nothing else', () => {
    expect([...RETRYABLE_ERROR_NAMES].sort()).toEqual(retryable.map((ErrorClass) => new ErrorClass('x').name).sort());
  });

  it('finds the errors that carry the CA Retry-After', () => {
    expect([...RETRY_AFTER_ERROR_NAMES].sort()).toEqual(askToWait.map((ErrorClass) => new ErrorClass('x').name).sort());
  });

  it('retries the Lambda service failures with the same retrier', () => {
    for (const name of LAMBDA_SERVICE_ERROR_NAMES) expect(SHARED_RETRIER.ErrorEquals).toContain(name);
  });
});
