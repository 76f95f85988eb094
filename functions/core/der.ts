/**
 * Just enough DER (ITU-T X.690 §8, §10) to walk a certificate's outer structure: a reader of
 * tag-length-value elements with definite lengths and one-byte tags, which is all a
 * certificate's TBSCertificate and its extensions use (RFC 5280 §4.1). Node's X509Certificate
 * parses and checks the certificate; this only finds fields it does not expose.
 */

export interface DerElement {
  /** The identifier octet: class, constructed bit and tag number (< 31). */
  readonly tag: number;
  /** The content octets. */
  readonly content: Buffer;
}

export class DerError extends Error {
  override readonly name = 'DerError';
}

export const DER = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OBJECT_IDENTIFIER: 0x06,
  UTF8_STRING: 0x0c,
  SEQUENCE: 0x30,
  SET: 0x31,
  /** [n] EXPLICIT (context-specific, constructed). */
  explicit: (n: number) => 0xa0 | n,
  /** [n] IMPLICIT of a primitive type (context-specific, primitive). */
  implicit: (n: number) => 0x80 | n,
} as const;

/** The elements one after another in `bytes` (the content of a SEQUENCE, say). */
export function derChildren(bytes: Buffer): DerElement[] {
  const elements: DerElement[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const { element, next } = readElement(bytes, offset);
    elements.push(element);
    offset = next;
  }
  return elements;
}

/** The one element that `bytes` holds, and nothing after it. */
export function derElement(bytes: Buffer): DerElement {
  const { element, next } = readElement(bytes, 0);
  if (next !== bytes.length) throw new DerError('trailing bytes after a DER element');
  return element;
}

function readElement(bytes: Buffer, offset: number): { element: DerElement; next: number } {
  const tag = byteAt(bytes, offset);
  // High tag numbers (0x1f) never occur in the certificate structures read here.
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte DER tags are not supported');
  let length = byteAt(bytes, offset + 1);
  let start = offset + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    // 0x80 is BER's indefinite length, which DER forbids; four octets already mean 4 GiB.
    if (octets === 0 || octets > 4) throw new DerError('not a DER definite length');
    length = 0;
    for (let i = 0; i < octets; i += 1) length = length * 256 + byteAt(bytes, start + i);
    start += octets;
  }
  const end = start + length;
  if (end > bytes.length) throw new DerError('a DER element runs past the end of its container');
  return { element: { tag, content: bytes.subarray(start, end) }, next: end };
}

function byteAt(bytes: Buffer, offset: number): number {
  const value = bytes[offset];
  if (value === undefined) throw new DerError('DER ends in the middle of an element');
  return value;
}

/** The DER encoding of an OBJECT IDENTIFIER's content octets, for comparison with what was read. */
export function oidContent(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const octets: number[] = [first * 40 + second];
  for (const arc of rest) {
    const base128 = [arc & 0x7f];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) base128.unshift((value & 0x7f) | 0x80);
    octets.push(...base128);
  }
  return Buffer.from(octets);
}
