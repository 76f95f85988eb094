/**
 * The gateway's per-container caches (issue 18) through the real acme-client stack against a
 * tiny CA on loopback: the directory is fetched once for every gateway a warm container builds,
 * the account secret is read once, and neither is trusted once the CA says it is stale.
 */
import { mkdtemp } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcmeClientGateway } from '../../functions/adapters/acme-client-gateway.js';
import { FileCertificateStore } from '../../functions/adapters/file-store.js';
import { forgetEveryCache } from '../../functions/core/expiring-cache.js';
import type { CertificateStore } from '../../functions/ports/certificate-store.js';

let server: Server;
let base: string;
/** `METHOD /path` of every request, in order. */
const requests: string[] = [];
/** Account URLs the CA knows; a request signed for another gets accountDoesNotExist. */
const known = new Set<string>();
/** CAs whose newOrder endpoint has gone (404), as after a CA moved its endpoints. */
const ordersGone = new Set<string>();
let accounts = 0;
/** Nonces handed out and not yet used: a signed request must spend one of them, once. */
const nonces = new Set<string>();
let badNonces = 0;

beforeAll(async () => {
  server = createServer((request, response) => {
    const json = (status: number, body?: object, headers: Record<string, string> = {}) => {
      const nonce = `nonce-${Math.random().toString(36).slice(2)}`;
      nonces.add(nonce);
      response.writeHead(status, {
        'Replay-Nonce': nonce,
        'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json',
        ...headers,
      });
      response.end(body ? JSON.stringify(body) : undefined);
    };
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const url = request.url ?? '';
      requests.push(`${request.method} ${url}`);
      if (request.method === 'POST') {
        const { nonce } = JSON.parse(Buffer.from((JSON.parse(body) as { protected: string }).protected, 'base64url').toString('utf8')) as { nonce?: string };
        if (!nonce || !nonces.delete(nonce)) {
          badNonces++;
          return json(400, { type: 'urn:ietf:params:acme:error:badNonce', detail: 'JWS has an invalid anti-replay nonce' });
        }
      }
      const kid = () => (JSON.parse(Buffer.from((JSON.parse(body) as { protected: string }).protected, 'base64url').toString('utf8')) as { kid?: string }).kid;
      const [, ca, resource] = /^\/(ca-\w+)\/(\w+)/.exec(url) ?? [];
      if (url === '/nonce') return json(200);
      if (resource === 'dir') return json(200, { newNonce: `${base}/nonce`, newAccount: `${base}/${ca}/account`, newOrder: `${base}/${ca}/order` });
      if (resource === 'account') {
        const location = `${base}/${ca}/acct/${++accounts}`;
        known.add(location);
        return json(201, { status: 'valid' }, { Location: location });
      }
      if (resource === 'order') {
        if (ordersGone.has(ca ?? '')) return json(404, { type: 'urn:ietf:params:acme:error:malformed', detail: 'no such endpoint' });
        if (!known.has(kid() ?? '')) return json(400, { type: 'urn:ietf:params:acme:error:accountDoesNotExist', detail: 'unknown account' });
        return json(
          201,
          { status: 'pending', finalize: `${base}/${ca}/finalize/1`, authorizations: [], identifiers: [] },
          { Location: `${base}/${ca}/order/1` },
        );
      }
      return json(404, { type: 'urn:ietf:params:acme:error:malformed', detail: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** A file store that counts its account reads; each test uses its own CA path, so the module-scope caches never carry over. */
async function countingStore(): Promise<{ store: CertificateStore; reads: () => number }> {
  const store = new FileCertificateStore(await mkdtemp(path.join(tmpdir(), 'certstep-caches-')));
  let reads = 0;
  const getAccount = store.getAccount.bind(store);
  store.getAccount = (...args) => {
    reads++;
    return getAccount(...args);
  };
  return { store, reads: () => reads };
}

const issuer = (ca: string) => ({ name: 'cached', directoryUrl: `${base}/${ca}/dir` });
const count = (request: string) => requests.filter((seen) => seen === request).length;

describe('per-container ACME caches', () => {
  it('fetches the directory and reads the account once for every gateway a warm container builds', async () => {
    // Prepare
    const { store, reads } = await countingStore();
    await new AcmeClientGateway(issuer('ca-warm'), store).account();
    const before = { directory: count('GET /ca-warm/dir'), reads: reads() };

    // Act: three more invocations, each with its own gateway, as phases build them.
    for (let invocation = 0; invocation < 3; invocation++) await new AcmeClientGateway(issuer('ca-warm'), store).createOrder(['example.test']);

    // Assess
    expect(before).toEqual({ directory: 1, reads: 1 });
    expect(count('GET /ca-warm/dir')).toBe(1);
    expect(reads()).toBe(1);
    expect(count('POST /ca-warm/account')).toBe(1);
    expect(count('POST /ca-warm/order')).toBe(3);
  });

  it('signs with nonces from earlier answers instead of asking newNonce before every request, never spending one twice', async () => {
    // Prepare
    const { store } = await countingStore();
    await new AcmeClientGateway(issuer('ca-nonces'), store).account();
    const before = { heads: count('HEAD /nonce'), badNonces };

    // Act: sequential and concurrent requests, as phases make them.
    await new AcmeClientGateway(issuer('ca-nonces'), store).createOrder(['example.test']);
    const gateway = new AcmeClientGateway(issuer('ca-nonces'), store);
    await Promise.all([gateway.createOrder(['a.example.test']), gateway.createOrder(['b.example.test'])]);

    // Assess
    expect(count('POST /ca-nonces/order')).toBe(3);
    expect(badNonces - before.badNonces).toBe(0);
    // Each answer leaves one nonce: the first of the two concurrent requests takes it, the other must ask.
    expect(count('HEAD /nonce') - before.heads).toBe(1);
  });

  it('drops a cached account the CA no longer knows and signs with the one the store holds now, without registering again', async () => {
    // Prepare: this container cached account 1, which the CA then forgot; another container
    // registered account 2 and stored it in the same secret.
    const { store, reads } = await countingStore();
    const directoryUrl = issuer('ca-moved').directoryUrl;
    const first = await new AcmeClientGateway(issuer('ca-moved'), store).account();
    known.delete(first.accountUrl);
    const { store: other } = await countingStore();
    const second = await new AcmeClientGateway(issuer('ca-moved'), other).account();
    const registered = await other.getAccount('cached', directoryUrl);
    if (!registered) throw new Error('the other container stored no account');
    await store.putAccount('cached', registered, true);
    const readsBefore = reads();

    // Act
    const order = await new AcmeClientGateway(issuer('ca-moved'), store).createOrder(['example.test']);

    // Assess
    expect(order.url).toBe(`${base}/ca-moved/order/1`);
    expect(reads() - readsBefore).toBe(1);
    expect(count('POST /ca-moved/account')).toBe(2);
    expect((await new AcmeClientGateway(issuer('ca-moved'), store).account()).accountUrl).toBe(second.accountUrl);
  });

  it('reads the account once, or registers once, when a cold gateway gets concurrent requests', async () => {
    // Prepare: AcceptChallenges answers both challenges at once with a gateway that has no client
    // yet, in a new container (every cache forgotten).
    const { store: stored, reads } = await countingStore();
    await new AcmeClientGateway(issuer('ca-together'), stored).account();
    const { store: empty } = await countingStore();
    forgetEveryCache();
    const readsBefore = reads();

    // Act: one container whose store holds the account, one whose store has none.
    const withAccount = new AcmeClientGateway(issuer('ca-together'), stored);
    const withoutAccount = new AcmeClientGateway(issuer('ca-alone'), empty);
    await Promise.all([withAccount.createOrder(['a.example.test']), withAccount.createOrder(['b.example.test'])]);
    await Promise.all([withoutAccount.createOrder(['a.example.test']), withoutAccount.createOrder(['b.example.test'])]);

    // Assess: one read of the account secret for both requests, not one each.
    expect(reads() - readsBefore).toBe(1);
    expect(count('POST /ca-together/order')).toBe(2);
    expect(count('POST /ca-together/account')).toBe(1);
    // The empty store: one newAccount for both requests; two would leave the CA an account nobody keeps.
    expect(count('POST /ca-alone/account')).toBe(1);
    expect(count('POST /ca-alone/order')).toBe(2);
  });

  it('fetches the directory again after one of its endpoints answered 404', async () => {
    // Prepare
    const { store } = await countingStore();
    await new AcmeClientGateway(issuer('ca-gone'), store).account();
    ordersGone.add('ca-gone');

    // Act
    const refused = await new AcmeClientGateway(issuer('ca-gone'), store).createOrder(['example.test']).catch((error: unknown) => error);
    ordersGone.delete('ca-gone');
    await new AcmeClientGateway(issuer('ca-gone'), store).createOrder(['example.test']);

    // Assess
    expect(refused).toMatchObject({ name: 'AcmeRequestRejected' });
    expect(count('GET /ca-gone/dir')).toBe(2);
  });
});
