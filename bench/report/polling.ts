/** Section 1, continued: how much of certstep's time is waiting between polls. */
import { seconds, sum } from '../lib/stats.js';
import type { ThroughputResult } from '../throughput.js';
import { find, wall } from './contenders.js';

export function renderPolling(throughput: ThroughputResult, counts: readonly number[]): string[] {
  const lines: string[] = [];
  const waitedShare = (id: string, count: number) => {
    const row = find(throughput, id, count);
    if (!row) return undefined;
    const waited = sum(row.runs.map((run) => run.executionsThatWaited ?? 0));
    return { waited, total: row.runs.length * count };
  };
  const waitFacts = counts
    .map((count) => ({ count, share: waitedShare('certstep', count) }))
    .filter((entry) => entry.share !== undefined)
    .map(({ count, share }) => `n = ${count}: ${share?.waited} of ${share?.total} executions waited at all`);
  const noWait = (id: string, count: number) => wall(find(throughput, id, count));
  const noWaitEffect = counts
    .filter((count) => find(throughput, 'whatif-no-wait', count) && find(throughput, 'certstep', count))
    .map((count) => `n = ${count}: ${seconds(noWait('certstep', count))} with certstep's waits, ${seconds(noWait('whatif-no-wait', count))} with 0 s waits`);
  const floorEffect = counts
    .filter((count) => find(throughput, 'floor-same', count) && find(throughput, 'floor-tight', count))
    .map((count) => `n = ${count}: ${seconds(wall(find(throughput, 'floor-same', count)))} vs ${seconds(wall(find(throughput, 'floor-tight', count)))}`);
  lines.push(
    '### Polling',
    '',
    "certstep's local waits are `LOCAL_POLLING` (0 s first wait, then 1 s); they were not changed for the bench. With",
    '`PEBBLE_VA_NOSLEEP=1` Pebble has usually validated (and issued) by the time of the immediate first look, so few executions wait:',
    `${waitFacts.join('; ')} (certstep as shipped). An execution that does find the order pending waits a whole second${
      counts.some((count) => (waitedShare('certstep', count)?.waited ?? 0) > 0)
        ? ', which is what the occasional slow run in the tables is'
        : '; none did in this run'
    }.`,
    `Same-polling against tight-polling floor (wall medians): ${floorEffect.join('; ')}.`,
    `certstep with 0 s Wait states (what-if, one run each) against certstep as shipped: ${noWaitEffect.join('; ') || 'not measured'}.`,
    '**So no sub-second poll is needed to reach any of the targets: at 20 and 100 certificates the time goes into CPU, not waiting**',
    '(see [What limits the numbers](#what-limits-the-numbers)). A sub-second poll would only shave the occasional 1 s off a single',
    'certificate; on AWS a Wait state cannot be shorter than 1 s anyway (whole seconds only).',
    '',
  );
  return lines;
}
