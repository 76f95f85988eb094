/**
 * A small acme-dns API server for tests, on loopback: `/register` and `/update` as
 * joohoi/acme-dns answers them (auth checked: an unknown user or a wrong key is 401
 * forbidden), and the two newest values of each subdomain published at `<subdomain>.<zone>`
 * through a challtestsrv management URL, so that Pebble's DNS sees them. Unlike the real
 * server it does not insist on 43-character values, so the DNS conformance suite's short
 * values fit. Every call is recorded, so tests can count registrations.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AcmeDnsCall {
  readonly route: string;
  readonly status: number;
  /** For /update: the subdomain asked for, and the value. */
  readonly subdomain?: string;
  readonly txt?: string;
}

export interface AcmeDnsTestServer {
  readonly url: string;
  /** The zone fulldomains are made in, without trailing dot. */
  readonly zone: string;
  readonly calls: AcmeDnsCall[];
  /** How many /register calls succeeded. */
  registrations(): number;
  /** The values the server holds for a subdomain, oldest first. */
  values(subdomain: string): readonly string[];
  stop(): Promise<void>;
}

interface Account {
  readonly password: string;
  readonly subdomain: string;
}

/** acme-dns keeps this many values per subdomain, so that an apex and a wildcard fit. */
const KEPT = 2;

export async function startAcmeDnsServer(options: { challtestsrvUrl: string; zone?: string }): Promise<AcmeDnsTestServer> {
  const zone = options.zone ?? 'auth.acme-dns.test';
  const accounts = new Map<string, Account>();
  const values = new Map<string, string[]>();
  const publishing = new Map<string, Promise<void>>();
  const calls: AcmeDnsCall[] = [];

  const challtestsrv = async (route: string, body: object) => {
    const response = await fetch(new URL(route, options.challtestsrvUrl), { method: 'POST', body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`challtestsrv ${route} answered ${response.status}`);
  };

  /** challtestsrv can only append or clear a name: clear, then set the values kept, one publish at a time per name. */
  const publish = (subdomain: string): Promise<void> => {
    const host = `${subdomain}.${zone}.`;
    const next = (publishing.get(subdomain) ?? Promise.resolve()).then(async () => {
      await challtestsrv('/clear-txt', { host });
      for (const value of values.get(subdomain) ?? []) await challtestsrv('/set-txt', { host, value });
    });
    publishing.set(
      subdomain,
      next.catch(() => undefined),
    );
    return next;
  };

  const answer = (response: ServerResponse, status: number, body: object) => {
    response.writeHead(status, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify(body));
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const text = await readBody(request);
    if (request.method === 'POST' && request.url === '/register') {
      const username = randomUUID();
      const subdomain = randomUUID();
      const password = randomBytes(30).toString('base64url');
      accounts.set(username, { password, subdomain });
      calls.push({ route: '/register', status: 201 });
      answer(response, 201, { username, password, fulldomain: `${subdomain}.${zone}`, subdomain, allowfrom: [] });
      return;
    }
    if (request.method === 'POST' && request.url === '/update') {
      const account = accounts.get(String(request.headers['x-api-user'] ?? ''));
      let body: { subdomain?: unknown; txt?: unknown } = {};
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        calls.push({ route: '/update', status: 400 });
        return answer(response, 400, { error: 'malformed_json_payload' });
      }
      const subdomain = typeof body.subdomain === 'string' ? body.subdomain : undefined;
      const txt = typeof body.txt === 'string' ? body.txt : undefined;
      if (!account || account.password !== request.headers['x-api-key'] || account.subdomain !== subdomain) {
        calls.push({ route: '/update', status: 401, ...(subdomain && { subdomain }) });
        return answer(response, 401, { error: 'forbidden' });
      }
      if (!txt) {
        calls.push({ route: '/update', status: 400, subdomain: account.subdomain });
        return answer(response, 400, { error: 'bad_txt' });
      }
      values.set(account.subdomain, [...(values.get(account.subdomain) ?? []), txt].slice(-KEPT));
      await publish(account.subdomain);
      calls.push({ route: '/update', status: 200, subdomain: account.subdomain, txt });
      return answer(response, 200, { txt });
    }
    calls.push({ route: request.url ?? '', status: 404 });
    answer(response, 404, { error: 'not_found' });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => answer(response, 500, { error: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    zone,
    calls,
    registrations: () => calls.filter((call) => call.route === '/register' && call.status === 201).length,
    values: (subdomain) => values.get(subdomain) ?? [],
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
