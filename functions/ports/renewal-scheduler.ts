/**
 * Starts the next run at the renewal time. Locally a file; on AWS a one-time EventBridge
 * Scheduler schedule whose target starts the state machine with the same input.
 */
import type { ExecutionInput } from '../core/certificate-spec.js';

export interface ScheduledRenewal {
  readonly certificateName: string;
  readonly at: string;
  readonly input: ExecutionInput;
}

export interface RenewalScheduler {
  /** Creates or replaces the one schedule of this certificate. */
  schedule(renewal: ScheduledRenewal): Promise<{ scheduleId: string }>;
}
