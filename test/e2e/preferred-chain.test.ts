/**
 * preferredChain against Pebble serving an alternate chain (PEBBLE_ALTERNATE_ROOTS=1): the
 * issuer's preference picks the chain that leads to the other root, and without one the CA's
 * default chain is stored.
 */
import { execFileSync } from 'node:child_process';
import { get } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalEnvironment } from '../../cli/local/environment.js';
import { splitPemChain } from '../../functions/core/verify-certificate.js';
import { type TestCa, newStore, readStored, spec, startTestCa } from '../support/local-ca.js';

let ca: TestCa;
beforeAll(async () => {
  ca = await startTestCa({ pebbleEnv: { PEBBLE_ALTERNATE_ROOTS: '1' } });
});
afterAll(async () => {
  await ca?.stop();
});

function managementText(resource: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(`${ca.acme.managementUrl}${resource}`, { ca: ca.acme.caCertPem }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => (response.statusCode === 200 ? resolve(body) : reject(new Error(`${resource}: HTTP ${response.statusCode}`))));
    }).on('error', reject);
  });
}

function commonName(pem: string, which: 'subject' | 'issuer'): string | undefined {
  const text = execFileSync('openssl', ['x509', '-noout', `-${which}`, '-nameopt', 'multiline'], { input: pem, encoding: 'utf8' });
  return /commonName\s*=\s*(.+)/.exec(text)?.[1]?.trim();
}

/** The root a stored chain leads to: the issuer of its last certificate. */
async function rootOfStored(certificatePath: string): Promise<string | undefined> {
  const chain = splitPemChain((await readStored(certificatePath))['tls.crt']);
  return commonName(chain.at(-1) as string, 'issuer');
}

async function issueWith(preferredChain: string | undefined, name: string) {
  const environment = new LocalEnvironment({
    external: {
      directoryUrl: ca.acme.directoryUrl,
      caBundlePem: ca.acme.caCertPem,
      challtestsrvUrl: ca.acme.challtestsrvUrl,
      dnsServer: ca.acme.dnsServer,
      ...(preferredChain && { preferredChain }),
    },
  });
  return ca.run(spec(name, [`${name}.example.test`]), { storeDir: await newStore(), environment });
}

describe('preferredChain against Pebble', () => {
  it('stores the chain to the preferred root, and the default chain without a preference', async () => {
    // Prepare
    const defaultRoot = commonName(await managementText('/roots/0'), 'subject');
    const alternateRoot = commonName(await managementText('/roots/1'), 'subject');

    // Act
    const preferring = await issueWith(alternateRoot, 'alternate');
    const plain = await issueWith(undefined, 'default');

    // Assess
    expect(defaultRoot).toBeDefined();
    expect(alternateRoot).toBeDefined();
    expect(alternateRoot).not.toBe(defaultRoot);
    expect(preferring.status, preferring.cause).toBe('SUCCEEDED');
    expect(plain.status, plain.cause).toBe('SUCCEEDED');
    expect(await rootOfStored(preferring.certificatePath)).toBe(alternateRoot);
    expect(await rootOfStored(plain.certificatePath)).toBe(defaultRoot);
  });
});
