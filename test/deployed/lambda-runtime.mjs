// One Lambda execution environment: run by the Node.js 22 Lambda runs, it imports the bundle as
// the nodejs22.x runtime does (the import is the init phase, once per process), then answers
// invocations sent over IPC with the handler's result or the error Lambda would report.
// Plain JavaScript and no imports beyond node:, so nothing of the test leaks into the bundle.
import { pathToFileURL } from 'node:url';

const [bundle, functionName, invokedFunctionArn, memory] = process.argv.slice(2);

function lambdaError(error) {
  const failure = error instanceof Error ? error : new Error(String(error));
  return { errorType: failure.name || 'Error', errorMessage: failure.message, trace: (failure.stack ?? '').split('\n') };
}

let handler;
let initError;
try {
  const module = await import(pathToFileURL(bundle).href);
  handler = module.handler;
  if (typeof handler !== 'function')
    initError = { errorType: 'Runtime.HandlerNotFound', errorMessage: `index.handler is undefined or not exported`, trace: [] };
} catch (error) {
  initError = lambdaError(error);
}

process.on('message', async ({ id, event, timeoutMs, traceId }) => {
  if (initError) {
    process.send({ id, error: initError });
    return;
  }
  const deadline = Date.now() + timeoutMs;
  // Lambda sets the trace header per invocation; Powertools Tracer reads it from the environment.
  process.env._X_AMZN_TRACE_ID = traceId;
  const context = {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn,
    memoryLimitInMB: memory,
    awsRequestId: id,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${process.pid}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const result = await handler(event, context);
    process.send({ id, result: result === undefined ? null : result });
  } catch (error) {
    process.send({ id, error: lambdaError(error) });
  }
});
process.send({ ready: true });
