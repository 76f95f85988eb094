/**
 * Somebody hears about it when renewal stops working: every failed, timed-out or aborted
 * execution by e-mail, an alarm on failed executions, one on schedules that could not start
 * the state machine, and three on what the daily sweep reports over all certificates: one
 * expiring (the e-mail of the "Certificate Expiring" event names which), the sweep going quiet
 * (a renewal system that went quiet must page someone), certificates it could not check. None is
 * per certificate: 10,000 certificates cost the same alarms as one.
 */
import { ArnFormat, Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { EVENT_SOURCE, EXPIRING_DETAIL_TYPE } from '../functions/core/run-event.js';
import { SWEEP_METRICS } from '../functions/runtime/metrics.js';
import type { CertstepConfig } from './config.js';

/**
 * What the Sweep publishes as embedded-metric log lines, with StateMachine (the state machine's
 * name) as the one dimension. A metric per certificate would cost ~$0.30 a month each.
 */
export { SWEEP_METRICS };

export { EXPIRING_DETAIL_TYPE };

export interface CertstepMonitoringProps {
  readonly config: CertstepConfig;
  readonly stateMachine: sfn.StateMachine;
  /** The dimension of the sweep's metrics. */
  readonly stateMachineName: string;
  readonly deadLetterQueue: sqs.IQueue;
  /** Sweeps up after every execution that ended without its own clean-up. */
  readonly sweepEndedRun?: lambda.IFunction;
}

export class CertstepMonitoring extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;
  readonly executionFailedRule: events.Rule;
  readonly certificateExpiringRule: events.Rule;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: CertstepMonitoringProps) {
    super(scope, id);
    const { config, stateMachine } = props;
    const stack = Stack.of(this);

    // Not the AWS managed aws/sns key: its policy cannot let EventBridge or CloudWatch publish,
    // so notifications would be dropped silently. A key of our own can (the SnsTopic target
    // below adds EventBridge's grant itself).
    this.key = new kms.Key(this, 'Key', {
      description: 'certstep: encrypts the notification topic',
      enableKeyRotation: true,
      pendingWindow: Duration.days(7),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );

    this.topic = new sns.Topic(this, 'Topic', { displayName: 'certstep', masterKey: this.key, enforceSSL: true });
    this.topic.addSubscription(new subscriptions.EmailSubscription(config.notificationEmail));
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
          },
        },
      }),
    );

    const field = (path: string) => events.EventField.fromPath(path);
    this.executionFailedRule = new events.Rule(this, 'ExecutionFailed', {
      description: 'certstep: a renewal execution failed, timed out or was aborted',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [stateMachine.stateMachineArn] },
      },
      targets: [
        new targets.SnsTopic(this.topic, {
          // The execution input is a JSON string inside the event, which an input transformer
          // cannot parse; it is passed whole, and the certificate name is its certificate.name.
          message: events.RuleTargetInput.fromText(
            [
              `certstep: renewal execution ${field('$.detail.name')} ended ${field('$.detail.status')}.`,
              `Error: ${field('$.detail.error')}`,
              `Cause: ${field('$.detail.cause')}`,
              `Execution input (certificate.name is the certificate): ${field('$.detail.input')}`,
              `Execution: ${field('$.detail.executionArn')}`,
              `Console: https://${Aws.REGION}.console.aws.amazon.com/states/home?region=${Aws.REGION}#/v2/executions/details/${field('$.detail.executionArn')}`,
            ].join('\n'),
          ),
        }),
      ],
    });

    // The same status changes, whole, to the sweeper: a run that timed out, was aborted or whose
    // clean-up failed for good still gets its TXT values removed and its claim released.
    if (props.sweepEndedRun) {
      this.executionFailedRule.addTarget(new targets.LambdaFunction(props.sweepEndedRun, { retryAttempts: 10, maxEventAge: Duration.hours(24) }));
    }

    const notify = new SnsAction(this.topic);
    const alarm = (id: string, props: cloudwatch.AlarmProps) => {
      const created = new cloudwatch.Alarm(this, id, props);
      created.addAlarmAction(notify);
      this.alarms.push(created);
      return created;
    };

    alarm('ExecutionsFailed', {
      alarmName: `${config.resourcePrefix}-executions-failed`,
      alarmDescription: 'certstep: a renewal execution failed; the e-mail from the ExecutionFailed rule names the certificate and the error',
      metric: stateMachine.metricFailed({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    alarm('SchedulesUndelivered', {
      alarmName: `${config.resourcePrefix}-schedules-undelivered`,
      alarmDescription:
        'certstep: EventBridge Scheduler could not start the state machine, or a deploy hook could not be invoked; the messages in the dead-letter queue say which schedule or rule',
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const sweepMetric = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: SWEEP_METRICS.namespace,
        metricName,
        dimensionsMap: { [SWEEP_METRICS.dimension]: props.stateMachineName },
        statistic,
        period: Duration.days(1),
      });

    alarm('CertificateExpiry', {
      alarmName: `${config.resourcePrefix}-certificate-expiry`,
      alarmDescription:
        'certstep: a certificate is closer to expiry than its expiryAlarmDays; the "Certificate Expiring" e-mail names it, its notAfter and the days left',
      metric: sweepMetric(SWEEP_METRICS.expiryMargin, cloudwatch.Stats.MINIMUM),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // No certificate issued yet publishes no margin: nothing is expiring.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    alarm('SweepSilent', {
      alarmName: `${config.resourcePrefix}-sweep-silent`,
      alarmDescription: 'certstep: the daily sweep has not completed for two days, so no certificate is being checked or renewed on time',
      metric: sweepMetric(SWEEP_METRICS.sweeps, cloudwatch.Stats.SUM),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      // Two daily periods: the day in progress has no data until the daily sweep has run.
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });

    alarm('CertificatesNotChecked', {
      alarmName: `${config.resourcePrefix}-certificates-not-checked`,
      alarmDescription: "certstep: the daily sweep could not check some certificates; the Sweep Lambda's log names them and why",
      metric: sweepMetric(SWEEP_METRICS.notChecked, cloudwatch.Stats.MAXIMUM),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // The alarm says that one is expiring; this says which, once per certificate and sweep.
    this.certificateExpiringRule = new events.Rule(this, 'CertificateExpiring', {
      description: 'certstep: a certificate is closer to expiry than its expiryAlarmDays',
      eventPattern: { source: [EVENT_SOURCE], detailType: [EXPIRING_DETAIL_TYPE] },
      targets: [
        new targets.SnsTopic(this.topic, {
          message: events.RuleTargetInput.fromText(
            [
              `certstep: certificate ${field('$.detail.certificate')} expires at ${field('$.detail.notAfter')}, in ${field('$.detail.daysUntilExpiry')} days,`,
              `less than its alarm threshold of ${field('$.detail.expiryAlarmDays')} days: its renewals are failing or not running.`,
              `Look at its last executions: certstep describe ${field('$.detail.certificate')} --aws`,
            ].join('\n'),
          ),
        }),
      ],
    });
  }
}
