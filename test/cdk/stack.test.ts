/**
 * What a deploy creates: the functions the state machine names, the state machine itself, the
 * secrets, the triggers and the outputs an operator uses. One synth for the whole file.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { readStateMachineDefinition } from '../../cdk/definition.js';
import { type Resource, synthesise } from './support.js';

let template: Template;
let lambdas: Record<string, Resource>;
const definition = readStateMachineDefinition();

// Bundling thirteen functions with the AWS SDK inside takes minutes on two shared cores, more
// while the as-deployed test bundles beside it.
beforeAll(() => {
  ({ template } = synthesise());
  lambdas = template.findResources('AWS::Lambda::Function', { Properties: { Runtime: 'nodejs22.x' } }) as Record<string, Resource>;
}, 600_000);

describe('Lambda functions', () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: names the ASL's substitution placeholders
  it('builds one function per ${XFunctionArn} of the state machine file, and the two sweeps beside it', () => {
    // Assess
    expect(definition.functions.map((fn) => fn.name)).toContain('ImportToAcm');
    expect(Object.keys(lambdas)).toHaveLength(definition.functions.length + 2);
    for (const name of ['Sweep', 'SweepEndedRun'])
      expect(
        Object.keys(lambdas).some((id) => id.startsWith(`RenewalFunctions${name}Function`)),
        name,
      ).toBe(true);
  });

  it('runs every state machine function on Node.js 22, ARM64, with X-Ray and a log group kept 90 days', () => {
    // Prepare
    const logGroups = template.findResources('AWS::Logs::LogGroup') as Record<string, Resource>;

    // Assess
    for (const [id, lambda] of Object.entries(lambdas)) {
      expect(lambda.Properties, id).toMatchObject({ Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } });
      const logGroupRef = (lambda.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(logGroups[logGroupRef]?.Properties.RetentionInDays, id).toBe(90);
      expect((lambda.Properties.Environment as { Variables: Record<string, string> }).Variables.NODE_OPTIONS).toBe('--enable-source-maps');
    }
  });

  it('gives every Lambda of the stack, the custom resource provider included, a log group with retention', () => {
    const all = template.findResources('AWS::Lambda::Function') as Record<string, Resource>;
    const logGroups = template.findResources('AWS::Logs::LogGroup') as Record<string, Resource>;
    for (const [id, lambda] of Object.entries(all)) {
      const logGroupRef = (lambda.Properties.LoggingConfig as { LogGroup?: { Ref: string } } | undefined)?.LogGroup?.Ref ?? '';
      expect(logGroups[logGroupRef]?.Properties.RetentionInDays, id).toBeGreaterThan(0);
    }
  });

  it('sizes Finalize for RSA key generation and keeps CheckRenewal short', () => {
    const byEntry = (name: string) => Object.entries(lambdas).find(([id]) => id.startsWith(`RenewalFunctions${name}Function`))?.[1];
    expect(byEntry('Finalize')?.Properties).toMatchObject({ MemorySize: 512, Timeout: 60 });
    expect(byEntry('CheckRenewal')?.Properties).toMatchObject({ MemorySize: 256, Timeout: 30 });
    expect(byEntry('CreateOrder')?.Properties).toMatchObject({ MemorySize: 256, Timeout: 60 });
  });

  it('passes the issuers and secret prefixes the functions read at init', () => {
    const variables = (Object.values(lambdas)[0]?.Properties.Environment as { Variables: Record<string, string> } | undefined)?.Variables ?? {};
    expect(JSON.parse(variables.CERTSTEP_ISSUERS ?? '[]')).toEqual([
      { name: 'letsencrypt', directoryUrl: 'https://acme-v02.api.letsencrypt.org/directory', email: 'hostmaster@example.com' },
      { name: 'letsencrypt-staging', directoryUrl: 'https://acme-staging-v02.api.letsencrypt.org/directory', email: 'hostmaster@example.com' },
    ]);
    expect(variables).toMatchObject({ CERTSTEP_CERTIFICATE_SECRET_PREFIX: 'certstep/certificates/', CERTSTEP_ACCOUNT_SECRET_PREFIX: 'certstep/accounts/' });
  });

  it('gives ScheduleRenewal and CleanUp the scheduler settings, CheckRenewal and CleanUp the ledger', () => {
    const variablesOf = (name: string) =>
      (
        Object.entries(lambdas).find(([id]) => id.startsWith(`RenewalFunctions${name}Function`))?.[1].Properties.Environment as
          | { Variables: Record<string, unknown> }
          | undefined
      )?.Variables ?? {};
    for (const name of ['ScheduleRenewal', 'CleanUp']) {
      expect(Object.keys(variablesOf(name))).toEqual(
        expect.arrayContaining(['CERTSTEP_SCHEDULE_GROUP', 'CERTSTEP_STATE_MACHINE_ARN', 'CERTSTEP_SCHEDULER_ROLE_ARN', 'CERTSTEP_SCHEDULER_DLQ_ARN']),
      );
    }
    expect(variablesOf('ScheduleRenewal').CERTSTEP_SCHEDULE_GROUP).toBe('certstep-renewals');
    for (const name of ['CheckRenewal', 'CleanUp', 'CreateOrder', 'Finalize', 'StoreCertificate', 'ImportToAcm', 'Sweep', 'SweepEndedRun']) {
      expect(variablesOf(name).CERTSTEP_LEDGER_TABLE, name).toEqual({ Ref: expect.stringMatching(/^RenewalStorageLedger/) });
    }
    for (const name of ['PresentChallenges', 'CheckPropagation', 'AcceptChallenges', 'PollOrder', 'ScheduleRenewal']) {
      expect(variablesOf(name).CERTSTEP_LEDGER_TABLE, name).toBeUndefined();
    }
    expect(variablesOf('Sweep').CERTSTEP_CATALOG_TABLE).toEqual({ Ref: expect.stringMatching(/^RenewalStorageCatalog/) });
    expect(variablesOf('Sweep').CERTSTEP_STATE_MACHINE_ARN).toBeDefined();
  });
});

describe('state machine', () => {
  it('is a Standard state machine with a fixed name, traced, logging ALL without execution data', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'certstep-renewal',
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false, Destinations: [Match.anyValue()] },
    });
  });

  // biome-ignore lint/suspicious/noTemplateCurlyInString: names the ASL's substitution placeholders
  it('leaves no ${...} unresolved once its DefinitionSubstitutions are applied', () => {
    // Prepare
    const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0] as Resource;
    const text = machine.Properties.DefinitionString as string;
    const substitutions = machine.Properties.DefinitionSubstitutions as Record<string, unknown>;

    // Act
    const resolved = text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, name: string) => (name in substitutions ? `<${name}>` : whole));

    // Assess
    expect(typeof text).toBe('string');
    expect(resolved).not.toContain('${');
    expect(Object.keys(substitutions).sort()).toEqual([...definition.substitutions].sort());
  });

  it('points every Task Resource at one of the stack Lambda functions, but the putEvents integration of the run events', () => {
    // Prepare
    const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0] as Resource;
    const substitutions = machine.Properties.DefinitionSubstitutions as Record<string, { 'Fn::GetAtt': [string, string] }>;
    const states = (JSON.parse(machine.Properties.DefinitionString as string) as { States: Record<string, { Type: string; Resource?: string }> }).States;
    const all = Object.entries(states).filter(([, state]) => state.Type === 'Task');
    const tasks = all.filter(([, state]) => state.Resource !== 'arn:aws:states:::events:putEvents');

    // Assess
    expect(all.length - tasks.length).toBe(5);
    expect(tasks.length).toBeGreaterThan(0);
    for (const [name, task] of tasks) {
      const substitution = /^\$\{([A-Za-z0-9]+)\}$/.exec(task.Resource ?? '')?.[1] ?? '';
      const [logicalId, attribute] = substitutions[substitution]?.['Fn::GetAtt'] ?? [];
      expect(lambdas[logicalId ?? ''], `${name} → ${task.Resource}`).toBeDefined();
      expect(attribute).toBe('Arn');
    }
  });

  it('may invoke exactly the functions of its own states, not the sweeps', () => {
    const roleStatements = Object.values(
      template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^RenewalStateMachineRole') }] } }),
    ).flatMap((policy) => ((policy as Resource).Properties.PolicyDocument as { Statement: Array<{ Action: unknown; Resource: unknown }> }).Statement);
    const invoke = roleStatements.find((statement) => statement.Action === 'lambda:InvokeFunction');
    const own = Object.keys(lambdas).filter((id) => !/^RenewalFunctionsSweep/.test(id));
    expect(own).toHaveLength(definition.functions.length);
    expect(invoke?.Resource).toEqual(expect.arrayContaining(own.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] }))));
    expect(invoke?.Resource).toHaveLength(own.length);
  });
});

describe('storage', () => {
  it('creates a retained secret per certificate and per issuer account, holding {}', () => {
    for (const name of ['certstep/certificates/web', 'certstep/certificates/api', 'certstep/accounts/letsencrypt', 'certstep/accounts/letsencrypt-staging']) {
      template.hasResource('AWS::SecretsManager::Secret', {
        Properties: { Name: name, SecretString: '{}' },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    }
    template.resourceCountIs('AWS::SecretsManager::Secret', 4);
    template.resourcePropertiesCountIs('AWS::SecretsManager::Secret', { GenerateSecretString: Match.anyValue() }, 0);
  });

  it('creates the run ledger keyed by certificate name, with point-in-time recovery', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'certificateName', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });
});

describe('triggers', () => {
  it('keeps the catalog the sweep reads in sync: an item per certificate, put on create and update, deleted on delete', () => {
    const items = template.findResources('Custom::CertstepCatalogItem') as Record<string, Resource>;
    expect(Object.keys(items)).toHaveLength(2);
    for (const item of Object.values(items)) {
      const create = JSON.stringify(item.Properties.Create);
      expect(create).toContain('putItem');
      expect(create).toMatch(/\\"name\\":\{\\"S\\":\\"(web|api)\\"\}/);
      expect(item.Properties.Update).toEqual(item.Properties.Create);
      expect(JSON.stringify(item.Properties.Delete)).toContain('deleteItem');
    }
  });

  it('starts an execution per certificate on deploy, with a physical id that changes only with the input', () => {
    // Prepare
    const starts = template.findResources('Custom::CertstepStartExecution') as Record<string, Resource>;

    // Assess
    expect(Object.keys(starts)).toHaveLength(2);
    for (const start of Object.values(starts)) {
      const create = JSON.stringify(start.Properties.Create);
      expect(create).toContain('startExecution');
      expect(create).toMatch(/physicalResourceId\\":\{\\"id\\":\\"(web|api)-[0-9a-f]{16}\\"/);
      expect(start.Properties.Update).toEqual(start.Properties.Create);
      expect(start.Properties.InstallLatestAwsSdk).toBe(false);
    }
  });

  it('owns a schedule group for the one-time renewals and one for the daily checks', () => {
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'certstep-renewals' });
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'certstep-daily' });
    // Named rather than referenced, so the dependency has to be explicit.
    template.hasResource('AWS::Scheduler::Schedule', { DependsOn: Match.arrayWith([Match.stringLikeRegexp('^RenewalSchedulingDailyGroup')]) });
  });

  it('sweeps every certificate daily with one invocation of the sweep, not one execution per certificate; dead letters to the encrypted queue', () => {
    const schedules = template.findResources('AWS::Scheduler::Schedule');
    expect(Object.keys(schedules)).toHaveLength(1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Name: 'sweep',
      GroupName: 'certstep-daily',
      ScheduleExpression: 'cron(0 4 * * ? *)',
      Target: {
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RenewalFunctionsSweepFunction'), 'Arn'] },
        RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RenewalSchedulingRole'), 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RenewalSchedulingDeadLetterQueue'), 'Arn'] } },
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });
});

describe('outputs', () => {
  it('outputs the state machine ARN and the exact execution input of every certificate', () => {
    template.hasOutput('StateMachineArn', { Value: { Ref: Match.stringLikeRegexp('^RenewalStateMachine') } });
    template.hasOutput('LedgerTableName', { Value: { Ref: Match.stringLikeRegexp('^RenewalStorageLedger') } });
    template.hasOutput('RenewalScheduleGroup', { Value: 'certstep-renewals' });
    template.hasOutput('CertificateSecretPrefix', { Value: 'certstep/certificates/' });
    const outputs = Object.fromEntries(Object.entries(template.findOutputs('*')).filter(([id]) => id.startsWith('ExecutionInput')));
    expect(Object.keys(outputs).sort()).toEqual(['ExecutionInputApi', 'ExecutionInputWeb']);
    expect(JSON.parse(outputs.ExecutionInputWeb?.Value as string)).toEqual({
      certificate: {
        name: 'web',
        dnsNames: ['example.com', '*.example.com', 'www.example.com'],
        issuer: 'letsencrypt',
        keyAlgorithm: 'ecdsa-p256',
        renewBefore: 'P30D',
        dns01: { route53: { hostedZoneId: 'Z1' } },
      },
      force: false,
    });
  });
});

describe('monitoring', () => {
  it('notifies an encrypted, SSL-only topic with an e-mail subscription', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RenewalMonitoringKey'), 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('sends every FAILED, TIMED_OUT or ABORTED execution of this state machine to the topic, with name, status, error, cause and input', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [{ Ref: Match.stringLikeRegexp('^RenewalStateMachine') }] },
      },
      Targets: [
        Match.objectLike({
          Arn: { Ref: Match.stringLikeRegexp('^RenewalMonitoringTopic') },
          InputTransformer: Match.objectLike({
            InputPathsMap: {
              'detail-name': '$.detail.name',
              'detail-status': '$.detail.status',
              'detail-error': '$.detail.error',
              'detail-cause': '$.detail.cause',
              'detail-input': '$.detail.input',
              'detail-executionArn': '$.detail.executionArn',
            },
          }),
        }),
        // The whole event to the sweeper, which cleans up after runs that ended without clean-up.
        Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RenewalFunctionsSweepEndedRunFunction'), 'Arn'] }, RetryPolicy: Match.anyValue() }),
      ],
    });
  });

  it('alarms on failed executions and on schedules that could not start one', () => {
    const topic = [{ Ref: Match.stringLikeRegexp('^RenewalMonitoringTopic') }];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'certstep-executions-failed',
      Namespace: 'AWS/States',
      MetricName: 'ExecutionsFailed',
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: Match.stringLikeRegexp('^RenewalStateMachine') } }],
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      AlarmActions: topic,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'certstep-schedules-undelivered',
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      AlarmActions: topic,
    });
  });

  it('alarms per certificate when DaysUntilExpiry drops below 14 days, or stops arriving', () => {
    for (const name of ['web', 'api']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `certstep-${name}-expiry`,
        Namespace: 'certstep',
        MetricName: 'DaysUntilExpiry',
        Dimensions: [{ Name: 'Certificate', Value: name }],
        Statistic: 'Minimum',
        Period: 86_400,
        Threshold: 14,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^RenewalMonitoringTopic') }],
      });
    }
  });
});
