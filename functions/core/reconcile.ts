/**
 * What a run should do, from what should be (the spec) and what is, in the manner of
 * cert-manager's chains over one gathered input: the trigger chain (renewal-policy.ts) says
 * whether to issue; a held-back certificate waits out its hold-off; a certificate that needs no
 * new issue may still have outputs out of sync, which are repaired without ordering: an ACM
 * region that does not hold the current serial, a missing or stale schedule, and what runs that
 * are over left behind. Whatever started the run (a schedule, the daily sweep, the console, the
 * CLI) gets the same answer.
 */
import type { CertificateSpec } from './certificate-spec.js';
import { type RenewalContext, type RenewalDecision, type RenewalReason, type Repairs, decideRenewal } from './renewal-policy.js';
import { normalizeSerial } from './verify-certificate.js';

/** What the outputs of the current certificate look like, gathered once per run. */
export interface ObservedOutputs {
  /** Per ACM region the spec names: the serial (normalised) it holds, or undefined when it holds none. */
  readonly acmSerials: Readonly<Record<string, string | undefined>>;
  /** The certificate's schedule, if there is one: when it fires and whether it carries this spec. */
  readonly schedule?: { readonly at: string; readonly sameSpec: boolean };
  /** Human descriptions of what finished runs left behind (TXT values, pending keys, an order). */
  readonly leftovers: readonly string[];
}

export interface HoldOff {
  readonly until: Date;
  readonly failures: number;
  readonly lastError?: string;
}

export interface ReconcileContext extends RenewalContext {
  /** The failure hold-off from the run ledger, if one is set. */
  readonly holdOff?: HoldOff;
  readonly outputs: ObservedOutputs;
}

export const NO_REPAIRS: Repairs = { acm: false, acmRegions: [], schedule: false, leftovers: false };

export function reconcile(context: ReconcileContext): RenewalDecision {
  const trigger = decideRenewal(context);
  const { holdOff, now, force } = context;
  if (trigger.due) {
    if (!force && holdOff && holdOff.until > now) {
      const message =
        `held back until ${holdOff.until.toISOString()} after ${holdOff.failures} consecutive failure(s); ` +
        `last: ${holdOff.lastError ?? 'unknown'}. Force a run to try now.`;
      return { ...trigger, due: false, reason: 'BackingOff', message, repair: false, repairs: NO_REPAIRS };
    }
    return { ...trigger, repair: false, repairs: NO_REPAIRS };
  }
  const findings = outputFindings(context.spec, context.current?.serialNumber, trigger.renewalTime, context.outputs);
  if (findings.length === 0) return { ...trigger, repair: false, repairs: NO_REPAIRS };
  const acmRegions = findings.flatMap((finding) => finding.acmRegions ?? []);
  const repairs: Repairs = {
    acm: acmRegions.length > 0,
    acmRegions,
    schedule: findings.some((finding) => finding.reason === 'ScheduleMissing' || finding.reason === 'ScheduleOutOfDate'),
    leftovers: findings.some((finding) => finding.reason === 'LeftoversFound'),
  };
  const first = findings[0] as Finding;
  return {
    ...trigger,
    due: false,
    reason: first.reason,
    message: `certificate is up to date; repairing without ordering: ${findings.map((finding) => finding.message).join('; ')}`,
    repair: true,
    repairs,
  };
}

interface Finding {
  readonly reason: Extract<RenewalReason, 'OutputsOutOfSync' | 'ScheduleMissing' | 'ScheduleOutOfDate' | 'LeftoversFound'>;
  readonly message: string;
  readonly acmRegions?: readonly string[];
}

function outputFindings(spec: CertificateSpec, serialNumber: string | undefined, renewalTime: string | undefined, outputs: ObservedOutputs): Finding[] {
  const findings: Finding[] = [];
  if (spec.acm && serialNumber) {
    // ACM reports serials without leading zeros ("08:5a:..." reads 85a...); compare them the same way.
    const wanted = normalizeSerial(serialNumber);
    const stale = spec.acm.regions.filter((region) => outputs.acmSerials[region] !== wanted);
    if (stale.length > 0) {
      const what = stale.map((region) => `${region} (${outputs.acmSerials[region] ? `serial ${outputs.acmSerials[region]}` : 'nothing imported'})`);
      findings.push({ reason: 'OutputsOutOfSync', message: `ACM does not hold serial ${serialNumber} in ${what.join(', ')}`, acmRegions: stale });
    }
  }
  if (renewalTime) {
    if (!outputs.schedule) {
      findings.push({ reason: 'ScheduleMissing', message: `no schedule starts the renewal at ${renewalTime}` });
    } else if (!sameSecond(outputs.schedule.at, renewalTime) || !outputs.schedule.sameSpec) {
      const why = outputs.schedule.sameSpec ? `fires at ${outputs.schedule.at}` : 'carries another spec';
      findings.push({ reason: 'ScheduleOutOfDate', message: `the schedule ${why}; the renewal is at ${renewalTime}` });
    }
  }
  if (outputs.leftovers.length > 0) {
    findings.push({ reason: 'LeftoversFound', message: `runs that are over left ${outputs.leftovers.join(', ')}` });
  }
  return findings;
}

/** EventBridge Scheduler's at() has whole seconds. */
export function sameSecond(a: string, b: string): boolean {
  return Math.floor(new Date(a).getTime() / 1000) === Math.floor(new Date(b).getTime() / 1000);
}
