/**
 * The ARI certificate identifier (RFC 9773 §4.1) read from a certificate's DER without an X.509
 * library: checked against the RFC's own example, against what openssl prints for the same
 * certificates, and for the handlers that ask ARI, against their bundles.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ariCertificateId } from '../../functions/core/ari.js';
import { DerError, derChildren, derElement, oidContent } from '../../functions/core/der.js';
import { handlerBundles } from '../support/lambda-bundle.js';

const directory = mkdtempSync(join(tmpdir(), 'certstep-ari-id-'));
const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: directory, stdio: ['ignore', 'pipe', 'pipe'] }).toString();

/** A CA with the given subject key id, and a leaf it signs with `serial` and, if `aki`, an AKI pointing at it. */
function issue(name: string, { caKeyId, serial, aki, key = 'ec' }: { caKeyId: string; serial: string; aki: boolean; key?: 'ec' | 'rsa' }): string {
  const keyArgs = key === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];
  openssl([
    'req',
    '-x509',
    ...keyArgs,
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=${name} CA`,
    '-keyout',
    `${name}-ca.key`,
    '-out',
    `${name}-ca.pem`,
    '-addext',
    `subjectKeyIdentifier=${caKeyId}`,
  ]);
  openssl(['req', '-new', ...keyArgs, '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`]);
  // OpenSSL 3 adds an AKI unless told `none`.
  writeFileSync(join(directory, `${name}.ext`), `authorityKeyIdentifier=${aki ? 'keyid:always' : 'none'}\nsubjectAltName=DNS:example.test\n`);
  openssl([
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${name}-ca.pem`,
    '-CAkey',
    `${name}-ca.key`,
    '-days',
    '1',
    '-set_serial',
    serial,
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.pem`,
  ]);
  return readFileSync(join(directory, `${name}.pem`), 'utf8');
}

describe('ariCertificateId', () => {
  it('gives the identifier of the example in RFC 9773 §4.1', () => {
    // The RFC's example: keyIdentifier 69:88:5B:..., serial 0x87654321 (DER content 00 87 65 43 21).
    const leaf = issue('rfc', { caKeyId: '69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4', serial: '0x87654321', aki: true });
    expect(ariCertificateId(leaf)).toBe('aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE');
  });

  it('agrees with what openssl reads from the same certificate, RSA or ECDSA', () => {
    for (const key of ['rsa', 'ec'] as const) {
      const leaf = issue(`agree-${key}`, {
        caKeyId: key === 'rsa' ? '01:02:03:04:05:06:07:08' : '0A:0B:0C',
        serial: '0x7f00000000000000000001',
        aki: true,
        key,
      });
      const text = openssl(['x509', '-in', `agree-${key}.pem`, '-noout', '-serial', '-ext', 'authorityKeyIdentifier']);
      const keyId = Buffer.from((/([0-9A-F]{2}(?::[0-9A-F]{2})+)/.exec(text.split('Authority Key Identifier')[1] ?? '')?.[1] ?? '').replaceAll(':', ''), 'hex');
      const serial = Buffer.from(/serial=([0-9A-F]+)/.exec(text)?.[1] ?? '', 'hex');
      expect(keyId.length).toBeGreaterThan(0);
      expect(ariCertificateId(leaf)).toBe(`${keyId.toString('base64url')}.${serial.toString('base64url')}`);
    }
  });

  it('reads the leaf of a chain', () => {
    const leaf = issue('chain', { caKeyId: 'AA:BB:CC:DD', serial: '0x1234', aki: true });
    const ca = readFileSync(join(directory, 'chain-ca.pem'), 'utf8');
    expect(ariCertificateId(`${leaf}${ca}`)).toBe(ariCertificateId(leaf));
    expect(ariCertificateId(`${leaf}${ca}`)?.split('.')[0]).toBe(Buffer.from([0xaa, 0xbb, 0xcc, 0xdd]).toString('base64url'));
  });

  it('has no identifier for a leaf without an Authority Key Identifier', () => {
    expect(ariCertificateId(issue('no-aki', { caKeyId: '01:02', serial: '0x10', aki: false }))).toBeUndefined();
  });

  it('rejects what is not a certificate', () => {
    expect(() => ariCertificateId('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')).toThrow();
    expect(() => ariCertificateId('not a certificate')).toThrow();
  });
});

describe('DER reading', () => {
  it('reads short and long lengths', () => {
    const long = Buffer.concat([Buffer.from([0x04, 0x81, 0x80]), Buffer.alloc(0x80, 7)]);
    expect(derElement(long).content.length).toBe(0x80);
    expect(derChildren(Buffer.from([0x02, 0x01, 0x05, 0x05, 0x00])).map((element) => element.tag)).toEqual([0x02, 0x05]);
  });

  it('refuses truncated elements, indefinite lengths and trailing bytes', () => {
    expect(() => derElement(Buffer.from([0x30, 0x05, 0x02, 0x01]))).toThrow(DerError);
    expect(() => derElement(Buffer.from([0x30, 0x80, 0x00, 0x00]))).toThrow(DerError);
    expect(() => derElement(Buffer.from([0x02, 0x01, 0x05, 0x00]))).toThrow(DerError);
    expect(() => derElement(Buffer.from([0x02]))).toThrow(DerError);
  });

  it('encodes object identifiers as DER does', () => {
    expect(oidContent('2.5.29.35').toString('hex')).toBe('551d23');
    // 1.2.840.113549 (RSA Data Security): multi-byte arcs.
    expect(oidContent('1.2.840.113549').toString('hex')).toBe('2a864886f70d');
  });
});

describe('the handlers that ask ARI', () => {
  it.each(['check-renewal', 'sweep'])('%s bundles no X.509 library', async (handler) => {
    for (const library of ['node_modules/@peculiar/', 'node_modules/asn1js/', 'node_modules/reflect-metadata/']) {
      expect(await handlerBundles(handler, library, []), `${handler} bundles ${library}`).toBe(false);
    }
  });
});
