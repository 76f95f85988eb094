/**
 * The subscribers of the run events the state machine sends (functions/core/run-event.ts):
 * EventBridge rules on the default bus, stack-wide or for one certificate, that forward every
 * outcome to an SNS topic and invoke a deploy hook Lambda after an issuance only, as certbot's
 * --deploy-hook does on a VM.
 */
import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DETAIL_TYPES, EVENT_SOURCE } from '../functions/core/run-event.js';
import { ConfigError, type Subscription } from './config.js';
import { logicalNames } from './names.js';

export interface CertstepNotificationsProps {
  readonly subscriptions: readonly Subscription[];
  /** Where an invocation of a deploy hook that still fails after EventBridge's retries is kept. */
  readonly deadLetterQueue: sqs.IQueue;
}

export class CertstepNotifications extends Construct {
  readonly rules: events.Rule[] = [];

  constructor(scope: Construct, id: string, props: CertstepNotificationsProps) {
    super(scope, id);
    const names = logicalNames(props.subscriptions.flatMap((subscription) => subscription.certificateName ?? []));
    for (const subscription of props.subscriptions) {
      const { certificateName } = subscription;
      const label = certificateName === undefined ? 'AllCertificates' : `Certificate${names.get(certificateName)}`;
      const whose = certificateName === undefined ? 'every certificate' : `certificate ${certificateName}`;
      const detail = certificateName === undefined ? {} : { detail: { certificateName: [certificateName] } };
      if (subscription.snsTopicArn) {
        this.sameRegion(subscription.snsTopicArn, 'snsTopicArn', certificateName);
        const topic = sns.Topic.fromTopicArn(this, `${label}Topic`, subscription.snsTopicArn);
        this.rules.push(
          new events.Rule(this, `${label}ToTopic`, {
            description: `certstep: every run outcome of ${whose} to an SNS topic`,
            eventPattern: { source: [EVENT_SOURCE], detailType: Object.values(DETAIL_TYPES), ...detail },
            targets: [new targets.SnsTopic(topic)],
          }),
        );
      }
      if (subscription.deployHookFunctionArn) {
        this.sameRegion(subscription.deployHookFunctionArn, 'deployHookFunctionArn', certificateName);
        const hook = lambda.Function.fromFunctionArn(this, `${label}DeployHookFunction`, subscription.deployHookFunctionArn);
        this.rules.push(
          new events.Rule(this, `${label}DeployHook`, {
            description: `certstep: the deploy hook of ${whose}, after each issuance`,
            eventPattern: { source: [EVENT_SOURCE], detailType: [DETAIL_TYPES.Issued], ...detail },
            targets: [new targets.LambdaFunction(hook, { retryAttempts: 4, maxEventAge: Duration.hours(6), deadLetterQueue: props.deadLetterQueue })],
          }),
        );
      }
    }
  }

  /** EventBridge delivers to SNS and Lambda in the rule's own region only; a deploy would fail much later. */
  private sameRegion(arn: string, field: string, certificateName: string | undefined): void {
    const region = Stack.of(this).region;
    const theirs = arn.split(':')[3];
    if (Token.isUnresolved(region) || theirs === region) return;
    const path = certificateName === undefined ? `notifications.${field}` : `notifications.certificates.${certificateName}.${field}`;
    throw new ConfigError(
      `${path}: ${arn} is in ${theirs}, but the stack deploys to ${region}; EventBridge rules deliver to SNS topics and Lambda functions of their own region only`,
    );
  }
}
