/**
 * certstep as `cdk deploy` ships it, on loopback: CertstepStack synthesised with bundling into a
 * cloud assembly, its resources made in moto (IAM enforced), its bundles in the Lambda harness,
 * its definition in aws-local-stepfunctions; Pebble as the issuer, validating through the
 * Route 53 wire server's DNS. Route 53 calls go to the wire server, which checks no IAM.
 */
import type { CertstepConfigInput } from '../../cdk/config.js';
import type { AslDefinition } from '../../cli/local/definition.js';
import { synthesise } from '../cdk/support.js';
import { type Moto, startMoto } from '../support/moto.js';
import { type PebbleOnRoute53, startPebbleOnRoute53 } from '../support/route53/pebble.js';
import type { Credentials } from './aws-call.js';
import { type DeployedMachine, type ExecutionResult, execute } from './execution.js';
import { type DeployedFunction, LambdaHarness } from './lambda-harness.js';
import { type Deployed, UNCHECKED_CALLS, deploy, substitute } from './resources.js';
import { type Assembly, type Json, readAssembly, resolve, resourcesOfType } from './template.js';

export const STACK_NAME = 'CertstepTest';
export const ZONE = 'example.test';

export interface DeployedStack {
  readonly pebble: PebbleOnRoute53;
  readonly moto: Moto;
  readonly assembly: Assembly;
  readonly deployed: Deployed;
  readonly harness: LambdaHarness;
  readonly machine: DeployedMachine;
  readonly functions: readonly DeployedFunction[];
  /** Seconds the synth (with esbuild bundling) took. */
  readonly synthSeconds: number;
  run(input: unknown): Promise<ExecutionResult>;
  /** The credentials `service` gets for the role a resource's `Role` (a Fn::GetAtt) names. */
  credentialsFor(roleArnValue: Json, service?: string): Promise<Credentials>;
  /** The variables Lambda adds to a function's template environment. */
  runtimeEnvironment(fn: DeployedFunction): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

export function deployedConfig(pebble: PebbleOnRoute53): CertstepConfigInput {
  const dns = `${pebble.server.dns.host}:${pebble.server.dns.port}`;
  return {
    notificationEmail: 'ops@example.com',
    email: 'hostmaster@example.test',
    issuers: [
      {
        name: 'pebble',
        directoryUrl: pebble.ca.acme.directoryUrl,
        // Pebble's HTTPS root reaches the functions the way a private CA's would: in the config.
        caBundlePem: pebble.ca.acme.caCertPem,
        // The wire server's DNS is the only resolver that knows the zone: 'resolvers' asks it.
        dns01: { propagation: { resolvers: [dns], check: 'resolvers', interval: 'PT1S', timeout: 'PT30S' } },
      },
    ],
    certificates: [
      {
        name: 'web',
        dnsNames: [ZONE, `*.${ZONE}`],
        issuer: 'pebble',
        dns01: { route53: { hostedZoneId: pebble.zoneId } },
        acm: { regions: ['us-east-1'] },
      },
    ],
    notifications: { snsTopicArn: 'arn:aws:sns:us-east-1:123456789012:certstep-hooks' },
  };
}

function roleLogicalId(value: Json): string {
  const getAtt = (value as { 'Fn::GetAtt'?: [string, string] } | null)?.['Fn::GetAtt'];
  if (!getAtt) throw new Error(`expected a Fn::GetAtt of a role, got ${JSON.stringify(value)}`);
  return getAtt[0];
}

export async function startDeployedStack(): Promise<DeployedStack> {
  const pebble = await startPebbleOnRoute53(ZONE);
  const stopping: Array<() => unknown> = [() => pebble.stop()];
  try {
    const started = Date.now();
    const { app } = synthesise(deployedConfig(pebble), { bundle: true });
    const directory = app.synth().directory;
    const synthSeconds = (Date.now() - started) / 1000;
    const assembly = readAssembly(directory, STACK_NAME);

    const moto = await startMoto({ serverEnv: { INITIAL_NO_AUTH_ACTION_COUNT: String(UNCHECKED_CALLS) } });
    stopping.unshift(() => moto.stop());
    const deployed = await deploy(moto, assembly.template, STACK_NAME);
    const credentialsFor = (value: Json, service = 'lambda.amazonaws.com') => deployed.credentialsOf(roleLogicalId(value), service);

    const functions: DeployedFunction[] = resourcesOfType(assembly.template, 'AWS::Lambda::Function').map(([logicalId, resource]) => {
      const properties = resource.Properties ?? {};
      const variables = resolve((properties.Environment as { Variables?: Json } | undefined)?.Variables ?? {}, deployed) as Record<string, string>;
      return {
        logicalId,
        name: deployed.ref(logicalId),
        arn: deployed.getAtt(logicalId, 'Arn'),
        codeDirectory: assembly.codeDirectories.get(logicalId) as string,
        variables,
        timeoutSeconds: (properties.Timeout as number | undefined) ?? 3,
        memoryMb: (properties.MemorySize as number | undefined) ?? 128,
      };
    });
    const roles = new Map(
      resourcesOfType(assembly.template, 'AWS::Lambda::Function').map(([logicalId, resource]) => [logicalId, resource.Properties?.Role as Json]),
    );
    const runtimeEnvironment = async (fn: DeployedFunction): Promise<Record<string, string>> => {
      const credentials = await credentialsFor(roles.get(fn.logicalId) as Json);
      return {
        AWS_REGION: moto.region,
        AWS_DEFAULT_REGION: moto.region,
        AWS_LAMBDA_FUNCTION_NAME: fn.name,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
        LAMBDA_TASK_ROOT: fn.codeDirectory,
        TZ: ':UTC',
        PATH: '/usr/local/bin:/usr/bin/:/bin',
        AWS_ENDPOINT_URL: moto.endpoint,
        // The v3 SDK's name for Route 53's endpoint: AWS_ENDPOINT_URL_ + its service id, "Route 53".
        AWS_ENDPOINT_URL_ROUTE_53: pebble.server.endpoint,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_SESSION_TOKEN: credentials.sessionToken ?? '',
      };
    };
    const harness = new LambdaHarness({ functions, runtimeEnvironment });
    stopping.unshift(() => harness.stop());

    const [[machineId, machineResource]] = resourcesOfType(assembly.template, 'AWS::StepFunctions::StateMachine') as unknown as [
      [string, { Properties: Record<string, Json> }],
    ];
    const text = resolve(machineResource.Properties.DefinitionString as Json, deployed) as string;
    const substitutions = resolve(machineResource.Properties.DefinitionSubstitutions as Json, deployed) as Record<string, string>;
    const machine: DeployedMachine = {
      arn: deployed.ref(machineId),
      definition: JSON.parse(substitute(text, substitutions)) as AslDefinition,
      harness,
      moto,
      roleCredentials: () => credentialsFor(machineResource.Properties.RoleArn as Json, 'states.amazonaws.com'),
    };
    return {
      pebble,
      moto,
      assembly,
      deployed,
      harness,
      machine,
      functions,
      synthSeconds,
      run: (input) => execute(machine, input),
      credentialsFor,
      runtimeEnvironment,
      stop: async () => {
        for (const stop of stopping) await stop();
      },
    };
  } catch (error) {
    for (const stop of stopping) await stop();
    throw error;
  }
}
