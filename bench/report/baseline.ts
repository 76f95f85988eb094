/** "Before and after the fixes": this run against an earlier one (BENCH_BASELINE). */
import { median, megabytes, seconds } from '../lib/stats.js';
import type { BenchResults } from '../results.js';
import type { ConfigurationResult } from '../throughput.js';
import { SHORT, find, wall } from './contenders.js';

/** The same configurations in an earlier run (before the fixes) against this one. */
export function renderBaseline(results: BenchResults): string {
  const baseline = results.baseline;
  const now = results.throughput;
  if (!baseline?.throughput || !now) return '';
  const lines = [
    '### Before and after the fixes',
    '',
    `The same bench at commit \`${baseline.machine.commit.slice(0, 7)}\` (${baseline.machine.date.slice(0, 16)}Z, before commit 2e36623) against this ` +
      `run; raw numbers in`,
    '`bench/results/baseline-c0c92d0.json`. Wall median / CPU / peak RSS (the floor did not change and shows the difference in machine load):',
    '',
    '| configuration | n | before | after |',
    '| --- | --- | --- | --- |',
  ];
  const cell = (row: ConfigurationResult) =>
    `${seconds(wall(row))} / ${seconds(median(row.runs.map((run) => run.cpuMs)))} / ${megabytes(median(row.runs.map((run) => run.maxRssKb)))}`;
  for (const id of ['certstep', 'certstep-extra-ca', 'floor-same']) {
    for (const count of now.sizes) {
      const before = find(baseline.throughput, id, count);
      const after = find(now, id, count);
      if (before && after) lines.push(`| ${SHORT[id] ?? id} | ${count} | ${cell(before)} | ${cell(after)} |`);
    }
  }
  lines.push('');
  return lines.join('\n');
}
