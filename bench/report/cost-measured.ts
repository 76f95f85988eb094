/** Section 2, continued: one renewal measured with the AWS adapters, invocation by invocation. */
import type { CostResult, MeasuredRun } from '../cost.js';
import { sum, usd } from '../lib/stats.js';
import { AWS_MODEL, PRICES } from './prices.js';
import { type LambdaCosts, acmeBy, callsBy, dynamoCost, formatCounts, serviceTotal } from './renewal-figures.js';

export function renderMeasuredRenewal(cost: CostResult, lambda: LambdaCosts, run: MeasuredRun, sweepRun: MeasuredRun | undefined): string[] {
  const renewalCalls = callsBy(run);
  return [
    '### One renewal, measured with the AWS adapters',
    '',
    'A first issuance, then a renewal (the run believes it is a minute past the stored renewal time; warm containers, see below), then the daily sweep over the now',
    'up-to-date certificate, in-process: the Route 53 provider through the real SDK into the Route 53 test server (GetChange answers',
    'PENDING three times, so CheckPropagation runs four times, as with ~60 s of propagation), the Secrets Manager store on the in-memory',
    "fake, EventBridge Scheduler and DynamoDB on stateful aws-sdk-client-mock stand-ins, Pebble validating over the test server's DNS, the hosted zone id",
    'configured (the recommended set-up). Each handler is timed, and API calls are attributed to the handler that made them.',
    `Renewal: **${run.statesEntered.length} transitions** (${run.status}${run.error ? `: ${run.error}` : ''}); daily sweep of the certificate: no execution, ${sweepRun ? `${formatCounts(sweepRun.invocations[0]?.calls ?? {})} and ${(sweepRun.invocations[0]?.ms ?? 0).toFixed(0)} ms of Lambda time measured locally${sweepRun.error ? ` (${sweepRun.error})` : ''}` : 'not measured'}.`,
    '',
    '| state | function | memory | handler, local | AWS API calls | ACME requests | modelled on AWS |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...lambda.rows.map(
      (row) =>
        `| ${row.invocation.state} | ${row.invocation.functionName} | ${row.memoryMb} MB | ${row.invocation.ms.toFixed(0)} ms | ` +
        `${formatCounts(row.invocation.calls)} | ${sum(Object.values(row.invocation.acmeRequests))} | ${row.awsMs} ms${row.cold ? ' (cold)' : ''} |`,
    ),
    '',
    `Modelled on AWS = local handler time + ${AWS_MODEL.awsApiCallMs} ms per AWS API call + ${AWS_MODEL.acmeRequestMs} ms per ACME request (to Let's Encrypt),`,
    `and for the first invocation of each function in the run a cold start: ${AWS_MODEL.runtimeInitMs} ms runtime start + the bundle's measured import time`,
    '(section 3). A renewal touches each function once a day or less, so cold starts are the rule; Lambda bills the INIT phase of',
    'managed runtimes (from 1 August 2025, as AWS announced in April 2025). The ceiling bills every invocation for 1.5 s.',
    '',
    '**API calls per renewal** (measured):',
    '',
    '| service | calls | by action | priced |',
    '| --- | --- | --- | --- |',
    ...['Route 53', 'Secrets Manager', 'Scheduler', 'DynamoDB'].map((service) => {
      const total = serviceTotal(renewalCalls, service);
      const byAction = Object.fromEntries(
        Object.entries(renewalCalls)
          .filter(([key]) => key.startsWith(`${service}:`))
          .map(([key, value]) => [key.slice(service.length + 1), value]),
      );
      const priced =
        service === 'Secrets Manager'
          ? usd(total * PRICES.secretsManagerPerCall, 7)
          : service === 'DynamoDB'
            ? `${usd(dynamoCost(renewalCalls), 7)} (assumed prices)`
            : service === 'Route 53'
              ? 'free'
              : 'free (API); the invocation that started the run: $0.000001';
      return `| ${service} | ${total} | ${formatCounts(byAction)} | ${priced} |`;
    }),
    '',
    `**ACME HTTP requests per renewal**: certstep ${sum(Object.values(acmeBy(run)))} (${formatCounts(acmeBy(run))}) against the floor's ` +
      `${sum(Object.values(cost.floorAcmeRequests))} for one issuance with its account (${formatCounts(cost.floorAcmeRequests)}).`,
    'certstep keeps the directory per container and signs with the nonce of the previous answer; acme-client on its own (the floor) asks',
    'for a fresh nonce (HEAD) before every signed request.',
    '',
  ];
}
