/**
 * acme-client turns every CA error into a plain Error holding only the problem's `detail`,
 * and sleeps internally on 429/5xx. This module tunes its axios instance once per process:
 * it sends every request with certstep's own send (acme-plain-http.ts, which trusts per-CA
 * bundles), records every response and network failure in the async context of the call that
 * made it (so concurrent calls never see each other's problems), keeps the Replay-Nonce of each
 * answer for a later signed request (acme-nonces.ts), and turns its internal retries down
 * because the state machine retries instead.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import https from 'node:https';
import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { keepNonce } from './acme-nonces.js';
import { type RawAnswer, plainAnswer, send } from './acme-plain-http.js';
import { acme, axios } from './acme-client-module.js';

export { retryAfterSeconds } from './acme-plain-http.js';
export { trustCaBundle } from './acme-trust.js';

export interface RecordedExchange {
  readonly url: string;
  readonly status?: number;
  readonly data?: unknown;
  readonly retryAfter?: string;
  /** The Link header, where a certificate's alternate chains are named (RFC 8555 §7.4.2). */
  readonly link?: string;
  readonly networkCode?: string;
  readonly networkMessage?: string;
}

interface CallContext {
  readonly exchanges: RecordedExchange[];
}

const calls = new AsyncLocalStorage<CallContext>();
let installed = false;

/** Runs `fn` and hands back every HTTP exchange it made, in order, whatever it threw. */
export async function recordExchanges<T>(fn: () => Promise<T>): Promise<{ result?: T; error?: unknown; exchanges: RecordedExchange[] }> {
  installInterceptors();
  const context: CallContext = { exchanges: [] };
  return calls.run(context, async () => {
    try {
      return { result: await fn(), exchanges: context.exchanges };
    } catch (error) {
      return { error, exchanges: context.exchanges };
    }
  });
}

export function installInterceptors(): void {
  if (installed) return;
  installed = true;
  const instance = acme.axios;
  // acme-client would sleep through 429/5xx itself, for as long as Retry-After says; inside
  // a Lambda that is billed idling. No internal retries: the state machine's Retry waits.
  (instance.defaults as unknown as { acmeSettings: Record<string, number> }).acmeSettings.retryMaxAttempts = 0;
  // axios keeps the parts acme-client relies on (its interceptors, JSON in and out); the
  // sending is certstep's own (send), so the Lambdas need none of axios's http adapter.
  instance.defaults.adapter = async (config: InternalAxiosRequestConfig) => {
    const context = calls.getStore();
    const url = config.url ?? '';
    let answer: RawAnswer;
    try {
      // An httpsAgent set on acme-client's axios (as a caller trusting its CA that way would) still
      // applies where no CA bundle was registered for the origin, as it did through axios's adapter.
      answer = await send({
        method: config.method ?? 'get',
        url,
        headers: plainHeaders(config.headers),
        ...(config.httpsAgent instanceof https.Agent && { agent: config.httpsAgent }),
        ...(config.data !== undefined && config.data !== null && { body: bodyOf(config.data) }),
      });
    } catch (error) {
      const failure = error as { code?: string; message?: string };
      context?.exchanges.push({ url, networkCode: failure.code, networkMessage: failure.message });
      throw error;
    }
    const exchange = answered(url, answer);
    context?.exchanges.push(exchange);
    keepNonceOf(config, answer, exchange.data);
    const response = { data: answer.body, status: answer.status, statusText: answer.statusText, headers: answer.headers, config, request: undefined };
    // What axios's own adapters do before handing back (its settle): acme-client sets
    // validateStatus to reject every answer and sorts them out in its response interceptor.
    if (!config.validateStatus || config.validateStatus(answer.status)) return response as AxiosResponse;
    const code = Math.floor(answer.status / 100) === 4 ? axios.AxiosError.ERR_BAD_REQUEST : axios.AxiosError.ERR_BAD_RESPONSE;
    throw new axios.AxiosError(`Request failed with status code ${answer.status}`, code, config, undefined, response as AxiosResponse);
  };
}

/** acme-client's bodies are JWS objects, which axios (or its stand-in) has made JSON text by now. */
function bodyOf(data: unknown): string | Buffer {
  return typeof data === 'string' || Buffer.isBuffer(data) ? data : JSON.stringify(data);
}

/** The request's headers as plain strings (axios hands an AxiosHeaders object, its stand-in a plain one). */
function plainHeaders(headers: unknown): Record<string, string> {
  const source = (typeof (headers as { toJSON?: unknown })?.toJSON === 'function' ? (headers as { toJSON(): unknown }).toJSON() : headers) as Record<
    string,
    unknown
  >;
  return Object.fromEntries(
    Object.entries(source ?? {}).flatMap(([name, value]) => (value === undefined || value === null || value === false ? [] : [[name, String(value)]])),
  );
}

/** What the call context keeps of an HTTP answer: what plainGet reads of one, and the Link header. */
function answered(url: string, answer: RawAnswer): RecordedExchange {
  const link = linkValue(answer.headers.link);
  return { url, ...plainAnswer(answer), ...(link && { link }) };
}

function keepNonceOf(config: InternalAxiosRequestConfig, answer: RawAnswer, data: unknown): void {
  const nonce = headerValue(answer.headers['replay-nonce']);
  const problemType = (data as { type?: unknown } | undefined)?.type;
  keepNonce({
    url: config.url ?? '',
    status: answer.status,
    ...(config.method && { method: config.method }),
    ...(nonce && { nonce }),
    ...(typeof problemType === 'string' && { problemType }),
  });
}

function headerValue(value: unknown): string | undefined {
  return typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined;
}

/** Several Link headers are one list (RFC 9110 §5.3), however the HTTP stack hands them over. */
function linkValue(value: unknown): string | undefined {
  return Array.isArray(value) ? value.filter((item) => typeof item === 'string').join(', ') || undefined : headerValue(value);
}
