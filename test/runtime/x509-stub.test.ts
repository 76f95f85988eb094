/**
 * Every Lambda leaves @peculiar/x509 and asn1js out of its bundle (functions/runtime/stubs/
 * x509-absent.cjs, under lambdasOnly in aliases.json). This holds them to it: none of them
 * reaches the code that revokes a certificate (the CLI's), Finalize writes its
 * CSR itself, StoreCertificate reads the chains it downloads with node:crypto, acme-client still
 * signs, answers challenges and sends a CSR's PEM with the stub, whose PEM reads as
 * @peculiar/x509's does, and the gateway, bundled as StoreCertificate's is, still picks the
 * preferred chain among alternates.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PemConverter } from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../cdk/definition.js';
import { stubLists } from '../../scripts/lambda-bundle.mjs';
import { createCsrPem } from '../../functions/core/csr.js';
import { bundleEntry, bytesIn, lambdaHandlerBundle, lambdaStubAliases, runBundle } from '../support/lambda-bundle.js';
import { OpensslChains, chainOf } from '../support/openssl-chains.js';

const HANDLERS = readdirSync(join(PROJECT_ROOT, 'functions', 'handlers'))
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.replace(/\.ts$/, ''));
/** The handlers whose bundles talk to the CA through acme-client, which loads X.509 at start-up. */
const TALK_TO_CA = ['accept-challenges', 'create-order', 'finalize', 'poll-order', 'store-certificate'];

/** The callers of what still needs X.509 in acme-client: revocation (the CLI's). */
const USES_X509 = ['cli/'];

describe('the Lambda bundles', () => {
  it('alias X.509 away in every Lambda, and the CLI keeps it (it revokes)', () => {
    const stubs = stubLists();
    expect(stubs.lambdasOnly['@peculiar/x509']).toBe('functions/runtime/stubs/x509-absent.cjs');
    expect(stubs.lambdasOnly.asn1js).toBe('functions/runtime/stubs/x509-absent.cjs');
    expect(stubs.everyBundle['@peculiar/x509']).toBeUndefined();
  });

  it.each(HANDLERS)(
    '%s bundles no X.509 library and no code that needs one',
    async (handler) => {
      const result = await lambdaHandlerBundle(handler);
      for (const library of ['node_modules/@peculiar/', 'node_modules/asn1js/', 'node_modules/reflect-metadata/', 'node_modules/tsyringe/'])
        expect(bytesIn(result, library), `${handler}: ${library}`).toBe(0);
      expect(bytesIn(result, 'node_modules/acme-client/') > 0, `${handler} talks to the CA`).toBe(TALK_TO_CA.includes(handler));
      for (const module of USES_X509) expect(bytesIn(result, module), `${handler} reaches ${module}`).toBe(0);
    },
    60_000,
  );

  it('still reads chains in StoreCertificate, with node:crypto', async () => {
    const result = await lambdaHandlerBundle('store-certificate');
    for (const module of ['functions/phases/store-certificate.ts', 'functions/core/preferred-chain.ts', 'functions/core/verify-certificate.ts'])
      expect(bytesIn(result, module), module).toBeGreaterThan(0);
  }, 60_000);

  it('has Finalize write its CSR with certstep’s own DER', async () => {
    const result = await lambdaHandlerBundle('finalize');
    expect(bytesIn(result, 'functions/phases/finalize.ts')).toBeGreaterThan(0);
    expect(bytesIn(result, 'functions/core/csr.ts')).toBeGreaterThan(0);
    expect(bytesIn(result, 'functions/core/der-writer.ts')).toBeGreaterThan(0);
  }, 60_000);
});

describe('acme-client with the stub', () => {
  it('makes account keys, JWKs and key authorizations, sends a CSR’s DER, and refuses to make a CSR by name', async () => {
    const csrPem = createCsrPem(['example.test'], ecKey());
    const { outfile } = await bundleEntry(
      [
        "import acme from 'acme-client';",
        "const accountKey = await acme.crypto.createPrivateEcdsaKey('P-256');",
        "const client = new acme.Client({ directoryUrl: 'https://ca.invalid/directory', accountKey });",
        "const keyAuthorization = await client.getChallengeKeyAuthorization({ type: 'dns-01', token: 'token' });",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a line of the entry's JavaScript
        "const csr = await acme.crypto.createCsr({ commonName: 'example.test' }).then(() => 'made', (error) => `${error.name}: ${error.message}`);",
        // What finalizeOrder puts in its request.
        `const sent = acme.crypto.getPemBodyAsB64u(${JSON.stringify(csrPem)});`,
        'console.log(JSON.stringify({ jwk: acme.crypto.getJwk(accountKey).kty, keyAuthorization: keyAuthorization.length, csr, sent }));',
      ],
      { alias: lambdaStubAliases() },
    );

    const stdout = await runBundle(outfile);
    const printed = JSON.parse(stdout) as { jwk: string; keyAuthorization: number; csr: string; sent: string };

    expect(printed.jwk).toBe('EC');
    // base64url(SHA-256(token.thumbprint)) for dns-01: 43 characters.
    expect(printed.keyAuthorization).toBe(43);
    expect(printed.csr).toMatch(/^X509NotBundled: X\.509 is not bundled in this certstep Lambda.*take it out of lambdasOnly/);
    expect(printed.sent).toBe(derOf(csrPem).toString('base64url'));
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
    const {
      directory,
      outfile,
      result: bundled,
    } = await bundleEntry(
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
      ],
      { alias: lambdaStubAliases() },
    );

    // Act
    const stdout = await runBundle(outfile, { args: [`${base}/dir`, join(directory, 'store'), `${base}/cert/1`] }).finally(() => server.close());
    const { chosen = {}, error } = JSON.parse(stdout) as { chosen?: Record<string, string>; error?: string };

    // Assess
    expect(bytesIn(bundled, 'node_modules/@peculiar/')).toBe(0);
    expect(error).toBeUndefined();
    expect(chosen['Beta, Root X2']).toBe(served['/cert/1/alt']);
    expect(chosen['Alpha Root X1']).toBe(served['/cert/1']);
    expect(chosen['Gamma Root']).toBe(served['/cert/1']);
  }, 60_000);
});

describe('the stub’s PemConverter', () => {
  const stub = createRequire(import.meta.url)(join(PROJECT_ROOT, 'functions', 'runtime', 'stubs', 'x509-absent.cjs')) as { PemConverter: typeof PemConverter };
  const csr = createCsrPem(['example.test'], ecKey());
  const other = createCsrPem(['other.example.test', 'www.example.test'], ecKey()).replace(/CERTIFICATE REQUEST/g, 'CERTIFICATE');
  const readable: Record<string, string> = {
    'a CSR as certstep writes it': csr,
    'the same with CRLF line ends': csr.replace(/\n/g, '\r\n'),
    'a chain of two blocks with text around them': `subject=CN = a\n${csr}issuer=CN = b\n${other}trailing text`,
    'a blank line after BEGIN': csr.replace('-----\n', '-----\n\n'),
    'the last line without its line end': csr.trimEnd(),
    'a lowercase label, which is written back uppercase': csr.replace(/CERTIFICATE REQUEST/g, 'certificate request'),
    'a block as acme-client writes it back': PemConverter.encode(PemConverter.decodeWithHeaders(csr)),
    'no PEM at all': 'not PEM',
  };

  it.each(Object.entries(readable))('reads %s as @peculiar/x509 does, and writes it back the same', (_label, pem) => {
    const simple = (blocks: ReturnType<typeof PemConverter.decodeWithHeaders>) =>
      blocks.map((block) => ({ ...block, rawData: Buffer.from(block.rawData).toString('hex') }));

    const ours = stub.PemConverter.decodeWithHeaders(pem);
    const theirs = PemConverter.decodeWithHeaders(pem);

    expect(simple(ours)).toEqual(simple(theirs));
    expect(ours.map((block) => stub.PemConverter.encode([block]))).toEqual(theirs.map((block) => PemConverter.encode([block])));
    if (theirs.length > 0) expect(Buffer.from(stub.PemConverter.decodeFirst(pem)).equals(Buffer.from(PemConverter.decodeFirst(pem)))).toBe(true);
    else expect(() => stub.PemConverter.decodeFirst(pem)).toThrow(RangeError);
  });

  it('refuses what it does not read as the library would: RFC 1421 headers, and base64 that is not', () => {
    const withHeaders = csr.replace('-----\n', '-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n');
    const broken = csr.replace(/\n(.)(.)/, '\n$1=');

    expect(PemConverter.decodeWithHeaders(withHeaders)[0]?.headers).toHaveLength(2);
    expect(() => stub.PemConverter.decodeWithHeaders(withHeaders)).toThrow(/X\.509 is not bundled/);
    expect(() => PemConverter.decodeWithHeaders(broken)).toThrow(TypeError);
    expect(() => stub.PemConverter.decodeWithHeaders(broken)).toThrow(TypeError);
  });
});

function ecKey(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

function derOf(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
}
