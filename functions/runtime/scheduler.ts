/** The EventBridge Scheduler adapter as Lambdas build it, from the stack's environment. */
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { EventBridgeRenewalScheduler } from '../adapters/eventbridge-scheduler.js';
import { ConfigurationError } from './config.js';
import { traced } from './tracing.js';

export function eventBridgeScheduler(env: NodeJS.ProcessEnv = process.env): EventBridgeRenewalScheduler {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new ConfigurationError(`${name} is not set`);
    return value;
  };
  return new EventBridgeRenewalScheduler({
    client: traced(new SchedulerClient({ maxAttempts: 5 })),
    groupName: required('CERTSTEP_SCHEDULE_GROUP'),
    stateMachineArn: required('CERTSTEP_STATE_MACHINE_ARN'),
    roleArn: required('CERTSTEP_SCHEDULER_ROLE_ARN'),
    ...(env.CERTSTEP_SCHEDULER_DLQ_ARN && { deadLetterQueueArn: env.CERTSTEP_SCHEDULER_DLQ_ARN }),
  });
}
