/**
 * The gather step of a reconcile, shared by CheckRenewal, the daily sweep and `certstep status`:
 * what is stored (as the run ledger records it, without reading the key: known-current.ts),
 * what the run ledger remembers, the CA's ARI window (asked no more often than
 * its Retry-After allows), and, when no new certificate is due, what the outputs hold. The
 * decision itself is pure (core/reconcile.ts).
 */
import { momentInWindow } from '../core/ari.js';
import type { CertificateSpec } from '../core/certificate-spec.js';
import { type HoldOff, type ObservedOutputs, reconcile } from '../core/reconcile.js';
import type { RenewalDecision } from '../core/renewal-policy.js';
import { normalizeSerial } from '../core/verify-certificate.js';
import type { AcmeGateway } from '../ports/acme-gateway.js';
import type { CertificateSummary } from '../ports/certificate-store.js';
import { type KnownRenewalInfo, type LedgerEntry, liveRun } from '../ports/run-ledger.js';
import type { PhaseDependencies } from './dependencies.js';
import { knownCurrent, metadataStale } from './known-current.js';

/**
 * ARI is all a reconcile asks the CA, so it takes what answers renewalInfo rather than a whole
 * gateway: CheckRenewal and the sweep ask it without acme-client (runtime/ari.ts).
 */
export type RenewalInfoSources = (issuer: string) => Promise<Pick<AcmeGateway, 'renewalInfo'>>;

export type ObserveDependencies = Pick<PhaseDependencies, 'clock' | 'store' | 'ledger' | 'scheduler' | 'acmImporter'> & {
  readonly acme: RenewalInfoSources;
};

export interface Observation {
  readonly decision: RenewalDecision;
  readonly current?: CertificateSummary;
  readonly entry?: LedgerEntry;
  /** A fresh ARI answer to remember, when the CA was asked. */
  readonly renewalInfo?: KnownRenewalInfo;
}

const MINUTE = 60_000;
/** RFC 9773 §4.3 leaves the pace to the CA's Retry-After; within these bounds, with 6 h when it says nothing. */
const ARI_DEFAULT_MS = 6 * 60 * MINUTE;
const ARI_MIN_MS = MINUTE;
const ARI_MAX_MS = 7 * 24 * 60 * MINUTE;

export async function observe(spec: CertificateSpec, force: boolean, deps: ObserveDependencies): Promise<Observation> {
  const now = deps.clock();
  const known = await knownCurrent(spec.name, deps);
  const entry = known.entry;
  if (known.stale) return { decision: metadataStale(spec.name, known.versionId, entry), ...(entry && { entry }) };
  const current = known.current;
  const ari = current?.ariCertId ? await renewalWindow(deps, spec.issuer, current.ariCertId, entry, now) : undefined;
  const ariMoment = ari && current ? momentInWindow(ari.info.window, current.serialNumber) : undefined;
  const context = { spec, force, current, now, ...(ariMoment && { ariMoment }), ...(holdOffOf(entry) && { holdOff: holdOffOf(entry) as HoldOff }) };
  // Outputs matter only when nothing new is due: an issue replaces every one of them anyway.
  const preliminary = reconcile({ ...context, outputs: IN_SYNC });
  const decision =
    preliminary.due || preliminary.reason === 'BackingOff' ? preliminary : reconcile({ ...context, outputs: await observeOutputs(spec, entry, deps, now) });
  return { decision, ...(current && { current }), ...(entry && { entry }), ...(ari?.fresh && { renewalInfo: ari.info }) };
}

const IN_SYNC: ObservedOutputs = { acmSerials: {}, leftovers: [] };

export function holdOffOf(entry: LedgerEntry | undefined): HoldOff | undefined {
  if (!entry?.nextAttemptAfter || entry.consecutiveFailures <= 0) return undefined;
  return { until: new Date(entry.nextAttemptAfter), failures: entry.consecutiveFailures, ...(entry.lastError && { lastError: entry.lastError.error }) };
}

async function observeOutputs(spec: CertificateSpec, entry: LedgerEntry | undefined, deps: ObserveDependencies, now: Date): Promise<ObservedOutputs> {
  const regions = spec.acm?.regions ?? [];
  const [copies, schedule, pendingKeys] = await Promise.all([
    Promise.all(regions.map((region) => deps.acmImporter(region).describe(spec.name, spec.dnsNames, entry?.acmArns?.[region]))),
    deps.scheduler.get(spec.name),
    mayHaveLeftPendingKeys(entry) ? deps.store.listPendingKeys(spec.name) : Promise.resolve([]),
  ]);
  return observedOutputs(
    spec,
    entry,
    { serials: Object.fromEntries(regions.map((region, index) => [region, copies[index]?.serialNumber])), schedule, pendingKeys },
    now,
  );
}

/** What a source found of a certificate's outputs, before it is shaped for reconcile. */
export interface FoundOutputs {
  /** The serial each ACM region holds, as the source spells it; undefined when nothing was imported there. */
  readonly serials: Readonly<Record<string, string | undefined>>;
  readonly schedule?: { readonly at?: string; readonly input?: unknown };
  readonly pendingKeys: readonly string[];
}

/**
 * The outputs as reconcile reads them. CheckRenewal, the sweep and `certstep status` (local and
 * AWS) all shape what they found here, so they cannot disagree on what counts as in sync.
 */
export function observedOutputs(spec: CertificateSpec, entry: LedgerEntry | undefined, found: FoundOutputs, now: Date): ObservedOutputs {
  const acmSerials = Object.fromEntries(Object.entries(found.serials).map(([region, serial]) => [region, serial ? normalizeSerial(serial) : undefined]));
  const { schedule } = found;
  return {
    acmSerials,
    ...(schedule?.at && { schedule: { at: schedule.at, sameSpec: sameSpec((schedule.input as { certificate?: unknown } | undefined)?.certificate, spec) } }),
    leftovers: leftoversOf(entry, found.pendingKeys, now),
  };
}

/**
 * A run that ended Issued or Repaired dropped every pending key before it said so (CleanUp
 * fails the run otherwise): only after another ending, or with an order in flight, can one be
 * left. Not listing them otherwise saves a Secrets Manager call per certificate per sweep.
 */
function mayHaveLeftPendingKeys(entry: LedgerEntry | undefined): boolean {
  return entry?.order !== undefined || (entry?.lastResult !== 'Issued' && entry?.lastResult !== 'Repaired');
}

/** What finished runs left behind; nothing while a live run holds the certificate (it is its own). */
export function leftoversOf(entry: LedgerEntry | undefined, pendingKeys: readonly string[], now: Date): string[] {
  if (liveRun(entry, now)) return [];
  const leftovers: string[] = [];
  if (entry?.staleRecords?.length) leftovers.push(`${entry.staleRecords.length} TXT value(s) not removed yet`);
  if (entry?.order) leftovers.push(`the order ${entry.order.url} with ${entry.order.records.length} TXT value(s)`);
  const orphans = pendingKeys.filter((version) => version !== entry?.order?.pendingKeyVersion);
  if (orphans.length > 0) leftovers.push(`${orphans.length} pending key(s) no order will use`);
  return leftovers;
}

/**
 * RFC 9773: the CA's window, asked again once its Retry-After has passed or for a new
 * certificate. Advisory: a CA that cannot answer leaves the renewal time certstep computed.
 */
async function renewalWindow(
  deps: Pick<ObserveDependencies, 'acme'>,
  issuer: string,
  certificateId: string,
  entry: LedgerEntry | undefined,
  now: Date,
): Promise<{ info: KnownRenewalInfo; fresh: boolean } | undefined> {
  const known = entry?.renewalInfo;
  if (known?.certificateId === certificateId && new Date(known.nextCheckAt) > now) return { info: known, fresh: false };
  try {
    const answer = await (await deps.acme(issuer)).renewalInfo(certificateId);
    if (!answer) return undefined;
    const wait = Math.min(ARI_MAX_MS, Math.max(ARI_MIN_MS, answer.retryAfterSeconds !== undefined ? answer.retryAfterSeconds * 1000 : ARI_DEFAULT_MS));
    const info: KnownRenewalInfo = {
      certificateId,
      window: answer.window,
      nextCheckAt: new Date(now.getTime() + wait).toISOString(),
      ...(answer.explanationUrl && { explanationUrl: answer.explanationUrl }),
    };
    return { info, fresh: true };
  } catch {
    return known?.certificateId === certificateId ? { info: known, fresh: false } : undefined;
  }
}

/** Two specs are the same when their JSON is, whatever the order of keys. */
export function sameSpec(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}
