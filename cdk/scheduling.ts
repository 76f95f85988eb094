/**
 * EventBridge Scheduler, which starts every run that is not started by a deploy: the one-time
 * renewal schedules the functions write (ScheduleRenewal at issuance, CleanUp after a failure)
 * and the daily sweep the stack owns. They live in two groups so the functions, which may write
 * any schedule in theirs, cannot touch the safety net.
 */
import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface CertstepSchedulingProps {
  readonly resourcePrefix: string;
  /** Built with Stack.formatArn: the state machine needs the functions, which need this ARN. */
  readonly stateMachineArn: string;
}

/** Same as the one-time schedules the functions write (functions/adapters/eventbridge-scheduler.ts). */
const RETRY_POLICY = { maximumEventAgeInSeconds: 86_400, maximumRetryAttempts: 20 };

export class CertstepScheduling extends Construct {
  /** Where ScheduleRenewal and CleanUp write one-time schedules, one per certificate. */
  readonly renewalGroup: scheduler.ScheduleGroup;
  readonly dailyGroup: scheduler.ScheduleGroup;
  /** Assumed by EventBridge Scheduler; it can start this state machine and invoke the sweep, nothing else. */
  readonly role: iam.Role;
  readonly deadLetterQueue: sqs.Queue;
  private readonly stateMachineArn: string;

  constructor(scope: Construct, id: string, props: CertstepSchedulingProps) {
    super(scope, id);
    this.stateMachineArn = props.stateMachineArn;
    // Deleting a group deletes its schedules, which would otherwise fire into a deleted state machine.
    this.renewalGroup = new scheduler.ScheduleGroup(this, 'RenewalGroup', {
      scheduleGroupName: `${props.resourcePrefix}-renewals`,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.dailyGroup = new scheduler.ScheduleGroup(this, 'DailyGroup', {
      scheduleGroupName: `${props.resourcePrefix}-daily`,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    this.role = new iam.Role(this, 'Role', {
      description: 'certstep: EventBridge Scheduler starts the renewal state machine',
      // Confused-deputy guard: only schedules of this account may use the role.
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    });
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [props.stateMachineArn] }));
    // Scheduler delivers what it could not start to the dead-letter queue with this role.
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }));
  }

  /** `arn:…:schedule/<renewal group>/*`: what the functions may create and update. */
  get renewalSchedulesArn(): string {
    return Stack.of(this).formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${this.renewalGroup.scheduleGroupName}/*` });
  }

  /**
   * The daily sweep: one invocation a day reconciles every certificate and starts executions
   * only for those with work, instead of one execution per certificate per day.
   */
  addDailySweep(sweep: lambda.IFunction, expression: string): scheduler.CfnSchedule {
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [sweep.functionArn] }));
    const schedule = new scheduler.CfnSchedule(this, 'DailySweep', {
      name: 'sweep',
      groupName: this.dailyGroup.scheduleGroupName,
      description: 'certstep: daily reconcile of every certificate; starts executions only where there is work',
      scheduleExpression: expression,
      scheduleExpressionTimezone: 'UTC',
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: sweep.functionArn,
        roleArn: this.role.roleArn,
        input: '{}',
        retryPolicy: RETRY_POLICY,
        deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
      },
    });
    // The group is named, not referenced, so CloudFormation would not wait for it otherwise.
    schedule.node.addDependency(this.dailyGroup, this.role);
    return schedule;
  }
}
