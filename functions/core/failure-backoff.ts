/**
 * How long a certificate waits after consecutive failures before the next attempt: 1 min,
 * 10 min, 100 min, then a day, as Let's Encrypt advises. A broken certificate then costs a
 * handful of failed validations a day instead of one per trigger, far from the CA's limit of
 * 5 failed authorizations per name per hour. When the CA said Retry-After (a rate limit, a
 * 503), the next attempt is the later of the two: trying earlier only burns more of the limit.
 *
 * Close to expiry the ladder is capped: never wait more than an eighth of the time the
 * certificate has left, so an outage that ends with hours to spare is noticed in time (a
 * 160-hour certificate that fails at its renewal time has about two days). The cap never goes
 * under 15 minutes, which keeps even a validation that fails every time under 5 an hour.
 */
const MINUTE = 60_000;
const STEPS_MS = [1 * MINUTE, 10 * MINUTE, 100 * MINUTE] as const;
const DAY_MS = 24 * 60 * MINUTE;

/** The hold-off after `consecutiveFailures` failures (1 = the first failure). */
export function holdOffAfter(consecutiveFailures: number): number {
  if (consecutiveFailures <= 0) return 0;
  return STEPS_MS[consecutiveFailures - 1] ?? DAY_MS;
}

const MIN_CAP_MS = 15 * MINUTE;

export function nextAttemptAfter(failedAt: Date, consecutiveFailures: number, retryAfterSeconds?: number, notAfter?: Date): Date {
  const left = notAfter ? notAfter.getTime() - failedAt.getTime() : Number.POSITIVE_INFINITY;
  const holdOff = Math.min(holdOffAfter(consecutiveFailures), Math.max(MIN_CAP_MS, left / 8));
  const asked = retryAfterSeconds === undefined ? 0 : Math.max(0, retryAfterSeconds) * 1000;
  return new Date(failedAt.getTime() + Math.max(holdOff, asked));
}
