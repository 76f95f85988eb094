/**
 * When Finalize looks the order up before sending the CSR (issue 18): not when this run's last
 * answer from the CA said `ready`, always when a CSR of this run may already have gone out (a
 * key for the order is in the run ledger) or the last answer said anything else. Against the
 * simulated CA (test/lifetime/sim-ca.ts), which issues while answering the CSR.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { acmeClientKeys } from '../../functions/adapters/acme-client-keys.js';
import { FileRunLedger } from '../../functions/adapters/file-ledger.js';
import { FileCertificateStore } from '../../functions/adapters/file-store.js';
import type { CertificateSpec } from '../../functions/core/certificate-spec.js';
import type { PollProgress, WorkflowState } from '../../functions/core/workflow-state.js';
import { acceptChallenges } from '../../functions/phases/accept-challenges.js';
import { createOrder } from '../../functions/phases/create-order.js';
import { finalize } from '../../functions/phases/finalize.js';
import { pollOrder } from '../../functions/phases/poll-order.js';
import type { AcmeGateway } from '../../functions/ports/acme-gateway.js';
import { SimulatedCa } from '../lifetime/sim-ca.js';
import { claimedRun } from '../support/phase-runs.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const certificate: CertificateSpec = { name: 'web', dnsNames: ['web.example.com'], issuer: 'sim', keyAlgorithm: 'ecdsa-p256', renewBefore: 'P30D' };
const polling = { initialWaitSeconds: 0, intervalSeconds: 1, maxAttempts: 5 };

let calls: string[];
/** The CA takes the CSR and then fails to issue (sim-ca.ts issuanceFails). */
let issuanceFails: boolean;
let deps: Parameters<typeof finalize>[1] & Parameters<typeof createOrder>[1] & Parameters<typeof pollOrder>[1];

beforeEach(async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'certstep-finalize-lookups-'));
  const txt = new Map<string, string[]>();
  let seed = 7;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return (seed - 1) / 2147483646;
  };
  issuanceFails = false;
  const ca = new SimulatedCa({ now: () => NOW, random, lookupTxt: (name) => txt.get(name) ?? [], issuanceFails: () => issuanceFails });
  const inner = ca.gateway('account-1');
  calls = [];
  // Every challenge value is published as soon as the CA hands it out: DNS is beside the point here.
  const gateway: AcmeGateway = {
    ...inner,
    account: () => inner.account(),
    createOrder: (names, options) => inner.createOrder(names, options),
    getAuthorization: async (url) => {
      const authorization = await inner.getAuthorization(url);
      if (authorization.challenge) txt.set(`_acme-challenge.${authorization.dnsName}`, [authorization.challenge.txtValue]);
      return authorization;
    },
    getOrder: (url) => {
      calls.push('getOrder');
      return inner.getOrder(url);
    },
    finalizeOrder: (order, csr) => {
      calls.push('finalizeOrder');
      return inner.finalizeOrder(order, csr);
    },
  };
  const ledger = new FileRunLedger(path.join(root, 'ledger'));
  deps = {
    acme: async () => gateway,
    store: new FileCertificateStore(path.join(root, 'store')),
    ledger,
    keys: acmeClientKeys,
    clock: () => NOW,
    validationPolling: polling,
    issuancePolling: polling,
  };
});

/** A run up to the poll that found every authorization valid, as the state machine hands it to Finalize. */
async function validated(): Promise<WorkflowState & { validation: PollProgress }> {
  const claimed = await claimedRun(deps.ledger, certificate, 'run-1', NOW);
  const ordered = { ...claimed, order: await createOrder(claimed, deps) };
  const accepted = await acceptChallenges(ordered, deps);
  const validation = await pollOrder({ certificate, order: ordered.order, previous: accepted }, deps);
  expect(validation.status).toBe('ready');
  calls = [];
  return { ...ordered, validation };
}

describe('Finalize and the order it is handed', () => {
  it('sends the CSR without looking the order up again when this run last heard it was ready', async () => {
    // Prepare
    const state = await validated();

    // Act
    const issuance = await finalize(state, deps);

    // Assess
    expect(calls).toEqual(['finalizeOrder']);
    expect(issuance).toMatchObject({ status: 'valid', certificateUrl: expect.any(String), pendingKeyVersion: expect.any(String) });
  });

  it('looks the order up first when the last answer was not `ready`, and sends the CSR when the CA says it is', async () => {
    // Prepare: the order as newOrder answered it (pending); the CA has validated it since.
    const { validation: _validation, ...state } = await validated();

    // Act
    const issuance = await finalize(state, deps);

    // Assess
    expect(state.order?.status).toBe('pending');
    expect(calls).toEqual(['getOrder', 'finalizeOrder']);
    expect(issuance.status).toBe('valid');
  });

  it('looks the order up on a retry after the CSR went out, and sends no second CSR', async () => {
    // Prepare: the first attempt's CSR was taken; its answer was lost with the Lambda.
    const state = await validated();
    const first = await finalize(state, deps);
    calls = [];

    // Act
    const retried = await finalize(state, deps);

    // Assess
    expect(calls).toEqual(['getOrder']);
    expect(retried).toMatchObject({ status: 'valid', certificateUrl: first.certificateUrl, pendingKeyVersion: first.pendingKeyVersion });
  });

  it('says why when the CA answers the CSR with an invalid order, since nothing polls it afterwards', async () => {
    // Prepare
    const state = await validated();
    issuanceFails = true;

    // Act
    const issuance = await finalize(state, deps);

    // Assess
    expect(issuance.status).toBe('invalid');
    expect(issuance.detail).toBe('the CA refused the order: the CA could not issue the certificate for this order (serverInternal)');
  });
});
