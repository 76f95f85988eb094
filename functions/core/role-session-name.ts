/**
 * The STS session name certstep gives a zone account's role, per certificate: the zone account's
 * CloudTrail shows it in every Route 53 call made with the session, so it tells which certificate
 * changed a record, and a trust policy can require the `certstep-` prefix.
 *
 * STS allows 2-64 characters of [\w+=,.@-]. `certstep-<name>` is used as is when it fits; a
 * longer name (certificate names may have 63 characters) keeps a prefix and ends with a short
 * hash of the whole name, so two long names that share the prefix still get different sessions,
 * and the same name always gets the same one.
 */
import { createHash } from 'node:crypto';

export const ROLE_SESSION_PREFIX = 'certstep-';
const MAX_LENGTH = 64;
const HASH_LENGTH = 10;
const ALLOWED = /^[\w+=,.@-]+$/;

export function roleSessionName(certificateName: string): string {
  const plain = `${ROLE_SESSION_PREFIX}${certificateName}`;
  if (plain.length <= MAX_LENGTH && ALLOWED.test(certificateName)) return plain;
  const hash = createHash('sha256').update(certificateName).digest('hex').slice(0, HASH_LENGTH);
  const kept = certificateName.replace(/[^\w+=,.@-]/g, '-').slice(0, MAX_LENGTH - ROLE_SESSION_PREFIX.length - HASH_LENGTH - 1);
  return `${ROLE_SESSION_PREFIX}${kept}-${hash}`;
}
