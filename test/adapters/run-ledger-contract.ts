/**
 * What the DynamoDB run ledger promises the phases, as one suite run against the table fake
 * (test/support/aws-fakes.ts) and against moto_server's DynamoDB: one claim wins, a lease that ran
 * out is taken over, an outcome counts once per run, no TXT value or abandoned order is forgotten,
 * and a change another writer lands between our read and write is read again and kept.
 */
import { describe, expect, it } from 'vitest';
import type { InFlightOrder, LedgerEntry, RunLedger } from '../../functions/ports/run-ledger.js';

export interface RunLedgerHarness {
  /** A fresh ledger on the table, as one Lambda invocation builds it; the table starts empty for each case. */
  ledger(): RunLedger;
  /** Lands another writer's change on the stored entry after the next write's read, just before that write. */
  interleave(certificateName: string, change: (entry: LedgerEntry) => LedgerEntry): void;
}

const now = new Date('2026-11-22T10:00:00.000Z');
const lease = new Date('2026-11-22T12:00:00.000Z');
const later = (ms: number) => new Date(now.getTime() + ms);

const order = (url: string, runId: string, values: string[]): InFlightOrder => ({
  url,
  specHash: 'h',
  runId,
  createdAt: now.toISOString(),
  records: values.map((value) => ({ dnsName: 'web.example.com', recordName: '_acme-challenge.web.example.com', value })),
});

export function describeRunLedgerContract(label: string, harness: () => RunLedgerHarness): void {
  const ledger = () => harness().ledger();

  describe(`run ledger contract: DynamoDB on ${label}`, () => {
    it('knows nothing of a certificate no run has claimed', async () => {
      expect(await ledger().get('web')).toBeUndefined();
    });

    it('lets exactly one of two runs that claim at once win, and tells the other who holds it', async () => {
      // Act
      const [first, second] = await Promise.all([ledger().claim('web', 'exec-1', now, lease), ledger().claim('web', 'exec-2', now, lease)]);

      // Assess
      const results = [first, second];
      expect(results.filter((result) => result.claimed)).toHaveLength(1);
      const loser = results.find((result) => !result.claimed);
      const winner = first.claimed ? 'exec-1' : 'exec-2';
      expect(loser).toEqual({ claimed: false, heldBy: winner, since: now.toISOString() });
      expect((await ledger().get('web'))?.activeRun?.runId).toBe(winner);
    });

    it('lets the run that holds the claim claim again (a retried CheckRenewal), keeping since and extending the lease', async () => {
      // Prepare
      await ledger().claim('web', 'exec-1', now, lease);

      // Act
      const again = await ledger().claim('web', 'exec-1', later(60_000), later(3 * 3_600_000));

      // Assess
      expect(again.claimed && again.entry.activeRun).toEqual({ runId: 'exec-1', since: now.toISOString(), leaseUntil: later(3 * 3_600_000).toISOString() });
    });

    it('refuses a second claimant while the lease runs, and lets it take over once the lease has run out', async () => {
      // Prepare
      await ledger().claim('web', 'exec-1', now, lease);

      // Act
      const during = await ledger().claim('web', 'exec-2', later(60_000), later(2 * 3_600_000));
      const after = await ledger().claim('web', 'exec-2', lease, later(4 * 3_600_000));

      // Assess
      expect(during).toEqual({ claimed: false, heldBy: 'exec-1', since: now.toISOString() });
      expect(after.claimed && after.entry.activeRun).toEqual({ runId: 'exec-2', since: lease.toISOString(), leaseUntil: later(4 * 3_600_000).toISOString() });
      expect((await ledger().get('web'))?.activeRun?.runId).toBe('exec-2');
    });

    it('counts a failure once, however often the same run records it, and sets the hold-off from the count and Retry-After', async () => {
      // Prepare
      await ledger().claim('web', 'exec-1', now, lease);
      const failure = { result: 'Failed' as const, at: now, error: 'AcmeRateLimited', cause: 'too many', counts: true, retryAfterSeconds: 3600 };

      // Act
      const once = await ledger().finish('web', 'exec-1', failure);
      const again = await ledger().finish('web', 'exec-1', failure);

      // Assess
      expect(once.consecutiveFailures).toBe(1);
      expect(again).toEqual(once);
      expect(once.activeRun).toBeUndefined();
      expect(once.nextAttemptAfter).toBe(new Date(now.getTime() + 3_600_000).toISOString());
      expect(once.lastError).toMatchObject({ error: 'AcmeRateLimited', cause: 'too many' });
    });

    it('after an issuance, releases the claim, drops the order and the failure count, and keeps that on the table', async () => {
      // Prepare
      await ledger().claim('web', 'exec-0', now, lease);
      await ledger().finish('web', 'exec-0', { result: 'Failed', at: now, error: 'E', counts: true });
      await ledger().claim('web', 'exec-1', later(1), lease);
      await ledger().recordOrder('web', 'exec-1', order('https://ca/order/1', 'exec-1', ['v1']));

      // Act
      const done = await ledger().finish('web', 'exec-1', { result: 'Issued', at: later(2) });

      // Assess
      expect(done).toMatchObject({ lastResult: 'Issued', consecutiveFailures: 0, recentRuns: ['exec-1', 'exec-0'] });
      expect(done.activeRun).toBeUndefined();
      expect(done.order).toBeUndefined();
      expect(await ledger().get('web')).toEqual(done);
    });

    it("does not release another run's claim when a run that lost it finishes", async () => {
      // Prepare: exec-1's lease ran out and exec-2 took over.
      await ledger().claim('web', 'exec-1', now, lease);
      await ledger().claim('web', 'exec-2', lease, later(4 * 3_600_000));

      // Act
      const finished = await ledger().finish('web', 'exec-1', { result: 'Failed', at: lease, error: 'E', counts: true });

      // Assess
      expect(finished.activeRun?.runId).toBe('exec-2');
      expect((await ledger().get('web'))?.activeRun?.runId).toBe('exec-2');
    });

    it('moves the TXT values of an order replaced by another to the stale list, so they are still removed', async () => {
      // Prepare
      await ledger().claim('web', 'exec-1', now, lease);
      await ledger().recordOrder('web', 'exec-1', order('https://ca/order/1', 'exec-1', ['old', 'shared']));

      // Act
      await ledger().recordOrder('web', 'exec-1', order('https://ca/order/2', 'exec-1', ['shared', 'new']));

      // Assess
      const entry = await ledger().get('web');
      expect(entry?.order?.url).toBe('https://ca/order/2');
      expect(entry?.staleRecords?.map((record) => record.value)).toEqual(['old']);
    });

    it('refuses to record an order for a run that does not hold the certificate', async () => {
      await ledger().claim('web', 'exec-1', now, lease);
      await expect(ledger().recordOrder('web', 'exec-2', order('https://ca/order/9', 'exec-2', []))).rejects.toThrow(/no longer holds certificate web/);
    });

    it('notes the pending key version on the order in flight only', async () => {
      // Prepare
      await ledger().claim('web', 'exec-1', now, lease);
      await ledger().recordOrder('web', 'exec-1', order('https://ca/order/1', 'exec-1', ['v1']));

      // Act
      await ledger().recordPendingKey('web', 'https://ca/order/other', 'version-other');
      const untouched = (await ledger().get('web'))?.order;
      await ledger().recordPendingKey('web', 'https://ca/order/1', 'version-1');

      // Assess
      expect(untouched?.pendingKeyVersion).toBeUndefined();
      expect((await ledger().get('web'))?.order?.pendingKeyVersion).toBe('version-1');
    });

    it('remembers an ACM ARN per region and the renewal info, next to each other', async () => {
      // Prepare
      const info = {
        certificateId: 'aki.serial',
        window: { start: '2027-01-01T00:00:00.000Z', end: '2027-01-02T00:00:00.000Z' },
        nextCheckAt: '2026-11-23T10:00:00.000Z',
      };

      // Act
      await ledger().recordAcmArn('web', 'us-east-1', 'arn:aws:acm:us-east-1:123456789012:certificate/a');
      await ledger().recordAcmArn('web', 'eu-west-1', 'arn:aws:acm:eu-west-1:123456789012:certificate/b');
      await ledger().recordRenewalInfo('web', info);

      // Assess
      const entry = await ledger().get('web');
      expect(entry?.acmArns).toEqual({
        'us-east-1': 'arn:aws:acm:us-east-1:123456789012:certificate/a',
        'eu-west-1': 'arn:aws:acm:eu-west-1:123456789012:certificate/b',
      });
      expect(entry?.renewalInfo).toEqual(info);
    });

    it('keeps an order a failure gives up until it is forgotten by URL', async () => {
      // Prepare
      await ledger().claim('web', 'exec-1', now, lease);
      await ledger().recordOrder('web', 'exec-1', order('https://ca/order/1', 'exec-1', ['v1']));

      // Act
      const given = await ledger().finish('web', 'exec-1', {
        result: 'Failed',
        at: now,
        error: 'AcmeOrderInvalid',
        counts: true,
        keepOrder: false,
        abandonedOrders: ['https://ca/order/1'],
      });
      const stored = await ledger().get('web');
      const forgotten = await ledger().forgetAbandonedOrders('web', ['https://ca/order/1'], now);

      // Assess
      expect(given.order).toBeUndefined();
      expect(stored?.abandonedOrders).toEqual([{ url: 'https://ca/order/1', at: now.toISOString() }]);
      expect(forgotten.abandonedOrders).toBeUndefined();
      expect((await ledger().get('web'))?.abandonedOrders).toBeUndefined();
    });

    it('re-applies its change over one another writer landed between its read and its write', async () => {
      // Prepare
      const h = harness();
      await h.ledger().claim('web', 'exec-1', now, lease);
      h.interleave('web', (entry) => ({ ...entry, acmArns: { 'us-east-1': 'arn:x' } }));

      // Act
      await h.ledger().recordOrder('web', 'exec-1', order('https://ca/order/1', 'exec-1', ['v1']));

      // Assess
      const entry = await h.ledger().get('web');
      expect(entry?.order?.url).toBe('https://ca/order/1');
      expect(entry?.acmArns).toEqual({ 'us-east-1': 'arn:x' });
    });

    it('does not let a claim through that another run made between its read and its write', async () => {
      // Prepare: exec-2 claims after exec-1 read the free entry.
      const h = harness();
      await h.ledger().recordAcmArn('web', 'us-east-1', 'arn:x');
      h.interleave('web', (entry) => ({ ...entry, activeRun: { runId: 'exec-2', since: now.toISOString(), leaseUntil: lease.toISOString() } }));

      // Act
      const claim = await h.ledger().claim('web', 'exec-1', now, lease);

      // Assess
      expect(claim).toEqual({ claimed: false, heldBy: 'exec-2', since: now.toISOString() });
      expect((await h.ledger().get('web'))?.activeRun?.runId).toBe('exec-2');
    });
  });
}
