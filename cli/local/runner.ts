/**
 * Runs statemachine/renewal.asl.json in-process with aws-local-stepfunctions, every Task bound
 * to the real phase code over local adapters. Refuses to start if any Task lacks a local
 * handler: the library would otherwise call real AWS Lambda for it.
 */
import './polyfill.js';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { acmeClientKeys } from '../../functions/adapters/acme-client-keys.js';
import { FileAcmeDnsCredentials } from '../../functions/adapters/file-acme-dns-credentials.js';
import { FileCertificateImporter } from '../../functions/adapters/file-importer.js';
import { FileRunLedger } from '../../functions/adapters/file-ledger.js';
import { FileRenewalScheduler } from '../../functions/adapters/file-scheduler.js';
import { FileCertificateStore } from '../../functions/adapters/file-store.js';
import type { WorkflowState } from '../../functions/core/workflow-state.js';
import type { PhaseDependencies } from '../../functions/phases/dependencies.js';
import { type FunctionName, bindPhases } from '../../functions/phases/index.js';
import type { DnsProvider } from '../../functions/ports/dns-provider.js';
import { type SweepEndedRunResult, sweepEndedRun } from '../../functions/phases/sweep-ended-run.js';
import { localDefinition, taskFunctions } from './definition.js';
import type { LocalEnvironment } from './environment.js';
import { PUT_EVENTS_RESOURCE, appendingPutEvents } from './events.js';

/** One execution history event, as aws-local-stepfunctions reports it. */
export type EventLog = { readonly type: string; readonly timestamp: number; readonly [key: string]: unknown };

export interface LocalRunOptions {
  readonly input: unknown;
  readonly storeDir: string;
  readonly environment: LocalEnvironment;
  /** Makes the run believe it is this time (time still moves on from there). */
  readonly now?: Date;
  readonly onEvent?: (event: EventLog) => void;
  /** Tests wrap the DNS provider to inject faults. */
  readonly wrapDns?: (dns: DnsProvider) => DnsProvider;
  /** Replaces local adapters, e.g. the Route 53 provider and Secrets Manager store in end-to-end tests. */
  readonly dependencies?: Partial<PhaseDependencies>;
  /** Tests shorten polling; the defaults suit Pebble with PEBBLE_VA_NOSLEEP. */
  readonly polling?: Partial<Pick<PhaseDependencies, 'validationPolling' | 'issuancePolling'>>;
  /** Aborts the execution, as StopExecution does on AWS: no clean-up state runs (see sweepLocalRun). */
  readonly signal?: AbortSignal;
  /** The execution id to use (the run ledger's run id); a random one by default. */
  readonly executionId?: string;
  /**
   * Wraps each Lambda Task's handler (not the putEvents integration): the bench times each
   * invocation and attributes API calls to it; tests play a new container at a function's first one.
   */
  readonly wrapTask?: WrapTask;
}

export type WrapTask = (stateName: string, functionName: FunctionName, handler: (input: unknown) => Promise<unknown>) => (input: unknown) => Promise<unknown>;

export interface LocalRunResult {
  readonly status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  readonly executionId?: string;
  readonly output?: WorkflowState & { cleanUp?: unknown; schedule?: { at: string } };
  readonly error?: string;
  readonly cause?: string;
  readonly events: EventLog[];
  readonly certificatePath: string;
}

export const LOCAL_POLLING = {
  validationPolling: { initialWaitSeconds: 0, intervalSeconds: 1, maxAttempts: 30 },
  issuancePolling: { initialWaitSeconds: 0, intervalSeconds: 1, maxAttempts: 30 },
} as const;

export function localDependencies(options: LocalRunOptions): PhaseDependencies {
  const store = options.dependencies?.store ?? new FileCertificateStore(options.storeDir);
  const offset = options.now ? options.now.getTime() - Date.now() : 0;
  // acme-dns registrations live in the store directory, whichever certificate store the run uses.
  const acmeDnsCredentials = new FileAcmeDnsCredentials(options.storeDir);
  return {
    clock: () => new Date(Date.now() + offset),
    store,
    dns: (certificate) => {
      const dns = options.environment.dnsProvider(certificate, acmeDnsCredentials);
      return options.wrapDns ? options.wrapDns(dns) : dns;
    },
    acme: options.environment.acmeGateways(store),
    keys: acmeClientKeys,
    scheduler: new FileRenewalScheduler(options.storeDir),
    ledger: new FileRunLedger(options.storeDir),
    acmImporter: (region) => new FileCertificateImporter(options.storeDir, region),
    issuers: options.environment.issuers(),
    ...LOCAL_POLLING,
    ...options.polling,
    ...options.dependencies,
  };
}

/** Every Task resource the definition uses, answered locally: the phases, and the putEvents integration (events.jsonl). */
export function localResourceHandlers(options: LocalRunOptions): Record<FunctionName | typeof PUT_EVENTS_RESOURCE, (input: unknown) => Promise<unknown>> {
  const deps = localDependencies(options);
  return { ...bindPhases(deps), [PUT_EVENTS_RESOURCE]: appendingPutEvents(options.storeDir, deps.clock) };
}

export async function runLocal(options: LocalRunOptions): Promise<LocalRunResult> {
  // aws-local-stepfunctions treats a null input as "no value" for `$` and fails outside any
  // Catch; answer as CheckRenewal would for any other non-object.
  if (options.input === null) {
    const certificatePath = path.join(options.storeDir, 'certificates', 'unknown.json');
    return { status: 'FAILED', error: 'InvalidInput', cause: 'execution input: must be a JSON object (got null)', events: [], certificatePath };
  }
  const { definition, machine } = stateMachine();
  const handlers = localResourceHandlers(options);
  const taskResourceLocalHandlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const [stateName, functionName] of taskFunctions(definition)) {
    const handler = handlers[functionName as FunctionName | typeof PUT_EVENTS_RESOURCE];
    if (!handler) throw new Error(`Task ${stateName} (${functionName}) has no local handler; refusing to call AWS`);
    taskResourceLocalHandlers[stateName] =
      options.wrapTask && functionName !== PUT_EVENTS_RESOURCE ? options.wrapTask(stateName, functionName as FunctionName, handler) : handler;
  }
  const executionId = options.executionId ?? `arn:aws:states:local:000000000000:execution:certstep-renewal:${randomUUID()}`;
  const execution = machine.run(options.input as never, {
    overrides: { taskResourceLocalHandlers: taskResourceLocalHandlers as never },
    context: { Execution: { Id: executionId, Name: executionId.split(':').at(-1), StartTime: new Date().toISOString() } },
    noThrowOnAbort: true,
  });
  const abort = () => execution.abort();
  if (options.signal?.aborted) abort();
  options.signal?.addEventListener('abort', abort, { once: true });

  const events: EventLog[] = [];
  const collecting = (async () => {
    for await (const event of execution.eventLogs) {
      events.push(event as unknown as EventLog);
      try {
        options.onEvent?.(event as unknown as EventLog);
      } catch {
        // Watching a run must never break it.
      }
    }
  })();
  let output: LocalRunResult['output'];
  try {
    output = (await execution.result) as unknown as LocalRunResult['output'];
  } catch {
    output = undefined;
  }
  await collecting;
  options.signal?.removeEventListener('abort', abort);
  await recordExecution(options, executionId, events).catch(() => undefined);
  const certificatePath = path.join(options.storeDir, 'certificates', `${certificateNameOf(options.input)}.json`);
  if (events.some((event) => event.type === 'ExecutionAborted')) {
    return { status: 'ABORTED', executionId, error: 'ExecutionAborted', cause: 'the execution was aborted before it ended.', events, certificatePath };
  }
  const failed = events.find((event) => event.type === 'ExecutionFailed') as { Error?: string; Cause?: unknown } | undefined;
  if (failed || output === undefined) {
    return {
      status: 'FAILED',
      error: failed?.Error ?? 'States.Runtime',
      cause: typeof failed?.Cause === 'string' ? failed.Cause : JSON.stringify(failed?.Cause ?? 'unknown failure'),
      events,
      certificatePath,
      executionId,
    };
  }
  return { status: 'SUCCEEDED', output, events, certificatePath, executionId };
}

/**
 * What the AWS stack does after an execution ends FAILED, TIMED_OUT or ABORTED, for a local
 * run: if it still holds its certificate, remove its TXT values, release it, record the
 * failure once and schedule the next attempt (functions/phases/sweep-ended-run.ts).
 */
export async function sweepLocalRun(result: LocalRunResult, options: LocalRunOptions): Promise<SweepEndedRunResult | undefined> {
  if (result.status === 'SUCCEEDED' || !result.executionId) return undefined;
  const deps = localDependencies(options);
  return sweepEndedRun(
    { executionId: result.executionId, status: result.status, input: options.input, error: result.error ?? 'ExecutionFailed', cause: result.cause ?? '' },
    deps,
  );
}

/**
 * Keeps each run's summary and history under `executions/<name>/`, the local counterpart of
 * Step Functions' execution list, for `certstep describe`. Histories hold no key material.
 */
async function recordExecution(options: LocalRunOptions, executionId: string, events: EventLog[]): Promise<void> {
  const name = certificateNameOf(options.input);
  const started = events.find((event) => event.type === 'ExecutionStarted')?.timestamp ?? Date.now();
  const last = events.at(-1);
  const failed = events.find((event) => event.type === 'ExecutionFailed') as { Error?: string; Cause?: unknown } | undefined;
  // The step that failed is the one entered just before clean-up: a Task that threw, or a
  // failure Pass state such as ValidationFailed.
  const entered = events.filter((event) => event.type === 'StateEntered').map((event) => (event.state as { name: string }).name);
  const cleanUpAt = entered.indexOf('CleanUpAfterFailure');
  const failedName = cleanUpAt > 0 ? entered[cleanUpAt - 1] : undefined;
  // An input CheckRenewal refused never became a certificate: recording it would make its name
  // show in `status` for good. The user saw the error; the store stays as it was.
  if (failed?.Error === 'InvalidInput' && failedName === 'CheckRenewal') return;
  const summary = {
    executionId,
    status: events.some((event) => event.type === 'ExecutionAborted') ? 'ABORTED' : failed ? 'FAILED' : 'SUCCEEDED',
    startedAt: new Date(started).toISOString(),
    stoppedAt: new Date(last?.timestamp ?? Date.now()).toISOString(),
    ...(failed && { error: failed.Error, cause: failed.Cause }),
    ...(failedName && { failedState: failedName }),
    input: options.input,
    events,
  };
  const directory = path.join(options.storeDir, 'executions', name);
  await mkdir(directory, { recursive: true });
  await writeFile(
    path.join(directory, `${summary.startedAt.replace(/[:.]/g, '-')}-${executionId.split(':').at(-1)}.json`),
    `${JSON.stringify(summary, null, 2)}\n`,
  );
}

/** Built (and validated) once per process: the definition never changes while it runs. */
let built: { definition: ReturnType<typeof localDefinition>; machine: StateMachine } | undefined;
function stateMachine() {
  if (!built) {
    const definition = localDefinition();
    built = { definition, machine: new StateMachine(definition as never, { validationOptions: { checkArn: true, checkPaths: true } }) };
  }
  return built;
}

function certificateNameOf(input: unknown): string {
  const name = (input as { certificate?: { name?: unknown } } | null)?.certificate?.name;
  return typeof name === 'string' && /^[a-z0-9-]{1,63}$/.test(name) ? name : 'unknown';
}
