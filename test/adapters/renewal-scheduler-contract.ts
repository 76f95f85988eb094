/**
 * What the EventBridge Scheduler adapter promises the phases, as one suite run against the
 * stateful Scheduler stand-in (test/support/aws-fakes.ts) and against moto_server: the one
 * schedule of a certificate is created, then replaced (upsert), read back as it was scheduled,
 * never in the past, and each certificate has its own.
 */
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import { describe, expect, it } from 'vitest';
import { EventBridgeRenewalScheduler } from '../../functions/adapters/eventbridge-scheduler.js';
import type { ExecutionInput } from '../../functions/core/certificate-spec.js';

export interface SchedulerHarness {
  /** A client on which the schedule group exists and holds no schedule, for each case. */
  client(): SchedulerClient;
  readonly groupName: string;
}

export const NOW = new Date('2026-11-22T10:00:00Z');
const input = (name: string): ExecutionInput => ({
  certificate: { name, dnsNames: [`${name}.example.com`, `*.${name}.example.com`], issuer: 'letsencrypt', keyAlgorithm: 'ecdsa-p256', renewBefore: 'P30D' },
  force: false,
});

export function schedulerFor(h: SchedulerHarness): EventBridgeRenewalScheduler {
  return new EventBridgeRenewalScheduler({
    client: h.client(),
    groupName: h.groupName,
    stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:certstep',
    roleArn: 'arn:aws:iam::123456789012:role/certstep-scheduler',
    deadLetterQueueArn: 'arn:aws:sqs:us-east-1:123456789012:certstep-dlq',
    clock: () => NOW,
  });
}

export function describeRenewalSchedulerContract(label: string, harness: () => SchedulerHarness): void {
  describe(`renewal scheduler contract: EventBridge Scheduler on ${label}`, () => {
    it('knows no schedule for a certificate never scheduled', async () => {
      expect(await schedulerFor(harness()).get('web')).toBeUndefined();
    });

    it('creates the schedule of a certificate that has none, and reads it back as scheduled', async () => {
      // Prepare
      const h = harness();

      // Act
      const result = await schedulerFor(h).schedule({ certificateName: 'web', at: '2027-01-21T05:34:56.000Z', input: input('web') });

      // Assess
      expect(result).toEqual({ scheduleId: `${h.groupName}/web` });
      expect(await schedulerFor(h).get('web')).toEqual({ certificateName: 'web', at: '2027-01-21T05:34:56.000Z', input: input('web'), kind: 'renewal' });
    });

    it('replaces the schedule when scheduled again (a retry after a renewal), one schedule per certificate', async () => {
      // Prepare
      const h = harness();
      await schedulerFor(h).schedule({ certificateName: 'web', at: '2027-01-21T05:34:56.000Z', input: input('web') });

      // Act
      await schedulerFor(h).schedule({ certificateName: 'web', at: '2026-11-23T00:00:00.000Z', input: { ...input('web'), force: true }, kind: 'retry' });

      // Assess
      expect(await schedulerFor(h).get('web')).toEqual({
        certificateName: 'web',
        at: '2026-11-23T00:00:00.000Z',
        input: { ...input('web'), force: true },
        kind: 'retry',
      });
    });

    it('never schedules in the past: a renewal time already gone fires a minute from now', async () => {
      const h = harness();
      await schedulerFor(h).schedule({ certificateName: 'web', at: '2020-01-01T00:00:00.000Z', input: input('web') });
      expect((await schedulerFor(h).get('web'))?.at).toBe(new Date(NOW.getTime() + 60_000).toISOString());
    });

    it("keeps each certificate's schedule to itself", async () => {
      // Prepare
      const h = harness();

      // Act
      await schedulerFor(h).schedule({ certificateName: 'web', at: '2027-01-21T05:34:56.000Z', input: input('web') });
      await schedulerFor(h).schedule({ certificateName: 'api', at: '2027-02-01T00:00:00.000Z', input: input('api') });

      // Assess
      expect((await schedulerFor(h).get('web'))?.at).toBe('2027-01-21T05:34:56.000Z');
      expect((await schedulerFor(h).get('api'))?.input).toEqual(input('api'));
    });
  });
}
