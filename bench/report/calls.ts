/**
 * Section 2, continued: requests per renewal against issue 18's targets, in warm containers
 * (the module-scope caches full, as when renewals come often) and in cold ones (every function's
 * first invocation starts empty, as after a quiet spell), beside the run before step 16.
 */
import type { CostResult, MeasuredRun } from '../cost.js';
import { sum } from '../lib/stats.js';
import { acmeBy, callsBy, coldRenewalRun, renewalRun, serviceTotal } from './renewal-figures.js';
import type { Target } from './targets.js';

/** Issue 18: per renewal. */
export const CALL_TARGETS = { acme: 22, route53: 8, secretsManager: 8 } as const;

interface Counts {
  readonly acme: number;
  readonly route53: number;
  readonly secretsManager: number;
  readonly dynamo: number;
  readonly scheduler: number;
}

export function countsOf(run: MeasuredRun | undefined): Counts | undefined {
  if (!run) return undefined;
  const calls = callsBy(run);
  return {
    acme: sum(Object.values(acmeBy(run))),
    route53: serviceTotal(calls, 'Route 53'),
    secretsManager: serviceTotal(calls, 'Secrets Manager'),
    dynamo: serviceTotal(calls, 'DynamoDB'),
    scheduler: serviceTotal(calls, 'Scheduler'),
  };
}

export function renderCallsPerRenewal(cost: CostResult, before: CostResult | undefined, targets: Target[]): string[] {
  const warm = countsOf(renewalRun(cost));
  const cold = countsOf(coldRenewalRun(cost));
  const earlier = countsOf(before ? renewalRun(before) : undefined);
  if (!warm) return [];
  const cell = (counts: Counts | undefined, key: keyof Counts) => (counts ? String(counts[key]) : 'n/a');
  const over = (counts: Counts | undefined, key: keyof Counts, target?: number) => (counts && target !== undefined && counts[key] > target ? ' ⚠' : '');
  const row = (label: string, key: keyof Counts, target?: number) =>
    `| ${label} | ${cell(earlier, key)} | ${cell(warm, key)}${over(warm, key, target)} | ${cell(cold, key)}${over(cold, key, target)} | ${target !== undefined ? `≤ ${target}` : '–'} |`;
  const lines = [
    '### Requests per renewal: warm and cold containers (issue 18)',
    '',
    'The same renewal counted three ways: **before** step 16 (the run of the file BENCH_BEFORE names, when every cache lived for one',
    'invocation); in **warm** containers (the renewal right after the first issuance, so the module-scope caches of the directory, the',
    'account, the hosted zone and the kept nonces are full, as when renewals come often enough to keep containers alive: a fleet of',
    'thousands of certificates renews every few minutes); and in **cold** containers (a further renewal where each function forgets every',
    "cache and nonce at its first invocation, as on AWS after a quiet spell). Each function's second invocation in a run (PollOrder,",
    'CheckPropagation) finds its own container warm in both.',
    '',
    '| per renewal | before | warm | cold | target |',
    '| --- | ---: | ---: | ---: | ---: |',
    row('ACME requests', 'acme', CALL_TARGETS.acme),
    row('Route 53 calls', 'route53', CALL_TARGETS.route53),
    row('Secrets Manager calls', 'secretsManager', CALL_TARGETS.secretsManager),
    row('DynamoDB calls (run ledger)', 'dynamo'),
    row('Scheduler calls', 'scheduler'),
    '',
  ];
  if (cold) {
    lines.push(
      'A cold container pays once what the warm one has cached: the directory (one GET) per function that talks to the CA and a first nonce',
      '(one HEAD) per function that signs, one more where two requests go at once; the account secret once per function that signs (the',
      'account key is a secret, so it cannot travel in the execution state; requests sent at once share the read); and the hosted zone once,',
      'in CheckRenewal, which checks it before any order is made (the later phases change records by its id alone).',
      '`test/e2e/call-counts.test.ts` holds both: the warm counts per endpoint and operation, and exactly these',
      'additions in cold containers.',
      '',
    );
  }
  const met = warm.acme <= CALL_TARGETS.acme && warm.route53 <= CALL_TARGETS.route53 && warm.secretsManager <= CALL_TARGETS.secretsManager;
  const coldMet = cold && cold.acme <= CALL_TARGETS.acme && cold.route53 <= CALL_TARGETS.route53 && cold.secretsManager <= CALL_TARGETS.secretsManager;
  targets.push({
    name: `per renewal: ACME requests ≤ ${CALL_TARGETS.acme}, Route 53 calls ≤ ${CALL_TARGETS.route53}, Secrets Manager calls ≤ ${CALL_TARGETS.secretsManager}`,
    measured:
      `warm containers: ACME ${warm.acme}, Route 53 ${warm.route53}, Secrets Manager ${warm.secretsManager}` +
      `${cold ? `; cold containers: ${cold.acme}, ${cold.route53}, ${cold.secretsManager}` : ''}` +
      `${earlier ? `; before step 16: ${earlier.acme}, ${earlier.route53}, ${earlier.secretsManager}` : ''}`,
    met,
    ...(met && cold && !coldMet && { note: 'in warm containers; a cold container reads the directory, a nonce and the account once more per function' }),
  });
  return lines;
}
