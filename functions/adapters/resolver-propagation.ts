/**
 * A certificate's `dns01.propagation` for a provider that cannot judge visibility itself the
 * way the CA will (the local one, where challtestsrv answers for every name and has no zone
 * cuts to walk): the values are looked up through the given DNS servers, a server that cannot
 * be asked is reported as unreachable (never "not yet"), and the timeout and interval become
 * the state machine's loop. `check: "none"` trusts the provider's write alone.
 */
import type { PropagationConfig } from '../core/dns01-config.js';
import type { ChallengeRecord, DnsProvider, PropagationResult } from '../ports/dns-provider.js';
import { LiveDns, LookupFailure } from './live-dns.js';
import { propagationTiming } from './propagation-timing.js';

export interface ResolverCheckOptions {
  readonly config: PropagationConfig;
  /** The servers (`ip:port`) to ask; undefined leaves the provider's own check in place. */
  readonly servers: () => Promise<readonly string[] | undefined>;
}

export function checkedThroughResolvers(provider: DnsProvider, options: ResolverCheckOptions): DnsProvider {
  return {
    timing: propagationTiming(provider.timing, options.config),
    checkZones: (dnsNames) => provider.checkZones(dnsNames),
    present: (records) => provider.present(records),
    cleanUp: (records) => provider.cleanUp(records),
    isPropagated: async (records, presented): Promise<PropagationResult> => {
      if (options.config.check === 'none') return { ready: true };
      const servers = await options.servers();
      if (!servers?.length) return provider.isPropagated(records, presented);
      return lookedUp(records, new LiveDns({ resolvers: servers }));
    },
  };
}

interface Look {
  readonly record: ChallengeRecord;
  readonly visible: boolean;
  readonly failure?: string;
}

async function lookedUp(records: readonly ChallengeRecord[], live: LiveDns): Promise<PropagationResult> {
  const looks: Look[] = await Promise.all(
    records.map((record) =>
      live.txtViaResolvers(record.recordName).then(
        (values) => ({ record, visible: values.includes(record.value) }),
        (error: unknown) => ({ record, visible: false, failure: error instanceof LookupFailure ? error.message : String(error) }),
      ),
    ),
  );
  const pending = looks.filter((look) => !look.visible);
  if (pending.length === 0) return { ready: true };
  const unreachable = [...new Set(pending.flatMap((look) => (look.failure ? [look.failure] : [])))];
  const missing = pending.filter((look) => !look.failure).map((look) => look.record.recordName);
  const detail = [
    missing.length > 0 && `not yet answered by ${live.resolverName}: ${[...new Set(missing)].join(', ')}`,
    unreachable.length > 0 && `could not ask: ${unreachable.join(', ')}`,
  ].filter(Boolean);
  return { ready: false, pending: pending.map((look) => look.record), detail: detail.join('; '), ...(unreachable.length > 0 && { unreachable }) };
}
