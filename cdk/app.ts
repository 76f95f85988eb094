/**
 * `npx cdk synth|deploy` runs this (cdk.json). The configuration is certstep.config.json at the
 * repository root, or the file given with `-c certstep:config=<path>`.
 */
import { relative, resolve } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError, type CertstepConfigInput, readConfigFile, validateConfig } from './config.js';
import { PROJECT_ROOT } from './definition.js';
import { CertstepStack } from './stack.js';

const app = new App();
const path = resolve(PROJECT_ROOT, String(app.node.tryGetContext('certstep:config') ?? 'certstep.config.json'));
const source = relative(process.cwd(), path) || path;

try {
  const input = readConfigFile(path, source);
  // Validated here too, for the stack name and so that a mistake is reported without a stack trace.
  const { stackName } = validateConfig(input, source);
  new CertstepStack(app, stackName, {
    config: input as CertstepConfigInput,
    configSource: source,
    description: 'certstep: ACME certificates (DNS-01 in Route 53) issued and renewed by Step Functions',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  // Synth fails on any AwsSolutions finding that cdk/nag.ts does not acknowledge with a reason.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`certstep: invalid configuration\n  ${error.message}\n`);
  process.exit(1);
}
