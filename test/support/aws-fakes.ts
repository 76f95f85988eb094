/**
 * Stateful stand-ins behind aws-sdk-client-mock for the two APIs the run ledger and the
 * reconcile read back what they wrote: DynamoDB GetItem/PutItem with the condition expressions
 * the ledger uses, and EventBridge Scheduler create/update/get. Requests are the SDK's own.
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  GetItemCommand,
  type GetItemCommandInput,
  PutItemCommand,
  type PutItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import {
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  GetScheduleCommand,
  type GetScheduleCommandInput,
  ResourceNotFoundException,
  UpdateScheduleCommand,
  type UpdateScheduleCommandInput,
} from '@aws-sdk/client-scheduler';
import type { AwsStub } from 'aws-sdk-client-mock';

// biome-ignore lint: the stubs' generic parameters differ per client
type Stub = AwsStub<any, any, any>;

export interface DynamoTable {
  readonly items: Map<string, Record<string, AttributeValue>>;
  /** Runs once before the next PutItem is judged, to slip another writer's change in. */
  beforeNextPut?: () => void;
}

export function statefulDynamo(stub: Stub, keyName = 'certificateName'): DynamoTable {
  const table: DynamoTable = { items: new Map() };
  stub.on(GetItemCommand).callsFake(async (input: GetItemCommandInput) => {
    await Promise.resolve();
    const item = table.items.get(input.Key?.[keyName]?.S ?? '');
    return item ? { Item: structuredClone(item) } : {};
  });
  stub.on(PutItemCommand).callsFake(async (input: PutItemCommandInput) => {
    await Promise.resolve();
    const hook = table.beforeNextPut;
    table.beforeNextPut = undefined;
    hook?.();
    const key = input.Item?.[keyName]?.S ?? '';
    const existing = table.items.get(key);
    const passes =
      input.ConditionExpression === undefined ||
      (input.ConditionExpression === 'attribute_not_exists(entry)' && existing?.entry === undefined) ||
      (input.ConditionExpression === 'version = :version' && existing?.version?.N === input.ExpressionAttributeValues?.[':version']?.N);
    if (!passes) throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    table.items.set(key, structuredClone(input.Item ?? {}));
    return {};
  });
  return table;
}

export function statefulScheduler(stub: Stub): Map<string, CreateScheduleCommandInput> {
  const schedules = new Map<string, CreateScheduleCommandInput>();
  const notFound = (name: string) =>
    new ResourceNotFoundException({ message: `Schedule ${name} does not exist.`, Message: `Schedule ${name} does not exist.`, $metadata: {} });
  stub.on(GetScheduleCommand).callsFake(async (input: GetScheduleCommandInput) => {
    const schedule = schedules.get(input.Name ?? '');
    if (!schedule) throw notFound(input.Name ?? '');
    return schedule;
  });
  stub.on(UpdateScheduleCommand).callsFake(async (input: UpdateScheduleCommandInput) => {
    if (!schedules.has(input.Name ?? '')) throw notFound(input.Name ?? '');
    schedules.set(input.Name ?? '', input as CreateScheduleCommandInput);
    return { ScheduleArn: `arn:aws:scheduler:us-east-1:123456789012:schedule/${input.GroupName}/${input.Name}` };
  });
  stub.on(CreateScheduleCommand).callsFake(async (input: CreateScheduleCommandInput) => {
    schedules.set(input.Name ?? '', input);
    return { ScheduleArn: `arn:aws:scheduler:us-east-1:123456789012:schedule/${input.GroupName}/${input.Name}` };
  });
  return schedules;
}
