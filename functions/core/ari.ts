/**
 * ACME Renewal Information (RFC 9773): the CA suggests a window in which to renew, and
 * renewals it signals this way are exempt from its rate limits. These are the pure parts:
 * the certificate identifier the CA knows a certificate by, and one stable moment inside
 * a window per certificate, so repeated checks agree and many certificates spread out.
 */
import { X509Certificate, createHash } from 'node:crypto';
import { DER, type DerElement, DerError, derChildren, derElement, oidContent } from './der.js';

export interface RenewalWindow {
  readonly start: string;
  readonly end: string;
}

/**
 * RFC 9773 §4.1: base64url(keyIdentifier of the Authority Key Identifier) "." base64url(the
 * DER content octets of the serial number). Undefined when the leaf has no AKI key id.
 * `leafPem` may be a whole chain: the first certificate is the leaf.
 *
 * Node parses (and rejects a malformed) certificate but exposes neither the AKI nor the serial's
 * octets as encoded, so the two fields are read from its DER here. An X.509 library would do the
 * same in ~250 KiB more of every bundle that asks ARI, and ~45 ms more at each cold start.
 */
export function ariCertificateId(leafPem: string): string | undefined {
  const tbs = tbsFields(new X509Certificate(leafPem).raw);
  // TBSCertificate (RFC 5280 §4.1): [0] version is optional, then serialNumber INTEGER.
  const serial = tbs[tbs[0]?.tag === DER.explicit(0) ? 1 : 0];
  if (serial?.tag !== DER.INTEGER) throw new DerError('certificate has no serial number where RFC 5280 puts it');
  const keyId = authorityKeyId(tbs);
  if (!keyId || keyId.length === 0) return undefined;
  return `${keyId.toString('base64url')}.${serial.content.toString('base64url')}`;
}

/** The fields of the TBSCertificate inside a certificate's DER. */
function tbsFields(certificateDer: Buffer): DerElement[] {
  const [tbs] = derChildren(expect(derElement(certificateDer), DER.SEQUENCE).content);
  return derChildren(expect(tbs, DER.SEQUENCE).content);
}

const AUTHORITY_KEY_IDENTIFIER = oidContent('2.5.29.35');

/** RFC 5280 §4.2.1.1: the keyIdentifier ([0] IMPLICIT OCTET STRING) of the AKI extension, if any. */
function authorityKeyId(tbs: DerElement[]): Buffer | undefined {
  const extensions = tbs.find((field) => field.tag === DER.explicit(3));
  if (!extensions) return undefined;
  for (const extension of derChildren(expect(derElement(extensions.content), DER.SEQUENCE).content)) {
    // Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
    const parts = derChildren(expect(extension, DER.SEQUENCE).content);
    const id = expect(parts[0], DER.OBJECT_IDENTIFIER);
    if (!id.content.equals(AUTHORITY_KEY_IDENTIFIER)) continue;
    const value = expect(parts[parts.length - 1], DER.OCTET_STRING);
    return derChildren(expect(derElement(value.content), DER.SEQUENCE).content).find((part) => part.tag === DER.implicit(0))?.content;
  }
  return undefined;
}

function expect(element: DerElement | undefined, tag: number): DerElement {
  if (element?.tag !== tag)
    throw new DerError(`certificate DER: expected tag 0x${tag.toString(16)}, found ${element ? `0x${element.tag.toString(16)}` : 'nothing'}`);
  return element;
}

/** A moment inside the window chosen by `seed` (e.g. the serial): the same seed always lands on the same spot. */
export function momentInWindow(window: RenewalWindow, seed: string): Date {
  const start = new Date(window.start).getTime();
  const end = Math.max(start, new Date(window.end).getTime());
  const fraction = createHash('sha256').update(seed).digest().readUInt32BE(0) / 0x1_0000_0000;
  return new Date(start + Math.floor((end - start) * fraction));
}

/** Spreads renewal times computed without ARI: up to 2 % of the lifetime earlier, at most 6 hours. */
export function jitteredEarlier(time: Date, lifetimeMs: number, seed: string): Date {
  const spread = Math.min(lifetimeMs * 0.02, 6 * 60 * 60_000);
  const fraction = createHash('sha256').update(`jitter:${seed}`).digest().readUInt32BE(0) / 0x1_0000_0000;
  return new Date(time.getTime() - Math.floor(spread * fraction));
}
