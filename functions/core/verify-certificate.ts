/**
 * The gate before a certificate becomes current: the key must match, the names must be exactly
 * the ones requested, every link of the chain must be signed by the next, and the leaf must be
 * valid now. Anything less never replaces a working certificate.
 */
import { type KeyObject, X509Certificate, createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { CertificateVerificationFailed } from './errors.js';

export interface VerifiedCertificate {
  readonly serialNumber: string;
  readonly notBefore: string;
  readonly notAfter: string;
}

/** Tolerated clock difference between us and the CA for notBefore. */
const SKEW_MS = 5 * 60_000;

/** Serials compare equal however a source spells them ("0A:1b", "0a1b", "a1b"; ACM drops leading zeros). */
export function normalizeSerial(serial: string): string {
  return serial
    .replace(/[^0-9a-f]/gi, '')
    .toLowerCase()
    .replace(/^0+(?=.)/, '');
}

export function splitPemChain(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

interface Presented {
  readonly chainPem: string;
  readonly dnsNames: readonly string[];
  readonly now: Date;
}

export function verifyIssuedCertificate(input: Presented & { privateKeyPem: string }): VerifiedCertificate {
  return verifyChain(input, 'the issued certificate was not stored', 'the private key saved for this order', (leaf) => {
    try {
      return leaf.checkPrivateKey(createPrivateKey(input.privateKeyPem));
    } catch {
      return false;
    }
  });
}

/**
 * The same gate for a dry run's test certificate, whose private key was dropped once the CSR
 * went out: the leaf must certify the public key recorded before then (its SPKI SHA-256).
 */
export function verifyTestCertificate(input: Presented & { publicKeySha256: string }): VerifiedCertificate {
  return verifyChain(input, 'the test certificate failed verification', 'the key the dry run sent its CSR for', (leaf) => {
    return publicKeySha256(leaf.publicKey) === input.publicKeySha256;
  });
}

/** SHA-256 of a key's SubjectPublicKeyInfo, base64url: names the key and is public (a private key PEM gives its public half's). */
export function publicKeySha256(key: string | KeyObject): string {
  const publicKey = typeof key === 'string' ? createPublicKey(key) : key;
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64url');
}

function verifyChain(input: Presented, failure: string, keyName: string, keyMatches: (leaf: X509Certificate) => boolean): VerifiedCertificate {
  const pems = splitPemChain(input.chainPem);
  const fail = (why: string): never => {
    throw new CertificateVerificationFailed(`${failure}: ${why}`);
  };
  if (pems.length === 0) fail('the CA returned no certificate');
  let chain: X509Certificate[] = [];
  try {
    chain = pems.map((pem) => new X509Certificate(pem));
  } catch (error) {
    fail(`a certificate in the chain does not parse (${(error as Error).message})`);
  }
  const leaf = chain[0] as X509Certificate;
  if (chain.length < 2) fail('the CA returned the leaf without its chain');

  if (!keyMatches(leaf)) fail(`the certificate does not match ${keyName}`);

  const names = subjectAltDnsNames(leaf);
  const wanted = [...new Set(input.dnsNames)].sort();
  if (names.join(',') !== wanted.join(',')) fail(`it names [${names.join(', ')}] but [${wanted.join(', ')}] were requested`);

  for (let index = 0; index + 1 < chain.length; index++) {
    const child = chain[index] as X509Certificate;
    const parent = chain[index + 1] as X509Certificate;
    if (!child.checkIssued(parent) || !child.verify(parent.publicKey)) {
      fail(`chain link ${index} (${child.subject.replace(/\n/g, ', ')}) is not signed by the next certificate`);
    }
  }

  const notBefore = new Date(leaf.validFrom);
  const notAfter = new Date(leaf.validTo);
  if (notBefore.getTime() > input.now.getTime() + SKEW_MS) fail(`it is not valid before ${notBefore.toISOString()}`);
  if (notAfter.getTime() <= input.now.getTime()) fail(`it expired at ${notAfter.toISOString()}`);

  return { serialNumber: leaf.serialNumber.toLowerCase(), notBefore: notBefore.toISOString(), notAfter: notAfter.toISOString() };
}

/** DNS names from the subjectAltName extension, sorted. */
export function subjectAltDnsNames(certificate: X509Certificate): string[] {
  return (certificate.subjectAltName ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4).toLowerCase())
    .sort();
}
