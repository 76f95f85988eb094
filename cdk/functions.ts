/**
 * One Lambda per `${XFunctionArn}` of the state machine, bundled locally by esbuild (never
 * Docker) as ESM with the AWS SDK inside, so the versions tested are the versions deployed
 * (scripts/lambda-bundle.mjs says how, and measured why). Each function gets its own role and
 * log group; permissions.ts fills the roles in.
 *
 * Where the code comes from, one rule: the handler's TypeScript source when it exists (this
 * repository: synth bundles what the tests ran), else the bundle `npm run build` made of that
 * same source with the same options (an installed package, which ships no sources, so a
 * consumer's synth needs neither them nor tsx).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AssetHashType, DockerImage, Duration, type ILocalBundling, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PREBUILT_LAMBDA_DIR, PROJECT_ROOT, type StateMachineFunction, prebuiltLambdaDir } from './definition.js';

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
  /** Bundled at synth from source, or from the package's prebuilt bundle. */
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
  const code = lambda.Code.fromAsset(PROJECT_ROOT, {
    // The hash of what was bundled, as NodejsFunction has it: a change anywhere in the project
    // that leaves the bundle the same deploys nothing.
    assetHashType: AssetHashType.OUTPUT,
    // The type requires an image; it is never pulled, as tryBundle always answers (never Docker).
    bundling: { image: DockerImage.fromRegistry('certstep-bundles-locally'), local: new LocalLambdaBundling(definition.entry) },
  });
  return new lambda.Function(scope, 'Function', { ...common, code, handler: 'index.handler' });
}

/**
 * scripts/lambda-bundle.mjs, run by this Node at synth: the one definition of a Lambda's bundle,
 * which the package build and the bench use too. A process of its own because CDK asks for the
 * bundle synchronously and esbuild's synchronous API does no code splitting.
 */
class LocalLambdaBundling implements ILocalBundling {
  // CDK caches bundles by their options written as JSON: the entry, a field, keeps two functions apart.
  constructor(readonly entry: string) {}

  tryBundle(outputDir: string): boolean {
    const script = join(PROJECT_ROOT, 'scripts', 'lambda-bundle.mjs');
    const result = spawnSync(process.execPath, [script, this.entry, outputDir], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    if (result.status !== 0) {
      const why = (result.stderr || result.error?.message || '').trim();
      throw new Error(`bundling ${this.entry} failed (exit ${result.status ?? result.signal}):\n${why}`);
    }
    return true;
  }
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
