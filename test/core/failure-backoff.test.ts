/** core/failure-backoff.ts: Let's Encrypt's ladder, the CA's Retry-After, and the cap near expiry. */
import { describe, expect, it } from 'vitest';
import { nextAttemptAfter } from '../../functions/core/failure-backoff.js';

const at = new Date('2028-01-01T00:00:00.000Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('nextAttemptAfter', () => {
  it.each([
    { case: 'first failure', failures: 1, retryAfter: undefined, left: undefined, wait: 1 * MINUTE },
    { case: 'second', failures: 2, retryAfter: undefined, left: undefined, wait: 10 * MINUTE },
    { case: 'third', failures: 3, retryAfter: undefined, left: undefined, wait: 100 * MINUTE },
    { case: 'fourth and after: daily', failures: 7, retryAfter: undefined, left: undefined, wait: 24 * HOUR },
    { case: 'Retry-After longer than the step wins', failures: 1, retryAfter: 3 * 3600, left: undefined, wait: 3 * HOUR },
    { case: 'Retry-After shorter than the step loses', failures: 3, retryAfter: 60, left: undefined, wait: 100 * MINUTE },
    { case: 'two days left: at most six hours', failures: 5, retryAfter: undefined, left: 48 * HOUR, wait: 6 * HOUR },
    { case: 'an hour left: never under 15 minutes', failures: 5, retryAfter: undefined, left: 1 * HOUR, wait: 15 * MINUTE },
    { case: 'expired already: 15 minutes', failures: 9, retryAfter: undefined, left: -HOUR, wait: 15 * MINUTE },
    { case: 'the cap leaves the early steps alone', failures: 1, retryAfter: undefined, left: 2 * HOUR, wait: 1 * MINUTE },
    { case: 'near expiry, Retry-After still wins', failures: 5, retryAfter: 2 * 3600, left: 1 * HOUR, wait: 2 * HOUR },
  ])('$case', ({ failures, retryAfter, left, wait }) => {
    const notAfter = left === undefined ? undefined : new Date(at.getTime() + left);
    expect(nextAttemptAfter(at, failures, retryAfter, notAfter).getTime() - at.getTime()).toBe(wait);
  });
});
