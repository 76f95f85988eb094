/**
 * Whether a run should issue, as a chain of small pure checks in the manner of cert-manager's
 * policy chain: the first check that has something to say decides, and its reason is what the
 * operator reads. The clock is passed in so that tests and `--now` can move time.
 */
import type { CertificateSpec } from './certificate-spec.js';
import { durationToMilliseconds } from './duration.js';
import { plannedRenewalTime } from './renewal-time.js';

export type RenewalReason =
  | 'DoesNotExist'
  | 'SpecChanged'
  | 'Expired'
  | 'RenewalTimeReached'
  /** The CA's ARI window says so (RFC 9773). */
  | 'RenewalWindowReached'
  | 'Forced'
  /** A dry run: always due, ordered from the dry run's directory and discarded. */
  | 'DryRun'
  | 'UpToDate'
  /** Due, but held back after consecutive failures. */
  | 'BackingOff'
  /** Due, but another execution is already renewing it. */
  | 'InProgress'
  /** Not due, but an ACM region does not hold the current certificate (see core/reconcile.ts). */
  | 'OutputsOutOfSync'
  /** Not due, and no schedule will start the next renewal. */
  | 'ScheduleMissing'
  /** Not due, and the schedule would start the next renewal at the wrong time or with another spec. */
  | 'ScheduleOutOfDate'
  /** Not due, and a run that is over left TXT values, a pending key or an order behind. */
  | 'LeftoversFound'
  /**
   * Not decided yet: the run ledger's record of the stored certificate is not of the secret's
   * current version (the first run, a run that died between storing and recording, a secret
   * changed by hand), so it is read again by a function allowed to hold the key, then decided.
   */
  | 'MetadataStale';

/** What a run repairs without ordering; the Choice states read these flags. */
export interface Repairs {
  readonly acm: boolean;
  /** Regions whose ACM copy does not hold the current certificate. */
  readonly acmRegions: readonly string[];
  readonly schedule: boolean;
  readonly leftovers: boolean;
}

/** What the policies need to know of the stored certificate; never its key. */
export interface CurrentCertificate {
  readonly dnsNames: readonly string[];
  readonly issuer: string;
  readonly keyAlgorithm: string;
  readonly profile?: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly revision: number;
  readonly serialNumber: string;
}

export interface RenewalDecision {
  readonly due: boolean;
  readonly reason: RenewalReason;
  readonly message: string;
  /** Revision of the certificate this run would replace; 0 when there is none. */
  readonly currentRevision: number;
  readonly renewalTime?: string;
  readonly notAfter?: string;
  /** Set by core/reconcile.ts: true when this run repairs outputs instead of ordering. */
  readonly repair?: boolean;
  readonly repairs?: Repairs;
}

export interface RenewalContext {
  readonly spec: CertificateSpec;
  readonly force: boolean;
  readonly current: CurrentCertificate | undefined;
  readonly now: Date;
  /** This certificate's moment inside the CA's current ARI window, when the CA offers one. */
  readonly ariMoment?: Date;
}

type Policy = (context: RenewalContext & { current: CurrentCertificate; renewalTime: Date }) => { reason: RenewalReason; message: string } | undefined;

const specChanged: Policy = ({ spec, current }) => {
  const wanted = [...spec.dnsNames].sort().join(',');
  const have = [...current.dnsNames].sort().join(',');
  if (wanted !== have) return { reason: 'SpecChanged', message: `dnsNames changed from [${have}] to [${wanted}]` };
  if (spec.issuer !== current.issuer) return { reason: 'SpecChanged', message: `issuer changed from ${current.issuer} to ${spec.issuer}` };
  if (spec.keyAlgorithm !== current.keyAlgorithm) {
    return { reason: 'SpecChanged', message: `keyAlgorithm changed from ${current.keyAlgorithm} to ${spec.keyAlgorithm}` };
  }
  if ((spec.profile ?? '') !== (current.profile ?? '')) {
    return { reason: 'SpecChanged', message: `profile changed from ${current.profile ?? '(none)'} to ${spec.profile ?? '(none)'}` };
  }
  return undefined;
};

const expired: Policy = ({ current, now }) =>
  new Date(current.notAfter) <= now ? { reason: 'Expired', message: `certificate expired at ${current.notAfter}` } : undefined;

const ariWindowReached: Policy = ({ ariMoment, now }) =>
  ariMoment && ariMoment <= now
    ? { reason: 'RenewalWindowReached', message: `the CA's suggested renewal window (ARI) has been reached; renewing at ${ariMoment.toISOString()}` }
    : undefined;

const renewalTimeReached: Policy = ({ renewalTime, now, ariMoment }) =>
  !ariMoment && renewalTime <= now ? { reason: 'RenewalTimeReached', message: `renewal time ${renewalTime.toISOString()} has passed` } : undefined;

const forced: Policy = ({ force }) => (force ? { reason: 'Forced', message: 'a re-issue was forced' } : undefined);

const POLICIES: readonly Policy[] = [specChanged, expired, ariWindowReached, renewalTimeReached, forced];

export function decideRenewal(context: RenewalContext): RenewalDecision {
  const { spec, current } = context;
  if (!current) return { due: true, reason: 'DoesNotExist', message: 'no certificate stored yet', currentRevision: 0 };
  const renewBefore = durationToMilliseconds(spec.renewBefore) ?? 30 * 86_400_000;
  // When the CA offers ARI its window wins over our own computation, in both directions.
  const renewalTime = context.ariMoment ?? plannedRenewalTime(new Date(current.notBefore), new Date(current.notAfter), renewBefore, current.serialNumber);
  const facts = { currentRevision: current.revision, renewalTime: renewalTime.toISOString(), notAfter: current.notAfter };
  for (const policy of POLICIES) {
    const verdict = policy({ ...context, current, renewalTime });
    if (verdict) return { due: true, ...verdict, ...facts };
  }
  return {
    due: false,
    reason: 'UpToDate',
    message: `certificate is up to date; it expires at ${current.notAfter} and renews at ${renewalTime.toISOString()}`,
    ...facts,
  };
}
