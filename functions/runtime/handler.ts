/**
 * The wrapper every Lambda entry uses: a log line in and out with the certificate's name,
 * and errors rethrown untouched so Step Functions matches their `name` in Retry and Catch.
 */
import { log } from './log.js';

export function lambdaHandler<I, O>(phase: string, run: (input: I) => Promise<O>): (input: I) => Promise<O> {
  return async (input) => {
    const certificate = certificateName(input);
    const started = Date.now();
    try {
      const output = await run(input);
      log('INFO', `${phase} done`, { phase, certificate, ms: Date.now() - started });
      return output;
    } catch (error) {
      const failure = error as { name?: string; message?: string; retryable?: boolean };
      log('ERROR', `${phase} failed`, { phase, certificate, error: failure.name, detail: failure.message, retryable: failure.retryable });
      throw error;
    }
  };
}

function certificateName(input: unknown): string | undefined {
  // CheckRenewal receives { input, executionId }; every other phase the state itself.
  const state = (input as { input?: unknown } | null)?.input ?? input;
  const name = (state as { certificate?: { name?: unknown } } | null)?.certificate?.name;
  return typeof name === 'string' ? name.slice(0, 63) : undefined;
}
