/** Section 4: how far one deployment scales, from the per-renewal counts and published quotas. */
import type { CostResult } from '../cost.js';
import { sum } from '../lib/stats.js';
import { type LambdaCosts, callsBy, renewalRun, serviceTotal } from './renewal-figures.js';

export function renderScale(cost: CostResult | undefined, lambda: LambdaCosts | undefined): string {
  const busySeconds = lambda ? sum(lambda.rows.map((row) => row.awsMs)) / 1000 : 10;
  const run = cost ? renewalRun(cost) : undefined;
  const calls = run ? callsBy(run) : {};
  const route53PerRenewal = serviceTotal(calls, 'Route 53') || 15;
  const changesPerRenewal = calls['Route 53:ChangeResourceRecordSets'] ?? 2;
  const secretsWrites = (calls['Secrets Manager:PutSecretValue'] ?? 0) + (calls['Secrets Manager:UpdateSecretVersionStage'] ?? 0);
  const secretsReads = (calls['Secrets Manager:GetSecretValue'] ?? 0) + (calls['Secrets Manager:DescribeSecret'] ?? 0);
  const transitions = cost?.scenarios.find((scenario) => scenario.id === 'typical')?.transitions ?? 30;
  const day = 86_400;
  const route53Daily = Math.floor((5 * day) / route53PerRenewal);
  const route53Bucket = Math.floor((10 * day) / route53PerRenewal);
  const leOrders = Math.floor((300 / 3) * 24);
  return [
    '## 4. Scale on paper',
    '',
    `From the per-renewal counts above (${route53PerRenewal} Route 53 calls of which ${changesPerRenewal} ChangeResourceRecordSets, ${secretsReads} ` +
      `Secrets Manager reads and ${secretsWrites} writes,`,
    `${transitions} transitions) and published quotas. "Renewals per day" assumes they are spread evenly, which the design does deliberately.`,
    '',
    '| limit | figure | renewals per day before it binds | what certstep does about it |',
    '| --- | --- | --- | --- |',
    `| Route 53 API, per account | 5 requests/s for all calls (AWS documentation, hard limit); the field notes describe it as a token bucket, burst 50, ` +
      `refill 10/s | **${route53Daily.toLocaleString('en-US')}** at 5/s (${route53Bucket.toLocaleString('en-US')} at 10/s), shared with every other Route ` +
      `53 user of the account | one change batch per zone per run for present and one for clean-up, whatever the number of names; configured hosted zone ` +
      `ids (no ListHostedZones paging); the SDK's jittered backoff (6 attempts) on Throttling and PriorRequestNotComplete, then the state machine's Retry |`,
    `| Route 53 ChangeResourceRecordSets per hosted zone | one change batch processed at a time (PriorRequestNotComplete) | about one batch per few ` +
      `seconds per zone: tens of thousands of renewals per zone per day | batching all names of a certificate into one batch; compare-and-swap retries on ` +
      `conflicts |`,
    `| Let's Encrypt new orders | 300 per account per 3 hours | **${leOrders.toLocaleString('en-US')}** per ACME account (one account per issuer) | the ` +
      `state machine retries AcmeRateLimited after 60 s ×5 backoff; ARI renewals (certstep sends \`replaces\`) are exempt per the field notes; a second ` +
      `issuer (account) doubles it |`,
    `| Let's Encrypt certificates per registered domain | 50 per 7 days | ~7 per day per registered domain (for new certificates; ARI renewals exempt per ` +
      `the field notes) | binds first for many certificates under one domain that are not ARI renewals: put names on one certificate (up to 100), or rely ` +
      `on ARI |`,
    "| Let's Encrypt duplicate certificates | 5 per week for the same name set | forced re-issues only | renewal policy renews once per window; `force` is manual |",
    "| Let's Encrypt failed validations | 5 per name per account per hour | failures only | propagation is checked before asking the CA, so a slow zone times out in certstep, not at the CA |",
    `| Step Functions StartExecution (Standard, us-east-1) | token bucket ~1,300 burst, 300/s refill | millions | schedules with a 15-minute flexible ` +
      `window (cdk/scheduling.ts) spread starts |`,
    `| Step Functions state transitions (us-east-1) | ~5,000/s refill (lower for new accounts) | ` +
      `${(Math.floor((5000 * day) / transitions) / 1e6).toFixed(0)} million | ${transitions} transitions over ~70 s per renewal |`,
    '| Step Functions open executions | 1,000,000 per account and region | not reached: a renewal is open ~70 s | |',
    `| Lambda concurrency | 1,000 per region by default | a renewal keeps Lambdas busy ~${busySeconds.toFixed(0)} s in all (modelled, cold starts ` +
      `included): ~${Math.floor(1000 / busySeconds)} renewals per second, ${((Math.floor(1000 / busySeconds) * day) / 1e6).toFixed(0)} million a day | ` +
      `short phases, no sleeping Lambda |`,
    `| Secrets Manager | GetSecretValue 10,000/s; PutSecretValue and UpdateSecretVersionStage a few dozen per second (check the current quota page) | ` +
      `~millions at ${secretsWrites} writes per renewal | reads and writes only the certificate's and the account's secret |`,
    '',
    "So a single deployment is bound by the CA first: about 2,400 orders per day per ACME account at Let's Encrypt (and 50 new",
    "certificates per registered domain per week), then by Route 53's account-wide 5 requests per second at about",
    `${route53Daily.toLocaleString('en-US')} renewals per day, which also has to leave room for everything else in the account that talks to Route 53.`,
    `Step Functions and Lambda are orders of magnitude away. With 90-day certificates renewed every 60 days, ${leOrders.toLocaleString('en-US')} orders a day`,
    `cover ~${(leOrders * 60).toLocaleString('en-US')} certificates per ACME account; with 45-day certificates (renewed every ~30 days) ~${(leOrders * 30).toLocaleString('en-US')}.`,
    "Quota figures other than the Route 53 and Let's Encrypt ones are from memory of the AWS quota pages and should be checked against",
    'the account before relying on them; none of them is within a factor of ten of binding.',
    '',
  ].join('\n');
}
