/**
 * A bounded fan-out. An order may hold up to 100 authorizations, and firing one request per
 * authorization at once looks like a burst to the CA (Let's Encrypt limits requests per IP and
 * per endpoint; lego paces itself to 18 requests a second): a few at a time costs little wall
 * time and stays polite.
 */

/** ACME requests one run keeps in flight at most. */
export const ACME_REQUESTS_IN_FLIGHT = 4;

/** Like Promise.all over `items.map(fn)`, with at most `limit` calls pending; results keep the input order. */
export async function mapWithLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  // Each worker takes the next index synchronously, so no item is taken twice; the first
  // rejection rejects the whole, as Promise.all would, and the other workers stop taking work.
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
