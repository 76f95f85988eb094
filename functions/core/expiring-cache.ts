/**
 * A small cache that outlives one invocation: module scope in a Lambda container (one process
 * locally), so what a warm container learnt is not asked again. Every entry expires, the
 * least recently used entry goes first when it is full, and a failed lookup is never kept.
 * It holds promises, so callers asking at the same time share one lookup.
 */
/** Bumped by forgetEveryCache: an entry from an earlier generation reads as absent. */
let generation = 0;

/**
 * Makes every cache of the process read as empty, as in a new Lambda container. For the bench
 * and the tests that count what a cold container asks; nothing in a Lambda calls it.
 */
export function forgetEveryCache(): void {
  generation += 1;
}

export class ExpiringCache<K, V> {
  private readonly entries = new Map<K, { readonly value: Promise<V>; readonly expires: number; readonly generation: number }>();

  constructor(private readonly options: { readonly maxEntries: number; readonly ttlMs: number; readonly now?: () => number }) {}

  /** The cached value of `key`, or the result of `lookup`, kept for the cache's ttl once it succeeds. */
  get(key: K, lookup: () => Promise<V>): Promise<V> {
    const known = this.peek(key);
    if (known) return known;
    const value = lookup();
    this.set(key, value);
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }

  /** The live entry of `key`, refreshed as the most recently used; undefined when absent or expired. */
  peek(key: K): Promise<V> | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expires <= this.now() || entry.generation !== generation) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: Promise<V> | V): void {
    this.entries.delete(key);
    this.entries.set(key, { value: Promise.resolve(value), expires: this.now() + this.options.ttlMs, generation });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value as K;
      this.entries.delete(oldest);
    }
  }

  /** For an answer that says the cached value is stale (a 404, NoSuchHostedZone, accountDoesNotExist). */
  delete(key: K): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}
