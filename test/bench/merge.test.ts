/**
 * BENCH_MERGE re-measures one section at a time into a saved results file (bench/results.ts
 * mergeResults). Each section must keep the commit it was measured at, and docs/BENCHMARKS.md
 * must say so (bench/report/header.ts), so that no section passes for one measured at another.
 */
import { describe, expect, it } from 'vitest';
import { renderHeader } from '../../bench/report/header.js';
import { type BenchResults, type MachineFacts, mergeResults } from '../../bench/results.js';

function machine(commit: string, date: string): MachineFacts {
  return {
    date,
    cpu: 'cpu',
    cores: 2,
    memoryGb: 24,
    os: 'os',
    node: '20',
    pebble: '2.4',
    commit,
    dirtyTree: false,
    loadAverageBefore: [0, 0, 0],
    loadAverageAfter: [0, 0, 0],
    benchSeconds: 60,
  };
}

// Section contents are opaque to the merge: markers stand in for them.
const run = (commit: string, date: string, sections: Partial<Record<'cost' | 'coldStart' | 'throughput', string>>) =>
  ({ machine: machine(commit, date), settings: {}, ...sections }) as unknown as BenchResults;

describe('mergeResults', () => {
  it("replaces the sections measured, keeps the others and the saved run's machine facts, and records where each section comes from", () => {
    // Prepare
    const saved = run('aaaa', '2026-12-01T02:00:00Z', { cost: 'old cost', coldStart: 'old cold', throughput: 'old throughput' });

    // Act
    const once = mergeResults(saved, run('bbbb', '2026-12-01T08:00:00Z', { cost: 'new cost' }));
    const twice = mergeResults(once, run('cccc', '2026-12-01T10:00:00Z', { coldStart: 'new cold' }));

    // Assess
    expect(twice).toMatchObject({ cost: 'new cost', coldStart: 'new cold', throughput: 'old throughput', machine: { commit: 'aaaa' } });
    expect(twice.measuredAt).toEqual({
      throughput: { commit: 'aaaa', date: '2026-12-01T02:00:00Z' },
      cost: { commit: 'bbbb', date: '2026-12-01T08:00:00Z' },
      coldStart: { commit: 'cccc', date: '2026-12-01T10:00:00Z' },
    });
  });
});

describe('the header of docs/BENCHMARKS.md', () => {
  it('names each section measured again later with its commit, and no such row when all come from one run', () => {
    // Prepare
    const facts = machine('aaaa1111', '2026-12-01T02:00:00Z');

    // Act
    const merged = renderHeader(facts, 'npm run bench', {
      cost: { commit: 'aaaa1111', date: '2026-12-01T02:00:00Z' },
      coldStart: { commit: 'cccc2222', date: '2026-12-01T10:20:00Z' },
    }).join('\n');
    const single = renderHeader(facts, 'npm run bench', { cost: { commit: 'aaaa1111', date: '2026-12-01T02:00:00Z' } }).join('\n');

    // Assess
    expect(merged).toContain('| measured again later | 3. Cold start: `cccc2222`, 2026-12-01T10:20Z');
    expect(merged).not.toMatch(/measured again later \|[^\n]*Cost/);
    expect(merged).not.toContain('all of them come from one run');
    expect(single).not.toContain('measured again later');
    expect(single).toContain('all of them come from one run');
  });
});
