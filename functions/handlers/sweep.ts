/**
 * Lambda: the daily sweep (not a state of the state machine). EventBridge Scheduler invokes it
 * once a day; it starts executions only for the certificates that need work (at most
 * CERTSTEP_MAX_STARTS), publishes the stack's three sweep metrics and puts a `Certificate
 * Expiring` event for every certificate past its own expiry alarm threshold.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDbCertificateCatalog } from '../adapters/dynamodb-catalog.js';
import { EventBridgeExpiryEvents } from '../adapters/eventbridge-expiry-events.js';
import { StepFunctionsRunStarter } from '../adapters/sfn-starter.js';
import { ConfigError } from '../core/config-error.js';
import { SECRET_POLICY_ENV, parseSecretPolicySettings } from '../core/secret-policy.js';
import { maxStartsFrom } from '../phases/start-budget.js';
import { sweepReport } from '../phases/sweep-report.js';
import { DEFAULT_ALARM_DAYS, sweep } from '../phases/sweep.js';
import { readConfig, requiredEnv } from '../runtime/config.js';
import { lambdaHandler } from '../runtime/handler.js';
import { log } from '../runtime/log.js';
import { logDaysUntilExpiry, publishSweepMetrics, stateMachineName } from '../runtime/metrics.js';
import { reconcileDependencies } from '../runtime/reconcile.js';
import { secretsManagerStore } from '../runtime/store.js';
import { traced } from '../runtime/tracing.js';

const stateMachineArn = requiredEnv('CERTSTEP_STATE_MACHINE_ARN');
const config = readConfig();
const catalog = new DynamoDbCertificateCatalog(traced(new DynamoDBClient({ maxAttempts: 5 })), requiredEnv('CERTSTEP_CATALOG_TABLE'));
const deps = {
  ...reconcileDependencies(config),
  catalog,
  // The stack sets the policy settings on the Sweep: it puts back the secret policies an upgrade deleted.
  ...(process.env[SECRET_POLICY_ENV] && {
    policies: { secrets: secretsManagerStore(config), settings: parseSecretPolicySettings(process.env[SECRET_POLICY_ENV]), catalog },
  }),
  starter: new StepFunctionsRunStarter(traced(new SFNClient({ maxAttempts: 5 })), stateMachineArn),
  alarmDays: alarmDaysFrom(process.env.CERTSTEP_ALARM_DAYS),
  maxStarts: maxStartsFrom(),
};
const events = new EventBridgeExpiryEvents(traced(new EventBridgeClient({ maxAttempts: 5 })));

export const handler = lambdaHandler('Sweep', async () => {
  const swept = await sweep(deps);
  const now = deps.clock();
  for (const certificate of swept) {
    const { decision } = certificate;
    if (decision?.notAfter) logDaysUntilExpiry(certificate.name, decision.notAfter, now, { expiryAlarmDays: certificate.expiryAlarmDays });
    if (certificate.policy === 'applied') log('INFO', "Sweep put the certificate secret's resource policy back", { certificate: certificate.name });
    else if (certificate.policy)
      log('ERROR', "Sweep could not put the certificate secret's resource policy back", { certificate: certificate.name, detail: certificate.policy });
    if (certificate.error) log('ERROR', 'Sweep could not check a certificate', { certificate: certificate.name, detail: certificate.error });
    else if (certificate.executionId)
      log('INFO', 'Sweep started a run', { certificate: certificate.name, reason: decision?.reason, executionId: certificate.executionId });
  }
  const report = sweepReport(swept, now);
  if (report.deferred > 0)
    log('WARN', 'Sweep deferred runs past the start cap; the next sweep starts them', { deferred: report.deferred, maxStarts: deps.maxStarts });
  publishSweepMetrics(stateMachineName(stateMachineArn), report, now);
  // The expiry alarm pages from the metric whatever happens here; the events only name the certificates.
  let eventsFailed = 0;
  await events.certificatesExpiring(report.expiring).catch((error: Error) => {
    eventsFailed = report.expiring.length;
    log('ERROR', 'Sweep could not put Certificate Expiring events', { error: error.name, detail: error.message });
  });
  const started = swept.filter((certificate) => certificate.executionId).length;
  return { checked: swept.length, started, failed: report.certificatesNotChecked, deferred: report.deferred, expiring: report.expiring.length, eventsFailed };
});

/** CERTSTEP_ALARM_DAYS: the stack's default threshold, for catalog items without their own. */
function alarmDaysFrom(text: string | undefined): number {
  if (text === undefined || text === '') return DEFAULT_ALARM_DAYS;
  const days = Number(text);
  if (!(days > 0)) throw new ConfigError(`CERTSTEP_ALARM_DAYS must be a number of days above 0 (got "${text}")`);
  return days;
}
