/**
 * Lambda: sweeps up after an execution that ended FAILED, TIMED_OUT or ABORTED (an EventBridge
 * rule on the state machine's status changes invokes it). Not a state of the state machine.
 */
import { sweepEndedRun } from '../phases/sweep-ended-run.js';
import { issuerNames, readConfig } from '../runtime/config.js';
import { recordRemoversOnDemand } from '../runtime/dns-on-demand.js';
import { type Correlation, lambdaHandler } from '../runtime/handler.js';
import { dynamoDbLedger } from '../runtime/ledger.js';
import { eventBridgeScheduler } from '../runtime/scheduler.js';
import { secretsManagerStore } from '../runtime/store.js';

/** The part of "Step Functions Execution Status Change" this reads. */
interface StatusChange {
  readonly detail?: { executionArn?: string; status?: string; input?: string; error?: string | null; cause?: string | null };
}

const config = readConfig();
const deps = {
  // Only a run that died still holding its certificate left values to remove.
  dns: recordRemoversOnDemand(config),
  ledger: dynamoDbLedger(),
  scheduler: eventBridgeScheduler(),
  store: secretsManagerStore(config),
  issuers: { names: issuerNames(config) },
  clock: () => new Date(),
};

/** Its lines name the execution that ended and its certificate, like the lines of that execution's Tasks. */
function correlation(event: StatusChange): Correlation {
  let certificate: unknown;
  try {
    certificate = (JSON.parse(event?.detail?.input ?? 'null') as { certificate?: { name?: unknown } } | null)?.certificate?.name;
  } catch {
    // An input that is not JSON names no certificate; sweepEndedRun reports it.
  }
  return { executionArn: event?.detail?.executionArn, ...(typeof certificate === 'string' && { certificate }) };
}

export const handler = lambdaHandler(
  'SweepEndedRun',
  async (event: StatusChange) => {
    const detail = event?.detail ?? {};
    return sweepEndedRun(
      {
        executionId: detail.executionArn ?? '',
        status: detail.status ?? 'FAILED',
        input: detail.input ?? 'null',
        ...(detail.error && { error: detail.error }),
        ...(detail.cause && { cause: detail.cause }),
      },
      deps,
    );
  },
  correlation,
);
