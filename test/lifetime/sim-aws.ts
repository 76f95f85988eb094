/**
 * What the simulated deployment keeps, in memory and on the simulated clock: DNS (with
 * propagation delay and outages), the certificate store (a pending key per order, kept until
 * removed as the file store does, a current and a previous version), the run ledger (the same pure
 * transitions as the real ledgers), EventBridge Scheduler (one-time schedules, a flexible
 * window for renewals, deleted after they fire) and ACM per region.
 *
 * Every port call goes through `faults.call`, which may fail it before it takes effect, or let
 * it take effect and then fail as a Lambda that died (`Lambda.Unknown`): the two halves of
 * every crash a real deployment can have.
 */
import { X509Certificate, createHash } from 'node:crypto';
import { type AccountRecord, accountIn, withAccount } from '../../functions/adapters/account-record.js';
import { TransitionLedger, emptyEntry } from '../../functions/adapters/ledger-transitions.js';
import { ACM_KEY_ALGORITHM } from '../../functions/core/acm-config.js';
import { AcmImportRefused, AcmUnavailable, DnsProviderUnavailable, SchedulerUnavailable, StoreUnavailable } from '../../functions/core/errors.js';
import { normalizeSerial, splitPemChain } from '../../functions/core/verify-certificate.js';
import type { AcmImport, CertificateImporter, ImportedCopy } from '../../functions/ports/certificate-importer.js';
import type { AcmeAccount, CertificateStore, CurrentVersion, PendingKey, SecretOwner, StoredCertificate } from '../../functions/ports/certificate-store.js';
import type { ChallengeRecord, DnsProvider, Presented, PropagationResult, PropagationTiming } from '../../functions/ports/dns-provider.js';
import type { RenewalScheduler, ScheduledRenewal } from '../../functions/ports/renewal-scheduler.js';
import type { LedgerEntry } from '../../functions/ports/run-ledger.js';
import type { Random, SimClock } from './sim-random.js';

export type Port = 'dns' | 'store' | 'ledger' | 'scheduler' | 'acm' | 'ca';

/** Counts by kind: what the JSON report calls `faults`. */
export type FaultCounts = Record<string, number>;

export interface FaultSettings {
  /** Per call: fails before it takes effect (a throttle, a 5xx). */
  readonly before: number;
  /** Per call: takes effect, then the Lambda dies. */
  readonly after: number;
}

const TRANSIENT: Readonly<Record<Exclude<Port, 'ca'>, (message: string) => Error>> = {
  dns: (message) => new DnsProviderUnavailable(message),
  store: (message) => new StoreUnavailable(message),
  ledger: (message) => new StoreUnavailable(message),
  scheduler: (message) => new SchedulerUnavailable(message),
  acm: (message) => new AcmUnavailable(message),
};

/** What Step Functions reports for a Lambda that died mid-invocation. */
export function lambdaDied(where: string): Error {
  return Object.assign(new Error(`Runtime exited with error: signal: killed (simulated, after ${where})`), { name: 'Lambda.Unknown' });
}

/** Per AWS call: about one execution in a hundred is stopped somewhere inside a Lambda. */
const STOPPED_AFTER_CALL = 0.001;

export class Faults {
  readonly counts: FaultCounts = {};
  /** While false (the quiet end of a simulation), nothing fails. */
  enabled = true;
  /**
   * Set by the simulator while an execution runs: stops it (StopExecution, the execution's
   * timeout) between two calls of one Lambda, right after the first took effect, where the
   * Task's Retry cannot repeat what the Lambda had still to do.
   */
  stopExecution?: () => void;
  private readonly outages = new Map<Port, number>();

  constructor(
    private readonly random: Random,
    private readonly clock: SimClock,
    private readonly settings: Readonly<Record<Port, FaultSettings>>,
  ) {}

  count(kind: string): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
  }

  /** An outage of `port` until `until` (epoch ms). */
  outage(port: Port, until: number): void {
    this.outages.set(port, Math.max(until, this.outages.get(port) ?? 0));
    this.count(`${port}Outage`);
  }

  isDown(port: Port): boolean {
    return this.enabled && (this.outages.get(port) ?? 0) > this.clock.time;
  }

  /** Whether the next call to `port` fails before it takes effect (also used by the simulated CA's hook). */
  failsBefore(port: Port): boolean {
    if (!this.enabled) return false;
    if (this.random.chance(this.settings[port].before)) {
      this.count(`${port}Error`);
      return true;
    }
    return false;
  }

  diesAfter(port: Port): boolean {
    if (!this.enabled) return false;
    if (this.random.chance(this.settings[port].after)) {
      this.count('lambdaDiedAfterEffect');
      return true;
    }
    return false;
  }

  async call<T>(port: Exclude<Port, 'ca'>, operation: string, effect: () => T | Promise<T>): Promise<T> {
    if (this.isDown(port)) throw TRANSIENT[port](`simulated ${port} outage: ${operation} could not reach the service`);
    if (this.failsBefore(port)) throw TRANSIENT[port](`simulated ${port} throttling on ${operation}`);
    const result = await effect();
    if (this.diesAfter(port)) throw lambdaDied(`${port} ${operation}`);
    if (this.enabled && this.stopExecution && this.random.chance(STOPPED_AFTER_CALL)) {
      this.stopExecution();
      throw new Error(`the execution was stopped after ${port} ${operation}`);
    }
    return result;
  }
}

/** DNS as the CA sees it: values appear after a propagation delay, and go at once. */
export class SimDns {
  /** recordName → value → when the CA's resolvers start to see it. */
  private readonly records = new Map<string, Map<string, number>>();

  constructor(
    private readonly clock: SimClock,
    private readonly random: Random,
    private readonly faults: Faults,
    /** Up to this long before a change is visible everywhere. */
    private readonly maxDelayMs: number,
  ) {}

  /** Names the CA's resolvers cannot see until then, though ours can (split horizon, a broken delegation). */
  private readonly blind = new Map<string, number>();

  blindCaResolvers(recordName: string, until: number): void {
    this.blind.set(recordName, until);
  }

  /** What the CA's resolvers answer now. */
  lookup(recordName: string): string[] {
    if ((this.blind.get(recordName) ?? 0) > this.clock.time) return [];
    return this.visible(recordName);
  }

  /** What certstep's own propagation check sees. */
  private visible(recordName: string): string[] {
    const values = this.records.get(recordName);
    return values ? [...values].filter(([, visibleAt]) => visibleAt <= this.clock.time).map(([value]) => value) : [];
  }

  /** Every value still published, for the "nothing left behind" invariant. */
  published(): { recordName: string; value: string }[] {
    return [...this.records].flatMap(([recordName, values]) => [...values.keys()].map((value) => ({ recordName, value })));
  }

  readonly timing: PropagationTiming = { initialWaitSeconds: 30, intervalSeconds: 10, maxAttempts: 30 };

  provider(): DnsProvider {
    return {
      timing: this.timing,
      checkZones: async () => this.faults.call('dns', 'checkZones', () => undefined),
      present: (records: readonly ChallengeRecord[]): Promise<Presented> =>
        this.faults.call('dns', 'present', () => {
          for (const record of records) {
            const values = this.records.get(record.recordName) ?? new Map<string, number>();
            if (!values.has(record.value)) values.set(record.value, this.clock.time + Math.floor(this.random.next() * this.maxDelayMs));
            this.records.set(record.recordName, values);
          }
          return { changeIds: [] };
        }),
      cleanUp: (records: readonly ChallengeRecord[]) =>
        this.faults.call('dns', 'cleanUp', () => {
          for (const record of records) {
            const values = this.records.get(record.recordName);
            values?.delete(record.value);
            if (values?.size === 0) this.records.delete(record.recordName);
          }
        }),
      isPropagated: (records: readonly ChallengeRecord[]): Promise<PropagationResult> =>
        this.faults.call('dns', 'isPropagated', () => {
          const pending = records.filter((record) => !this.visible(record.recordName).includes(record.value));
          return pending.length === 0 ? { ready: true as const } : { ready: false as const, pending, detail: `${pending.length} value(s) not visible yet` };
        }),
    };
  }
}

interface SecretState {
  current?: StoredCertificate;
  /** The id of the version `current` is, as AWSCURRENT labels it. */
  currentVersionId?: string;
  previousVersionId?: string;
  previous?: StoredCertificate;
  /** versionId → key; `pending` marks the AWSPENDING ones. */
  readonly versions: Map<string, PendingKey>;
  readonly pending: Set<string>;
}

/** Secrets Manager as certstep uses it: a current and a previous version, pending keys by order. */
export class SimStore implements CertificateStore {
  readonly secrets = new Map<string, SecretState>();
  private readonly accounts = new Map<string, AccountRecord>();

  constructor(private readonly faults: Faults) {}

  private secret(name: string): SecretState {
    let secret = this.secrets.get(name);
    if (!secret) {
      secret = { versions: new Map(), pending: new Set() };
      this.secrets.set(name, secret);
    }
    return secret;
  }

  getCurrent(name: string): Promise<StoredCertificate | undefined> {
    return this.faults.call('store', 'GetSecretValue', () => this.secrets.get(name)?.current);
  }

  readCurrent(name: string): Promise<CurrentVersion | undefined> {
    return this.faults.call('store', 'GetSecretValue', () => {
      const secret = this.secrets.get(name);
      if (!secret?.current || !secret.currentVersionId) return undefined;
      const { 'tls.key': _key, 'tls.crt': _crt, ...summary } = secret.current;
      return { versionId: secret.currentVersionId, certificate: summary };
    });
  }

  currentVersion(name: string): Promise<string | undefined> {
    return this.faults.call('store', 'DescribeSecret', () => this.secrets.get(name)?.currentVersionId);
  }

  putPendingKey({ name }: SecretOwner, key: PendingKey): Promise<{ versionId: string; created: boolean }> {
    return this.faults.call('store', 'PutSecretValue', () => {
      const versionId = createHash('sha256').update(`pending:${key.orderUrl}`).digest('hex').slice(0, 32);
      const secret = this.secret(name);
      if (secret.versions.has(versionId)) return { versionId, created: false };
      secret.versions.set(versionId, key);
      // Stricter than Secrets Manager, whose one AWSPENDING label moves to the newest key and so
      // hides a key nobody removed; like the local file store, every pending key stays until removed.
      secret.pending.add(versionId);
      return { versionId, created: true };
    });
  }

  getPendingKey(name: string, versionId: string): Promise<PendingKey | undefined> {
    return this.faults.call('store', 'GetSecretValue', () => this.secrets.get(name)?.versions.get(versionId));
  }

  listPendingKeys(name: string): Promise<string[]> {
    return this.faults.call('store', 'DescribeSecret', () => [...(this.secrets.get(name)?.pending ?? [])].sort());
  }

  removePendingKey(name: string, versionId: string): Promise<void> {
    return this.faults.call('store', 'UpdateSecretVersionStage', () => {
      this.secrets.get(name)?.pending.delete(versionId);
    });
  }

  makeCurrent(name: string, certificate: StoredCertificate, pendingVersionId: string): Promise<{ versionId: string }> {
    return this.faults.call('store', 'PutSecretValue', () => {
      const secret = this.secret(name);
      if (secret.current?.serialNumber !== certificate.serialNumber) {
        secret.previous = secret.current;
        secret.previousVersionId = secret.currentVersionId;
        secret.current = certificate;
        secret.currentVersionId = createHash('sha256').update(`current:${pendingVersionId}`).digest('hex').slice(0, 32);
      }
      secret.pending.delete(pendingVersionId);
      return { versionId: secret.currentVersionId ?? pendingVersionId };
    });
  }

  /**
   * An operator moves AWSCURRENT back to the previous version (a certificate a client could not
   * use, say), outside certstep. Returns whether there was one to go back to.
   */
  rollBack(name: string): boolean {
    const secret = this.secrets.get(name);
    if (!secret?.previous || !secret.previousVersionId) return false;
    [secret.current, secret.previous] = [secret.previous, secret.current];
    [secret.currentVersionId, secret.previousVersionId] = [secret.previousVersionId, secret.currentVersionId];
    return true;
  }

  getAccount(issuer: string, directoryUrl?: string): Promise<AcmeAccount | undefined> {
    return this.faults.call('store', 'GetSecretValue', () => accountIn(this.accounts.get(issuer), directoryUrl));
  }

  putAccount(issuer: string, account: AcmeAccount, replace: boolean): Promise<AcmeAccount> {
    return this.faults.call('store', 'PutSecretValue', () => {
      const stored = accountIn(this.accounts.get(issuer), account.directoryUrl);
      if (stored && !replace) return stored;
      this.accounts.set(issuer, withAccount(this.accounts.get(issuer), account));
      return account;
    });
  }
}

/** The DynamoDB ledger's semantics: every change one atomic transition of the item. */
export class SimLedger extends TransitionLedger {
  readonly entries = new Map<string, LedgerEntry>();

  constructor(private readonly faults: Faults) {
    super();
  }

  get(certificateName: string): Promise<LedgerEntry | undefined> {
    return this.faults.call('ledger', 'GetItem', () => this.entries.get(certificateName));
  }

  protected update(certificateName: string, change: (entry: LedgerEntry) => LedgerEntry): Promise<LedgerEntry> {
    return this.faults.call('ledger', 'PutItem', () => {
      const after = change(this.entries.get(certificateName) ?? emptyEntry(certificateName));
      this.entries.set(certificateName, after);
      return after;
    });
  }
}

export interface SimSchedule extends ScheduledRenewal {
  /** When it really fires: `at`, or later inside a flexible window. */
  readonly firesAt: number;
}

/** EventBridge Scheduler: one-time schedules by name, deleted once they fired. */
export class SimScheduler implements RenewalScheduler {
  readonly schedules = new Map<string, SimSchedule>();

  constructor(
    private readonly clock: SimClock,
    private readonly random: Random,
    private readonly faults: Faults,
  ) {}

  schedule(renewal: ScheduledRenewal): Promise<{ scheduleId: string }> {
    return this.faults.call('scheduler', 'UpdateSchedule', () => {
      // A time in the past would never fire: the real adapter moves it a minute ahead.
      const at = Math.max(Date.parse(renewal.at), this.clock.time + 60_000);
      const window = renewal.kind === 'retry' ? 0 : Math.floor(this.random.next() * 15 * 60_000);
      this.schedules.set(renewal.certificateName, { ...renewal, kind: renewal.kind ?? 'renewal', firesAt: at + window });
      return { scheduleId: renewal.certificateName };
    });
  }

  get(certificateName: string): Promise<ScheduledRenewal | undefined> {
    return this.faults.call('scheduler', 'GetSchedule', () => {
      const schedule = this.schedules.get(certificateName);
      if (!schedule) return undefined;
      const { firesAt: _firesAt, ...rest } = schedule;
      // at() has whole seconds.
      return { ...rest, at: new Date(Math.floor(Math.max(Date.parse(rest.at), 0) / 1000) * 1000).toISOString() };
    });
  }

  /** The schedules due by `time`, removed as ActionAfterCompletion DELETE does. */
  takeDue(time: number): SimSchedule[] {
    const due = [...this.schedules.values()].filter((schedule) => schedule.firesAt <= time).sort((a, b) => a.firesAt - b.firesAt);
    for (const schedule of due) this.schedules.delete(schedule.certificateName);
    return due;
  }

  nextFiring(): number | undefined {
    let next: number | undefined;
    for (const schedule of this.schedules.values()) if (next === undefined || schedule.firesAt < next) next = schedule.firesAt;
    return next;
  }
}

interface AcmCopy extends ImportedCopy {
  readonly keyAlgorithm: string;
}

/** ACM in one account: per region, the ARN certstep imported each certificate into. */
export class SimAcm {
  /** region → certificate name → copy. */
  readonly regions = new Map<string, Map<string, AcmCopy>>();
  private next = 1;

  constructor(private readonly faults: Faults) {}

  importer(region: string): CertificateImporter {
    const copies = this.regions.get(region) ?? new Map<string, AcmCopy>();
    this.regions.set(region, copies);
    return {
      import: (request: AcmImport) =>
        this.faults.call('acm', 'ImportCertificate', () => {
          const previous = copies.get(request.certificateName);
          if (previous && previous.keyAlgorithm !== ACM_KEY_ALGORITHM[request.keyAlgorithm])
            throw new AcmImportRefused('simulated: ACM cannot re-import another key type');
          const leaf = new X509Certificate(splitPemChain(request.chainPem)[0] ?? '');
          const arn = previous?.arn ?? `arn:aws:acm:${region}:000000000000:certificate/sim-${this.next++}`;
          copies.set(request.certificateName, {
            arn,
            serialNumber: normalizeSerial(leaf.serialNumber),
            notAfter: new Date(leaf.validTo).toISOString(),
            keyAlgorithm: ACM_KEY_ALGORITHM[request.keyAlgorithm],
          });
          return { arn, reimported: previous !== undefined };
        }),
      describe: (certificateName: string) => this.faults.call('acm', 'DescribeCertificate', () => copies.get(certificateName)),
    };
  }
}
