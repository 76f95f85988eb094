/**
 * The EventBridge Scheduler adapter, against exact requests (aws-sdk-client-mock), and the
 * shared cases of renewal-scheduler-contract.ts against the stateful stand-in (test/moto runs
 * them against moto_server).
 */
import {
  ConflictException,
  CreateScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  ThrottlingException,
  UpdateScheduleCommand,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventBridgeRenewalScheduler } from '../../functions/adapters/eventbridge-scheduler.js';
import type { ExecutionInput } from '../../functions/core/certificate-spec.js';
import { statefulScheduler } from '../support/aws-fakes.js';
import { describeRenewalSchedulerContract } from './renewal-scheduler-contract.js';

const scheduler = mockClient(SchedulerClient);
const now = new Date('2026-11-22T10:00:00Z');
const input: ExecutionInput = {
  certificate: { name: 'web', dnsNames: ['example.com', '*.example.com'], issuer: 'letsencrypt', keyAlgorithm: 'ecdsa-p256', renewBefore: 'P30D' },
  force: false,
};
const adapter = () =>
  new EventBridgeRenewalScheduler({
    client: new SchedulerClient({ region: 'eu-west-1' }),
    groupName: 'certstep',
    stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:certstep',
    roleArn: 'arn:aws:iam::123456789012:role/certstep-scheduler',
    deadLetterQueueArn: 'arn:aws:sqs:eu-west-1:123456789012:certstep-dlq',
    clock: () => now,
  });
const expected = (expression: string) => ({
  Name: 'web',
  GroupName: 'certstep',
  Description: 'certstep: renew certificate web',
  ScheduleExpression: expression,
  ScheduleExpressionTimezone: 'UTC',
  FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
  ActionAfterCompletion: 'DELETE',
  State: 'ENABLED',
  Target: {
    Arn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:certstep',
    RoleArn: 'arn:aws:iam::123456789012:role/certstep-scheduler',
    Input: JSON.stringify(input),
    RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 20 },
    DeadLetterConfig: { Arn: 'arn:aws:sqs:eu-west-1:123456789012:certstep-dlq' },
  },
});

beforeEach(() => scheduler.reset());

describe('with the stateful stand-in', () => {
  beforeEach(() => {
    statefulScheduler(scheduler);
  });
  describeRenewalSchedulerContract('the stateful stand-in', () => ({ client: () => new SchedulerClient({ region: 'us-east-1' }), groupName: 'certstep' }));
});

describe('EventBridgeRenewalScheduler', () => {
  it('updates the existing one-time schedule of the certificate', async () => {
    // Prepare
    scheduler.on(UpdateScheduleCommand).resolves({});

    // Act
    const result = await adapter().schedule({ certificateName: 'web', at: '2027-01-21T05:34:56.000Z', input });

    // Assess
    expect(scheduler.commandCalls(UpdateScheduleCommand)[0]?.args[0].input).toEqual(expected('at(2027-01-21T05:34:56)'));
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
    expect(result.scheduleId).toBe('certstep/web');
  });

  it('creates the schedule when there is none yet', async () => {
    scheduler.on(UpdateScheduleCommand).rejects(new ResourceNotFoundException({ message: 'not found', Message: 'not found', $metadata: {} }));
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    await adapter().schedule({ certificateName: 'web', at: '2027-01-21T05:34:56.000Z', input });
    expect(scheduler.commandCalls(CreateScheduleCommand)[0]?.args[0].input).toEqual(expected('at(2027-01-21T05:34:56)'));
  });

  it('updates again when a concurrent run created it first', async () => {
    scheduler
      .on(UpdateScheduleCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: 'not found', Message: 'not found', $metadata: {} }))
      .resolves({});
    scheduler.on(CreateScheduleCommand).rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));
    await adapter().schedule({ certificateName: 'web', at: '2027-01-21T05:34:56.000Z', input });
    expect(scheduler.commandCalls(UpdateScheduleCommand)).toHaveLength(2);
  });

  it('refuses, without a retry, a schedule group that does not exist (moto answers 500 instead: docs/testing.md)', async () => {
    const missingGroup = () =>
      new ResourceNotFoundException({
        message: 'Schedule group certstep does not exist.',
        Message: 'Schedule group certstep does not exist.',
        $metadata: { httpStatusCode: 404 },
      });
    scheduler.on(UpdateScheduleCommand).rejects(missingGroup());
    scheduler.on(CreateScheduleCommand).rejects(missingGroup());

    const failure = (await adapter()
      .schedule({ certificateName: 'web', at: '2027-01-21T05:34:56.000Z', input })
      .catch((caught: unknown) => caught)) as Error & { retryable: boolean };

    expect(failure).toMatchObject({ name: 'ScheduleRejected', retryable: false, message: expect.stringContaining('Schedule group certstep does not exist') });
  });

  it('never schedules in the past: a renewal time already gone fires a minute from now', async () => {
    scheduler.on(UpdateScheduleCommand).resolves({});
    await adapter().schedule({ certificateName: 'web', at: '2020-01-01T00:00:00.000Z', input });
    expect(scheduler.commandCalls(UpdateScheduleCommand)[0]?.args[0].input.ScheduleExpression).toBe('at(2026-11-22T10:01:00)');
  });

  it.each([
    ['throttling', new ThrottlingException({ message: 'slow down', Message: 'slow down', $metadata: { httpStatusCode: 429 } }), 'SchedulerUnavailable', true],
    [
      'a validation error',
      new ValidationException({ message: 'bad role', Message: 'bad role', $metadata: { httpStatusCode: 400 } }),
      'ScheduleRejected',
      false,
    ],
  ])('classifies %s', async (_label, error, name, retryable) => {
    scheduler.on(UpdateScheduleCommand).rejects(error);
    const failure = (await adapter()
      .schedule({ certificateName: 'web', at: '2027-01-21T05:34:56.000Z', input })
      .catch((caught: unknown) => caught)) as Error & { retryable: boolean };
    expect(failure.name).toBe(name);
    expect(failure.retryable).toBe(retryable);
    expect(failure.message).toContain('schedule web');
  });
});
