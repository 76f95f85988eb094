/**
 * Lambda: the daily sweep (not a state of the state machine). EventBridge Scheduler invokes it
 * once a day; it starts executions only for the certificates that need work, and reports every
 * certificate's days until expiry for its alarm.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDbCertificateCatalog } from '../adapters/dynamodb-catalog.js';
import { StepFunctionsRunStarter } from '../adapters/sfn-starter.js';
import { sweep } from '../phases/sweep.js';
import { readConfig, requiredEnv } from '../runtime/config.js';
import { lambdaHandler } from '../runtime/handler.js';
import { log } from '../runtime/log.js';
import { reconcileDependencies } from '../runtime/reconcile.js';
import { publishDaysUntilExpiry } from '../runtime/metrics.js';
import { traced } from '../runtime/tracing.js';

const deps = {
  ...reconcileDependencies(readConfig()),
  catalog: new DynamoDbCertificateCatalog(traced(new DynamoDBClient({ maxAttempts: 5 })), requiredEnv('CERTSTEP_CATALOG_TABLE')),
  starter: new StepFunctionsRunStarter(traced(new SFNClient({ maxAttempts: 5 })), requiredEnv('CERTSTEP_STATE_MACHINE_ARN')),
};

export const handler = lambdaHandler('Sweep', async () => {
  const swept = await sweep(deps);
  const now = deps.clock();
  for (const certificate of swept) {
    const { decision } = certificate;
    if (decision?.notAfter) publishDaysUntilExpiry(certificate.name, decision.notAfter, now);
    if (certificate.error) log('ERROR', 'Sweep could not check a certificate', { certificate: certificate.name, detail: certificate.error });
    else if (certificate.executionId)
      log('INFO', 'Sweep started a run', { certificate: certificate.name, reason: decision?.reason, executionId: certificate.executionId });
  }
  const started = swept.filter((certificate) => certificate.executionId).length;
  const failed = swept.filter((certificate) => certificate.error).length;
  return { checked: swept.length, started, failed };
});
