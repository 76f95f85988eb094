/**
 * ARI as CheckRenewal and the sweep ask it (runtime/ari.ts): one plain GET of renewalInfo from
 * the directory this container already read, and no acme-client in those functions' bundles.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renewalInfoSources } from '../../functions/runtime/ari.js';
import { readConfig } from '../../functions/runtime/config.js';
import { handlerBundles } from '../support/lambda-bundle.js';

let server: Server;
let base: string;
let caBundlePem: string;
const requests: string[] = [];

/** A self-signed certificate for 127.0.0.1: the issuer's CA bundle, as a private CA's would be. */
function selfSigned(): { cert: string; key: string } {
  const directory = mkdtempSync(join(tmpdir(), 'certstep-ari-'));
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1'].concat([
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(directory, 'key.pem'),
      '-out',
      join(directory, 'cert.pem'),
    ]),
    { stdio: 'ignore' },
  );
  return { cert: readFileSync(join(directory, 'cert.pem'), 'utf8'), key: readFileSync(join(directory, 'key.pem'), 'utf8') };
}

beforeAll(async () => {
  const tls = selfSigned();
  caBundlePem = tls.cert;
  server = createServer(tls, (request, response) => {
    requests.push(`${request.method} ${request.url}`);
    if (request.url === '/dir') {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      return response.end(JSON.stringify({ newNonce: `${base}/nonce`, renewalInfo: `${base}/renewal-info/` }));
    }
    if (request.url === '/renewal-info/aki.serial') {
      response.writeHead(200, { 'Content-Type': 'application/json', 'Retry-After': '3600' });
      return response.end(JSON.stringify({ suggestedWindow: { start: '2027-01-01T00:00:00Z', end: '2027-01-02T00:00:00Z' }, explanationURL: `${base}/why` }));
    }
    response.writeHead(404, { 'Content-Type': 'application/problem+json' });
    response.end(JSON.stringify({ type: 'urn:ietf:params:acme:error:malformed', detail: 'unknown certificate' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** Whether a handler's bundle carries any of acme-client (the AWS SDK left out: it is not the question here). */
function bundlesAcmeClient(handler: string): Promise<boolean> {
  return handlerBundles(handler, 'node_modules/acme-client/', ['@aws-sdk/*', '@smithy/*']);
}

describe('ARI for the reconcile', () => {
  it('asks renewalInfo with a plain GET, reading the directory once for every certificate', async () => {
    const sources = renewalInfoSources(readConfig({ CERTSTEP_ISSUERS: JSON.stringify([{ name: 'ca', directoryUrl: `${base}/dir`, caBundlePem }]) }));

    const first = await (await sources('ca')).renewalInfo('aki.serial');
    const missing = await (await sources('ca')).renewalInfo('other.serial').catch((error: unknown) => error);

    expect(first).toEqual({
      window: { start: '2027-01-01T00:00:00.000Z', end: '2027-01-02T00:00:00.000Z' },
      retryAfterSeconds: 3600,
      explanationUrl: `${base}/why`,
    });
    expect(missing).toMatchObject({ name: 'AcmeRequestRejected', message: expect.stringContaining('unknown certificate') });
    expect(requests).toEqual(['GET /dir', 'GET /renewal-info/aki.serial', 'GET /renewal-info/other.serial']);
  });

  it('refuses an issuer the configuration does not name', async () => {
    const sources = renewalInfoSources(readConfig({ CERTSTEP_ISSUERS: JSON.stringify([{ name: 'ca', directoryUrl: `${base}/dir`, caBundlePem }]) }));

    await expect(sources('elsewhere')).rejects.toMatchObject({ name: 'InvalidInput' });
  });

  it.each(['check-renewal', 'sweep'])(
    '%s does not bundle acme-client',
    async (handler) => {
      expect(await bundlesAcmeClient(handler)).toBe(false);
    },
    30_000,
  );

  it('create-order does, as it signs requests', async () => {
    expect(await bundlesAcmeClient('create-order')).toBe(true);
  }, 30_000);
});
