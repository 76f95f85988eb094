/**
 * RFC 8555 §7.5.2 against Pebble: what the phases deactivate when they abandon an order is
 * deactivated at a real CA, and the order it belonged to can no longer succeed; wired as on AWS
 * (CleanUp without the CA client), the next run's CreateOrder does it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDependencies } from '../../cli/local/runner.js';
import type { CertificateSpec } from '../../functions/core/certificate-spec.js';
import type { WorkflowState } from '../../functions/core/workflow-state.js';
import { deactivatePendingAuthorizations } from '../../functions/phases/abandon-order.js';
import { cleanUp } from '../../functions/phases/clean-up.js';
import { createOrder } from '../../functions/phases/create-order.js';
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

describe('an order a failure spends, with a clean-up that has no CA client (as on AWS)', () => {
  it("is left pending by the clean-up, and deactivated by the next run's CreateOrder", async () => {
    // Prepare: the local wiring, less the CA client for CleanUp, as the CleanUp Lambda is.
    const storeDir = await newStore();
    const deps = localDependencies({ input: {}, storeDir, environment: ca.environment });
    const { acme: _none, ...withoutCa } = deps;
    const gateway = await recordingAcme(ca.environment, storeDir).gateway();
    const certificate: CertificateSpec = {
      name: 'spent',
      dnsNames: ['one.spent.example.test', 'two.spent.example.test'],
      issuer: 'local',
      keyAlgorithm: 'ecdsa-p256',
      renewBefore: 'P30D',
    };
    const run = async (id: string): Promise<WorkflowState> => {
      const claim = await deps.ledger.claim(certificate.name, id, deps.clock(), new Date(Date.now() + 3_600_000));
      expect(claim.claimed).toBe(true);
      return { certificate, force: false, run: { id }, renewal: { due: true, reason: 'Forced', message: 'test', currentRevision: 0 } } as WorkflowState;
    };
    const first = await run('run-1');
    const spent = await createOrder(first, deps);
    await cleanUp({ ...first, order: spent, failure: { Error: 'AcmeRequestRejected', Cause: 'the CA rejected the request' } }, withoutCa);
    const statuses = async () => Promise.all(spent.challenges.map(async (challenge) => (await gateway.getAuthorization(challenge.authorizationUrl)).status));
    const afterCleanUp = { statuses: await statuses(), ledger: await deps.ledger.get(certificate.name) };

    // Act
    const next = await createOrder(await run('run-2'), deps);

    // Assess
    expect(afterCleanUp.statuses).toEqual(['pending', 'pending']);
    expect(afterCleanUp.ledger?.abandonedOrders?.map((order) => order.url)).toEqual([spent.url]);
    expect(next.url).not.toBe(spent.url);
    expect(await statuses()).toEqual(['deactivated', 'deactivated']);
    expect((await deps.ledger.get(certificate.name))?.abandonedOrders).toBeUndefined();
  });
});
