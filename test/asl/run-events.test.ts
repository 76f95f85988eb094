/**
 * Every run that ends issued, repaired, held back or failed tells EventBridge so, from the
 * state machine itself (the optimized putEvents integration), and publishing can neither turn
 * a success into a failure nor hide the failure a run really had.
 */
import '../../cli/local/polyfill.js';
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { type AslState, localDefinition } from '../../cli/local/definition.js';
import { PUT_EVENTS_RESOURCE } from '../../cli/local/events.js';
import { DETAIL_TYPES, EVENT_SOURCE } from '../../functions/core/run-event.js';

const definition = localDefinition();
const states = definition.States;

/** The end state → the detail-type the run announces on its way there. */
const ANNOUNCED: Record<string, string> = {
  Issued: DETAIL_TYPES.Issued,
  OutputsRepaired: DETAIL_TYPES.OutputsRepaired,
  HeldBack: DETAIL_TYPES.HeldBack,
  Failed: DETAIL_TYPES.Failed,
  FailedWithoutCleanUp: DETAIL_TYPES.Failed,
};
/** Nothing changed (UpToDate), another execution will announce it (AlreadyInProgress), or a dry run, which notifies no one. */
const SILENT = ['AlreadyInProgress', 'UpToDate', 'DryRunSucceeded', 'DryRunFailed', 'DryRunFailedWithoutCleanUp'];

function successors(state: AslState): string[] {
  return [state.Next, state.Default, ...(state.Choices ?? []).map((choice) => choice.Next), ...(state.Catch ?? []).map((catcher) => catcher.Next)].filter(
    (next): next is string => typeof next === 'string',
  );
}

const predecessors = (target: string) => Object.entries(states).filter(([, state]) => successors(state).includes(target));
const publishers = Object.entries(states).filter(([, state]) => state.Type === 'Task' && state.Resource === PUT_EVENTS_RESOURCE);
const entryOf = (state: AslState) => (state.Parameters as { Entries: Record<string, unknown>[] }).Entries;

describe('run events in renewal.asl.json', () => {
  it('announces every end but up-to-date and already-in-progress, right before it, with the detail-type of that end', () => {
    // Prepare
    const ends = Object.entries(states).filter(([, state]) => state.Type === 'Succeed' || state.Type === 'Fail');

    // Assess
    expect(ends.map(([name]) => name).sort()).toEqual([...Object.keys(ANNOUNCED), ...SILENT].sort());
    for (const [end] of ends) {
      const before = predecessors(end);
      expect(before.length, end).toBeGreaterThan(0);
      for (const [name, state] of before) {
        if (SILENT.includes(end)) {
          expect(state.Resource, `${name} → ${end}`).not.toBe(PUT_EVENTS_RESOURCE);
          continue;
        }
        expect(state.Resource, `${name} → ${end} publishes first`).toBe(PUT_EVENTS_RESOURCE);
        expect(entryOf(state), name).toEqual([expect.objectContaining({ Source: EVENT_SOURCE, DetailType: ANNOUNCED[end] })]);
      }
    }
  });

  it.each(publishers.map(([name]) => name))('%s goes on to its end whether PutEvents succeeds or not, after retrying with backoff', (name) => {
    // Prepare
    const state = states[name] as AslState & { Retry: { ErrorEquals: string[]; MaxAttempts: number; BackoffRate: number; IntervalSeconds: number }[] };
    const end = state.Next as string;

    // Assess
    expect(['Succeed', 'Fail']).toContain(states[end]?.Type);
    expect(state.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.publishFailure', Next: end }]);
    expect(state.Retry).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'] })]);
    expect(state.Retry[0]?.MaxAttempts).toBeGreaterThanOrEqual(2);
    expect(state.Retry[0]?.BackoffRate).toBeGreaterThan(1);
    // The Fail state after it reads the state as it was; the result of PutEvents is not needed.
    expect(state.ResultPath).toBeNull();
    // The default bus: no EventBusName, so the role's PutEvents stays on that bus alone.
    const [entry] = entryOf(state);
    expect(Object.keys(entry ?? {}).sort()).toEqual(['Detail.$', 'DetailType', 'Source']);
    expect(['$.cleanUp.event', '$.event', '$.report']).toContain(entry?.['Detail.$']);
  });
});

/** Runs the real definition with stand-in Tasks; unknown Tasks throw so nothing can reach AWS. */
async function runWith(handlers: Record<string, (input: unknown) => Promise<unknown>>) {
  const all: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Task')
      all[name] = handlers[name] ?? (handlers[state.Resource as string] as never) ?? (async () => Promise.reject(new Error(`${name} not expected`)));
  }
  const retryIntervalOverrides = Object.fromEntries(Object.keys(all).map((name) => [name, 0]));
  const execution = new StateMachine(definition as never).run({ certificate: { name: 'web' } } as never, {
    overrides: { taskResourceLocalHandlers: all as never, retryIntervalOverrides },
    context: { Execution: { Id: 'arn:aws:states:local:000000000000:execution:certstep-renewal:events-test' } },
    noThrowOnAbort: true,
  });
  // The outcome is read from the history; a failed execution's rejected result is expected.
  execution.result.catch(() => undefined);
  const entered: string[] = [];
  const ended: { type?: string; Error?: string; Cause?: string } = {};
  for await (const event of execution.eventLogs) {
    const log = event as unknown as { type: string; state?: { name: string }; Error?: string; Cause?: string };
    if (log.type === 'StateEntered' && log.state) entered.push(log.state.name);
    if (log.type === 'ExecutionFailed' || log.type === 'ExecutionSucceeded') Object.assign(ended, { type: log.type, Error: log.Error, Cause: log.Cause });
  }
  return { entered, ended };
}

class Refused extends Error {
  override readonly name = 'EventBridge.AccessDeniedException';
}
const failingPublish = () => {
  const calls: unknown[] = [];
  return {
    calls,
    handler: async (input: unknown) => {
      calls.push(input);
      throw new Refused('not authorized to perform events:PutEvents');
    },
  };
};

describe('a publish that fails', () => {
  it('still ends a held-back run in HeldBack, a success, after its retries', async () => {
    // Prepare
    const publish = failingPublish();
    const event = { certificateName: 'web', executionArn: 'x', outcome: 'HeldBack', acmCertificateArns: {} };

    // Act
    const { entered, ended } = await runWith({
      CheckRenewal: async () => ({ certificate: { name: 'web' }, renewal: { due: false, reason: 'BackingOff', repair: false }, event }),
      [PUT_EVENTS_RESOURCE]: publish.handler,
    });

    // Assess
    expect(ended.type).toBe('ExecutionSucceeded');
    expect(entered.at(-1)).toBe('HeldBack');
    expect(publish.calls).toHaveLength(4);
    expect(publish.calls[0]).toEqual({ Entries: [{ Source: 'certstep', DetailType: 'Certificate Renewal Held Back', Detail: event }] });
  });

  it('leaves the failed run failing with its own error and cause', async () => {
    // Prepare
    const publish = failingPublish();
    class InvalidInput extends Error {
      override readonly name = 'InvalidInput';
    }

    // Act
    const { entered, ended } = await runWith({
      CheckRenewal: async () => Promise.reject(new InvalidInput('certificate.dnsNames: required')),
      CleanUpAfterFailure: async () => ({ removed: 0, error: 'InvalidInput', cause: 'certificate.dnsNames: required', event: { outcome: 'Failed' } }),
      [PUT_EVENTS_RESOURCE]: publish.handler,
    });

    // Assess
    expect(entered.slice(-2)).toEqual(['PublishFailure', 'Failed']);
    expect(ended).toMatchObject({ type: 'ExecutionFailed', Error: 'InvalidInput', Cause: 'certificate.dnsNames: required' });
    expect(publish.calls.length).toBeGreaterThan(1);
  });

  it('announces a failure whose clean-up failed too, with the certificate and the report the Fail state gives', async () => {
    // Prepare
    const published: unknown[] = [];
    class AcmeServerError extends Error {
      override readonly name = 'AcmeOrderInvalid';
    }
    class StoreUnavailable extends Error {
      override readonly name = 'StoreUnavailable';
    }

    // Act
    const { ended } = await runWith({
      CheckRenewal: async () => ({ certificate: { name: 'web', dnsNames: ['web.example.test'] }, renewal: { due: true }, run: { id: 'r' } }),
      CreateOrder: async () => Promise.reject(new AcmeServerError('the CA refused')),
      CleanUpAfterFailure: async () => Promise.reject(new StoreUnavailable('ledger down')),
      [PUT_EVENTS_RESOURCE]: async (input) => {
        published.push(input);
        return { Entries: [{ EventId: '1' }], FailedEntryCount: 0 };
      },
    });

    // Assess
    expect(ended).toMatchObject({ type: 'ExecutionFailed', Error: 'AcmeOrderInvalid' });
    expect(published).toEqual([
      {
        Entries: [
          {
            Source: 'certstep',
            DetailType: 'Certificate Renewal Failed',
            Detail: {
              certificateName: 'web',
              dnsNames: ['web.example.test'],
              error: 'AcmeOrderInvalid',
              cause: expect.stringContaining('Clean-up failed too'),
              executionArn: 'arn:aws:states:local:000000000000:execution:certstep-renewal:events-test',
              outcome: 'Failed',
            },
          },
        ],
      },
    ]);
  });
});
