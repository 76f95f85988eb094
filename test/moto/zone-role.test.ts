/**
 * A cross-account zone's Route 53 client signs with its role's credentials, assumed through
 * @aws-sdk/client-sts (functions/runtime/zone-role.ts, which replaced fromTemporaryCredentials
 * to keep @aws-sdk/nested-clients out of the bundles). moto answers STS and Route 53 as AWS
 * would; what moto cannot check (the external id) is checked on the request sent.
 */
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ListHostedZonesCommand } from '@aws-sdk/client-route-53';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../cdk/definition.js';
import { bundleEntryAsLambda, lambdaStubAliases } from '../support/lambda-bundle.js';
import { route53Clients } from '../../functions/runtime/dns.js';
import { ZoneRoleCredentialsMissing, fromZoneRole } from '../../functions/runtime/zone-role.js';
import { type Moto, startMoto } from '../support/moto.js';

const ROLE = 'arn:aws:iam::210987654321:role/certstep-dns';
const saved = { ...process.env };
let moto: Moto;

beforeAll(async () => {
  moto = await startMoto();
  // The STS client takes the function's own credentials and endpoint from the environment, as in Lambda.
  Object.assign(process.env, moto.env);
}, 60_000);
afterAll(async () => {
  process.env = saved;
  await moto?.stop();
});

describe('a Route 53 client behind a zone role', () => {
  it("signs as the role's session named for the certificate, not as the function", async () => {
    const client = route53Clients()({ role: ROLE, externalId: 'certstep-prod' }, 'certstep-web');

    const credentials = await client.config.credentials();
    const identity = await new STSClient({ region: moto.region, credentials }).send(new GetCallerIdentityCommand({}));
    const zones = await client.send(new ListHostedZonesCommand({}));

    expect(credentials.accessKeyId).not.toBe(moto.env.AWS_ACCESS_KEY_ID);
    expect(credentials.sessionToken).toBeTruthy();
    expect(credentials.expiration?.getTime()).toBeGreaterThan(Date.now());
    expect(identity.Arn).toBe('arn:aws:sts::210987654321:assumed-role/certstep-dns/certstep-web');
    expect(zones.HostedZones).toEqual([]);
  });

  it("uses the function's own credentials without a role", async () => {
    const credentials = await route53Clients()({}, 'certstep-web').config.credentials();

    expect(credentials.accessKeyId).toBe(moto.env.AWS_ACCESS_KEY_ID);
  });
});

describe('a Lambda bundle', () => {
  it("assumes the zone role with the function's environment credentials, bundled as synth bundles it (STS from its chunk)", async () => {
    // Prepare: STS only through dynamic imports, as the functions reach it, so it stays a chunk of its own.
    const { index } = await bundleEntryAsLambda([
      `import { route53Clients } from ${JSON.stringify(join(PROJECT_ROOT, 'functions', 'runtime', 'dns.ts'))};`,
      `const client = route53Clients()({ role: ${JSON.stringify(ROLE)} }, 'certstep-api');`,
      'const credentials = await client.config.credentials();',
      "const { GetCallerIdentityCommand, STSClient } = await import('@aws-sdk/client-sts');",
      'const identity = await new STSClient({ credentials }).send(new GetCallerIdentityCommand({}));',
      'console.log(JSON.stringify({ arn: identity.Arn }));',
    ]);

    // Act
    const { stdout } = await promisify(execFile)(process.execPath, [index], { encoding: 'utf8', env: { ...moto.env }, timeout: 30_000 });

    // Assess: the Lambdas' credential stub is what signed the AssumeRole.
    expect(lambdaStubAliases()).toHaveProperty(['@aws-sdk/credential-provider-node']);
    // STS's service name, in its client only: not in index.mjs. Booleans: a failure would print the bundle.
    const sts = (file: string) => readFileSync(join(dirname(index), file), 'utf8').includes('AWSSecurityTokenServiceV20110615');
    expect(sts('index.mjs')).toBe(false);
    expect(readdirSync(dirname(index)).some((file) => file.endsWith('.mjs') && sts(file))).toBe(true);
    expect(JSON.parse(stdout)).toEqual({ arn: 'arn:aws:sts::210987654321:assumed-role/certstep-dns/certstep-api' });
  }, 60_000);
});

describe('fromZoneRole', () => {
  it('asks STS for the role with the session name and external id given', async () => {
    const sts = new STSClient({ region: 'us-east-1' });
    const mocked = mockClient(sts);
    const expiration = new Date(Date.now() + 3_600_000);
    mocked.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'ASIAZONE', SecretAccessKey: 's', SessionToken: 't', Expiration: expiration } });
    const params = { RoleArn: ROLE, RoleSessionName: 'certstep-web', ExternalId: 'certstep-prod' };

    const credentials = await fromZoneRole({ params }, () => sts)();

    expect(mocked.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input)).toEqual([params]);
    expect(credentials).toEqual({ accessKeyId: 'ASIAZONE', secretAccessKey: 's', sessionToken: 't', expiration });
  });

  it('fails with a named error when STS answers without credentials', async () => {
    const sts = new STSClient({ region: 'us-east-1' });
    mockClient(sts).on(AssumeRoleCommand).resolves({});

    const error = await fromZoneRole({ params: { RoleArn: ROLE, RoleSessionName: 'certstep-web' } }, () => sts)().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ZoneRoleCredentialsMissing);
    expect(error).toMatchObject({ name: 'ZoneRoleCredentialsMissing', message: expect.stringContaining(ROLE) });
  });
});
