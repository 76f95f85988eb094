/**
 * What an ACME order and its key are made for: the names, the issuer, the key algorithm and
 * the profile. Two specs with the same hash can share an order (a later run resumes it); any
 * other change (renewBefore, dns01, acm) does not need a new order.
 */
import { createHash } from 'node:crypto';
import type { CertificateSpec } from './certificate-spec.js';

export function specHash(spec: Pick<CertificateSpec, 'dnsNames' | 'issuer' | 'keyAlgorithm' | 'profile'>): string {
  const canonical = JSON.stringify([[...spec.dnsNames].sort(), spec.issuer, spec.keyAlgorithm, spec.profile ?? '']);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}
