/**
 * The wrapper of every Lambda entry: every line of an invocation names the execution, the state
 * and the certificate; a failure leaves one error line and reaches Step Functions untouched.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type LambdaContext, lambdaHandler } from '../../functions/runtime/handler.js';
import { log } from '../../functions/runtime/log.js';

const EXECUTION = 'arn:aws:states:eu-west-1:123456789012:execution:certstep-renewal:run-1';
const KEY_PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';

const LAMBDA_CONTEXT = {
  functionName: 'certstep-CreateOrder',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:certstep-CreateOrder',
  memoryLimitInMB: '256',
  awsRequestId: 'request-1',
  logGroupName: '/aws/lambda/certstep-CreateOrder',
  logStreamName: 'stream',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 60_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} as unknown as LambdaContext;

class AcmeServerError extends Error {
  override readonly name = 'AcmeServerError';
  readonly retryable = true;
}

let lines: { stream: 'stdout' | 'stderr'; line: Record<string, unknown>; text: string }[];

beforeEach(() => {
  lines = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    vi.spyOn(process[stream], 'write').mockImplementation((chunk: string | Uint8Array) => {
      for (const text of String(chunk).split('\n').filter(Boolean)) lines.push({ stream, line: JSON.parse(text) as Record<string, unknown>, text });
      return true;
    });
  }
});
afterEach(() => vi.restoreAllMocks());

describe('lambdaHandler', () => {
  it('hands the phase its state without the envelope, and names execution, state and certificate on every line', async () => {
    // Prepare
    const received: unknown[] = [];
    const handler = lambdaHandler('CreateOrder', async (state: { certificate: { name: string } }) => {
      received.push(state);
      log('INFO', 'Order placed', { order: 'https://ca/order/1' });
      return { status: 'pending' };
    });

    // Act
    const output = await handler(
      { taskInput: { certificate: { name: 'web' } }, taskContext: { executionArn: EXECUTION, stateName: 'CreateOrder' } },
      LAMBDA_CONTEXT,
    );

    // Assess
    expect(output).toEqual({ status: 'pending' });
    expect(received).toEqual([{ certificate: { name: 'web' } }]);
    expect(lines.map(({ line }) => line.message)).toEqual(['Order placed', 'CreateOrder done']);
    for (const { line } of lines) {
      expect(line).toMatchObject({
        level: 'INFO',
        service: 'certstep',
        executionArn: EXECUTION,
        state: 'CreateOrder',
        certificate: 'web',
        function_request_id: 'request-1',
      });
    }
    expect(lines[1]?.line).toMatchObject({ phase: 'CreateOrder', ms: expect.any(Number) });
  });

  it('strips the envelope from a Task with its own Parameters (PollOrder)', async () => {
    // Prepare
    const received: unknown[] = [];
    const handler = lambdaHandler('PollOrder', async (input: unknown) => received.push(input));

    // Act
    await handler({
      certificate: { name: 'api' },
      order: { url: 'o' },
      previous: { attempts: 2 },
      taskContext: { executionArn: EXECUTION, stateName: 'PollFinalizedOrder' },
    });

    // Assess
    expect(received).toEqual([{ certificate: { name: 'api' }, order: { url: 'o' }, previous: { attempts: 2 } }]);
    expect(lines[0]?.line).toMatchObject({ executionArn: EXECUTION, state: 'PollFinalizedOrder', certificate: 'api' });
  });

  it('keeps CheckRenewal its { input, executionId } request and finds the certificate inside it', async () => {
    // Prepare
    const received: unknown[] = [];
    const handler = lambdaHandler('CheckRenewal', async (request: unknown) => received.push(request));

    // Act
    await handler({ input: { certificate: { name: 'web' } }, executionId: EXECUTION, taskContext: { executionArn: EXECUTION, stateName: 'CheckRenewal' } });

    // Assess
    expect(received).toEqual([{ input: { certificate: { name: 'web' } }, executionId: EXECUTION }]);
    expect(lines[0]?.line).toMatchObject({ message: 'CheckRenewal done', executionArn: EXECUTION, state: 'CheckRenewal', certificate: 'web' });
  });

  it('logs one error line with name, message and retryable, and rethrows the very same error', async () => {
    // Prepare
    const thrown = new AcmeServerError('the CA answered 503');
    const handler = lambdaHandler('CreateOrder', async () => {
      throw thrown;
    });

    // Act
    const caught = await handler({ taskInput: { certificate: { name: 'web' } }, taskContext: { executionArn: EXECUTION, stateName: 'CreateOrder' } }).catch(
      (error: unknown) => error,
    );

    // Assess
    expect(caught).toBe(thrown);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.stream).toBe('stderr');
    expect(lines[0]?.line).toMatchObject({
      level: 'ERROR',
      message: 'CreateOrder failed',
      phase: 'CreateOrder',
      executionArn: EXECUTION,
      state: 'CreateOrder',
      certificate: 'web',
      error: 'AcmeServerError',
      detail: 'the CA answered 503',
      retryable: true,
    });
  });

  it('forgets one invocation’s execution and certificate before the next one in the same container', async () => {
    // Prepare
    const handler = lambdaHandler('Sweep', async () => log('INFO', 'Sweep started a run', { certificate: 'api' }));
    const task = lambdaHandler('CreateOrder', async () => undefined);
    await task({ taskInput: { certificate: { name: 'web' } }, taskContext: { executionArn: EXECUTION, stateName: 'CreateOrder' } });
    lines = [];

    // Act
    await handler({ 'detail-type': 'Scheduled Event' });

    // Assess
    expect(lines.map(({ line }) => line.message)).toEqual(['Sweep started a run', 'Sweep done']);
    expect(lines[0]?.line).toMatchObject({ certificate: 'api' });
    for (const { line } of lines) {
      expect(line).not.toHaveProperty('executionArn');
      expect(line).not.toHaveProperty('state');
    }
    expect(lines[1]?.line).not.toHaveProperty('certificate');
  });

  it('takes the execution and certificate from the event of an entry that is not a Task', async () => {
    // Prepare
    const handler = lambdaHandler(
      'SweepEndedRun',
      async () => ({ swept: true }),
      (event: { detail: { executionArn: string } }) => ({ executionArn: event.detail.executionArn, certificate: 'web' }),
    );

    // Act
    await handler({ detail: { executionArn: EXECUTION, status: 'TIMED_OUT' } });

    // Assess
    expect(lines[0]?.line).toMatchObject({ message: 'SweepEndedRun done', executionArn: EXECUTION, certificate: 'web' });
    expect(lines[0]?.line).not.toHaveProperty('state');
  });

  it('never writes the input itself, so no key material reaches the log', async () => {
    // Prepare
    const handler = lambdaHandler('StoreCertificate', async () => {
      throw new AcmeServerError('download failed');
    });

    // Act
    await handler(
      { taskInput: { certificate: { name: 'web' }, pendingKey: KEY_PEM }, taskContext: { executionArn: EXECUTION, stateName: 'StoreCertificate' } },
      LAMBDA_CONTEXT,
    ).catch(() => undefined);

    // Assess
    expect(lines.length).toBeGreaterThan(0);
    for (const { text } of lines) expect(text).not.toContain('PRIVATE KEY');
  });
});
