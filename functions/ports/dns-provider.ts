/**
 * The DNS-01 side of an issuance, as small as lego's provider interface: present a value,
 * tell whether it can be seen, clean it up. Every method takes the whole batch of records
 * so that a provider can make one change per zone instead of one call per name.
 */

/** One TXT value this run wants at `_acme-challenge.<name>` (RFC 8555 §8.4). */
export interface ChallengeRecord {
  /** The identifier being validated, without the `*.` of a wildcard. */
  readonly dnsName: string;
  /** Fully qualified record name without trailing dot, e.g. `_acme-challenge.example.com`. */
  readonly recordName: string;
  /** The base64url SHA-256 digest of the key authorization. */
  readonly value: string;
}

/**
 * "Not visible yet" is an answer, not an error: the state machine waits and asks again.
 * `unreachable` names the servers that could not be asked at all, each with its cause, so a
 * run that runs out of checks can say it was never heard rather than "not yet".
 */
export type PropagationResult =
  | { readonly ready: true }
  | { readonly ready: false; readonly pending: readonly ChallengeRecord[]; readonly detail: string; readonly unreachable?: readonly string[] };

/** How long the state machine should wait between checks, and for how many checks at most. */
export interface PropagationTiming {
  readonly initialWaitSeconds: number;
  readonly intervalSeconds: number;
  readonly maxAttempts: number;
}

/** What a present left to wait for, carried in the execution state to the propagation checks. */
export interface Presented {
  /** Provider change ids (Route 53 GetChange) that must be in sync before looking at DNS. */
  readonly changeIds: readonly string[];
}

export interface DnsProvider {
  /**
   * Fails with ZoneNotFound when a name has nowhere to put its record, so that a run stops
   * before it orders anything from the CA.
   */
  checkZones(dnsNames: readonly string[]): Promise<void>;
  /** Adds each value next to whatever is already at the name; presenting twice is harmless. */
  present(records: readonly ChallengeRecord[]): Promise<Presented>;
  /** Removes exactly these values and nothing else; removing what is already gone is harmless. */
  cleanUp(records: readonly ChallengeRecord[]): Promise<void>;
  /** Whether the CA's resolvers can see every value yet. */
  isPropagated(records: readonly ChallengeRecord[], presented: Presented): Promise<PropagationResult>;
  readonly timing: PropagationTiming;
}
