import { describe, it, expect } from 'vitest';
import { retryAfterSeconds } from '../../functions/adapters/acme-http.js';

const NOW = new Date('2030-01-01T00:00:00.000Z');

describe('retryAfterSeconds', () => {
  it.each([
    { case: 'delta seconds', header: '120', now: NOW, expected: 120 },
    { case: 'zero delta seconds', header: '0', now: NOW, expected: 0 },
    { case: 'delta seconds with surrounding spaces', header: ' 30 ', now: NOW, expected: 30 },
    { case: 'large delta seconds', header: '86400', now: NOW, expected: 86_400 },
    { case: 'HTTP date 90 s in the future', header: 'Tue, 01 Jan 2030 00:01:30 GMT', now: NOW, expected: 90 },
    { case: 'HTTP date one hour in the future', header: 'Tue, 01 Jan 2030 01:00:00 GMT', now: NOW, expected: 3600 },
    {
      case: 'HTTP date a fraction of a second away rounds up',
      header: 'Tue, 01 Jan 2030 00:01:30 GMT',
      now: new Date('2030-01-01T00:00:00.500Z'),
      expected: 90,
    },
    { case: 'HTTP date equal to now', header: 'Tue, 01 Jan 2030 00:00:00 GMT', now: NOW, expected: 0 },
    { case: 'HTTP date in the past', header: 'Mon, 31 Dec 2029 23:00:00 GMT', now: NOW, expected: 0 },
    { case: 'HTTP date long in the past', header: 'Thu, 01 Jan 1970 00:00:00 GMT', now: NOW, expected: 0 },
    { case: 'garbage word', header: 'soon', now: NOW, expected: undefined },
    { case: 'seconds with a unit', header: '120s', now: NOW, expected: undefined },
    { case: 'a phrase', header: 'in 5 minutes', now: NOW, expected: undefined },
    { case: 'hexadecimal', header: '0x10', now: NOW, expected: undefined },
    // RFC 9110 §10.2.3: delta-seconds is 1*DIGIT; "1.5" is neither that nor an HTTP-date.
    { case: 'fractional seconds are not a valid Retry-After', header: '1.5', now: NOW, expected: undefined },
    { case: 'empty header', header: '', now: NOW, expected: undefined },
    { case: 'no header', header: undefined, now: NOW, expected: undefined },
  ])('$case: $header → $expected', ({ header, now, expected }) => {
    // Prepare: the row.

    // Act
    const seconds = retryAfterSeconds(header, now);

    // Assess
    expect(seconds).toBe(expected);
  });
});
