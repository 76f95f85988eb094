/**
 * The lifetime simulator: the real statemachine/renewal.asl.json in aws-local-stepfunctions and
 * the real phases, over a simulated CA, a simulated AWS account and a simulated clock, for years
 * of certificates, with faults at every port call. Wait states and schedules move the clock;
 * nothing sleeps. Invariants are checked all along; a violation carries the seed and the trail
 * of events that led to it.
 */
import '../../cli/local/polyfill.js';
import { StateMachine } from 'aws-local-stepfunctions';
import { type AslDefinition, localDefinition, taskFunctions } from '../../cli/local/definition.js';
import { acmeClientKeys } from '../../functions/adapters/acme-client-keys.js';
import { momentInWindow } from '../../functions/core/ari.js';
import type { ExecutionInput } from '../../functions/core/certificate-spec.js';
import { reconcile } from '../../functions/core/reconcile.js';
import { openTaskInput } from '../../functions/core/task-input.js';
import type { WorkflowState } from '../../functions/core/workflow-state.js';
import { AWS_POLLING, type PhaseDependencies } from '../../functions/phases/dependencies.js';
import { type FunctionName, bindPhases } from '../../functions/phases/index.js';
import { holdOffOf } from '../../functions/phases/observe.js';
import { sweepEndedRun } from '../../functions/phases/sweep-ended-run.js';
import { sweep } from '../../functions/phases/sweep.js';
import type { AcmeGateway } from '../../functions/ports/acme-gateway.js';
import { configEntry } from '../../functions/ports/certificate-catalog.js';
import { type FaultSettings, Faults, type Port, SimAcm, SimDns, SimLedger, SimScheduler, SimStore, lambdaDied } from './sim-aws.js';
import { SimulatedCa } from './sim-ca.js';
import { SimClock, type Random, seededRandom } from './sim-random.js';

export interface SimulationOptions {
  readonly seed: number;
  readonly certificates: number;
  readonly days: number;
  /** First instant of the simulation. */
  readonly start?: Date;
  /** Fault rates; `none` runs the same lifetime without any fault. */
  readonly faults?: 'default' | 'none';
  /** Keeps this many violation trails in the report. */
  readonly keepTrails?: number;
  /** Writes every state this certificate's executions enter, and its ledger after each, to stderr. */
  readonly trace?: string;
}

export interface Violation {
  readonly invariant: InvariantName;
  readonly at: string;
  readonly certificate: string;
  readonly detail: string;
  /** The last events of that certificate, oldest first. */
  readonly trail: readonly string[];
}

export const INVARIANTS = [
  'noCertificateExpires',
  'acmCopiesCurrent',
  'noRateLimitReached',
  'noFailedValidationLimitReached',
  'oneRenewalSchedule',
  'noTxtLeftBehind',
  'noOrphanedPendingKey',
  'noRepairLoop',
] as const;
export type InvariantName = (typeof INVARIANTS)[number];

export interface SimulationReport {
  readonly seed: number;
  readonly certificates: number;
  readonly days: number;
  readonly issuances: number;
  readonly orders: number;
  readonly executions: number;
  /** How the executions ended: Issued, OutputsRepaired, UpToDate, HeldBack, ..., FAILED <error>. */
  readonly outcomes: Record<string, number>;
  readonly faults: Record<string, number>;
  readonly invariants: Record<InvariantName, number>;
  readonly violations: readonly Violation[];
  readonly certificateDaysPerSecond: number;
  readonly elapsedSeconds: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** How long an output may lag behind (the daily sweep repairs it) before it counts as a violation. */
const GRACE = 26 * HOUR;
/** The last days run without faults, so what was left behind must be gone by the end. */
const QUIET_DAYS = 3;
/** Two issuers on two ACME accounts: one CA offers ARI (renewals exempt from limits), the other does not. */
const ISSUER = 'sim';
const ISSUER_WITHOUT_ARI = 'sim-no-ari';
const SWEEP_HOUR_UTC = 4;
/** Invariants are checked this often (and after the last event); well inside the 26 h grace. */
const CHECK_EVERY = 3 * HOUR;

const DEFAULT_FAULTS: Readonly<Record<Port, FaultSettings>> = {
  dns: { before: 0.01, after: 0.004 },
  store: { before: 0.005, after: 0.003 },
  ledger: { before: 0.005, after: 0.003 },
  scheduler: { before: 0.01, after: 0.004 },
  acm: { before: 0.02, after: 0.004 },
  ca: { before: 0.01, after: 0.004 },
};
const NO_FAULTS: Readonly<Record<Port, FaultSettings>> = Object.fromEntries(
  (Object.keys(DEFAULT_FAULTS) as Port[]).map((port) => [port, { before: 0, after: 0 }]),
) as Record<Port, FaultSettings>;

type Event =
  | { readonly kind: 'sweep' }
  | {
      readonly kind: 'endedRun';
      readonly executionId: string;
      readonly status: string;
      readonly input: unknown;
      readonly error?: string;
      readonly cause?: string;
      readonly attempt: number;
    }
  | { readonly kind: 'operator'; readonly certificate: number }
  | { readonly kind: 'outage'; readonly port: 'ca' | 'dns' }
  | { readonly kind: 'ariIncident' }
  | { readonly kind: 'blindResolvers'; readonly certificate: number }
  | { readonly kind: 'rollBack'; readonly certificate: number }
  | { readonly kind: 'check' }
  | { readonly kind: 'lateStart'; readonly input: ExecutionInput; readonly what: string };

interface Scheduled {
  readonly at: number;
  readonly sequence: number;
  readonly event: Event;
}

export async function simulate(options: SimulationOptions): Promise<SimulationReport> {
  const started = performance.now();
  const world = new World(options);
  await world.run();
  const elapsedSeconds = (performance.now() - started) / 1000;
  return world.report(elapsedSeconds);
}

class World {
  private readonly random: Random;
  private readonly clock: SimClock;
  private readonly faults: Faults;
  private readonly dns: SimDns;
  private readonly store: SimStore;
  private readonly ledger: SimLedger;
  private readonly scheduler: SimScheduler;
  private readonly acm: SimAcm;
  private readonly ca: SimulatedCa;
  private readonly deps: PhaseDependencies;
  private readonly machine: StateMachine;
  private readonly definition: AslDefinition;
  private readonly tasks: Map<string, string>;
  private readonly handlers: Record<FunctionName, (input: unknown) => Promise<unknown>>;
  private readonly waitBefore: Map<string, (input: Record<string, unknown>) => number>;
  private readonly catalog: ExecutionInput[];
  private readonly queue: Scheduled[] = [];
  private sequence = 0;
  private executionCount = 0;
  private readonly outcomes: Record<string, number> = {};
  private readonly end: number;
  private readonly quietFrom: number;
  private readonly trails = new Map<string, string[]>();
  private readonly violations: Violation[] = [];
  private readonly violationCounts = Object.fromEntries(INVARIANTS.map((name) => [name, 0])) as Record<InvariantName, number>;
  /** certificate name → since when an output has been out of sync (for the grace period). */
  private readonly lagging = new Map<string, number>();
  /** Day index → whether the CA was reachable that day (up for at least an hour). */
  private readonly caDownMs = new Map<number, number>();
  /** Serial the store held for a name, and since when: an ACM copy may lag this long. */
  private readonly currentSince = new Map<string, { serial: string; since: number }>();
  private limitHitsSeen = 0;

  constructor(private readonly options: SimulationOptions) {
    this.random = seededRandom(options.seed);
    const start = options.start ?? new Date('2026-12-01T00:00:00.000Z');
    this.clock = new SimClock(start.getTime());
    this.end = start.getTime() + options.days * DAY;
    this.quietFrom = this.end - Math.min(QUIET_DAYS, Math.max(1, Math.floor(options.days / 3))) * DAY;
    this.faults = new Faults(this.random, this.clock, options.faults === 'none' ? NO_FAULTS : DEFAULT_FAULTS);
    this.dns = new SimDns(this.clock, this.random, this.faults, 90 * SECOND);
    this.store = new SimStore(this.faults);
    this.ledger = new SimLedger(this.faults);
    this.scheduler = new SimScheduler(this.clock, this.random, this.faults);
    this.acm = new SimAcm(this.faults);
    this.ca = new SimulatedCa({
      now: () => this.clock.now(),
      issuanceFails: () => {
        if (!this.faults.enabled || !this.random.chance(this.options.faults === 'none' ? 0 : 0.01)) return false;
        this.faults.count('issuanceFailed');
        return true;
      },
      random: () => this.random.next(),
      lookupTxt: (name) => this.dns.lookup(name),
      fault: () => {
        if (this.faults.isDown('ca')) return { kind: 'network' };
        if (!this.faults.failsBefore('ca')) return undefined;
        return this.random.chance(0.3) ? { kind: 'unavailable', retryAfterSeconds: this.random.integer(60, 3600) } : { kind: 'serverError' };
      },
    });
    const withAri = this.crashingGateway(this.ca.gateway(ISSUER));
    const plain = this.crashingGateway(this.ca.gateway(ISSUER_WITHOUT_ARI));
    const withoutAri: AcmeGateway = { ...plain, renewalInfo: async () => undefined, supportsRenewalInfo: async () => false };
    this.deps = {
      clock: () => this.clock.now(),
      store: this.store,
      dns: () => this.dns.provider(),
      acme: async (issuer) => (issuer === ISSUER ? withAri : withoutAri),
      keys: acmeClientKeys,
      scheduler: this.scheduler,
      ledger: this.ledger,
      acmImporter: (region) => this.acm.importer(region),
      issuers: { names: new Set([ISSUER, ISSUER_WITHOUT_ARI]) },
      ...AWS_POLLING,
    };
    this.handlers = bindPhases(this.deps);
    this.definition = localDefinition();
    this.tasks = taskFunctions(this.definition);
    this.waitBefore = waitsBeforeTasks(this.definition);
    this.machine = new StateMachine(this.definition as never, { validationOptions: { checkArn: true, checkPaths: true } });
    this.catalog = Array.from({ length: options.certificates }, (_, index) => this.newCertificate(index));
  }

  /** The CA's requests may take effect and then lose their Lambda, like any other port call. */
  private crashingGateway(gateway: AcmeGateway): AcmeGateway {
    const crashing = {} as Record<string, unknown>;
    for (const method of [
      'createOrder',
      'getOrder',
      'getAuthorization',
      'acceptChallenge',
      'finalizeOrder',
      'downloadCertificate',
      'renewalInfo',
      'supportsRenewalInfo',
      'deactivateAuthorization',
    ] as const) {
      const real = (gateway[method] as (...args: unknown[]) => Promise<unknown>).bind(gateway);
      crashing[method] = async (...args: unknown[]) => {
        const result = await real(...args);
        if (this.faults.diesAfter('ca')) throw lambdaDied(`CA ${method}`);
        return result;
      };
    }
    // Not a request to the CA: nothing to lose a Lambda over.
    crashing.account = gateway.account.bind(gateway);
    return crashing as unknown as AcmeGateway;
  }

  private newCertificate(index: number): ExecutionInput {
    const name = `cert-${String(index).padStart(4, '0')}`;
    const domain = `${name}.example.com`;
    const shape = this.random.next();
    const dnsNames = shape < 0.4 ? [domain, `*.${domain}`] : shape < 0.8 ? [domain] : [domain, `www.${domain}`, `api.${domain}`];
    const profileRoll = this.random.next();
    const profile = profileRoll < 0.05 ? 'shortlived' : profileRoll < 0.15 ? 'tlsserver' : undefined;
    const acm = this.random.chance(0.25) ? { regions: this.random.chance(0.5) ? ['us-east-1'] : ['us-east-1', 'eu-west-1'] } : undefined;
    return {
      certificate: {
        name,
        dnsNames,
        issuer: this.random.chance(0.7) ? ISSUER : ISSUER_WITHOUT_ARI,
        // RSA keys take ~100 ms each to generate: a few keep the RSA paths honest without dominating the run.
        keyAlgorithm: this.random.chance(0.95) ? 'ecdsa-p256' : 'rsa-2048',
        renewBefore: this.random.pick(['P30D', 'P30D', 'P21D', 'P14D']),
        ...(profile && { profile }),
        ...(acm && { acm }),
      },
      force: false,
    };
  }

  /**
   * What an operator deploys: names added or removed, another profile, renewBefore or ACM
   * regions. Never a key type change under ACM: the configuration check refuses it at synth.
   */
  private changedSpec(input: ExecutionInput): ExecutionInput {
    const certificate = input.certificate;
    const base = certificate.dnsNames[0] as string;
    const extra = `v${this.random.integer(1, 9)}.${base.replace(/^\*\./, '')}`;
    const roll = this.random.next();
    const dnsNames =
      roll < 0.5
        ? certificate.dnsNames.includes(extra)
          ? certificate.dnsNames.filter((name) => name !== extra)
          : [...certificate.dnsNames, extra]
        : [...certificate.dnsNames];
    const profile = roll >= 0.5 && roll < 0.65 ? this.random.pick([undefined, 'tlsserver', 'shortlived']) : certificate.profile;
    const renewBefore = roll >= 0.65 && roll < 0.8 ? this.random.pick(['P30D', 'P21D', 'P14D']) : certificate.renewBefore;
    const acm = roll >= 0.8 ? (certificate.acm ? undefined : { regions: ['us-east-1'] }) : certificate.acm;
    const { profile: _profile, acm: _acm, ...rest } = certificate;
    return { certificate: { ...rest, dnsNames, renewBefore, ...(profile && { profile }), ...(acm && { acm }) }, force: false };
  }

  private at(time: number, event: Event): void {
    const entry = { at: time, sequence: this.sequence++, event };
    // Binary insertion keeps the queue ordered by time, then by insertion.
    let low = 0;
    let high = this.queue.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      const other = this.queue[middle] as Scheduled;
      if (other.at < time || (other.at === time && other.sequence < entry.sequence)) low = middle + 1;
      else high = middle;
    }
    this.queue.splice(low, 0, entry);
  }

  private trail(name: string, line: string): void {
    const lines = this.trails.get(name) ?? [];
    lines.push(`${this.clock.now().toISOString()} ${line}`);
    if (lines.length > 60) lines.shift();
    this.trails.set(name, lines);
  }

  async run(): Promise<void> {
    const start = this.clock.time;
    // Certificates arrive over the first day (a deploy start each), as a stack would start them.
    for (const input of this.catalog) await this.execute(input, `deploy start`, start + this.random.integer(0, DAY - 1));
    for (let day = 0; day < this.options.days; day++) this.at(start + day * DAY + SWEEP_HOUR_UTC * HOUR, { kind: 'sweep' });
    for (let time = start + CHECK_EVERY; time <= this.end; time += CHECK_EVERY) this.at(time, { kind: 'check' });
    if (this.options.faults !== 'none') this.planFaults(start);

    for (;;) {
      const nextEvent = this.queue[0]?.at ?? Number.POSITIVE_INFINITY;
      const nextSchedule = this.scheduler.nextFiring() ?? Number.POSITIVE_INFINITY;
      const next = Math.min(nextEvent, nextSchedule);
      if (next > this.end || next === Number.POSITIVE_INFINITY) break;
      this.clock.advanceTo(next);
      this.faults.enabled = this.clock.time < this.quietFrom;
      if (nextSchedule <= nextEvent) {
        for (const schedule of this.scheduler.takeDue(this.clock.time)) {
          // Scheduler retries a StartExecution that fails (the stack's policy: for a day, 20
          // attempts); only after that does the input land in the dead-letter queue.
          if (this.faults.enabled && this.random.chance(0.02)) {
            if (this.random.chance(0.05)) {
              this.faults.count('scheduleUndelivered');
              this.trail(schedule.certificateName, `schedule (${schedule.kind}) undelivered for a day: in the dead-letter queue`);
              continue;
            }
            this.faults.count('scheduleDeliveredLate');
            this.at(this.clock.time + this.random.integer(1, 120) * MINUTE, {
              kind: 'lateStart',
              input: schedule.input,
              what: `schedule (${schedule.kind}), delivered late`,
            });
            continue;
          }
          await this.execute(schedule.input, `schedule (${schedule.kind})`, this.clock.time);
        }
        continue;
      }
      const { event } = this.queue.shift() as Scheduled;
      await this.handle(event);
    }
    this.clock.advanceTo(this.end);
    this.faults.enabled = false;
    this.checkAll(true);
  }

  private planFaults(start: number): void {
    const span = this.end - start;
    // Outages of the CA and of DNS, hours to days long, about every two months each.
    for (const port of ['ca', 'dns'] as const) {
      const count = Math.max(1, Math.round(span / (60 * DAY)));
      for (let index = 0; index < count; index++) this.at(start + this.random.integer(DAY, span - QUIET_DAYS * DAY), { kind: 'outage', port });
    }
    // Operators: about one spec change or forced run per certificate per year.
    const operatorEvents = Math.round((this.catalog.length * span) / (365 * DAY));
    for (let index = 0; index < operatorEvents; index++) {
      this.at(start + this.random.integer(DAY, span - QUIET_DAYS * DAY), { kind: 'operator', certificate: this.random.integer(0, this.catalog.length - 1) });
    }
    // The CA's resolvers cannot see one certificate's records while ours can, now and then.
    const blind = Math.round((this.catalog.length * span) / (730 * DAY));
    for (let index = 0; index < blind; index++) {
      this.at(start + this.random.integer(DAY, span - QUIET_DAYS * DAY), {
        kind: 'blindResolvers',
        certificate: this.random.integer(0, this.catalog.length - 1),
      });
    }
    // An operator rolls a certificate's secret back to the previous version, outside certstep,
    // about once per certificate every four years: the ledger's record no longer describes it.
    const rollBacks = Math.round((this.catalog.length * span) / (4 * 365 * DAY));
    for (let index = 0; index < rollBacks; index++) {
      this.at(start + this.random.integer(DAY, span - QUIET_DAYS * DAY), { kind: 'rollBack', certificate: this.random.integer(0, this.catalog.length - 1) });
    }
    // The CA asks for early renewal of some certificates (a mass revocation) every four months.
    for (let time = start + 120 * DAY; time < this.end - QUIET_DAYS * DAY; time += 120 * DAY) this.at(time, { kind: 'ariIncident' });
  }

  private async handle(event: Event): Promise<void> {
    switch (event.kind) {
      case 'sweep': {
        const swept = await sweep({
          ...this.deps,
          catalog: { entries: async () => this.catalog.map(configEntry) },
          starter: {
            start: async (input) => {
              this.at(this.clock.time + this.random.integer(0, 5 * MINUTE), { kind: 'check' });
              this.pendingStarts.push(input);
              return { executionId: `pending-${this.pendingStarts.length}` };
            },
          },
        });
        for (const certificate of swept) {
          // A repair that does not stick comes back every day: each one an execution, for nothing.
          const repairing = certificate.executionId !== undefined && certificate.decision?.repair === true;
          const streak = repairing ? (this.repairStreaks.get(certificate.name) ?? 0) + 1 : 0;
          this.repairStreaks.set(certificate.name, streak);
          if (streak >= 4)
            this.violate('noRepairLoop', certificate.name, `repaired by the daily sweep ${streak} days in a row: ${certificate.decision?.message ?? ''}`);
          else if (streak === 0) this.broken.delete(`noRepairLoop ${certificate.name}`);
          if (certificate.executionId) this.trail(certificate.name, `sweep starts a run: ${certificate.decision?.reason}`);
          if (this.options.trace === certificate.name)
            process.stderr.write(
              `${this.clock.now().toISOString()} sweep: ${certificate.error ?? `${certificate.decision?.reason} ${certificate.decision?.message}`}\n`,
            );
        }
        const starts = this.pendingStarts.splice(0);
        for (const input of starts) await this.execute(input, 'daily sweep', this.clock.time);
        return;
      }
      case 'endedRun': {
        try {
          const result = await sweepEndedRun(
            {
              executionId: event.executionId,
              status: event.status,
              input: event.input,
              ...(event.error && { error: event.error }),
              ...(event.cause && { cause: event.cause }),
            },
            this.deps,
          );
          const name = (event.input as ExecutionInput).certificate.name;
          this.trail(name, `ended-run sweeper: ${result.swept ? `swept (${result.removed} TXT removed)` : result.why}`);
        } catch (error) {
          // EventBridge retries a failed target for a day.
          if (event.attempt < 20) this.at(this.clock.time + 5 * MINUTE, { ...event, attempt: event.attempt + 1 });
          void error;
        }
        return;
      }
      case 'operator': {
        const index = event.certificate;
        const current = this.catalog[index] as ExecutionInput;
        if (this.random.chance(0.5)) {
          this.catalog[index] = this.changedSpec(current);
          // A region added to the spec is owed a copy from now on, not from when the certificate was stored.
          this.specChangedAt.set(current.certificate.name, this.clock.time);
          this.faults.count('specChanged');
          this.trail(current.certificate.name, 'operator changes the spec (a deploy starts a run)');
          await this.execute(this.catalog[index] as ExecutionInput, 'deploy start', this.clock.time);
        } else {
          this.faults.count('forcedRun');
          this.trail(current.certificate.name, 'operator forces a run');
          await this.execute({ ...current, force: true }, 'operator', this.clock.time);
        }
        return;
      }
      case 'outage': {
        const hours = this.random.chance(0.7) ? this.random.integer(1, 12) : this.random.integer(24, 72);
        const until = this.clock.time + hours * HOUR;
        this.faults.outage(event.port, until);
        if (event.port === 'ca') this.noteCaDown(this.clock.time, until);
        this.pathDown.push([this.clock.time, until]);
        return;
      }
      case 'ariIncident': {
        const serials = [...this.store.secrets.values()].flatMap((secret) => (secret.current && this.random.chance(0.1) ? [secret.current.serialNumber] : []));
        if (serials.length > 0) this.ca.moveWindowsEarlier(serials, 48);
        this.faults.count('ariIncident');
        return;
      }
      case 'rollBack': {
        // Only to a certificate that is not due yet (one replaced early, by a forced run or a spec
        // change), as an operator undoing a change would: one already due is renewed at once, which
        // is another story (a renewal, which a CA outage may hold up).
        const livable = (input: ExecutionInput) => {
          const previous = this.store.secrets.get(input.certificate.name)?.previous;
          if (!previous || Date.parse(previous.renewalTime) - this.clock.time < DAY) return false;
          // Undoing a forced renewal, not a spec change: a certificate for another spec is due at once.
          const { dnsNames, issuer, keyAlgorithm, profile } = input.certificate;
          const names = (list: readonly string[]) => [...list].sort().join(',');
          const sameSpec = previous.issuer === issuer && previous.keyAlgorithm === keyAlgorithm && (previous.profile ?? '') === (profile ?? '');
          return sameSpec && names(previous.dnsNames) === names(dnsNames);
        };
        const candidates = this.catalog.filter(livable);
        if (candidates.length === 0) return;
        const name = (candidates[event.certificate % candidates.length] as ExecutionInput).certificate.name;
        const previous = this.store.secrets.get(name)?.previous;
        if (!previous || !this.store.rollBack(name)) return;
        this.faults.count('secretRolledBack');
        this.trail(name, `an operator rolled the secret back to serial ${previous.serialNumber}`);
        return;
      }
      case 'blindResolvers': {
        // Aimed at a certificate that renews within the day, so the CA really tries to validate it.
        const soon = this.catalog.filter((candidate) => {
          const renewalTime = this.store.secrets.get(candidate.certificate.name)?.current?.renewalTime;
          return renewalTime !== undefined && Date.parse(renewalTime) - this.clock.time < DAY;
        });
        const input = soon.length > 0 ? this.random.pick(soon) : (this.catalog[event.certificate] as ExecutionInput);
        const renewsAt = Date.parse(this.store.secrets.get(input.certificate.name)?.current?.renewalTime ?? '') || this.clock.time;
        const until = Math.max(this.clock.time, renewsAt) + this.random.integer(1, 12) * HOUR;
        for (const name of input.certificate.dnsNames) this.dns.blindCaResolvers(`_acme-challenge.${name.replace(/^\*\./, '')}`, until);
        this.faults.count('caResolversBlind');
        this.trail(input.certificate.name, `the CA's resolvers cannot see its records until ${new Date(until).toISOString()}`);
        return;
      }
      case 'check':
        this.checkAll(false);
        return;
      case 'lateStart':
        await this.execute(event.input, event.what, this.clock.time);
        return;
    }
  }

  private readonly pendingStarts: ExecutionInput[] = [];
  private readonly repairStreaks = new Map<string, number>();
  private readonly specChangedAt = new Map<string, number>();
  /** Outages of the CA or of DNS: while either is down, no certificate can be issued. */
  private readonly pathDown: [number, number][] = [];

  /** How long, between `from` and `to`, both the CA and DNS were up. */
  private pathUp(from: number, to: number): number {
    const spans = this.pathDown
      .map(([start, end]) => [Math.max(start, from), Math.min(end, to)] as const)
      .filter(([start, end]) => end > start)
      .sort((a, b) => a[0] - b[0]);
    let down = 0;
    let reached = from;
    for (const [start, end] of spans) {
      if (end <= reached) continue;
      down += end - Math.max(start, reached);
      reached = end;
    }
    return Math.max(0, to - from - down);
  }

  private noteCaDown(from: number, until: number): void {
    for (let time = from; time < until; ) {
      const day = Math.floor(time / DAY);
      const dayEnd = (day + 1) * DAY;
      const slice = Math.min(until, dayEnd) - time;
      this.caDownMs.set(day, (this.caDownMs.get(day) ?? 0) + slice);
      time = dayEnd;
    }
  }

  /**
   * Whether certstep had a fair chance: the issuance path (CA and DNS) was up for at least six
   * hours between the renewal time and the expiry. A 160-hour certificate has about two days
   * between them; an outage of three days that covers them all cannot be outlived.
   */
  private hadTimeToRenew(stored: { renewalTime: string; notAfter: string }): boolean {
    return this.pathUp(Date.parse(stored.renewalTime), Date.parse(stored.notAfter)) >= 6 * HOUR;
  }

  /** Days of the last 30 on which the CA answered for at least an hour. */
  private caReachableDays(): number {
    const today = Math.floor(this.clock.time / DAY);
    let reachable = 0;
    for (let day = today - 29; day <= today; day++) if ((this.caDownMs.get(day) ?? 0) <= DAY - HOUR) reachable++;
    return reachable;
  }

  /** One execution of the real state machine, run to its end on the simulated clock. */
  private async execute(input: ExecutionInput, reason: string, at: number): Promise<void> {
    this.clock.advanceTo(at);
    const executionId = `arn:aws:states:sim:000000000000:execution:certstep-renewal:${++this.executionCount}`;
    const name = input.certificate.name;
    const started = this.clock.time;
    let stopped: 'ABORTED' | 'TIMED_OUT' | undefined;
    let previous = '';
    let retries = 0;
    let execution: ReturnType<StateMachine['run']> | undefined;
    const stop = (status: 'ABORTED' | 'TIMED_OUT') => {
      stopped = status;
      this.faults.count(status === 'ABORTED' ? 'executionAborted' : 'executionTimedOut');
      execution?.abort();
    };
    const local: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [stateName, functionName] of this.tasks) {
      const handler = this.handlers[functionName as FunctionName];
      local[stateName] = async (taskInput: unknown) => {
        if (this.options.trace === name)
          process.stderr.write(`${this.clock.now().toISOString()} #${this.executionCount} ${stateName}${stopped ? ' (stopped)' : ''}\n`);
        if (stopped) throw new Error('the execution was stopped');
        // Waits and retries move the clock; the Task itself takes a moment.
        const wait = this.waitBefore.get(stateName);
        if (wait && previous !== stateName) this.clock.advance(wait(openTaskInput(taskInput).payload as Record<string, unknown>) * SECOND);
        retries = previous === stateName ? retries + 1 : 0;
        if (retries > 0) this.clock.advance(Math.min(2 * 2 ** (retries - 1), 30) * this.random.next() * SECOND);
        previous = stateName;
        this.clock.advance(this.random.integer(100, 1500));
        if (this.clock.time - started > 3600 * SECOND) {
          stop('TIMED_OUT');
          throw new Error('States.Timeout');
        }
        if (this.faults.enabled && this.random.chance(0.002)) {
          const after = this.random.chance(0.5);
          if (after) await handler(taskInput).catch(() => undefined);
          stop(this.random.chance(0.5) ? 'ABORTED' : 'TIMED_OUT');
          throw new Error('the execution was stopped');
        }
        return handler(taskInput);
      };
    }
    const waits = Object.fromEntries(
      Object.entries(this.definition.States)
        .filter(([, state]) => state.Type === 'Wait')
        .map(([stateName]) => [stateName, 0]),
    );
    const noRetryWait = Object.fromEntries([...this.tasks.keys()].map((stateName) => [stateName, 0]));
    this.faults.stopExecution = () => stop(this.random.chance(0.5) ? 'ABORTED' : 'TIMED_OUT');
    execution = this.machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: local as never, waitTimeOverrides: waits, retryIntervalOverrides: noRetryWait },
      context: { Execution: { Id: executionId, Name: String(this.executionCount), StartTime: this.clock.now().toISOString() } },
      noThrowOnAbort: true,
    });
    let output: (WorkflowState & Record<string, unknown>) | null | undefined;
    let failure: { error: string; cause: string } | undefined;
    try {
      output = (await execution.result) as typeof output;
      this.faults.stopExecution = undefined;
    } catch (error) {
      this.faults.stopExecution = undefined;
      const cause = (error as { cause?: { name?: string; message?: string } }).cause;
      failure = { error: cause?.name ?? 'States.Runtime', cause: cause?.message ?? String(error) };
    }
    const status = stopped ?? (failure ? 'FAILED' : 'SUCCEEDED');
    const outcome =
      status === 'SUCCEEDED'
        ? output?.issued
          ? 'Issued'
          : output?.renewal?.repair
            ? 'OutputsRepaired'
            : (output?.renewal?.reason ?? 'UpToDate')
        : `${status} ${failure?.error ?? ''}`;
    this.trail(name, `${reason}: execution ${this.executionCount} ${outcome}${failure ? `: ${failure.cause.slice(0, 200)}` : ''}`);
    if (this.options.trace === name) {
      process.stderr.write(
        `${this.clock.now().toISOString()} #${this.executionCount} ${status} ${outcome}\n  ledger ${JSON.stringify(this.ledger.entries.get(name))}\n  schedule ${JSON.stringify(this.scheduler.schedules.get(name)?.at)}\n`,
      );
    }
    const kind = status === 'SUCCEEDED' ? outcome : status === 'FAILED' ? `FAILED ${failure?.error ?? ''}` : status;
    this.outcomes[kind] = (this.outcomes[kind] ?? 0) + 1;
    if (status !== 'SUCCEEDED') {
      // The stack's rule hands every FAILED, TIMED_OUT and ABORTED execution to the sweeper.
      this.at(this.clock.time + 5 * SECOND, {
        kind: 'endedRun',
        executionId,
        status,
        input,
        ...(failure && { error: failure.error, cause: failure.cause }),
        attempt: 0,
      });
    }
    this.noteCurrent(name);
  }

  private noteCurrent(name: string): void {
    const serial = this.store.secrets.get(name)?.current?.serialNumber;
    if (serial && this.currentSince.get(name)?.serial !== serial) this.currentSince.set(name, { serial, since: this.clock.time });
  }

  /** Counted once per episode: a condition that stays broken is one violation until it recovers. */
  private violate(invariant: InvariantName, certificate: string, detail: string): void {
    const key = `${invariant} ${certificate}`;
    this.brokenNow.add(key);
    if (this.broken.has(key)) return;
    this.broken.add(key);
    this.violationCounts[invariant]++;
    if (this.violations.length < (this.options.keepTrails ?? 5)) {
      this.violations.push({ invariant, at: this.clock.now().toISOString(), certificate, detail, trail: [...(this.trails.get(certificate) ?? [])] });
    }
  }

  private checkAll(final: boolean): void {
    this.brokenNow.clear();
    this.checkEach(final);
    // What was broken and is no longer has recovered: the next breakage is a new violation.
    for (const key of this.broken) if (!this.brokenNow.has(key) && !/^(noRateLimitReached|noFailedValidation|noRepairLoop)/.test(key)) this.broken.delete(key);
  }

  private readonly broken = new Set<string>();
  private readonly brokenNow = new Set<string>();

  private checkEach(final: boolean): void {
    const now = this.clock.time;
    const caCountsAsUp = this.caReachableDays() >= 7;
    for (const input of this.catalog) {
      const name = input.certificate.name;
      const stored = this.store.secrets.get(name)?.current;
      this.noteCurrent(name);
      if (!stored) continue;
      if (Date.parse(stored.notAfter) <= now && caCountsAsUp && this.hadTimeToRenew(stored)) {
        const up = this.pathUp(Date.parse(stored.renewalTime), Date.parse(stored.notAfter)) / HOUR;
        this.violate(
          'noCertificateExpires',
          name,
          `expired at ${stored.notAfter}; renewal time ${stored.renewalTime}, with the CA and DNS up for ${up.toFixed(1)} h in between`,
        );
      }
      const lagSince = Math.max(this.currentSince.get(name)?.since ?? now, this.specChangedAt.get(name) ?? 0);
      for (const region of input.certificate.acm?.regions ?? []) {
        const copy = this.acm.regions.get(region)?.get(name);
        // An expired copy of an expired certificate is the same failure, excused or not, as the certificate's.
        const excused = !caCountsAsUp || (Date.parse(stored.notAfter) <= now && !this.hadTimeToRenew(stored));
        if (copy && Date.parse(copy.notAfter) <= now && !excused)
          this.violate('acmCopiesCurrent', name, `the ACM copy in ${region} expired at ${copy.notAfter}`);
        if (copy?.serialNumber !== stored.serialNumber.replace(/^0+/, '') && now - lagSince > GRACE) {
          this.violate(
            'acmCopiesCurrent',
            name,
            `ACM ${region} holds ${copy?.serialNumber ?? 'nothing'} more than 26 h after ${stored.serialNumber} was stored`,
          );
        }
      }
      this.checkSchedule(input, now, final);
    }
    for (; this.limitHitsSeen < this.ca.limitHits.length; this.limitHitsSeen++) {
      const hit = this.ca.limitHits[this.limitHitsSeen];
      if (!hit || hit.exempted) continue;
      const name = hit.names[0]?.replace(/^\*\./, '').split('.')[0] ?? 'unknown';
      this.violate(
        hit.limit === 'failedValidations' ? 'noFailedValidationLimitReached' : 'noRateLimitReached',
        `${name}#${this.limitHitsSeen}`,
        `${hit.limit} limit reached for [${hit.names.join(', ')}]`,
      );
    }
    if (final) this.checkLeftovers();
  }

  /** Outside hold-offs and runs, one schedule at the renewal time; a missing one gets the sweep's grace. */
  private checkSchedule(input: ExecutionInput, now: number, final: boolean): void {
    const name = input.certificate.name;
    const stored = this.store.secrets.get(name)?.current;
    const entry = this.ledger.entries.get(name);
    if (!stored) return;
    const holdOff = holdOffOf(entry);
    const active = entry?.activeRun && Date.parse(entry.activeRun.leaseUntil) > now;
    const known = entry?.renewalInfo;
    const ariMoment = known && known.certificateId === stored.ariCertId ? momentInWindow(known.window, stored.serialNumber) : undefined;
    const decision = reconcile({
      spec: input.certificate,
      force: false,
      current: stored,
      now: new Date(now),
      ...(ariMoment && { ariMoment }),
      ...(holdOff && { holdOff }),
      outputs: { acmSerials: {}, leftovers: [] },
    });
    const schedule = this.scheduler.schedules.get(name);
    let problem: string | undefined;
    if (!active && !(holdOff && holdOff.until.getTime() > now) && !decision.due && decision.renewalTime) {
      if (!schedule) problem = `no schedule, the renewal is at ${decision.renewalTime}`;
      else if (
        Math.abs(Date.parse(schedule.at) - Date.parse(stored.renewalTime)) >= SECOND &&
        Math.abs(Date.parse(schedule.at) - Date.parse(decision.renewalTime)) >= SECOND
      ) {
        problem = `the schedule is at ${schedule.at}, the renewal at ${stored.renewalTime}`;
      }
    }
    if (!problem) {
      this.lagging.delete(name);
      return;
    }
    const since = this.lagging.get(name) ?? now;
    this.lagging.set(name, since);
    if (now - since > GRACE || (final && now - since > GRACE)) {
      this.violate('oneRenewalSchedule', name, problem);
      this.lagging.set(name, now);
    }
  }

  private checkLeftovers(): void {
    for (const published of this.dns.published()) {
      const name = published.recordName.replace(/^_acme-challenge\.(\*\.)?(www\.|api\.|v\d\.)?/, '').split('.')[0] ?? 'unknown';
      this.violate('noTxtLeftBehind', name, `TXT ${published.value} still at ${published.recordName} after ${QUIET_DAYS} quiet days`);
    }
    for (const [name, secret] of this.store.secrets) {
      const inFlight = this.ledger.entries.get(name)?.order?.pendingKeyVersion;
      for (const version of secret.pending)
        if (version !== inFlight) this.violate('noOrphanedPendingKey', name, `pending key ${version} belongs to no order in flight`);
    }
  }

  report(elapsedSeconds: number): SimulationReport {
    return {
      seed: this.options.seed,
      certificates: this.options.certificates,
      days: this.options.days,
      issuances: this.ca.stats.issued,
      orders: this.ca.stats.newOrders,
      executions: this.executionCount,
      outcomes: Object.fromEntries(Object.entries(this.outcomes).sort(([, a], [, b]) => b - a)),
      faults: Object.fromEntries(Object.entries(this.faults.counts).sort(([a], [b]) => (a < b ? -1 : 1))),
      invariants: this.violationCounts,
      violations: this.violations,
      certificateDaysPerSecond: Math.round((this.options.certificates * this.options.days) / Math.max(elapsedSeconds, 0.001)),
      elapsedSeconds: Math.round(elapsedSeconds * 10) / 10,
    };
  }
}

/**
 * For each Task whose only way in is a Wait state: how long that Wait lasted, read from the
 * Task's input (its SecondsPath, or the Parameters field that carries the same object).
 */
function waitsBeforeTasks(definition: AslDefinition): Map<string, (input: Record<string, unknown>) => number> {
  const waits = new Map<string, (input: Record<string, unknown>) => number>();
  for (const [, wait] of Object.entries(definition.States)) {
    if (wait.Type !== 'Wait' || typeof wait.SecondsPath !== 'string' || !wait.Next) continue;
    const path = (wait.SecondsPath as string).replace(/^\$\./, '').split('.');
    const parent = `$.${path.slice(0, -1).join('.')}`;
    const task = definition.States[wait.Next];
    const parameters = (task?.Parameters ?? {}) as Record<string, unknown>;
    const carried = Object.entries(parameters)
      .find(([, value]) => value === parent)?.[0]
      ?.replace(/\.\$$/, '');
    const leaf = path.at(-1) as string;
    waits.set(wait.Next, (input) => {
      const holder = (
        carried ? input[carried] : path.slice(0, -1).reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], input)
      ) as Record<string, unknown> | undefined;
      const seconds = holder?.[leaf];
      return typeof seconds === 'number' ? seconds : 0;
    });
  }
  return waits;
}
