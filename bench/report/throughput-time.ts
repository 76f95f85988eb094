/** Section 1, continued: where an execution spends its time, by state and by CPU profile. */
import { median } from '../lib/stats.js';
import type { ConfigurationResult, ThroughputResult } from '../throughput.js';
import { SHORT, find } from './contenders.js';

export function renderTimeBreakdown(throughput: ThroughputResult, counts: readonly number[]): string[] {
  const lines: string[] = [];
  lines.push('### Where an execution spends its time', '');
  lines.push(
    'Median over the executions of one run (then over runs) of the time between StateEntered and StateExited, summed per state,',
    'for certstep as shipped. Under load every state gets slower because the process is CPU-bound, not because of waiting:',
    '',
  );
  const certstepRows = counts.map((count) => find(throughput, 'certstep', count)).filter((row): row is ConfigurationResult => row !== undefined);
  if (certstepRows.length > 0) {
    const states = new Set(certstepRows.flatMap((row) => row.runs.flatMap((run) => Object.keys(run.msByState ?? {}))));
    const stateMedian = (row: ConfigurationResult, state: string) => median(row.runs.map((run) => run.msByState?.[state] ?? 0));
    const ordered = [...states].filter((state) => certstepRows.some((row) => stateMedian(row, state) >= 1));
    lines.push(`| state | ${certstepRows.map((row) => `n = ${row.count}`).join(' | ')} |`);
    lines.push(`| --- | ${certstepRows.map(() => '---').join(' | ')} |`);
    for (const state of ordered) lines.push(`| ${state} | ${certstepRows.map((row) => `${stateMedian(row, state).toFixed(0)} ms`).join(' | ')} |`);
    lines.push(
      `| *states entered per execution* | ${certstepRows.map((row) => String(median(row.runs.map((run) => run.transitions ?? 0)))).join(' | ')} |`,
      `| *Wait seconds asked for* | ${certstepRows.map((row) => `${median(row.runs.map((run) => run.waitSecondsAsked ?? 0))} s`).join(' | ')} |`,
      `| *order polls (validation + issuance)* | ${certstepRows.map((row) => String(median(row.runs.map((run) => run.polls ?? 0)))).join(' | ')} |`,
      '',
    );
  }

  // CPU profile.
  if (throughput.profiles.length > 0) {
    const names = [...new Set(throughput.profiles.flatMap((profile) => profile.breakdown.categories.map((category) => category.name)))];
    lines.push(
      '### Where the CPU goes',
      '',
      `One extra run of ${throughput.profiles[0]?.count ?? ''} certificates per configuration under \`node --cpu-prof\` (not part of the tables above), sampled`,
      'time split by the innermost frame and the packages on the stack ([bench/lib/profile.ts](../bench/lib/profile.ts)). Includes module loading.',
      '',
      `| category | ${throughput.profiles.map((profile) => SHORT[profile.id] ?? profile.id).join(' | ')} |`,
      `| --- | ${throughput.profiles.map(() => '---').join(' | ')} |`,
      ...names.map(
        (name) =>
          `| ${name.replace(/ per StateMachine$/, ', once per StateMachine')} | ${throughput.profiles
            .map((profile) => {
              const ms = profile.breakdown.categories.find((category) => category.name === name)?.ms ?? 0;
              return `${ms.toFixed(0)} ms (${((ms / profile.breakdown.totalMs) * 100).toFixed(0)} %)`;
            })
            .join(' | ')} |`,
      ),
      `| *total sampled* | ${throughput.profiles.map((profile) => `${profile.breakdown.totalMs.toFixed(0)} ms`).join(' | ')} |`,
      '',
    );
  }
  return lines;
}
