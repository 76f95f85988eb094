import { describe, it, expect } from 'vitest';
import { nextWaitSeconds, required } from '../../functions/core/workflow-state.js';
import { InvalidState } from '../../functions/core/errors.js';

function errorFrom(act: () => unknown): Error {
  try {
    act();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to throw');
}

describe('required', () => {
  it.each([
    { case: 'undefined', value: undefined, what: 'order' },
    { case: 'null', value: null, what: 'issuance.pendingKeyVersion' },
  ])('throws InvalidState naming the field when the value is $case', ({ value, what }) => {
    // Prepare
    const read = () => required(value as string | undefined, what);

    // Act
    const error = errorFrom(read);

    // Assess
    expect(error).toBeInstanceOf(InvalidState);
    expect(error.name).toBe('InvalidState');
    expect((error as InvalidState).retryable).toBe(false);
    expect(error.message).toContain(what);
    expect(error.message).toContain('missing');
  });

  it.each([
    { case: 'zero', value: 0 },
    { case: 'empty string', value: '' },
    { case: 'false', value: false },
    { case: 'empty array', value: [] as unknown[] },
    { case: 'object', value: { url: 'https://ca.example/order/1' } },
  ])('returns a present value unchanged, even when falsy: $case', ({ value }) => {
    // Prepare: the value row.

    // Act
    const result = required<unknown>(value, 'field');

    // Assess
    expect(result).toBe(value);
  });
});

describe('nextWaitSeconds', () => {
  it.each([
    { case: 'no Retry-After: the interval', interval: 5, retryAfter: undefined, max: undefined, expected: 5 },
    { case: 'Retry-After honoured over the interval', interval: 5, retryAfter: 30, max: undefined, expected: 30 },
    { case: 'Retry-After shorter than the interval is honoured', interval: 10, retryAfter: 2, max: undefined, expected: 2 },
    { case: 'Retry-After of zero is honoured, not replaced by the interval', interval: 5, retryAfter: 0, max: undefined, expected: 0 },
    { case: 'Retry-After above the default max is clamped to 60', interval: 5, retryAfter: 3600, max: undefined, expected: 60 },
    { case: 'exactly the default max', interval: 5, retryAfter: 60, max: undefined, expected: 60 },
    { case: 'custom max clamps', interval: 5, retryAfter: 3600, max: 300, expected: 300 },
    { case: 'custom max above the value does not clamp', interval: 5, retryAfter: 120, max: 300, expected: 120 },
    { case: 'interval above max is clamped', interval: 90, retryAfter: undefined, max: undefined, expected: 60 },
    { case: 'negative Retry-After is clamped to 0', interval: 5, retryAfter: -3, max: undefined, expected: 0 },
    { case: 'negative interval is clamped to 0', interval: -1, retryAfter: undefined, max: undefined, expected: 0 },
    { case: 'fraction rounds down', interval: 5, retryAfter: 2.4, max: undefined, expected: 2 },
    { case: 'fraction rounds up', interval: 5, retryAfter: 2.6, max: undefined, expected: 3 },
    { case: 'half rounds up', interval: 5, retryAfter: 2.5, max: undefined, expected: 3 },
    { case: 'fractional interval rounds', interval: 1.7, retryAfter: undefined, max: undefined, expected: 2 },
    { case: 'max of zero forces no wait', interval: 5, retryAfter: 30, max: 0, expected: 0 },
  ])('$case → $expected', ({ interval, retryAfter, max, expected }) => {
    // Prepare: the row.

    // Act
    const wait = max === undefined ? nextWaitSeconds(interval, retryAfter) : nextWaitSeconds(interval, retryAfter, max);

    // Assess
    expect(wait).toBe(expected);
    expect(Number.isInteger(wait)).toBe(true);
  });
});
