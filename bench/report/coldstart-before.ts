/**
 * Section 3's "before and after": the same cold-start measurement taken at an earlier commit
 * (BENCH_COLDSTART_BEFORE), so that a change that adds a library to the bundles shows its cost
 * next to what it replaced. Both runs are the bench's own, minutes apart on the same machine.
 */
import type { ColdStartResult } from '../coldstart.js';
import { pairedRatio } from '../coldstart-paired.js';
import { max, median, min } from '../lib/stats.js';
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

/** BENCH_COLDSTART_PAIRED: each function against the same function at another commit, imported in the same rounds. */
export function renderColdStartPaired(after: ColdStartResult): string[] {
  const paired = after.paired;
  if (!paired) return [];
  const short = paired.commit.slice(0, 7);
  const rounds = median(after.bundles.map((bundle) => bundle.importMs.length));
  const lines = [
    `### Paired with commit \`${short}\``,
    '',
    `Each function also bundled as \`${short}\` bundled it (its scripts/lambda-bundle.mjs, stubs and sources) and imported in the same`,
    `${rounds} rounds as this tree's bundle, source maps on, the two seconds apart and each first in every other round.`,
    "**paired ratio**: the median over rounds of this import divided by the baseline's in the same round; below 1.00 is faster now.",
    'Unlike the table above, it carries no drift between runs.',
    ...(paired.lockfileDiffers ? ["The baseline's package-lock.json differs from this tree's: it was bundled with this tree's dependencies."] : []),
    '',
    `| function | KiB read at a cold start, ${short} | now | import, ${short} | now | paired ratio |`,
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  const ratios: number[] = [];
  for (const bundle of after.bundles) {
    const base = paired.bundles.find((candidate) => candidate.functionName === bundle.functionName);
    if (!base || bundle.error) continue;
    if (base.error) {
      lines.push(`| ${bundle.functionName} | n/a (${base.error}) | ${(bundle.bytes / 1024).toFixed(0)} | | ${median(bundle.importMs).toFixed(0)} ms | |`);
      continue;
    }
    const ratio = pairedRatio(bundle.importMs, base.importMs);
    if (Number.isFinite(ratio)) ratios.push(ratio);
    lines.push(
      `| ${bundle.functionName} | ${(base.bytes / 1024).toFixed(0)} | ${(bundle.bytes / 1024).toFixed(0)} | ${median(base.importMs).toFixed(0)} ms | ` +
        `${median(bundle.importMs).toFixed(0)} ms | ${ratio.toFixed(2)} |`,
    );
  }
  if (ratios.length > 0)
    lines.push('', `Median of the ${ratios.length} paired ratios: ${median(ratios).toFixed(2)} (${min(ratios).toFixed(2)} to ${max(ratios).toFixed(2)}).`);
  lines.push('');
  return lines;
}

function signed(value: number): string {
  const rounded = Math.round(value);
  return rounded > 0 ? `+${rounded}` : `${rounded}`;
}
