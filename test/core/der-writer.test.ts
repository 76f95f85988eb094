/**
 * The DER writer (functions/core/der-writer.ts) against X.690's rules and examples, against the
 * reader beside it, and against OpenSSL's strict DER parser (through node:crypto), which must
 * accept public keys written with it as the very bytes it exports.
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DerError, derChildren, derElement } from '../../functions/core/der.js';
import {
  derBitString,
  derEncode,
  derImplicitIa5String,
  derImplicitSetOf,
  derInteger,
  derNull,
  derObjectIdentifier,
  derOctetString,
  derSequence,
  derSetOf,
  derUtf8String,
} from '../../functions/core/der-writer.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('the DER writer', () => {
  it.each([
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8180'],
    [255, '81ff'],
    [256, '820100'],
    [65_535, '82ffff'],
    [65_536, '83010000'],
  ])('writes a length of %i as %s (short form below 128, else the fewest octets: §8.1.3, §10.1)', (length, expected) => {
    const content = Buffer.alloc(length, 0xab);
    const encoded = derEncode(0x04, content);

    expect(hex(encoded.subarray(1, 1 + expected.length / 2))).toBe(expected);
    expect(encoded.length).toBe(1 + expected.length / 2 + length);
    // The reader finds exactly the content again, and nothing after it.
    expect(derElement(encoded)).toEqual({ tag: 0x04, content });
  });

  it.each([
    [0, '020100'],
    [127, '02017f'],
    [128, '02020080'],
    [256, '02020100'],
    [65_535, '020300ffff'],
  ])('writes the INTEGER %i as %s (two’s complement, fewest octets: §8.3)', (value, expected) => {
    expect(hex(derInteger(value))).toBe(expected);
  });

  it('refuses integers it cannot write exactly', () => {
    expect(() => derInteger(-1)).toThrow(DerError);
    expect(() => derInteger(0.5)).toThrow(DerError);
    expect(() => derInteger(2 ** 53)).toThrow(DerError);
  });

  it('writes the primitive types with their universal tags', () => {
    // rsaEncryption, the OID every RSA key carries; X.690 §8.19's first two arcs share an octet.
    expect(hex(derObjectIdentifier('1.2.840.113549.1.1.1'))).toBe('06092a864886f70d010101');
    expect(hex(derObjectIdentifier('2.5.29.17'))).toBe('0603551d11');
    expect(hex(derNull())).toBe('0500');
    expect(hex(derBitString(Buffer.from([0xff, 0x01])))).toBe('030300ff01');
    expect(hex(derOctetString(Buffer.from([0x01])))).toBe('040101');
    expect(hex(derUtf8String('é.test'))).toBe('0c07c3a92e74657374');
    expect(hex(derImplicitIa5String(2, '*.a.test'))).toBe('82082a2e612e74657374');
  });

  it('refuses a non-ASCII IA5String instead of mangling it', () => {
    expect(() => derImplicitIa5String(2, 'bücher.example')).toThrow(DerError);
  });

  it('writes SEQUENCE elements in order and SET OF elements sorted (§11.6)', () => {
    const [b, a, c] = [derOctetString(Buffer.from([2])), derOctetString(Buffer.from([1])), derInteger(5)];

    expect(hex(derSequence(b, a, c))).toBe('3009040102040101020105');
    expect(hex(derSetOf(b, a, c))).toBe('3109020105040101040102');
    expect(hex(derImplicitSetOf(0, b, a, c))).toBe('a009020105040101040102');
    // A shorter encoding sorts before a longer one it is a prefix of.
    expect(hex(derSetOf(Buffer.from('0402aabb', 'hex'), Buffer.from('0401aa', 'hex')))).toBe('31070401aa0402aabb');
    expect(hex(derSequence())).toBe('3000');
  });

  it('nests so that the reader walks it back', () => {
    const written = derSequence(derInteger(0), derSequence(derObjectIdentifier('2.5.4.3'), derUtf8String('x')), derImplicitSetOf(0, derNull()));
    const [version, name, attributes] = derChildren(derElement(written).content);

    expect(version).toEqual({ tag: 0x02, content: Buffer.from([0]) });
    expect(derChildren(name?.content ?? Buffer.alloc(0)).map((element) => element.tag)).toEqual([0x06, 0x0c]);
    expect(attributes).toEqual({ tag: 0xa0, content: Buffer.from('0500', 'hex') });
  });

  it.each([
    ['an EC P-256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey, ['1.2.840.10045.2.1', '1.2.840.10045.3.1.7']],
    ['an RSA 2048', () => generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey, ['1.2.840.113549.1.1.1']],
  ])('writes %s SubjectPublicKeyInfo that OpenSSL reads back byte for byte', (_label, makeKey, oids) => {
    const exported = makeKey().export({ type: 'spki', format: 'der' });
    // The key's bits, taken from Node's own SPKI (RFC 5280 §4.1.2.7), wrapped again by the writer.
    const [, subjectPublicKey] = derChildren(derElement(exported).content);
    const bits = (subjectPublicKey?.content ?? Buffer.alloc(1)).subarray(1);
    const algorithm = oids.length === 1 ? derSequence(derObjectIdentifier(oids[0] ?? ''), derNull()) : derSequence(...oids.map(derObjectIdentifier));

    const written = derSequence(algorithm, derBitString(bits));

    expect(hex(written)).toBe(hex(exported));
    expect(hex(createPublicKey({ key: written, format: 'der', type: 'spki' }).export({ type: 'spki', format: 'der' }))).toBe(hex(exported));
  });
});
