/**
 * An ARI (RFC 9773) responder for tests: Pebble 2.4.0 has no renewalInfo, so this serves
 * Pebble's directory with a `renewalInfo` entry added and answers it with whatever window
 * the test sets. Every other endpoint stays Pebble's own.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpGetText } from '../../cli/local/net.js';

export interface AriProxy {
  readonly directoryUrl: string;
  /** Certificate ids asked for, in order. */
  readonly asked: string[];
  /** The window to answer for a certificate id; undefined answers 404. */
  answer(window: (certificateId: string) => { start: Date; end: Date } | undefined, retryAfterSeconds?: number): void;
  stop(): Promise<void>;
}

export async function startAriProxy(pebbleDirectoryUrl: string, pebbleCaPem: string): Promise<AriProxy> {
  let windowFor: (id: string) => { start: Date; end: Date } | undefined = () => undefined;
  let retryAfter = 21_600;
  const asked: string[] = [];
  let base = '';
  const server: Server = createServer((request, response) => {
    void (async () => {
      if (request.url === '/dir') {
        const directory = JSON.parse(await httpGetText(pebbleDirectoryUrl, pebbleCaPem)) as Record<string, unknown>;
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify({ ...directory, renewalInfo: `${base}/renewal-info` }));
        return;
      }
      const match = /^\/renewal-info\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(request.url ?? '');
      if (request.method === 'GET' && match?.[1]) {
        asked.push(match[1]);
        const window = windowFor(match[1]);
        if (!window) {
          response.writeHead(404, { 'Content-Type': 'application/problem+json' });
          response.end(JSON.stringify({ type: 'urn:ietf:params:acme:error:malformed', detail: 'unknown certificate' }));
          return;
        }
        response.writeHead(200, { 'Content-Type': 'application/json', 'Retry-After': String(retryAfter) });
        response.end(JSON.stringify({ suggestedWindow: { start: window.start.toISOString(), end: window.end.toISOString() } }));
        return;
      }
      response.writeHead(404);
      response.end();
    })().catch((error: unknown) => {
      response.writeHead(500);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    directoryUrl: `${base}/dir`,
    asked,
    answer: (window, seconds = 21_600) => {
      windowFor = window;
      retryAfter = seconds;
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
