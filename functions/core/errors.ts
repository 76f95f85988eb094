/**
 * Every error a phase can end with. The literal `name` is the contract: Step Functions
 * `Retry` and `Catch` match on it, so renaming a class is a breaking change to the ASL.
 *
 * Retryable errors are transient (the same request may succeed a moment later); the
 * others are terminal and go straight to clean-up and a Fail state.
 */

export abstract class CertstepError extends Error {
  abstract override readonly name: string;
  /** Whether the state machine should retry the phase that threw it. */
  abstract readonly retryable: boolean;
}

/** The execution input cannot succeed; nothing was sent to the CA. */
export class InvalidInput extends CertstepError {
  override readonly name = 'InvalidInput' as const;
  readonly retryable = false;
}

/** The CA could not be reached (connection refused, reset, timed out, DNS failure). */
export class AcmeNetworkError extends CertstepError {
  override readonly name = 'AcmeNetworkError' as const;
  readonly retryable = true;
}

/** The CA answered 5xx: its problem, try again later (RFC 8555 §6.7). */
export class AcmeServerError extends CertstepError {
  override readonly name = 'AcmeServerError' as const;
  readonly retryable = true;
}

/** The CA kept rejecting our nonces beyond the client's own retries (RFC 8555 §6.5). */
export class AcmeBadNonce extends CertstepError {
  override readonly name = 'AcmeBadNonce' as const;
  readonly retryable = true;
}

/**
 * The CA asked us to come back later (a Retry-After). Not retried inside the run: retrying
 * before Retry-After only burns more of the limit. The run fails, and the next attempt is
 * scheduled at the later of the failure hold-off and Retry-After (see retryAfterFromMessage).
 */
export abstract class CaAskedToWait extends CertstepError {
  readonly retryable = false;
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(withRetryAfter(message, retryAfterSeconds));
  }
}

/** The CA rate-limited us (RFC 8555 §6.6). */
export class AcmeRateLimited extends CaAskedToWait {
  override readonly name = 'AcmeRateLimited' as const;
}

/** The CA answered 503 with a Retry-After (RFC 8555 §6.6, RFC 9110 §10.2.3): it is up but asks us to come back later. */
export class AcmeServiceUnavailable extends CaAskedToWait {
  override readonly name = 'AcmeServiceUnavailable' as const;
}

/*
 * Step Functions hands a caught error to the next state as its name and message only (on AWS
 * the message inside a JSON Cause), so the Retry-After travels in the message, in one
 * spelling written and read here.
 */
const RETRY_AFTER_TEXT = /; the CA asks to retry after (\d+) s\b/;

function withRetryAfter(message: string, seconds: number | undefined): string {
  if (seconds === undefined || RETRY_AFTER_TEXT.test(message)) return message;
  return `${message}; the CA asks to retry after ${Math.max(0, Math.round(seconds))} s`;
}

/** The Retry-After an error message carries, in seconds, if any. */
export function retryAfterFromMessage(message: string): number | undefined {
  const match = RETRY_AFTER_TEXT.exec(message);
  return match ? Number(match[1]) : undefined;
}

/** The CA refused the request (4xx other than the above): retrying the same request won't help. */
export class AcmeRequestRejected extends CertstepError {
  override readonly name = 'AcmeRequestRejected' as const;
  readonly retryable = false;
  constructor(
    message: string,
    readonly problemType?: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The order or one of its authorizations became invalid: the CA's detail says why. */
export class AcmeOrderInvalid extends CertstepError {
  override readonly name = 'AcmeOrderInvalid' as const;
  readonly retryable = false;
}

/** The DNS provider could not be reached or throttled us. */
export class DnsProviderUnavailable extends CertstepError {
  override readonly name = 'DnsProviderUnavailable' as const;
  readonly retryable = true;
}

/** The DNS provider refused the change (permissions, rejected batch). */
export class DnsChangeRejected extends CertstepError {
  override readonly name = 'DnsChangeRejected' as const;
  readonly retryable = false;
}

/**
 * Name servers (or resolvers) that should answer for the challenge records could not be
 * asked at all until the propagation checks ran out: no address, no answer, refused. The
 * CA would fail the same way, so it was not asked to validate.
 */
export class DnsServerUnreachable extends CertstepError {
  override readonly name = 'DnsServerUnreachable' as const;
  readonly retryable = false;
}

/**
 * The name's challenges are delegated by a CNAME that is not there yet (acme-dns, or a Follow
 * target the configuration names). The message names the exact record to create; nothing was
 * ordered, and once the CNAME exists the next run goes on (lego's ErrCNAMERequired).
 */
export class CnameRequired extends CertstepError {
  override readonly name = 'CnameRequired' as const;
  readonly retryable = false;
}

/** No hosted zone can hold the challenge record of a name; nothing was ordered. */
export class ZoneNotFound extends CertstepError {
  override readonly name = 'ZoneNotFound' as const;
  readonly retryable = false;
}

/** A store (Secrets Manager, or DynamoDB for the run ledger and catalog) could not be reached, throttled us or was contended. */
export class StoreUnavailable extends CertstepError {
  override readonly name = 'StoreUnavailable' as const;
  readonly retryable = true;
}

/** The secret is not in the stack; only a deploy can create it, so retrying is pointless. */
export class SecretNotFound extends CertstepError {
  override readonly name = 'SecretNotFound' as const;
  readonly retryable = false;
}

/** IAM or the KMS key policy refuses this role; someone has to change a policy first. */
export class StoreAccessDenied extends CertstepError {
  override readonly name = 'StoreAccessDenied' as const;
  readonly retryable = false;
}

/** A store (Secrets Manager, or DynamoDB for the run ledger and catalog) refused the request for another reason (4xx); its own message says why. */
export class StoreRequestRejected extends CertstepError {
  override readonly name = 'StoreRequestRejected' as const;
  readonly retryable = false;
}

/** EventBridge Scheduler, or Step Functions starting a run for the sweep, throttled us or failed (5xx, the network). */
export class SchedulerUnavailable extends CertstepError {
  override readonly name = 'SchedulerUnavailable' as const;
  readonly retryable = true;
}

/** EventBridge Scheduler refused the schedule, or Step Functions the sweep's run (permissions, validation). */
export class ScheduleRejected extends CertstepError {
  override readonly name = 'ScheduleRejected' as const;
  readonly retryable = false;
}

/** ACM throttled us or failed (5xx, the network). */
export class AcmUnavailable extends CertstepError {
  override readonly name = 'AcmUnavailable' as const;
  readonly retryable = true;
}

/** ACM refused the import, or would: a key change on re-import, permissions, validation. */
export class AcmImportRefused extends CertstepError {
  override readonly name = 'AcmImportRefused' as const;
  readonly retryable = false;
}

/** The issued certificate failed verification (key, names or chain); it was not stored as current. */
export class CertificateVerificationFailed extends CertstepError {
  override readonly name = 'CertificateVerificationFailed' as const;
  readonly retryable = false;
}

/** The state handed to a phase lacks what an earlier phase should have produced. */
export class InvalidState extends CertstepError {
  override readonly name = 'InvalidState' as const;
  readonly retryable = false;
}
