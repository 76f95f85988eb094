/** Starts an execution of the renewal state machine (StartExecution on AWS). */
import type { ExecutionInput } from '../core/certificate-spec.js';

export interface RunStarter {
  start(input: ExecutionInput): Promise<{ readonly executionId: string }>;
}
