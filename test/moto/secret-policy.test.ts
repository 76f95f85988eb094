/**
 * The resource policy the stack puts on a certificate secret, as Secrets Manager's API takes it:
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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

/** The template's references, as CloudFormation would resolve them in this account. */
function resolved(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(resolved);
  if (node === null || typeof node !== 'object') return node;
  const value = node as Record<string, unknown>;
  const getAtt = value['Fn::GetAtt'] as [string, string] | undefined;
  if (getAtt) return `arn:aws:iam::${ACCOUNT}:role/${getAtt[0]}`;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, resolved(inner)]));
}

function webSecretPolicy(): string {
  const config = {
    ...testConfig(),
    secretsKey: 'stack' as const,
    readers: [`arn:aws:iam::${ACCOUNT}:role/web-task`],
    certificateReaders: { web: ['arn:aws:iam::210987654321:root'] },
  };
  const { template } = synthesise(config, { bundle: false, env: { account: ACCOUNT, region: 'us-east-1' } });
  const policies = Object.values(template.findResources('AWS::SecretsManager::ResourcePolicy')) as Array<{ Properties: Record<string, unknown> }>;
  const web = policies.find((policy) => JSON.stringify(policy.Properties.SecretId).includes('RenewalStorageCertificateweb'));
  if (!web) throw new Error('no resource policy on the web certificate secret');
  return JSON.stringify(resolved(web.Properties.ResourcePolicy));
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
