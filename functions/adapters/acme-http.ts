/**
 * acme-client turns every CA error into a plain Error holding only the problem's `detail`,
 * and sleeps internally on 429/5xx. This module tunes its axios instance once per process:
 * it records every response and network failure in the async context of the call that made
 * it (so concurrent calls never see each other's problems), trusts per-CA bundles, keeps the
 * Replay-Nonce of each answer for a later signed request (acme-nonces.ts), and turns its
 * internal retries down because the state machine retries instead.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AxiosAdapter, InternalAxiosRequestConfig } from 'axios';
import { keepNonce } from './acme-nonces.js';
import { parsedBody } from './acme-plain-http.js';
import { agentFor } from './acme-trust.js';
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
  instance.defaults.timeout = 20_000;
  const httpAdapter = axios.getAdapter('http') as AxiosAdapter;
  instance.defaults.adapter = async (config: InternalAxiosRequestConfig) => {
    const agent = config.url ? agentFor(config.url) : undefined;
    if (agent) config.httpsAgent = agent;
    const context = calls.getStore();
    try {
      const response = await httpAdapter(config);
      const exchange = answered(config, response);
      context?.exchanges.push(exchange);
      keepNonceOf(config, response.status, response.headers, exchange.data);
      return response;
    } catch (error) {
      // acme-client sets validateStatus to reject every response, so a rejection with a
      // response attached is an HTTP answer, not a network failure.
      const failure = error as { code?: string; message?: string; response?: { status: number; data: unknown; headers: Record<string, unknown> } };
      const exchange = failure.response
        ? answered(config, failure.response)
        : { url: config.url ?? '', networkCode: failure.code, networkMessage: failure.message };
      if (failure.response) keepNonceOf(config, failure.response.status, failure.response.headers, exchange.data);
      context?.exchanges.push(exchange);
      throw error;
    }
  };
}

/** What the call context keeps of an HTTP answer, whether axios resolved or rejected it. */
function answered(config: InternalAxiosRequestConfig, response: { status: number; data: unknown; headers: unknown }): RecordedExchange {
  const headers = response.headers as Record<string, unknown>;
  const link = linkValue(headers.link);
  return {
    url: config.url ?? '',
    status: response.status,
    data: parsedBody(response.data),
    retryAfter: headerValue(headers['retry-after']),
    ...(link && { link }),
  };
}

function keepNonceOf(config: InternalAxiosRequestConfig, status: number, headers: unknown, data: unknown): void {
  const nonce = headerValue((headers as Record<string, unknown>)['replay-nonce']);
  const problemType = (data as { type?: unknown } | undefined)?.type;
  keepNonce({
    url: config.url ?? '',
    status,
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
