/**
 * statemachine/renewal.asl.json is deployed by CDK and executed by the local runner, so its
 * invariants are checked here rather than hoped for.
 */
import '../../cli/local/polyfill.js';
import { readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { renderMermaid, DIAGRAM_END, DIAGRAM_START } from '../../cli/diagram.js';
import { type AslState, functionNameOf, localDefinition, readDefinitionText, substitutionNames, taskFunctions } from '../../cli/local/definition.js';
import { PUT_EVENTS_RESOURCE } from '../../cli/local/events.js';
import {
  LAMBDA_SERVICE_ERROR_NAMES,
  RETRIER_EXCEPTIONS,
  RETRY_AFTER_ERROR_NAMES,
  RETRYABLE_ERROR_NAMES,
  type Retrier,
  retriersOf,
} from '../../functions/core/retry-policy.js';
import { openTaskInput } from '../../functions/core/task-input.js';
import { FUNCTION_NAMES } from '../../functions/phases/index.js';

const text = readDefinitionText();
const raw = JSON.parse(text) as { States: Record<string, AslState>; StartAt: string; QueryLanguage?: string };
const definition = localDefinition(text);
const tasks = Object.entries(definition.States).filter(([, state]) => state.Type === 'Task');
/** The phases; the other Tasks are the optimized putEvents integration (test/asl/run-events.test.ts). */
const lambdaTasks = tasks.filter(([, state]) => state.Resource !== PUT_EVENTS_RESOURCE);

describe('renewal.asl.json', () => {
  it('is valid Amazon States Language once its substitutions are filled', () => {
    // Act
    const { isValid, errorsText } = aslValidator(definition as never, { checkArn: true, checkPaths: true });

    // Assess
    expect(isValid, errorsText('\n')).toBe(true);
  });

  it('uses JSONPath, the only query language the local runner executes', () => {
    expect(raw.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
    expect(text).not.toMatch(/"(Output|Assign|Arguments)"\s*:/);
  });

  it('has a Lambda for every substitution, and a substitution behind every Task but the putEvents ones', () => {
    // Prepare
    const substituted = substitutionNames(text);

    // Assess
    expect(substituted.every((name) => name.endsWith('FunctionArn'))).toBe(true);
    expect(substituted.map(functionNameOf).sort()).toEqual([...FUNCTION_NAMES].sort());
    for (const [name, state] of Object.entries(raw.States)) {
      if (state.Type === 'Task' && state.Resource !== PUT_EVENTS_RESOURCE) expect(state.Resource, name).toMatch(/^\$\{[A-Za-z]+FunctionArn\}$/);
    }
  });

  it('binds every Task to a local handler, so the local runner never calls real AWS', () => {
    // Act
    const bound = taskFunctions(definition);

    // Assess
    expect(bound.size).toBe(tasks.length);
    for (const [stateName, functionName] of bound) expect([...FUNCTION_NAMES, PUT_EVENTS_RESOURCE], stateName).toContain(functionName);
  });

  it.each(tasks.map(([name]) => name))('%s retries every transient error by class name', (name) => {
    // Prepare
    const state = definition.States[name] as AslState;
    const retried = new Set((state.Retry ?? []).flatMap((retrier) => retrier.ErrorEquals));

    // Assess
    if (retried.has('States.ALL')) return;
    for (const error of [...RETRYABLE_ERROR_NAMES, ...LAMBDA_SERVICE_ERROR_NAMES]) {
      expect(retried.has(error), `${name} retries ${error}`).toBe(true);
    }
    expect(retried.has('InvalidInput')).toBe(false);
  });

  it.each(tasks.map(([name]) => name))('%s carries exactly the retriers of core/retry-policy.ts', (name) => {
    // Prepare: the same error names in any order; every other field as written.
    const normalized = (retriers: readonly Retrier[]) => retriers.map((retrier) => ({ ...retrier, ErrorEquals: [...retrier.ErrorEquals].sort() }));
    const state = definition.States[name] as AslState & { Retry?: Retrier[] };

    // Assess
    expect(normalized(state.Retry ?? [])).toEqual(normalized(retriersOf(name)));
  });

  it('names only existing Tasks among the retrier exceptions, each with its reason', () => {
    for (const [name, exception] of Object.entries(RETRIER_EXCEPTIONS)) {
      expect(definition.States[name]?.Type, name).toBe('Task');
      expect(exception.reason.length, name).toBeGreaterThan(20);
    }
  });

  it.each(tasks.map(([name]) => name))('%s never retries what the CA asked to retry later: the failure path waits for its Retry-After', (name) => {
    // Prepare
    const state = definition.States[name] as AslState;
    const retried = new Set((state.Retry ?? []).flatMap((retrier) => retrier.ErrorEquals));

    // Assess
    if (name === 'CleanUpAfterFailure') return;
    for (const error of RETRY_AFTER_ERROR_NAMES) expect(retried.has(error), `${name} retries ${error}`).toBe(false);
  });

  it.each(lambdaTasks.map(([name]) => name))('%s catches States.ALL into the clean-up that ends in a Fail state', (name) => {
    // Prepare
    const state = definition.States[name] as AslState;
    const catchAll = (state.Catch ?? []).find((catcher) => catcher.ErrorEquals.includes('States.ALL'));

    // Assess
    expect(catchAll, `${name} has a Catch of States.ALL`).toBeDefined();
    const target = catchAll?.Next as string;
    if (name === 'CleanUpAfterFailure') {
      // Through a Choice and a Pass that put the original failure and the clean-up's together.
      const reports = (definition.States[target]?.Choices ?? []).map((choice) => choice.Next).concat(definition.States[target]?.Default ?? []);
      expect(reports.length).toBe(3);
      for (const report of reports) {
        expect(definition.States[report]).toMatchObject({ Type: 'Pass', ResultPath: '$.report', Next: 'IsDryRunFailureWithoutCleanUp' });
      }
      // A dry run ends in its own Fail state, without the event (see run-events.test.ts).
      expect(definition.States.IsDryRunFailureWithoutCleanUp).toMatchObject({ Type: 'Choice', Default: 'PublishFailureWithoutCleanUp' });
      expect(definition.States.IsDryRunFailureWithoutCleanUp?.Choices?.map((choice) => choice.Next)).toEqual(['DryRunFailedWithoutCleanUp']);
      expect(definition.States.DryRunFailedWithoutCleanUp).toMatchObject({ Type: 'Fail', ErrorPath: '$.report.error', CausePath: '$.report.cause' });
      expect(definition.States.PublishFailureWithoutCleanUp?.Next).toBe('FailedWithoutCleanUp');
      expect(definition.States.FailedWithoutCleanUp).toMatchObject({ Type: 'Fail', ErrorPath: '$.report.error', CausePath: '$.report.cause' });
      return;
    }
    expect(target).toBe('CleanUpAfterFailure');
    expect(definition.States.CleanUpAfterFailure?.Next).toBe('IsDryRunFailure');
    expect(definition.States.IsDryRunFailure).toMatchObject({ Type: 'Choice', Default: 'PublishFailure' });
    expect(definition.States.IsDryRunFailure?.Choices?.map((choice) => choice.Next)).toEqual(['DryRunFailed']);
    expect(definition.States.DryRunFailed).toMatchObject({ Type: 'Fail', ErrorPath: '$.cleanUp.error', CausePath: '$.cleanUp.cause' });
    expect(definition.States.PublishFailure?.Next).toBe('Failed');
    expect(definition.States.Failed).toMatchObject({ Type: 'Fail', ErrorPath: '$.cleanUp.error', CausePath: '$.cleanUp.cause' });
  });

  it.each(lambdaTasks.map(([name]) => name))('%s hands its Lambda the execution ARN and its own state name beside its usual input', (name) => {
    // Prepare
    const { taskContext, ...input } = (definition.States[name]?.Parameters ?? {}) as Record<string, unknown>;

    // Assess
    // A literal state name: aws-local-stepfunctions 3.0 has no $$.State in its context object.
    expect(taskContext).toEqual({ 'executionArn.$': '$$.Execution.Id', stateName: name });
    // Either the whole state under taskInput, or the Task's own Parameters as they were.
    if ('taskInput.$' in input) expect(input).toEqual({ 'taskInput.$': '$' });
    else expect(Object.keys(input).length).toBeGreaterThan(0);
  });

  it.each(lambdaTasks.map(([name]) => name))('%s resolves its envelope in the local runner, and its phase gets what the Task selects', async (name) => {
    // Prepare
    const state = { certificate: { name: 'web' }, order: { url: 'o' }, validation: { attempts: 1 }, issuance: { attempts: 2 } };
    const task = definition.States[name] as AslState;
    const alone = { StartAt: name, States: { [name]: { Type: 'Task', Resource: task.Resource, Parameters: task.Parameters, End: true } } };
    const received: unknown[] = [];
    const executionId = 'arn:aws:states:local:000000000000:execution:certstep-renewal:asl-test';

    // Act
    await new StateMachine(alone as never).run(state as never, {
      overrides: {
        taskResourceLocalHandlers: {
          [name]: async (input: unknown) => {
            received.push(input);
            return {};
          },
        } as never,
      },
      context: { Execution: { Id: executionId } },
    }).result;

    // Assess
    const opened = openTaskInput(received[0]);
    expect(opened.context).toEqual({ executionArn: executionId, stateName: name });
    const { taskContext: _context, ...selection } = task.Parameters as Record<string, unknown>;
    if ('taskInput.$' in selection) expect(opened.payload).toEqual(state);
    else
      expect(Object.keys(opened.payload as object).sort()).toEqual(
        Object.keys(selection)
          .map((key) => key.replace(/\.\$$/, ''))
          .sort(),
      );
  });

  it('routes every failure Pass state through clean-up', () => {
    const failures = Object.entries(definition.States).filter(([, state]) => state.Type === 'Pass' && state.Next !== 'IsDryRunFailureWithoutCleanUp');
    expect(failures.length).toBeGreaterThanOrEqual(5);
    for (const [name, state] of failures) {
      expect(state.Next, name).toBe('CleanUpAfterFailure');
      expect(state.ResultPath, name).toBe('$.failure');
    }
  });

  it('waits in Wait states driven by the handlers, and bounds every polling loop', () => {
    // Prepare
    const waits = Object.entries(definition.States).filter(([, state]) => state.Type === 'Wait');
    const choices = Object.values(definition.States).filter((state) => state.Type === 'Choice');

    // Assess
    expect(waits.map(([name]) => name).sort()).toEqual(['WaitForCertificate', 'WaitForPropagation', 'WaitForValidation']);
    for (const [, wait] of waits) expect(wait.SecondsPath).toMatch(/^\$\.\w+\.waitSeconds$/);
    const loopsBack = choices.filter((choice) => JSON.stringify(choice.Choices).includes('"Next":"Wait'));
    for (const choice of loopsBack) expect(JSON.stringify(choice.Choices)).toContain('NumericLessThanPath');
  });

  it('sends the not-due path to a Succeed state without ordering', () => {
    expect(definition.States.IsRenewalDue?.Default).toBe('UpToDate');
    expect(definition.States.UpToDate).toMatchObject({ Type: 'Succeed', Comment: 'certificate is up to date' });
  });

  it('is drawn in the README exactly as it is', () => {
    // Prepare
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = readme.slice(readme.indexOf(DIAGRAM_START), readme.indexOf(DIAGRAM_END));

    // Assess
    expect(block).toContain(`\`\`\`mermaid\n${renderMermaid(definition)}\n\`\`\``);
  });
});
