/**
 * certstep reaches past acme-client's public API in a few places (listed below, each where it
 * is done). acme-client is pinned exactly for that reason; this test is what makes an upgrade
 * stop and look: it fails when the pin is loosened, when the installed version is not the
 * pinned one, or when a file holding one of those internals changes at all.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import acme from 'acme-client';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const packageDir = path.dirname(require.resolve('acme-client/package.json'));
// acme-client is a devDependency since the CLI and the Lambdas are bundles that carry it.
const projectPackage = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { devDependencies: Record<string, string> };

/**
 * Files of acme-client 5.4.0 holding what certstep relies on, with the reason. A changed hash
 * means: read the diff for these internals, re-run the suite, then record the new hash.
 */
const RELIED_ON: Record<string, { sha256: string; why: string }> = {
  'src/http.js': {
    sha256: '93358bcde8ae34fcc8a4e092a6ea2470cb50e6a0d3db838c8e5a7ed197b2a91a',
    why:
      'client.http.maxBadNonceRetries, set by adapters/acme-client-gateway.ts (bad-nonce retries within a request), and ' +
      'client.http.directoryCache/directoryTimestamp, which it seeds with the container-cached directory, and ' +
      'client.http.getNonce, which it wraps to hand out nonces from earlier answers (adapters/acme-nonces.ts)',
  },
  'src/axios.js': {
    sha256: 'b542d879b99007f3d65ea43e8907bc9698514cdd98d9ebcd06e1fac14abe8f4c',
    why: 'acme.axios.defaults.acmeSettings.retryMaxAttempts = 0 and the replaced adapter in adapters/acme-http.ts (no sleeping through Retry-After)',
  },
  'src/api.js': {
    sha256: 'a989be02fbedb30f3893b8af2f43b5a56cc4c70244a82531d84f7687a77e2c47',
    why: 'client.api.getAuthorization, called by adapters/acme-client-gateway.ts to read an authorization with its status code',
  },
  'src/client.js': {
    sha256: '16223e03cc8565a06736b18916867b408bf8d66078d66c299a3212d298008302',
    why: 'the `api` and `http` fields of a Client, and getOrder/finalizeOrder taking a bare { url } order',
  },
  'src/index.js': {
    sha256: '8f5c48cfd2f564e7fcb03091488d5c57af588838bf7b08d601d2c8f36029372c',
    why: 'loads crypto/forge.js at start-up: node-forge is aliased to functions/runtime/stubs/node-forge.cjs in the bundles',
  },
  'src/crypto/forge.js': {
    sha256: '94d02e6424e15c81898c49165cc62f746a2bec77395dea1c7446b3388f68862b',
    why: 'what it calls of node-forge at load time must exist in functions/runtime/stubs/node-forge.cjs',
  },
};

describe('acme-client internals certstep patches', () => {
  it('is pinned to one exact version, and that version is installed', () => {
    const pinned = projectPackage.devDependencies['acme-client'];
    expect(pinned, 'package.json must pin acme-client exactly (no ^ or ~): an upgrade has to pass this test first').toMatch(/^\d+\.\d+\.\d+$/);
    const installed = (JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
    expect(installed).toBe(pinned);
  });

  it.each(Object.entries(RELIED_ON))('%s is the file certstep was checked against', (file, { sha256, why }) => {
    const actual = createHash('sha256')
      .update(readFileSync(path.join(packageDir, file)))
      .digest('hex');
    expect(actual, `acme-client ${file} changed; certstep relies on it for ${why}`).toBe(sha256);
  });

  it('a Client still has the fields certstep sets and calls', async () => {
    const accountKey = await acme.crypto.createPrivateEcdsaKey('P-256');
    const client = new acme.Client({ directoryUrl: 'https://ca.invalid/dir', accountKey });
    const internals = client as unknown as {
      http: {
        maxBadNonceRetries: unknown;
        directoryCache: unknown;
        directoryTimestamp: unknown;
        getNonce: unknown;
        getResourceUrl(name: string): Promise<string>;
      };
      api: { getAuthorization: unknown };
    };
    expect(typeof internals.http.maxBadNonceRetries).toBe('number');
    expect(internals.http.directoryCache).toBeNull();
    expect(typeof internals.http.directoryTimestamp).toBe('number');
    expect(typeof internals.http.getNonce).toBe('function');
    // A seeded directory is used as is: ca.invalid is never asked.
    internals.http.directoryCache = { newOrder: 'https://ca.invalid/new-order' };
    internals.http.directoryTimestamp = Math.floor(Date.now() / 1000);
    expect(await internals.http.getResourceUrl('newOrder')).toBe('https://ca.invalid/new-order');
    expect(typeof internals.api.getAuthorization).toBe('function');
    expect(typeof client.getChallengeKeyAuthorization).toBe('function');
  });

  it('the shared axios instance still reads its retry settings from defaults.acmeSettings', () => {
    const settings = (acme.axios.defaults as unknown as { acmeSettings?: { retryMaxAttempts?: unknown } }).acmeSettings;
    expect(typeof settings?.retryMaxAttempts).toBe('number');
  });
});
