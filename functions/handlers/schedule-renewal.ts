/** Lambda: ScheduleRenewal. No ACME client in this bundle. */
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { WorkflowState } from '../core/workflow-state.js';
import { EventBridgeRenewalScheduler } from '../adapters/eventbridge-scheduler.js';
import { scheduleRenewal } from '../phases/schedule-renewal.js';
import { ConfigurationError } from '../runtime/config.js';
import { lambdaHandler } from '../runtime/handler.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new ConfigurationError(`${name} is not set`);
  return value;
}

const scheduler = new EventBridgeRenewalScheduler({
  client: new SchedulerClient({ maxAttempts: 5 }),
  groupName: required('CERTSTEP_SCHEDULE_GROUP'),
  stateMachineArn: required('CERTSTEP_STATE_MACHINE_ARN'),
  roleArn: required('CERTSTEP_SCHEDULER_ROLE_ARN'),
  ...(process.env.CERTSTEP_SCHEDULER_DLQ_ARN && { deadLetterQueueArn: process.env.CERTSTEP_SCHEDULER_DLQ_ARN }),
});

export const handler = lambdaHandler('ScheduleRenewal', (state: WorkflowState) => scheduleRenewal(state, { scheduler }));
