/**
 * Makes in moto what the template declares and the runs touch, as CloudFormation would: tables
 * with the template's key schema, the secrets with their placeholder, the schedule groups, the
 * queues, the state machine, the roles with their policies, the event rules. moto's own
 * CloudFormation cannot do it (no AWS::Scheduler::Schedule or AWS::SecretsManager::Secret, it
 * refuses a policy whose Resource is a GetAtt, and the custom resources need Lambda in Docker).
 * Everything else (log groups, alarms, keys, topics, permissions, the daily schedule, the custom
 * resources' provider) gets a name only, for the ARNs that point at it.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateScheduleGroupCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { Moto } from '../support/moto.js';
import { type Credentials, jsonCall, queryCall, xmlField } from './aws-call.js';
import { type Json, type PhysicalResources, type Template, resolve } from './template.js';

export const ACCOUNT_ID = '123456789012';

/** moto answers this many calls without checking credentials; createAdmin makes exactly that many. */
export const UNCHECKED_CALLS = 3;

export interface Deployed extends PhysicalResources {
  readonly admin: Credentials;
  /** Temporary credentials of the role, as `service` (lambda.amazonaws.com, ...) would get them; the role must trust it. */
  credentialsOf(roleLogicalId: string, service: string): Promise<Credentials>;
  /** The queue that every event rule of the template delivers to, in place of its SNS or Lambda targets. */
  readonly eventsQueueUrl: string;
}

interface Made {
  ref: string;
  attributes: Record<string, string>;
}

/** The first calls moto lets through unchecked: an administrator whose keys sign everything else. */
async function createAdmin(moto: Moto): Promise<Credentials> {
  const target = { endpoint: moto.endpoint, region: moto.region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const iam = (action: string, parameters: Record<string, string>) => queryCall(target, 'iam', '2010-05-08', action, parameters);
  await iam('CreateUser', { UserName: 'certstep-test-admin' });
  const everything = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
  await iam('PutUserPolicy', { UserName: 'certstep-test-admin', PolicyName: 'admin', PolicyDocument: everything });
  const keys = await iam('CreateAccessKey', { UserName: 'certstep-test-admin' });
  return { accessKeyId: xmlField(keys, 'AccessKeyId'), secretAccessKey: xmlField(keys, 'SecretAccessKey') };
}

export async function deploy(moto: Moto, template: Template, stackName: string): Promise<Deployed> {
  const admin = await createAdmin(moto);
  const region = moto.region;
  const sdk = { endpoint: moto.endpoint, region, credentials: admin };
  const target = { endpoint: moto.endpoint, region, credentials: admin };
  const made = new Map<string, Made>();
  const nameOf = (logicalId: string) => `${stackName}-${logicalId}`.slice(0, 64);
  const arn = (service: string, resource: string, regional = true) => `arn:aws:${service}:${regional ? region : ''}:${ACCOUNT_ID}:${resource}`;

  const physical: PhysicalResources = {
    accountId: ACCOUNT_ID,
    region,
    ref: (logicalId) => madeOrNamed(logicalId).ref,
    getAtt: (logicalId, attribute) => {
      const value = madeOrNamed(logicalId).attributes[attribute];
      if (value === undefined) throw new Error(`Fn::GetAtt ${logicalId}.${attribute}: not known to the as-deployed test`);
      return value;
    },
  };
  const madeOrNamed = (logicalId: string): Made => {
    const found = made.get(logicalId);
    if (found) return found;
    const type = template.Resources[logicalId]?.Type;
    if (!type) throw new Error(`the template has no resource ${logicalId}`);
    return named(logicalId, type);
  };
  /** What a resource not made in moto is called, so ARNs pointing at it still resolve. */
  const named = (logicalId: string, type: string): Made => {
    const name = nameOf(logicalId);
    switch (type) {
      case 'AWS::Lambda::Function':
        return { ref: name, attributes: { Arn: arn('lambda', `function:${name}`) } };
      case 'AWS::Logs::LogGroup':
        return { ref: name, attributes: { Arn: arn('logs', `log-group:${name}:*`) } };
      case 'AWS::KMS::Key':
        return { ref: name, attributes: { Arn: arn('kms', `key/${name}`) } };
      case 'AWS::SNS::Topic':
        return { ref: arn('sns', name), attributes: { TopicName: name } };
      default:
        return { ref: name, attributes: {} };
    }
  };
  const properties = (logicalId: string) => resolve((template.Resources[logicalId]?.Properties ?? {}) as Json, physical) as Record<string, unknown>;
  const ofType = (type: string) => Object.keys(template.Resources).filter((logicalId) => template.Resources[logicalId]?.Type === type);
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

  const dynamodb = new DynamoDBClient(sdk);
  for (const logicalId of ofType('AWS::DynamoDB::Table')) {
    const { KeySchema, AttributeDefinitions, BillingMode } = properties(logicalId) as Record<string, never>;
    const name = nameOf(logicalId);
    await dynamodb.send(new CreateTableCommand({ TableName: name, KeySchema, AttributeDefinitions, BillingMode }));
    made.set(logicalId, { ref: name, attributes: { Arn: arn('dynamodb', `table/${name}`) } });
  }
  const secrets = new SecretsManagerClient(sdk);
  for (const logicalId of ofType('AWS::SecretsManager::Secret')) {
    const { Name, SecretString, Description } = properties(logicalId);
    const created = await secrets.send(new CreateSecretCommand({ Name: text(Name), SecretString: text(SecretString), Description: text(Description) }));
    made.set(logicalId, { ref: created.ARN as string, attributes: {} });
  }
  const scheduler = new SchedulerClient(sdk);
  for (const logicalId of ofType('AWS::Scheduler::ScheduleGroup')) {
    const Name = text(properties(logicalId).Name) as string;
    const created = await scheduler.send(new CreateScheduleGroupCommand({ Name }));
    made.set(logicalId, { ref: Name, attributes: { Arn: created.ScheduleGroupArn as string } });
  }
  const sqs = (operation: string, input: unknown) => jsonCall<{ QueueUrl?: string }>(target, 'sqs', `AmazonSQS.${operation}`, '1.0', input);
  for (const logicalId of ofType('AWS::SQS::Queue')) {
    const name = nameOf(logicalId);
    const { QueueUrl } = await sqs('CreateQueue', { QueueName: name });
    made.set(logicalId, { ref: QueueUrl as string, attributes: { Arn: arn('sqs', name), QueueName: name, QueueUrl: QueueUrl as string } });
  }
  const iam = (action: string, parameters: Record<string, string>) => queryCall(target, 'iam', '2010-05-08', action, parameters);
  const adminArn = arn('iam', 'user/certstep-test-admin', false);
  const trustedServices = new Map<string, string[]>();
  for (const logicalId of ofType('AWS::IAM::Role')) {
    const name = nameOf(logicalId);
    const trust = properties(logicalId).AssumeRolePolicyDocument as TrustPolicy;
    trustedServices.set(
      logicalId,
      trust.Statement.flatMap((statement) => statement.Principal?.Service ?? []),
    );
    const created = await iam('CreateRole', { RoleName: name, AssumeRolePolicyDocument: JSON.stringify(standingInForServices(trust, adminArn)) });
    made.set(logicalId, { ref: name, attributes: { Arn: xmlField(created, 'Arn'), RoleId: xmlField(created, 'RoleId') } });
  }
  for (const logicalId of ofType('AWS::StepFunctions::StateMachine')) {
    const { StateMachineName, RoleArn, DefinitionString, DefinitionSubstitutions } = properties(logicalId) as {
      StateMachineName: string;
      RoleArn: string;
      DefinitionString: string;
      DefinitionSubstitutions: Record<string, string>;
    };
    const definition = substitute(DefinitionString, DefinitionSubstitutions);
    const created = await new SFNClient(sdk).send(new CreateStateMachineCommand({ name: StateMachineName, roleArn: RoleArn, definition }));
    made.set(logicalId, { ref: created.stateMachineArn as string, attributes: { Name: StateMachineName } });
  }
  // Policies last: their statements name the resources above.
  for (const logicalId of ofType('AWS::IAM::Policy')) {
    const { PolicyName, PolicyDocument, Roles } = properties(logicalId) as { PolicyName: string; PolicyDocument: unknown; Roles: string[] };
    for (const role of Roles)
      await iam('PutRolePolicy', { RoleName: role, PolicyName, PolicyDocument: JSON.stringify(actionsOnly(PolicyDocument as PolicyDocument)) });
  }

  const tap = await sqs('CreateQueue', { QueueName: `${stackName}-events-tap` });
  const eventsQueueUrl = tap.QueueUrl as string;
  for (const logicalId of ofType('AWS::Events::Rule')) {
    const { EventPattern } = properties(logicalId);
    const name = nameOf(logicalId);
    await jsonCall(target, 'events', 'AWSEvents.PutRule', '1.1', { Name: name, EventPattern: JSON.stringify(EventPattern), State: 'ENABLED' });
    await jsonCall(target, 'events', 'AWSEvents.PutTargets', '1.1', { Rule: name, Targets: [{ Id: 'tap', Arn: arn('sqs', `${stackName}-events-tap`) }] });
  }

  const sts = new STSClient(sdk);
  const sessions = new Map<string, Promise<Credentials>>();
  const credentialsOf = (roleLogicalId: string, service: string) => {
    const trusted = trustedServices.get(roleLogicalId) ?? [];
    if (!trusted.includes(service)) throw new Error(`role ${roleLogicalId} trusts ${trusted.join(', ') || 'no service'}, not ${service}`);
    let session = sessions.get(roleLogicalId);
    if (!session) {
      session = sts
        .send(new AssumeRoleCommand({ RoleArn: physical.getAtt(roleLogicalId, 'Arn'), RoleSessionName: roleLogicalId.slice(0, 64) }))
        .then(({ Credentials: c }) => ({
          accessKeyId: c?.AccessKeyId as string,
          secretAccessKey: c?.SecretAccessKey as string,
          sessionToken: c?.SessionToken as string,
        }));
      sessions.set(roleLogicalId, session);
    }
    return session;
  };
  return { ...physical, admin, credentialsOf, eventsQueueUrl };
}

interface PolicyDocument {
  Statement: Array<{ Effect: string; Action: string | string[]; Resource?: unknown; Condition?: unknown }>;
  [key: string]: unknown;
}

/**
 * moto authorizes a call against the resource `*` whatever it names, so a statement scoped to
 * a resource never matches there: each statement keeps its effect and actions, on every
 * resource and without conditions. The run then fails on a missing action, not on a resource
 * or condition the template gets wrong (test/cdk/iam.test.ts reads those).
 */
function actionsOnly(document: PolicyDocument): PolicyDocument {
  return { ...document, Statement: document.Statement.map(({ Effect, Action }) => ({ Effect, Action, Resource: '*' })) };
}

interface TrustPolicy {
  Statement: Array<{ Principal?: { Service?: string | string[]; AWS?: string }; [key: string]: unknown }>;
  [key: string]: unknown;
}

/**
 * moto can only check a trust policy against an AWS principal (a service principal crashes its
 * check), so the test's administrator stands in for the service the template trusts;
 * credentialsOf checks that the template trusts the service asking.
 */
function standingInForServices(trust: TrustPolicy, adminArn: string): TrustPolicy {
  return {
    ...trust,
    Statement: trust.Statement.map((statement) => (statement.Principal?.Service ? { ...statement, Principal: { AWS: adminArn } } : statement)),
  };
}

/** What Step Functions does with DefinitionSubstitutions: every `${Name}` replaced. */
export function substitute(definition: string, substitutions: Record<string, string> = {}): string {
  return definition.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, name: string) => {
    const value = substitutions[name];
    if (value === undefined) throw new Error(`the definition uses ${whole}, which DefinitionSubstitutions does not supply`);
    return value;
  });
}
