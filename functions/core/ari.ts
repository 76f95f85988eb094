/**
 * ACME Renewal Information (RFC 9773): the CA suggests a window in which to renew, and
 * renewals it signals this way are exempt from its rate limits. These are the pure parts:
 * the certificate identifier the CA knows a certificate by, and one stable moment inside
 * a window per certificate, so repeated checks agree and many certificates spread out.
 */
import { createHash } from 'node:crypto';
import { AuthorityKeyIdentifierExtension, X509Certificate } from '@peculiar/x509';

export interface RenewalWindow {
  readonly start: string;
  readonly end: string;
}

/**
 * RFC 9773 §4.1: base64url(keyIdentifier of the Authority Key Identifier) "." base64url(the
 * DER content octets of the serial number). Undefined when the leaf has no AKI key id.
 */
export function ariCertificateId(leafPem: string): string | undefined {
  const certificate = new X509Certificate(leafPem);
  const aki = certificate.getExtension(AuthorityKeyIdentifierExtension);
  if (!aki?.keyId) return undefined;
  return `${Buffer.from(aki.keyId, 'hex').toString('base64url')}.${serialContentOctets(certificate.serialNumber).toString('base64url')}`;
}

/** A positive INTEGER's DER content: big-endian, minimal, with a leading zero if the top bit is set. */
export function serialContentOctets(serialHex: string): Buffer {
  let hex = serialHex.replace(/^(00)+(?=..)/, '').toLowerCase();
  if (hex.length % 2 === 1) hex = `0${hex}`;
  const bytes = Buffer.from(hex, 'hex');
  return (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
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
