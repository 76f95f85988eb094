/**
 * The X.509 side of the simulated CA: a root and an intermediate made once per CA, leaves signed
 * by the intermediate, and reading the CSRs clients send.
 *
 * The CA keys are P-256 keys derived from seeds the caller draws from its PRNG, so a replayed
 * run has the same root, intermediate and ARI certificate ids (only ECDSA's per-signature
 * nonce differs, which changes bytes but no decision).
 *
 * Certificates are written as DER by hand and signed with node:crypto's synchronous `sign`,
 * not through @peculiar/x509's X509CertificateGenerator and webcrypto. Two reasons: the CA
 * then exists, root PEM included, as soon as its constructor returns (no `await ca.ready()`);
 * and an issuance costs one ECDSA signature and a few buffer copies (~0.05 ms) instead of
 * ~1 ms of ASN.1 object mapping, which adds up over tens of thousands of issuances a run.
 * The fixed parts (names, CA extensions) still come from @peculiar/x509's classes; the tests
 * check the result with Node's own X509Certificate and the project's verifier.
 */
import { type KeyObject, createECDH, createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { CertificationRequest } from '@peculiar/asn1-csr';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Extensions, SubjectAlternativeName } from '@peculiar/asn1-x509';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  type Extension,
  KeyUsageFlags,
  KeyUsagesExtension,
  Name,
  SubjectKeyIdentifierExtension,
} from '@peculiar/x509';

const OID_EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const OID_COMMON_NAME = '2.5.4.3';
/** AlgorithmIdentifier { ecdsa-with-SHA256 } with absent parameters (RFC 5758 §3.2). */
const ECDSA_WITH_SHA256 = Buffer.from('300a06082a8648ce3d040302', 'hex');
const DER_SUBJECT_ALT_NAME = Buffer.from('0603551d11', 'hex');
const DER_COMMON_NAME = Buffer.from('0603550403', 'hex');
const DER_TRUE = Buffer.from('0101ff', 'hex');

/** One of the CA's own certificates, with what signing under it needs. */
interface CaCertificate {
  readonly pem: string;
  /** DER of its subject Name, the issuer Name of what it signs. */
  readonly nameDer: Buffer;
  /** Hex SHA-1 of the public key bits (RFC 5280 §4.2.1.2 method 1): its SKI, its children's AKI. */
  readonly keyIdHex: string;
  readonly privateKey: KeyObject;
}

export interface LeafRequest {
  /** Hex of a positive serial whose first byte is 0x01-0x7f, so its DER content is the bytes as given. */
  readonly serialHex: string;
  /** DER SubjectPublicKeyInfo of the key the certificate is for. */
  readonly subjectPublicKeyInfo: Uint8Array;
  readonly dnsNames: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export class SimCaCertificates {
  readonly root: CaCertificate;
  readonly intermediate: CaCertificate;
  /** Every leaf's extensions but its SAN, encoded once. */
  private readonly leafExtensions: readonly Buffer[];

  /** Both CA certificates cover `validity`, which must span every simulated date. */
  constructor(
    seeds: { readonly root: Uint8Array; readonly intermediate: Uint8Array },
    validity = { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2040-01-01T00:00:00Z') },
  ) {
    this.root = caCertificate({
      seed: seeds.root,
      subject: 'CN=certstep simulated root, O=certstep sim',
      serialHex: '01',
      validity,
      extensions: (keyIdHex) => [
        new BasicConstraintsExtension(true, undefined, true),
        new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
        new SubjectKeyIdentifierExtension(keyIdHex),
      ],
    });
    this.intermediate = caCertificate({
      seed: seeds.intermediate,
      subject: 'CN=certstep simulated intermediate, O=certstep sim',
      serialHex: '02',
      validity,
      issuer: this.root,
      extensions: (keyIdHex) => [
        new BasicConstraintsExtension(true, 0, true),
        new KeyUsagesExtension(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
        new SubjectKeyIdentifierExtension(keyIdHex),
        new AuthorityKeyIdentifierExtension((this.root as CaCertificate).keyIdHex),
      ],
    });
    this.leafExtensions = [
      new BasicConstraintsExtension(false, undefined, true),
      new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
      new ExtendedKeyUsageExtension([ExtendedKeyUsage.serverAuth]),
      // RFC 9773 §4.1 builds the ARI certificate id from this key id.
      new AuthorityKeyIdentifierExtension(this.intermediate.keyIdHex),
    ].map(derOf);
  }

  /** A leaf signed by the intermediate; PEM. */
  issueLeaf(request: LeafRequest): string {
    const first = request.dnsNames[0];
    // Like Let's Encrypt: the first name as CN when it fits (RFC 5280 caps CN at 64), else an empty subject and a critical SAN.
    const commonName = first !== undefined && first.length <= 64 ? first : undefined;
    const subject = commonName === undefined ? sequence() : sequence(tlv(0x31, sequence(DER_COMMON_NAME, tlv(0x0c, Buffer.from(commonName, 'utf8')))));
    const generalNames = sequence(...request.dnsNames.map((name) => tlv(0x82, Buffer.from(name, 'ascii'))));
    const san = sequence(DER_SUBJECT_ALT_NAME, ...(commonName === undefined ? [DER_TRUE] : []), tlv(0x04, generalNames));
    return signCertificate(this.intermediate, {
      serialHex: request.serialHex,
      subjectDer: subject,
      subjectPublicKeyInfo: Buffer.from(request.subjectPublicKeyInfo),
      notBefore: request.notBefore,
      notAfter: request.notAfter,
      extensions: [...this.leafExtensions, san],
    });
  }
}

export interface ParsedCsr {
  readonly subjectPublicKeyInfo: Uint8Array;
  /** Lowercased, in the order the CSR lists them. */
  readonly dnsNames: readonly string[];
  readonly commonName?: string;
}

/**
 * The parts of a PKCS#10 request (as acme-client's createCsr makes it) the CA issues from.
 * Read with @peculiar's ASN.1 schema directly: Pkcs10CertificateRequest's extension and
 * attribute getters cost ~0.5 ms a call. Throws a plain Error saying what is wrong, which
 * the caller turns into a badCSR problem. The request's own signature is not checked:
 * nothing in the simulation forges CSRs.
 */
export function parseCsr(csrPem: string): ParsedCsr {
  let request: CertificationRequest;
  try {
    request = AsnConvert.parse(Buffer.from(csrPem.replace(/-----[^-]+-----|\s/g, ''), 'base64'), CertificationRequest);
  } catch (error) {
    throw new Error(`the CSR does not parse: ${(error as Error).message}`);
  }
  const info = request.certificationRequestInfo;
  const dnsNames: string[] = [];
  for (const attribute of info.attributes) {
    if (attribute.type !== OID_EXTENSION_REQUEST) continue;
    for (const value of attribute.values) {
      for (const extension of AsnConvert.parse(value, Extensions)) {
        if (extension.extnID !== OID_SUBJECT_ALT_NAME) continue;
        for (const name of AsnConvert.parse(extension.extnValue.buffer, SubjectAlternativeName)) {
          if (name.dNSName !== undefined) dnsNames.push(name.dNSName.toLowerCase());
        }
      }
    }
  }
  const commonName = info.subject
    .flatMap((rdn) => [...rdn])
    .find((attribute) => attribute.type === OID_COMMON_NAME)
    ?.value.toString();
  return {
    subjectPublicKeyInfo: new Uint8Array(AsnConvert.serialize(info.subjectPKInfo)),
    dnsNames,
    ...(commonName !== undefined && { commonName: commonName.toLowerCase() }),
  };
}

/** RFC 9773 §4.1: base64url(AKI keyIdentifier) "." base64url(serial DER content octets). */
export function ariIdOf(authorityKeyIdHex: string, serialHex: string): string {
  let serial = Buffer.from(serialHex, 'hex');
  if ((serial[0] ?? 0) & 0x80) serial = Buffer.concat([Buffer.from([0]), serial]);
  return `${Buffer.from(authorityKeyIdHex, 'hex').toString('base64url')}.${serial.toString('base64url')}`;
}

function caCertificate(spec: {
  seed: Uint8Array;
  subject: string;
  serialHex: string;
  validity: { notBefore: Date; notAfter: Date };
  /** Absent for the self-signed root. */
  issuer?: CaCertificate;
  extensions: (keyIdHex: string) => Extension[];
}): CaCertificate {
  const { publicKey, privateKey, point } = p256KeyFrom(spec.seed);
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const keyIdHex = createHash('sha1').update(point).digest('hex');
  const nameDer = Buffer.from(new Name(spec.subject).toArrayBuffer());
  const self = { nameDer, keyIdHex, privateKey };
  const pem = signCertificate(spec.issuer ?? self, {
    serialHex: spec.serialHex,
    subjectDer: nameDer,
    subjectPublicKeyInfo: spki,
    ...spec.validity,
    extensions: spec.extensions(keyIdHex).map(derOf),
  });
  return { ...self, pem };
}

/** A P-256 key pair whose private scalar is SHA-256 of the seed (re-hashed in the ~2^-32 case it is not below the curve order). */
function p256KeyFrom(seed: Uint8Array): { privateKey: KeyObject; publicKey: KeyObject; point: Buffer } {
  let scalar = createHash('sha256').update(seed).digest();
  for (;;) {
    const ecdh = createECDH('prime256v1');
    try {
      ecdh.setPrivateKey(scalar);
    } catch {
      scalar = createHash('sha256').update(scalar).digest();
      continue;
    }
    const point = ecdh.getPublicKey(); // 0x04 || x || y
    const privateKey = createPrivateKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        d: scalar.toString('base64url'),
        x: point.subarray(1, 33).toString('base64url'),
        y: point.subarray(33).toString('base64url'),
      },
      format: 'jwk',
    });
    return { privateKey, publicKey: createPublicKey(privateKey), point };
  }
}

/** RFC 5280 §4.1: a v3 certificate, signed once by `issuer`. */
function signCertificate(
  issuer: Pick<CaCertificate, 'nameDer' | 'privateKey'>,
  fields: { serialHex: string; subjectDer: Buffer; subjectPublicKeyInfo: Buffer; notBefore: Date; notAfter: Date; extensions: readonly Buffer[] },
): string {
  const tbs = sequence(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    tlv(0x02, Buffer.from(fields.serialHex, 'hex')),
    ECDSA_WITH_SHA256,
    issuer.nameDer,
    sequence(time(fields.notBefore), time(fields.notAfter)),
    fields.subjectDer,
    fields.subjectPublicKeyInfo,
    tlv(0xa3, sequence(...fields.extensions)),
  );
  // node:crypto signs ECDSA as a DER Ecdsa-Sig-Value, which is what X.509 carries.
  const signature = sign('sha256', tbs, issuer.privateKey);
  const der = sequence(tbs, ECDSA_WITH_SHA256, tlv(0x03, Buffer.from([0]), signature));
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
}

function derOf(extension: Extension): Buffer {
  return Buffer.from(extension.rawData);
}

function tlv(tag: number, ...contents: Buffer[]): Buffer {
  const body = contents.length === 1 ? (contents[0] as Buffer) : Buffer.concat(contents);
  const length = body.length;
  let header: Buffer;
  if (length < 0x80) header = Buffer.from([tag, length]);
  else if (length < 0x100) header = Buffer.from([tag, 0x81, length]);
  else if (length < 0x10000) header = Buffer.from([tag, 0x82, length >> 8, length & 0xff]);
  else throw new Error(`DER value too long (${length} bytes)`);
  return Buffer.concat([header, body]);
}

function sequence(...contents: Buffer[]): Buffer {
  return tlv(0x30, ...contents);
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime after; whole seconds. */
function time(date: Date): Buffer {
  const iso = date.toISOString();
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(digits.slice(2), 'ascii')) : tlv(0x18, Buffer.from(digits, 'ascii'));
}
