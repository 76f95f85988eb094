/**
 * The certificate signing request Finalize sends (RFC 8555 §7.4), written by certstep: PKCS#10
 * (RFC 2986) over node:crypto, so that no X.509 library goes into the Lambda for one structure.
 *
 * It carries what CAs issue from: the public key, the names in a subjectAltName extension
 * (RFC 5280 §4.2.1.6) inside an extensionRequest attribute (RFC 2985 §5.4.2), and the first name
 * as the subject's CN when it fits. acme-client also asked for a KeyUsage extension; CAs set key
 * usage from their own profile and the key's type (Let's Encrypt's Boulder reads only the key,
 * the signature, the names and the CN), so it is left out.
 */
import { type KeyObject, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import {
  derBitString,
  derImplicitIa5String,
  derImplicitSetOf,
  derInteger,
  derNull,
  derObjectIdentifier,
  derOctetString,
  derSequence,
  derSetOf,
  derUtf8String,
} from './der-writer.js';

/** ub-common-name (RFC 5280 Appendix A.1): a longer first name leaves the subject empty; CAs take the names from the SAN. */
export const MAX_COMMON_NAME_LENGTH = 64;

const OID = {
  commonName: '2.5.4.3',
  extensionRequest: '1.2.840.113549.1.9.14',
  subjectAltName: '2.5.29.17',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
} as const;

/** A key or a name the request cannot be written for: a bug upstream (names arrive normalised, keys are made here), not a CA's answer. */
export class CsrNotWritten extends Error {
  override readonly name = 'CsrNotWritten' as const;
}

/** The request for `dnsNames` (A-labels, as normalizeDnsName leaves them), signed with the key, as PEM (RFC 7468 §7). */
export function createCsrPem(dnsNames: readonly string[], privateKeyPem: string): string {
  const der = createCsrDer(dnsNames, privateKeyPem);
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE REQUEST-----\n${lines.join('\n')}\n-----END CERTIFICATE REQUEST-----\n`;
}

/** The request's DER: CertificationRequest (RFC 2986 §4.2). */
export function createCsrDer(dnsNames: readonly string[], privateKeyPem: string): Buffer {
  if (dnsNames.length === 0) throw new CsrNotWritten('a CSR needs at least one name');
  // Only the key's type is named in errors: the PEM is secret.
  const privateKey = readPrivateKey(privateKeyPem);
  const signer = signatureOf(privateKey);
  const info = derSequence(
    derInteger(0),
    subjectName(dnsNames[0] ?? ''),
    createPublicKey(privateKey).export({ type: 'spki', format: 'der' }),
    derImplicitSetOf(0, extensionRequest(dnsNames)),
  );
  return derSequence(info, signer.algorithm, derBitString(sign(signer.hash, info, privateKey)));
}

function readPrivateKey(privateKeyPem: string): KeyObject {
  try {
    return createPrivateKey(privateKeyPem);
  } catch {
    throw new CsrNotWritten('the private key does not parse');
  }
}

/**
 * The signature algorithm for the key: sha256WithRSAEncryption with NULL parameters (RFC 4055 §5)
 * for RSA of any size, ecdsa-with-SHA256/384 without parameters (RFC 5758 §3.2) for P-256/P-384,
 * as acme-client signed them. node:crypto's ECDSA signature is already the DER Ecdsa-Sig-Value
 * (RFC 3279 §2.2.3) and its RSA one PKCS#1 v1.5.
 */
function signatureOf(privateKey: KeyObject): { hash: string; algorithm: Buffer } {
  if (privateKey.asymmetricKeyType === 'rsa') return { hash: 'sha256', algorithm: derSequence(derObjectIdentifier(OID.sha256WithRSAEncryption), derNull()) };
  if (privateKey.asymmetricKeyType === 'ec') {
    const curve = privateKey.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return { hash: 'sha256', algorithm: derSequence(derObjectIdentifier(OID.ecdsaWithSha256)) };
    if (curve === 'secp384r1') return { hash: 'sha384', algorithm: derSequence(derObjectIdentifier(OID.ecdsaWithSha384)) };
    throw new CsrNotWritten(`no CSR signature for an EC key on curve ${curve}; certstep makes P-256 and P-384 keys`);
  }
  throw new CsrNotWritten(`no CSR signature for a ${privateKey.asymmetricKeyType} key; certstep makes RSA and ECDSA keys`);
}

/**
 * Name (RFC 5280 §4.1.2.4): one RDN with the CN as a UTF8String (§4.1.2.6's DirectoryString
 * choice for new names), or the empty sequence when the first name is too long for a CN.
 */
function subjectName(firstName: string): Buffer {
  if (firstName.length > MAX_COMMON_NAME_LENGTH) return derSequence();
  return derSequence(derSetOf(derSequence(derObjectIdentifier(OID.commonName), derUtf8String(firstName))));
}

/**
 * Attribute { extensionRequest, SET { Extensions } } (RFC 2985 §5.4.2) holding one Extension
 * (RFC 5280 §4.1): subjectAltName, not critical (the CA decides that for the certificate), whose
 * GeneralNames are every name as a dNSName, [2] IMPLICIT IA5String (RFC 5280 §4.2.1.6).
 */
function extensionRequest(dnsNames: readonly string[]): Buffer {
  const generalNames = derSequence(...dnsNames.map((name) => derImplicitIa5String(2, name)));
  const extensions = derSequence(derSequence(derObjectIdentifier(OID.subjectAltName), derOctetString(generalNames)));
  return derSequence(derObjectIdentifier(OID.extensionRequest), derSetOf(extensions));
}
