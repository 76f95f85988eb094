/**
 * The EventBridge event that says how a run ended: what cert-manager users get from Kubernetes
 * events and certbot users from --deploy-hook. The state machine sends it with the optimized
 * `events:putEvents` integration (no Lambda); locally the runner appends it to
 * `<store>/events.jsonl`. The detail names the certificate and where it lives, never its key.
 */

export const EVENT_SOURCE = 'certstep';

/** Put by the daily sweep for each certificate past its alarm threshold: one alarm over all certificates cannot name it. */
export const EXPIRING_DETAIL_TYPE = 'Certificate Expiring';

/**
 * One detail-type per outcome worth acting on. An up-to-date run sends nothing: it changed
 * nothing, and a daily "still fine" per certificate would bury the events that matter (expiry
 * is watched by the stack's alarms instead). AlreadyInProgress sends nothing either: the run
 * that holds the certificate sends its own.
 */
export const DETAIL_TYPES = {
  Issued: 'Certificate Issued',
  Failed: 'Certificate Renewal Failed',
  HeldBack: 'Certificate Renewal Held Back',
  OutputsRepaired: 'Certificate Outputs Repaired',
} as const;
export type EventOutcome = keyof typeof DETAIL_TYPES;

/** What a run knows of the certificate it worked on, read from its state, never from AWS again. */
export interface CertificateFacts {
  readonly certificateName?: string;
  readonly dnsNames?: readonly string[];
  /** The certificate that is current once the run is over (after a failure, the one still served). */
  readonly serial?: string;
  readonly notAfter?: string;
  /** The Secrets Manager secret holding the certificate; absent locally and before the first issue. */
  readonly secretArn?: string;
  /** Region → ARN of every ACM copy the run ledger knows. */
  readonly acmCertificateArns?: Readonly<Record<string, string>>;
}

/** The facts, with the ACM copies always present (empty when there are none), and how the run ended. */
export interface RunEventDetail extends CertificateFacts {
  readonly acmCertificateArns: Readonly<Record<string, string>>;
  readonly executionArn: string;
  readonly outcome: EventOutcome;
  readonly error?: string;
  readonly cause?: string;
}

/** Fields that are not known are left out rather than guessed, so a consumer can tell. */
export function runEventDetail(facts: CertificateFacts, run: Pick<RunEventDetail, 'executionArn' | 'outcome' | 'error' | 'cause'>): RunEventDetail {
  return {
    ...(facts.certificateName !== undefined && { certificateName: facts.certificateName }),
    ...(facts.dnsNames && { dnsNames: [...facts.dnsNames] }),
    ...(facts.serial && { serial: facts.serial }),
    ...(facts.notAfter && { notAfter: facts.notAfter }),
    ...(facts.secretArn && { secretArn: facts.secretArn }),
    acmCertificateArns: { ...facts.acmCertificateArns },
    executionArn: run.executionArn,
    outcome: run.outcome,
    ...(run.error !== undefined && { error: run.error }),
    ...(run.cause !== undefined && { cause: run.cause }),
  };
}
