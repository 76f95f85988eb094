/**
 * certstep on AWS as one construct: the renewal state machine from statemachine/renewal.asl.json,
 * a Lambda per function it names, the account secrets, the run ledger, the catalog of
 * certificates, the schedules that start it and the alarms that watch it. Certificates are data
 * (an S3 asset synced into the catalog, and `certstep apply`), so its size does not depend on
 * how many there are. Embed it in any stack; CertstepStack is the stand-alone version.
 */
import { join } from 'node:path';
import { ArnFormat, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { type CertstepConfig, type CertstepConfigInput, issuersEnvironment, validateConfig } from './config.js';
import { HANDLERS_DIR, assertSubstitutionsSupplied, kebabCase, readStateMachineDefinition } from './definition.js';
import { type DnsPlan, type StackZones, planDns, stackZones } from './dns-plan.js';
import { CertstepFunctions, FUNCTION_ENVIRONMENT } from './functions.js';
import { CertstepMonitoring } from './monitoring.js';
import { suppressAcceptedFindings } from './nag.js';
import { CertstepNotifications } from './notifications.js';
import { SWEEP_FUNCTIONS, checkEnvironmentSize, environmentFor, grantNeeds, needsOf, secretPolicySettings } from './permissions.js';
import { CertstepScheduling } from './scheduling.js';
import { restrictSecretAccess } from './secret-policies.js';
import { CertstepStorage } from './storage.js';
import { CatalogSync, CertificatesFile } from './triggers.js';

export interface CertstepRenewalProps {
  /** The configuration as written (certstep.config.json); validated here, so a bad one fails synth. */
  readonly config: CertstepConfigInput;
  /** Names the configuration in error messages, e.g. the file it came from. */
  readonly configSource?: string;
  /** Another state machine file, for tests; its Lambdas are still looked up in functions/handlers. */
  readonly definitionPath?: string;
}

export class CertstepRenewal extends Construct {
  readonly config: CertstepConfig;
  readonly dns: DnsPlan;
  /** The zones IAM names: the configured certificates' and those the issuers' dns01 name. */
  readonly zones: StackZones;
  readonly stateMachine: sfn.StateMachine;
  readonly functions: CertstepFunctions;
  readonly storage: CertstepStorage;
  readonly scheduling: CertstepScheduling;
  readonly monitoring: CertstepMonitoring;
  /** The rules that hand the run events to the configured SNS topics and deploy hooks. */
  readonly notifications: CertstepNotifications;
  /** certstep.config.json's certificates as the S3 asset the catalog sync reads. */
  readonly certificatesFile: CertificatesFile;
  readonly catalogSync: CatalogSync;
  /** CERTSTEP_CERTIFICATE_SECRET_POLICY: the roles and readers every certificate secret's policy names. */
  readonly secretPolicy: string;
  /** Certificate name → the execution input that renews it (what the console's "Start execution" wants). */
  readonly executionInputs: ReadonlyMap<string, string>;

  constructor(scope: Construct, id: string, props: CertstepRenewalProps) {
    super(scope, id);
    const config = validateConfig(props.config, props.configSource);
    this.config = config;
    const definition = readStateMachineDefinition(props.definitionPath);
    const logRetention = config.logRetentionDays as logs.RetentionDays;
    this.dns = planDns(config.issuers, config.certificates);
    this.zones = stackZones(config.issuers, config.certificates);
    this.executionInputs = new Map(config.certificates.map((certificate) => [certificate.name, JSON.stringify({ certificate, force: false })]));

    // A fixed name lets the functions and schedules know the ARN before the state machine, which
    // itself depends on the functions, exists.
    const stateMachineName = `${config.resourcePrefix}-renewal`;
    const stateMachineArn = Stack.of(this).formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    this.storage = new CertstepStorage(this, 'Storage', config);
    this.scheduling = new CertstepScheduling(this, 'Scheduling', { resourcePrefix: config.resourcePrefix, stateMachineArn });
    this.certificatesFile = new CertificatesFile(this, 'CertificatesFile', config);
    const { asset } = this.certificatesFile;
    // The roles are only known once every function exists, and the functions that make secrets
    // carry them in their environment: resolved at synth, after the loop below.
    let secretPolicy: string | undefined;
    this.secretPolicy = Lazy.string({ produce: () => secretPolicy });
    const context = {
      config,
      dns: this.dns,
      zones: this.zones,
      storage: this.storage,
      scheduling: this.scheduling,
      stateMachineArn,
      catalogAsset: { bucketArn: asset.bucket.bucketArn, objectKey: asset.s3ObjectKey },
      secretPolicy: this.secretPolicy,
    };
    const common = {
      CERTSTEP_ISSUERS: issuersEnvironment(config.issuers),
      CERTSTEP_CERTIFICATE_SECRET_PREFIX: this.storage.certificateSecretPrefix,
      CERTSTEP_ACCOUNT_SECRET_PREFIX: this.storage.accountSecretPrefix,
      // Powertools' own switch, read by functions/runtime/tracing.ts at init: with it off the
      // X-Ray SDK is never read, though every function's code carries it (a chunk of its own), so
      // one setting flips it.
      POWERTOOLS_TRACE_ENABLED: String(config.traceAwsCalls),
    };
    const environment = (name: string) => ({ ...common, ...environmentFor(needsOf(name), context) });
    // The state machine's functions, and those that run beside it (the sweeps, the catalog sync).
    const sweeps = SWEEP_FUNCTIONS.map((name) => ({ name, substitution: '', entry: join(HANDLERS_DIR, `${kebabCase(name)}.ts`) }));
    this.functions = new CertstepFunctions(this, 'Functions', { functions: [...definition.functions, ...sweeps], environment, logRetention });
    const settings = secretPolicySettings(
      this.functions.all.map((fn) => ({ name: fn.name, roleArn: fn.role.roleArn })),
      config.stackReaders,
    );
    secretPolicy = Stack.of(this).toJsonString(settings);
    for (const fn of this.functions.all) {
      checkEnvironmentSize(this, fn.name, { ...environment(fn.name), ...FUNCTION_ENVIRONMENT }, props.configSource);
      grantNeeds(fn, context);
    }
    restrictSecretAccess(this, {
      config,
      storage: this.storage,
      functions: this.functions,
      ...(props.configSource && { configSource: props.configSource }),
    });

    const substitutions = Object.fromEntries(
      definition.functions.map((fn) => [fn.substitution, this.functions.byName.get(fn.name)?.function.functionArn ?? '']),
    );
    assertSubstitutionsSupplied(definition, substitutions);
    const role = new iam.Role(this, 'StateMachineRole', { assumedBy: new iam.ServicePrincipal('states.amazonaws.com') });
    // The definition comes from a file, so CDK cannot see which functions it invokes.
    const invoked = definition.functions.map((fn) => this.functions.byName.get(fn.name)?.function.functionArn ?? '');
    role.addToPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: invoked }));
    // The publish states of the definition send the run's event to the default bus, and only there.
    const defaultBus = Stack.of(this).formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [defaultBus] }));
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      // Inline rather than fromFile's S3 asset: `cdk diff` then shows changes to the definition.
      definitionBody: sfn.DefinitionBody.fromString(definition.text),
      definitionSubstitutions: substitutions,
      role,
      tracingEnabled: true,
      logs: {
        destination: new logs.LogGroup(this, 'StateMachineLogs', {
          // The /aws/vendedlogs/ prefix keeps CloudWatch Logs' resource policy small.
          logGroupName: `/aws/vendedlogs/states/${stateMachineName}`,
          retention: logRetention,
          // A retained group would keep its fixed name taken, and the next deploy would fail.
          removalPolicy: RemovalPolicy.DESTROY,
        }),
        level: sfn.LogLevel.ALL,
        // Keys never travel in state, but inputs name domains and accounts: keep payloads out of logs.
        includeExecutionData: false,
      },
    });

    const sweep = this.functions.byName.get('Sweep')?.function;
    if (sweep) this.scheduling.addDailySweep(sweep, config.dailyCheckSchedule).node.addDependency(this.stateMachine);
    const syncCatalog = this.functions.byName.get('SyncCatalog')?.function;
    if (!syncCatalog) throw new Error('certstep: the SyncCatalog Lambda is missing from SWEEP_FUNCTIONS');
    this.catalogSync = new CatalogSync(this, 'CatalogSync', {
      file: this.certificatesFile,
      onEvent: syncCatalog,
      secretPolicy: this.secretPolicy,
      logRetention,
    });
    // A run must find everything in place: functions with their policies, account secrets, ledger, scheduler.
    this.catalogSync.node.addDependency(this.stateMachine, this.functions, this.storage, this.scheduling);

    const sweepEndedRun = this.functions.byName.get('SweepEndedRun')?.function;
    this.monitoring = new CertstepMonitoring(this, 'Monitoring', {
      config,
      stateMachine: this.stateMachine,
      stateMachineName,
      deadLetterQueue: this.scheduling.deadLetterQueue,
      ...(sweepEndedRun && { sweepEndedRun }),
    });
    this.notifications = new CertstepNotifications(this, 'Notifications', {
      subscriptions: config.subscriptions,
      deadLetterQueue: this.scheduling.deadLetterQueue,
    });
    suppressAcceptedFindings(this);
  }
}
