/**
 * Every Task of statemachine/renewal.asl.json adds `taskContext` to its Lambda's input: the
 * execution's ARN and the Task's own state name, so that every log line can name them (a
 * Lambda learns nothing of the execution that invoked it otherwise). Parameters cannot add a
 * field to the whole state, so a Task that passes the whole state puts it under `taskInput`.
 * Opening the envelope gives each phase exactly the input it had before the envelope existed.
 */
export interface TaskContext {
  readonly executionArn?: string;
  readonly stateName?: string;
}

export interface OpenedTaskInput {
  readonly payload: unknown;
  readonly context: TaskContext;
}

export function openTaskInput(input: unknown): OpenedTaskInput {
  if (!isRecord(input) || !isRecord(input.taskContext)) return { payload: input, context: {} };
  const { taskContext, ...rest } = input;
  const context: TaskContext = {
    ...(typeof taskContext.executionArn === 'string' && { executionArn: taskContext.executionArn }),
    ...(typeof taskContext.stateName === 'string' && { stateName: taskContext.stateName }),
  };
  return { payload: 'taskInput' in rest ? rest.taskInput : rest, context };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
