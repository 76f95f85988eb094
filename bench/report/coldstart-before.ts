/**
 * Section 3's "before and after": the same cold-start measurement taken at an earlier commit
 * (BENCH_COLDSTART_BEFORE), so that a change that adds a library to the bundles shows its cost
 * next to what it replaced. Both runs are the bench's own, minutes apart on the same machine.
 */
import type { ColdStartResult } from '../coldstart.js';
import { median } from '../lib/stats.js';
import type { ColdStartBefore } from '../results.js';

export function renderColdStartBefore(before: ColdStartBefore | undefined, after: ColdStartResult, loadNow?: number): string[] {
  if (!before) return [];
  const lines = [
    `### Before and after: against commit \`${before.commit.slice(0, 7)}\``,
    '',
    `The same section measured at commit \`${before.commit.slice(0, 7)}\` (${before.date.slice(0, 16)}Z, raw numbers in the file BENCH_COLDSTART_BEFORE ` +
      `names) against this run.`,
    `Import: median with source maps on. Load average (1 min) when that run started: ${before.loadAverage ?? 'not recorded'}; when this one started: ${loadNow ?? 'not recorded'}:`,
    'import times move with the load, sizes do not.',
    '',
    '| function | minified before | after | change | import before | after | change |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const bundle of after.bundles) {
    const earlier = before.coldStart.bundles.find((candidate) => candidate.functionName === bundle.functionName);
    if (!earlier || earlier.error || bundle.error) continue;
    const [kibBefore, kibAfter] = [earlier.bytes / 1024, bundle.bytes / 1024];
    const [msBefore, msAfter] = [median(earlier.importMs), median(bundle.importMs)];
    lines.push(
      `| ${bundle.functionName} | ${kibBefore.toFixed(0)} KiB | ${kibAfter.toFixed(0)} KiB | ${signed(kibAfter - kibBefore)} KiB | ` +
        `${msBefore.toFixed(0)} ms | ${msAfter.toFixed(0)} ms | ${signed(msAfter - msBefore)} ms |`,
    );
  }
  lines.push('');
  return lines;
}

function signed(value: number): string {
  const rounded = Math.round(value);
  return rounded > 0 ? `+${rounded}` : `${rounded}`;
}
