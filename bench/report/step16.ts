/**
 * "Before and after step 16": issue 18's axes in this run against the run before its changes
 * (BENCH_BEFORE). The calls per renewal and each bundle have their own before/after tables in
 * sections 2 and 3; this one gathers the throughput and the headline figures.
 */
import { median, seconds } from '../lib/stats.js';
import type { BenchResults } from '../results.js';
import { countsOf } from './calls.js';
import { find, wall } from './contenders.js';
import { coldRenewalRun, renewalRun } from './renewal-figures.js';

export function renderStep16(results: BenchResults): string {
  const before = results.before;
  if (!before) return '';
  const lines = [
    '### Before and after step 16 (issue 18)',
    '',
    `This run against the bench at commit \`${before.machine.commit.slice(0, 7)}\` (${before.machine.date.slice(0, 16)}Z, load ` +
      `${before.machine.loadAverageBefore[0] ?? '?'} when it started; raw numbers in the file BENCH_BEFORE names), before the module-scope caches,`,
    'the nonce reuse, the plain ARI request and the smaller bundles. The floor did not change between the two and shows the difference',
    'in machine load.',
    '',
    '| figure | before | after |',
    '| --- | ---: | ---: |',
  ];
  const t0 = before.throughput;
  const t1 = results.throughput;
  if (t0 && t1) {
    for (const count of t1.sizes) {
      const [c0, f0, c1, f1] = [find(t0, 'certstep', count), find(t0, 'floor-same', count), find(t1, 'certstep', count), find(t1, 'floor-same', count)];
      if (!c0 || !c1 || !f0 || !f1) continue;
      lines.push(
        `| ${count} certificate${count === 1 ? '' : 's'}: certstep wall / floor wall | ${seconds(wall(c0))} / ${seconds(wall(f0))} = ${(wall(c0) / wall(f0)).toFixed(2)}× | ` +
          `${seconds(wall(c1))} / ${seconds(wall(f1))} = ${(wall(c1) / wall(f1)).toFixed(2)}× |`,
      );
    }
  }
  const [cost0, cost1] = [before.cost, results.cost];
  if (cost0 && cost1) {
    const [r0, warm, cold] = [countsOf(renewalRun(cost0)), countsOf(renewalRun(cost1)), countsOf(coldRenewalRun(cost1))];
    if (r0 && warm) {
      const pair = (key: 'acme' | 'route53' | 'secretsManager') => `${warm[key]} warm${cold ? `, ${cold[key]} cold` : ''}`;
      lines.push(
        `| ACME requests per renewal | ${r0.acme} | ${pair('acme')} |`,
        `| Route 53 calls per renewal | ${r0.route53} | ${pair('route53')} |`,
        `| Secrets Manager calls per renewal | ${r0.secretsManager} | ${pair('secretsManager')} |`,
      );
    }
  }
  const [b0, b1] = [before.coldStart?.bundles.filter((bundle) => !bundle.error), results.coldStart?.bundles.filter((bundle) => !bundle.error)];
  if (b0?.length && b1?.length) {
    const largest = (bundles: typeof b0) => Math.max(...bundles.map((bundle) => bundle.bytes)) / 1024;
    const slowest = (bundles: typeof b0) => Math.max(...bundles.map((bundle) => median(bundle.importMs)));
    const typical = (bundles: typeof b0) => median(bundles.map((bundle) => median(bundle.importMs)));
    lines.push(
      `| largest bundle | ${largest(b0).toFixed(0)} KiB | ${largest(b1).toFixed(0)} KiB |`,
      `| import time: median of the functions / slowest | ${typical(b0).toFixed(0)} ms / ${slowest(b0).toFixed(0)} ms | ${typical(b1).toFixed(0)} ms / ${slowest(b1).toFixed(0)} ms |`,
    );
  }
  lines.push('');
  return lines.join('\n');
}
