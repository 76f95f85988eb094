/**
 * How many executions one sync, sweep or apply may start. Let's Encrypt allows 300 new orders
 * per account every 3 hours; a deploy of 10,000 new certificates that started them all would
 * be refused by the CA for most of them and fail each run. The rest are deferred: a never-issued
 * or changed certificate is due, so the next daily sweep starts it.
 */
import { ConfigError } from '../core/config-error.js';

export const DEFAULT_MAX_STARTS = 300;
export const MAX_STARTS_ENV = 'CERTSTEP_MAX_STARTS';

export class StartBudget {
  private used = 0;

  constructor(readonly limit: number = DEFAULT_MAX_STARTS) {}

  /** Whether one more start fits; counts it when it does. Synchronous, so concurrent workers never overspend. */
  take(): boolean {
    if (this.used >= this.limit) return false;
    this.used++;
    return true;
  }
}

export function maxStartsFrom(env: NodeJS.ProcessEnv = process.env): number {
  const text = env[MAX_STARTS_ENV];
  if (text === undefined || text === '') return DEFAULT_MAX_STARTS;
  if (!/^\d+$/.test(text)) throw new ConfigError(`${MAX_STARTS_ENV} must be a whole number of executions (got "${text}")`);
  return Number(text);
}
