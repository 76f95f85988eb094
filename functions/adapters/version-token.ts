/** Secrets Manager version tokens, shared by the store and the certificate secrets it makes. */
import { createHash } from 'node:crypto';

/**
 * A UUID-shaped ClientRequestToken (Secrets Manager wants 32–64 characters) from SHA-256 of the
 * seed, so every retry of the same step sends the same token and Secrets Manager deduplicates it.
 */
export function versionToken(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
