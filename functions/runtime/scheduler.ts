/** The EventBridge Scheduler adapter as Lambdas build it, from the stack's environment. */
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { EventBridgeRenewalScheduler } from '../adapters/eventbridge-scheduler.js';
import { requiredEnv } from './config.js';
import { traced } from './tracing.js';

export function eventBridgeScheduler(env: NodeJS.ProcessEnv = process.env): EventBridgeRenewalScheduler {
  return new EventBridgeRenewalScheduler({
    client: traced(new SchedulerClient({ maxAttempts: 5 })),
    groupName: requiredEnv('CERTSTEP_SCHEDULE_GROUP', env),
    stateMachineArn: requiredEnv('CERTSTEP_STATE_MACHINE_ARN', env),
    roleArn: requiredEnv('CERTSTEP_SCHEDULER_ROLE_ARN', env),
    ...(env.CERTSTEP_SCHEDULER_DLQ_ARN && { deadLetterQueueArn: env.CERTSTEP_SCHEDULER_DLQ_ARN }),
  });
}
