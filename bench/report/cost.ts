/** Section 2: what a renewal costs on AWS, from the ASL's transitions and the measured API calls. */
import type { CostResult, ScenarioResult } from '../cost.js';
import { sum, usd } from '../lib/stats.js';
import { barChart } from '../lib/svg.js';
import { renderCallsPerRenewal } from './calls.js';
import { renderMeasuredRenewal } from './cost-measured.js';
import { oneLambda, renderMonth, renderSleepingLambda } from './cost-month.js';
import { PRICES } from './prices.js';
import { type LambdaCosts, callsBy, coldRenewalRun, dynamoCost, formatCounts, renewalRun, serviceTotal } from './renewal-figures.js';
import type { Target } from './targets.js';

export function renderCost(
  cost: CostResult,
  lambda: LambdaCosts,
  targets: Target[],
  command: string,
  before?: CostResult,
): { markdown: string; chart: string } {
  const typical = cost.scenarios.find((scenario) => scenario.id === 'typical');
  const run = renewalRun(cost);
  const sweepRun = cost.measured.find((candidate) => candidate.kind === 'daily sweep');
  const lines: string[] = [
    '## 2. Cost per renewal on AWS',
    '',
    `Produced by \`${command}\` (\`BENCH_SECTIONS=cost\` alone). Prices: us-east-1 list prices as given in the project brief for this bench`,
    `(dated ${new Date().toISOString().slice(0, 10)}; not re-read online, this machine has no network): Step Functions Standard $0.025 per`,
    '1,000 state transitions; Lambda arm64 $0.0000133334 per GB-s and $0.20 per million requests; Secrets Manager $0.40 per secret-month',
    'and $0.05 per 10,000 API calls; Route 53 API calls free; EventBridge Scheduler $1.00 per million invocations. **Assumptions of this',
    'bench, not from the brief:** DynamoDB on-demand $0.625 per million writes and $0.125 per million reads; Scheduler API calls',
    '(Create/UpdateSchedule) free; CloudWatch Logs and X-Ray (the stack turns tracing on) left out of the totals, mentioned below.',
    `Memory per function: ${Object.entries(cost.memoryMb)
      .map(([name, mb]) => `${name} ${mb} MB`)
      .join(', ')}, from ${cost.memorySource}.`,
    '',
    '### State transitions, from the ASL',
    '',
    'Counted by running `statemachine/renewal.asl.json` itself in aws-local-stepfunctions with stub handlers that replay each path',
    `(every Wait takes 0 ms there; the seconds are what the code would ask for on AWS: Route 53 ${cost.timing.route53.initialWaitSeconds} s then every`,
    `${cost.timing.route53.intervalSeconds} s, validation ${cost.timing.polling.validationPolling.initialWaitSeconds} s then ` +
      `${cost.timing.polling.validationPolling.intervalSeconds} s,`,
    `issuance ${cost.timing.polling.issuancePolling.initialWaitSeconds} s then ${cost.timing.polling.issuancePolling.intervalSeconds} s). One ` +
      `StateEntered = one billed transition in a Standard workflow.`,
    '',
    '| path | transitions | Lambda invocations | waiting on AWS | Step Functions | Lambda requests |',
    '| --- | --- | --- | --- | --- | --- |',
    ...cost.scenarios.map((scenario) => scenarioRow(scenario)),
    '',
  ];
  if (run) lines.push(...renderMeasuredRenewal(cost, lambda, run, sweepRun), ...renderCallsPerRenewal(cost, before, targets));

  // Price per renewal.
  const transitions = typical?.transitions ?? Number.NaN;
  const sfn = transitions * PRICES.stepFunctionsPerTransition;
  const requests = lambda.requests * PRICES.lambdaPerRequest;
  const gbLocal = lambda.gbSeconds.local * PRICES.lambdaArmPerGbSecond;
  const gbAws = lambda.gbSeconds.aws * PRICES.lambdaArmPerGbSecond;
  const gbCeiling = lambda.gbSeconds.ceiling * PRICES.lambdaArmPerGbSecond;
  // Priced as a lone renewal is on AWS: every container cold (the Lambda duration above models that too).
  const pricedRun = coldRenewalRun(cost) ?? run;
  const renewalCalls = pricedRun ? callsBy(pricedRun) : {};
  const secretsCalls = serviceTotal(renewalCalls, 'Secrets Manager') * PRICES.secretsManagerPerCall;
  const scheduler = PRICES.schedulerPerInvocation;
  const dynamo = dynamoCost(renewalCalls);
  const perRenewal = sfn + requests + gbAws + secretsCalls + scheduler + dynamo;
  lines.push(
    '### Price of one typical renewal',
    '',
    '| item | quantity | price |',
    '| --- | --- | --- |',
    `| Step Functions transitions (typical path, from the ASL) | ${transitions} | ${usd(sfn)} |`,
    `| Lambda requests | ${lambda.requests} | ${usd(requests, 7)} |`,
    `| Lambda duration, measured locally (lower bound) | ${lambda.gbSeconds.local.toFixed(3)} GB-s | ${usd(gbLocal, 7)} |`,
    `| Lambda duration, modelled on AWS (used below) | ${lambda.gbSeconds.aws.toFixed(3)} GB-s | ${usd(gbAws, 7)} |`,
    `| Lambda duration, ceiling (1.5 s per invocation) | ${lambda.gbSeconds.ceiling.toFixed(3)} GB-s | ${usd(gbCeiling, 7)} |`,
    `| Secrets Manager API calls (cold containers) | ${serviceTotal(renewalCalls, 'Secrets Manager')} | ${usd(secretsCalls, 7)} |`,
    `| EventBridge Scheduler invocation that started the run | 1 | ${usd(scheduler, 7)} |`,
    `| DynamoDB run ledger (assumed prices) | ${serviceTotal(renewalCalls, 'DynamoDB')} requests | ${usd(dynamo, 7)} |`,
    `| Route 53 API calls | ${serviceTotal(renewalCalls, 'Route 53')} | free |`,
    `| **total per renewal** (modelled Lambda duration) | | **${usd(perRenewal)}** |`,
    `| Step Functions + Lambda only (the target) | | **${usd(sfn + requests + gbAws)}** (ceiling ${usd(sfn + requests + gbCeiling)}) |`,
    '',
  );
  targets.push({
    name: 'a typical renewal on AWS under 40 state transitions and under $0.002 in Step Functions plus Lambda charges',
    measured: `${transitions} transitions (ASL model; ${run?.statesEntered.length ?? 'n/a'} in the measured run), ${usd(sfn + requests + gbAws)} modelled (${usd(sfn + requests + gbCeiling)} at the 1.5 s ceiling)`,
    met: transitions < 40 && sfn + requests + gbCeiling < 0.002,
  });

  lines.push(...renderMonth(cost, sweepRun, perRenewal), ...renderSleepingLambda(cost, { transitions, sfn, requests, gbAws }));

  const chart = barChart({
    title: 'Cost of one typical renewal (USD, log scale)',
    subtitle: 'Step Functions from the ASL; Lambda duration modelled; other items from the measured API calls',
    axisLabel: 'US dollars per renewal',
    log: true,
    tickFormat: (value) => `$${value.toExponential(0)}`,
    reference: { value: 0.002, label: 'target: $0.002 (Step Functions + Lambda)' },
    groups: [
      {
        title: 'certstep',
        bars: [
          { label: `Step Functions (${transitions} transitions)`, value: sfn, text: usd(sfn), color: '#1f77b4' },
          { label: 'Lambda duration (modelled)', value: gbAws, text: usd(gbAws, 7), color: '#6baed6' },
          { label: `Lambda requests (${lambda.requests})`, value: requests, text: usd(requests, 7), color: '#9ecae1' },
          { label: 'Secrets Manager API calls', value: secretsCalls, text: usd(secretsCalls, 7), color: '#ff7f0e' },
          { label: 'DynamoDB ledger (assumed)', value: dynamo, text: usd(dynamo, 7), color: '#2ca02c' },
          { label: 'Scheduler invocation', value: scheduler, text: usd(scheduler, 7), color: '#9467bd' },
        ],
      },
      {
        title: 'one sleeping Lambda (512 MB)',
        bars: [
          { label: '90 s', value: oneLambda(90), text: usd(oneLambda(90)), color: '#d62728' },
          { label: '120 s', value: oneLambda(120), text: usd(oneLambda(120)), color: '#d62728' },
        ],
      },
    ],
  });
  return { markdown: lines.join('\n'), chart };
}

function scenarioRow(scenario: ScenarioResult): string {
  if (scenario.status !== 'SUCCEEDED') return `| ${scenario.label} | failed: ${scenario.error ?? ''} | | | | |`;
  const invocations = sum(Object.values(scenario.invocations));
  return `| ${scenario.label} | ${scenario.transitions} | ${invocations} (${formatCounts(scenario.invocations)}) | ${scenario.waitSeconds} s | ${usd(scenario.transitions * PRICES.stepFunctionsPerTransition)} | ${usd(invocations * PRICES.lambdaPerRequest, 7)} |`;
}
