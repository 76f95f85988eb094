import { describe, it, expect } from 'vitest';
import { classifyAcmeFailure, describeProblem, type AcmeFailure } from '../../functions/core/acme-failure.js';
import { AcmeRateLimited, AcmeRequestRejected, retryAfterFromMessage } from '../../functions/core/errors.js';
import { RETRY_AFTER_ERROR_NAMES, RETRYABLE_ERROR_NAMES } from '../../functions/core/retry-policy.js';

const URN = 'urn:ietf:params:acme:error:';

interface ClassificationRow {
  case: string;
  failure: AcmeFailure;
  name: string;
  retryable: boolean;
  /** Fragments the operator must be able to read in the message. */
  mentions: string[];
}

const retryable: ClassificationRow[] = [
  {
    case: 'no HTTP answer, network code',
    failure: { operation: 'newOrder', networkCode: 'ECONNREFUSED' },
    name: 'AcmeNetworkError',
    retryable: true,
    mentions: ['newOrder', 'could not be reached', 'ECONNREFUSED'],
  },
  {
    case: 'no HTTP answer, only a detail',
    failure: { operation: 'getAuthorization', detail: 'socket hang up' },
    name: 'AcmeNetworkError',
    retryable: true,
    mentions: ['getAuthorization', 'socket hang up'],
  },
  {
    case: 'no HTTP answer, nothing known',
    failure: { operation: 'newAccount' },
    name: 'AcmeNetworkError',
    retryable: true,
    mentions: ['newAccount', 'no response'],
  },
  {
    case: 'HTTP 500 without a problem document',
    failure: { operation: 'finalize', status: 500 },
    name: 'AcmeServerError',
    retryable: true,
    mentions: ['finalize', 'the CA failed', 'HTTP 500'],
  },
  {
    case: 'HTTP 502 with a detail',
    failure: { operation: 'newOrder', status: 502, detail: 'Bad Gateway' },
    name: 'AcmeServerError',
    retryable: true,
    mentions: ['newOrder', 'Bad Gateway'],
  },
  {
    case: 'HTTP 503 without a problem document',
    failure: { operation: 'getOrder', status: 503 },
    name: 'AcmeServerError',
    retryable: true,
    mentions: ['getOrder', 'HTTP 503'],
  },
  {
    case: 'serverInternal problem type on a 500',
    failure: { operation: 'finalize', status: 500, problemType: `${URN}serverInternal`, detail: 'database is down' },
    name: 'AcmeServerError',
    retryable: true,
    mentions: ['database is down', '(serverInternal, HTTP 500)'],
  },
  {
    case: 'serverInternal problem type on a 4xx status still counts as the CA failing',
    failure: { operation: 'finalize', status: 400, problemType: `${URN}serverInternal`, detail: 'oops' },
    name: 'AcmeServerError',
    retryable: true,
    mentions: ['oops', 'serverInternal'],
  },
  {
    case: 'badNonce on a 400',
    failure: { operation: 'newOrder', status: 400, problemType: `${URN}badNonce`, detail: 'JWS has an invalid anti-replay nonce' },
    name: 'AcmeBadNonce',
    retryable: true,
    mentions: ['newOrder', 'nonce', 'JWS has an invalid anti-replay nonce', '(badNonce, HTTP 400)'],
  },
];

/** Not retried inside the run: the next attempt waits for the CA's Retry-After. */
const deferred: ClassificationRow[] = [
  {
    case: 'rateLimited 429 with Retry-After',
    failure: {
      operation: 'newOrder',
      status: 429,
      problemType: `${URN}rateLimited`,
      detail: 'too many certificates already issued',
      retryAfterSeconds: 3600,
    },
    name: 'AcmeRateLimited',
    retryable: false,
    mentions: ['newOrder', 'rate limited', 'too many certificates already issued', '(rateLimited, HTTP 429)', 'retry after 3600 s'],
  },
  {
    case: 'plain 429 with no problem type',
    failure: { operation: 'newNonce', status: 429, detail: 'slow down' },
    name: 'AcmeRateLimited',
    retryable: false,
    mentions: ['newNonce', 'rate limited', 'slow down'],
  },
  {
    case: 'rateLimited type on a non-429 status',
    failure: { operation: 'newOrder', status: 403, problemType: `${URN}rateLimited`, detail: 'limit reached' },
    name: 'AcmeRateLimited',
    retryable: false,
    mentions: ['limit reached', '(rateLimited, HTTP 403)'],
  },
  {
    case: '503 with Retry-After: the CA asks to come back later',
    failure: { operation: 'finalize', status: 503, detail: 'maintenance', retryAfterSeconds: 900 },
    name: 'AcmeServiceUnavailable',
    retryable: false,
    mentions: ['finalize', 'unavailable', 'maintenance', 'retry after 900 s'],
  },
];

const terminal: ClassificationRow[] = [
  {
    case: 'malformed 400',
    failure: { operation: 'newOrder', status: 400, problemType: `${URN}malformed`, detail: 'request body is not JSON' },
    name: 'AcmeRequestRejected',
    retryable: false,
    mentions: ['newOrder', 'rejected the request', 'request body is not JSON', '(malformed, HTTP 400)'],
  },
  {
    case: 'unauthorized 403',
    failure: { operation: 'newOrder', status: 403, problemType: `${URN}unauthorized`, detail: 'account is deactivated' },
    name: 'AcmeRequestRejected',
    retryable: false,
    mentions: ['account is deactivated', '(unauthorized, HTTP 403)'],
  },
  {
    case: '404 without a problem document',
    failure: { operation: 'getOrder', status: 404 },
    name: 'AcmeRequestRejected',
    retryable: false,
    mentions: ['getOrder', 'HTTP 404'],
  },
  {
    case: 'rejectedIdentifier 400',
    failure: {
      operation: 'newOrder',
      status: 400,
      problemType: `${URN}rejectedIdentifier`,
      detail: 'Error creating new order :: Cannot issue for "example.invalid"',
    },
    name: 'AcmeRequestRejected',
    retryable: false,
    mentions: ['Cannot issue for "example.invalid"', '(rejectedIdentifier, HTTP 400)'],
  },
  {
    case: 'caa 403',
    failure: { operation: 'finalize', status: 403, problemType: `${URN}caa`, detail: 'CAA record for example.com prevents issuance' },
    name: 'AcmeRequestRejected',
    retryable: false,
    mentions: ['CAA record for example.com prevents issuance', '(caa, HTTP 403)'],
  },
  {
    case: 'a non-ACME problem type is shown whole',
    failure: { operation: 'newOrder', status: 400, problemType: 'about:blank', detail: 'nope' },
    name: 'AcmeRequestRejected',
    retryable: false,
    mentions: ['nope', '(about:blank, HTTP 400)'],
  },
];

describe('classifyAcmeFailure', () => {
  it.each([...retryable, ...deferred, ...terminal])('$case → $name (retryable $retryable)', ({ failure, name, retryable: shouldRetry, mentions }) => {
    // Prepare: the failure row.

    // Act
    const error = classifyAcmeFailure(failure);

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(error.retryable).toBe(shouldRetry);
    for (const fragment of mentions) expect(error.message).toContain(fragment);
  });

  it.each(retryable)('$case: the error name is one the state machine retries', ({ failure }) => {
    // Prepare
    const retriedNames: readonly string[] = RETRYABLE_ERROR_NAMES;

    // Act
    const error = classifyAcmeFailure(failure);

    // Assess
    expect(retriedNames).toContain(error.name);
  });

  it.each(deferred)('$case: is not retried inside the run, and carries the Retry-After to the failure path', ({ failure }) => {
    // Act
    const error = classifyAcmeFailure(failure);

    // Assess
    expect(RETRY_AFTER_ERROR_NAMES as readonly string[]).toContain(error.name);
    expect(RETRYABLE_ERROR_NAMES as readonly string[]).not.toContain(error.name);
    expect(retryAfterFromMessage(error.message)).toBe(failure.retryAfterSeconds);
  });

  it.each(terminal)('$case: keeps the problem type and status for the operator', ({ failure }) => {
    // Prepare: the failure row.

    // Act
    const error = classifyAcmeFailure(failure);

    // Assess
    expect(error).toBeInstanceOf(AcmeRequestRejected);
    const rejected = error as AcmeRequestRejected;
    expect(rejected.problemType).toBe(failure.problemType);
    expect(rejected.status).toBe(failure.status);
    expect([...RETRYABLE_ERROR_NAMES, ...RETRY_AFTER_ERROR_NAMES] as readonly string[]).not.toContain(error.name);
  });

  it.each([
    { case: 'Retry-After given', retryAfterSeconds: 120, expected: 120, mentionsRetry: true },
    { case: 'Retry-After of zero', retryAfterSeconds: 0, expected: 0, mentionsRetry: true },
    { case: 'no Retry-After', retryAfterSeconds: undefined, expected: undefined, mentionsRetry: false },
  ])('rate limit carries retryAfterSeconds: $case', ({ retryAfterSeconds, expected, mentionsRetry }) => {
    // Prepare
    const failure: AcmeFailure = { operation: 'newOrder', status: 429, problemType: `${URN}rateLimited`, detail: 'busy', retryAfterSeconds };

    // Act
    const error = classifyAcmeFailure(failure);

    // Assess
    expect(error).toBeInstanceOf(AcmeRateLimited);
    expect((error as AcmeRateLimited).retryAfterSeconds).toBe(expected);
    expect(error.message.includes('retry after')).toBe(mentionsRetry);
  });
});

describe('describeProblem', () => {
  it.each([
    {
      case: 'undefined problem',
      problem: undefined,
      expected: 'no detail given by the CA',
    },
    {
      case: 'empty problem',
      problem: {},
      expected: 'no detail given by the CA',
    },
    {
      case: 'detail and ACME type',
      problem: { type: `${URN}unauthorized`, detail: 'no TXT record found' },
      expected: 'no TXT record found (unauthorized)',
    },
    {
      case: 'type without detail',
      problem: { type: `${URN}dns` },
      expected: '(dns)',
    },
    {
      case: 'detail without type',
      problem: { detail: 'something went wrong' },
      expected: 'something went wrong',
    },
    {
      case: 'non-ACME type kept whole',
      problem: { type: 'about:blank', detail: 'x' },
      expected: 'x (about:blank)',
    },
    {
      case: 'subproblems are listed by identifier',
      problem: {
        type: `${URN}rejectedIdentifier`,
        detail: 'Some identifiers were rejected',
        subproblems: [
          { type: `${URN}rejectedIdentifier`, detail: 'policy forbids issuing for name', identifier: { value: 'bad.example' } },
          { type: `${URN}caa`, detail: 'CAA forbids issuance', identifier: { value: 'caa.example' } },
        ],
      },
      expected: 'Some identifiers were rejected (rejectedIdentifier); bad.example: policy forbids issuing for name; caa.example: CAA forbids issuance',
    },
    {
      case: 'subproblem without identifier or detail falls back to ? and its type',
      problem: { detail: 'several problems', subproblems: [{ type: `${URN}dns` }] },
      expected: `several problems; ?: ${URN}dns`,
    },
    {
      case: 'subproblems under a problem with no detail',
      problem: { subproblems: [{ detail: 'NXDOMAIN', identifier: { value: 'a.example' } }] },
      expected: 'no detail given by the CA; a.example: NXDOMAIN',
    },
  ])('$case', ({ problem, expected }) => {
    // Prepare: the problem row.

    // Act
    const text = describeProblem(problem);

    // Assess
    expect(text).toBe(expected);
  });
});
