/**
 * The CA's unauthenticated GETs (the directory, RFC 8555 §7.1.1; renewalInfo, RFC 9773 §4.2)
 * with node:http(s) alone: they need no account, no nonce and no signature, so the functions
 * that only ask them (CheckRenewal, the sweep) do not load acme-client and axios for it.
 */
import http from 'node:http';
import https from 'node:https';
import { type AcmeFailure, classifyAcmeFailure } from '../core/acme-failure.js';
import type { CertstepError } from '../core/errors.js';
import { agentFor } from './acme-trust.js';

export interface PlainAnswer {
  readonly status: number;
  /** The body, parsed when it is JSON. */
  readonly data: unknown;
  readonly retryAfter?: string;
}

/** As acme-client's axios is tuned (acme-http.ts): a CA that does not answer in 20 s is down for now. */
const TIMEOUT_MS = 20_000;
const MAX_REDIRECTS = 5;

/** One GET, following redirects as axios does; rejects only when no HTTP answer came back. */
export async function plainGet(url: string, redirects = 0): Promise<PlainAnswer> {
  const answer = await new Promise<PlainAnswer & { location?: string }>((resolve, reject) => {
    const secure = url.startsWith('https:');
    const agent = secure ? agentFor(url) : undefined;
    const request = (secure ? https : http).get(
      url,
      { ...(agent && { agent }), headers: { Accept: 'application/json', 'User-Agent': 'certstep' }, timeout: TIMEOUT_MS },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const retryAfter = response.headers['retry-after'];
          const location = response.headers.location;
          resolve({
            status: response.statusCode ?? 0,
            data: parsedBody(Buffer.concat(chunks).toString('utf8')),
            ...(typeof retryAfter === 'string' && { retryAfter }),
            ...(location && { location }),
          });
        });
      },
    );
    request.on('timeout', () => request.destroy(Object.assign(new Error(`timeout of ${TIMEOUT_MS}ms exceeded`), { code: 'ETIMEDOUT' })));
    request.on('error', reject);
  });
  if (answer.location && [301, 302, 303, 307, 308].includes(answer.status) && redirects < MAX_REDIRECTS) {
    return plainGet(new URL(answer.location, url).toString(), redirects + 1);
  }
  const { location: _location, ...rest } = answer;
  return rest;
}

/** What a failed GET becomes, classified as every other ACME failure is (core/acme-failure.ts). */
export function plainFailure(operation: string, outcome: { answer?: PlainAnswer; error?: unknown }): CertstepError {
  const { answer, error } = outcome;
  if (!answer) {
    const failure = error as { code?: string; message?: string } | undefined;
    return classifyAcmeFailure({ operation, networkCode: failure?.code ?? 'ERROR', detail: failure?.message ?? String(error) });
  }
  if (answer.status < 400) return classifyAcmeFailure({ operation, status: 0, detail: `HTTP ${answer.status}` });
  const problem = (typeof answer.data === 'object' && answer.data !== null ? answer.data : {}) as { type?: string; detail?: string };
  const retryAfter = retryAfterSeconds(answer.retryAfter);
  const failure: AcmeFailure = {
    operation,
    status: answer.status,
    detail: problem.detail ?? `HTTP ${answer.status}`,
    ...(problem.type && { problemType: problem.type }),
    ...(retryAfter !== undefined && { retryAfterSeconds: retryAfter }),
  };
  return classifyAcmeFailure(failure);
}

/** Problem documents and the directory are JSON (RFC 7807, RFC 8555). */
export function parsedBody(data: unknown): unknown {
  const text = Buffer.isBuffer(data) ? data.toString('utf8') : data;
  if (typeof text !== 'string' || !text.trimStart().startsWith('{')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Seconds from a Retry-After header (delta-seconds or HTTP date), when it parses. */
export function retryAfterSeconds(header: string | undefined, now: Date = new Date()): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value);
  // RFC 9110 §10.2.3: delta-seconds or an HTTP-date; Date.parse alone accepts almost anything.
  if (!/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now.getTime()) / 1000));
}
