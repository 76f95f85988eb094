/** Certificate Expiring events as PutEvents sends them: batches of ten, and failures named per certificate. */
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBridgeExpiryEvents } from '../../functions/adapters/eventbridge-expiry-events.js';
import type { CertificateExpiring } from '../../functions/ports/expiry-events.js';

const eventbridge = mockClient(EventBridgeClient);
afterEach(() => eventbridge.reset());

const expiring = (index: number): CertificateExpiring => ({
  certificate: `cert-${index}`,
  notAfter: '2027-01-05T00:00:00Z',
  daysUntilExpiry: 4,
  expiryAlarmDays: 14,
});

describe('EventBridgeExpiryEvents', () => {
  it('puts one event per certificate on the default bus, at most ten per call', async () => {
    // Prepare
    const sent: PutEventsCommandInput[] = [];
    eventbridge.on(PutEventsCommand).callsFake(async (input: PutEventsCommandInput) => {
      sent.push(input);
      return { FailedEntryCount: 0, Entries: (input.Entries ?? []).map(() => ({ EventId: 'id' })) };
    });

    // Act
    await new EventBridgeExpiryEvents(new EventBridgeClient({ region: 'eu-west-1' })).certificatesExpiring(
      Array.from({ length: 12 }, (_, index) => expiring(index)),
    );

    // Assess
    expect(sent.map((input) => input.Entries?.length)).toEqual([10, 2]);
    expect(sent[0]?.Entries?.[0]).toEqual({ Source: 'certstep', DetailType: 'Certificate Expiring', Detail: JSON.stringify(expiring(0)) });
    expect(sent[0]?.Entries?.[0]?.EventBusName).toBeUndefined();
  });

  it('sends nothing when no certificate is expiring', async () => {
    await new EventBridgeExpiryEvents(new EventBridgeClient({ region: 'eu-west-1' })).certificatesExpiring([]);
    expect(eventbridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('names the certificates whose events EventBridge did not take, after trying every batch', async () => {
    // Prepare: the second entry of the first batch is refused; the second batch fails whole.
    eventbridge
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ EventId: 'a' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] })
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const events = Array.from({ length: 12 }, (_, index) => expiring(index));

    // Act
    const failure = await new EventBridgeExpiryEvents(new EventBridgeClient({ region: 'eu-west-1', maxAttempts: 1 }))
      .certificatesExpiring(events)
      .catch((error: Error) => error);

    // Assess
    expect(eventbridge.commandCalls(PutEventsCommand)).toHaveLength(2);
    expect(failure).toMatchObject({ name: 'ExpiryEventsFailed' });
    expect((failure as Error).message).toContain('cert-1 (InternalFailure: try again)');
    expect((failure as Error).message).toContain('cert-10 (Rate exceeded (ThrottlingException)), cert-11 (Rate exceeded (ThrottlingException))');
    expect((failure as Error).message).toMatch(/did not take 3 /);
    expect((failure as Error).message).not.toContain('cert-0 ');
  });
});
