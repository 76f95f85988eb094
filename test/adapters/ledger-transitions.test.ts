/**
 * The run ledger's rules, shared by the file and DynamoDB ledgers: one run at a time, an
 * outcome counted once per run, the hold-off from the count and the CA's Retry-After, TXT
 * values never forgotten, an order kept only for a failure it can recover from.
 */
import { describe, expect, it } from 'vitest';
import { claimed, emptyEntry, finished, withOrder, withPendingKey, withoutAbandonedOrders } from '../../functions/adapters/ledger-transitions.js';
import type { AbandonedOrder, InFlightOrder, LedgerEntry } from '../../functions/ports/run-ledger.js';

const now = new Date('2027-03-01T00:00:00.000Z');
const lease = new Date(now.getTime() + 2 * 3_600_000);
const record = (value: string) => ({ dnsName: 'a.example', recordName: '_acme-challenge.a.example', value });
const order = (url: string, runId: string, values: string[]): InFlightOrder => ({
  url,
  specHash: 'h',
  runId,
  createdAt: now.toISOString(),
  records: values.map(record),
});

function held(runId: string): LedgerEntry {
  const outcome = claimed(emptyEntry('a'), runId, now, lease);
  if (!('entry' in outcome)) throw new Error('unexpected');
  return outcome.entry;
}

describe('claimed', () => {
  it('refuses a live claim of another run, lets the same run claim again, and takes an expired lease over', () => {
    const entry = held('r1');
    expect(claimed(entry, 'r2', now, lease)).toEqual({ heldBy: 'r1', since: now.toISOString() });
    expect('entry' in claimed(entry, 'r1', new Date(now.getTime() + 1000), lease)).toBe(true);
    expect('entry' in claimed(entry, 'r2', lease, new Date(lease.getTime() + 1000))).toBe(true);
  });
});

describe('finished', () => {
  it.each([
    { failures: 0, expectedMs: 60_000 },
    { failures: 1, expectedMs: 600_000 },
    { failures: 2, expectedMs: 6_000_000 },
    { failures: 3, expectedMs: 86_400_000 },
  ])('counts a failure after $failures others, with the hold-off step that follows', ({ failures, expectedMs }) => {
    const after = finished({ ...held('r1'), consecutiveFailures: failures }, 'r1', { result: 'Failed', at: now, error: 'E', counts: true });
    expect(after.consecutiveFailures).toBe(failures + 1);
    expect(Date.parse(after.nextAttemptAfter ?? '')).toBe(now.getTime() + expectedMs);
    expect(after.activeRun).toBeUndefined();
  });

  it('takes the later of the hold-off and Retry-After', () => {
    const after = finished(held('r1'), 'r1', { result: 'Failed', at: now, error: 'AcmeRateLimited', counts: true, retryAfterSeconds: 7200 });
    expect(after.nextAttemptAfter).toBe(new Date(now.getTime() + 7_200_000).toISOString());
  });

  it('records an outcome once per run: the second call returns the entry as it was', () => {
    const once = finished(held('r1'), 'r1', { result: 'Failed', at: now, error: 'E', counts: true });
    expect(finished(once, 'r1', { result: 'Failed', at: new Date(now.getTime() + 1000), error: 'E', counts: true })).toBe(once);
  });

  it('does not count a failure after the certificate was stored, and keeps the hold-off as it was', () => {
    const after = finished(held('r1'), 'r1', { result: 'Failed', at: now, error: 'AcmImportRefused', counts: false });
    expect(after).toMatchObject({ consecutiveFailures: 0, lastResult: 'Failed', lastError: { error: 'AcmImportRefused' } });
    expect(after.nextAttemptAfter).toBeUndefined();
  });

  it('keeps the order for a recoverable failure, drops it on success or when it is spent', () => {
    const ordered = withOrder(held('r1'), 'r1', order('o1', 'r1', ['v1']));
    expect(finished(ordered, 'r1', { result: 'Failed', at: now, error: 'PropagationTimeout', counts: true, keepOrder: true }).order?.url).toBe('o1');
    expect(finished(ordered, 'r1', { result: 'Failed', at: now, error: 'AcmeOrderInvalid', counts: true, keepOrder: false }).order).toBeUndefined();
    expect(finished(ordered, 'r1', { result: 'Issued', at: now }).order).toBeUndefined();
  });

  it('drops an order a finished run left when a repair run succeeds, and keeps it while repairs fail', () => {
    const left = withOrder(held('r1'), 'r1', order('o1', 'r1', ['v1']));
    const repairing = {
      ...finished(left, 'r1', { result: 'Failed', at: now, error: 'ExecutionAborted', counts: true, keepOrder: true }),
      activeRun: held('r2').activeRun,
    };
    expect(finished(repairing, 'r2', { result: 'Repaired', at: now }).order).toBeUndefined();
    expect(finished(repairing, 'r2', { result: 'Failed', at: now, error: 'AcmUnavailable', counts: false }).order?.url).toBe('o1');
  });

  it("leaves another run's claim and order alone when it records a run that lost its claim", () => {
    const taken = withOrder({ ...held('r2') }, 'r2', order('o2', 'r2', ['v2']));
    const after = finished(taken, 'r1', { result: 'Failed', at: now, error: 'ExecutionTimedOut', counts: true, staleRecords: [record('old')] });
    expect(after.activeRun?.runId).toBe('r2');
    expect(after.order?.url).toBe('o2');
    expect(after.staleRecords?.map((stale) => stale.value)).toEqual(['old']);
  });

  it('resets the count and clears the error after an issue', () => {
    const failed = finished(held('r1'), 'r1', { result: 'Failed', at: now, error: 'E', counts: true });
    const issued = finished({ ...failed, activeRun: held('r2').activeRun }, 'r2', { result: 'Issued', at: now });
    expect(issued).toMatchObject({ consecutiveFailures: 0, lastResult: 'Issued' });
    expect(issued.lastError).toBeUndefined();
    expect(issued.nextAttemptAfter).toBeUndefined();
  });
});

describe('withOrder and withPendingKey', () => {
  it('merges the TXT values when the same order is resumed, and keeps the key version', () => {
    const first = withPendingKey(withOrder(held('r1'), 'r1', order('o1', 'r1', ['a', 'b'])), 'o1', 'k1');
    const resumed = withOrder({ ...first, activeRun: held('r2').activeRun }, 'r2', { ...order('o1', 'r2', ['b']), pendingKeyVersion: 'k1' });
    expect(resumed.order?.records.map((item) => item.value)).toEqual(['a', 'b']);
    expect(resumed.order).toMatchObject({ runId: 'r2', pendingKeyVersion: 'k1' });
    expect(resumed.staleRecords).toBeUndefined();
  });

  it('ignores a pending key for an order that is no longer in flight', () => {
    const entry = withOrder(held('r1'), 'r1', order('o1', 'r1', []));
    expect(withPendingKey(entry, 'o0', 'k')).toBe(entry);
  });
});

describe('abandoned orders', () => {
  const minutes = (count: number) => count * 60_000;
  const abandoned = (url: string, ago: number): AbandonedOrder => ({ url, at: new Date(now.getTime() - ago).toISOString() });
  const spent = { result: 'Failed', at: now, error: 'AcmeOrderInvalid', counts: true, keepOrder: false } as const;

  it('keeps the order a failure gives up, at the time of the outcome, in the write that drops it; not one the entry keeps in flight', () => {
    const ordered = withOrder(held('r1'), 'r1', order('o1', 'r1', ['v1']));

    const given = finished(ordered, 'r1', { ...spent, abandonedOrders: ['o1'] });
    const kept = finished(ordered, 'r1', { ...spent, keepOrder: true, abandonedOrders: ['o1'] });

    expect(given.order).toBeUndefined();
    expect(given.abandonedOrders).toEqual([{ url: 'o1', at: now.toISOString() }]);
    expect(kept.order?.url).toBe('o1');
    expect(kept.abandonedOrders).toBeUndefined();
  });

  it('keeps the 10 newest, newest first, and an order given up twice once', () => {
    const ten = Array.from({ length: 10 }, (_, index) => abandoned(`old${index}`, minutes(index + 1)));

    const after = finished({ ...held('r1'), abandonedOrders: ten }, 'r1', { ...spent, abandonedOrders: ['new', 'old0'] });

    expect(after.abandonedOrders?.map((item) => item.url)).toEqual(['new', ...ten.slice(0, 9).map((item) => item.url)]);
    expect(after.abandonedOrders?.find((item) => item.url === 'old0')?.at).toBe(ten[0]?.at);
  });

  it('drops those given up 7 days ago or more whenever the list is written', () => {
    const week = 7 * 24 * 60 * minutes(1);
    const aging = { ...held('r1'), abandonedOrders: [abandoned('young', week - minutes(1)), abandoned('old', week), abandoned('unreadable', 0)] };
    const unreadable = { ...aging, abandonedOrders: aging.abandonedOrders.map((item) => (item.url === 'unreadable' ? { ...item, at: 'later' } : item)) };

    expect(finished(unreadable, 'r1', spent).abandonedOrders?.map((item) => item.url)).toEqual(['young']);
    expect(withoutAbandonedOrders(unreadable, [], now).abandonedOrders?.map((item) => item.url)).toEqual(['young']);
  });

  it('forgets exactly the URLs named, leaves the entry as it was when none of them is there, and drops an emptied list', () => {
    const entry = { ...held('r1'), abandonedOrders: [abandoned('a', 1), abandoned('b', 2), abandoned('c', 3)] };

    expect(withoutAbandonedOrders(entry, ['a', 'c', 'x'], now).abandonedOrders?.map((item) => item.url)).toEqual(['b']);
    expect(withoutAbandonedOrders(entry, ['x'], now)).toBe(entry);
    expect('abandonedOrders' in withoutAbandonedOrders(entry, ['a', 'b', 'c'], now)).toBe(false);
  });
});
