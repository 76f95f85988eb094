/**
 * A dry run in both run ledgers (the file under its lock, the DynamoDB item under its version
 * condition): it claims like any run, keeps its order apart, and when it ends only the claim,
 * its own record, recentRuns and lastDryRun change; every field a live run reads stays.
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbRunLedger } from '../../functions/adapters/dynamodb-ledger.js';
import { FileRunLedger } from '../../functions/adapters/file-ledger.js';
import type { DryRunOrder, InFlightOrder, LedgerEntry, RunLedger } from '../../functions/ports/run-ledger.js';
import { statefulDynamo } from '../support/aws-fakes.js';
import { newStore } from '../support/local-ca.js';

const dynamo = mockClient(DynamoDBClient);
const now = new Date('2026-11-22T10:00:00.000Z');
const lease = new Date('2026-11-22T12:00:00.000Z');
const later = new Date('2026-11-22T10:05:00.000Z');

const record = (value: string) => ({ dnsName: 'web.example.com', recordName: '_acme-challenge.web.example.com', value });
const liveOrder: InFlightOrder = { url: 'https://ca.test/order/live', specHash: 'h', runId: 'live-1', createdAt: now.toISOString(), records: [record('live')] };
const dryOrder = (url: string, values: string[]): DryRunOrder => ({
  url,
  specHash: 'h',
  createdAt: now.toISOString(),
  directoryUrl: 'https://staging.ca.test/directory',
  records: values.map(record),
});

/** What a live run reads of the entry. */
function liveFields(entry: LedgerEntry | undefined) {
  const { lastResult, lastRunAt, lastError, consecutiveFailures, nextAttemptAfter, order, acmArns, renewalInfo } = entry ?? ({} as LedgerEntry);
  return { lastResult, lastRunAt, lastError, consecutiveFailures, nextAttemptAfter, order, acmArns, renewalInfo };
}

/** A live history: issued once, then a failed run that keeps its order in flight and holds back. */
async function withLiveHistory(ledger: RunLedger): Promise<LedgerEntry> {
  await ledger.claim('web', 'live-0', now, lease);
  await ledger.recordAcmArn('web', 'eu-west-1', 'arn:aws:acm:eu-west-1:123456789012:certificate/x');
  await ledger.recordRenewalInfo('web', {
    certificateId: 'id',
    window: { start: now.toISOString(), end: later.toISOString() },
    nextCheckAt: later.toISOString(),
  });
  await ledger.finish('web', 'live-0', { result: 'Issued', at: now });
  await ledger.claim('web', 'live-1', now, lease);
  await ledger.recordOrder('web', 'live-1', liveOrder);
  return ledger.finish('web', 'live-1', { result: 'Failed', at: now, error: 'AcmeServerError', cause: 'busy', keepOrder: true });
}

const ledgers: [string, () => Promise<RunLedger>][] = [
  ['FileRunLedger', async () => new FileRunLedger(await newStore())],
  ['DynamoDbRunLedger', async () => new DynamoDbRunLedger(new DynamoDBClient({ region: 'eu-west-1' }), 'certstep-ledger')],
];

beforeEach(() => {
  dynamo.reset();
  statefulDynamo(dynamo);
});

describe.each(ledgers)('a dry run in the %s', (_name, make) => {
  it('keeps its order apart and, once finished, has changed no live field; lastDryRun says how it ended', async () => {
    // Prepare
    const ledger = await make();
    const before = await withLiveHistory(ledger);
    expect(before).toMatchObject({ consecutiveFailures: 1, order: { url: liveOrder.url } });

    // Act
    const claim = await ledger.claim('web', 'dry-1', later, lease);
    await ledger.recordDryRunOrder('web', 'dry-1', dryOrder('https://staging.ca.test/order/1', ['a', 'b']));
    await ledger.recordDryRunKey('web', 'https://staging.ca.test/order/1', 'spki-sha256');
    const during = await ledger.get('web');
    const after = await ledger.finishDryRun('web', 'dry-1', {
      result: 'Succeeded',
      at: later,
      directoryUrl: 'https://staging.ca.test/directory',
      serial: 'ab12',
    });

    // Assess
    expect(claim.claimed).toBe(true);
    expect(during?.dryRun).toEqual({ runId: 'dry-1', order: { ...dryOrder('https://staging.ca.test/order/1', ['a', 'b']), publicKeySha256: 'spki-sha256' } });
    expect(liveFields(during)).toEqual(liveFields(before));
    expect(liveFields(after)).toEqual(liveFields(before));
    expect(after.activeRun).toBeUndefined();
    expect(after.dryRun).toBeUndefined();
    expect(after.lastDryRun).toEqual({ at: later.toISOString(), result: 'Succeeded', directoryUrl: 'https://staging.ca.test/directory', serial: 'ab12' });
    expect(await ledger.get('web')).toEqual(after);
  });

  it('after a failure counts nothing, gives its own order up and keeps the values it could not remove', async () => {
    // Prepare
    const ledger = await make();
    const before = await withLiveHistory(ledger);
    await ledger.claim('web', 'dry-1', later, lease);
    await ledger.recordDryRunOrder('web', 'dry-1', dryOrder('https://staging.ca.test/order/1', ['a']));

    // Act
    const after = await ledger.finishDryRun('web', 'dry-1', {
      result: 'Failed',
      at: later,
      error: 'AcmeOrderInvalid',
      cause: 'the CA refused the order',
      staleRecords: [record('a')],
      abandonedOrders: ['https://staging.ca.test/order/1'],
    });

    // Assess
    expect(liveFields(after)).toEqual(liveFields(before));
    expect(after.lastDryRun).toEqual({ at: later.toISOString(), result: 'Failed', error: 'AcmeOrderInvalid', cause: 'the CA refused the order' });
    expect(after.staleRecords).toEqual([record('a')]);
    expect(after.abandonedOrders).toEqual([{ url: 'https://staging.ca.test/order/1', at: later.toISOString() }]);
  });

  it('finishes once: a second finish (a retried clean-up, a late sweeper) changes nothing', async () => {
    // Prepare
    const ledger = await make();
    await ledger.claim('web', 'dry-1', now, lease);
    const first = await ledger.finishDryRun('web', 'dry-1', { result: 'Succeeded', at: now });

    // Act
    const second = await ledger.finishDryRun('web', 'dry-1', { result: 'Failed', at: later, error: 'ExecutionAborted' });

    // Assess
    expect(second).toEqual(first);
    expect(second.lastDryRun).toEqual({ at: now.toISOString(), result: 'Succeeded' });
  });

  it('excludes a live run while it holds the certificate, and is excluded by one', async () => {
    // Prepare
    const ledger = await make();

    // Act
    await ledger.claim('web', 'dry-1', now, lease);
    const liveWhileDry = await ledger.claim('web', 'live-1', now, lease);
    await ledger.finishDryRun('web', 'dry-1', { result: 'Succeeded', at: now });
    await ledger.claim('web', 'live-2', now, lease);
    const dryWhileLive = await ledger.claim('web', 'dry-2', now, lease);

    // Assess
    expect(liveWhileDry).toEqual({ claimed: false, heldBy: 'dry-1', since: now.toISOString() });
    expect(dryWhileLive).toEqual({ claimed: false, heldBy: 'live-2', since: now.toISOString() });
    await expect(ledger.recordDryRunOrder('web', 'dry-2', dryOrder('https://staging.ca.test/order/2', ['c']))).rejects.toMatchObject({ name: 'InvalidState' });
  });

  it('hands what a replaced dry-run order asked for to staleRecords, and a live run that takes over drops a dead dry run', async () => {
    // Prepare
    const ledger = await make();
    await ledger.claim('web', 'dry-1', now, lease);
    await ledger.recordDryRunOrder('web', 'dry-1', dryOrder('https://staging.ca.test/order/1', ['a']));

    // Act
    await ledger.recordDryRunOrder('web', 'dry-1', dryOrder('https://staging.ca.test/order/2', ['b']));
    const replaced = await ledger.get('web');
    // The dry run died; its lease ran out and a live run took the certificate over.
    await ledger.claim('web', 'live-1', new Date(lease.getTime() + 1), new Date(lease.getTime() + 3_600_000));
    const takenOver = await ledger.finish('web', 'live-1', { result: 'Repaired', at: lease });

    // Assess
    expect(replaced?.staleRecords).toEqual([record('a')]);
    expect(replaced?.dryRun?.order?.url).toBe('https://staging.ca.test/order/2');
    expect(takenOver.dryRun).toBeUndefined();
  });
});

describe('DynamoDbRunLedger and a dry run', () => {
  it('writes only the claim, the dry run fields and recentRuns: every other attribute of the entry is as it was', async () => {
    // Prepare
    const ledger = new DynamoDbRunLedger(new DynamoDBClient({ region: 'eu-west-1' }), 'certstep-ledger');
    await withLiveHistory(ledger);
    const writesBefore = dynamo.commandCalls(PutItemCommand).length;
    const entryBefore = await ledger.get('web');

    // Act
    await ledger.claim('web', 'dry-1', later, lease);
    await ledger.recordDryRunOrder('web', 'dry-1', dryOrder('https://staging.ca.test/order/1', ['a']));
    await ledger.finishDryRun('web', 'dry-1', { result: 'Succeeded', at: later });

    // Assess
    const written = dynamo
      .commandCalls(PutItemCommand)
      .slice(writesBefore)
      .map((call) => JSON.parse(call.args[0].input.Item?.entry?.S ?? '{}') as Record<string, unknown>);
    expect(written).toHaveLength(3);
    for (const entry of written) {
      const changed = Object.keys({ ...entry, ...entryBefore }).filter(
        (key) => JSON.stringify(entry[key]) !== JSON.stringify((entryBefore as unknown as Record<string, unknown>)[key]),
      );
      expect(
        changed.every((key) => ['activeRun', 'dryRun', 'lastDryRun', 'recentRuns'].includes(key)),
        changed.join(', '),
      ).toBe(true);
    }
  });
});
