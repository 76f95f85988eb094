/**
 * Error classification through the real acme-client stack. Pebble cannot be made to answer
 * 503 or 429 on demand, so a tiny HTTP server plays the CA's directory, nonce and account
 * endpoints and answers newOrder with a chosen problem document.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AcmeClientGateway } from '../../functions/adapters/acme-client-gateway.js';
import { FileCertificateStore } from '../../functions/adapters/file-store.js';
import { failureOf } from '../support/failure.js';

interface Answer {
  status: number;
  body?: object;
  headers?: Record<string, string>;
}

let server: Server;
let base: string;
let newOrderAnswers: Answer[] = [];
let newOrderCalls = 0;
let newOrderPayloads: unknown[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const reply = (answer: Answer) => {
      response.writeHead(answer.status, {
        'Replay-Nonce': `nonce-${Math.random().toString(36).slice(2)}`,
        'Content-Type': answer.status >= 400 ? 'application/problem+json' : 'application/json',
        ...answer.headers,
      });
      response.end(answer.body ? JSON.stringify(answer.body) : undefined);
    };
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (request.url === '/dir') {
        return reply({ status: 200, body: { newNonce: `${base}/nonce`, newAccount: `${base}/account`, newOrder: `${base}/order` } });
      }
      if (request.url === '/nonce') return reply({ status: 200 });
      if (request.url === '/account') return reply({ status: 201, body: { status: 'valid' }, headers: { Location: `${base}/acct/1` } });
      if (request.url === '/order') {
        newOrderCalls++;
        // A flattened JWS (RFC 8555 §6.2): the payload is base64url JSON.
        newOrderPayloads.push(JSON.parse(Buffer.from((JSON.parse(body) as { payload: string }).payload, 'base64url').toString('utf8')));
        return reply(newOrderAnswers.shift() ?? { status: 500, body: { type: 'urn:ietf:params:acme:error:serverInternal' } });
      }
      return reply({ status: 404 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  newOrderCalls = 0;
  newOrderPayloads = [];
});

async function gateway(): Promise<AcmeClientGateway> {
  const store = new FileCertificateStore(await mkdtemp(path.join(tmpdir(), 'certstep-gw-')));
  return new AcmeClientGateway({ name: 'fake', directoryUrl: `${base}/dir` }, store);
}

const problem = (type: string, detail: string) => ({ type: `urn:ietf:params:acme:error:${type}`, detail });

describe('AcmeClientGateway error classification', () => {
  it.each([
    [
      '400 rejectedIdentifier',
      { status: 400, body: problem('rejectedIdentifier', 'no such TLD') },
      'AcmeRequestRejected',
      false,
      /no such TLD \(rejectedIdentifier, HTTP 400\)/,
    ],
    [
      '403 unauthorized',
      { status: 403, body: problem('unauthorized', 'policy forbids') },
      'AcmeRequestRejected',
      false,
      /policy forbids \(unauthorized, HTTP 403\)/,
    ],
    ['503 without a body', { status: 503 }, 'AcmeServerError', true, /HTTP 503/],
    ['500 serverInternal', { status: 500, body: problem('serverInternal', 'boom') }, 'AcmeServerError', true, /boom/],
    [
      '429 rateLimited with Retry-After',
      { status: 429, body: problem('rateLimited', 'too many orders'), headers: { 'Retry-After': '120' } },
      'AcmeRateLimited',
      false,
      /too many orders.*retry after 120 s/,
    ],
    [
      '503 with Retry-After',
      { status: 503, body: problem('serverInternal', 'down for maintenance'), headers: { 'Retry-After': '900' } },
      'AcmeServiceUnavailable',
      false,
      /down for maintenance.*retry after 900 s/,
    ],
  ])('classifies %s', async (_label, answer, name, retryable, message) => {
    // Prepare
    newOrderAnswers = [answer as Answer];
    const acme = await gateway();

    // Act
    const error = await failureOf(acme.createOrder(['example.test']));

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(error.retryable).toBe(retryable);
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^newOrder: /);
  });

  it('classifies a refused connection as a network error', async () => {
    // Prepare
    const store = new FileCertificateStore(await mkdtemp(path.join(tmpdir(), 'certstep-gw-')));
    const acme = new AcmeClientGateway({ name: 'gone', directoryUrl: 'http://127.0.0.1:1/dir' }, store);

    // Act
    const error = await failureOf(acme.createOrder(['example.test']));

    // Assess
    expect(error.name).toBe('AcmeNetworkError');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('never retries (or sleeps) inside the Lambda: the state machine retries instead', async () => {
    // Prepare
    newOrderAnswers = [{ status: 429, headers: { 'Retry-After': '3600' } }, { status: 503 }];
    const acme = await gateway();

    // Act
    const error = await failureOf(acme.createOrder(['example.test']));

    // Assess
    expect(error.name).toBe('AcmeRateLimited');
    expect(newOrderCalls).toBe(1);
  });
});

describe('newOrder payload', () => {
  it('carries the profile and the replaced certificate (RFC 9773 §5) when given, and nothing extra otherwise', async () => {
    // Prepare
    const created = { status: 201, body: { status: 'pending', finalize: `${base}/finalize`, authorizations: [] }, headers: { Location: `${base}/order/1` } };
    newOrderAnswers = [created, created];
    const acme = await gateway();

    // Act
    await acme.createOrder(['example.test', '*.example.test'], { profile: 'shortlived', replaces: 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE' });
    await acme.createOrder(['example.test']);

    // Assess
    expect(newOrderPayloads).toEqual([
      {
        identifiers: [
          { type: 'dns', value: 'example.test' },
          { type: 'dns', value: '*.example.test' },
        ],
        profile: 'shortlived',
        replaces: 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE',
      },
      { identifiers: [{ type: 'dns', value: 'example.test' }] },
    ]);
  });
});
