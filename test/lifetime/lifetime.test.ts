/**
 * A short, seeded run of the lifetime simulator inside `npm test` (the full two years for 200
 * certificates is `npm run simulate`): every invariant holds under faults, the same seed gives
 * the same lifetime, and the report keeps the contract the command line prints.
 */
import { describe, expect, it } from 'vitest';
import { INVARIANTS, simulate } from './simulator.js';

describe('the lifetime simulator, short and seeded', () => {
  it('keeps every invariant through 90 days of faults for 12 certificates, and replays the same from the same seed', async () => {
    // Act
    const first = await simulate({ seed: 7, certificates: 12, days: 90 });
    const again = await simulate({ seed: 7, certificates: 12, days: 90 });

    // Assess
    expect(first.violations).toEqual([]);
    expect(Object.keys(first.invariants).sort()).toEqual([...INVARIANTS].sort());
    for (const name of INVARIANTS) expect(first.invariants[name], name).toBe(0);
    expect(first.issuances).toBeGreaterThanOrEqual(12);
    expect(first.orders).toBeGreaterThanOrEqual(first.issuances);
    expect(Object.values(first.faults).reduce((sum, count) => sum + count, 0)).toBeGreaterThan(50);
    const { elapsedSeconds: _a, certificateDaysPerSecond: _b, ...replay } = again;
    const { elapsedSeconds: _c, certificateDaysPerSecond: _d, ...original } = first;
    expect(replay).toEqual(original);
  }, 120_000);
});
