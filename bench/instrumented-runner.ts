/**
 * runLocal (cli/local/runner.ts) with one addition the cost section needs: every Task handler
 * can be wrapped, to time each invocation and attribute API calls to it. Everything else is
 * certstep's own code imported as is (definition, handlers, adapters, polling), the
 * StateMachine is built once per process as runLocal does since commit 2e36623, and the
 * execution record runLocal writes under executions/<name>/ is written the same way.
 * If runLocal changes, keep this in step with it.
 */
import '../cli/local/polyfill.js';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { localDefinition, taskFunctions } from '../cli/local/definition.js';
import { PUT_EVENTS_RESOURCE } from '../cli/local/events.js';
import { type EventLog, type LocalRunOptions, type LocalRunResult, localResourceHandlers } from '../cli/local/runner.js';
import type { FunctionName } from '../functions/phases/index.js';

const definition = localDefinition();
let machine: StateMachine | undefined;

/** Lets the cost section time each Task handler and attribute API calls to it. */
export type WrapHandler = (stateName: string, functionName: string, handler: (input: unknown) => Promise<unknown>) => (input: unknown) => Promise<unknown>;

export async function runLocalInstrumented(options: LocalRunOptions, wrap?: WrapHandler): Promise<LocalRunResult> {
  machine ??= new StateMachine(definition as never, { validationOptions: { checkArn: true, checkPaths: true } });
  const handlers = localResourceHandlers(options);
  const taskResourceLocalHandlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const [stateName, functionName] of taskFunctions(definition)) {
    const handler = handlers[functionName as FunctionName | typeof PUT_EVENTS_RESOURCE];
    if (!handler) throw new Error(`Task ${stateName} (${functionName}) has no local handler`);
    // PutEvents is a service integration, not a Lambda: nothing to time or attribute to a function.
    const lambda = functionName !== PUT_EVENTS_RESOURCE;
    taskResourceLocalHandlers[stateName] = wrap && lambda ? wrap(stateName, functionName, handler) : handler;
  }
  const executionId = `arn:aws:states:local:000000000000:execution:certstep-renewal:${randomUUID()}`;
  const execution = machine.run(options.input as never, {
    overrides: { taskResourceLocalHandlers: taskResourceLocalHandlers as never },
    context: { Execution: { Id: executionId, Name: executionId.split(':').at(-1), StartTime: new Date().toISOString() } },
  });
  const events: EventLog[] = [];
  const collecting = (async () => {
    for await (const event of execution.eventLogs) events.push(event as unknown as EventLog);
  })();
  let output: LocalRunResult['output'];
  try {
    output = (await execution.result) as unknown as LocalRunResult['output'];
  } catch {
    output = undefined;
  }
  await collecting;
  await recordExecution(options, executionId, events).catch(() => undefined);
  const failed = events.find((event) => event.type === 'ExecutionFailed') as { Error?: string; Cause?: unknown } | undefined;
  if (failed || output === undefined) {
    return { status: 'FAILED', error: failed?.Error ?? 'States.Runtime', cause: String(failed?.Cause ?? 'unknown'), events, certificatePath: '' };
  }
  return { status: 'SUCCEEDED', output, events, certificatePath: '' };
}

/** As runLocal's (not exported there): the run's summary and history under executions/<name>/. */
async function recordExecution(options: LocalRunOptions, executionId: string, events: EventLog[]): Promise<void> {
  const name = (options.input as { certificate?: { name?: string } }).certificate?.name ?? 'unknown';
  const started = events.find((event) => event.type === 'ExecutionStarted')?.timestamp ?? Date.now();
  const failed = events.find((event) => event.type === 'ExecutionFailed') as { Error?: string; Cause?: unknown } | undefined;
  const summary = {
    executionId,
    status: failed ? 'FAILED' : 'SUCCEEDED',
    startedAt: new Date(started).toISOString(),
    stoppedAt: new Date(events.at(-1)?.timestamp ?? Date.now()).toISOString(),
    ...(failed && { error: failed.Error, cause: failed.Cause }),
    input: options.input,
    events,
  };
  const directory = path.join(options.storeDir, 'executions', name);
  await mkdir(directory, { recursive: true });
  await writeFile(
    path.join(directory, `${summary.startedAt.replace(/[:.]/g, '-')}-${executionId.split(':').at(-1)}.json`),
    `${JSON.stringify(summary, null, 2)}\n`,
  );
}
