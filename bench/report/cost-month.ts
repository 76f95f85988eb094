/** Section 2, continued: a month of 1,000 certificates, and the design of one Lambda that sleeps. */
import type { CostResult, MeasuredRun } from '../cost.js';
import { memoryOf } from '../cost.js';
import { sum, usd } from '../lib/stats.js';
import { AWS_MODEL, PRICES } from './prices.js';
import { callsBy, dynamoCost, formatCounts, serviceTotal } from './renewal-figures.js';

/** Section 2's price of one typical renewal, item by item (USD), as the comparison needs it. */
export interface RenewalPrice {
  readonly transitions: number;
  readonly sfn: number;
  readonly requests: number;
  readonly gbAws: number;
}

/** One Lambda of 512 MB on arm64 that runs the whole renewal, sleeping through propagation. */
export const oneLambda = (seconds: number) => ((seconds * 512) / 1024) * PRICES.lambdaArmPerGbSecond + PRICES.lambdaPerRequest;

export function renderMonth(cost: CostResult, sweepRun: MeasuredRun | undefined, perRenewal: number): string[] {
  const lines: string[] = [];
  const certificates = 1000;
  // The daily sweep: one invocation a day for all certificates (Scheduler + a catalog Scan), and
  // per certificate the reads it makes and its share of the Lambda's time, 8 certificates at a time
  // (so its wall time is an eighth of the sum, but billed GB-s follow the sum: a conservative model).
  const checks = certificates * 30;
  const sweepCalls = sweepRun ? callsBy(sweepRun) : {};
  const sweepGbSPerCheck = sweepRun
    ? sum(
        sweepRun.invocations.map(
          (invocation) =>
            ((invocation.ms +
              sum(Object.values(invocation.calls)) * AWS_MODEL.awsApiCallMs +
              sum(Object.values(invocation.acmeRequests)) * AWS_MODEL.acmeRequestMs) /
              1000) *
            (memoryOf(cost.memoryMb, 'Sweep') / 1024),
        ),
      )
    : 0.05;
  const perCheck =
    sweepGbSPerCheck * PRICES.lambdaArmPerGbSecond + serviceTotal(sweepCalls, 'Secrets Manager') * PRICES.secretsManagerPerCall + dynamoCost(sweepCalls);
  const perSweepDay = PRICES.lambdaPerRequest + PRICES.schedulerPerInvocation + PRICES.dynamoPerRead * Math.ceil(certificates / 1000);
  const sweepMonth = checks * perCheck + 30 * perSweepDay;
  const monthRows: [string, string, number][] = [
    [
      `renewals (1 per certificate per month: 45-day certificates renewed with a third left; 90-day ones need half)`,
      `${certificates} × ${usd(perRenewal)}`,
      certificates * perRenewal,
    ],
    [
      `daily sweep (cdk/scheduling.ts: one invocation a day reconciles every certificate, no execution unless there is work; ${formatCounts(sweepCalls)} ` +
        `per certificate)`,
      `${checks.toLocaleString('en-US')} × ${usd(perCheck, 7)} + 30 × ${usd(perSweepDay, 7)}`,
      sweepMonth,
    ],
    ['certificate secrets (one per certificate)', `${certificates} × $0.40`, certificates * PRICES.secretPerMonth],
    ['ACME account secret (one per issuer)', '1 × $0.40', PRICES.secretPerMonth],
  ];
  lines.push(
    '### Per 1,000 certificates a month',
    '',
    '| item | quantity | per month |',
    '| --- | --- | --- |',
    ...monthRows.map(([item, quantity, value]) => `| ${item} | ${quantity} | ${usd(value, 2)} |`),
    `| **total** | | **${usd(sum(monthRows.map(([, , value]) => value)), 2)}** |`,
    '',
    `Storage dominates: the Secrets Manager secrets cost ${usd(certificates * PRICES.secretPerMonth, 0)} a month whether or not anything renews, against`,
    `${usd(certificates * perRenewal, 2)} for the renewals and ${usd(sweepMonth, 2)} for the daily sweep. Until certstep 0.2 the safety net was one ` +
      `execution per`,
    `certificate per day (3 transitions, one invocation, a secret read): $2.45 a month per 1,000 certificates, more than the renewals; the sweep costs`,
    `${((sweepMonth / 2.45) * 100).toFixed(0)} % of that. Not counted: CloudWatch Logs (~2 JSON lines plus START/END/REPORT`,
    'per invocation, a few kB per renewal: under $0.00001 at $0.50/GB ingested) and X-Ray (the stack sets tracing ACTIVE: about one trace',
    'per invocation, $5 per million beyond the free tier, i.e. up to ~$0.00007 per renewal), nor the Route 53 hosted zones themselves.',
    '',
  );
  return lines;
}

export function renderSleepingLambda(cost: CostResult, { transitions, sfn, requests, gbAws }: RenewalPrice): string[] {
  const lines: string[] = [];
  lines.push(
    '### Against one Lambda that sleeps while DNS propagates',
    '',
    'The serverless projects listed in the field notes run the whole ACME flow in one Lambda that sleeps through propagation.',
    'With 512 MB on arm64:',
    '',
    '| design | per renewal | notes |',
    '| --- | --- | --- |',
    `| one Lambda, 512 MB, 90 s | ${usd(oneLambda(90))} | 45 GB-s + 1 request; no Step Functions |`,
    `| one Lambda, 512 MB, 120 s | ${usd(oneLambda(120))} | 60 GB-s + 1 request |`,
    `| certstep, typical path (Step Functions + Lambda, modelled) | ${usd(sfn + requests + gbAws)} | ${transitions} transitions are ` +
      `${((sfn / (sfn + requests + gbAws)) * 100).toFixed(0)} % of it |`,
    `| certstep, slow path (${cost.scenarios.find((scenario) => scenario.id === 'slow')?.transitions ?? 'n/a'} transitions) | ` +
      `${usd((cost.scenarios.find((scenario) => scenario.id === 'slow')?.transitions ?? 0) * PRICES.stepFunctionsPerTransition + requests + gbAws)} | ` +
      `Lambda as typical |`,
    '',
    'So per renewal the two designs cost about the same, fractions of a tenth of a cent: certstep pays for transitions what the sleeping',
    'Lambda pays for idle GB-seconds, and neither matters next to $0.40 per secret-month. What certstep buys is not a lower bill but no',
    '15-minute Lambda ceiling on propagation and validation, retries and clean-up per phase, and an execution history per run. A sleeping',
    "Lambda's cost grows linearly with propagation time (a slow zone at 10 minutes: 300 GB-s, $0.004), certstep's by 3 transitions",
    `($0.000075) per extra ${cost.timing.route53.intervalSeconds}-second check.`,
    '',
  );
  return lines;
}
