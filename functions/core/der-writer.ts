/**
 * Just enough DER (ITU-T X.690) to write a certification request (RFC 2986): the writing half of
 * der.ts, with the same one-byte tags. Each function names the X.690 clause it follows; DER's
 * own restrictions (§10, §11) are the reason there is exactly one way to write each value, which
 * is what a signature over the encoding needs.
 */
import { DER, DerError, oidContent } from './der.js';

/**
 * One element: identifier octet, definite length, content (§8.1). The length takes the short
 * form below 128 and otherwise the long form in as few octets as possible (§8.1.3, §10.1).
 */
export function derEncode(tag: number, content: Uint8Array): Buffer {
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte DER tags are not supported');
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const octets = bigEndianOctets(length);
  return Buffer.from([0x80 | octets.length, ...octets]);
}

/** A non-negative integer's base-256 digits, most significant first, without leading zeros (none for 0). */
function bigEndianOctets(value: number): number[] {
  const octets: number[] = [];
  for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest % 256);
  return octets;
}

/** The content of a SET OF (§11.6): the encodings sorted as octet strings, a shorter one as if padded with zeros, as Buffer.compare does. */
function sortedSetContent(elements: readonly Uint8Array[]): Buffer {
  return Buffer.concat([...elements].sort(Buffer.compare));
}

/** SEQUENCE and SEQUENCE OF (§8.9, §8.10): the elements in the order given. */
export function derSequence(...elements: readonly Uint8Array[]): Buffer {
  return derEncode(DER.SEQUENCE, Buffer.concat(elements));
}

/** SET OF (§8.12), its elements in DER's order (§11.6). */
export function derSetOf(...elements: readonly Uint8Array[]): Buffer {
  return derEncode(DER.SET, sortedSetContent(elements));
}

/** A non-negative INTEGER (§8.3): big-endian two's complement in the fewest octets, so a leading 0x00 when the top bit is set. */
export function derInteger(value: number): Buffer {
  if (!Number.isSafeInteger(value) || value < 0) throw new DerError(`only non-negative safe integers are written, not ${value}`);
  const octets = bigEndianOctets(value);
  if (octets.length === 0 || (octets[0] ?? 0) & 0x80) octets.unshift(0);
  return derEncode(DER.INTEGER, Buffer.from(octets));
}

/** OBJECT IDENTIFIER (§8.19), from its dotted form. */
export function derObjectIdentifier(dotted: string): Buffer {
  return derEncode(DER.OBJECT_IDENTIFIER, oidContent(dotted));
}

/** NULL (§8.8): no content octets. */
export function derNull(): Buffer {
  return derEncode(DER.NULL, Buffer.alloc(0));
}

/** BIT STRING of whole octets (§8.6): the initial octet says no bit of the last one is unused (§11.2). */
export function derBitString(octets: Uint8Array): Buffer {
  return derEncode(DER.BIT_STRING, Buffer.concat([Buffer.from([0]), octets]));
}

/** OCTET STRING (§8.7), primitive as DER requires (§10.2). */
export function derOctetString(octets: Uint8Array): Buffer {
  return derEncode(DER.OCTET_STRING, octets);
}

/** UTF8String (§8.23.10, X.680 §41): the UTF-8 octets of the text. */
export function derUtf8String(text: string): Buffer {
  return derEncode(DER.UTF8_STRING, Buffer.from(text, 'utf8'));
}

/**
 * An [n] IMPLICIT IA5String (§8.23.5): the text's ASCII octets under a context-specific
 * primitive tag, as RFC 5280's dNSName is. Anything outside IA5 (ASCII) is refused, not mangled.
 */
export function derImplicitIa5String(n: number, text: string): Buffer {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: IA5 is exactly U+0000..U+007F
  if (!/^[\u0000-\u007f]*$/.test(text)) throw new DerError(`not an IA5String (ASCII only): ${JSON.stringify(text)}`);
  return derEncode(DER.implicit(n), Buffer.from(text, 'ascii'));
}

/** An [n] IMPLICIT SET OF (§8.14.3): a SET OF's sorted elements under a context-specific constructed tag. */
export function derImplicitSetOf(n: number, ...elements: readonly Uint8Array[]): Buffer {
  return derEncode(DER.explicit(n), sortedSetContent(elements));
}
