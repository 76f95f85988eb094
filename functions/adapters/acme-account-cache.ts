/**
 * The ACME account an issuer signs with, kept per container (one process locally) beside the
 * store it was read from, so the phases of a warm container read the account secret once
 * instead of once per invocation. A cache per store instance: two stores (two stacks' secrets,
 * two local store directories) never see each other's accounts.
 *
 * Only settled accounts are kept: a record with a key change pending is read from the store
 * every time until the change is settled. The gateway drops an entry as soon as the CA says the
 * account or its key is not what it knows (accountDoesNotExist, unauthorized, a 404 on the
 * account URL), and reads the store again; the expiry bounds how long a key rolled over by
 * another process (`certstep acme-admin rollover`) can be tried before that happens.
 */
import { ExpiringCache } from '../core/expiring-cache.js';
import type { AcmeAccount, CertificateStore } from '../ports/certificate-store.js';

const HOUR_MS = 60 * 60_000;
const caches = new WeakMap<CertificateStore, ExpiringCache<string, AcmeAccount>>();

function cacheOf(store: CertificateStore): ExpiringCache<string, AcmeAccount> {
  let cache = caches.get(store);
  if (!cache) {
    // A few issuers, each with its live and maybe a staging directory.
    cache = new ExpiringCache({ maxEntries: 32, ttlMs: HOUR_MS });
    caches.set(store, cache);
  }
  return cache;
}

const keyOf = (issuer: string, directoryUrl: string) => JSON.stringify([issuer, directoryUrl]);

export class CachedAccounts {
  constructor(private readonly store: CertificateStore) {}

  /** The stored account of this issuer at this directory; the store is asked only when the cache has no settled one. */
  async get(issuer: string, directoryUrl: string): Promise<{ account?: AcmeAccount; cached: boolean }> {
    const cache = cacheOf(this.store);
    const known = cache.peek(keyOf(issuer, directoryUrl));
    const cachedAccount = known && (await known);
    if (cachedAccount) return { account: cachedAccount, cached: true };
    const account = await this.store.getAccount(issuer, directoryUrl);
    if (account && !account.nextAccountKeyPem) cache.set(keyOf(issuer, directoryUrl), account);
    return { ...(account && { account }), cached: false };
  }

  /** What the gateway now signs with, as the store kept it (settled accounts only). */
  remember(issuer: string, account: AcmeAccount): void {
    if (account.nextAccountKeyPem) this.forget(issuer, account.directoryUrl);
    else cacheOf(this.store).set(keyOf(issuer, account.directoryUrl), account);
  }

  forget(issuer: string, directoryUrl: string): void {
    cacheOf(this.store).delete(keyOf(issuer, directoryUrl));
  }
}
