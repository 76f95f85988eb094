/**
 * The HTTPS identity Pebble serves with. Debian's package ships configs that point at a cert
 * and key it does not include, so we mint a CA and a localhost leaf in-process (no openssl
 * on the PATH needed). Nothing here is secret: it lives a day and only guards loopback.
 */

import { randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

export interface ThrowawayTls {
  caCertPem: string;
  leafCertPem: string;
  /** PKCS#8 ("PRIVATE KEY"), which Go's tls.X509KeyPair (and so Pebble) accepts. */
  leafKeyPem: string;
}

// Passed explicitly rather than through x509.cryptoProvider.set(), which is process-global
// and shared with acme-client's own copy of @peculiar/x509.
const crypto = webcrypto;
const ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256' };
const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' };
const DAY_MS = 24 * 60 * 60 * 1000;

export async function createThrowawayTls(now = new Date()): Promise<ThrowawayTls> {
  // A day either side tolerates clock skew between us and whoever trusts the CA.
  const notBefore = new Date(now.getTime() - DAY_MS);
  const notAfter = new Date(now.getTime() + DAY_MS);
  const caKeys = (await crypto.subtle.generateKey(ECDSA_P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const leafKeys = (await crypto.subtle.generateKey(ECDSA_P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const caName = `CN=certstep throwaway Pebble TLS CA ${randomBytes(4).toString('hex')}`;

  const ca = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serialNumber(),
      name: caName,
      notBefore,
      notAfter,
      signingAlgorithm: ECDSA_SHA256,
      keys: caKeys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
      ],
    },
    crypto,
  );

  const leaf = await x509.X509CertificateGenerator.create(
    {
      serialNumber: serialNumber(),
      subject: 'CN=localhost',
      issuer: ca.subject,
      notBefore,
      notAfter,
      signingAlgorithm: ECDSA_SHA256,
      publicKey: leafKeys.publicKey,
      signingKey: caKeys.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([
          { type: 'dns', value: 'localhost' },
          { type: 'ip', value: '127.0.0.1' },
        ]),
        await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
      ],
    },
    crypto,
  );

  const pkcs8 = await crypto.subtle.exportKey('pkcs8', leafKeys.privateKey);
  return {
    caCertPem: `${ca.toString('pem')}\n`,
    leafCertPem: `${leaf.toString('pem')}\n`,
    leafKeyPem: `${x509.PemConverter.encode(pkcs8, 'PRIVATE KEY')}\n`,
  };
}

/** Random (so runs never collide) and positive with a non-zero first byte, as RFC 5280 §4.1.2.2 wants. */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return bytes.toString('hex');
}
