/**
 * What `certstep status`, `describe` and `renew` show, the same for the local store and AWS.
 * Everything read from a stored certificate goes through an allowlist (`allowlistedSummary`), so key
 * and certificate material cannot reach the output even if a new field is added later.
 */
import { type CertificateSpec, parseExecutionInput } from '../../functions/core/certificate-spec.js';
import { type ObservedOutputs, reconcile } from '../../functions/core/reconcile.js';
import { type RenewalReason, decideRenewal } from '../../functions/core/renewal-policy.js';
import { normalizeSerial } from '../../functions/core/verify-certificate.js';
import type { LedgerEntry } from '../../functions/ports/run-ledger.js';
import type { RunEnd } from '../run-end.js';

export interface StoredSummary {
  readonly dnsNames: readonly string[];
  readonly issuer: string;
  readonly keyAlgorithm: string;
  readonly serialNumber: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly renewalTime?: string;
  readonly revision: number;
  readonly ariCertId?: string;
  readonly profile?: string;
}

/**
 * Something is stored but what it is is not known without reading the key (AWS: the run ledger
 * does not describe the secret's current version, or was not read).
 */
export interface StoredUnknown {
  readonly reason: 'MetadataStale' | 'Unknown';
  readonly message: string;
}

export type SpecSource = 'schedule' | 'catalog' | 'stored certificate' | 'last execution';

export interface CertificateStatus {
  readonly name: string;
  readonly dnsNames: readonly string[];
  readonly notAfter?: string;
  readonly renewalTime?: string;
  /** What a scheduled (unforced) run would do now: UpToDate, RenewalTimeReached, BackingOff, ... */
  readonly reason: RenewalReason | 'Unknown';
  readonly message: string;
  readonly lastResult?: string;
  readonly lastRunAt?: string;
  readonly consecutiveFailures: number;
  /** Only while it lies in the future. */
  readonly holdOffUntil?: string;
  readonly activeRun?: { readonly runId: string; readonly since: string; readonly leaseUntil: string; readonly expired: boolean };
  readonly nextRunAt?: string;
  readonly specSource?: SpecSource;
}

export interface StoredVersion {
  readonly id: string;
  readonly stages: readonly string[];
  readonly created?: string;
  readonly serialNumber?: string;
  readonly revision?: number;
}

export interface ExecutionSummary {
  readonly id: string;
  readonly status: string;
  /** The end state: Issued, UpToDate, HeldBack, OutputsRepaired, AlreadyInProgress, Failed, ... */
  readonly outcome?: string;
  readonly startedAt?: string;
  readonly stoppedAt?: string;
  readonly error?: string;
  readonly cause?: string;
  readonly failedState?: string;
}

export interface PresentedRecord {
  readonly recordName: string;
  readonly value: string;
  readonly forName: string;
  /** "yes", "no" or "unknown (why)". */
  readonly present: string;
}

export interface LastRun {
  readonly executionId: string;
  readonly order?: { readonly url: string; readonly status: string };
  readonly authorizations: readonly { readonly name: string; readonly status: string }[];
  readonly records: readonly PresentedRecord[];
}

/** The newest failed run, kept in view when later runs (held back, up to date) hide it. */
export interface FailedRun extends LastRun {
  readonly startedAt?: string;
  readonly error?: string;
  readonly cause?: string;
  readonly failedState?: string;
}

/** An ACM copy in one region the spec names; `current` when it holds the stored serial. */
export interface AcmCopy {
  readonly region: string;
  readonly arn?: string;
  readonly serialNumber?: string;
  readonly current: boolean;
}

export interface CertificateDetails {
  readonly name: string;
  readonly status: CertificateStatus;
  readonly spec?: CertificateSpec;
  readonly specSource?: SpecSource;
  readonly stored?: StoredSummary;
  /** Why `stored` is absent although something is stored. */
  readonly storedUnknown?: string;
  readonly versions: readonly StoredVersion[];
  readonly ledger?: LedgerEntry;
  readonly schedule?: { readonly at: string };
  readonly executions: readonly ExecutionSummary[];
  readonly lastRun?: LastRun;
  readonly lastFailure?: FailedRun;
  readonly acm?: readonly AcmCopy[];
  readonly notes: readonly string[];
}

/** What every source gathers about one certificate before describing it. */
export interface Gathered {
  readonly status: CertificateStatus;
  readonly spec?: CertificateSpec;
  readonly specSource?: SpecSource;
  readonly stored?: StoredSummary;
  readonly storedUnknown?: StoredUnknown;
  readonly ledger?: LedgerEntry;
  readonly schedule?: { readonly at?: string };
}

/** The part of `describe` that local and AWS sources build the same way. */
export function describedBasics(name: string, gathered: Gathered, versions: readonly StoredVersion[]) {
  return {
    name,
    status: gathered.status,
    ...(gathered.spec && { spec: gathered.spec, specSource: gathered.specSource }),
    ...(gathered.stored && { stored: gathered.stored }),
    ...(gathered.storedUnknown && { storedUnknown: gathered.storedUnknown.message }),
    versions,
    ...(gathered.ledger && { ledger: gathered.ledger }),
    ...(gathered.schedule?.at && { schedule: { at: gathered.schedule.at } }),
  };
}

export interface ForcedRun {
  readonly exitCode: number;
  readonly executionArn?: string;
  readonly specSource?: SpecSource;
}

/** Where certificates live: the local store or an AWS deployment. */
export interface CertificateSource {
  list(): Promise<string[]>;
  status(name: string): Promise<CertificateStatus>;
  describe(name: string): Promise<CertificateDetails>;
  /** A forced run; with dryRun a dry run (execution input `dryRun: true`), which nothing live sees. */
  startForcedRun(name: string, options?: { dryRun?: boolean }): Promise<ForcedRun>;
  /** What `list` could not read, said under the status table (AWS: a catalog or ledger the operator may not scan). */
  listNotes?(): string[];
  /** How an execution the source started ended, once it has (AWS only: a local run ends before startForcedRun returns). */
  waitForEnd?(executionArn: string): Promise<RunEnd>;
}

export class UnknownCertificate extends Error {
  override readonly name = 'UnknownCertificate';
  constructor(
    readonly certificateName: string,
    readonly known: readonly string[],
  ) {
    super(`unknown certificate "${certificateName}"; ${known.length ? `known certificates: ${known.join(', ')}` : 'no certificates are known here'}`);
  }
}

/** Same rule as certificate.name: it also keeps a typed name from escaping the store directory. */
export const CERTIFICATE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function allowlistedSummary(value: unknown): StoredSummary | undefined {
  const v = value as Record<string, unknown> | null | undefined;
  if (typeof v?.serialNumber !== 'string' || typeof v.notAfter !== 'string') return undefined;
  const text = (key: string) => (typeof v[key] === 'string' ? (v[key] as string) : undefined);
  return {
    dnsNames: Array.isArray(v.dnsNames) ? v.dnsNames.filter((name): name is string => typeof name === 'string') : [],
    issuer: text('issuer') ?? '',
    keyAlgorithm: text('keyAlgorithm') ?? '',
    serialNumber: v.serialNumber,
    notBefore: text('notBefore') ?? '',
    notAfter: v.notAfter,
    ...(text('renewalTime') && { renewalTime: text('renewalTime') }),
    revision: typeof v.revision === 'number' ? v.revision : 0,
    ...(text('ariCertId') && { ariCertId: text('ariCertId') }),
    ...(text('profile') && { profile: text('profile') }),
  };
}

/** The spec inside an execution input, normalised as CheckRenewal would; undefined if invalid. */
export function specFromInput(input: unknown): CertificateSpec | undefined {
  const issuer = (input as { certificate?: { issuer?: unknown } } | null)?.certificate?.issuer;
  try {
    return parseExecutionInput(input, new Set(typeof issuer === 'string' ? [issuer] : [])).certificate;
  } catch {
    return undefined;
  }
}

/** Loses renewBefore, dns01 and acm: the stored certificate does not record them. */
export function specFromStored(name: string, stored: StoredSummary): CertificateSpec | undefined {
  return specFromInput({
    certificate: {
      name,
      dnsNames: stored.dnsNames,
      issuer: stored.issuer,
      keyAlgorithm: stored.keyAlgorithm,
      ...(stored.profile && { profile: stored.profile }),
    },
  });
}

export function chooseSpec(
  name: string,
  candidates: { schedule?: unknown; catalog?: unknown; stored?: StoredSummary; lastExecution?: unknown },
): { spec?: CertificateSpec; specSource?: SpecSource } {
  const scheduled = candidates.schedule === undefined ? undefined : specFromInput(candidates.schedule);
  if (scheduled?.name === name) return { spec: scheduled, specSource: 'schedule' };
  // The catalog's input is what the sweep and the deploy start runs with: whole, unlike a spec rebuilt from the stored certificate.
  const cataloged = candidates.catalog === undefined ? undefined : specFromInput(candidates.catalog);
  if (cataloged?.name === name) return { spec: cataloged, specSource: 'catalog' };
  const rebuilt = candidates.stored && specFromStored(name, candidates.stored);
  if (rebuilt) return { spec: rebuilt, specSource: 'stored certificate' };
  const executed = candidates.lastExecution === undefined ? undefined : specFromInput(candidates.lastExecution);
  if (executed?.name === name) return { spec: executed, specSource: 'last execution' };
  return {};
}

/**
 * CheckRenewal's verdict without its side effects and without asking the CA: the renewal time
 * stored at issuance stands in for the CA's ARI window when the certificate has one.
 */
/** statusOf over what a source (the local store or AWS) gathered, whichever parts of it exist. */
export function gatheredStatus(
  name: string,
  chosen: { spec?: CertificateSpec; specSource?: SpecSource },
  found: {
    stored?: StoredSummary | undefined;
    storedUnknown?: StoredUnknown | undefined;
    ledger?: LedgerEntry | undefined;
    schedule?: { at?: string } | undefined;
    outputs?: ObservedOutputs | undefined;
  },
  now: Date,
): CertificateStatus {
  const { stored, storedUnknown, ledger, schedule, outputs } = found;
  return statusOf({
    name,
    ...chosen,
    ...(stored && { stored }),
    ...(storedUnknown && { storedUnknown }),
    ...(ledger && { ledger }),
    ...(schedule?.at && { nextRunAt: schedule.at }),
    ...(outputs && { outputs }),
    now,
  });
}

export function statusOf(input: {
  name: string;
  spec?: CertificateSpec;
  specSource?: SpecSource;
  stored?: StoredSummary;
  /** Nothing can be decided without knowing what is stored: this is the verdict instead. */
  storedUnknown?: StoredUnknown;
  ledger?: LedgerEntry;
  nextRunAt?: string;
  /** What the outputs hold; without it only the trigger chain is consulted (nothing to repair is known). */
  outputs?: ObservedOutputs;
  now: Date;
}): CertificateStatus {
  const { name, spec, stored, ledger, now } = input;
  const ariMoment = stored?.ariCertId && stored.renewalTime ? new Date(stored.renewalTime) : undefined;
  const context = spec && { spec, force: false, current: stored, now, ...(ariMoment && { ariMoment }) };
  const decision = input.storedUnknown
    ? { due: false, ...input.storedUnknown }
    : context
      ? input.outputs
        ? reconcile({ ...context, outputs: input.outputs })
        : decideRenewal(context)
      : stored
        ? { due: false, reason: 'Unknown' as const, message: 'the stored certificate does not make a valid spec, and there is no schedule' }
        : { due: false, reason: 'DoesNotExist' as const, message: 'no certificate stored yet, and no schedule or execution says what to issue' };
  const holdOff = ledger?.nextAttemptAfter && new Date(ledger.nextAttemptAfter) > now ? ledger.nextAttemptAfter : undefined;
  const active = ledger?.activeRun && { ...ledger.activeRun, expired: new Date(ledger.activeRun.leaseUntil) <= now };
  let { reason, message } = decision as { reason: CertificateStatus['reason']; message: string };
  if (decision.due && holdOff) {
    reason = 'BackingOff';
    message = `due (${decision.reason}), but held back until ${holdOff} after ${ledger?.consecutiveFailures} consecutive failure(s)`;
  } else if (decision.due && active && !active.expired) {
    reason = 'InProgress';
    message = `due (${decision.reason}); execution ${active.runId} is working on it since ${active.since}`;
  }
  return {
    name,
    dnsNames: spec?.dnsNames ?? stored?.dnsNames ?? [],
    ...(stored && { notAfter: stored.notAfter }),
    ...('renewalTime' in decision && decision.renewalTime && { renewalTime: decision.renewalTime }),
    reason,
    message,
    ...(ledger?.lastResult && { lastResult: ledger.lastResult }),
    ...(ledger?.lastRunAt && { lastRunAt: ledger.lastRunAt }),
    consecutiveFailures: ledger?.consecutiveFailures ?? 0,
    ...(holdOff && { holdOffUntil: holdOff }),
    ...(active && { activeRun: active }),
    ...(input.nextRunAt && { nextRunAt: input.nextRunAt }),
    ...(input.specSource && { specSource: input.specSource }),
  };
}

/** The regions the spec names, plus any the ledger still remembers an ARN for. */
export function acmCopies(
  regions: readonly string[],
  found: Readonly<Record<string, { arn?: string; serialNumber?: string } | undefined>>,
  stored: StoredSummary | undefined,
): AcmCopy[] {
  const serial = stored && normalizeSerial(stored.serialNumber);
  return [...new Set(regions)].sort().map((region) => {
    const copy = found[region];
    return {
      region,
      ...(copy?.arn && { arn: copy.arn }),
      ...(copy?.serialNumber && { serialNumber: copy.serialNumber }),
      current: serial !== undefined && copy?.serialNumber !== undefined && normalizeSerial(copy.serialNumber) === serial,
    };
  });
}
