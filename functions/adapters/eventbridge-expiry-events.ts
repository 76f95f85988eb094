/**
 * `Certificate Expiring` events on the account's default EventBridge bus (source `certstep`);
 * the stack's rule turns each into a notification naming the certificate.
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { CertificateExpiring, ExpiryEvents } from '../ports/expiry-events.js';
import { classifyAwsError } from './aws-errors.js';
import { EVENT_SOURCE, EXPIRING_DETAIL_TYPE } from '../core/run-event.js';

export const EXPIRY_EVENT = { source: EVENT_SOURCE, detailType: EXPIRING_DETAIL_TYPE } as const;

/** PutEvents takes at most 10 entries a call. */
const BATCH = 10;

/** Some events did not reach the bus; the message names their certificates and EventBridge's reasons. */
export class ExpiryEventsFailed extends Error {
  override readonly name = 'ExpiryEventsFailed' as const;
}

export class EventBridgeExpiryEvents implements ExpiryEvents {
  constructor(private readonly client: EventBridgeClient) {}

  async certificatesExpiring(events: readonly CertificateExpiring[]): Promise<void> {
    const failed: string[] = [];
    for (let start = 0; start < events.length; start += BATCH) {
      const batch = events.slice(start, start + BATCH);
      try {
        const answer = await this.client.send(
          new PutEventsCommand({
            Entries: batch.map((event) => ({ Source: EXPIRY_EVENT.source, DetailType: EXPIRY_EVENT.detailType, Detail: JSON.stringify(event) })),
          }),
        );
        (answer.Entries ?? []).forEach((entry, index) => {
          if (entry.ErrorCode) failed.push(`${batch[index]?.certificate} (${entry.ErrorCode}: ${entry.ErrorMessage ?? ''})`);
        });
      } catch (error) {
        failed.push(...batch.map((event) => `${event.certificate} (${classifyAwsError(error).said})`));
      }
    }
    if (failed.length > 0) throw new ExpiryEventsFailed(`PutEvents did not take ${failed.length} Certificate Expiring event(s): ${failed.join(', ')}`);
  }
}
