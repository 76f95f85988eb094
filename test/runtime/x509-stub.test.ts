/**
 * The ACME Lambdas that only create orders, answer challenges and poll leave @peculiar/x509 and
 * asn1js out of their bundles (functions/runtime/stubs/x509-absent.cjs, listed per handler in
 * aliases.json). This holds them to it: none of them reaches the code that makes a CSR, downloads
 * a certificate or revokes one, and acme-client still signs and answers challenges with the stub.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../cdk/definition.js';
import { bundleLikeLambda, bytesIn, lambdaStubAliases } from '../support/lambda-bundle.js';

const STUBS = JSON.parse(readFileSync(join(PROJECT_ROOT, 'functions', 'runtime', 'stubs', 'aliases.json'), 'utf8')) as {
  byHandler: Record<string, Record<string, string>>;
};
const WITHOUT_X509 = Object.entries(STUBS.byHandler)
  .filter(([, stubs]) => stubs['@peculiar/x509'])
  .map(([handler]) => handler);

/** The callers of what needs X.509 in acme-client: the CSR, the certificate download (alternate chains), revocation (the CLI's). */
const USES_X509 = ['functions/phases/finalize.ts', 'functions/phases/store-certificate.ts', 'functions/adapters/acme-client-keys.ts', 'cli/'];

const handlerBundle = (handler: string) =>
  bundleLikeLambda({ entryPoints: [join(PROJECT_ROOT, 'functions', 'handlers', `${handler}.ts`)], write: false, alias: lambdaStubAliases(handler) });

describe('the handlers without X.509', () => {
  it('are the three that neither finalize nor download', () => {
    expect(WITHOUT_X509.sort()).toEqual(['accept-challenges', 'create-order', 'poll-order']);
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
