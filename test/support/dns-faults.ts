/** DNS faults for tests: providers that publish the wrong thing through a real provider. */
import type { ChallengeRecord, DnsProvider } from '../../functions/ports/dns-provider.js';

/**
 * Publishes (and checks, and removes) a wrong value for every record, through the real
 * provider: the CA then refuses the challenge, and clean-up must still leave nothing behind.
 */
export function publishingWrongValues(dns: DnsProvider): DnsProvider {
  const wrong = (records: readonly ChallengeRecord[]) => records.map((record) => ({ ...record, value: `wrong-${record.value.slice(6)}` }));
  return {
    timing: dns.timing,
    checkZones: (names) => dns.checkZones(names),
    present: (records) => dns.present(wrong(records)),
    cleanUp: (records) => dns.cleanUp(wrong(records)),
    isPropagated: (records, presented) => dns.isPropagated(wrong(records), presented),
  };
}
