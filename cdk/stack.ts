/**
 * The stand-alone stack: the CertstepRenewal construct and the outputs an operator needs. None
 * is per certificate (CloudFormation allows 200 outputs): a certificate's execution input is its
 * catalog item's `input`, and `certstep renew <name> --aws` starts it.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { CertstepConfigInput } from './config.js';
import { CertstepRenewal } from './construct.js';

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
      description:
        "Start a renewal by hand: `certstep renew <name> --aws`, or Step Functions console > this state machine > Start execution, with the certificate's catalog item `input` (CatalogTableName) as input",
      value: this.renewal.stateMachine.stateMachineArn,
    });
    new CfnOutput(this, 'NotificationTopicArn', { value: this.renewal.monitoring.topic.topicArn });
    // What `certstep status|describe|renew --aws` asks for (--ledger-table, --schedule-group, --secret-prefix).
    new CfnOutput(this, 'LedgerTableName', { value: this.renewal.storage.ledger.tableName });
    new CfnOutput(this, 'RenewalScheduleGroup', { value: this.renewal.scheduling.renewalGroup.scheduleGroupName });
    new CfnOutput(this, 'CertificateSecretPrefix', { value: this.renewal.storage.certificateSecretPrefix });
    // What `certstep apply|remove --aws` asks for (--catalog-table); each item's `input` is a certificate's execution input.
    new CfnOutput(this, 'CatalogTableName', { value: this.renewal.storage.catalog.tableName });
  }
}
