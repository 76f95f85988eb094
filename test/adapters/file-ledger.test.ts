/**
 * The file run ledger keeps what the transitions decide across processes: each change is read
 * from and written to `ledger/<name>.json` under the lock, so a fresh ledger on the same
 * directory (another local run) sees it, and two changes at once are both kept.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { FileRunLedger } from '../../functions/adapters/file-ledger.js';

const now = new Date('2026-11-22T10:00:00.000Z');
const lease = new Date('2026-11-22T12:00:00.000Z');
let root: string;
const ledger = () => new FileRunLedger(root);

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'certstep-file-ledger-'));
});

/** A run that ordered `url` and failed in a way that spent it. */
async function spentRun(runId: string, url: string) {
  await ledger().claim('web', runId, now, lease);
  await ledger().recordOrder('web', runId, { url, specHash: 'h', runId, createdAt: now.toISOString(), records: [] });
  return ledger().finish('web', runId, { result: 'Failed', at: now, error: 'AcmeOrderInvalid', counts: true, keepOrder: false, abandonedOrders: [url] });
}

describe('FileRunLedger, abandoned orders', () => {
  it('keeps an order a failure gives up on disk, and forgets only the URLs named while a clean-up gives up another', async () => {
    // Prepare
    await spentRun('run-1', 'https://ca/order/1');
    const stored = await ledger().get('web');

    // Act: the forgetting and a second clean-up at once; the lock orders them either way.
    await Promise.all([ledger().forgetAbandonedOrders('web', ['https://ca/order/1'], now), spentRun('run-2', 'https://ca/order/2')]);

    // Assess
    expect(stored?.order).toBeUndefined();
    expect(stored?.abandonedOrders).toEqual([{ url: 'https://ca/order/1', at: now.toISOString() }]);
    expect((await ledger().get('web'))?.abandonedOrders).toEqual([{ url: 'https://ca/order/2', at: now.toISOString() }]);
  });
});
