/** Starts renewal executions with StartExecution; Step Functions names them. */
import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { ExecutionInput } from '../core/certificate-spec.js';
import { ScheduleRejected, SchedulerUnavailable } from '../core/errors.js';
import type { RunStarter } from '../ports/run-starter.js';
import { classifyAwsError } from './aws-errors.js';

export class StepFunctionsRunStarter implements RunStarter {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(input: ExecutionInput): Promise<{ executionId: string }> {
    try {
      const answer = await this.client.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, input: JSON.stringify(input) }));
      return { executionId: answer.executionArn ?? '' };
    } catch (error) {
      const { kind, said } = classifyAwsError(error);
      if (kind === 'transient') throw new SchedulerUnavailable(`StartExecution for ${input.certificate.name} failed: ${said}`);
      throw new ScheduleRejected(`StartExecution for ${input.certificate.name} was refused: ${said}`);
    }
  }
}
