/**
 * The bundles alias the SDK's default credential chain to functions/runtime/stubs/lambda-credentials.ts
 * (issue 18): credentials come from the environment, as Lambda sets them, and their absence is
 * said at once, naming what is missing, instead of the chain trying files and instance metadata.
 * Checked on the module and on an SDK client bundled with the alias, against moto.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../cdk/definition.js';
import { bundleEntry, runBundle } from '../support/lambda-bundle.js';
import { LambdaCredentialsMissing, defaultProvider } from '../../functions/runtime/stubs/lambda-credentials.js';
import { type Moto, startMoto } from '../support/moto.js';

const STUB = join(PROJECT_ROOT, 'functions', 'runtime', 'stubs', 'lambda-credentials.ts');
const saved = { ...process.env };
const ENV_NAMES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;

function setCredentials(values: Partial<Record<(typeof ENV_NAMES)[number], string>>) {
  for (const name of ENV_NAMES) delete process.env[name];
  Object.assign(process.env, values);
}

afterEach(() => {
  for (const name of ENV_NAMES) delete process.env[name];
  Object.assign(process.env, Object.fromEntries(ENV_NAMES.filter((name) => saved[name] !== undefined).map((name) => [name, saved[name]])));
});

describe('the Lambda credential provider', () => {
  it("gives the environment's key, secret and session token, read when asked", async () => {
    const provider = defaultProvider({});
    setCredentials({ AWS_ACCESS_KEY_ID: 'ASIAFIRST', AWS_SECRET_ACCESS_KEY: 'secret-1', AWS_SESSION_TOKEN: 'token-1' });

    expect(await provider()).toEqual({ accessKeyId: 'ASIAFIRST', secretAccessKey: 'secret-1', sessionToken: 'token-1' });
    setCredentials({ AWS_ACCESS_KEY_ID: 'AKIASECOND', AWS_SECRET_ACCESS_KEY: 'secret-2' });
    expect(await provider()).toEqual({ accessKeyId: 'AKIASECOND', secretAccessKey: 'secret-2' });
  });

  it.each([
    [{}, 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set'],
    [{ AWS_ACCESS_KEY_ID: 'AKIA', AWS_SESSION_TOKEN: 'token' }, 'AWS_SECRET_ACCESS_KEY is not set'],
    [{ AWS_SECRET_ACCESS_KEY: 'secret', AWS_ACCESS_KEY_ID: '' }, 'AWS_ACCESS_KEY_ID is not set'],
  ])('names what is missing from %j', async (values, message) => {
    setCredentials(values);

    const error = await defaultProvider()().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(LambdaCredentialsMissing);
    expect(error).toMatchObject({ name: 'LambdaCredentialsMissing' });
    expect((error as Error).message).toContain(message);
  });
});

describe('an SDK client bundled with the stub', () => {
  let moto: Moto;
  let outfile: string;

  beforeAll(async () => {
    moto = await startMoto();
    ({ outfile } = await bundleEntry(
      [
        "import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';",
        'try {',
        '  const identity = await new STSClient({}).send(new GetCallerIdentityCommand({}));',
        '  console.log(JSON.stringify({ account: identity.Account }));',
        '} catch (error) {',
        '  console.log(JSON.stringify({ name: error.name, message: error.message }));',
        '}',
      ],
      { alias: { '@aws-sdk/credential-provider-node': STUB } },
    ));
  }, 60_000);
  afterAll(() => moto?.stop());

  const run = async (env: Record<string, string>) => JSON.parse(await runBundle(outfile, { env })) as Record<string, string>;

  it('signs with the credentials in the environment', async () => {
    expect(await run({ ...moto.env, AWS_SESSION_TOKEN: 'token' })).toEqual({ account: '123456789012' });
  }, 30_000);

  it('fails at once naming the missing variables, even with a profile and a credentials file configured', async () => {
    const home = mkdtempSync(join(tmpdir(), 'certstep-credentials-home-'));
    writeFileSync(join(home, 'credentials'), '[other]\naws_access_key_id = AKIAFILE\naws_secret_access_key = file\n');
    const { AWS_ACCESS_KEY_ID: _key, AWS_SECRET_ACCESS_KEY: _secret, ...withoutCredentials } = moto.env;

    const started = Date.now();
    const answer = await run({ ...withoutCredentials, AWS_PROFILE: 'other', AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials') });

    expect(answer.name).toBe('LambdaCredentialsMissing');
    expect(answer.message).toContain('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set');
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 30_000);
});
