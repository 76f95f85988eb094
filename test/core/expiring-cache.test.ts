/** The bounded, expiring cache behind issue 18's per-container caches. */
import { describe, expect, it } from 'vitest';
import { ExpiringCache, forgetEveryCache } from '../../functions/core/expiring-cache.js';

function clocked(maxEntries: number, ttlMs: number) {
  let now = 0;
  const cache = new ExpiringCache<string, string>({ maxEntries, ttlMs, now: () => now });
  let lookups = 0;
  const lookup = (value: string) => async () => {
    lookups++;
    return value;
  };
  return { cache, lookup, lookups: () => lookups, advance: (ms: number) => (now += ms) };
}

describe('ExpiringCache', () => {
  it('reads as empty after forgetEveryCache, as in a new container, and fills again', async () => {
    const { cache, lookup, lookups } = clocked(4, 1000);
    const other = clocked(4, 1000);
    await cache.get('a', lookup('one'));
    await other.cache.get('a', other.lookup('one'));

    forgetEveryCache();

    expect(await cache.get('a', lookup('two'))).toBe('two');
    expect(await cache.get('a', lookup('three'))).toBe('two');
    expect(await other.cache.get('a', other.lookup('two'))).toBe('two');
    expect(lookups() + other.lookups()).toBe(4);
  });

  it('answers from the cache until the entry expires, then looks up again', async () => {
    const { cache, lookup, lookups, advance } = clocked(4, 1000);

    expect(await cache.get('a', lookup('one'))).toBe('one');
    advance(999);
    expect(await cache.get('a', lookup('two'))).toBe('one');
    advance(1);
    expect(await cache.get('a', lookup('three'))).toBe('three');
    expect(lookups()).toBe(2);
  });

  it('drops the least recently used entry when full', async () => {
    const { cache, lookup, lookups } = clocked(2, 1000);
    await cache.get('a', lookup('a'));
    await cache.get('b', lookup('b'));
    await cache.get('a', lookup('a again'));

    await cache.get('c', lookup('c'));

    expect(cache.size).toBe(2);
    expect(await cache.get('a', lookup('a looked up'))).toBe('a');
    expect(await cache.get('b', lookup('b looked up'))).toBe('b looked up');
    expect(lookups()).toBe(4);
  });

  it('shares one lookup between callers asking at once, and keeps no failure', async () => {
    const { cache } = clocked(4, 1000);
    let calls = 0;
    const failing = async () => {
      calls++;
      throw new Error('CA down');
    };

    const both = await Promise.allSettled([cache.get('a', failing), cache.get('a', failing)]);
    const after = await cache.get('a', async () => 'up again');

    expect(both.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toBe(1);
    expect(after).toBe('up again');
  });

  it('forgets an entry deleted as stale', async () => {
    const { cache, lookup } = clocked(4, 1000);
    await cache.get('zone', lookup('old'));

    cache.delete('zone');

    expect(await cache.get('zone', lookup('new'))).toBe('new');
  });
});
