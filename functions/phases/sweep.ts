/**
 * The daily sweep: the safety net behind every schedule. Once a day it reconciles every
 * certificate of the catalog with the same gather step and pure policy CheckRenewal uses, and
 * starts an execution only for the certificates that have work: one due for renewal whose
 * schedule was lost, one whose outputs drifted (an ACM copy behind, a missing schedule), one
 * whose runs left something behind. The others cost a few reads, not an execution.
 * Starts are capped (start-budget.ts): past the cap a certificate is deferred to the next sweep.
 */
import { type CertificateSpec, parseExecutionInput } from '../core/certificate-spec.js';
import type { RenewalDecision } from '../core/renewal-policy.js';
import type { SecretPolicySettings } from '../core/secret-policy.js';
import type { CatalogEntry, CertificateCatalog, WritableCertificateCatalog } from '../ports/certificate-catalog.js';
import { liveRun } from '../ports/run-ledger.js';
import type { RunStarter } from '../ports/run-starter.js';
import type { PhaseDependencies } from './dependencies.js';
import { type ObserveDependencies, observe } from './observe.js';
import { DEFAULT_MAX_STARTS, StartBudget } from './start-budget.js';
import { type SecretPolicyWriter, policyHash } from './sync-catalog.js';

export type SweepDependencies = ObserveDependencies &
  Pick<PhaseDependencies, 'issuers'> & {
    readonly catalog: CertificateCatalog;
    readonly starter: RunStarter;
    /** The stack's expiry alarm threshold, for entries without their own; 14 days by default, as in certstep.config.json. */
    readonly alarmDays?: number;
    /** At most this many executions per sweep (300 by default). */
    readonly maxStarts?: number;
    /**
     * Puts each existing secret's resource policy back when the catalog has no record of it
     * being current, and records it. The deploy-time sync writes policies too, but an upgrade
     * deletes the policies CloudFormation made in its clean-up phase, after the sync; the next
     * sweep is the first reconcile that runs after it.
     */
    readonly policies?: {
      readonly secrets: SecretPolicyWriter;
      readonly settings: SecretPolicySettings;
      readonly catalog: WritableCertificateCatalog;
    };
  };

export const DEFAULT_ALARM_DAYS = 14;

export interface SweptCertificate {
  readonly name: string;
  readonly decision?: RenewalDecision;
  /** Set when an execution was started for it. */
  readonly executionId?: string;
  /** Set when it could not be checked (invalid input, a store that did not answer). */
  readonly error?: string;
  /** Set when it needed a run but the start cap was reached: the next sweep starts it. */
  readonly deferred?: true;
  /** Its expiry alarm threshold: its catalog entry's, else the stack's. */
  readonly expiryAlarmDays: number;
  /** `applied`: its secret's resource policy was put back; `failed: ...`: it could not be (the next sweep tries again). */
  readonly policy?: string;
}

/** Checked a few at a time: quick for thousands of certificates, gentle on the APIs' rate limits. */
const CONCURRENCY = 8;

export async function sweep(deps: SweepDependencies): Promise<SweptCertificate[]> {
  const entries = [...(await deps.catalog.entries())];
  const budget = new StartBudget(deps.maxStarts ?? DEFAULT_MAX_STARTS);
  const results: SweptCertificate[] = new Array(entries.length);
  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      const index = next++;
      const entry = entries[index] as CatalogEntry;
      const expiryAlarmDays = entry.expiryAlarmDays ?? deps.alarmDays ?? DEFAULT_ALARM_DAYS;
      const checked = await sweepOne(entry.input, deps, budget);
      const policy = checked.certificate && (await repairPolicy(entry, checked.certificate, deps));
      const { certificate: _, ...result } = checked;
      results[index] = { ...result, ...(policy && { policy }), expiryAlarmDays };
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, entries.length) }, worker));
  return results;
}

type Checked = Omit<SweptCertificate, 'expiryAlarmDays'> & { readonly certificate?: CertificateSpec };

/** A check that failed (a throttled read) is tried again at once: skipping it would cost a day. */
const ATTEMPTS = 3;

async function sweepOne(raw: unknown, deps: SweepDependencies, budget: StartBudget): Promise<Checked> {
  let certificate: CertificateSpec;
  try {
    certificate = parseExecutionInput(raw, deps.issuers.names).certificate;
  } catch (error) {
    const name = String((raw as { certificate?: { name?: unknown } } | null)?.certificate?.name ?? 'unknown').slice(0, 63);
    return { name, error: describe(error) };
  }
  let last: unknown;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      return { ...(await checkOne(certificate, deps, budget)), certificate };
    } catch (error) {
      last = error;
    }
  }
  return { name: certificate.name, error: describe(last), certificate };
}

/** Undefined when nothing was to be done: no policy settings, the recorded hash is current, or there is no secret yet. */
async function repairPolicy(entry: CatalogEntry, certificate: CertificateSpec, deps: SweepDependencies): Promise<string | undefined> {
  const policies = deps.policies;
  if (!policies) return undefined;
  const hash = policyHash(policies.settings, certificate);
  if (entry.policy === hash) return undefined;
  try {
    if ((await policies.secrets.ensurePolicy(certificate)) === 'missing') return undefined;
    await policies.catalog.put({ ...entry, policy: hash });
    return 'applied';
  } catch (error) {
    return `failed: ${describe(error)}`;
  }
}

async function checkOne(certificate: CertificateSpec, deps: SweepDependencies, budget: StartBudget): Promise<Checked> {
  const name = certificate.name;
  const { decision, entry, renewalInfo } = await observe(certificate, false, deps);
  if (renewalInfo) await deps.ledger.recordRenewalInfo(certificate.name, renewalInfo);
  const busy = liveRun(entry, deps.clock());
  // A stale record is read again by the execution's first steps; the sweep cannot read it.
  const work = decision.due || decision.repair || decision.reason === 'MetadataStale';
  if (!work || busy) return { name, decision };
  if (!budget.take()) return { name, decision, deferred: true };
  const { executionId } = await deps.starter.start({ certificate, force: false });
  return { name, decision, executionId };
}

function describe(error: unknown): string {
  const failure = error as { name?: string; message?: string };
  return `${failure.name ?? 'Error'}: ${failure.message ?? String(error)}`;
}
