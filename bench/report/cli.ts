/** Section 6: the CLI as a whole process, next to a bare acme-client script, with peak memory. */
import type { CliResult } from '../cli.js';
import { megabytes, median, seconds } from '../lib/stats.js';
import type { Target } from './targets.js';

const TARGET = 1.75;
const GOAL = 1.5;

export function renderCli(cli: CliResult | undefined, targets: Target[]): string {
  if (!cli) {
    targets.push({
      name: `whole-process \`certstep local run\` within ${TARGET}× of a bare acme-client script (goal ${GOAL}×)`,
      measured: 'n/a',
      met: undefined,
    });
    return '## 6. The command line, whole process\n\nNot measured in this run (BENCH_SECTIONS).\n';
  }
  const wall = median(cli.pairedWallRatios);
  const cpu = median(cli.pairedCpuRatios);
  targets.push({
    name: `whole-process \`certstep local run\` within ${TARGET}× of a bare acme-client script (goal ${GOAL}×)`,
    measured: `${wall.toFixed(2)}× wall, ${cpu.toFixed(2)}× CPU (median of ${cli.runs} pairs)`,
    met: wall <= TARGET,
    ...(wall <= TARGET && wall > GOAL && { note: `the ${GOAL}× goal is not reached` }),
  });
  const bare = cli.contenders.find((contender) => contender.id === 'bare');
  const row = (contender: CliResult['contenders'][number]) => {
    const wallMs = median(contender.runs.map((run) => run.wallMs));
    const cpuMs = median(contender.runs.map((run) => run.cpuMs));
    const rss = median(contender.runs.map((run) => run.maxRssKb));
    const base = bare && contender.id !== 'bare' ? ` (${(wallMs / median(bare.runs.map((run) => run.wallMs))).toFixed(2)}×)` : '';
    return `| ${contender.label} | ${seconds(wallMs)}${base} | ${seconds(cpuMs)} | ${megabytes(rss)} |`;
  };
  return [
    '## 6. The command line, whole process',
    '',
    'One apex + wildcard certificate (examples/web.json) issued by a fresh process against the already running Pebble,',
    'from exec to exit: start-up, account registration, the whole ACME exchange and storing the result. Each process runs',
    'under `/usr/bin/time` (wall, user + system CPU, peak RSS); the contenders run in turn, one warm-up each, and the',
    'ratio is taken pair by pair (certstep, then the bare script right after it), so a machine that drifts moves both.',
    'Both poll as the local runner does (at once, then every second). Medians of',
    `${cli.runs} runs each; the load average was ${cli.loadAverage} when the section started.`,
    '',
    '`BENCH_SECTIONS=cli BENCH_MERGE=bench/results/latest.json npm run bench` measures only this section and keeps the',
    'others from the saved results.',
    '',
    '| process | wall (vs bare) | CPU | peak RSS |',
    '| --- | --- | --- | --- |',
    ...cli.contenders.map(row),
    '',
    `Paired ratio certstep / bare: **${wall.toFixed(2)}×** wall (min ${Math.min(...cli.pairedWallRatios).toFixed(2)}, max ` +
      `${Math.max(...cli.pairedWallRatios).toFixed(2)}), **${cpu.toFixed(2)}×** CPU. dist/cli.mjs is ${(cli.bundleBytes / 1024 / 1024).toFixed(1)} MB,`,
    'one file holding the CLI, the local runner (aws-local-stepfunctions), acme-client and the AWS SDK clients of the',
    '`--aws` commands. What the build does for start-up: one bundle instead of hundreds of module files, node-forge',
    "(acme-client's deprecated API) left out, and the state machine validated at build time instead of at every run",
    "(Ajv compiling asl-validator's schemas was a third of a run's CPU, see scripts/stubs/asl-validator-prevalidated.mjs).",
    '',
  ].join('\n');
}
