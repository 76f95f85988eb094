/**
 * What a deploy creates: the functions the state machine names, the state machine itself, the
 * account secrets, the catalog sync and the outputs an operator uses. One synth for the whole file.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DUMMY_ENV } from '../../bench/coldstart.js';
import { readStateMachineDefinition } from '../../cdk/definition.js';
import { SWEEP_METRICS } from '../../cdk/monitoring.js';
import { sweepMetricsLine } from '../../functions/runtime/metrics.js';
import { SWEEP_FUNCTIONS } from '../../cdk/permissions.js';
import { type Resource, lambdaCodeDirectory, synthesise, testConfig } from './support.js';

let app: App;
let template: Template;
let lambdas: Record<string, Resource>;
const definition = readStateMachineDefinition();

/** Every JavaScript file of a function's asset, joined: index.mjs and its chunks. */
function assetCode(lambda: Resource): string {
  const directory = lambdaCodeDirectory(app.outdir, lambda);
  return readdirSync(directory)
    .filter((file) => file.endsWith('.mjs'))
    .map((file) => readFileSync(join(directory, file), 'utf8'))
    .join('\n');
}

// Bundling thirteen functions with the AWS SDK inside takes minutes on two shared cores, more
// while the as-deployed test bundles beside it.
beforeAll(() => {
  ({ app, template } = synthesise());
  lambdas = template.findResources('AWS::Lambda::Function', { Properties: { Runtime: 'nodejs22.x' } }) as Record<string, Resource>;
}, 600_000);

describe('Lambda functions', () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: names the ASL's substitution placeholders
  it('builds one function per ${XFunctionArn} of the state machine file, and the two sweeps and the catalog sync beside it', () => {
    // Assess
    expect(definition.functions.map((fn) => fn.name)).toContain('ImportToAcm');
    expect(SWEEP_FUNCTIONS).toEqual(['Sweep', 'SweepEndedRun', 'SyncCatalog']);
    expect(Object.keys(lambdas)).toHaveLength(definition.functions.length + 3);
    for (const name of SWEEP_FUNCTIONS)
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

  it('bundles each function on its own, as index.mjs and the chunks only a dynamic import loads', () => {
    // Prepare
    const directories = Object.values(lambdas).map((lambda) => lambdaCodeDirectory(app.outdir, lambda));

    // Assess: one asset per function (CDK caches bundles by their options: a shared key would
    // give every function the first one's code), each with its handler and its source maps.
    expect(new Set(directories).size).toBe(directories.length);
    for (const directory of directories) {
      const files = readdirSync(directory);
      expect(files, directory).toContain('index.mjs');
      expect(files, directory).toContain('index.mjs.map');
      // The Tracer with the X-Ray SDK: in a chunk of its own in every function.
      expect(files.filter((file) => file.endsWith('.mjs') && readFileSync(join(directory, file), 'utf8').includes('AWSXRay')).length, directory).toBe(1);
      expect(readFileSync(join(directory, 'index.mjs'), 'utf8').includes('AWSXRay'), directory).toBe(false);
    }
  });

  it('bundles every function with the Lambda-only credential chain and the node-forge, mime-db and semver stubs (issue 18)', () => {
    // Strings each left-out module carries in its code, which minification leaves alone (names it does not keep).
    const LEFT_OUT: Record<string, string> = {
      'the profile and SSO providers': 'sso_start_url',
      'the process provider': 'credential_process',
      'the web identity provider': 'AWS_WEB_IDENTITY_TOKEN_FILE',
      'the container metadata provider': 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
      'the instance metadata provider': '/latest/meta-data/iam/security-credentials/',
      'mime-db': 'application/vnd.openxmlformats',
      semver: 'SEMVER_SPEC_VERSION',
    };
    for (const [id, lambda] of Object.entries(lambdas)) {
      // Prepare: every file of the asset, the chunks only a dynamic import loads included.
      const code = assetCode(lambda);

      // Assess. Booleans, not toContain: a failure would print the whole bundle.
      const has = (text: string) => code.includes(text);
      expect(has('LambdaCredentialsMissing'), id).toBe(true);
      for (const [module, text] of Object.entries(LEFT_OUT)) expect(has(text), `${id} bundles ${module}`).toBe(false);
      expect(has('semver is reduced to release versions in certstep Lambdas'), id).toBe(true);
      if (has('acme-client')) expect(has('node-forge is not bundled in certstep Lambdas'), id).toBe(true);
    }
  });

  it('leaves the X.509 libraries out of every function, and gives those that bundle acme-client the stub', () => {
    // Prepare: acme-client names x509's classes itself; this message is the library's own.
    const bundleOf = (name: string) => {
      const lambda = Object.entries(lambdas).find(([id]) => id.startsWith(`RenewalFunctions${name}Function`))?.[1];
      if (!lambda) throw new Error(`no ${name} function in the stack`);
      return assetCode(lambda);
    };
    const X509_LIBRARY = 'Cannot convert WebCrypto algorithm to ASN.1 algorithm';

    // Assess
    for (const [id, lambda] of Object.entries(lambdas)) expect(assetCode(lambda).includes(X509_LIBRARY), `${id} bundles @peculiar/x509`).toBe(false);
    for (const name of ['CreateOrder', 'AcceptChallenges', 'PollOrder', 'Finalize', 'StoreCertificate'])
      expect(bundleOf(name).includes('X.509 is not bundled in this certstep Lambda'), name).toBe(true);
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

  it('leaves Powertools Tracer off in every function unless traceAwsCalls, as the bench imports them', () => {
    const switches = Object.values(lambdas).map(
      (fn) => (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.POWERTOOLS_TRACE_ENABLED,
    );
    expect(switches.length).toBeGreaterThanOrEqual(14);
    expect(new Set(switches)).toEqual(new Set(['false']));
    expect(DUMMY_ENV.POWERTOOLS_TRACE_ENABLED).toBe('false');

    const traced = synthesise({ ...testConfig(), traceAwsCalls: true }, { bundle: false }).template.findResources('AWS::Lambda::Function', {
      Properties: { Runtime: 'nodejs22.x' },
    }) as Record<string, Resource>;
    const on = Object.values(traced).map((fn) => (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.POWERTOOLS_TRACE_ENABLED);
    expect(on.length).toBe(switches.length);
    expect(new Set(on)).toEqual(new Set(['true']));
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

  it('tells Finalize, SyncCatalog and Sweep (which puts policies back after an upgrade), and only them, which roles each certificate secret policy names; SyncCatalog the catalog and state machine; Sweep the default threshold', () => {
    // Prepare
    const variablesOf = (name: string) =>
      (
        Object.entries(lambdas).find(([id]) => id.startsWith(`RenewalFunctions${name}Function`))?.[1].Properties.Environment as
          | { Variables: Record<string, unknown> }
          | undefined
      )?.Variables ?? {};
    // Renders the Fn::Join as CloudFormation would, with each role ARN made from its logical id.
    const render = (value: unknown): string => {
      if (typeof value === 'string') return value;
      const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
      if (join) return join[1].map(render).join(join[0]);
      const [id] = (value as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
      return `arn:aws:iam::123456789012:role/${id}`;
    };
    const roleOf = (name: string) => expect.stringMatching(new RegExp(`^arn:aws:iam::123456789012:role/RenewalFunctions${name}Role`));

    // Act
    const settings = JSON.parse(render(variablesOf('Finalize').CERTSTEP_CERTIFICATE_SECRET_POLICY)) as Record<string, string[]>;

    // Assess
    expect(variablesOf('SyncCatalog').CERTSTEP_CERTIFICATE_SECRET_POLICY).toEqual(variablesOf('Finalize').CERTSTEP_CERTIFICATE_SECRET_POLICY);
    expect(variablesOf('Sweep').CERTSTEP_CERTIFICATE_SECRET_POLICY).toEqual(variablesOf('Finalize').CERTSTEP_CERTIFICATE_SECRET_POLICY);
    expect(settings).toEqual({
      get: [roleOf('Finalize'), roleOf('StoreCertificate')],
      getAcm: [roleOf('ImportToAcm')],
      put: [roleOf('Finalize'), roleOf('StoreCertificate')],
      stage: [roleOf('CleanUp'), roleOf('StoreCertificate'), roleOf('SweepEndedRun')],
      readers: [],
    });
    for (const name of Object.keys(lambdas).map((id) => /^RenewalFunctions([A-Za-z]+?)Function/.exec(id)?.[1] ?? id)) {
      if (!['Finalize', 'SyncCatalog', 'Sweep'].includes(name)) expect(variablesOf(name).CERTSTEP_CERTIFICATE_SECRET_POLICY, name).toBeUndefined();
      if (name !== 'Sweep') expect(variablesOf(name).CERTSTEP_ALARM_DAYS, name).toBeUndefined();
      expect(variablesOf(name).CERTSTEP_MAX_STARTS, name).toBeUndefined();
    }
    expect(variablesOf('Sweep').CERTSTEP_ALARM_DAYS).toBe('14');
    expect(variablesOf('SyncCatalog')).toMatchObject({
      CERTSTEP_CATALOG_TABLE: { Ref: expect.stringMatching(/^RenewalStorageCatalog/) },
      CERTSTEP_STATE_MACHINE_ARN: expect.anything(),
      CERTSTEP_CERTIFICATE_SECRET_PREFIX: 'certstep/certificates/',
      CERTSTEP_ISSUERS: expect.any(String),
    });
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
    const own = Object.keys(lambdas).filter((id) => !/^RenewalFunctions(Sweep|SyncCatalog)/.test(id));
    expect(own).toHaveLength(definition.functions.length);
    expect(invoke?.Resource).toEqual(expect.arrayContaining(own.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] }))));
    expect(invoke?.Resource).toHaveLength(own.length);
  });
});

describe('storage', () => {
  it('creates a retained secret per issuer account, holding {}, and none per certificate (made at first issuance)', () => {
    for (const name of ['certstep/accounts/letsencrypt', 'certstep/accounts/letsencrypt-staging']) {
      template.hasResource('AWS::SecretsManager::Secret', {
        Properties: { Name: name, SecretString: '{}' },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    }
    template.resourceCountIs('AWS::SecretsManager::Secret', 2);
    template.resourcePropertiesCountIs('AWS::SecretsManager::Secret', { Name: Match.stringLikeRegexp('^certstep/certificates/') }, 0);
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
  it('hands the configured certificates to SyncCatalog through one custom resource: the S3 asset, its hash and the secrets policy', () => {
    // Prepare
    const syncs = Object.values(template.findResources('Custom::CertstepCatalogSync')) as Resource[];
    const properties = syncs[0]?.Properties ?? {};
    const finalize = Object.keys(lambdas).find((id) => id.startsWith('RenewalFunctionsFinalizeFunction')) ?? '';
    const variables = (lambdas[finalize]?.Properties.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {};

    // Assess
    expect(syncs).toHaveLength(1);
    template.resourceCountIs('Custom::CertstepCatalogItem', 0);
    template.resourceCountIs('Custom::CertstepStartExecution', 0);
    expect(properties.ServiceToken).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^RenewalCatalogSyncProviderframeworkonEvent/), 'Arn'] });
    expect(properties.Key).toBe(`${properties.Hash}.json`);
    expect(properties.Bucket).toEqual(expect.objectContaining({ 'Fn::Sub': expect.stringContaining('assets') }));
    // The same value as the functions that make secrets get, so a change of roles re-syncs.
    expect(properties.Policy).toEqual(variables.CERTSTEP_CERTIFICATE_SECRET_POLICY);
  });

  it('writes each certificate into the asset as its exact execution input and its expiry alarm threshold', () => {
    // Prepare
    const [sync] = Object.values(template.findResources('Custom::CertstepCatalogSync')) as Resource[];
    const file = JSON.parse(readFileSync(join(app.outdir, `asset.${sync?.Properties.Key as string}`), 'utf8')) as {
      certificates: Array<Record<string, unknown>>;
    };

    // Assess
    expect(file.certificates.map((entry) => entry.name)).toEqual(['web', 'api']);
    expect(file.certificates[0]).toEqual({
      name: 'web',
      input: {
        certificate: {
          name: 'web',
          dnsNames: ['example.com', '*.example.com', 'www.example.com'],
          issuer: 'letsencrypt',
          keyAlgorithm: 'ecdsa-p256',
          renewBefore: 'P30D',
          dns01: { route53: { hostedZoneId: 'Z1' } },
        },
        force: false,
      },
      expiryAlarmDays: 14,
    });
  });

  it('changes the asset hash with the certificates, and only with them', () => {
    // Prepare
    const hashOf = (synthesised: Template) =>
      (Object.values(synthesised.findResources('Custom::CertstepCatalogSync'))[0] as Resource | undefined)?.Properties.Hash;
    const base = testConfig();
    const [web, api] = base.certificates;

    // Act
    const same = hashOf(synthesise(testConfig({ alarmDaysBeforeExpiry: 14 }), { bundle: false }).template);
    const renamed = hashOf(
      synthesise(testConfig({ certificates: [{ ...(web as object), renewBefore: 'P20D' } as never, api as never] }), { bundle: false }).template,
    );

    // Assess
    expect(same).toBe(hashOf(template));
    expect(renamed).toMatch(/^[0-9a-f]{64}$/);
    expect(renamed).not.toBe(hashOf(template));
  });

  it('syncs only once the state machine, every function with its policy, the storage and the scheduling exist', () => {
    // Prepare
    const [sync] = Object.values(template.findResources('Custom::CertstepCatalogSync')) as Resource[];
    const dependsOn = sync?.DependsOn ?? [];

    // Assess
    for (const prefix of [
      'RenewalStateMachine',
      'RenewalStorageLedger',
      'RenewalStorageCatalog',
      'RenewalSchedulingRenewalGroup',
      'RenewalFunctionsFinalizeRoleDefaultPolicy',
    ])
      expect(
        dependsOn.some((id) => id.startsWith(prefix)),
        prefix,
      ).toBe(true);
    for (const id of Object.keys(lambdas)) expect(dependsOn, id).toContain(id);
  });

  it('runs the provider with a role of its own that may write its logs and invoke SyncCatalog, and no managed policy', () => {
    // Prepare
    const roles = template.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('SyncCatalog during a deploy') } });
    const [roleId] = Object.keys(roles);
    const policies = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } })) as Resource[];
    const statements = policies.flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Array<{ Action: unknown }> }).Statement);

    // Assess
    expect(Object.keys(roles)).toHaveLength(1);
    expect((Object.values(roles)[0] as Resource).Properties.ManagedPolicyArns).toBeUndefined();
    expect(statements.flatMap((statement) => statement.Action).sort()).toEqual([
      'lambda:GetFunction',
      'lambda:InvokeFunction',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
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
  it('outputs the state machine ARN, the tables and prefixes the CLI asks for, and nothing per certificate', () => {
    template.hasOutput('StateMachineArn', { Value: { Ref: Match.stringLikeRegexp('^RenewalStateMachine') } });
    template.hasOutput('LedgerTableName', { Value: { Ref: Match.stringLikeRegexp('^RenewalStorageLedger') } });
    template.hasOutput('CatalogTableName', { Value: { Ref: Match.stringLikeRegexp('^RenewalStorageCatalog') } });
    template.hasOutput('RenewalScheduleGroup', { Value: 'certstep-renewals' });
    template.hasOutput('CertificateSecretPrefix', { Value: 'certstep/certificates/' });
    // The execution inputs are the catalog's items now (asserted on the asset above).
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual([
      'CatalogTableName',
      'CertificateSecretPrefix',
      'LedgerTableName',
      'NotificationTopicArn',
      'RenewalScheduleGroup',
      'StateMachineArn',
    ]);
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

  it('watches exactly the metrics the Sweep emits: same namespace, names and dimension set', () => {
    // Arrange: the line the Sweep's own emitter writes for this stack's state machine.
    const line = JSON.parse(
      sweepMetricsLine('certstep-renewal', { expiryMarginDays: -1, certificatesNotChecked: 0, deferred: 0, expiring: [] }, new Date('2030-01-01T00:00:00Z')),
    ) as { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> }; StateMachine: string };
    const [directive] = line._aws.CloudWatchMetrics;
    const emitted = new Set(directive?.Metrics.map((metric) => metric.Name));

    // Act: every alarm on the sweep's metrics.
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter(
      (alarm) => (alarm as Resource).Properties.Namespace === 'certstep',
    ) as Resource[];

    // Assess: one line carries all three, with the one dimension CloudWatch will match.
    expect(alarms.map((alarm) => alarm.Properties.MetricName).sort()).toEqual(['CertificatesNotChecked', 'ExpiryMarginDays', 'Sweeps']);
    for (const alarm of alarms) {
      expect(directive?.Namespace).toBe(alarm.Properties.Namespace);
      expect(emitted.has(alarm.Properties.MetricName as string)).toBe(true);
      const dimensions = alarm.Properties.Dimensions as Array<{ Name: string; Value: string }>;
      expect(directive?.Dimensions).toEqual([dimensions.map((dimension) => dimension.Name)]);
      for (const dimension of dimensions) expect((line as unknown as Record<string, unknown>)[dimension.Name]).toBe(dimension.Value);
    }
  });

  it('alarms once for all certificates, with StateMachine as the only dimension, and on none per certificate', () => {
    // Prepare
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[];
    const topic = [{ Ref: Match.stringLikeRegexp('^RenewalMonitoringTopic') }];
    const dimensions = [{ Name: 'StateMachine', Value: 'certstep-renewal' }];

    // Assess
    expect(alarms.map((alarm) => alarm.Properties.AlarmName).sort()).toEqual([
      'certstep-certificate-expiry',
      'certstep-certificates-not-checked',
      'certstep-executions-failed',
      'certstep-schedules-undelivered',
      'certstep-sweep-silent',
    ]);
    expect(SWEEP_METRICS).toMatchObject({ namespace: 'certstep', dimension: 'StateMachine' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'certstep-certificate-expiry',
      Namespace: 'certstep',
      MetricName: 'ExpiryMarginDays',
      Dimensions: dimensions,
      Statistic: 'Minimum',
      Period: 86_400,
      Threshold: 0,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: topic,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'certstep-sweep-silent',
      Namespace: 'certstep',
      MetricName: 'Sweeps',
      Dimensions: dimensions,
      Statistic: 'Sum',
      Period: 86_400,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: 'breaching',
      AlarmActions: topic,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'certstep-certificates-not-checked',
      Namespace: 'certstep',
      MetricName: 'CertificatesNotChecked',
      Dimensions: dimensions,
      Statistic: 'Maximum',
      Period: 86_400,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: topic,
    });
  });

  it('e-mails each "Certificate Expiring" event, naming the certificate, its notAfter and the days left', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['certstep'], 'detail-type': ['Certificate Expiring'] },
      Targets: [
        Match.objectLike({
          Arn: { Ref: Match.stringLikeRegexp('^RenewalMonitoringTopic') },
          InputTransformer: Match.objectLike({
            InputPathsMap: {
              'detail-certificate': '$.detail.certificate',
              'detail-notAfter': '$.detail.notAfter',
              'detail-daysUntilExpiry': '$.detail.daysUntilExpiry',
              'detail-expiryAlarmDays': '$.detail.expiryAlarmDays',
            },
          }),
        }),
      ],
    });
  });
});
