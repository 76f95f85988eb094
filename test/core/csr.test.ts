/**
 * The CSR certstep writes (functions/core/csr.ts), read by OpenSSL: its signature checks out,
 * it names the key, the subject and the names asked for, for every key type certstep makes;
 * and it says what acme-client's createCsr said, field for field, but the KeyUsage it drops.
 */
import { spawnSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import acme from 'acme-client';
import { describe, expect, it } from 'vitest';
import { acmeClientKeys } from '../../functions/adapters/acme-client-keys.js';
import { KEY_ALGORITHMS, type KeyAlgorithm } from '../../functions/core/key-algorithm.js';
import { CsrNotWritten, createCsrDer, createCsrPem } from '../../functions/core/csr.js';
import { type DerElement, DerError, derChildren, derElement, oidContent } from '../../functions/core/der.js';
import { derEncode } from '../../functions/core/der-writer.js';
import { normalizeDnsName } from '../../functions/core/dns-name.js';

const NAMES = ['example.test', '*.example.test', 'xn--bcher-kva.example'];

/** What `openssl req -verify -noout -text` says of a CSR, stdout and stderr together (the verdict goes to stderr). */
function opensslReads(csrPem: string): { status: number | null; text: string } {
  const result = spawnSync('openssl', ['req', '-verify', '-noout', '-text'], { input: csrPem, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, text: `${result.stdout}\n${result.stderr}` };
}

/** The DNS names of the CSR's subjectAltName, as OpenSSL prints them. */
function sanOf(text: string): string[] {
  const line = /X509v3 Subject Alternative Name: *\n\s*(.*)\n/.exec(text)?.[1] ?? '';
  return line.split(', ').map((entry) => entry.replace(/^DNS:/, ''));
}

const EXPECTED: Record<KeyAlgorithm, { publicKey: RegExp; signature: string }> = {
  'ecdsa-p256': { publicKey: /id-ecPublicKey[\s\S]*\(256 bit\)[\s\S]*NIST CURVE: P-256/, signature: 'ecdsa-with-SHA256' },
  'ecdsa-p384': { publicKey: /id-ecPublicKey[\s\S]*\(384 bit\)[\s\S]*NIST CURVE: P-384/, signature: 'ecdsa-with-SHA384' },
  'rsa-2048': { publicKey: /rsaEncryption[\s\S]*\(2048 bit\)/, signature: 'sha256WithRSAEncryption' },
  'rsa-3072': { publicKey: /rsaEncryption[\s\S]*\(3072 bit\)/, signature: 'sha256WithRSAEncryption' },
  'rsa-4096': { publicKey: /rsaEncryption[\s\S]*\(4096 bit\)/, signature: 'sha256WithRSAEncryption' },
};

describe('the CSR certstep writes', () => {
  it.each(KEY_ALGORITHMS)(
    'for a %s key: OpenSSL verifies its signature and reads the key, the CN and every name',
    async (algorithm) => {
      const privateKeyPem = await acmeClientKeys.generatePrivateKey(algorithm);

      const csrPem = await acmeClientKeys.createCsr(NAMES, privateKeyPem);
      const { status, text } = opensslReads(csrPem);

      expect(status, text).toBe(0);
      expect(text).toContain('self-signature verify OK');
      expect(text).toMatch(/Subject: CN = example.test\n/);
      expect(sanOf(text)).toEqual(NAMES);
      expect(text).toMatch(EXPECTED[algorithm].publicKey);
      expect(text).toContain(`Signature Algorithm: ${EXPECTED[algorithm].signature}`);
      expect(text).not.toContain('Key Usage');
      // The public key is the private key's own.
      const requested = spawnSync('openssl', ['req', '-pubkey', '-noout'], { input: csrPem, encoding: 'utf8' }).stdout;
      expect(requested).toBe(createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }));
    },
    60_000,
  );

  it('leaves the subject empty when the first name is longer than a CN may be (64), and keeps a name of exactly 64', () => {
    const privateKeyPem = ecKey();
    const long = `${'a'.repeat(52)}.example.test`;
    const sixtyFour = `${'b'.repeat(51)}.example.test`;
    expect([long.length, sixtyFour.length]).toEqual([65, 64]);

    const tooLong = opensslReads(createCsrPem([long, 'example.test'], privateKeyPem));
    const fits = opensslReads(createCsrPem([sixtyFour, 'example.test'], privateKeyPem));

    expect(tooLong.text).toContain('self-signature verify OK');
    expect(tooLong.text).toMatch(/Subject: *\n/);
    expect(sanOf(tooLong.text)).toEqual([long, 'example.test']);
    expect(fits.text).toContain(`Subject: CN = ${sixtyFour}\n`);
  });

  it('carries internationalised names as the A-labels normalizeDnsName makes, and refuses U-labels instead of mangling them', () => {
    const privateKeyPem = ecKey();
    const normalized = ['bücher.example', '*.straße.example'].map((raw) => {
      const result = normalizeDnsName(raw);
      if (!result.ok) throw new Error(result.reason);
      return result.name;
    });

    const { text } = opensslReads(createCsrPem(normalized, privateKeyPem));

    expect(normalized).toEqual(['xn--bcher-kva.example', '*.xn--strae-oqa.example']);
    expect(text).toContain('self-signature verify OK');
    expect(sanOf(text)).toEqual(normalized);
    expect(() => createCsrPem(['bücher.example'], privateKeyPem)).toThrow(DerError);
  });

  it('writes PEM as RFC 7468 has it, whose body acme-client sends as the DER', () => {
    const privateKeyPem = ecKey();
    const pem = createCsrPem(NAMES, privateKeyPem);
    const lines = pem.trimEnd().split('\n');

    expect(lines[0]).toBe('-----BEGIN CERTIFICATE REQUEST-----');
    expect(lines.at(-1)).toBe('-----END CERTIFICATE REQUEST-----');
    expect(lines.slice(1, -1).every((line) => line.length > 0 && line.length <= 64)).toBe(true);
    // What finalizeOrder puts in the request: the DER, base64url.
    const sent = Buffer.from(acme.crypto.getPemBodyAsB64u(pem), 'base64url');
    expect(opensslDer(sent)).toContain('self-signature verify OK');
  });

  it('refuses keys it has no signature for, and no names, without quoting the key', () => {
    const ed25519 = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const body = (pem: string) => pem.split('\n')[1] ?? '';

    for (const [key, reason] of [
      [ed25519, /ed25519 key/],
      [p521, /curve secp521r1/],
      ['-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n', /does not parse/],
    ] as const) {
      const error = catchError(() => createCsrDer(NAMES, key));
      expect(error).toBeInstanceOf(CsrNotWritten);
      expect(error.name).toBe('CsrNotWritten');
      expect(error.message).toMatch(reason);
      expect(error.message).not.toContain(body(key));
    }
    expect(() => createCsrDer([], ecKey())).toThrow(CsrNotWritten);
  });
});

describe('compared with acme-client’s createCsr for the same key and names', () => {
  it.each(['ecdsa-p256', 'ecdsa-p384', 'rsa-2048'] as const)(
    '%s: the same subject, key, signature algorithm and subjectAltName; no KeyUsage',
    async (algorithm) => {
      const privateKeyPem = await acmeClientKeys.generatePrivateKey(algorithm);
      const [, theirsPem] = await acme.crypto.createCsr({ commonName: NAMES[0], altNames: [...NAMES] }, privateKeyPem);

      const ours = partsOf(createCsrDer(NAMES, privateKeyPem));
      const theirs = partsOf(pemBody(theirsPem.toString()));

      expect(ours.version).toEqual(theirs.version);
      expect(hex(ours.subject)).toBe(hex(theirs.subject));
      expect(hex(ours.subjectPublicKeyInfo)).toBe(hex(theirs.subjectPublicKeyInfo));
      expect(hex(ours.signatureAlgorithm)).toBe(hex(theirs.signatureAlgorithm));
      expect(hex(ours.extensions.get('2.5.29.17'))).toBe(hex(theirs.extensions.get('2.5.29.17')));
      // acme-client asked for digitalSignature and keyEncipherment; the CA sets key usage itself.
      expect([...theirs.extensions.keys()].sort()).toEqual(['2.5.29.15', '2.5.29.17']);
      expect([...ours.extensions.keys()]).toEqual(['2.5.29.17']);
    },
    60_000,
  );

  it('the same empty subject when the first name is too long for a CN', async () => {
    const privateKeyPem = ecKey();
    const names = [`${'a'.repeat(60)}.example.test`, 'example.test'];
    const [, theirsPem] = await acme.crypto.createCsr({ altNames: [...names] }, privateKeyPem);

    expect(hex(partsOf(createCsrDer(names, privateKeyPem)).subject)).toBe(hex(partsOf(pemBody(theirsPem.toString())).subject));
  });
});

function ecKey(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

function opensslDer(der: Buffer): string {
  const result = spawnSync('openssl', ['req', '-inform', 'DER', '-verify', '-noout'], { input: der, encoding: 'utf8' });
  return `${result.stdout}\n${result.stderr}`;
}

function pemBody(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
}

function hex(bytes: Buffer | undefined): string | undefined {
  return bytes?.toString('hex');
}

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('did not throw');
}

/** The fields of a CertificationRequest (RFC 2986 §4), each as its whole DER, and the requested extensions by OID. */
function partsOf(der: Buffer) {
  // Each element written again around what the reader gave: both CSRs go through the same.
  const whole = (element: DerElement | undefined) => {
    if (!element) throw new Error('a CSR field is missing');
    return derEncode(element.tag, element.content);
  };
  const [info, signatureAlgorithm] = derChildren(derElement(der).content);
  const [version, subject, subjectPublicKeyInfo, attributes] = derChildren(info?.content ?? Buffer.alloc(0));
  const extensions = new Map<string, Buffer>();
  for (const attribute of derChildren(attributes?.content ?? Buffer.alloc(0))) {
    const [type, values] = derChildren(attribute.content);
    if (!type?.content.equals(oidContent('1.2.840.113549.1.9.14'))) continue;
    for (const value of derChildren(values?.content ?? Buffer.alloc(0)))
      for (const extension of derChildren(value.content)) {
        const [id] = derChildren(extension.content);
        const dotted = id ? KNOWN_EXTENSIONS.find((oid) => oidContent(oid).equals(id.content)) : undefined;
        // The whole Extension: its critical flag, if any, and its value.
        extensions.set(dotted ?? `unknown ${id?.content.toString('hex')}`, whole(extension));
      }
  }
  return {
    version: whole(version),
    subject: whole(subject),
    subjectPublicKeyInfo: whole(subjectPublicKeyInfo),
    signatureAlgorithm: whole(signatureAlgorithm),
    extensions,
  };
}

const KNOWN_EXTENSIONS = ['2.5.29.15', '2.5.29.17'];
