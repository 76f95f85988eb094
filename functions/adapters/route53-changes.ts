/**
 * How certstep changes a TXT record set it shares with others: read the set, then send
 * DELETE of exactly what was read plus CREATE of the merged set, in one atomic batch.
 * Route 53 rejects a DELETE that does not match the current values exactly and a CREATE of
 * a set that exists, so if anyone changed the set in between, the whole batch fails and we
 * read again: an optimistic compare-and-swap built from Route 53's own rules. Values that
 * others put there (another certificate, the apex next to the wildcard, a foreign tool) are
 * carried over untouched, and only this run's values are ever removed.
 */

export interface TxtRecordSet {
  readonly name: string;
  readonly ttl: number;
  /** Route 53 form: each value in double quotes. */
  readonly values: readonly string[];
}

export interface RecordChange {
  readonly action: 'CREATE' | 'DELETE';
  readonly set: TxtRecordSet;
}

/** Route 53 stores TXT values quoted; strings over 255 characters would need splitting, which ACME values never do. */
export function quoteTxt(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function unquoteTxt(value: string): string {
  // A value may be several quoted strings ("a" "b"); DNS joins them.
  const parts = value.match(/"((?:[^"\\]|\\.)*)"/g);
  if (!parts) return value;
  return parts.map((part) => part.slice(1, -1).replace(/\\(.)/g, '$1')).join('');
}

/** Changes that add `values` to the set at `name` (or create it); none when all are there. */
export function planAdd(name: string, current: TxtRecordSet | undefined, values: readonly string[], ttl: number): RecordChange[] {
  const have = new Set((current?.values ?? []).map(unquoteTxt));
  const missing = [...new Set(values)].filter((value) => !have.has(value));
  if (missing.length === 0) return [];
  const merged = [...(current?.values ?? []), ...missing.map(quoteTxt)];
  if (!current) return [{ action: 'CREATE', set: { name, ttl, values: merged } }];
  return [
    { action: 'DELETE', set: current },
    { action: 'CREATE', set: { name, ttl: current.ttl, values: merged } },
  ];
}

/** Changes that remove exactly `values` from the set, keeping every other value; none when none is there. */
export function planRemove(current: TxtRecordSet | undefined, values: readonly string[]): RecordChange[] {
  if (!current) return [];
  const removing = new Set(values);
  const kept = current.values.filter((value) => !removing.has(unquoteTxt(value)));
  if (kept.length === current.values.length) return [];
  if (kept.length === 0) return [{ action: 'DELETE', set: current }];
  return [
    { action: 'DELETE', set: current },
    { action: 'CREATE', set: { name: current.name, ttl: current.ttl, values: kept } },
  ];
}

/** Route 53's InvalidChangeBatch messages that mean "someone changed the set since we read it". */
export function isConcurrentChange(message: string): boolean {
  return /but it (already exists|was not found)|values provided do not match the current values/i.test(message);
}
