/**
 * cert-manager's key manager: makes a certificate's private keys and the certificate signing
 * requests (PKCS#10, RFC 2986) that finalize sends (RFC 8555 §7.4). A port, so that a phase
 * never reaches into a crypto library and the library can change in one adapter.
 */
import type { KeyAlgorithm } from '../core/certificate-spec.js';

export interface KeyManager {
  /** A new private key as PKCS#8 PEM, the form tls.key is stored in. */
  generatePrivateKey(algorithm: KeyAlgorithm): Promise<string>;
  /** A CSR (PEM) for these names, signed with this key (RFC 8555 §7.4). */
  createCsr(dnsNames: readonly string[], privateKeyPem: string): Promise<string>;
}
