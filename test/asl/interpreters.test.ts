/**
 * renewal.asl.json runs in aws-local-stepfunctions locally and in Step Functions on AWS. Here it
 * runs, path by path, in aws-local-stepfunctions and in moto's Step Functions interpreter (ported
 * from LocalStack, written by nobody on this project), with the same Task outcomes, and the two
 * must agree on the states entered, each Task's input, the status, and a failure's Error and Cause.
 *
 * The paths come from the definition (test/support/asl-scenarios.ts): a state or Choice branch
 * that no path reaches fails the coverage check below. What the copy both run differs in from
 * the file: the substitutions (placeholder Lambda ARNs) and every retrier's IntervalSeconds and
 * BackoffRate set to 1, because moto really sleeps between retries (aws-local-stepfunctions is
 * told to retry at once). Waits need no change: their seconds come from Task results, here 0.
 *
 * How moto runs the Tasks: a Lambda Task invokes the function, and the optimized
 * `events:putEvents` Task calls EventBridge PutEvents (Detail turned into a JSON string, the state
 * machine's and the execution's ARNs added to each entry's Resources, EventBridge.FailedEntry when
 * FailedEntryCount > 0, as AWS documents), both at localhost:$MOTO_PORT. moto's own Lambda cannot
 * fail without Docker, so MOTO_PORT points at test/support/task-endpoints.ts, which answers both
 * from each path's script, as the local handlers do.
 */
import {
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AslDefinition, localDefinition } from '../../cli/local/definition.js';
import { playing, runLocally } from '../support/asl-local-run.js';
import { type Scenario, findScenarios } from '../support/asl-scenarios.js';
import { type Moto, startMoto } from '../support/moto.js';
import { type TaskEndpoints, type TaskOutcome, startTaskEndpoints } from '../support/task-endpoints.js';

const INPUT = { certificate: { name: 'web' }, force: false };
const MACHINE_NAME = 'certstep-renewal';
const ACCOUNT = '123456789012';

/**
 * Items no Task outcome can reach, each with the reason. The coverage check fails when one of
 * them is reached after all, so this list cannot quietly outlive its reason.
 */
const UNREACHABLE: Readonly<Record<string, string>> = {
  'DescribeCleanUpFailure -> CleanUpFailedAlone (Default)':
    "every way into CleanUpAfterFailure leaves an Error and a Cause behind ($.failure from a Catch or a failure Pass, or $ from CheckRenewal's Catch), and both interpreters give every caught Task error a Cause: the Default is a guard",
  'CleanUpFailedAlone -> IsDryRunFailureWithoutCleanUp (Next)': 'only reached through the Default above',
};

/** The file as CDK deploys it, with what the interpreters need: placeholder ARNs, retries 1 s apart. */
function comparedDefinition(): AslDefinition {
  const definition = localDefinition();
  for (const state of Object.values(definition.States)) {
    for (const retrier of state.Retry ?? []) Object.assign(retrier, { IntervalSeconds: 1, BackoffRate: 1 });
  }
  return definition;
}

interface Observed {
  readonly entered: readonly string[];
  readonly taskInputs: ReadonlyArray<{ readonly state: string; readonly input: unknown }>;
  readonly status: string;
  readonly error?: string;
  readonly cause?: string;
}

/**
 * moto 5.2's StartExecution deep-copies the state machine, and through its backend every
 * execution of the region; once one has run, the copy fails ("cannot pickle '_thread.RLock'
 * object"). So each path gets its own state machine, deleted once its history is read, and the
 * paths run one after another in each of several regions (one backend each) at the same time.
 */
const LANES = [
  ...['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1'],
  ...['eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1'],
  ...['ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-south-1'],
];
const laneOf = (index: number) => LANES[index % LANES.length] as string;
const machineName = (path: string) => `${MACHINE_NAME}-${path}`;
const executionArn = (path: string, region: string) => `arn:aws:states:${region}:${ACCOUNT}:execution:${machineName(path)}:${path}`;

async function historyOf(sfn: SFNClient, arn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 1000, nextToken }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

async function observeInMoto(sfn: SFNClient, arn: string): Promise<Observed> {
  let described: DescribeExecutionCommandOutput;
  const deadline = Date.now() + 90_000;
  for (;;) {
    described = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    if (described.status !== 'RUNNING' || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const entered: string[] = [];
  const taskInputs: Array<{ state: string; input: unknown }> = [];
  for (const event of await historyOf(sfn, arn)) {
    if (event.type?.endsWith('StateEntered')) entered.push(event.stateEnteredEventDetails?.name as string);
    const scheduled = event.lambdaFunctionScheduledEventDetails?.input ?? event.taskScheduledEventDetails?.parameters;
    if (scheduled !== undefined) taskInputs.push({ state: entered.at(-1) as string, input: JSON.parse(scheduled) });
  }
  return {
    entered,
    taskInputs,
    status: described.status as string,
    ...(described.status === 'FAILED' && { error: described.error, cause: described.cause }),
  };
}

let moto: Moto;
let endpoints: TaskEndpoints;
const clients = new Map<string, SFNClient>();
const definition = comparedDefinition();
let found: Awaited<ReturnType<typeof findScenarios>>;

beforeAll(async () => {
  found = await findScenarios(definition, INPUT, {
    executionArn: (path) => executionArn(path, LANES[0] as string),
    unreachable: new Set(Object.keys(UNREACHABLE)),
  });
  endpoints = await startTaskEndpoints();
  // moto's Step Functions calls Lambda and EventBridge at localhost:$MOTO_PORT; here, the stand-in.
  moto = await startMoto({ serverEnv: { MOTO_PORT: String(endpoints.port) } });
  await moto.configure({ stepfunctions: { execute_state_machine: true }, lambda: { use_docker: false } });
  for (const region of LANES)
    clients.set(region, new SFNClient({ endpoint: moto.endpoint, region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } }));
});

afterAll(async () => {
  await moto?.stop();
  await endpoints?.stop();
});

describe('moto 5.2, as this file works around it', () => {
  it('still fails to start an execution in a region where one has run (hence a state machine per path, deleted after)', async () => {
    // Prepare: a region no lane uses, and no SDK retries of the 500.
    const region = 'ap-northeast-3';
    const sfn = new SFNClient({ endpoint: moto.endpoint, region, maxAttempts: 1, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    const definition = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } });
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'pin', definition, roleArn: `arn:aws:iam::${ACCOUNT}:role/pin` }));
    await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'first' }));
    expect((await observeInMoto(sfn, `arn:aws:states:${region}:${ACCOUNT}:execution:pin:first`)).status).toBe('SUCCEEDED');

    // Act
    const second = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'second' })).then(
      () => 'started',
      (error: { $response?: { statusCode?: number } }) => error.$response?.statusCode,
    );

    // Assess: when this fails, moto is fixed and the lanes and deletions above can go.
    expect(second).toBe(500);
  });
});

describe('renewal.asl.json in moto and in aws-local-stepfunctions', () => {
  it('has a path for every transition, retrier outcome, loop count and end but the unreachable ones', () => {
    expect(found.uncovered).toEqual(Object.keys(UNREACHABLE).sort());
    // Each kept path covers something no other kept path does.
    for (const scenario of found.scenarios) {
      const others = new Set(found.scenarios.filter((other) => other !== scenario).flatMap((other) => other.covers));
      expect(
        scenario.covers.some((item) => !others.has(item)),
        scenario.name,
      ).toBe(true);
    }
  });

  it('agrees on every path: states entered, Task inputs, status, Error and Cause', async () => {
    // Prepare
    const started = Date.now();
    const inMoto = async (scenario: Scenario, region: string): Promise<Observed> => {
      const sfn = clients.get(region) as SFNClient;
      const roleArn = `arn:aws:iam::${ACCOUNT}:role/certstep-renewal`;
      const { stateMachineArn } = await sfn.send(
        new CreateStateMachineCommand({ name: machineName(scenario.name), definition: JSON.stringify(definition), roleArn }),
      );
      endpoints.script(executionArn(scenario.name, region), scenario.outcomes);
      await sfn.send(new StartExecutionCommand({ stateMachineArn, name: scenario.name, input: JSON.stringify(scenario.input) }));
      const observed = await observeInMoto(sfn, executionArn(scenario.name, region));
      await sfn.send(new DeleteStateMachineCommand({ stateMachineArn }));
      return observed;
    };
    const lanes = LANES.map(async (region) => {
      const results: Array<{ scenario: Scenario; moto: Observed; local: Observed }> = [];
      for (const scenario of found.scenarios.filter((_scenario, index) => laneOf(index) === region)) {
        const moto = await inMoto(scenario, region);
        const { steps: _steps, ...local } = await runLocally(definition, executionArn(scenario.name, region), scenario.input, playing(scenario.outcomes));
        results.push({ scenario, moto, local });
      }
      return results;
    });

    // Act
    const compared = (await Promise.all(lanes)).flat();
    const seconds = (Date.now() - started) / 1000;

    // Assess
    expect(endpoints.problems()).toEqual([]);
    const differing = compared.filter(({ moto: inMoto, local }) => !isDeepStrictEqual(inMoto, local));
    expect(differing.map(({ scenario }) => `${scenario.name}: ${scenario.adds.join('; ')}`)).toEqual([]);
    for (const { scenario, local, moto: inMoto } of compared) expect(inMoto, scenario.name).toEqual(local);
    process.stdout.write(`[interpreters] ${found.scenarios.length} paths (${found.tried} walks) compared in ${seconds.toFixed(1)} s\n`);
    // 60-80 s on two busy cores: one Python process runs every path, making a boto3 client per Task call.
  }, 300_000);

  /**
   * A Task whose function does not answer within TimeoutSeconds: the interpreter's own
   * States.Timeout, which no function can throw, so the walk above cannot reach these retriers
   * with it. The copy here gives CheckRenewal a TimeoutSeconds of 1 and a function that answers
   * after 3 s (never, locally): retried at once, or given up on and caught.
   *
   * The caught path ends in the Fail state with CleanUp's `error`, which is then the reserved
   * name States.Timeout. aws-local-stepfunctions reports it; moto's interpreter (LocalStack's)
   * refuses any Fail error name starting with "States." and fails the execution with its own
   * ValueError. Which one Step Functions does is not documented; both end FAILED, after the
   * clean-up and the failure event ran. So that path is compared up to the Fail state.
   * The two also write the caught timeout's Cause differently: "" in moto, "States.Timeout"
   * (the error's message) in aws-local-stepfunctions; each is held to its own below.
   */
  it.each([
    {
      path: 'timeout-then-answer',
      outcomes: [{ timeout: true }, { result: { renewal: { due: false, reason: 'UpToDate', repair: false, message: 'up to date' } } }],
      status: 'SUCCEEDED',
    },
    {
      path: 'timeouts-caught',
      outcomes: [
        ...Array.from({ length: 5 }, () => ({ timeout: true as const })),
        { result: { error: 'States.Timeout', cause: 'CheckRenewal timed out', event: { certificateName: 'web', outcome: 'Failed' } } },
        { result: {} },
      ],
      status: 'FAILED',
    },
  ] satisfies { path: string; outcomes: TaskOutcome[]; status: string }[])(
    'agrees on $path: a Task that times out is retried on States.Timeout, and caught when the retries are spent',
    async ({ path, outcomes, status }) => {
      // Prepare
      const timed = comparedDefinition();
      (timed.States.CheckRenewal as { TimeoutSeconds?: number }).TimeoutSeconds = 1;
      const region = laneOf(0);
      const sfn = clients.get(region) as SFNClient;
      const { stateMachineArn } = await sfn.send(
        new CreateStateMachineCommand({ name: machineName(path), definition: JSON.stringify(timed), roleArn: `arn:aws:iam::${ACCOUNT}:role/certstep-renewal` }),
      );
      endpoints.script(executionArn(path, region), outcomes);

      // Act
      await sfn.send(new StartExecutionCommand({ stateMachineArn, name: path, input: JSON.stringify(INPUT) }));
      const inMoto = await observeInMoto(sfn, executionArn(path, region));
      await sfn.send(new DeleteStateMachineCommand({ stateMachineArn }));
      const { steps, ...local } = await runLocally(timed, executionArn(path, region), INPUT, playing(outcomes));

      // Assess
      expect(endpoints.problems()).toEqual([]);
      expect(steps[0]?.errors).toEqual(outcomes.filter((outcome) => 'timeout' in outcome).map(() => 'States.Timeout'));
      expect(local.status).toBe(status);
      expect(inMoto.status).toBe(status);
      // Every state and every Task input, the caught error included, but for its Cause (above).
      // The caught timeout sits somewhere in a Task's input (the Catch's output, passed on as its Parameters say).
      const timeouts = (node: unknown, found: Array<{ Cause?: unknown }> = []): Array<{ Cause?: unknown }> => {
        if (node && typeof node === 'object') {
          if ((node as { Error?: unknown }).Error === 'States.Timeout') found.push(node as { Cause?: unknown });
          for (const value of Object.values(node)) timeouts(value, found);
        }
        return found;
      };
      const causes = (observed: Observed) => observed.taskInputs.flatMap(({ input }) => timeouts(input).map((caught) => caught.Cause));
      const withoutCause = (observed: Observed) => {
        const copy = structuredClone(observed.taskInputs);
        for (const caught of copy.flatMap(({ input }) => timeouts(input))) delete caught.Cause;
        return copy;
      };
      expect(causes(inMoto)).toEqual(status === 'FAILED' ? [''] : []);
      expect(causes(local)).toEqual(status === 'FAILED' ? ['States.Timeout'] : []);
      // Up to the Fail state, which moto's interpreter does not record entering when it refuses its error name.
      const upToFail = (observed: Observed) => observed.entered.filter((state) => state !== 'Failed');
      expect({ entered: upToFail(inMoto), taskInputs: withoutCause(inMoto) }).toEqual({ entered: upToFail(local), taskInputs: withoutCause(local) });
      if (status === 'SUCCEEDED') expect(inMoto).toEqual(local);
      else {
        expect(local).toMatchObject({ error: 'States.Timeout', cause: 'CheckRenewal timed out' });
        expect(local.entered.at(-1)).toBe('Failed');
        expect(inMoto.cause).toContain("Custom Error Names MUST NOT begin with the prefix 'States.'");
      }
    },
    120_000,
  );
});
