/**
 * X-Ray subsegments for every AWS SDK call, through Powertools Tracer, when the configuration asks
 * for them (`traceAwsCalls`, which the stack passes on as POWERTOOLS_TRACE_ENABLED). Active tracing
 * is on either way (cdk/functions.ts): without this a trace shows each Lambda's init and invocation
 * but not which Secrets Manager, DynamoDB or Route 53 call took the time.
 *
 * Off by default because the X-Ray SDK is not free where it is loaded: it adds about a seventh to
 * the import of a handler (docs/BENCHMARKS.md, section 3) and makes every promise dearer (below),
 * for detail a job that runs a few times a month per certificate rarely needs. Every Lambda's
 * asset carries it in a chunk of its own beside index.mjs (scripts/lambda-bundle.mjs), read
 * only by the dynamic import below, so turning it on is a configuration change and nothing more.
 *
 * The Tracer is loaded only where it would trace. Loading it is not free even when it would not:
 * the X-Ray SDK under it creates its cls-hooked namespace at load, which turns on async hooks for
 * the whole process, and from then on every promise costs about ten times as much (1e6 awaited
 * promises: 71 ms, 771 ms with aws-xray-sdk-core loaded, 1,325 ms with the Tracer, Node 20 here).
 * Outside Lambda that slowed the local runner, the CLI and the tests for nothing.
 */
import type { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * Powertools Tracer's own rule for when it traces (Tracer.setTracingEnabled, 2.x), so that not
 * loading it changes nothing: on Lambda only, not under SAM or Amplify's local mocks, and not when
 * POWERTOOLS_TRACE_ENABLED is "false". test/runtime/tracing.test.ts holds the two to each other.
 */
export function tracingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const executionEnv = env.AWS_EXECUTION_ENV?.trim() ?? '';
  if (env.POWERTOOLS_TRACE_ENABLED?.trim().toLowerCase() === 'false') return false;
  if (executionEnv === '' || executionEnv === 'AWS_Lambda_amplify-mock') return false;
  return (env.AWS_SAM_LOCAL?.trim() ?? '') === '';
}

// Only the AWS SDK: instrumenting https as well would trace (and send an X-Amzn-Trace-Id
// header with) every request to the ACME CA. Loaded once, at init, like every other setting.
const tracer: Tracer | undefined = tracingEnabled()
  ? new (await import('@aws-lambda-powertools/tracer')).Tracer({ serviceName: 'certstep', captureHTTPsRequests: false })
  : undefined;

/** The client, its calls recorded as X-Ray subsegments when tracing is on; untouched otherwise. */
export function traced<Client>(client: Client): Client {
  return tracer ? tracer.captureAWSv3Client(client) : client;
}
