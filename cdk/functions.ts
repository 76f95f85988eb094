/**
 * One Lambda per `${XFunctionArn}` of the state machine, bundled locally by esbuild (never
 * Docker) as a single ESM file with the AWS SDK inside, so the versions tested are the
 * versions deployed. Each function gets its own role and log group; permissions.ts fills the
 * roles in.
 *
 * Where the code comes from, one rule: the handler's TypeScript source when it exists (this
 * repository: synth bundles what the tests ran), else the bundle `npm run build` made of that
 * same source with the same options (an installed package, which ships no sources, so a
 * consumer's synth needs neither them nor tsx).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PREBUILT_LAMBDA_DIR, PROJECT_ROOT, type StateMachineFunction, lambdaStubs, prebuiltLambdaDir } from './definition.js';

/** What differs from the defaults (256 MB, 60 s, the Task's own TimeoutSeconds). */
const SIZING: Readonly<Record<string, { memorySize?: number; timeout?: number }>> = {
  CheckRenewal: { timeout: 30 },
  // Generates the certificate key; RSA-4096 takes seconds on a small share of a CPU.
  Finalize: { memorySize: 512 },
  // Reconciles every certificate in one invocation, eight at a time.
  Sweep: { memorySize: 512, timeout: 900 },
  // Puts up to every configured certificate's catalog item in one custom resource call.
  SyncCatalog: { memorySize: 512, timeout: 900 },
};

/**
 * ESM output still bundles CommonJS dependencies (acme-client, axios) that call `require` for
 * Node built-ins; ESM has no `require`, so the banner makes one.
 */
const ESM_REQUIRE_BANNER = "import { createRequire as __certstepCreateRequire } from 'node:module'; const require = __certstepCreateRequire(import.meta.url);";

/** What every function gets besides props.environment (counted in its 4 KB too). */
export const FUNCTION_ENVIRONMENT = { NODE_OPTIONS: '--enable-source-maps' } as const;

export interface CertstepFunctionsProps {
  readonly functions: readonly StateMachineFunction[];
  /** Per function: readConfig() and the adapters read their settings at init, so a missing one fails the cold start. */
  readonly environment: (name: string) => Readonly<Record<string, string>>;
  readonly logRetention: logs.RetentionDays;
  /** Where the prebuilt bundles are looked up when a handler has no source; for tests. */
  readonly prebuiltDir?: string;
}

export interface CertstepFunction {
  readonly name: string;
  /** A NodejsFunction when bundled from source, a plain Function from a prebuilt bundle. */
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
}

export class CertstepFunctions extends Construct {
  readonly byName: ReadonlyMap<string, CertstepFunction>;

  constructor(scope: Construct, id: string, props: CertstepFunctionsProps) {
    super(scope, id);
    const byName = new Map<string, CertstepFunction>();
    for (const definition of props.functions) {
      byName.set(definition.name, this.build(definition, props));
    }
    this.byName = byName;
  }

  get all(): CertstepFunction[] {
    return [...this.byName.values()];
  }

  private build(definition: StateMachineFunction, props: CertstepFunctionsProps): CertstepFunction {
    const scope = new Construct(this, definition.name);
    const logGroup = new logs.LogGroup(scope, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // cfn-lint's W3005 (the DependsOn CDK puts on this role beside a GetAtt of it) is redundant,
    // not wrong: ignored with that reason in .cfnlintrc.yaml, which test/cdk/cfn-lint.test.ts uses.
    // An own role instead of the default one keeps the AWS managed AWSLambdaBasicExecutionRole
    // (logs:* on every log group) out: this role may write to its own log group only.
    const role = new iam.Role(scope, 'Role', {
      description: `certstep ${definition.name} Lambda`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));

    const sizing = SIZING[definition.name] ?? {};
    const common = {
      description: definition.substitution
        ? `certstep ${definition.name} (${definition.substitution})`
        : `certstep ${definition.name} (runs beside the state machine)`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: sizing.memorySize ?? 256,
      timeout: Duration.seconds(sizing.timeout ?? 60),
      tracing: lambda.Tracing.ACTIVE,
      role,
      logGroup,
      environment: { ...props.environment(definition.name), ...FUNCTION_ENVIRONMENT },
    };
    const fn = existsSync(definition.entry)
      ? bundledFromSource(scope, definition, common)
      : fromPrebuilt(scope, definition, common, props.prebuiltDir ?? PREBUILT_LAMBDA_DIR);
    return { name: definition.name, function: fn, role, logGroup };
  }
}

type CommonProps = Omit<lambda.FunctionProps, 'code' | 'handler'>;

function bundledFromSource(scope: Construct, definition: StateMachineFunction, common: CommonProps): lambda.Function {
  return new NodejsFunction(scope, 'Function', {
    ...common,
    entry: definition.entry,
    handler: 'handler',
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
    // scripts/build.mjs bundles with the same options for the prebuilt Lambdas: keep them equal.
    bundling: {
      forceDockerBundling: false,
      format: OutputFormat.ESM,
      mainFields: ['module', 'main'],
      banner: ESM_REQUIRE_BANNER,
      target: 'node22',
      minify: true,
      // Error names are matched by the state machine's Retry/Catch; they are literal strings
      // already, but keeping names makes minified stack traces and SDK errors readable too.
      keepNames: true,
      sourceMap: true,
      sourcesContent: false,
      // The SDK the tests ran, not the one the runtime happens to ship this month: a stack left
      // alone for years keeps the calls it was tested with. Measured (docs/BENCHMARKS.md, "The
      // AWS SDK"): 320-490 KiB more per bundle minified, 100-150 KiB gzipped, and a faster
      // import than loading the runtime's unminified copy file by file.
      bundleAwsSDK: true,
      // acme-client loads node-forge for a deprecated API certstep never calls; axios loads mime-db
      // (through form-data) for uploads certstep never sends: 134 KiB per ACME bundle. In Lambda the
      // credentials are in the environment, so the SDK's default chain (STS, SSO, Cognito clients:
      // ~120 KiB) gives way to an env-only provider; aws-xray-sdk-core needs one gte of semver (30 KiB).
      // No Lambda bundles the X.509 libraries acme-client loads for what certstep does itself (~250 KiB),
      // nor axios's HTTP stack (~130 KiB): certstep sends acme-client's requests itself.
      // The stubs say why each is safe; their list is shared with the package build and the bench.
      esbuildArgs: lambdaAliasArgs(),
      logLevel: LogLevel.WARNING,
    },
  });
}

/** esbuild's --alias arguments for every stub a Lambda gets (lambdaStubs: shared with the package build and the bench). */
function lambdaAliasArgs(): Record<string, string> {
  return Object.fromEntries(Object.entries(lambdaStubs()).map(([module, stub]) => [`--alias:${module}`, `./${stub}`]));
}

function fromPrebuilt(scope: Construct, definition: StateMachineFunction, common: CommonProps, prebuiltDir: string): lambda.Function {
  const directory = prebuiltLambdaDir(definition.name, prebuiltDir);
  if (!existsSync(join(directory, 'index.mjs'))) {
    throw new Error(
      `certstep ${definition.name}: neither its source ${definition.entry} nor a prebuilt ${join(directory, 'index.mjs')} exists; in a checkout run \`npm run build\` or restore the source`,
    );
  }
  return new lambda.Function(scope, 'Function', { ...common, code: lambda.Code.fromAsset(directory), handler: 'index.handler' });
}
