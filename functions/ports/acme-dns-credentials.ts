/**
 * Where acme-dns registrations are kept between runs: locally in the store directory, on AWS
 * in one Secrets Manager secret per (server, domain). A registration is what acme-dns answers
 * to `POST /register`; its username and password let anyone change the domain's challenge
 * record, so they are handled like keys: never logged, never in Step Functions state.
 */
import { createHash } from 'node:crypto';

export interface AcmeDnsRegistration {
  readonly username: string;
  readonly password: string;
  /** The name the user's `_acme-challenge` CNAME must point at, e.g. `<uuid>.auth.example.org`. */
  readonly fulldomain: string;
  readonly subdomain: string;
  readonly allowfrom?: readonly string[];
}

export interface AcmeDnsCredentials {
  /** The registration for this domain (no `*.`) at this acme-dns server, if one was made. */
  get(host: string, domain: string): Promise<AcmeDnsRegistration | undefined>;
  /**
   * Keeps the registration unless another writer stored one for the same server and domain
   * first; returns the one that is stored, so that racing runs all use the same CNAME target.
   */
  putIfAbsent(host: string, domain: string, registration: AcmeDnsRegistration): Promise<AcmeDnsRegistration>;
}

/**
 * The storage name of a (server, domain) pair, `<server host>/<domain>`: readable, and made
 * only of characters both file names and Secrets Manager secret names accept. A server behind
 * a path gets a short hash of it, so two servers on one host keep apart.
 */
export function acmeDnsCredentialName(host: string, domain: string): string {
  const url = new URL(host);
  const path = url.pathname.replace(/\/+$/, '');
  const server = `${url.hostname.replace(/[^A-Za-z0-9.-]/g, '_')}${url.port ? `_${url.port}` : ''}${path ? `-${createHash('sha256').update(path).digest('hex').slice(0, 8)}` : ''}`;
  return `${server}/${domain.toLowerCase().replace(/^\*\./, '')}`;
}

export function isAcmeDnsRegistration(value: unknown): value is AcmeDnsRegistration {
  const registration = value as Partial<Record<keyof AcmeDnsRegistration, unknown>> | undefined;
  return (
    typeof registration?.username === 'string' &&
    typeof registration.password === 'string' &&
    typeof registration.fulldomain === 'string' &&
    typeof registration.subdomain === 'string'
  );
}
