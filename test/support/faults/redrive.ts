/**
 * Step Functions redrive, emulated: the very same definition, started at the Task that failed
 * with the input that Task was entered with, under the same execution id (a redriven
 * execution keeps its ARN). Everything after that Task runs as it would on AWS.
 */
import '../../../cli/local/polyfill.js';
import { StateMachine } from 'aws-local-stepfunctions';
import { localDefinition, taskFunctions } from '../../../cli/local/definition.js';
import { type EventLog, type LocalRunOptions, type LocalRunResult, localDependencies } from '../../../cli/local/runner.js';
import { type FunctionName, bindPhases } from '../../../functions/phases/index.js';

export async function redrive(fromState: string, input: { run?: { id: string } }, options: LocalRunOptions): Promise<Omit<LocalRunResult, 'certificatePath'>> {
  const definition = { ...localDefinition(), StartAt: fromState };
  const handlers = bindPhases(localDependencies(options));
  const local: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const [state, functionName] of taskFunctions(definition)) local[state] = handlers[functionName as FunctionName];
  const executionId = input.run?.id ?? 'arn:aws:states:local:000000000000:execution:certstep-renewal:redriven';
  // The validator would refuse states that are unreachable from the new StartAt; the same
  // definition was validated whole by the run that failed.
  const machine = new StateMachine(definition as never, { validationOptions: { noValidate: true } });
  const execution = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: local as never },
    context: { Execution: { Id: executionId, Name: executionId.split(':').at(-1), StartTime: new Date().toISOString(), RedriveCount: 1 } } as never,
  });
  const events: EventLog[] = [];
  const collecting = (async () => {
    for await (const event of execution.eventLogs) events.push(event as unknown as EventLog);
  })();
  const output = await execution.result.catch(() => undefined);
  await collecting;
  const failed = events.find((event) => event.type === 'ExecutionFailed') as { Error?: string; Cause?: string } | undefined;
  return failed || output === undefined
    ? { status: 'FAILED', error: failed?.Error ?? 'States.Runtime', cause: String(failed?.Cause ?? ''), events }
    : { status: 'SUCCEEDED', output: output as unknown as LocalRunResult['output'], events };
}
