/**
 * Route 53 misbehaving, through the real SDK against the Route 53 test server whose name
 * servers Pebble asks: a change that never goes INSYNC, throttling for a while, and a role
 * without permission. Certificates live in Secrets Manager (the in-memory fake), so "the
 * serving certificate is intact" means the same AWSCURRENT value. (Values that never become
 * visible at all are covered by test/e2e/failures.test.ts.)
 */
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SecretsManagerCertificateStore } from '../../functions/adapters/secrets-manager-store.js';
import { type TestCa, newStore, readStored, spec, startTestCa, statesEntered } from '../support/local-ca.js';
import { type FixtureOptions, route53Provider, visibleTxt } from '../support/route53/provider.js';
import { type Route53TestServer, startRoute53TestServer } from '../support/route53/server.js';
import { type SecretsManagerFake, fakeSecretsManager } from '../support/secrets-manager-fake.js';
import { TEST_SECRET_POLICY } from '../support/secret-policy-settings.js';
import { recordingAcme } from '../support/faults/acme.js';
import {
  captureOutput,
  expectFailedCleanly,
  expectIssued,
  expectNoKeyMaterial,
  keyBodiesIn,
  retriedStates,
  timesEntered,
} from '../support/faults/invariants.js';

let server: Route53TestServer;
let ca: TestCa;
let zoneId: string;
/** A real certificate issued once, seeded as the serving (AWSCURRENT) version before each fault. */
let serving: string;
beforeAll(async () => {
  server = await startRoute53TestServer();
  zoneId = server.addZone('example.test').id;
  ca = await startTestCa({ pebbleDnsServer: `${server.dns.host}:${server.dns.port}`, pebbleEnv: { PEBBLE_AUTHZREUSE: '0' } });
  const seed = await ca.run(spec('seed', ['seed.example.test']), { dependencies: { dns: () => route53Provider(server).provider } });
  expect(seed.status, seed.cause).toBe('SUCCEEDED');
  serving = JSON.stringify(await readStored(seed.certificatePath));
});
afterEach(() => {
  server.setPendingPolls(0);
});
afterAll(async () => {
  await ca?.stop();
  await server?.stop();
});

async function secretsServing(name: string): Promise<SecretsManagerFake> {
  const secrets = fakeSecretsManager([`certstep/certificates/${name}`, 'certstep/accounts/local']);
  await secrets.client.send(
    new PutSecretValueCommand({ SecretId: `certstep/certificates/${name}`, SecretString: serving, ClientRequestToken: 'serving-version' }),
  );
  return secrets;
}

/**
 * Runs `name` forced through Route 53 (SDK attempts per call as given) and Secrets Manager, for
 * `<name>.example.test` and its wildcard unless other names are given.
 */
async function runThroughRoute53(name: string, secrets: SecretsManagerFake, sdkAttempts = 6, options: { dnsNames?: string[]; fixture?: FixtureOptions } = {}) {
  const storeDir = await newStore();
  const store = new SecretsManagerCertificateStore({ client: secrets.client, secretPolicy: TEST_SECRET_POLICY });
  const recording = recordingAcme(ca.environment, storeDir, undefined, store);
  const output = captureOutput();
  const result = await ca
    .run(
      { ...spec(name, options.dnsNames ?? [`${name}.example.test`, `*.${name}.example.test`]), force: true },
      {
        storeDir,
        dependencies: { dns: () => route53Provider(server, {}, sdkAttempts, options.fixture).provider, store, acme: recording.acme },
      },
    )
    .finally(output.restore);
  return { result, storeDir, calls: recording.calls, output: output.text() };
}

async function expectNoTxtLeft(name: string): Promise<void> {
  expect(await visibleTxt(server, `_acme-challenge.${name}.example.test`)).toEqual([]);
  expect(server.recordSets(zoneId).filter((set) => set.type === 'TXT' && set.name.endsWith(`${name}.example.test.`))).toEqual([]);
}

/** The detail of each check that returned (a check that throws leaves none), from the Choice after it. */
const checkDetails = (result: Awaited<ReturnType<TestCa['run']>>) =>
  result.events
    .filter((event) => event.type === 'StateEntered' && (event.state as { name?: string }).name === 'IsPropagated')
    .map((event) => (event.state as { input?: { propagation?: { detail?: string } } }).input?.propagation?.detail ?? '');

const secretKeys = (secrets: SecretsManagerFake) =>
  secrets.mock.commandCalls(PutSecretValueCommand).flatMap((call) => keyBodiesIn(call.args[0].input.SecretString ?? ''));

describe('a Route 53 change that never goes INSYNC', () => {
  it('waits a bounded number of checks, then fails with PropagationTimeout, never asking the CA to validate', async () => {
    // Prepare
    const secrets = await secretsServing('pending');
    server.setPendingPolls(1000);
    const before = server.calls.length;

    // Act
    const { result, storeDir, calls, output } = await runThroughRoute53('pending', secrets);

    // Assess
    expectFailedCleanly(result, 'PropagationTimeout', /^the TXT records were still not visible after 5 checks: Route 53 change \S+ is PENDING/);
    expect(timesEntered(result, 'CheckPropagation')).toBe(5);
    expect(statesEntered(result)).not.toContain('AcceptChallenges');
    expect(calls.acceptChallenge).toBe(0);
    expect(server.calls.slice(before).filter((call) => call.action === 'GetChange')).toHaveLength(5);
    expect(secrets.valueAt('certstep/certificates/pending', 'AWSCURRENT')).toBe(serving);
    await expectNoTxtLeft('pending');
    await expectNoKeyMaterial(result, storeDir, { output, extraKeys: secretKeys(secrets) });
  });
});

describe('Route 53 throttling for a while', () => {
  it('is ridden out by the SDK and then the state machine retry, and the run issues', async () => {
    // Prepare: two SDK attempts per call, so the third fault outlasts the first invocation.
    const secrets = await secretsServing('throttled');
    server.injectFaults('ChangeResourceRecordSets', ['Throttling', 'Throttling', 'PriorRequestNotComplete']);
    const before = server.calls.length;

    // Act
    const { result, storeDir, calls, output } = await runThroughRoute53('throttled', secrets, 2);

    // Assess
    expectIssued(result);
    expect(retriedStates(result)).toEqual(['PresentChallenges']);
    const changes = server.calls.slice(before).filter((call) => call.action === 'ChangeResourceRecordSets');
    expect(changes.map((call) => call.status)).toEqual([400, 400, 400, 200, 200]);
    expect(calls.createOrder).toBe(1);
    expect(secrets.valueAt('certstep/certificates/throttled', 'AWSPREVIOUS')).toBe(serving);
    expect(JSON.parse(secrets.valueAt('certstep/certificates/throttled', 'AWSCURRENT') ?? '{}')).toMatchObject({ revision: 2 });
    await expectNoTxtLeft('throttled');
    await expectNoKeyMaterial(result, storeDir, { output, extraKeys: secretKeys(secrets) });
  });
});

describe('a role Route 53 refuses (AccessDenied)', () => {
  it('fails fast with DnsChangeRejected and Route 53 words, without retrying PresentChallenges', async () => {
    // Prepare
    const secrets = await secretsServing('denied');
    server.injectFaults('ChangeResourceRecordSets', ['AccessDenied']);
    const before = server.calls.length;

    // Act
    const { result, storeDir, calls, output } = await runThroughRoute53('denied', secrets);

    // Assess
    expectFailedCleanly(
      result,
      'DnsChangeRejected',
      `Route 53 ChangeResourceRecordSets on hosted zone ${zoneId} was refused: User: arn:aws:sts::123456789012:assumed-role/test is not authorized to perform: route53:ChangeResourceRecordSets`,
    );
    expect(retriedStates(result)).toEqual([]);
    expect(server.calls.slice(before).filter((call) => call.action === 'ChangeResourceRecordSets')).toHaveLength(1);
    expect(statesEntered(result)).not.toContain('AcceptChallenges');
    expect(calls.acceptChallenge).toBe(0);
    expect(secrets.valueAt('certstep/certificates/denied', 'AWSCURRENT')).toBe(serving);
    await expectNoTxtLeft('denied');
    await expectNoKeyMaterial(result, storeDir, { output, extraKeys: secretKeys(secrets) });
  });
});

describe('name servers that have no address', () => {
  it('are named in every check, and the run fails with DnsServerUnreachable naming them when the checks run out', async () => {
    // Prepare: a zone whose delegation names hosts nobody can resolve.
    const secrets = await secretsServing('lame');
    const lame = server.addZone('lame.test', { nameServers: ['ns1.gone.route53.test', 'ns2.gone.route53.test'] });

    // Act
    const { result, storeDir, calls, output } = await runThroughRoute53('lame', secrets, 6, {
      dnsNames: ['lame.test', '*.lame.test'],
      fixture: { nameServers: 'resolved' },
    });

    // Assess
    const gone = (host: string) => `${host} \\(no address from resolver ${server.dns.host}:${server.dns.port}: REFUSED\\)`;
    expectFailedCleanly(
      result,
      'DnsServerUnreachable',
      new RegExp(`after 5 checks, still could not ask ${gone('ns1.gone.route53.test')}, ${gone('ns2.gone.route53.test')}`),
    );
    expect(timesEntered(result, 'CheckPropagation')).toBe(5);
    expect(statesEntered(result)).not.toContain('AcceptChallenges');
    expect(calls.acceptChallenge).toBe(0);
    const details = checkDetails(result);
    expect(details).toHaveLength(4);
    for (const detail of details) expect(detail).toMatch(new RegExp(`^could not ask: ${gone('ns1.gone.route53.test')}, ${gone('ns2.gone.route53.test')}$`));
    expect(secrets.valueAt('certstep/certificates/lame', 'AWSCURRENT')).toBe(serving);
    expect(server.recordSets(lame.id).filter((set) => set.type === 'TXT')).toEqual([]);
    await expectNoKeyMaterial(result, storeDir, { output, extraKeys: secretKeys(secrets) });
  });
});
