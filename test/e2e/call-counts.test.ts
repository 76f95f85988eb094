/**
 * What one first issuance and one renewal cost in requests, through the real state machine
 * with the AWS adapters: ACME requests by endpoint (counted on the wire, whichever HTTP client
 * made them), and AWS calls by service and operation. Issue 18 set the targets per renewal:
 * ACME ≤ 22 (acme-client's floor is 19), Route 53 ≤ 8, Secrets Manager ≤ 8. The bounds below
 * are what the module-scope caches achieve, so a cache that goes missing shows up here.
 *
 * One process plays every Lambda, as the local runner does; on AWS each function has its own
 * container, so what is cached once here is fetched once per warm container there. A third run
 * plays cold containers (each function forgets every cache at its first invocation) and holds
 * what that adds to exactly one directory, first nonce and account read per function (and no zone lookup).
 */
import { channel } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalEnvironment } from '../../cli/local/environment.js';
import { type LocalRunResult, type WrapTask, localDependencies, runLocal } from '../../cli/local/runner.js';
import { DynamoDbRunLedger } from '../../functions/adapters/dynamodb-ledger.js';
import { EventBridgeRenewalScheduler } from '../../functions/adapters/eventbridge-scheduler.js';
import { Route53DnsProvider } from '../../functions/adapters/route53-dns.js';
import { SecretsManagerCertificateStore } from '../../functions/adapters/secrets-manager-store.js';
import { forgetNonces } from '../../functions/adapters/acme-nonces.js';
import { forgetEveryCache } from '../../functions/core/expiring-cache.js';
import { TEST_SECRET_POLICY } from '../support/secret-policy-settings.js';
import { type AriProxy, startAriProxy } from '../support/ari-proxy.js';
import { statefulDynamo, statefulScheduler } from '../support/aws-fakes.js';
import { type TestCa, newStore, startTestCa, statesEntered } from '../support/local-ca.js';
import { type Route53TestServer, startRoute53TestServer } from '../support/route53/server.js';
import { fakeSecretsManager } from '../support/secrets-manager-fake.js';

let server: Route53TestServer;
let ca: TestCa;
let ari: AriProxy;
let zoneId: string;
beforeAll(async () => {
  server = await startRoute53TestServer();
  zoneId = server.addZone('example.test').id;
  // GetChange answers PENDING three times per change: four CheckPropagation loops, as with ~60 s of propagation on AWS (bench/cost.ts).
  server.setPendingPolls(3);
  // No nonce rejections and no authorization reuse: every count is the same from one run to the next.
  ca = await startTestCa({ pebbleDnsServer: `${server.dns.host}:${server.dns.port}`, pebbleEnv: { PEBBLE_AUTHZREUSE: '0', PEBBLE_WFE_NONCEREJECT: '0' } });
  // Pebble 2.4 has no renewalInfo; the proxy adds it, so the ARI requests are counted too.
  ari = await startAriProxy(ca.acme.directoryUrl, ca.acme.caCertPem);
});
afterAll(async () => {
  await ari?.stop();
  await ca?.stop();
  await server?.stop();
});

/** The ACME endpoint a Pebble or ARI-proxy URL path names. */
function endpointOf(pathname: string): string {
  const kinds: [RegExp, string][] = [
    [/^\/dir$/, 'directory'],
    [/^\/nonce-plz/, 'newNonce'],
    [/^\/sign-me-up/, 'newAccount'],
    [/^\/order-plz/, 'newOrder'],
    [/^\/authZ\//, 'authorization'],
    [/^\/chalZ\//, 'challenge'],
    [/^\/finalize-order\//, 'finalize'],
    [/^\/my-order\//, 'order'],
    [/^\/certZ\//, 'certificate'],
    [/^\/my-account\//, 'account'],
    [/^\/renewal-info\//, 'renewalInfo'],
  ];
  return kinds.find(([pattern]) => pattern.test(pathname))?.[1] ?? pathname;
}

/**
 * Every HTTP request this process sends to the CA or the ARI proxy, whatever sent it (acme-client's
 * axios, a plain https.get). The proxy's own fetch of Pebble's directory is not certstep's: the
 * issuer's directory is the proxy's, so a GET of Pebble's /dir can only be the proxy's.
 */
function countAcmeRequests(): { counts: Record<string, number>; stop(): void } {
  const counts: Record<string, number> = {};
  const pebble = new URL(ca.acme.directoryUrl).host;
  const proxy = new URL(ari.directoryUrl).host;
  const start = channel('http.client.request.start');
  const onStart = (message: unknown) => {
    const request = (message as { request: ClientRequest }).request;
    const host = String(request.getHeader('host') ?? '');
    const pathname = request.path.split('?')[0] ?? '';
    if (host === pebble && pathname === '/dir') return;
    if (host !== pebble && host !== proxy) return;
    const key = `${request.method} ${endpointOf(pathname)}`;
    counts[key] = (counts[key] ?? 0) + 1;
  };
  start.subscribe(onStart);
  return { counts, stop: () => start.unsubscribe(onStart) };
}

function commandName(command: unknown): string {
  return ((command as { constructor?: { name?: string } })?.constructor?.name ?? 'Unknown').replace(/Command$/, '');
}

const total = (counts: Record<string, number>, prefix = '') =>
  Object.entries(counts)
    .filter(([key]) => key.startsWith(prefix))
    .reduce((sum, [, value]) => sum + value, 0);

interface RunCounts {
  readonly result: LocalRunResult;
  readonly acme: Record<string, number>;
  readonly aws: Record<string, number>;
}

describe('requests per run', () => {
  it('one renewal stays within the counts issue 18 brought it down to', async () => {
    // Prepare: the AWS adapters as Lambdas wire them. One Route 53 client per container and a
    // new provider per invocation (runtime/dns.ts), so only a cache that outlives the
    // invocation saves a GetHostedZone.
    const name = 'counted';
    const secrets = fakeSecretsManager([`certstep/certificates/${name}`, 'certstep/accounts/local']);
    const store = new SecretsManagerCertificateStore({ client: secrets.client, secretPolicy: TEST_SECRET_POLICY });
    const credentials = { accessKeyId: 't', secretAccessKey: 't' };
    const schedulerClient = new SchedulerClient({ region: 'us-east-1', credentials });
    const scheduler = mockClient(schedulerClient);
    const schedules = statefulScheduler(scheduler);
    const dynamoClient = new DynamoDBClient({ region: 'us-east-1', credentials });
    const dynamo = mockClient(dynamoClient);
    statefulDynamo(dynamo);
    const route53 = new Route53Client({ endpoint: server.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    const dns01 = { route53: { hostedZoneId: zoneId } };
    const dnsAddress = `${server.dns.host}:${server.dns.port}`;
    const dependencies = {
      dns: () =>
        new Route53DnsProvider({
          dns01: { ...dns01, propagation: { resolvers: [dnsAddress] } },
          clientFor: () => route53,
          timing: { initialWaitSeconds: 0, intervalSeconds: 0, maxAttempts: 5 },
          nameServerAddresses: async () => [dnsAddress],
        }),
      store,
      scheduler: new EventBridgeRenewalScheduler({
        client: schedulerClient,
        groupName: 'certstep',
        stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:certstep-renewal',
        roleArn: 'arn:aws:iam::123456789012:role/certstep-scheduler',
      }),
      ledger: new DynamoDbRunLedger(dynamoClient, 'certstep-ledger'),
    };
    const environment = new LocalEnvironment({
      external: { directoryUrl: ari.directoryUrl, caBundlePem: ca.acme.caCertPem, challtestsrvUrl: ca.acme.challtestsrvUrl, dnsServer: ca.acme.dnsServer },
    });
    const storeDir = await newStore();
    const input = { certificate: { name, dnsNames: [`${name}.example.test`, `*.${name}.example.test`], issuer: 'local', dns01 } };
    const awsCounts = () => {
      const counts: Record<string, number> = {};
      const add = (key: string) => (counts[key] = (counts[key] ?? 0) + 1);
      for (const call of server.calls) add(`Route 53:${call.action}`);
      for (const call of secrets.mock.calls()) add(`Secrets Manager:${commandName(call.args[0])}`);
      for (const call of scheduler.calls()) add(`Scheduler:${commandName(call.args[0])}`);
      for (const call of dynamo.calls()) add(`DynamoDB:${commandName(call.args[0])}`);
      return counts;
    };
    const counted = async (now?: Date, wrapTask?: WrapTask): Promise<RunCounts> => {
      const before = awsCounts();
      const acme = countAcmeRequests();
      let result: LocalRunResult;
      try {
        result = await runLocal({ input, storeDir, environment, dependencies, ...(now && { now }), ...(wrapTask && { wrapTask }) });
      } finally {
        acme.stop();
      }
      const aws = Object.fromEntries(
        Object.entries(awsCounts())
          .map(([key, value]) => [key, value - (before[key] ?? 0)] as const)
          .filter(([, value]) => value > 0),
      );
      return { result, acme: acme.counts, aws };
    };
    /** Pebble gives a new order the authorizations it validated before unless they are deactivated (local-ca.ts). */
    const forgetAuthorizations = async (result: LocalRunResult) => {
      const orderUrl = result.output?.order?.url;
      if (!orderUrl) return;
      const gateway = await localDependencies({ input, storeDir, environment, dependencies: { store } }).acme('local');
      for (const url of (await gateway.getOrder(orderUrl)).authorizationUrls) await gateway.deactivateAuthorization(url);
    };
    // The CA suggests renewing a day after issuance; the renewal run believes it is three days later.
    const issuedAt = Date.now();
    /** The certificate ids renewalInfo was asked about, in order. */
    const askedAbout: string[] = [];
    ari.answer((certificateId) => {
      askedAbout.push(certificateId);
      return { start: new Date(issuedAt + 86_400_000), end: new Date(issuedAt + 2 * 86_400_000) };
    });

    // Act
    const issuance = await counted();
    expect(issuance.result.status, issuance.result.cause).toBe('SUCCEEDED');
    await forgetAuthorizations(issuance.result);
    // At renewal time the schedule that started the run has deleted itself (ActionAfterCompletion DELETE).
    schedules.clear();
    const renewal = await counted(new Date(issuedAt + 3 * 86_400_000));
    await forgetAuthorizations(renewal.result);
    schedules.clear();
    // The same renewal again, each function's first invocation playing a new container (as on AWS
    // after a quiet spell, which is every renewal of a small fleet): every cache and kept nonce is
    // forgotten there, so the run pays what each cold container must ask again.
    const coldFunctions: string[] = [];
    const cold = await counted(new Date(issuedAt + 4 * 86_400_000), (_state, functionName, handler) => async (taskInput) => {
      if (!coldFunctions.includes(functionName)) {
        coldFunctions.push(functionName);
        forgetEveryCache();
        forgetNonces();
      }
      return handler(taskInput);
    });

    // Assess
    expect(renewal.result.status, renewal.result.cause).toBe('SUCCEEDED');
    expect(renewal.result.output?.renewal?.reason).toBe('RenewalWindowReached');
    const report = JSON.stringify(
      {
        issuance: { acme: issuance.acme, aws: issuance.aws },
        renewal: { acme: renewal.acme, aws: renewal.aws },
        cold: { acme: cold.acme, aws: cold.aws, coldFunctions },
      },
      null,
      1,
    );
    expect(renewal.acme['POST newOrder'], report).toBe(1);
    expect(renewal.acme['GET renewalInfo'], report).toBe(2);
    // Two questions, not one asked twice: CheckRenewal asks about the certificate the issuance
    // stored, StoreCertificate about the one it is storing (its renewal time comes from that window).
    expect(askedAbout.slice(0, 3), report).toEqual([askedAbout[0], askedAbout[0], expect.any(String)]);
    expect(askedAbout[2], report).not.toBe(askedAbout[0]);
    // Before issue 18's caches a renewal made 37 ACME requests (14 directory GETs, 10 HEAD
    // newNonce), 15 Route 53 calls (7 GetHostedZone) and 17 Secrets Manager calls (7 reads of the
    // account secret). Issue 18's targets: ACME ≤ 22, Route 53 ≤ 8, Secrets Manager ≤ 8.
    expect(renewal.acme['GET directory'] ?? 0, report).toBe(0);
    expect(renewal.acme['HEAD newNonce'] ?? 0, report).toBe(0);
    // POST order is the poll of the order: how many depends on how soon the CA has validated,
    // so it has its own bound and the rest are exact. Since step 16 nothing else asks for an order
    // an answer of this run already described (Finalize used to, right after the poll that found
    // it ready): each POST order is one entry into a polling state. One per loop (validation;
    // issuance, as Pebble answers the CSR with `processing`), and a second in a loop whose first
    // look (after 0 s) comes before Pebble's background validation or issuance is done: 2 here,
    // as acme-client's floor needs (bench/floor.ts), 3 when one loop looks twice.
    const polls = (run: RunCounts) => statesEntered(run.result).filter((state) => state === 'PollAuthorizations' || state === 'PollFinalizedOrder').length;
    expect(renewal.acme['POST order'], report).toBe(polls(renewal));
    expect(renewal.acme['POST order'], report).toBeLessThanOrEqual(5);
    expect(renewal.acme['POST order'], report).toBeGreaterThanOrEqual(2);
    expect(renewal.acme['POST order'], report).toBeLessThanOrEqual(4);
    expect(total(renewal.acme) - (renewal.acme['POST order'] ?? 0), report).toBeLessThanOrEqual(9);
    const { 'POST order': _renewalPolls, ...renewalRest } = renewal.acme;
    expect(renewalRest, report).toEqual({
      'GET renewalInfo': 2,
      'POST newOrder': 1,
      'POST authorization': 2,
      'POST challenge': 2,
      'POST finalize': 1,
      'POST certificate': 1,
    });
    expect(renewal.aws['Route 53:GetHostedZone'] ?? 0, report).toBe(0);
    expect(total(renewal.aws, 'Route 53:'), report).toBeLessThanOrEqual(8);
    // Eight, each answering something nothing else in the run knows: CheckRenewal's DescribeSecret
    // (the current version id, without the key); Finalize's GetSecretValue of the pending
    // version (a retry keeps the first key: a put alone cannot tell, and moto even overwrites),
    // PutResourcePolicy (the readers, before the key goes in) and PutSecretValue (the key: its
    // answer's labels show a secret that had no version yet); StoreCertificate's two
    // GetSecretValue (the pending key; the current version, which makeCurrent reuses), its
    // PutSecretValue and UpdateSecretVersionStage, which tells CleanUp that nothing is left
    // pending. Before: twelve, with a DescribeSecret per key for the secret with no version, a
    // read back of the key just put, a second read of the current version, and CleanUp's
    // DescribeSecret of the pending keys.
    expect(renewal.aws['Secrets Manager:DescribeSecret'], report).toBe(1);
    expect(renewal.aws['Secrets Manager:GetSecretValue'], report).toBe(3);
    expect(renewal.aws['Secrets Manager:PutSecretValue'], report).toBe(2);
    expect(renewal.aws['Secrets Manager:PutResourcePolicy'], report).toBe(1);
    expect(renewal.aws['Secrets Manager:UpdateSecretVersionStage'], report).toBe(1);
    expect(total(renewal.aws, 'Secrets Manager:'), report).toBeLessThanOrEqual(8);
    // The first run of a process finds every cache cold: each is filled once.
    expect(issuance.acme['GET directory'], report).toBe(1);
    expect(issuance.aws['Route 53:GetHostedZone'], report).toBe(1);
    expect(total(issuance.acme) - (issuance.acme['POST order'] ?? 0), report).toBeLessThanOrEqual(13);
    // The renewal's eight, the account secret (read twice, written once), and for the stack-made
    // placeholder no ledger record matches yet: StoreCertificate reads it (MetadataStale) and
    // CheckRenewal looks again.
    expect(total(issuance.aws, 'Secrets Manager:'), report).toBeLessThanOrEqual(13);
    // The issuance adds the cold caches and the account (the directory, newAccount, a first nonce
    // and one more for the second of the two authorizations read at once) and asks renewalInfo
    // only about the certificate it stores.
    // Its polls are bounded as the renewal's (its first validation look usually comes too early: 3).
    const { 'POST order': issuancePolls = 0, ...issuanceRest } = issuance.acme;
    expect(issuanceRest, report).toEqual({
      'GET directory': 1,
      'HEAD newNonce': 2,
      'POST newAccount': 1,
      'POST newOrder': 1,
      'POST authorization': 2,
      'POST challenge': 2,
      'POST finalize': 1,
      'POST certificate': 1,
      'GET renewalInfo': 1,
    });
    expect(issuancePolls, report).toBe(polls(issuance));
    expect(issuancePolls, report).toBeGreaterThanOrEqual(2);
    expect(issuancePolls, report).toBeLessThanOrEqual(4);

    // Cold containers: the renewal's requests, and what each new container must ask again once.
    expect(cold.result.status, cold.result.cause).toBe('SUCCEEDED');
    expect(askedAbout.slice(3), report).toEqual([askedAbout[2], expect.any(String)]);
    const talksToCa = ['CheckRenewal', 'CreateOrder', 'AcceptChallenges', 'PollOrder', 'Finalize', 'StoreCertificate'];
    const signs = talksToCa.filter((fn) => fn !== 'CheckRenewal');
    const changesDns = ['CheckRenewal', 'PresentChallenges', 'CheckPropagation', 'CleanUp'];
    expect(coldFunctions, report).toEqual(expect.arrayContaining([...talksToCa, ...changesDns]));
    const { 'POST order': coldPolls = 0, ...coldRest } = cold.acme;
    expect(coldPolls, report).toBe(polls(cold));
    expect(coldRest, report).toEqual({
      ...renewalRest,
      // The directory, once per function that talks to the CA (CheckRenewal for ARI).
      'GET directory': talksToCa.length,
      // A first nonce per function that signs, and one more where two requests go at once
      // (CreateOrder reads, AcceptChallenges answers, both authorizations together).
      'HEAD newNonce': signs.length + 2,
    });
    // The hosted zone, once, by CheckRenewal, which checks it can hold the names: the phases after
    // it change records by the zone id alone (route53-zones.ts), so a cold container adds nothing.
    expect(cold.aws['Route 53:GetHostedZone'], report).toBe(1);
    expect(total(cold.aws, 'Route 53:') - 1, report).toBe(total(renewal.aws, 'Route 53:'));
    // The account secret, once per function that signs: the key cannot travel in the execution state.
    expect(cold.aws['Secrets Manager:GetSecretValue'], report).toBe((renewal.aws['Secrets Manager:GetSecretValue'] ?? 0) + signs.length);
    expect(total(cold.aws, 'Secrets Manager:') - signs.length, report).toBe(total(renewal.aws, 'Secrets Manager:'));
  });
});
