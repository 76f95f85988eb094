/** A certificate's dns01.propagation timeout and interval, as the state machine's loop counts them. */
import type { PropagationConfig } from '../core/dns01-config.js';
import { durationToMilliseconds } from '../core/duration.js';
import type { PropagationTiming } from '../ports/dns-provider.js';

/**
 * The interval becomes the Wait between checks and the timeout a number of checks (rounded
 * up); the first wait stays the provider's, at most one interval. Both were validated with
 * the spec, so an unreadable one falls back to the provider's default.
 */
export function propagationTiming(base: PropagationTiming, config: PropagationConfig | undefined): PropagationTiming {
  const intervalMs = config?.interval === undefined ? undefined : durationToMilliseconds(config.interval);
  const timeoutMs = config?.timeout === undefined ? undefined : durationToMilliseconds(config.timeout);
  const intervalSeconds = intervalMs === undefined ? base.intervalSeconds : Math.max(1, Math.round(intervalMs / 1000));
  const initialWaitSeconds = intervalMs === undefined ? base.initialWaitSeconds : Math.min(base.initialWaitSeconds, intervalSeconds);
  const maxAttempts = timeoutMs === undefined ? base.maxAttempts : Math.max(1, Math.ceil(timeoutMs / 1000 / Math.max(intervalSeconds, 1)));
  return { initialWaitSeconds, intervalSeconds, maxAttempts };
}
