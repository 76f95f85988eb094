/**
 * The run events' subscribers on AWS: rules on the default bus for an SNS topic (every outcome)
 * and a deploy hook Lambda (issuances only), stack-wide or per certificate, and the state
 * machine allowed to put events on the default bus and nowhere else.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CertstepConfigInput } from '../../cdk/config.js';
import { validateConfig } from '../../cdk/config.js';
import { type Resource, actionsOf, configErrorOf, statementsOf, synthesise, testConfig } from './support.js';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:certstep-events';
const WEB_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:web-team';
const HOOK = 'arn:aws:lambda:eu-west-1:123456789012:function:reload-nginx';
const WEB_HOOK = 'arn:aws:lambda:eu-west-1:123456789012:function:reload-web:live';
const ENV = { account: '123456789012', region: 'eu-west-1' };
const ALL_TYPES = ['Certificate Issued', 'Certificate Renewal Failed', 'Certificate Renewal Held Back', 'Certificate Outputs Repaired'];

const config: CertstepConfigInput = testConfig({
  notifications: { snsTopicArn: TOPIC, deployHookFunctionArn: HOOK, certificates: { web: { snsTopicArn: WEB_TOPIC, deployHookFunctionArn: WEB_HOOK } } },
});

type Rule = { Properties: { EventPattern: Record<string, unknown>; Targets: Array<Record<string, unknown>>; State?: string } };
/** The subscribers' rules; the stack's own "Certificate Expiring" e-mail (monitoring.ts) is not one. */
const certstepRules = (template: Template) =>
  Object.entries(template.findResources('AWS::Events::Rule') as Record<string, Rule>).filter(
    ([id, rule]) => JSON.stringify(rule.Properties.EventPattern.source) === JSON.stringify(['certstep']) && !id.startsWith('RenewalMonitoring'),
  );

let template: Template;
beforeAll(() => {
  ({ template } = synthesise(config, { bundle: false, env: ENV }));
});

describe('rules for the run events', () => {
  it('sends every outcome of every certificate to the stack-wide topic, and of web to its own topic too', () => {
    const toTopics = certstepRules(template).filter(([, rule]) => JSON.stringify(rule.Properties.Targets).includes(':sns:'));
    expect(toTopics.map(([, rule]) => [rule.Properties.EventPattern, rule.Properties.Targets.map((target) => target.Arn)])).toEqual([
      [{ source: ['certstep'], 'detail-type': ALL_TYPES }, [TOPIC]],
      [{ source: ['certstep'], 'detail-type': ALL_TYPES, detail: { certificateName: ['web'] } }, [WEB_TOPIC]],
    ]);
  });

  it('invokes the deploy hooks after an issuance only, retried, with what still fails kept in the dead-letter queue', () => {
    const hooks = certstepRules(template).filter(([, rule]) => JSON.stringify(rule.Properties.Targets).includes(':lambda:'));
    expect(hooks.map(([, rule]) => rule.Properties.EventPattern)).toEqual([
      { source: ['certstep'], 'detail-type': ['Certificate Issued'] },
      { source: ['certstep'], 'detail-type': ['Certificate Issued'], detail: { certificateName: ['web'] } },
    ]);
    expect(hooks.map(([, rule]) => rule.Properties.Targets[0]?.Arn)).toEqual([HOOK, WEB_HOOK]);
    for (const [, rule] of hooks) {
      expect(rule.Properties.Targets[0]).toMatchObject({
        RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 21600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/^RenewalSchedulingDeadLetterQueue/), 'Arn'] } },
      });
    }
  });

  it('lets EventBridge invoke each hook from its own rule only', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission') as Record<string, Resource>).filter(
      // The stack's own functions are invoked by its own rules (the sweep of ended runs); the hooks are the user's, named by ARN.
      (permission) => permission.Properties.Principal === 'events.amazonaws.com' && typeof permission.Properties.FunctionName === 'string',
    );
    const byFunction = new Map(permissions.map((permission) => [permission.Properties.FunctionName, permission.Properties.SourceArn]));
    expect([...byFunction.keys()].sort()).toEqual([HOOK, WEB_HOOK].sort());
    for (const sourceArn of byFunction.values()) expect(sourceArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^RenewalNotifications/), 'Arn'] });
    for (const permission of permissions) expect(permission.Properties.Action).toBe('lambda:InvokeFunction');
  });

  it("lets the hook rules, and only them, put what they could not deliver in the dead-letter queue; leaves the users' topics alone", () => {
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy') as Record<string, Resource>);
    const fromEvents = policies.flatMap((policy) =>
      (policy.Properties.PolicyDocument as { Statement: Array<{ Principal?: { Service?: string }; Action: string; Condition?: unknown }> }).Statement.filter(
        (statement) => statement.Principal?.Service === 'events.amazonaws.com',
      ),
    );
    expect(fromEvents.map((statement) => [statement.Action, statement.Condition])).toEqual(
      ['AllCertificatesDeployHook', 'CertificateWebDeployHook'].map((rule) => [
        'sqs:SendMessage',
        { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [expect.stringMatching(new RegExp(`^RenewalNotifications${rule}`)), 'Arn'] } } },
      ]),
    );
    // A topic policy would replace the owner's own; docs/operations.md gives the statement to add.
    expect(JSON.stringify(template.findResources('AWS::SNS::TopicPolicy'))).not.toContain(':sns:eu-west-1:123456789012:');
  });

  it('makes no rule for the run events without notifications', () => {
    const { template: plain } = synthesise(testConfig(), { bundle: false });
    expect(certstepRules(plain)).toEqual([]);
  });
});

describe('the state machine role', () => {
  it('may put events on the default bus of its own account and region, and nothing else in EventBridge (as the Sweep, for its expiring certificates)', () => {
    const events = statementsOf(template).filter((statement) => actionsOf(statement).some((action) => action.startsWith('events:')));
    expect(events.map(({ policy, ...statement }) => [policy.replace(/[0-9A-F]{8}$/, ''), statement])).toEqual([
      [
        'RenewalFunctionsSweepRoleDefaultPolicy',
        {
          Effect: 'Allow',
          Action: 'events:PutEvents',
          Resource: 'arn:aws:events:eu-west-1:123456789012:event-bus/default',
        },
      ],
      [
        'RenewalStateMachineRoleDefaultPolicy',
        {
          Effect: 'Allow',
          Action: 'events:PutEvents',
          Resource: 'arn:aws:events:eu-west-1:123456789012:event-bus/default',
        },
      ],
    ]);
  });
});

describe('notifications in the configuration', () => {
  const attempt = (notifications: unknown) => () => validateConfig(testConfig({ notifications } as never));

  it('takes the stack-wide subscribers first, then each certificate, and nothing for an empty entry', () => {
    expect(validateConfig(config).subscriptions).toEqual([
      { snsTopicArn: TOPIC, deployHookFunctionArn: HOOK },
      { certificateName: 'web', snsTopicArn: WEB_TOPIC, deployHookFunctionArn: WEB_HOOK },
    ]);
    expect(validateConfig(testConfig({ notifications: { certificates: { api: {} } } })).subscriptions).toEqual([]);
  });

  it.each([
    [{ snsTopicArn: 'certstep-events' }, 'notifications.snsTopicArn: must be the ARN of a standard SNS topic'],
    [{ snsTopicArn: `${TOPIC}.fifo` }, 'notifications.snsTopicArn: must be the ARN of a standard SNS topic'],
    [{ deployHookFunctionArn: 'reload-nginx' }, 'notifications.deployHookFunctionArn: must be the ARN of a Lambda function'],
    [{ deployHookFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:layer:x:1' }, 'notifications.deployHookFunctionArn: must be the ARN of a Lambda function'],
    [{ certificates: { web: { snsTopicArn: 'arn:aws:sqs:eu-west-1:123456789012:q' } } }, 'notifications.certificates.web.snsTopicArn: must be the ARN'],
    [{ certificates: { shop: { snsTopicArn: TOPIC } } }, 'notifications.certificates.shop: names no certificate'],
    [{ snsTopic: TOPIC }, 'unknown field; known fields: snsTopicArn, deployHookFunctionArn, certificates'],
  ])('refuses %j', (notifications, message) => {
    expect(configErrorOf(attempt(notifications))).toContain(message);
  });

  it('refuses a subscriber in another region than the stack, at synth', () => {
    const elsewhere = testConfig({ notifications: { deployHookFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:reload-nginx' } });
    expect(configErrorOf(() => synthesise(elsewhere, { bundle: false, env: ENV }))).toContain(
      'notifications.deployHookFunctionArn: arn:aws:lambda:us-east-1:123456789012:function:reload-nginx is in us-east-1, but the stack deploys to eu-west-1',
    );
  });
});
