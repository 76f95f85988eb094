/**
 * The phases of a dry run one by one against Pebble (which validates every challenge here, so
 * no DNS is needed): Finalize saves no key and records only the public half's hash before the
 * CSR goes out, a retried Finalize after the CA took the CSR still knows it, and
 * StoreCertificate verifies the test certificate as it would a live one, against that hash,
 * then stores nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDependencies } from '../../cli/local/runner.js';
import { FileRunLedger } from '../../functions/adapters/file-ledger.js';
import { FileCertificateStore } from '../../functions/adapters/file-store.js';
import type { CertificateSpec } from '../../functions/core/certificate-spec.js';
import type { DiscardedCertificate, IssuanceProgress, PollProgress, WorkflowState } from '../../functions/core/workflow-state.js';
import { acceptChallenges } from '../../functions/phases/accept-challenges.js';
import { checkRenewal } from '../../functions/phases/check-renewal.js';
import { createOrder } from '../../functions/phases/create-order.js';
import type { PhaseDependencies } from '../../functions/phases/dependencies.js';
import { finalize } from '../../functions/phases/finalize.js';
import { pollOrder } from '../../functions/phases/poll-order.js';
import { storeCertificate } from '../../functions/phases/store-certificate.js';
import { type TestCa, newStore, startTestCa } from '../support/local-ca.js';

let ca: TestCa;
beforeAll(async () => {
  ca = await startTestCa({ pebbleEnv: { PEBBLE_VA_ALWAYS_VALID: '1', PEBBLE_AUTHZREUSE: '0' } });
});
afterAll(async () => {
  await ca?.stop();
});

const certificate: CertificateSpec = { name: 'dry', dnsNames: ['dry.example.test'], issuer: 'local', keyAlgorithm: 'ecdsa-p256', renewBefore: 'P30D' };

async function dependencies() {
  const storeDir = await newStore();
  const store = new FileCertificateStore(storeDir);
  const pendingKeysPut: string[] = [];
  const put = store.putPendingKey.bind(store);
  store.putPendingKey = async (owner, key) => {
    pendingKeysPut.push(owner.name);
    return put(owner, key);
  };
  const deps: PhaseDependencies = { ...localDependencies({ input: null, storeDir, environment: ca.environment }), store, ledger: new FileRunLedger(storeDir) };
  return { deps, store, pendingKeysPut };
}

async function pollUntil(state: WorkflowState, previous: PollProgress, wanted: string, deps: PhaseDependencies) {
  let progress = previous;
  for (let attempt = 0; attempt < 30 && progress.status !== wanted; attempt++) {
    progress = await pollOrder({ certificate: state.certificate, order: state.order as NonNullable<WorkflowState['order']>, previous: progress }, deps);
    if (progress.status !== wanted) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(progress.status).toBe(wanted);
  return progress;
}

/** A dry run as far as a finalized, issued order: CheckRenewal, CreateOrder, AcceptChallenges, Finalize, polling. */
async function finalizedDryRun(deps: PhaseDependencies) {
  const checked = await checkRenewal({ input: { certificate, dryRun: true }, executionId: `dry-${Math.random()}` }, deps);
  const ordered = { ...checked, order: await createOrder(checked, deps) };
  const validation = await acceptChallenges(ordered, deps);
  await pollUntil(ordered, validation, 'ready', deps);
  const issuance = await finalize(ordered, deps);
  const issued = (await pollUntil(ordered, issuance, 'valid', deps)) as IssuanceProgress;
  return { checked, ordered, issuance, issued };
}

describe('a dry run, phase by phase', () => {
  it('is due with reason DryRun, orders at the dry run directory, and saves no private key anywhere', async () => {
    // Prepare
    const { deps, store, pendingKeysPut } = await dependencies();

    // Act
    const { checked, ordered, issuance } = await finalizedDryRun(deps);
    const entry = await deps.ledger.get('dry');

    // Assess
    expect(checked).toMatchObject({ dryRun: true, renewal: { due: true, reason: 'DryRun' }, run: { id: expect.any(String) } });
    expect(ordered.order?.dryRun).toBe(true);
    expect(entry?.order).toBeUndefined();
    expect(entry?.dryRun?.order).toMatchObject({ url: ordered.order?.url, directoryUrl: ca.acme.directoryUrl, publicKeySha256: issuance.publicKeySha256 });
    expect(issuance.publicKeySha256).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(issuance.pendingKeyVersion).toBeUndefined();
    expect(pendingKeysPut).toEqual([]);
    expect(await store.listPendingKeys('dry')).toEqual([]);
    expect(JSON.stringify({ entry, issuance })).not.toContain('PRIVATE KEY');
  });

  it('StoreCertificate verifies the test certificate against the recorded public key, then stores nothing; a retried Finalize still knows the key', async () => {
    // Prepare
    const { deps, store } = await dependencies();
    const { ordered, issuance, issued } = await finalizedDryRun(deps);

    // Act
    const retried = await finalize(ordered, deps);
    const discarded = (await storeCertificate({ ...ordered, issuance: issued }, deps)) as DiscardedCertificate;

    // Assess
    expect(retried.publicKeySha256).toBe(issuance.publicKeySha256);
    expect(retried.detail).toContain('already has its CSR');
    expect(discarded).toMatchObject({ discarded: true, directoryUrl: ca.acme.directoryUrl, dnsNames: ['dry.example.test'] });
    expect(discarded.serialNumber).toMatch(/^[0-9a-f]+$/);
    expect((await store.readCurrent('dry'))?.certificate).toBeUndefined();
  });

  it('StoreCertificate refuses a test certificate that does not certify the recorded key', async () => {
    // Prepare
    const { deps } = await dependencies();
    const { ordered, issued } = await finalizedDryRun(deps);
    const otherKey = { ...issued, publicKeySha256: 'A'.repeat(43) };

    // Act
    const refused = storeCertificate({ ...ordered, issuance: otherKey }, deps);

    // Assess
    await expect(refused).rejects.toMatchObject({
      name: 'CertificateVerificationFailed',
      message: 'the test certificate failed verification: the certificate does not match the key the dry run sent its CSR for',
    });
  });
});
