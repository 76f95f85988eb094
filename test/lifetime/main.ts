/**
 * `npm run simulate -- --seed N --certificates N --days N [--json] [--no-faults] [--trace NAME]`:
 * the lifetime simulator from the command line. Exit code 1 when an invariant was violated.
 */
import { parseArgs } from 'node:util';
import { INVARIANTS, type SimulationReport, simulate } from './simulator.js';

function fail(message: string): never {
  process.stderr.write(`simulate: ${message}\nusage: npm run simulate -- [--seed N] [--certificates N] [--days N] [--json] [--no-faults] [--trace NAME]\n`);
  process.exit(2);
}

function positiveInteger(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) fail(`${flag} must be a positive integer (got "${text}")`);
  return Number(text);
}

function parsedFlags() {
  try {
    return parseArgs({
      options: {
        seed: { type: 'string' },
        certificates: { type: 'string' },
        days: { type: 'string' },
        json: { type: 'boolean' },
        'no-faults': { type: 'boolean' },
        trace: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    return fail((error as Error).message);
  }
}

const values = parsedFlags();

const options = {
  seed: values.seed === undefined ? 1 : /^\d+$/.test(values.seed) ? Number(values.seed) : fail(`--seed must be a non-negative integer (got "${values.seed}")`),
  certificates: positiveInteger(values.certificates, '--certificates', 200),
  days: positiveInteger(values.days, '--days', 730),
  faults: values['no-faults'] ? ('none' as const) : ('default' as const),
  ...(values.trace && { trace: values.trace }),
};

const report = await simulate(options);
process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : describe(report));
process.exitCode = Object.values(report.invariants).some((count) => count > 0) ? 1 : 0;

function describe(report: SimulationReport): string {
  const lines = [
    `seed ${report.seed}: ${report.certificates} certificates over ${report.days} days in ${report.elapsedSeconds} s (${report.certificateDaysPerSecond} certificate-days/s)`,
    `${report.executions} executions, ${report.orders} orders, ${report.issuances} issuances`,
    `executions ended: ${Object.entries(report.outcomes)
      .map(([kind, count]) => `${kind} ${count}`)
      .join(', ')}`,
    `faults: ${
      Object.entries(report.faults)
        .map(([kind, count]) => `${kind} ${count}`)
        .join(', ') || 'none'
    }`,
    ...INVARIANTS.map(
      (name) => `  ${report.invariants[name] === 0 ? 'ok  ' : 'FAIL'} ${name}${report.invariants[name] ? `: ${report.invariants[name]} violation(s)` : ''}`,
    ),
  ];
  for (const violation of report.violations) {
    lines.push(
      '',
      `${violation.invariant} at ${violation.at} for ${violation.certificate}: ${violation.detail}`,
      `  seed ${report.seed}; trail:`,
      ...violation.trail.map((line) => `    ${line}`),
    );
  }
  return `${lines.join('\n')}\n`;
}
