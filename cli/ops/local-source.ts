/**
 * The local store as a CertificateSource. It reads the files the local adapters write and never
 * opens a key file: pending versions are listed by file name only, and stored certificates go
 * through the allowlist of allowlistedSummary.
 */
import { Resolver } from 'node:dns/promises';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { FileRunLedger } from '../../functions/adapters/file-ledger.js';
import { FileCertificateStore } from '../../functions/adapters/file-store.js';
import type { CertificateSpec } from '../../functions/core/certificate-spec.js';
import type { ObservedOutputs } from '../../functions/core/reconcile.js';
import { observedOutputs } from '../../functions/phases/observe.js';
import type { LedgerEntry } from '../../functions/ports/run-ledger.js';
import type { RunArguments } from '../arguments.js';
import { environmentFor, runAndPrint } from '../local/run-command.js';
import { exitCodeOf } from '../run-end.js';
import { failingStep, fromLocalEvents, isTerminalStep, outcomeOf, runFacts } from './history.js';
import {
  CERTIFICATE_NAME,
  type CertificateDetails,
  type CertificateSource,
  type CertificateStatus,
  type ExecutionSummary,
  type FailedRun,
  acmCopies,
  type ForcedRun,
  type LastRun,
  type StoredVersion,
  UnknownCertificate,
  chooseSpec,
  gatheredStatus,
  allowlistedSummary,
  describedBasics,
} from './model.js';

export interface LocalSourceOptions {
  readonly storeDir: string;
  readonly clock?: () => Date;
  /** challtestsrv's DNS address, to see whether a run's TXT records are still served. */
  readonly dnsServer?: string;
  /** How a forced run reaches a CA (a private Pebble unless external flags are given). */
  readonly run?: Omit<RunArguments, 'storeDir'>;
}

interface ExecutionFile extends ExecutionSummary {
  readonly input?: unknown;
  readonly events?: Record<string, unknown>[];
}

const SHOWN_EXECUTIONS = 5;

export class LocalSource implements CertificateSource {
  private readonly clock: () => Date;

  constructor(private readonly options: LocalSourceOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  /** Every name any part of the store knows, so a certificate that never issued still shows. */
  async list(): Promise<string[]> {
    const names = new Set<string>();
    for (const directory of ['certificates', 'schedules', 'ledger']) {
      for (const file of await this.entries(directory)) {
        const match = /^(.+)\.json$/.exec(file);
        if (match?.[1] && CERTIFICATE_NAME.test(match[1])) names.add(match[1]);
      }
    }
    for (const directory of await this.entries('executions')) if (CERTIFICATE_NAME.test(directory)) names.add(directory);
    return [...names].sort();
  }

  async status(name: string): Promise<CertificateStatus> {
    return (await this.gather(name)).status;
  }

  async describe(name: string): Promise<CertificateDetails> {
    const gathered = await this.gather(name);
    const executions = await this.executions(name);
    const notes: string[] = [];
    if (gathered.specSource === 'stored certificate')
      notes.push('no schedule: the spec was rebuilt from the stored certificate (renewBefore P30D, no dns01 or acm settings)');
    const newest = executions[0];
    const failed = await this.lastFailedExecution(name);
    const acm = await this.acmCopies(name, gathered.spec?.acm?.regions ?? [], gathered.stored);
    return {
      ...describedBasics(name, gathered, await this.versions(name)),
      executions: executions.map(({ input: _input, events: _events, ...summary }) => summary),
      ...(newest?.events && { lastRun: await this.lastRun(newest) }),
      // Shown apart only when later runs came after it; otherwise it is the last execution above.
      ...(failed?.events && failed.id !== newest?.id && { lastFailure: await this.failedRun(failed) }),
      ...(acm.length && { acm }),
      notes,
    };
  }

  async startForcedRun(name: string, options: { dryRun?: boolean } = {}): Promise<ForcedRun> {
    const { spec, specSource } = await this.gather(name);
    if (!spec) throw new Error(`certificate ${name} has no schedule, stored certificate or execution to take its spec from`);
    if (specSource !== 'schedule') process.stderr.write(`certstep: no schedule for ${name}; using the spec from its ${specSource}\n`);
    const args: RunArguments = { ...this.options.run, storeDir: this.options.storeDir };
    const environment = await environmentFor(args);
    try {
      const input = { certificate: spec, force: true, ...(options.dryRun && { dryRun: true }) };
      return { exitCode: exitCodeOf(await runAndPrint(input, args, environment)), ...(specSource && { specSource }) };
    } finally {
      await environment.stop();
    }
  }

  private async gather(name: string) {
    const known = await this.list();
    if (!CERTIFICATE_NAME.test(name) || !known.includes(name)) throw new UnknownCertificate(name, known);
    const root = this.options.storeDir;
    const [storedFile, schedule, ledger] = await Promise.all([
      readJson(path.join(root, 'certificates', `${name}.json`)),
      readJson(path.join(root, 'schedules', `${name}.json`)) as Promise<{ at?: string; input?: unknown } | undefined>,
      new FileRunLedger(root).get(name),
    ]);
    const stored = allowlistedSummary(storedFile);
    const lastExecution = !schedule?.input && !stored ? (await this.executions(name))[0]?.input : undefined;
    const chosen = chooseSpec(name, { schedule: schedule?.input, ...(stored && { stored }), lastExecution });
    const outputs = chosen.spec && (await this.outputs(name, chosen.spec, schedule, ledger));
    const status = gatheredStatus(name, chosen, { stored, ledger, schedule, outputs }, this.clock());
    return { ...chosen, stored, schedule, ledger, status };
  }

  /** What CheckRenewal would reconcile: the local ACM copies, the schedule, what finished runs left. */
  private async outputs(
    name: string,
    spec: CertificateSpec,
    schedule: { at?: string; input?: unknown } | undefined,
    ledger: LedgerEntry | undefined,
  ): Promise<ObservedOutputs> {
    const root = this.options.storeDir;
    const serials: Record<string, string | undefined> = {};
    for (const region of spec.acm?.regions ?? []) {
      const copy = (await readJson(path.join(root, 'acm', region, `${name}.json`))) as { serialNumber?: unknown } | undefined;
      serials[region] = typeof copy?.serialNumber === 'string' ? copy.serialNumber : undefined;
    }
    const pendingKeys = await new FileCertificateStore(root).listPendingKeys(name);
    return observedOutputs(spec, ledger, { serials, ...(schedule && { schedule }), pendingKeys }, this.clock());
  }

  private async versions(name: string): Promise<StoredVersion[]> {
    const root = this.options.storeDir;
    const versions: StoredVersion[] = [];
    for (const [stage, file] of [
      ['current', path.join(root, 'certificates', `${name}.json`)],
      ['previous', path.join(root, 'certificates', `${name}.previous.json`)],
    ] as const) {
      const summary = allowlistedSummary(await readJson(file));
      if (summary) versions.push({ id: stage, stages: [stage], created: await modified(file), serialNumber: summary.serialNumber, revision: summary.revision });
    }
    // File names are the version ids; the files themselves hold keys and stay unread.
    for (const file of (await this.entries(path.join('pending', name))).filter((entry) => /^[a-f0-9]{32}\.json$/.test(entry)).sort()) {
      versions.push({ id: file.slice(0, -5), stages: ['pending'], created: await modified(path.join(root, 'pending', name, file)) });
    }
    return versions;
  }

  /** The local ACM copies (acm/<region>/<name>.json) of the regions the spec names or the store holds. */
  private async acmCopies(name: string, specRegions: readonly string[], stored: ReturnType<typeof allowlistedSummary>) {
    const regions = [...specRegions];
    const found: Record<string, { arn?: string; serialNumber?: string }> = {};
    for (const region of await this.entries('acm')) {
      const copy = (await readJson(path.join(this.options.storeDir, 'acm', region, `${name}.json`))) as { arn?: unknown; serialNumber?: unknown } | undefined;
      if (!copy) continue;
      regions.push(region);
      found[region] = {
        ...(typeof copy.arn === 'string' && { arn: copy.arn }),
        ...(typeof copy.serialNumber === 'string' && { serialNumber: copy.serialNumber }),
      };
    }
    return acmCopies(regions, found, stored);
  }

  /** The newest FAILED execution, however many held-back or up-to-date runs came after it. */
  private async lastFailedExecution(name: string): Promise<ExecutionFile | undefined> {
    for (let skip = 0; ; skip += SHOWN_EXECUTIONS) {
      const page = await this.executions(name, skip);
      if (page.length === 0) return undefined;
      const failed = page.find((execution) => execution.status === 'FAILED');
      if (failed) return failed;
    }
  }

  private async failedRun(execution: ExecutionFile): Promise<FailedRun> {
    return {
      ...(await this.lastRun(execution)),
      ...optional({ startedAt: execution.startedAt, error: execution.error, cause: execution.cause, failedState: execution.failedState }),
    };
  }

  private async executions(name: string, skip = 0): Promise<ExecutionFile[]> {
    const directory = path.join('executions', name);
    const files = (await this.entries(directory))
      .filter((file) => file.endsWith('.json'))
      .sort()
      .reverse()
      .slice(skip, skip + SHOWN_EXECUTIONS);
    const read: ExecutionFile[] = [];
    for (const file of files) {
      const raw = (await readJson(path.join(this.options.storeDir, directory, file))) as Record<string, unknown> | undefined;
      if (!raw) continue;
      const events = Array.isArray(raw.events) ? (raw.events as Record<string, unknown>[]) : undefined;
      const text = (key: string) => (typeof raw[key] === 'string' ? (raw[key] as string) : raw[key] === undefined ? undefined : JSON.stringify(raw[key]));
      // Older summaries may name the closing Fail state; the history then says what really failed.
      const recorded = text('failedState');
      const failedState = !isTerminalStep(recorded) ? recorded : raw.status === 'FAILED' && events ? failingStep(fromLocalEvents(events)) : recorded;
      const status = text('status') ?? 'UNKNOWN';
      const finalOutput = events?.find((event) => event.type === 'ExecutionSucceeded')?.output;
      read.push({
        id: text('executionId') ?? file,
        status,
        outcome: outcomeOf(status, finalOutput),
        ...optional({ startedAt: text('startedAt'), stoppedAt: text('stoppedAt'), error: text('error'), cause: text('cause'), failedState }),
        input: raw.input,
        ...(events && { events }),
      });
    }
    return read;
  }

  private async lastRun(execution: ExecutionFile): Promise<LastRun> {
    const facts = runFacts(fromLocalEvents(execution.events ?? []));
    const records = [];
    for (const challenge of facts.challenges) {
      records.push({
        recordName: challenge.recordName,
        value: challenge.value,
        forName: `${challenge.wildcard ? '*.' : ''}${challenge.dnsName}`,
        present: await this.txtPresent(challenge.recordName, challenge.value),
      });
    }
    return { executionId: execution.id, ...(facts.order && { order: facts.order }), authorizations: facts.authorizations, records };
  }

  /** The run's own challtestsrv is gone once it ends; only one named by --dns-server can be asked. */
  private async txtPresent(recordName: string, value: string): Promise<string> {
    if (!this.options.dnsServer) return 'unknown (local CA stopped)';
    const resolver = new Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers([this.options.dnsServer]);
    try {
      return (await resolver.resolveTxt(recordName)).some((chunks) => chunks.join('') === value) ? 'yes' : 'no';
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENODATA' || code === 'ENOTFOUND') return 'no';
      return `unknown (challtestsrv at ${this.options.dnsServer} not reachable)`;
    }
  }

  private async entries(relative: string): Promise<string[]> {
    try {
      return await readdir(path.join(this.options.storeDir, relative));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
      throw error;
    }
  }
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // A message quoting the file could quote a key: name the file only.
    throw new Error(`${file} is not readable JSON`);
  }
}

async function modified(file: string): Promise<string | undefined> {
  return stat(file).then(
    (info) => info.mtime.toISOString(),
    () => undefined,
  );
}

function optional<T extends Record<string, string | undefined>>(fields: T): Partial<Record<keyof T, string>> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<Record<keyof T, string>>;
}
