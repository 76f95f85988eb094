/**
 * The key manager on acme-client's crypto: the same library that speaks ACME makes the keys and
 * CSRs, so certstep bundles one crypto stack (@peculiar/x509) and not two.
 */
import { acme } from './acme-client-module.js';
import type { KeyAlgorithm } from '../core/certificate-spec.js';
import type { KeyManager } from '../ports/key-manager.js';

export const acmeClientKeys: KeyManager = {
  async generatePrivateKey(algorithm: KeyAlgorithm): Promise<string> {
    switch (algorithm) {
      case 'ecdsa-p256':
        return (await acme.crypto.createPrivateEcdsaKey('P-256')).toString();
      case 'ecdsa-p384':
        return (await acme.crypto.createPrivateEcdsaKey('P-384')).toString();
      case 'rsa-2048':
        return (await acme.crypto.createPrivateRsaKey(2048)).toString();
      case 'rsa-3072':
        return (await acme.crypto.createPrivateRsaKey(3072)).toString();
      case 'rsa-4096':
        return (await acme.crypto.createPrivateRsaKey(4096)).toString();
    }
  },

  async createCsr(dnsNames: readonly string[], privateKeyPem: string): Promise<string> {
    const [, csr] = await acme.crypto.createCsr(csrSubject(dnsNames), privateKeyPem);
    return csr.toString();
  },
};

/** The CN is limited to 64 characters (RFC 5280); CAs take the names from the SAN anyway. */
function csrSubject(dnsNames: readonly string[]): { commonName?: string; altNames: string[] } {
  const first = dnsNames[0];
  return { ...(first && first.length <= 64 && { commonName: first }), altNames: [...dnsNames] };
}
