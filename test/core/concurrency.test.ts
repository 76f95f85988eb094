/** The bounded fan-out the phases use for ACME requests. */
import { describe, expect, it } from 'vitest';
import { mapWithLimit } from '../../functions/core/concurrency.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('mapWithLimit', () => {
  it('keeps at most `limit` calls pending, uses all of them, and returns results in input order', async () => {
    // Prepare
    let inFlight = 0;
    let most = 0;
    const items = Array.from({ length: 11 }, (_, index) => index);

    // Act: later items finish first, so results come back out of order.
    const results = await mapWithLimit(items, 3, async (item) => {
      most = Math.max(most, ++inFlight);
      await tick(12 - item);
      inFlight--;
      return item * 10;
    });

    // Assess
    expect(most).toBe(3);
    expect(results).toEqual(items.map((item) => item * 10));
  });

  it('rejects with the first failure and starts nothing after it', async () => {
    // Prepare
    const started: number[] = [];

    // Act
    const outcome = mapWithLimit([0, 1, 2, 3, 4, 5], 2, async (item) => {
      started.push(item);
      await tick(1);
      if (item === 1) throw new Error('item 1 failed');
      return item;
    });

    // Assess
    await expect(outcome).rejects.toThrow('item 1 failed');
    await tick(20);
    expect(started.length).toBeLessThan(6);
  });

  it('returns an empty array for no items', async () => {
    expect(await mapWithLimit([], 4, async () => 1)).toEqual([]);
  });
});
