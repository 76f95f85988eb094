/** Section 5: how fast the lifetime simulator runs, and what its default run saw. */
import type { BenchResults } from '../results.js';

export function renderSimulation(simulation: BenchResults['simulation']): string {
  if (!simulation) return '## 5. Lifetime simulator\n\nNot measured in this run (BENCH_SECTIONS).\n';
  const violations = Object.values(simulation.invariants).reduce((sum, count) => sum + count, 0);
  const top = (counts: Record<string, number>, n: number) =>
    Object.entries(counts)
      .sort(([, a], [, b]) => b - a)
      .slice(0, n)
      .map(([kind, count]) => `${kind} ${count.toLocaleString('en-US')}`)
      .join(', ');
  return [
    '## 5. Lifetime simulator',
    '',
    `\`npm run simulate -- --seed ${simulation.seed} --certificates ${simulation.certificates} --days ${simulation.days}\` (the default; ` +
      `docs/RELIABILITY.md says what it models`,
    'and checks), run in-process by this bench: the real state machine and phases over a simulated CA and AWS account on a',
    'simulated clock, faults at every port call.',
    '',
    '| | |',
    '| --- | --- |',
    `| simulated certificate-days per second | **${simulation.certificateDaysPerSecond.toLocaleString('en-US')}** |`,
    `| wall time | ${simulation.elapsedSeconds} s |`,
    `| executions, orders, issuances | ${simulation.executions.toLocaleString('en-US')}, ${simulation.orders.toLocaleString('en-US')}, ` +
      `${simulation.issuances.toLocaleString('en-US')} |`,
    `| how executions ended (most frequent) | ${top(simulation.outcomes, 6)} |`,
    `| faults injected (most frequent) | ${top(simulation.faults, 6)} |`,
    `| invariant violations | ${violations} |`,
    '',
  ].join('\n');
}
