/** The stand-alone stack: the CertstepRenewal construct and the outputs an operator needs. */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { CertstepConfigInput } from './config.js';
import { CertstepRenewal } from './construct.js';
import { logicalNames } from './names.js';

export interface CertstepStackProps extends StackProps {
  readonly config: CertstepConfigInput;
  readonly configSource?: string;
}

export class CertstepStack extends Stack {
  readonly renewal: CertstepRenewal;

  constructor(scope: Construct, id: string, props: CertstepStackProps) {
    super(scope, id, props);
    this.renewal = new CertstepRenewal(this, 'Renewal', { config: props.config, ...(props.configSource && { configSource: props.configSource }) });

    new CfnOutput(this, 'StateMachineArn', {
      description: 'Start a renewal by hand: Step Functions console > this state machine > Start execution, with an ExecutionInput* value as input',
      value: this.renewal.stateMachine.stateMachineArn,
    });
    new CfnOutput(this, 'NotificationTopicArn', { value: this.renewal.monitoring.topic.topicArn });
    // What `certstep status|describe|renew --aws` asks for (--ledger-table, --schedule-group, --secret-prefix).
    new CfnOutput(this, 'LedgerTableName', { value: this.renewal.storage.ledger.tableName });
    new CfnOutput(this, 'RenewalScheduleGroup', { value: this.renewal.scheduling.renewalGroup.scheduleGroupName });
    new CfnOutput(this, 'CertificateSecretPrefix', { value: this.renewal.storage.certificateSecretPrefix });
    const names = logicalNames([...this.renewal.executionInputs.keys()]);
    for (const [name, input] of this.renewal.executionInputs) {
      new CfnOutput(this, `ExecutionInput${names.get(name)}`, {
        description: `Execution input that renews certificate ${name}; set "force": true to renew before it is due`,
        value: input,
      });
    }
  }
}
