/**
 * One lookup per key while it succeeds: callers asking at the same time share the one promise,
 * and a failed lookup is forgotten so that the next caller asks again instead of inheriting
 * the failure. Used for the per-invocation caches of zones, name servers and issuers.
 */
export function remembered<T>(cache: Map<string, Promise<T>>, key: string, lookup: () => Promise<T>): Promise<T> {
  const known = cache.get(key);
  if (known) return known;
  const promise = lookup();
  cache.set(key, promise);
  promise.catch(() => {
    if (cache.get(key) === promise) cache.delete(key);
  });
  return promise;
}
