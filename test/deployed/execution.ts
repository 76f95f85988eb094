/**
 * One execution of the deployed definition (DefinitionString with its DefinitionSubstitutions
 * applied) in aws-local-stepfunctions: every Task whose Resource is a function ARN goes to that
 * function in the Lambda harness, the putEvents Tasks go to moto's EventBridge with the state
 * machine role's credentials. A Task resource that is neither fails before the run starts, as
 * the library would otherwise call real AWS for it.
 */
import '../../cli/local/polyfill.js';
import { randomUUID } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import { type AslDefinition, taskFunctions } from '../../cli/local/definition.js';
import { PUT_EVENTS_RESOURCE } from '../../cli/local/events.js';
import type { EventLog } from '../../cli/local/runner.js';
import { type Credentials, jsonCall } from './aws-call.js';
import type { LambdaHarness } from './lambda-harness.js';

export interface DeployedMachine {
  readonly arn: string;
  readonly definition: AslDefinition;
  readonly harness: LambdaHarness;
  readonly moto: { readonly endpoint: string; readonly region: string };
  /** The state machine role's, for the putEvents integration. */
  readonly roleCredentials: () => Promise<Credentials>;
}

export interface ExecutionResult {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly executionArn: string;
  readonly output?: Record<string, unknown>;
  readonly error?: string;
  readonly cause?: string;
  readonly events: EventLog[];
}

/** What Step Functions' optimized integration does: Detail as a JSON string, the answer as PutEvents gives it. */
function putEvents(machine: DeployedMachine): (input: unknown) => Promise<unknown> {
  return async (input) => {
    const entries = ((input as { Entries?: Array<Record<string, unknown>> }).Entries ?? []).map((entry) => ({
      ...entry,
      Detail: typeof entry.Detail === 'string' ? entry.Detail : JSON.stringify(entry.Detail),
    }));
    const target = { endpoint: machine.moto.endpoint, region: machine.moto.region, credentials: await machine.roleCredentials() };
    return jsonCall(target, 'events', 'AWSEvents.PutEvents', '1.1', { Entries: entries });
  };
}

export async function execute(machine: DeployedMachine, input: unknown): Promise<ExecutionResult> {
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  const waits: Record<string, number> = {};
  const retries: Record<string, number> = {};
  for (const [stateName, resource] of taskFunctions(machine.definition)) {
    if (resource === PUT_EVENTS_RESOURCE) handlers[stateName] = putEvents(machine);
    else {
      machine.harness.functionAt(resource);
      handlers[stateName] = (event) => machine.harness.invoke(resource, event);
    }
    retries[stateName] = 200;
  }
  // The definition's waits are for Route 53 and a public CA; Pebble and the wire server answer at once.
  for (const [name, state] of Object.entries(machine.definition.States)) if (state.Type === 'Wait') waits[name] = 300;

  const name = randomUUID();
  const executionArn = `${machine.arn.replace(':stateMachine:', ':execution:')}:${name}`;
  const stateMachine = new StateMachine(machine.definition as never, { validationOptions: { checkArn: true, checkPaths: true } });
  const execution = stateMachine.run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers as never, waitTimeOverrides: waits, retryIntervalOverrides: retries },
    context: {
      Execution: { Id: executionArn, Name: name, StartTime: new Date().toISOString() },
      StateMachine: { Id: machine.arn, Name: machine.arn.split(':').at(-1) },
    },
    noThrowOnAbort: true,
  });
  const events: EventLog[] = [];
  const collecting = (async () => {
    for await (const event of execution.eventLogs) events.push(event as unknown as EventLog);
  })();
  let output: Record<string, unknown> | undefined;
  try {
    output = (await execution.result) as Record<string, unknown>;
  } catch {
    output = undefined;
  }
  await collecting;
  const failed = events.find((event) => event.type === 'ExecutionFailed') as { Error?: string; Cause?: unknown } | undefined;
  if (failed || output === undefined) {
    return { status: 'FAILED', executionArn, error: failed?.Error ?? 'States.Runtime', cause: String(failed?.Cause ?? ''), events };
  }
  return { status: 'SUCCEEDED', executionArn, output, events };
}
