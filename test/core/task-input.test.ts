/** The envelope every Task puts around its Lambda's input (statemachine/renewal.asl.json). */
import { describe, expect, it } from 'vitest';
import { openTaskInput } from '../../functions/core/task-input.js';

const CONTEXT = { executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:certstep-renewal:run-1', stateName: 'CreateOrder' };

describe('openTaskInput', () => {
  it('gives a Task that passes the whole state that state, and the execution and state names apart', () => {
    // Prepare
    const state = { certificate: { name: 'web' }, order: { url: 'https://ca/order/1' } };

    // Act
    const opened = openTaskInput({ taskInput: state, taskContext: CONTEXT });

    // Assess
    expect(opened).toEqual({ payload: state, context: CONTEXT });
  });

  it('gives a Task with its own Parameters those Parameters without the envelope', () => {
    // Act
    const opened = openTaskInput({
      certificate: { name: 'web' },
      order: {},
      previous: { attempts: 1 },
      taskContext: { ...CONTEXT, stateName: 'PollAuthorizations' },
    });

    // Assess
    expect(opened).toEqual({
      payload: { certificate: { name: 'web' }, order: {}, previous: { attempts: 1 } },
      context: { ...CONTEXT, stateName: 'PollAuthorizations' },
    });
  });

  it('keeps CheckRenewal its request, execution id included', () => {
    // Act
    const opened = openTaskInput({ input: null, executionId: CONTEXT.executionArn, taskContext: { ...CONTEXT, stateName: 'CheckRenewal' } });

    // Assess
    expect(opened.payload).toEqual({ input: null, executionId: CONTEXT.executionArn });
  });

  it.each([
    ['null', null],
    ['a string', 'web'],
    ['an array', [{ taskContext: CONTEXT }]],
    ['an EventBridge event', { 'detail-type': 'Scheduled Event', detail: {} }],
    ['an object whose taskContext is not one', { taskContext: 'x', taskInput: 1 }],
  ])('passes %s through untouched, as the sweeps and direct invocations send it', (_label, input) => {
    expect(openTaskInput(input)).toEqual({ payload: input, context: {} });
  });

  it('ignores context fields that are not strings', () => {
    expect(openTaskInput({ taskInput: 1, taskContext: { executionArn: 7, stateName: { name: 'x' } } })).toEqual({ payload: 1, context: {} });
  });
});
