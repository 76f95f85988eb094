/**
 * The resource policy Finalize puts on a certificate secret (from the stack's settings), as Secrets Manager's API takes it:
 * moto_server accepts it and GetResourcePolicy gives it back unchanged. moto stores resource
 * policies but does not evaluate them (the last test shows it), so nothing here says the policy
 * is enforced; test/cdk/secret-policies.test.ts checks what it says, AWS enforces it.
 */
import {
  CreateSecretCommand,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  PutResourcePolicyCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CertificatesFileContent } from '../../cdk/triggers.js';
import { certificateSecretPolicy, parseSecretPolicySettings } from '../../functions/core/secret-policy.js';
import { synthesise, testConfig } from '../cdk/support.js';
import { type Moto, startMoto } from '../support/moto.js';

const ACCOUNT = '123456789012';

let moto: Moto;
let policy: string;
beforeAll(async () => {
  moto = await startMoto();
  policy = webSecretPolicy();
}, 120_000);
afterAll(async () => moto?.stop());

/** A value of the template as CloudFormation would resolve it in this account (roles by logical id). */
function render(node: unknown): string {
  if (typeof node === 'string') return node;
  const value = node as Record<string, unknown>;
  const join = value['Fn::Join'] as [string, unknown[]] | undefined;
  if (join) return join[1].map(render).join(join[0]);
  const getAtt = value['Fn::GetAtt'] as [string, string] | undefined;
  if (getAtt) return `arn:aws:iam::${ACCOUNT}:role/${getAtt[0]}`;
  throw new Error(`cannot resolve ${JSON.stringify(node)}`);
}

/** The policy Finalize puts on web's secret when it makes it: the stack's settings and web's spec from the catalog asset. */
function webSecretPolicy(): string {
  const config = {
    ...testConfig(),
    secretsKey: 'stack' as const,
    readers: [`arn:aws:iam::${ACCOUNT}:role/web-task`],
    certificateReaders: { web: ['arn:aws:iam::210987654321:root'] },
  };
  const { app, template } = synthesise(config, { bundle: false, env: { account: ACCOUNT, region: 'us-east-1' } });
  const functions = template.findResources('AWS::Lambda::Function') as Record<string, { Properties: { Environment?: { Variables: Record<string, unknown> } } }>;
  const finalize = Object.entries(functions).find(([id]) => id.startsWith('RenewalFunctionsFinalizeFunction'))?.[1];
  const settings = parseSecretPolicySettings(render(finalize?.Properties.Environment?.Variables.CERTSTEP_CERTIFICATE_SECRET_POLICY));
  const [sync] = Object.values(template.findResources('Custom::CertstepCatalogSync')) as Array<{ Properties: { Key: string } }>;
  const file = JSON.parse(readFileSync(join(app.outdir, `asset.${sync?.Properties.Key}`), 'utf8')) as CertificatesFileContent;
  const web = file.certificates.find((entry) => entry.name === 'web');
  if (!web) throw new Error('no web certificate in the catalog asset');
  return JSON.stringify(certificateSecretPolicy(settings, web.input.certificate));
}

describe("a certificate secret's resource policy on moto_server", () => {
  it('is accepted with public policies blocked, and read back unchanged', async () => {
    // Prepare
    const secrets = new SecretsManagerClient({
      endpoint: moto.endpoint,
      region: moto.region,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    await secrets.send(new CreateSecretCommand({ Name: 'certstep/certificates/web', SecretString: '{}' }));

    // Act
    await secrets.send(new PutResourcePolicyCommand({ SecretId: 'certstep/certificates/web', ResourcePolicy: policy, BlockPublicPolicy: true }));
    const stored = await secrets.send(new GetResourcePolicyCommand({ SecretId: 'certstep/certificates/web' }));

    // Assess
    expect(JSON.parse(stored.ResourcePolicy ?? '{}')).toEqual(JSON.parse(policy));
    expect(policy).toContain('"Effect":"Deny"');
    expect(policy).toContain(`arn:aws:iam::${ACCOUNT}:role/web-task`);
  });

  it('is not enforced by moto: a principal it denies still reads the value there', async () => {
    // Prepare: moto's caller is no role of the stack nor a reader, so AWS would refuse it.
    const secrets = new SecretsManagerClient({
      endpoint: moto.endpoint,
      region: moto.region,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    await secrets.send(new CreateSecretCommand({ Name: 'certstep/certificates/denied', SecretString: '{"tls.key":"x"}' }));
    await secrets.send(new PutResourcePolicyCommand({ SecretId: 'certstep/certificates/denied', ResourcePolicy: policy }));

    // Act
    const read = await secrets.send(new GetSecretValueCommand({ SecretId: 'certstep/certificates/denied' }));

    // Assess
    expect(read.SecretString).toBe('{"tls.key":"x"}');
  });
});
