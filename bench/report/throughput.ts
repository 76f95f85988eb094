/** Section 1: issuance throughput of certstep, the bare acme-client floor and the peer clients. */
import { max, median, megabytes, min, ratio, seconds, sum } from '../lib/stats.js';
import { barChart } from '../lib/svg.js';
import type { ConfigurationResult, ThroughputResult } from '../throughput.js';
import { COLORS, find, shortName, wall } from './contenders.js';
import { renderPeers } from './peers.js';
import { renderPolling } from './polling.js';
import type { Target } from './targets.js';
import { throughputTargets } from './throughput-targets.js';
import { renderTimeBreakdown } from './throughput-time.js';

export function renderThroughput(throughput: ThroughputResult, targets: Target[], command: string): { markdown: string; chart: string } {
  const lines: string[] = [
    '## 1. Issuance throughput',
    '',
    `Produced by \`${command}\` (\`BENCH_SECTIONS=throughput\` runs this section alone). Each certificate is apex + wildcard`,
    '(`<run>-b<i>.example.test` and `*.<run>-b<i>.example.test`, distinct in every run so Pebble can reuse no authorization),',
    'DNS-01 through pebble-challtestsrv, all contenders against the same Pebble in the same run.',
    '',
    '- **certstep**: `runLocal` (cli/local/runner.ts), i.e. the real `statemachine/renewal.asl.json` in aws-local-stepfunctions with',
    '  the real phase code and local adapters; N executions started at once in one process, sharing one `LocalEnvironment` and one',
    "  store directory (so the ACME account registered by an untimed warm-up is reused, as on AWS). Polling is certstep's own",
    '  `LOCAL_POLLING`: first look after 0 s, then every 1 s. Two trust set-ups of the *same code*: as `certstep local` and the tests',
    "  configure it (Pebble's CA as the issuer's `caBundlePem`), and with the CA added to Node's store by `NODE_EXTRA_CA_CERTS` and no",
    "  `caBundlePem`, which is the code path a publicly trusted CA (Let's Encrypt on AWS) takes.",
    '- **floor**: [bench/floor.ts](../bench/floor.ts), a bare acme-client script doing the same ACME calls in one process with the account',
    '  reused: createOrder, getAuthorizations, set TXT via challtestsrv, completeChallenge, poll the order, finalize with a fresh P-256 key,',
    '  poll, getCertificate, clear TXT. Two flavours: **same polling** as certstep (0 s, then 1 s: the fair floor) and **tight polling**',
    '  (0 s, then 50 ms).',
    '- **what-if row** (italic) is not certstep as shipped and counts for no target: the same code with 0 s Wait states between polls',
    "  (runLocal's `polling` option), to show what polling costs. **warm process** rows issue one untimed certificate first in the same",
    '  process, to separate first-use costs (JIT, lazy initialisation, first TLS connections) from the per-certificate cost.',
    "- **peers**: Debian's clients run as their documentation suggests: one process per certificate, one after the other, defaults",
    '  except what is needed to reach Pebble and use the hook scripts in [bench/peers/hooks/](../bench/peers/hooks/). Each process runs under',
    '  `/usr/bin/time`, so their CPU and peak memory include the hooks and `curl`.',
    '',
    'Columns: **wall** = median of the runs (min–max); for in-process contenders the timed region is the issuance itself, **process** is',
    'the whole worker process including Node start-up, tsx and module loading (peers: always whole processes). **CPU** = user + system',
    "of the contender's process(es); **CA CPU** = what Pebble + challtestsrv burnt meanwhile; **peak RSS** = maxRSS of the process (peers:",
    'the largest of the processes). **× floor** compares wall medians with the same-polling and the tight-polling floor.',
    '',
    '![Issuance wall time](benchmarks/throughput.svg)',
    '',
    ...((throughput.pebbleRestarts?.length ?? 0) > 0
      ? [
          `**Pebble had to be restarted ${throughput.pebbleRestarts?.length} time(s) during this run** (it stopped answering signed requests; each line says where its goroutines waited then, from the dump Go prints on SIGQUIT; each time the`,
          'measurement was repeated on a fresh Pebble after fresh account registrations, and the failed attempt is counted as crashed):',
          ...(throughput.pebbleRestarts ?? []).map((why) => `- ${why.replace(/\|/g, '/')}`),
          '',
        ]
      : []),
  ];
  const counts = [...new Set(throughput.configurations.map((configuration) => configuration.count))].sort((a, b) => a - b);
  for (const count of counts) {
    const rows = throughput.configurations.filter((configuration) => configuration.count === count && configuration.runs.length > 0);
    if (rows.length === 0) continue;
    const floorSame = wall(find(throughput, 'floor-same', count));
    const floorTight = wall(find(throughput, 'floor-tight', count));
    lines.push(`### ${count} certificate${count === 1 ? '' : 's'}`, '');
    lines.push('| contender | runs | wall | per certificate | process | CPU | peak RSS | CA CPU | × floor (same) | × floor (tight) | failed |');
    lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const row of rows) {
      const walls = row.runs.map((run) => run.wallMs);
      const name = row.group === 'what-if' ? `*${shortName(row)}*` : row.group === 'peer' ? row.label : shortName(row);
      lines.push(
        `| ${name} | ${row.runs.length}${row.crashed ? ` (+${row.crashed.length} crashed)` : ''} | ${seconds(median(walls))} (${seconds(min(walls))}–${seconds(max(walls))}) | ${seconds(median(walls) / count)} | ` +
          `${seconds(median(row.runs.map((run) => run.processWallMs)))} | ${seconds(median(row.runs.map((run) => run.cpuMs)))} | ${megabytes(median(row.runs.map((run) => run.maxRssKb)))} | ` +
          `${seconds(median(row.runs.map((run) => run.serverCpuMs)))} | ${ratio(median(walls), floorSame)} | ${ratio(median(walls), floorTight)} | ` +
          `${sum(row.runs.map((run) => run.failures))} |`,
      );
    }
    const notRun = throughput.configurations.filter((configuration) => configuration.count === count && configuration.runs.length === 0 && configuration.note);
    const notes = rows.filter((row) => row.note && row.group === 'peer').map((row) => `${shortName(row)}: ${row.note}`);
    if (notRun.length + notes.length > 0) lines.push('', ...[...notRun.map((row) => `${shortName(row)}: ${row.note}`), ...notes].map((note) => `- ${note}`));
    const crashed = throughput.configurations.filter((configuration) => configuration.count === count && (configuration.crashed?.length ?? 0) > 0);
    if (crashed.length > 0)
      lines.push(
        '',
        ...crashed.map(
          (row) =>
            `- **${shortName(row)}: ${row.crashed?.length} run(s) crashed or hung and are left out of the timings**: \`${(row.crashed?.[0] ?? '').replace(/\|/g, '/').slice(0, 200)}\``,
        ),
      );
    const failures = rows.flatMap((row) => row.runs.filter((run) => run.firstError).map((run) => `${shortName(row)}: ${run.firstError}`));
    if (failures.length > 0)
      lines.push(
        '',
        `Failures: ${failures
          .slice(0, 4)
          .map((failure) => `\`${failure.replace(/\|/g, '/').slice(0, 200)}\``)
          .join('; ')}`,
      );
    lines.push('');
  }
  lines.push(...renderTimeBreakdown(throughput, counts), ...renderPolling(throughput, counts), ...renderPeers(throughput));
  targets.push(...throughputTargets(throughput));

  // Chart: wall time per size, log scale.
  const order = [
    'certstep',
    'certstep-extra-ca',
    'certstep-warm',
    'whatif-no-wait',
    'floor-same',
    'floor-tight',
    'floor-warm',
    'peer-uacme',
    'peer-certbot',
    'peer-lego',
    'peer-dehydrated',
  ];
  const chart = barChart({
    title: 'Wall time to issue N apex + wildcard certificates (log scale)',
    subtitle: 'median of the runs; in-process contenders: issuance only; peers: one process per certificate, sequential',
    axisLabel: 'seconds',
    log: true,
    tickFormat: (value) => (value >= 1 ? `${value}` : value.toPrecision(1)),
    groups: counts.map((count) => ({
      title: `${count} certificate${count === 1 ? '' : 's'}`,
      bars: order
        .map((id) => find(throughput, id, count))
        .filter((row): row is ConfigurationResult => row !== undefined)
        .map((row) => ({ label: shortName(row), value: wall(row) / 1000, text: seconds(wall(row)), color: COLORS[row.id] ?? '#7f7f7f' })),
    })),
  });
  return { markdown: lines.join('\n'), chart };
}
