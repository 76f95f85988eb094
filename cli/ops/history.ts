/**
 * Reads an execution history — aws-local-stepfunctions' event log or Step Functions'
 * GetExecutionHistory — for what an operator troubleshooting a run needs: where it failed,
 * which order it worked on, and which TXT records it presented. Only the history is read;
 * the CA is never asked, so describing a run cannot touch rate limits or change anything.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { ChallengeRef } from '../../functions/core/workflow-state.js';

export interface StepEvent {
  readonly kind: 'entered' | 'exited' | 'taskFailed' | 'executionFailed';
  readonly state?: string;
  /** On `entered`: whether the state is a Task (a Pass such as ValidationFailed only reports one). */
  readonly task?: boolean;
  readonly output?: Record<string, unknown>;
}

const CLEAN_UP = 'CleanUpAfterFailure';
const TERMINAL = new Set(['Failed', 'FailedWithoutCleanUp', CLEAN_UP]);

export function fromLocalEvents(events: readonly Record<string, unknown>[]): StepEvent[] {
  const steps: StepEvent[] = [];
  for (const event of events) {
    const state = event.state as { name?: string; type?: string; output?: unknown } | undefined;
    if (event.type === 'StateEntered' && state?.name) steps.push({ kind: 'entered', state: state.name, task: state.type === 'Task' });
    if (event.type === 'StateExited' && state?.name) steps.push({ kind: 'exited', state: state.name, ...objectOutput(state.output) });
    if (event.type === 'StateFailed' && state?.name) steps.push({ kind: 'taskFailed', state: state.name });
    if (event.type === 'ExecutionFailed') steps.push({ kind: 'executionFailed' });
  }
  return steps;
}

const AWS_TASK_FAILURES = new Set([
  'TaskFailed',
  'TaskTimedOut',
  'TaskStartFailed',
  'TaskSubmitFailed',
  'LambdaFunctionFailed',
  'LambdaFunctionTimedOut',
  'LambdaFunctionStartFailed',
  'LambdaFunctionScheduleFailed',
]);

/** Events in the order they happened; the state of a task failure is the one entered last. */
export function fromAwsEvents(events: readonly HistoryEvent[]): StepEvent[] {
  const steps: StepEvent[] = [];
  let current: string | undefined;
  for (const event of [...events].sort((a, b) => (a.id ?? 0) - (b.id ?? 0))) {
    if (event.type === 'ExecutionFailed' || event.type === 'ExecutionTimedOut' || event.type === 'ExecutionAborted') {
      steps.push({ kind: 'executionFailed' });
    } else if (event.type && AWS_TASK_FAILURES.has(event.type)) {
      steps.push({ kind: 'taskFailed', ...(current && { state: current }) });
    } else if (event.stateEnteredEventDetails?.name) {
      current = event.stateEnteredEventDetails.name;
      steps.push({ kind: 'entered', state: current, task: event.type === 'TaskStateEntered' });
    } else if (event.stateExitedEventDetails?.name) {
      steps.push({ kind: 'exited', state: event.stateExitedEventDetails.name, ...objectOutput(parseJson(event.stateExitedEventDetails.output)) });
    }
  }
  return steps;
}

/**
 * How a run ended, in the words of renewal.asl.json's end states, from its status and final
 * output: the output carries the decision IsRenewalDue routed on, so no history is needed.
 */
export function outcomeOf(status: string, output: unknown): string {
  if (status !== 'SUCCEEDED') return { FAILED: 'Failed', TIMED_OUT: 'TimedOut', ABORTED: 'Aborted', RUNNING: 'Running' }[status] ?? status;
  const state = (typeof output === 'object' && output !== null ? output : {}) as {
    issued?: unknown;
    dryRun?: boolean;
    renewal?: { due?: boolean; reason?: string; repair?: boolean };
  };
  // A dry run's test certificate was discarded: it must not read as Issued.
  if (state.dryRun === true && state.issued) return 'DryRunSucceeded';
  if (state.issued) return 'Issued';
  // IsRenewalDue's Choices, in their order.
  if (state.renewal?.due === true) return 'Succeeded';
  if (state.renewal?.reason === 'InProgress') return 'AlreadyInProgress';
  if (state.renewal?.repair === true) return 'OutputsRepaired';
  if (state.renewal?.reason === 'BackingOff') return 'HeldBack';
  return state.renewal ? 'UpToDate' : 'Succeeded';
}

/** A step name that is only the state machine's way out, not where a run went wrong. */
export function isTerminalStep(state: string | undefined): boolean {
  return state === undefined || TERMINAL.has(state);
}

/**
 * Every failure path of renewal.asl.json goes through CleanUpAfterFailure, so the state entered
 * just before it is the one that failed: a Task whose Catch fired, or a Pass such as
 * ValidationFailed, reported with the Task whose result it judged ("PollAuthorizations
 * (ValidationFailed)"). Without that state, the last task failure or the last state stands in.
 */
export function failingStep(steps: readonly StepEvent[]): string | undefined {
  const enteredSteps = steps.filter((step) => step.kind === 'entered');
  const entered = enteredSteps.map((step) => step.state as string);
  const cleanUp = entered.lastIndexOf(CLEAN_UP);
  const before = enteredSteps[cleanUp - 1];
  if (cleanUp > 0 && before) {
    if (before.task) return before.state;
    const task = enteredSteps
      .slice(0, cleanUp - 1)
      .reverse()
      .find((step) => step.task);
    return task ? `${task.state} (${before.state})` : before.state;
  }
  const task = [...steps].reverse().find((step) => step.kind === 'taskFailed' && step.state && !TERMINAL.has(step.state));
  if (task?.state) return task.state;
  if (!steps.some((step) => step.kind === 'executionFailed')) return undefined;
  return [...entered].reverse().find((state) => !TERMINAL.has(state));
}

interface RecordedOrder {
  readonly url: string;
  readonly status: string;
  readonly challenges: readonly ChallengeRef[];
  readonly reusedAuthorizations: readonly string[];
}

export interface RunFacts {
  readonly order?: { readonly url: string; readonly status: string };
  readonly authorizations: readonly { readonly name: string; readonly status: string }[];
  readonly challenges: readonly ChallengeRef[];
}

/**
 * The order and its authorizations as the last state outputs recorded them. The history keeps
 * the order's status, not each authorization's, so those are inferred: all valid once the order
 * was ready, the names the CA's refusal names invalid, pending while it was still validating.
 */
export function runFacts(steps: readonly StepEvent[]): RunFacts {
  const outputs = steps.filter((step) => step.kind === 'exited' && step.output).map((step) => step.output as Record<string, unknown>);
  const last = <T>(field: string) =>
    outputs
      .map((output) => output[field] as T | undefined)
      .filter((value) => value !== undefined)
      .at(-1);
  const order = last<RecordedOrder>('order');
  if (!order || typeof order.url !== 'string') return { authorizations: [], challenges: [] };
  const validation = last<{ status?: string; detail?: string }>('validation');
  const issuance = last<{ status?: string }>('issuance');
  const issued = last<unknown>('issued');
  const status = issued ? 'valid' : (issuance?.status ?? validation?.status ?? order.status);
  const challenges = Array.isArray(order.challenges) ? order.challenges : [];
  const authorizationStatus = (name: string): string => {
    if (issued || issuance || validation?.status === 'ready' || validation?.status === 'valid') return 'valid';
    if (validation?.status === 'invalid') return validation.detail?.includes(`${name}:`) ? 'invalid' : 'not reported (order invalid)';
    return validation ? 'pending' : 'pending (not yet validated)';
  };
  const authorizations = [
    ...challenges.map((challenge) => {
      const name = `${challenge.wildcard ? '*.' : ''}${challenge.dnsName}`;
      return { name, status: authorizationStatus(name) };
    }),
    ...(order.reusedAuthorizations ?? []).map((name) => ({ name, status: 'valid (reused)' })),
  ];
  return { order: { url: order.url, status: String(status) }, authorizations, challenges };
}

function objectOutput(value: unknown): { output?: Record<string, unknown> } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? { output: value as Record<string, unknown> } : {};
}

function parseJson(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
