/** Starts renewal executions with StartExecution; Step Functions names them. */
import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { ExecutionInput } from '../core/certificate-spec.js';
import { SchedulerUnavailable } from '../core/errors.js';
import type { RunStarter } from '../ports/run-starter.js';

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
      const failed = error as { name?: string; message?: string };
      throw new SchedulerUnavailable(`StartExecution for ${input.certificate.name} failed: ${failed.message ?? failed.name} (${failed.name})`);
    }
  }
}
