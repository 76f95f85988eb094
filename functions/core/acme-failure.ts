/**
 * Turns what went wrong talking to the CA into one of our error classes, the way cert-manager
 * classifies at the boundary: the network, 5xx, badNonce and rateLimited are worth retrying;
 * any other 4xx means the same request will fail again.
 */
import { AcmeBadNonce, AcmeNetworkError, AcmeRateLimited, AcmeRequestRejected, AcmeServerError, AcmeServiceUnavailable, type CertstepError } from './errors.js';

const ACME_ERROR = 'urn:ietf:params:acme:error:';

export interface AcmeFailure {
  /** What the request was for, e.g. "newOrder". */
  readonly operation: string;
  readonly status?: number;
  readonly problemType?: string;
  readonly detail?: string;
  /** Set when no HTTP answer came back at all (ECONNREFUSED, ETIMEDOUT, ...). */
  readonly networkCode?: string;
  readonly retryAfterSeconds?: number;
}

export function classifyAcmeFailure(failure: AcmeFailure): CertstepError {
  const { operation, status, problemType, detail, networkCode } = failure;
  const shortType = problemType?.startsWith(ACME_ERROR) ? problemType.slice(ACME_ERROR.length) : problemType;
  const said = [detail, shortType && `(${shortType}${status ? `, HTTP ${status}` : ''})`].filter(Boolean).join(' ');

  if (status === undefined) {
    return new AcmeNetworkError(`${operation}: the CA could not be reached: ${networkCode ?? detail ?? 'no response'}`);
  }
  if (shortType === 'badNonce') {
    return new AcmeBadNonce(`${operation}: the CA kept rejecting nonces: ${said}`);
  }
  if (shortType === 'rateLimited' || status === 429) {
    return new AcmeRateLimited(`${operation}: rate limited by the CA: ${said || `HTTP ${status}`}`, failure.retryAfterSeconds);
  }
  if (status === 503 && failure.retryAfterSeconds !== undefined) {
    return new AcmeServiceUnavailable(`${operation}: the CA is unavailable: ${said || `HTTP ${status}`}`, failure.retryAfterSeconds);
  }
  if (status >= 500 || shortType === 'serverInternal') {
    return new AcmeServerError(`${operation}: the CA failed: ${said || `HTTP ${status}`}`);
  }
  if (status === 404 && !problemType) {
    return new AcmeRequestRejected(
      `${operation}: the CA no longer knows this order or authorization (HTTP 404, no detail); it may have expired or the CA lost it. The next run orders again.`,
      problemType,
      status,
    );
  }
  return new AcmeRequestRejected(`${operation}: the CA rejected the request: ${said || `HTTP ${status}`}`, problemType, status);
}

/** Folds a problem and its subproblems into one line an operator can act on. */
export function describeProblem(
  problem: { type?: string; detail?: string; subproblems?: readonly { type?: string; detail?: string; identifier?: { value?: string } }[] } | undefined,
): string {
  if (!problem) return 'no detail given by the CA';
  const type = problem.type?.startsWith(ACME_ERROR) ? problem.type.slice(ACME_ERROR.length) : problem.type;
  const head = [problem.detail, type && `(${type})`].filter(Boolean).join(' ') || 'no detail given by the CA';
  const subs = (problem.subproblems ?? []).map((sub) => `${sub.identifier?.value ?? '?'}: ${sub.detail ?? sub.type ?? ''}`);
  return subs.length ? `${head}; ${subs.join('; ')}` : head;
}
