/**
 * Section 2: what one renewal costs on AWS.
 *
 * Measured: one first issuance and one renewal through the state machine with the AWS
 * adapters, in-process: Route 53 through the real SDK into the Route 53 test server (whose
 * GetChange answers PENDING three times per change, so CheckPropagation loops four times, as
 * with ~60 s of propagation on AWS), Secrets Manager on the in-memory fake, EventBridge
 * Scheduler and DynamoDB on stateful aws-sdk-client-mock stand-ins, Pebble validating over the
 * test server's DNS; then the daily sweep over the up-to-date certificate.
 * Each Task handler is timed, and every API call is attributed to the handler that made it
 * (executions run one at a time and a state machine runs one Task at a time).
 *
 * Modelled: the ASL itself, run by aws-local-stepfunctions with stub handlers that replay an
 * AWS renewal (propagation seen on the Nth check, validation and issuance on the Mth poll) and
 * every Wait set to 0 ms, so transitions are counted from the definition, not guessed.
 */
import { channel } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import type { ClientRequest } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { StateMachine } from 'aws-local-stepfunctions';
import { mockClient } from 'aws-sdk-client-mock';
import '../cli/local/polyfill.js';
import { localDefinition, taskFunctions } from '../cli/local/definition.js';
import { PUT_EVENTS_RESOURCE } from '../cli/local/events.js';
import { LocalEnvironment } from '../cli/local/environment.js';
import { localDependencies, runLocal } from '../cli/local/runner.js';
import { sweep } from '../functions/phases/sweep.js';
import { configEntry } from '../functions/ports/certificate-catalog.js';
import { statefulDynamo, statefulScheduler } from '../test/support/aws-fakes.js';
import { ROUTE53_TIMING } from '../functions/adapters/route53-dns.js';
import { DynamoDbRunLedger } from '../functions/adapters/dynamodb-ledger.js';
import { EventBridgeRenewalScheduler } from '../functions/adapters/eventbridge-scheduler.js';
import { SecretsManagerCertificateStore } from '../functions/adapters/secrets-manager-store.js';
import { forgetNonces } from '../functions/adapters/acme-nonces.js';
import { forgetEveryCache } from '../functions/core/expiring-cache.js';
import { AWS_POLLING } from '../functions/phases/dependencies.js';
import { route53Provider } from '../test/support/route53/provider.js';
import { startRoute53TestServer } from '../test/support/route53/server.js';
import { fakeSecretsManager } from '../test/support/secrets-manager-fake.js';
import { TEST_SECRET_POLICY } from '../test/support/secret-policy-settings.js';
import { FLOOR_POLLING, createFloorAccount, floorClient, issueOne, trustCa } from './floor.js';
import { startBenchCa } from './lib/bench-ca.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface Invocation {
  readonly state: string;
  readonly functionName: string;
  readonly ms: number;
  /** `service:Action` → calls made during this invocation. */
  readonly calls: Record<string, number>;
  readonly acmeRequests: Record<string, number>;
  readonly error?: string;
}

export interface MeasuredRun {
  /**
   * 'renewal' runs in warm containers (the caches the first issuance filled, as when renewals
   * come often enough to keep them); 'renewal, cold containers' forgets every module-scope cache
   * and kept nonce at the first invocation of each function, as on AWS after a quiet spell.
   */
  readonly kind: 'first issuance' | 'renewal' | 'renewal, cold containers' | 'daily sweep';
  readonly status: string;
  readonly error?: string;
  readonly statesEntered: string[];
  readonly invocations: Invocation[];
}

export interface Scenario {
  readonly id: string;
  readonly label: string;
  readonly propagationChecks: number;
  readonly validationPolls: number;
  readonly issuancePolls: number;
  readonly acmRegions: number;
  /** A run that finds nothing to do (a console start, a schedule that fired early): CheckRenewal ends in UpToDate. */
  readonly upToDate?: boolean;
}

export interface ScenarioResult extends Scenario {
  readonly status: string;
  readonly error?: string;
  readonly transitions: number;
  readonly statesEntered: Record<string, number>;
  readonly invocations: Record<string, number>;
  /** Seconds spent in Wait states on AWS (from the waitSeconds the code would ask for). */
  readonly waitSeconds: number;
}

export interface CostResult {
  readonly memoryMb: Record<string, number>;
  readonly memorySource: string;
  readonly timing: { readonly route53: typeof ROUTE53_TIMING; readonly polling: typeof AWS_POLLING };
  readonly measured: MeasuredRun[];
  readonly floorAcmeRequests: Record<string, number>;
  readonly scenarios: ScenarioResult[];
}

export const SCENARIOS: Scenario[] = [
  {
    id: 'typical',
    label: 'typical renewal: ~60 s of Route 53 propagation (4 checks), CA validates and issues at the first poll',
    propagationChecks: 4,
    validationPolls: 1,
    issuancePolls: 1,
    acmRegions: 0,
  },
  { id: 'fast', label: 'propagated at the first check (30 s)', propagationChecks: 1, validationPolls: 1, issuancePolls: 1, acmRegions: 0 },
  {
    id: 'slow',
    label: 'slow: ~120 s of propagation (10 checks), 3 validation polls, 2 issuance polls',
    propagationChecks: 10,
    validationPolls: 3,
    issuancePolls: 2,
    acmRegions: 0,
  },
  {
    id: 'issued-at-finalize',
    label: 'typical, but the CA issues while answering the CSR (no poll after Finalize)',
    propagationChecks: 4,
    validationPolls: 1,
    issuancePolls: 0,
    acmRegions: 0,
  },
  { id: 'typical-acm', label: 'typical, plus ACM import into one region', propagationChecks: 4, validationPolls: 1, issuancePolls: 1, acmRegions: 1 },
  {
    id: 'daily',
    label: 'an execution started for a certificate that is not due (ends in UpToDate); the daily sweep starts none',
    propagationChecks: 0,
    validationPolls: 0,
    issuancePolls: 0,
    acmRegions: 0,
    upToDate: true,
  },
];

export async function runCost(options: { log: (line: string) => void }): Promise<CostResult> {
  const { log } = options;
  const memory = memoryConfiguration();
  log('Cost: modelling renewals from the ASL with stub handlers');
  const scenarios = [];
  for (const scenario of SCENARIOS) scenarios.push(await runScenario(scenario));
  log('Cost: one first issuance and one renewal with the AWS adapters (Route 53 test server, Secrets Manager fake, mocked Scheduler/DynamoDB)');
  const { measured, floorAcmeRequests } = await measureWithAwsAdapters();
  return { ...memory, timing: { route53: ROUTE53_TIMING, polling: AWS_POLLING }, measured, floorAcmeRequests, scenarios };
}

/** Memory per function as cdk/functions.ts configures it; the brief's assumption when that file is absent. */
export function memoryConfiguration(): { memoryMb: Record<string, number>; memorySource: string } {
  const fallback = { memoryMb: { default: 256, Finalize: 512 }, memorySource: 'assumed (256 MB, Finalize 512 MB): cdk/functions.ts not found' };
  let text: string;
  try {
    text = readFileSync(path.join(ROOT, 'cdk', 'functions.ts'), 'utf8');
  } catch {
    return fallback;
  }
  const defaultMb = Number(/memorySize\s*\?\?\s*(\d+)/.exec(text)?.[1] ?? Number.NaN);
  if (!Number.isFinite(defaultMb)) return { ...fallback, memorySource: 'assumed (256 MB, Finalize 512 MB): could not read the sizes in cdk/functions.ts' };
  const memoryMb: Record<string, number> = { default: defaultMb };
  for (const match of text.matchAll(/(\w+):\s*\{[^}]*memorySize:\s*(\d+)/g)) memoryMb[match[1] as string] = Number(match[2]);
  return { memoryMb, memorySource: 'cdk/functions.ts (SIZING and the memorySize default)' };
}

export function memoryOf(memoryMb: Record<string, number>, functionName: string): number {
  return memoryMb[functionName] ?? memoryMb.default ?? 256;
}

/** Runs the real ASL with stubs that replay one AWS renewal; every Wait takes 0 ms here. */
async function runScenario(scenario: Scenario): Promise<ScenarioResult> {
  const definition = localDefinition();
  const tasks = taskFunctions(definition);
  const waits = Object.entries(definition.States)
    .filter(([, state]) => state.Type === 'Wait')
    .map(([name]) => name);
  let checks = 0;
  let validationPolls = 0;
  let issuancePolls = 0;
  const stubs: Record<string, (input: unknown) => Promise<unknown>> = {
    CheckRenewal: async (request) => {
      const certificate = (request as { input: { certificate: Record<string, unknown> } }).input.certificate;
      return {
        certificate: {
          ...certificate,
          ...(scenario.acmRegions > 0 && { acm: { regions: Array.from({ length: scenario.acmRegions }, (_, index) => `region-${index}`) } }),
        },
        force: false,
        renewal: {
          ...(scenario.upToDate
            ? { due: false, reason: 'UpToDate', message: 'not due' }
            : { due: true, reason: 'RenewalTimeReached', message: 'renewal time passed' }),
          repair: false,
          repairs: { acm: false, acmRegions: [], schedule: false, leftovers: false },
        },
        ...(!scenario.upToDate && { run: { id: 'execution' } }),
      };
    },
    CreateOrder: async () => ({ url: 'order', status: 'pending', finalizeUrl: 'finalize', challenges: [], reusedAuthorizations: [] }),
    PresentChallenges: async () => ({
      ready: false,
      attempts: 0,
      maxAttempts: ROUTE53_TIMING.maxAttempts,
      waitSeconds: ROUTE53_TIMING.initialWaitSeconds,
      detail: '',
      changeIds: ['change'],
    }),
    CheckPropagation: async () => {
      checks++;
      return {
        ready: checks >= scenario.propagationChecks,
        attempts: checks,
        maxAttempts: ROUTE53_TIMING.maxAttempts,
        waitSeconds: ROUTE53_TIMING.intervalSeconds,
        detail: '',
        changeIds: ['change'],
      };
    },
    AcceptChallenges: async () => ({
      status: 'pending',
      attempts: 0,
      maxAttempts: AWS_POLLING.validationPolling.maxAttempts,
      waitSeconds: AWS_POLLING.validationPolling.initialWaitSeconds,
      detail: '',
    }),
    PollOrder: async (input) => {
      const previous = (input as { previous: { pendingKeyVersion?: string } }).previous;
      if (previous.pendingKeyVersion) {
        issuancePolls++;
        const done = issuancePolls >= scenario.issuancePolls;
        return {
          ...previous,
          status: done ? 'valid' : 'pending',
          attempts: issuancePolls,
          maxAttempts: AWS_POLLING.issuancePolling.maxAttempts,
          waitSeconds: AWS_POLLING.issuancePolling.intervalSeconds,
          detail: '',
          ...(done && { certificateUrl: 'cert' }),
        };
      }
      validationPolls++;
      return {
        status: validationPolls >= scenario.validationPolls ? 'ready' : 'pending',
        attempts: validationPolls,
        maxAttempts: AWS_POLLING.validationPolling.maxAttempts,
        waitSeconds: AWS_POLLING.validationPolling.intervalSeconds,
        detail: '',
      };
    },
    // issuancePolls 0: the CA answers the CSR with the order already valid, so nothing polls it.
    Finalize: async () => ({
      status: scenario.issuancePolls === 0 ? 'valid' : 'pending',
      attempts: 0,
      maxAttempts: AWS_POLLING.issuancePolling.maxAttempts,
      waitSeconds: AWS_POLLING.issuancePolling.initialWaitSeconds,
      detail: '',
      pendingKeyVersion: 'version',
      ...(scenario.issuancePolls === 0 && { certificateUrl: 'cert' }),
    }),
    StoreCertificate: async () => ({ serialNumber: '01', notBefore: '', notAfter: '', renewalTime: '', revision: 2, dnsNames: [], versionId: 'v' }),
    ImportToAcm: async () => ({ imports: [] }),
    ScheduleRenewal: async () => ({ at: '', scheduleId: 'schedule' }),
    CleanUp: async () => ({ removed: 2, event: { certificateName: 'web', acmCertificateArns: {}, executionArn: 'execution', outcome: 'Issued' } }),
    [PUT_EVENTS_RESOURCE]: async () => ({ Entries: [{ EventId: 'event' }], FailedEntryCount: 0 }),
  };
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const [state, functionName] of tasks) {
    const stub = stubs[functionName];
    if (!stub)
      return {
        ...scenario,
        status: 'FAILED',
        error: `no stub for Task ${state} (${functionName}): the ASL changed; update bench/cost.ts`,
        transitions: 0,
        statesEntered: {},
        invocations: {},
        waitSeconds: 0,
      };
    handlers[state] = stub;
  }
  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: true, checkPaths: true } });
  const execution = machine.run({ certificate: { name: 'web', dnsNames: ['example.com', '*.example.com'], issuer: 'letsencrypt' } } as never, {
    overrides: { taskResourceLocalHandlers: handlers as never, waitTimeOverrides: Object.fromEntries(waits.map((name) => [name, 0])) },
    context: {
      Execution: { Id: 'arn:aws:states:us-east-1:123456789012:execution:certstep-renewal:model', Name: 'model', StartTime: new Date().toISOString() },
    },
  });
  const entered: string[] = [];
  let waitSeconds = 0;
  const collecting = (async () => {
    for await (const event of execution.eventLogs) {
      const typed = event as unknown as { type: string; state?: { name: string; type: string; input?: Record<string, { waitSeconds?: number }> } };
      if (typed.type !== 'StateEntered' || !typed.state) continue;
      entered.push(typed.state.name);
      if (typed.state.type === 'Wait') {
        const input = typed.state.input ?? {};
        const seconds = [input.propagation, input.validation, input.issuance].map((progress) => progress?.waitSeconds);
        const { name } = typed.state;
        waitSeconds += (name.includes('Propagation') ? seconds[0] : name.includes('Validation') ? seconds[1] : seconds[2]) ?? 0;
      }
    }
  })();
  let status = 'SUCCEEDED';
  let error: string | undefined;
  try {
    await execution.result;
  } catch (failure) {
    status = 'FAILED';
    error = (failure as Error).message;
  }
  await collecting;
  const statesEntered: Record<string, number> = {};
  for (const name of entered) statesEntered[name] = (statesEntered[name] ?? 0) + 1;
  const invocations: Record<string, number> = {};
  for (const name of entered) {
    const functionName = tasks.get(name);
    // The putEvents Tasks are transitions, but no Lambda runs for them.
    if (functionName && functionName !== PUT_EVENTS_RESOURCE) invocations[functionName] = (invocations[functionName] ?? 0) + 1;
  }
  return { ...scenario, status, ...(error && { error }), transitions: entered.length, statesEntered, invocations, waitSeconds };
}

/** The ACME endpoint an HTTP request went to, named as in RFC 8555 (Pebble's paths). */
function acmeResource(method: string, url: string): string {
  const pathname = new URL(url).pathname;
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
    [/renewal-?info/i, 'renewalInfo'],
  ];
  const kind = kinds.find(([pattern]) => pattern.test(pathname))?.[1] ?? pathname.split('/')[1] ?? 'other';
  return `${method.toUpperCase()} ${kind}`;
}

async function measureWithAwsAdapters(): Promise<{ measured: MeasuredRun[]; floorAcmeRequests: Record<string, number> }> {
  const server = await startRoute53TestServer();
  const zone = server.addZone('example.test');
  const ca = await startBenchCa({ pebbleDnsServer: `${server.dns.host}:${server.dns.port}` });
  // Counts every HTTP request to the CAs, on the wire: certstep reads the directory and ARI with
  // plain node:https since issue 18, and signs through acme-client, whose requests it sends with
  // the same node:https code; the floor sends through acme-client's axios.
  let acmeRequests: string[] = [];
  const acmeHosts = new Set([new URL(ca.directoryUrl).host]);
  const requestStart = channel('http.client.request.start');
  const onRequest = (message: unknown) => {
    const request = (message as { request: ClientRequest }).request;
    const host = String(request.getHeader('host') ?? '');
    if (acmeHosts.has(host)) acmeRequests.push(acmeResource(request.method, `https://${host}${request.path}`));
  };
  requestStart.subscribe(onRequest);
  try {
    const name = 'renew';
    // The certificate's secret is made by its first issuance, as on AWS; the issuer's is the stack's.
    const secrets = fakeSecretsManager(['certstep/accounts/local']);
    const store = new SecretsManagerCertificateStore({ client: secrets.client, secretPolicy: TEST_SECRET_POLICY });
    const schedulerClient = new SchedulerClient({ region: 'us-east-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } });
    const scheduler = mockClient(schedulerClient);
    // Stateful, because the reconcile reads back the schedule and the ledger what was written.
    const schedules = statefulScheduler(scheduler);
    const dynamoClient = new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } });
    const dynamo = mockClient(dynamoClient);
    statefulDynamo(dynamo);
    const environment = new LocalEnvironment({ external: { directoryUrl: ca.directoryUrl, caBundlePem: ca.caCertPem, challtestsrvUrl: ca.challtestsrvUrl } });
    const storeDir = await mkdtemp(path.join(tmpdir(), 'certstep-bench-cost-'));
    // The configured hosted zone id is the recommended set-up: no ListHostedZones paging.
    const dns01 = { route53: { hostedZoneId: zone.id } };
    const route53 = new Route53Client({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 6,
    });
    const dependencies = {
      // A provider per invocation over one client, as a Lambda container has them (runtime/dns.ts).
      dns: () => route53Provider(server, dns01, 6, { client: route53 }).provider,
      store,
      scheduler: new EventBridgeRenewalScheduler({
        client: schedulerClient,
        groupName: 'certstep',
        stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:certstep-renewal',
        roleArn: 'arn:aws:iam::123456789012:role/certstep-scheduler',
      }),
      ledger: new DynamoDbRunLedger(dynamoClient, 'certstep-ledger'),
    };
    // GetChange answers PENDING three times per change: four CheckPropagation loops, as with ~60 s on AWS.
    server.setPendingPolls(3);

    const counters = () => {
      const counts: Record<string, number> = {};
      const add = (key: string) => (counts[key] = (counts[key] ?? 0) + 1);
      for (const call of server.calls) add(`Route 53:${call.action}`);
      for (const call of secrets.mock.calls()) add(`Secrets Manager:${commandName(call.args[0])}`);
      for (const call of scheduler.calls()) add(`Scheduler:${commandName(call.args[0])}`);
      for (const call of dynamo.calls()) add(`DynamoDB:${commandName(call.args[0])}`);
      return counts;
    };
    /** Runs one invocation, timing it and attributing to it the AWS and ACME calls made meanwhile. */
    const measured_ = async <T>(state: string, functionName: string, invoke: () => Promise<T>, into: Invocation[]): Promise<T> => {
      const before = counters();
      acmeRequests = [];
      const started = performance.now();
      let error: string | undefined;
      try {
        return await invoke();
      } catch (failure) {
        error = (failure as Error).name;
        throw failure;
      } finally {
        const ms = performance.now() - started;
        const after = counters();
        const calls: Record<string, number> = {};
        for (const [key, value] of Object.entries(after)) if (value - (before[key] ?? 0) > 0) calls[key] = value - (before[key] ?? 0);
        const acmeCounts: Record<string, number> = {};
        for (const request of acmeRequests) acmeCounts[request] = (acmeCounts[request] ?? 0) + 1;
        into.push({ state, functionName, ms, calls, acmeRequests: acmeCounts, ...(error && { error }) });
      }
    };
    const measured: MeasuredRun[] = [];
    let now: Date | undefined;
    for (const kind of ['first issuance', 'renewal', 'renewal, cold containers'] as const) {
      // At renewal time the schedule that started the run has deleted itself (ActionAfterCompletion DELETE).
      if (kind !== 'first issuance') schedules.clear();
      const invocations: Invocation[] = [];
      // Each function's first invocation in this run plays a new container: everything cached is
      // forgotten, so it asks again what that container would have to ask (same content for all).
      const started = new Set<string>();
      const coldStart = (functionName: string) => {
        if (kind !== 'renewal, cold containers' || started.has(functionName)) return;
        started.add(functionName);
        forgetEveryCache();
        forgetNonces();
      };
      const result = await runLocal({
        input: { certificate: { name, dnsNames: ['renew.example.test', '*.renew.example.test'], issuer: 'local', dns01 } },
        storeDir,
        environment,
        dependencies,
        ...(now && { now }),
        wrapTask: (state, functionName, handler) => (input) =>
          measured_(
            state,
            functionName,
            () => {
              coldStart(functionName);
              return handler(input);
            },
            invocations,
          ),
      });
      const statesEntered = result.events.filter((event) => event.type === 'StateEntered').map((event) => (event.state as { name: string }).name);
      measured.push({
        kind,
        status: result.status,
        ...(result.error && { error: `${result.error}: ${result.cause ?? ''}`.slice(0, 300) }),
        statesEntered,
        invocations,
      });
      // The next renewal run believes it is a minute past the stored renewal time.
      const stored = JSON.parse(secrets.valueAt(`certstep/certificates/${name}`, 'AWSCURRENT') ?? '{}') as { renewalTime?: string };
      if (stored.renewalTime) now = new Date(new Date(stored.renewalTime).getTime() + 60_000);
    }

    // The daily sweep over the now up-to-date certificate, at the real time: what it costs per
    // certificate per day (it starts no execution: nothing is due, the outputs are in sync).
    {
      const base = localDependencies({ input: {}, storeDir, environment, dependencies });
      const startedRuns: string[] = [];
      const invocations: Invocation[] = [];
      const swept = await measured_(
        'Sweep',
        'Sweep',
        () =>
          sweep({
            ...base,
            catalog: {
              entries: async () => [
                configEntry({ certificate: { name, dnsNames: ['renew.example.test', '*.renew.example.test'], issuer: 'local', dns01 }, force: false }),
              ],
            },
            starter: {
              start: async (input) => {
                startedRuns.push(input.certificate.name);
                return { executionId: 'started' };
              },
            },
          }),
        invocations,
      );
      const reason = swept[0]?.decision?.reason ?? swept[0]?.error ?? 'unknown';
      measured.push({
        kind: 'daily sweep',
        status: startedRuns.length === 0 && reason === 'UpToDate' ? 'SUCCEEDED' : 'FAILED',
        ...(reason !== 'UpToDate' && { error: `the sweep found ${reason}${startedRuns.length ? ' and started a run' : ''}` }),
        statesEntered: [],
        invocations,
      });
    }

    // The floor's ACME requests for the same certificate shape, for comparison. It presents
    // through challtestsrv, so it gets a plain Pebble of its own; the account is registered
    // before counting, as in the throughput runs.
    const plain = await startBenchCa();
    acmeHosts.add(new URL(plain.directoryUrl).host);
    const floorAcmeRequests: Record<string, number> = {};
    try {
      trustCa(plain.caCertPem);
      const account = await createFloorAccount(plain.directoryUrl);
      acmeRequests = [];
      await issueOne(floorClient(plain.directoryUrl, account), ['floor.example.test', '*.floor.example.test'], plain.challtestsrvUrl, FLOOR_POLLING.same);
      for (const request of acmeRequests) floorAcmeRequests[request] = (floorAcmeRequests[request] ?? 0) + 1;
    } finally {
      await plain.stop();
    }
    return { measured, floorAcmeRequests };
  } finally {
    requestStart.unsubscribe(onRequest);
    await ca.stop();
    await server.stop();
  }
}

function commandName(command: unknown): string {
  return ((command as { constructor?: { name?: string } })?.constructor?.name ?? 'Unknown').replace(/Command$/, '');
}
