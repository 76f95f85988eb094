/**
 * The ACME Lambdas that make no CSR leave @peculiar/x509 and asn1js out of their bundles
 * (functions/runtime/stubs/x509-absent.cjs, listed per handler in aliases.json): CreateOrder,
 * AcceptChallenges and PollOrder, and StoreCertificate, which reads the chains it downloads with
 * node:crypto. This holds them to it: none of them reaches the code that makes a CSR or revokes
 * a certificate, acme-client still signs and answers challenges with the stub, and the
 * gateway, bundled as StoreCertificate's is, still picks the preferred chain among alternates.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../cdk/definition.js';
import { bundleLikeLambda, bytesIn, lambdaStubAliases } from '../support/lambda-bundle.js';
import { OpensslChains, chainOf } from '../support/openssl-chains.js';

const STUBS = JSON.parse(readFileSync(join(PROJECT_ROOT, 'functions', 'runtime', 'stubs', 'aliases.json'), 'utf8')) as {
  byHandler: Record<string, Record<string, string>>;
};
const WITHOUT_X509 = Object.entries(STUBS.byHandler)
  .filter(([, stubs]) => stubs['@peculiar/x509'])
  .map(([handler]) => handler);

/** The callers of what needs X.509 in acme-client: the CSR (Finalize's, through the key adapter) and revocation (the CLI's). */
const USES_X509 = ['functions/phases/finalize.ts', 'functions/adapters/acme-client-keys.ts', 'cli/'];

const handlerBundle = (handler: string) =>
  bundleLikeLambda({ entryPoints: [join(PROJECT_ROOT, 'functions', 'handlers', `${handler}.ts`)], write: false, alias: lambdaStubAliases(handler) });

describe('the handlers without X.509', () => {
  it('are the four that make no CSR', () => {
    expect(WITHOUT_X509.sort()).toEqual(['accept-challenges', 'create-order', 'poll-order', 'store-certificate']);
  });

  it.each(WITHOUT_X509)(
    '%s bundles no X.509 library and no code that needs one',
    async (handler) => {
      const result = await handlerBundle(handler);
      for (const library of ['node_modules/@peculiar/', 'node_modules/asn1js/', 'node_modules/reflect-metadata/', 'node_modules/tsyringe/'])
        expect(bytesIn(result, library), `${handler}: ${library}`).toBe(0);
      expect(bytesIn(result, 'node_modules/acme-client/'), `${handler} talks to the CA`).toBeGreaterThan(0);
      for (const module of USES_X509) expect(bytesIn(result, module), `${handler} reaches ${module}`).toBe(0);
    },
    60_000,
  );

  it('still reads chains in StoreCertificate, with node:crypto', async () => {
    const result = await handlerBundle('store-certificate');
    for (const module of ['functions/phases/store-certificate.ts', 'functions/core/preferred-chain.ts', 'functions/core/verify-certificate.ts'])
      expect(bytesIn(result, module), module).toBeGreaterThan(0);
  }, 60_000);

  it('leaves X.509 in Finalize, which makes the CSR', async () => {
    const result = await handlerBundle('finalize');
    expect(bytesIn(result, 'node_modules/@peculiar/x509/')).toBeGreaterThan(0);
    expect(bytesIn(result, 'functions/phases/finalize.ts')).toBeGreaterThan(0);
  }, 60_000);
});

describe('acme-client with the stub', () => {
  it('makes account keys, JWKs and key authorizations, and refuses a CSR by name', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'certstep-x509-stub-'));
    const entry = join(directory, 'entry.mjs');
    writeFileSync(
      entry,
      [
        "import acme from 'acme-client';",
        "const accountKey = await acme.crypto.createPrivateEcdsaKey('P-256');",
        "const client = new acme.Client({ directoryUrl: 'https://ca.invalid/directory', accountKey });",
        "const keyAuthorization = await client.getChallengeKeyAuthorization({ type: 'dns-01', token: 'token' });",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a line of the entry's JavaScript
        "const csr = await acme.crypto.createCsr({ commonName: 'example.test' }).then(() => 'made', (error) => `${error.name}: ${error.message}`);",
        'console.log(JSON.stringify({ jwk: acme.crypto.getJwk(accountKey).kty, keyAuthorization: keyAuthorization.length, csr }));',
      ].join('\n'),
    );
    const outfile = join(directory, 'out.mjs');
    await bundleLikeLambda({ entryPoints: [entry], outfile, alias: lambdaStubAliases('create-order') });

    const { stdout } = await promisify(execFile)(process.execPath, [outfile], { encoding: 'utf8', cwd: PROJECT_ROOT, timeout: 30_000 });
    const printed = JSON.parse(stdout) as { jwk: string; keyAuthorization: number; csr: string };

    expect(printed.jwk).toBe('EC');
    // base64url(SHA-256(token.thumbprint)) for dns-01: 43 characters.
    expect(printed.keyAuthorization).toBe(43);
    expect(printed.csr).toMatch(/^X509NotBundled: X\.509 is not bundled in this certstep Lambda.*remove it from byHandler/);
  }, 60_000);
});

describe("the gateway bundled as StoreCertificate's", () => {
  it("downloads the CA's alternate chain and picks the preferred one without the X.509 library", async () => {
    // Prepare: a CA serving a default chain to one root and, by Link, an alternate to another.
    const ca = new OpensslChains();
    const alpha = ca.root('/CN=Alpha Root X1');
    const beta = ca.root('/O=Beta, Inc./CN=Beta, Root X2');
    const intermediate = ca.issue('/CN=Intermediate E1', alpha);
    const intermediateByBeta = ca.issue('/CN=Intermediate E1', beta, { keyFile: intermediate.keyFile });
    const leaf = ca.issue('/CN=leaf.example.test', intermediate);
    const served = { '/cert/1': chainOf(leaf, intermediate), '/cert/1/alt': chainOf(leaf, intermediateByBeta) };
    const server = createServer((request, response) => {
      request.resume().on('end', () => {
        const url = request.url ?? '';
        const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        const nonce = { 'Replay-Nonce': `nonce-${Math.random().toString(36).slice(2)}` };
        if (url === '/dir') {
          response.writeHead(200, { ...nonce, 'Content-Type': 'application/json' });
          return response.end(JSON.stringify({ newNonce: `${base}/nonce`, newAccount: `${base}/account`, newOrder: `${base}/order` }));
        }
        if (url === '/nonce' || url === '/account') {
          response.writeHead(url === '/account' ? 201 : 200, { ...nonce, 'Content-Type': 'application/json', Location: `${base}/acct/1` });
          return response.end(url === '/account' ? JSON.stringify({ status: 'valid' }) : undefined);
        }
        const chain = served[url as keyof typeof served];
        if (!chain) {
          response.writeHead(404, { ...nonce, 'Content-Type': 'application/problem+json' });
          return response.end(JSON.stringify({ type: 'urn:ietf:params:acme:error:malformed', detail: 'not found' }));
        }
        response.writeHead(200, {
          ...nonce,
          'Content-Type': 'application/pem-certificate-chain',
          ...(url === '/cert/1' && { Link: `<${base}/cert/1/alt>;rel="alternate", <${base}/dir>;rel="index"` }),
        });
        response.end(chain);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const directory = mkdtempSync(join(tmpdir(), 'certstep-x509-chain-'));
    const entry = join(directory, 'entry.mjs');
    writeFileSync(
      entry,
      [
        `import { AcmeClientGateway } from ${JSON.stringify(join(PROJECT_ROOT, 'functions', 'adapters', 'acme-client-gateway.ts'))};`,
        `import { FileCertificateStore } from ${JSON.stringify(join(PROJECT_ROOT, 'functions', 'adapters', 'file-store.ts'))};`,
        'const [directoryUrl, storeDir, certificateUrl] = process.argv.slice(2);',
        'const issuer = (preferredChain) => ({ name: "chains", directoryUrl, ...(preferredChain && { preferredChain }) });',
        'const store = new FileCertificateStore(storeDir);',
        'const chosen = {};',
        'try {',
        '  for (const preferred of ["Beta, Root X2", "Alpha Root X1", "Gamma Root"])',
        '    chosen[preferred] = await new AcmeClientGateway(issuer(preferred), store).downloadCertificate(certificateUrl);',
        '  console.log(JSON.stringify({ chosen }));',
        '} catch (error) {',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a line of the entry's JavaScript
        '  console.log(JSON.stringify({ error: `${error.name}: ${error.message}` }));',
        '}',
      ].join('\n'),
    );
    const outfile = join(directory, 'out.mjs');
    const bundled = await bundleLikeLambda({ entryPoints: [entry], outfile, alias: lambdaStubAliases('store-certificate') });

    // Act
    const { stdout } = await promisify(execFile)(process.execPath, [outfile, `${base}/dir`, join(directory, 'store'), `${base}/cert/1`], {
      encoding: 'utf8',
      cwd: PROJECT_ROOT,
      timeout: 30_000,
    }).finally(() => server.close());
    const { chosen = {}, error } = JSON.parse(stdout) as { chosen?: Record<string, string>; error?: string };

    // Assess
    expect(bytesIn(bundled, 'node_modules/@peculiar/')).toBe(0);
    expect(error).toBeUndefined();
    expect(chosen['Beta, Root X2']).toBe(served['/cert/1/alt']);
    expect(chosen['Alpha Root X1']).toBe(served['/cert/1']);
    expect(chosen['Gamma Root']).toBe(served['/cert/1']);
  }, 60_000);
});
