/**
 * The renewal scheduler on AWS: one one-time EventBridge Scheduler schedule per certificate,
 * named after it in a group the stack owns, upserted at each issuance. It starts the state
 * machine with the same input, deletes itself after it fired, and sends what it could not
 * deliver to a dead-letter queue. The daily cron is the safety net if a schedule is lost.
 */
import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  GetScheduleCommand,
  type GetScheduleCommandOutput,
  ResourceNotFoundException,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { ScheduleRejected, SchedulerUnavailable } from '../core/errors.js';
import type { RenewalScheduler, ScheduledRenewal } from '../ports/renewal-scheduler.js';
import { classifyAwsError } from './aws-errors.js';

export interface EventBridgeSchedulerOptions {
  readonly client: SchedulerClient;
  readonly groupName: string;
  readonly stateMachineArn: string;
  /** The role EventBridge Scheduler assumes; it may only start this state machine. */
  readonly roleArn: string;
  readonly deadLetterQueueArn?: string;
  readonly clock?: () => Date;
}

/** A schedule in the past would never fire; one a minute ahead still renews promptly. */
const MINIMUM_LEAD_MS = 60_000;

export class EventBridgeRenewalScheduler implements RenewalScheduler {
  constructor(private readonly options: EventBridgeSchedulerOptions) {}

  async schedule(renewal: ScheduledRenewal): Promise<{ scheduleId: string }> {
    const request = this.request(renewal);
    try {
      await this.options.client.send(new UpdateScheduleCommand(request));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw schedulerFailure(error, request.Name);
      try {
        await this.options.client.send(new CreateScheduleCommand(request));
      } catch (createError) {
        // Another run created it between our update and create: update again, last writer wins.
        if (!(createError instanceof ConflictException)) throw schedulerFailure(createError, request.Name);
        await this.options.client.send(new UpdateScheduleCommand(request)).catch((again: unknown) => {
          throw schedulerFailure(again, request.Name);
        });
      }
    }
    return { scheduleId: `${this.options.groupName}/${request.Name}` };
  }

  /** GetSchedule; a one-time schedule that fired is gone (ActionAfterCompletion DELETE). */
  async get(certificateName: string): Promise<ScheduledRenewal | undefined> {
    let answer: GetScheduleCommandOutput;
    try {
      answer = await this.options.client.send(new GetScheduleCommand({ Name: certificateName, GroupName: this.options.groupName }));
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw schedulerFailure(error, certificateName);
    }
    const at = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(answer.ScheduleExpression ?? '')?.[1];
    if (!at) return undefined;
    let input: ScheduledRenewal['input'] | undefined;
    try {
      input = JSON.parse(answer.Target?.Input ?? 'null') as ScheduledRenewal['input'];
    } catch {
      input = undefined;
    }
    return {
      certificateName,
      at: new Date(`${at}Z`).toISOString(),
      input: input as ScheduledRenewal['input'],
      kind: answer.FlexibleTimeWindow?.Mode === 'OFF' ? 'retry' : 'renewal',
    };
  }

  /** The full schedule; UpdateSchedule replaces every field, so create and update share it. */
  request(renewal: ScheduledRenewal): CreateScheduleCommandInput & { Name: string } {
    const now = (this.options.clock ?? (() => new Date()))();
    const at = new Date(Math.max(new Date(renewal.at).getTime(), now.getTime() + MINIMUM_LEAD_MS));
    return {
      Name: renewal.certificateName,
      GroupName: this.options.groupName,
      Description: `certstep: renew certificate ${renewal.certificateName}`,
      ScheduleExpression: `at(${at.toISOString().slice(0, 19)})`,
      ScheduleExpressionTimezone: 'UTC',
      // Spreads many certificates renewing at the same moment over a quarter of an hour; a
      // retry fires when the hold-off and the CA's Retry-After allow, never earlier.
      FlexibleTimeWindow: renewal.kind === 'retry' ? { Mode: 'OFF' } : { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
      ActionAfterCompletion: 'DELETE',
      State: 'ENABLED',
      Target: {
        Arn: this.options.stateMachineArn,
        RoleArn: this.options.roleArn,
        Input: JSON.stringify(renewal.input),
        RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 20 },
        ...(this.options.deadLetterQueueArn && { DeadLetterConfig: { Arn: this.options.deadLetterQueueArn } }),
      },
    };
  }
}

function schedulerFailure(error: unknown, name: string): Error {
  const { kind, said } = classifyAwsError(error);
  if (kind === 'transient') return new SchedulerUnavailable(`EventBridge Scheduler could not save schedule ${name}: ${said}`);
  return new ScheduleRejected(`EventBridge Scheduler refused schedule ${name}: ${said}`);
}
