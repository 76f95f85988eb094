/**
 * The gateway's account per directory URL and its choice among alternate chains, through the
 * real acme-client stack against a tiny HTTP server playing two CAs: what newAccount is sent
 * with which key, and which chain is downloaded.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AcmeClientGateway } from '../../functions/adapters/acme-client-gateway.js';
import { FileCertificateStore } from '../../functions/adapters/file-store.js';
import type { IssuerConfig } from '../../functions/core/issuers.js';

let server: Server;
let base: string;
/** Per newAccount: the directory it was sent to and the public key (JWK x coordinate) it was signed with. */
let newAccounts: { directory: string; keyX: string }[];
let deactivated: { url: string; payload: unknown }[];
/** Per certificate download: the path, and the JWS's payload (empty for POST-as-GET) and kid. */
let downloads: { url: string; payload: string; kid?: string }[];
let chains: { alpha: string; beta: string };

/** A self-signed certificate, so its issuer common name is `commonName`. */
async function selfSigned(commonName: string): Promise<string> {
  const directory = await mkdtemp(path.join(tmpdir(), 'certstep-chain-'));
  try {
    const out = path.join(directory, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        path.join(directory, 'key.pem'),
        '-subj',
        `/CN=${commonName}`,
        '-days',
        '2',
        '-out',
        out,
      ],
      { stdio: 'ignore' },
    );
    return await readFile(out, 'utf8');
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  chains = { alpha: await selfSigned('Alpha Root X1'), beta: await selfSigned('Beta Root X2') };
  server = createServer((request, response) => {
    const nonce = { 'Replay-Nonce': `nonce-${Math.random().toString(36).slice(2)}` };
    const json = (status: number, body?: object, headers: Record<string, string> = {}) => {
      response.writeHead(status, { ...nonce, 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers });
      response.end(body ? JSON.stringify(body) : undefined);
    };
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const url = request.url ?? '';
      const directory = /^\/(ca-[ab])\/dir$/.exec(url)?.[1];
      if (directory) {
        return json(200, { newNonce: `${base}/nonce`, newAccount: `${base}/${directory}/account`, newOrder: `${base}/${directory}/order` });
      }
      if (url === '/nonce') return json(200);
      const account = /^\/(ca-[ab])\/account$/.exec(url)?.[1];
      if (account) {
        const jws = JSON.parse(body) as { protected: string };
        const header = JSON.parse(Buffer.from(jws.protected, 'base64url').toString('utf8')) as { jwk?: { x?: string } };
        newAccounts.push({ directory: account, keyX: header.jwk?.x ?? '' });
        return json(201, { status: 'valid' }, { Location: `${base}/${account}/acct/${newAccounts.length}` });
      }
      if (url.startsWith('/authz/')) {
        const jws = JSON.parse(body) as { payload: string };
        deactivated.push({ url, payload: JSON.parse(Buffer.from(jws.payload, 'base64url').toString('utf8')) as unknown });
        return json(200, { status: 'deactivated', identifier: { type: 'dns', value: 'example.test' }, challenges: [] });
      }
      if (url === '/cert/1' || url === '/cert/1/alt' || url === '/cert/solo') {
        const jws = JSON.parse(body) as { protected: string; payload: string };
        const header = JSON.parse(Buffer.from(jws.protected, 'base64url').toString('utf8')) as { kid?: string };
        downloads.push({ url, payload: jws.payload, ...(header.kid && { kid: header.kid }) });
        response.writeHead(200, {
          ...nonce,
          'Content-Type': 'application/pem-certificate-chain',
          ...(url === '/cert/1' && { Link: `<${base}/cert/1/alt>;rel="alternate", <${base}/ca-a/dir>;rel="index"` }),
        });
        return response.end(url === '/cert/1' ? chains.alpha : chains.beta);
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
beforeEach(() => {
  newAccounts = [];
  deactivated = [];
  downloads = [];
});

async function newStore(): Promise<FileCertificateStore> {
  return new FileCertificateStore(await mkdtemp(path.join(tmpdir(), 'certstep-gw-edges-')));
}

function issuer(ca: 'ca-a' | 'ca-b', extra: Partial<IssuerConfig> = {}): IssuerConfig {
  return { name: 'moving', directoryUrl: `${base}/${ca}/dir`, ...extra };
}

describe('one account per directory URL', () => {
  it('registers a new account with a new key when the issuer moves to another directory, keeps the old one, and reuses it on the way back', async () => {
    // Prepare
    const store = await newStore();
    const atA = await new AcmeClientGateway(issuer('ca-a'), store).account();
    const storedA = await store.getAccount('moving', issuer('ca-a').directoryUrl);

    // Act
    const atB = await new AcmeClientGateway(issuer('ca-b'), store).account();
    const backAtA = await new AcmeClientGateway(issuer('ca-a'), store).account();

    // Assess
    expect(newAccounts.map((call) => call.directory)).toEqual(['ca-a', 'ca-b']);
    expect(newAccounts[1]?.keyX).not.toBe(newAccounts[0]?.keyX);
    expect(atA).toEqual({ directoryUrl: `${base}/ca-a/dir`, accountUrl: `${base}/ca-a/acct/1` });
    expect(atB).toEqual({ directoryUrl: `${base}/ca-b/dir`, accountUrl: `${base}/ca-b/acct/2` });
    expect(backAtA).toEqual(atA);
    expect(await store.getAccount('moving', issuer('ca-a').directoryUrl)).toEqual(storedA);
    expect((await store.getAccount('moving', issuer('ca-b').directoryUrl))?.accountKeyPem).not.toBe(storedA?.accountKeyPem);
  });
});

describe('deactivateAuthorization', () => {
  it('POSTs status "deactivated" to the authorization (RFC 8555 §7.5.2)', async () => {
    // Act
    await new AcmeClientGateway(issuer('ca-a'), await newStore()).deactivateAuthorization(`${base}/authz/7`);

    // Assess
    expect(deactivated).toEqual([{ url: '/authz/7', payload: { status: 'deactivated' } }]);
  });
});

describe('preferredChain', () => {
  const issuerOf = async (certificatePem: string) => {
    const text = execFileSync('openssl', ['x509', '-noout', '-issuer', '-nameopt', 'multiline'], { input: certificatePem, encoding: 'utf8' });
    return /commonName\s*=\s*(.+)/.exec(text)?.[1]?.trim();
  };

  it.each([
    ['no preference', undefined, 'Alpha Root X1'],
    ['the alternate chain', 'Beta Root X2', 'Beta Root X2'],
    ['the default chain', 'Alpha Root X1', 'Alpha Root X1'],
    ['an issuer no chain names', 'Gamma Root', 'Alpha Root X1'],
  ])('downloads the chain for %s', async (_label, preferredChain, expected) => {
    // Prepare
    const gateway = new AcmeClientGateway(issuer('ca-a', preferredChain ? { preferredChain } : {}), await newStore());

    // Act
    const pem = await gateway.downloadCertificate(`${base}/cert/1`);

    // Assess
    expect(await issuerOf(pem)).toBe(expected);
  });
});

describe('the downloads behind a chain', () => {
  it('asks for the default chain alone without a preference, and also for each alternate with one, POST-as-GET', async () => {
    // Prepare
    const plain = new AcmeClientGateway(issuer('ca-a'), await newStore());
    const preferring = new AcmeClientGateway(issuer('ca-a', { preferredChain: 'Beta Root X2' }), await newStore());

    // Act
    await plain.downloadCertificate(`${base}/cert/1`);
    const plainDownloads = downloads.splice(0);
    await preferring.downloadCertificate(`${base}/cert/1`);

    // Assess
    const { accountUrl } = await preferring.account();
    expect(plainDownloads.map((download) => download.url)).toEqual(['/cert/1']);
    expect(downloads).toEqual([
      { url: '/cert/1', payload: '', kid: accountUrl },
      { url: '/cert/1/alt', payload: '', kid: accountUrl },
    ]);
  });

  it('asks for nothing more when the CA names no alternate', async () => {
    // Prepare
    const gateway = new AcmeClientGateway(issuer('ca-a', { preferredChain: 'Beta Root X2' }), await newStore());

    // Act
    const pem = await gateway.downloadCertificate(`${base}/cert/solo`);

    // Assess
    expect(pem).toBe(chains.beta);
    expect(downloads.map((download) => download.url)).toEqual(['/cert/solo']);
  });
});
