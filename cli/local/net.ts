/**
 * Loopback networking helpers for the local stack: pick free ports, talk HTTP(S) to a
 * server whose certificate comes from a throwaway CA, and tell whether a port is closed.
 */

import { createServer, createConnection } from 'node:net';
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';

export interface HttpResponse {
  status: number;
  body: string;
}

export interface HttpRequestOptions {
  method?: string;
  /** Sent as JSON when it is not a string. */
  body?: unknown;
  /** PEM of the CA to trust for https URLs (instead of, not on top of, the system roots). */
  ca?: string;
  timeoutMs?: number;
}

/**
 * One request, body read as text. `agent: false` keeps no pooled keep-alive socket behind:
 * the servers we talk to are killed and restarted under us, and a stale pooled socket would
 * turn the next request into a spurious ECONNRESET.
 */
export function httpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
  const { method = 'GET', ca, timeoutMs = 5000 } = options;
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      target,
      {
        method,
        agent: false,
        ...(ca === undefined ? {} : { ca }),
        headers: body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** GET that insists on a 2xx, for endpoints whose failure means something is broken. */
export async function httpGetText(url: string, ca?: string): Promise<string> {
  const res = await httpRequest(url, ca === undefined ? {} : { ca });
  if (res.status < 200 || res.status > 299) {
    throw new Error(`GET ${url}: HTTP ${res.status}: ${res.body.slice(0, 200)}`);
  }
  return res.body;
}

/**
 * A port that is free right now on `host`. Inherently racy (someone may take it before the
 * caller binds it), which is why callers retry on "address already in use". With `udp`, the
 * same number must also be free for UDP, because a DNS server binds both.
 */
export async function freePort(host = '127.0.0.1', { udp = false } = {}): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await freeTcpPort(host);
    if (!udp || (await udpPortFree(host, port))) return port;
  }
  throw new Error(`no port on ${host} was free for both TCP and UDP after 20 tries`);
}

function freeTcpPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('listen(0) gave no port'))));
    });
  });
}

function udpPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.unref();
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, host, () => socket.close(() => resolve(true)));
  });
}

/** Whether something accepts TCP connections on host:port (false on refusal or timeout). */
export function tcpAccepts(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (accepted: boolean) => {
      socket.destroy();
      resolve(accepted);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Whether the DNS server at host:port answers an A query for `name` with at least one address. */
export async function resolvesA(server: string, name: string): Promise<boolean> {
  const resolver = new Resolver({ timeout: 500, tries: 1 });
  resolver.setServers([server]);
  return (await resolver.resolve4(name)).length > 0;
}
