/**
 * The state machine's retry policy, written once. statemachine/renewal.asl.json stays the file
 * CDK deploys and the local runner executes; test/asl/renewal-asl.test.ts holds every Task's
 * Retry to what is defined here, and the error names here come from the error classes
 * themselves, so a class made retryable is retried by every Task or the test fails.
 */
import * as errors from './errors.js';
import { CaAskedToWait, CertstepError } from './errors.js';

/** One entry of a Task's `Retry`, as the Amazon States Language spells it. */
export interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds: number;
  readonly MaxAttempts: number;
  readonly BackoffRate: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy: 'FULL' | 'NONE';
}

/** One instance of every concrete error class errors.ts exports (the name is an own field). */
const instances = (Object.values(errors) as unknown[])
  .filter((value): value is new (message: string) => CertstepError => typeof value === 'function' && value.prototype instanceof CertstepError)
  .map((ErrorClass) => new ErrorClass('probe'))
  .filter((error) => Object.hasOwn(error, 'name'));

/** Error names the state machine retries: every certstep error whose class says retryable. */
export const RETRYABLE_ERROR_NAMES: readonly string[] = instances.filter((error) => error.retryable).map((error) => error.name);

/**
 * Errors that carry the CA's Retry-After: never retried inside a run (that would ignore it);
 * the failure path schedules the next attempt no earlier than the CA asked.
 */
export const RETRY_AFTER_ERROR_NAMES: readonly string[] = instances.filter((error) => error instanceof CaAskedToWait).map((error) => error.name);

/** Failures of the Lambda service itself, retried as AWS recommends. */
export const LAMBDA_SERVICE_ERROR_NAMES = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  // A Lambda that died or ran out of time mid-phase: every phase is idempotent, so run it again.
  'Lambda.Unknown',
  // How newer Lambda runtimes name a function that ran out of its own timeout.
  'Sandbox.Timedout',
  'States.Timeout',
] as const;

/**
 * The retrier of every phase: a transient failure is retried up to 4 times (after about 2, 4,
 * 8 and 16 s, fully jittered, never over 30 s); what still fails goes to the clean-up and the
 * next scheduled attempt.
 */
export const SHARED_RETRIER: Retrier = {
  ErrorEquals: [...RETRYABLE_ERROR_NAMES, ...LAMBDA_SERVICE_ERROR_NAMES],
  IntervalSeconds: 2,
  MaxAttempts: 4,
  BackoffRate: 2,
  MaxDelaySeconds: 30,
  JitterStrategy: 'FULL',
};

/** The run's event (core/run-event.ts): a throttled or briefly unavailable EventBridge gets a few more tries, then the run ends as it would have. */
const PUBLISH_RETRIER: Retrier = { ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: 'FULL' };
const PUBLISH_REASON =
  'publishing the run outcome to EventBridge is best effort: whatever PutEvents fails with is tried again with backoff, ' +
  'and then caught so that the run still ends in the state it had reached';

/** The Tasks that retry otherwise, and why. */
export const RETRIER_EXCEPTIONS: Readonly<Record<string, { readonly reason: string; readonly retriers: readonly Retrier[] }>> = {
  ...Object.fromEntries(
    ['PublishHeldBack', 'PublishIssued', 'PublishOutputsRepaired', 'PublishFailure', 'PublishFailureWithoutCleanUp'].map((name) => [
      name,
      { reason: PUBLISH_REASON, retriers: [PUBLISH_RETRIER] },
    ]),
  ),
  CleanUpAfterFailure: {
    reason:
      'the last chance to remove TXT values, record the failure and schedule the next attempt before the run fails; ' +
      'the clean-up is idempotent, so whatever it failed with is worth a few more tries',
    retriers: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: 'FULL' }],
  },
};

/** The `Retry` a Task of renewal.asl.json must carry. */
export function retriersOf(taskName: string): readonly Retrier[] {
  return RETRIER_EXCEPTIONS[taskName]?.retriers ?? [SHARED_RETRIER];
}
