/**
 * RFC 8555 §7.5.2 against Pebble: what the phases deactivate when they abandon an order is
 * deactivated at a real CA, and the order it belonged to can no longer succeed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deactivatePendingAuthorizations } from '../../functions/phases/abandon-order.js';
import { recordingAcme } from '../support/faults/acme.js';
import { type TestCa, newStore, startTestCa } from '../support/local-ca.js';

let ca: TestCa;
beforeAll(async () => {
  // No authorization reuse: every authorization of a new order starts pending.
  ca = await startTestCa({ pebbleEnv: { PEBBLE_AUTHZREUSE: '0' } });
});
afterAll(async () => {
  await ca?.stop();
});

describe('deactivating an abandoned order against Pebble', () => {
  it('deactivates its pending authorizations, keeps the ones named, and the order can no longer be resumed', async () => {
    // Prepare
    const gateway = await recordingAcme(ca.environment, await newStore()).gateway();
    const order = await gateway.createOrder(['one.abandoned.example.test', 'two.abandoned.example.test']);
    const [first, second] = order.authorizationUrls as [string, string];

    // Act
    const outcome = await deactivatePendingAuthorizations(gateway, order.url, [second]);

    // Assess
    expect(outcome).toEqual({ deactivated: 1 });
    expect((await gateway.getAuthorization(first)).status).toBe('deactivated');
    expect((await gateway.getAuthorization(second)).status).toBe('pending');
    // RFC 8555 §7.1.6 would make it invalid; Pebble 2.4 answers "deactivated", outside the
    // order states. Either way it is not one a run resumes (create-order.ts RESUMABLE).
    expect(['invalid', 'deactivated']).toContain((await gateway.getOrder(order.url)).status);
  });
});
