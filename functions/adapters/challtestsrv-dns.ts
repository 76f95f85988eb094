/**
 * The local DNS provider: records go to pebble-challtestsrv, which answers Pebble's DNS-01
 * lookups. challtestsrv can only append a value or clear a whole name, so removing one value
 * means clearing the name and putting the others back. The values "already there" are read
 * over DNS from challtestsrv itself when its DNS address is known (so values set by someone
 * else survive), and otherwise from what this process set.
 */
import { DnsProviderUnavailable } from '../core/errors.js';
import type { ChallengeRecord, DnsProvider, Presented, PropagationResult, PropagationTiming } from '../ports/dns-provider.js';
import { LiveDns, LookupFailure } from './live-dns.js';

export interface ChallTestSrvOptions {
  /** Management API, e.g. http://127.0.0.1:8055 */
  readonly managementUrl: string;
  /** Where challtestsrv answers DNS, `host:port`; enables reading foreign values and real propagation checks. */
  readonly dnsServer?: string;
  readonly timing?: PropagationTiming;
}

export class ChallTestSrvDnsProvider implements DnsProvider {
  readonly timing: PropagationTiming;
  private readonly ours = new Map<string, Set<string>>();
  private readonly locks = new Map<string, Promise<void>>();
  /** challtestsrv's own DNS, asked directly (only used when its address is known). */
  private readonly live: LiveDns;

  constructor(private readonly options: ChallTestSrvOptions) {
    this.timing = options.timing ?? { initialWaitSeconds: 0, intervalSeconds: 1, maxAttempts: 15 };
    this.live = new LiveDns(options.dnsServer ? { resolvers: [options.dnsServer] } : {});
  }

  /** challtestsrv answers for any name. */
  async checkZones(): Promise<void> {}

  async present(records: readonly ChallengeRecord[]): Promise<Presented> {
    for (const [recordName, values] of groupByName(records)) {
      await this.exclusively(recordName, async () => {
        const current = await this.currentValues(recordName);
        for (const value of values) {
          if (!current.has(value)) await this.post('/set-txt', { host: `${recordName}.`, value });
          current.add(value);
          this.remember(recordName).add(value);
        }
      });
    }
    return { changeIds: [] };
  }

  async cleanUp(records: readonly ChallengeRecord[]): Promise<void> {
    for (const [recordName, values] of groupByName(records)) {
      await this.exclusively(recordName, async () => {
        const current = await this.currentValues(recordName);
        const ours = this.remember(recordName);
        for (const value of values) ours.delete(value);
        // Without a view of DNS, values another process (a killed run) presented are unknown
        // here: clear the name anyway, rather than leave them behind.
        if (this.options.dnsServer && ![...values].some((value) => current.has(value))) return;
        await this.post('/clear-txt', { host: `${recordName}.` });
        for (const keep of current) {
          if (!values.has(keep)) await this.post('/set-txt', { host: `${recordName}.`, value: keep });
        }
      });
    }
  }

  /** challtestsrv has no change ids: what it was told, it answers at once. */
  async isPropagated(records: readonly ChallengeRecord[], _presented?: Presented): Promise<PropagationResult> {
    if (!this.options.dnsServer) return { ready: true };
    const pending: ChallengeRecord[] = [];
    for (const record of records) {
      if (!(await this.lookup(record.recordName)).has(record.value)) pending.push(record);
    }
    if (pending.length === 0) return { ready: true };
    return {
      ready: false,
      pending,
      detail: `not yet answered by ${this.options.dnsServer}: ${pending.map((record) => record.recordName).join(', ')}`,
    };
  }

  private async currentValues(recordName: string): Promise<Set<string>> {
    if (this.options.dnsServer) return this.lookup(recordName);
    return new Set(this.remember(recordName));
  }

  private remember(recordName: string): Set<string> {
    let values = this.ours.get(recordName);
    if (!values) {
      values = new Set();
      this.ours.set(recordName, values);
    }
    return values;
  }

  private async lookup(recordName: string): Promise<Set<string>> {
    try {
      return new Set(await this.live.txtViaResolvers(recordName));
    } catch (error) {
      if (!(error instanceof LookupFailure)) throw error;
      throw new DnsProviderUnavailable(`DNS query for ${recordName} to ${this.options.dnsServer} failed: ${error.reason}`);
    }
  }

  private async post(route: string, body: object): Promise<void> {
    let response: Response;
    try {
      response = await fetch(new URL(route, this.options.managementUrl), { method: 'POST', body: JSON.stringify(body) });
    } catch (error) {
      throw new DnsProviderUnavailable(`challtestsrv at ${this.options.managementUrl} unreachable: ${(error as Error).message}`);
    }
    if (!response.ok) {
      throw new DnsProviderUnavailable(`challtestsrv ${route} answered HTTP ${response.status}: ${await response.text()}`);
    }
  }

  /** Serialises read-modify-write on one name within this process. */
  private async exclusively(recordName: string, work: () => Promise<void>): Promise<void> {
    const previous = this.locks.get(recordName) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.locks.set(recordName, settled);
    try {
      await next;
    } finally {
      if (this.locks.get(recordName) === settled) this.locks.delete(recordName);
    }
  }
}

function groupByName(records: readonly ChallengeRecord[]): Map<string, Set<string>> {
  const byName = new Map<string, Set<string>>();
  for (const record of records) {
    const values = byName.get(record.recordName) ?? new Set<string>();
    values.add(record.value);
    byName.set(record.recordName, values);
  }
  return byName;
}
