/**
 * certstep's one way of sending HTTP to a CA (send), and the CA's unauthenticated GETs with it
 * (the directory, RFC 8555 §7.1.1; renewalInfo, RFC 9773 §4.2): they need no account, no nonce
 * and no signature, so the functions that only ask them (CheckRenewal, the sweep) do not load
 * acme-client for it. acme-client's signed requests go through send too (acme-http.ts).
 */
import http, { type IncomingHttpHeaders } from 'node:http';
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

/** As acme-client's requests are tuned (acme-http.ts): a CA that does not answer in 20 s is down for now. */
const TIMEOUT_MS = 20_000;
const MAX_REDIRECTS = 5;

/** One HTTP request to the CA, as sent. */
export interface RawRequest {
  readonly method: string;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** For https, when no CA bundle was registered for the URL's origin (acme-trust.ts), which would win. */
  readonly agent?: https.Agent;
}

/** One HTTP answer of the CA, body undecoded: what an axios adapter hands back to axios. */
export interface RawAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * Every request certstep sends to a CA, signed (through acme-client, acme-http.ts) or not: over
 * node:http(s) with the CA's trust (acme-trust.ts), no proxy, no compression, no redirects
 * followed. Rejects only when no HTTP answer came back; the error's `code` says why (a socket
 * idle for 20 s is ETIMEDOUT).
 */
export function send(request: RawRequest): Promise<RawAnswer> {
  return new Promise<RawAnswer>((resolve, reject) => {
    const secure = request.url.startsWith('https:');
    const agent = secure ? (agentFor(request.url) ?? request.agent) : undefined;
    const headers = { ...request.headers, ...(request.body !== undefined && { 'Content-Length': String(Buffer.byteLength(request.body)) }) };
    const outgoing = (secure ? https : http).request(
      request.url,
      { method: request.method.toUpperCase(), headers, timeout: TIMEOUT_MS, ...(agent && { agent }) },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            statusText: response.statusMessage ?? '',
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(Object.assign(new Error(`timeout of ${TIMEOUT_MS}ms exceeded`), { code: 'ETIMEDOUT' })));
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

/** One GET, following redirects as axios does; rejects only when no HTTP answer came back. */
export async function plainGet(url: string, redirects = 0): Promise<PlainAnswer> {
  const answer = await send({ method: 'GET', url, headers: { Accept: 'application/json', 'User-Agent': 'certstep' } });
  const { location } = answer.headers;
  if (location && [301, 302, 303, 307, 308].includes(answer.status) && redirects < MAX_REDIRECTS) {
    return plainGet(new URL(location, url).toString(), redirects + 1);
  }
  return plainAnswer(answer);
}

/** What certstep reads of any answer of the CA, signed request or not: its status, its body (parsed when JSON) and Retry-After. */
export function plainAnswer(answer: RawAnswer): PlainAnswer {
  const retryAfter = answer.headers['retry-after'];
  return { status: answer.status, data: parsedBody(answer.body), ...(typeof retryAfter === 'string' && { retryAfter }) };
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
