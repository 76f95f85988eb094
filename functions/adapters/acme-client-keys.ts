/**
 * The key manager: keys from acme-client's createPrivate*Key (node:crypto's generateKeyPair, no
 * more), CSRs written by certstep (core/csr.ts). acme-client's own createCsr needs @peculiar/x509
 * and asn1js, ~250 KiB and ~45 ms of start-up in the Finalize Lambda for one structure; node:crypto
 * signs it as well.
 */
import { acme } from './acme-client-module.js';
import type { KeyAlgorithm } from '../core/certificate-spec.js';
import { createCsrPem } from '../core/csr.js';
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
    return createCsrPem(dnsNames, privateKeyPem);
  },
};
