/**
 * The wrapper every Lambda entry uses: a log line out with the certificate's name, and errors
 * rethrown untouched so Step Functions matches their `name` in Retry and Catch. It opens the
 * envelope the Task put around the phase's input (core/task-input.ts), so every line of the
 * invocation names the execution and the state as well.
 */
import { type TaskContext, openTaskInput } from '../core/task-input.js';
import { log, logger } from './log.js';

/** The Lambda context (the `aws-lambda` types are not a dependency; this is what Powertools reads). */
export type LambdaContext = Parameters<typeof logger.addContext>[0];

/** Where a line comes from, for an entry that is not a Task (SweepEndedRun reads it from its event). */
export interface Correlation {
  readonly executionArn?: string;
  readonly certificate?: string;
}

export function lambdaHandler<I, O>(
  phase: string,
  run: (input: I, task: TaskContext) => Promise<O>,
  correlate: (input: I) => Correlation = () => ({}),
): (input: unknown, context?: LambdaContext) => Promise<O> {
  return async (input, context) => {
    const { payload, context: task } = openTaskInput(input);
    const correlation = correlate(payload as I);
    if (context) logger.addContext(context);
    logger.appendKeys({
      executionArn: task.executionArn ?? correlation.executionArn,
      state: task.stateName,
      certificate: certificateName(payload) ?? correlation.certificate?.slice(0, 63),
    });
    const started = Date.now();
    try {
      const output = await run(payload as I, task);
      log('INFO', `${phase} done`, { phase, ms: Date.now() - started });
      return output;
    } catch (error) {
      const failure = error as { name?: string; message?: string; retryable?: boolean };
      log('ERROR', `${phase} failed`, { phase, error: failure.name, detail: failure.message, retryable: failure.retryable });
      throw error;
    } finally {
      // A warm container's next invocation may be another execution and certificate.
      logger.resetKeys();
    }
  };
}

function certificateName(input: unknown): string | undefined {
  // CheckRenewal receives { input, executionId }; every other phase the state, or a part of it that names the certificate.
  const state = (input as { input?: unknown } | null)?.input ?? input;
  const name = (state as { certificate?: { name?: unknown } } | null)?.certificate?.name;
  return typeof name === 'string' ? name.slice(0, 63) : undefined;
}
