/**
 * One execution of a definition in aws-local-stepfunctions, each Task answered from a script of
 * outcomes as Lambda or EventBridge would answer it, retries and waits taking no time; what it
 * returns is what a Step Functions history shows: states entered, Task inputs, the end.
 */
import '../../cli/local/polyfill.js';
import { StateMachine } from 'aws-local-stepfunctions';
import type { AslDefinition, AslState } from '../../cli/local/definition.js';
import { PUT_EVENTS_RESOURCE } from '../../cli/local/events.js';
import type { Step } from './asl-coverage.js';
import { type TaskOutcome, lambdaErrorPayload } from './task-endpoints.js';

/**
 * The Cause a Task error carries into the state machine on AWS: a Lambda's error payload as
 * compact JSON, or the PutEvents response with its failed entries. aws-local-stepfunctions uses
 * the thrown error's message as the Cause, so that is where it goes.
 */
export function causeOf(state: AslState, error: { readonly name: string; readonly message: string }): string {
  if (state.Resource === PUT_EVENTS_RESOURCE) return JSON.stringify({ FailedEntryCount: 1, Entries: [{ ErrorCode: error.name, ErrorMessage: error.message }] });
  return JSON.stringify(lambdaErrorPayload(error));
}

export interface LocalRun {
  readonly entered: readonly string[];
  readonly steps: readonly Step[];
  readonly taskInputs: ReadonlyArray<{ readonly state: string; readonly input: unknown }>;
  readonly status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  readonly error?: string;
  readonly cause?: string;
}

export type Decide = (state: string, input: unknown) => TaskOutcome | undefined;

// Building a StateMachine validates the definition, which takes far longer than a run.
const machines = new WeakMap<AslDefinition, StateMachine>();
function machineFor(definition: AslDefinition): StateMachine {
  const machine = machines.get(definition) ?? new StateMachine(definition as never);
  machines.set(definition, machine);
  return machine;
}

/** One execution in aws-local-stepfunctions, each Task answered by `decide`; retries and waits take no time. */
export async function runLocally(definition: AslDefinition, executionArn: string, input: unknown, decide: Decide, maxCalls = 400): Promise<LocalRun> {
  const calls: Array<{ state: string; input: unknown; outcome: TaskOutcome }> = [];
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  const tasks = Object.entries(definition.States).filter(([, state]) => state.Type === 'Task');
  const machine = machineFor(definition);
  let execution: ReturnType<typeof machine.run> | undefined;
  for (const [name] of tasks) {
    handlers[name] = async (taskInput) => {
      const outcome = calls.length < maxCalls ? decide(name, taskInput) : undefined;
      if (!outcome) {
        execution?.abort();
        return {};
      }
      calls.push({ state: name, input: taskInput, outcome });
      // Never answers: aws-local-stepfunctions gives up at the Task's TimeoutSeconds, as Step Functions does.
      if ('timeout' in outcome) return new Promise(() => undefined);
      if ('error' in outcome) throw Object.assign(new Error(causeOf(definition.States[name] as AslState, outcome.error)), { name: outcome.error.name });
      return outcome.result;
    };
  }
  execution = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides: Object.fromEntries(tasks.map(([name]) => [name, 0])) },
    context: { Execution: { Id: executionArn, Name: executionArn.split(':').at(-1) } },
    noThrowOnAbort: true,
  });
  execution.result.catch(() => undefined);
  const entered: Array<{ state: string; input: unknown }> = [];
  let ended: Pick<LocalRun, 'status' | 'error' | 'cause'> = { status: 'ABORTED' };
  for await (const event of execution.eventLogs) {
    const log = event as unknown as { type: string; state?: { name: string; input: unknown }; Error?: string; Cause?: string };
    if (log.type === 'StateEntered' && log.state) entered.push({ state: log.state.name, input: log.state.input });
    if (log.type === 'ExecutionSucceeded') ended = { status: 'SUCCEEDED' };
    if (log.type === 'ExecutionFailed') ended = { status: 'FAILED', error: log.Error, cause: log.Cause };
  }
  // Each entry into a Task owns the attempts made until one succeeds (or the Task gives up).
  const queue = [...calls];
  const steps: Step[] = entered.map(({ state, input: stateInput }) => {
    if (definition.States[state]?.Type !== 'Task') return { state, input: stateInput };
    const errors: string[] = [];
    while (queue[0]?.state === state) {
      const { outcome } = queue.shift() as (typeof calls)[number];
      if ('timeout' in outcome) {
        errors.push('States.Timeout');
        continue;
      }
      if (!('error' in outcome)) return { state, input: stateInput, errors, succeeded: true };
      errors.push(outcome.error.name);
    }
    return { state, input: stateInput, errors, succeeded: false };
  });
  return { entered: entered.map(({ state }) => state), steps, taskInputs: calls.map(({ state, input: taskInput }) => ({ state, input: taskInput })), ...ended };
}

/** Plays a script: the n-th Task call gets the n-th outcome, whichever state makes it. */
export function playing(outcomes: readonly TaskOutcome[]): Decide {
  let next = 0;
  return () => outcomes[next++];
}
