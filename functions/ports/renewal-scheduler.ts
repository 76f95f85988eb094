/**
 * Starts the next run of a certificate: one schedule per certificate, at its renewal time, or,
 * while a failure retry is pending, at the retry time. Locally a file; on AWS a one-time
 * EventBridge Scheduler schedule whose target starts the state machine with the same input.
 */
import type { ExecutionInput } from '../core/certificate-spec.js';

/**
 * `renewal`: at the renewal time; may fire a little late (a flexible window spreads many
 * certificates). `retry`: after a failure, at the time the hold-off and the CA's Retry-After
 * allow, and not earlier.
 */
export type ScheduleKind = 'renewal' | 'retry';

export interface ScheduledRenewal {
  readonly certificateName: string;
  readonly at: string;
  readonly input: ExecutionInput;
  readonly kind?: ScheduleKind;
}

export interface RenewalScheduler {
  /** Creates or replaces the one schedule of this certificate. */
  schedule(renewal: ScheduledRenewal): Promise<{ scheduleId: string }>;
  /** The schedule as it stands, or undefined when there is none (it fired, or was lost). */
  get(certificateName: string): Promise<ScheduledRenewal | undefined>;
}
