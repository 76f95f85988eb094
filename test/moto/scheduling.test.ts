/**
 * What starts runs, through the real SDK against moto_server: the EventBridge Scheduler adapter
 * (the shared contract, also run against the stateful stand-in, plus the schedule as stored, the
 * delete `certstep remove` does, and the stack's daily sweep next to it) and StartExecution.
 */
import {
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { CreateStateMachineCommand, DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EventBridgeRenewalScheduler } from '../../functions/adapters/eventbridge-scheduler.js';
import { StepFunctionsRunStarter } from '../../functions/adapters/sfn-starter.js';
import type { ExecutionInput } from '../../functions/core/certificate-spec.js';
import { NOW, describeRenewalSchedulerContract, schedulerFor } from '../adapters/renewal-scheduler-contract.js';
import { failureOf } from '../support/failure.js';
import { type Moto, startMoto } from '../support/moto.js';

let groups = 0;
let group: string;

let moto: Moto;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => moto?.stop());

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const schedulerClient = (maxAttempts = 3) => new SchedulerClient({ endpoint: moto.endpoint, region: moto.region, credentials, maxAttempts });
const harness = () => ({ client: () => schedulerClient(), groupName: group });
const input = (name: string): ExecutionInput => ({
  certificate: { name, dnsNames: [`${name}.example.com`], issuer: 'letsencrypt', keyAlgorithm: 'ecdsa-p256', renewBefore: 'P30D' },
  force: false,
});

describe('EventBridge Scheduler on moto_server', () => {
  beforeEach(async () => {
    // A group per case instead of a reset: every case starts with an empty group.
    group = `certstep-renewals-${++groups}`;
    await schedulerClient().send(new CreateScheduleGroupCommand({ Name: group }));
  });

  describeRenewalSchedulerContract('moto_server', harness);

  it('stores the whole one-time schedule: spread over 15 minutes, deleted after it fired, retried, with the dead-letter queue', async () => {
    // Act
    await schedulerFor(harness()).schedule({ certificateName: 'web', at: '2027-01-21T05:34:56.000Z', input: input('web') });

    // Assess
    const stored = await schedulerClient().send(new GetScheduleCommand({ Name: 'web', GroupName: group }));
    expect(stored).toMatchObject({
      Name: 'web',
      GroupName: group,
      ScheduleExpression: 'at(2027-01-21T05:34:56)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
      ActionAfterCompletion: 'DELETE',
      State: 'ENABLED',
      Target: {
        Arn: 'arn:aws:states:us-east-1:123456789012:stateMachine:certstep',
        RoleArn: 'arn:aws:iam::123456789012:role/certstep-scheduler',
        Input: JSON.stringify(input('web')),
        RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 20 },
        DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:123456789012:certstep-dlq' },
      },
    });
  });

  it('knows no schedule after `certstep remove` deleted it, and schedules it again from nothing', async () => {
    // Prepare
    await schedulerFor(harness()).schedule({ certificateName: 'web', at: '2027-01-21T05:34:56.000Z', input: input('web') });
    await schedulerClient().send(new DeleteScheduleCommand({ Name: 'web', GroupName: group }));

    // Act
    const afterDelete = await schedulerFor(harness()).get('web');
    await schedulerFor(harness()).schedule({ certificateName: 'web', at: '2027-02-01T00:00:00.000Z', input: input('web') });

    // Assess
    expect(afterDelete).toBeUndefined();
    expect((await schedulerFor(harness()).get('web'))?.at).toBe('2027-02-01T00:00:00.000Z');
  });

  it("leaves the stack's daily sweep alone, even for a certificate named like it", async () => {
    // Prepare: the daily safety net as cdk/scheduling.ts makes it, in its own group.
    const scheduler = schedulerClient();
    await scheduler.send(new CreateScheduleGroupCommand({ Name: 'certstep-daily' }));
    await scheduler.send(
      new CreateScheduleCommand({
        Name: 'sweep',
        GroupName: 'certstep-daily',
        ScheduleExpression: 'cron(17 3 * * ? *)',
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: 'ENABLED',
        Target: {
          Arn: 'arn:aws:lambda:us-east-1:123456789012:function:certstep-sweep',
          RoleArn: 'arn:aws:iam::123456789012:role/certstep-scheduler',
          Input: '{}',
        },
      }),
    );

    // Act
    await schedulerFor(harness()).schedule({ certificateName: 'sweep', at: '2027-01-21T05:34:56.000Z', input: input('sweep') });

    // Assess
    const daily = await scheduler.send(new GetScheduleCommand({ Name: 'sweep', GroupName: 'certstep-daily' }));
    expect(daily.ScheduleExpression).toBe('cron(17 3 * * ? *)');
    expect(daily.Target?.Input).toBe('{}');
    expect((await schedulerFor(harness()).get('sweep'))?.input).toEqual(input('sweep'));
    expect((await scheduler.send(new ListSchedulesCommand({ GroupName: group }))).Schedules?.map((s) => s.Name)).toEqual(['sweep']);
  });

  it('pinned moto leniency: a schedule in a group that does not exist is a 500, which the adapter takes as retryable (AWS: ResourceNotFoundException, refused)', async () => {
    const scheduler = new EventBridgeRenewalScheduler({
      client: schedulerClient(1),
      groupName: 'never-deployed',
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:certstep',
      roleArn: 'arn:aws:iam::123456789012:role/certstep-scheduler',
      clock: () => NOW,
    });

    const direct = await failureOf(
      schedulerClient(1).send(new CreateScheduleCommand(scheduler.request({ certificateName: 'web', at: NOW.toISOString(), input: input('web') }))),
    );
    const failure = await failureOf(scheduler.schedule({ certificateName: 'web', at: '2027-01-21T05:34:56.000Z', input: input('web') }));

    expect((direct as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(500);
    expect(failure).toMatchObject({ name: 'SchedulerUnavailable', retryable: true });
  });
});

describe('StartExecution on moto_server', () => {
  const sfn = () => new SFNClient({ endpoint: moto.endpoint, region: moto.region, credentials, maxAttempts: 1 });

  it('starts an execution of the state machine with the input as given, and returns its ARN', async () => {
    // Prepare
    const { stateMachineArn } = await sfn().send(
      new CreateStateMachineCommand({
        name: 'certstep-renewal',
        definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
        roleArn: 'arn:aws:iam::123456789012:role/certstep-states',
      }),
    );

    // Act
    const started = await new StepFunctionsRunStarter(sfn(), stateMachineArn ?? '').start(input('web'));

    // Assess
    const execution = await sfn().send(new DescribeExecutionCommand({ executionArn: started.executionId }));
    expect(started.executionId).toMatch(/^arn:aws:states:us-east-1:\d{12}:execution:certstep-renewal:/);
    expect(execution.stateMachineArn).toBe(stateMachineArn);
    expect(JSON.parse(execution.input ?? 'null')).toEqual(input('web'));
  });

  it('refuses a state machine that does not exist with ScheduleRejected, not a retry', async () => {
    const starter = new StepFunctionsRunStarter(sfn(), `arn:aws:states:us-east-1:123456789012:stateMachine:never-deployed`);

    const failure = await failureOf(starter.start(input('web')));

    expect(failure).toMatchObject({ name: 'ScheduleRejected', retryable: false, message: expect.stringContaining('StateMachineDoesNotExist') });
  });
});
