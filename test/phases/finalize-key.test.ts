/**
 * Which key Finalize's CSR carries: the one it just put when the store says it went in (no read
 * back), and the key another attempt saved under the order's version when the store kept that
 * one. The CA and key manager are stand-ins that record what they are given.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileRunLedger } from '../../functions/adapters/file-ledger.js';
import { FileCertificateStore } from '../../functions/adapters/file-store.js';
import type { CertificateSpec } from '../../functions/core/certificate-spec.js';
import type { WorkflowState } from '../../functions/core/workflow-state.js';
import type { PhaseDependencies } from '../../functions/phases/dependencies.js';
import { finalize } from '../../functions/phases/finalize.js';
import type { AcmeGateway, AcmeOrder } from '../../functions/ports/acme-gateway.js';
import type { KeyManager } from '../../functions/ports/key-manager.js';

const WWW: CertificateSpec = { name: 'www', dnsNames: ['www.example.com'], issuer: 'sim', keyAlgorithm: 'ecdsa-p256', renewBefore: 'P30D' };
const ORDER_URL = 'https://ca.example/order/1';

async function finalizing() {
  const root = await mkdtemp(path.join(tmpdir(), 'certstep-finalize-key-'));
  const store = new FileCertificateStore(path.join(root, 'store'));
  const ledger = new FileRunLedger(path.join(root, 'ledger'));
  const csrKeys: string[] = [];
  const reads: string[] = [];
  const get = store.getPendingKey.bind(store);
  store.getPendingKey = async (name, versionId) => {
    reads.push(versionId);
    return get(name, versionId);
  };
  const order: AcmeOrder = { url: ORDER_URL, status: 'ready', finalizeUrl: `${ORDER_URL}/finalize`, authorizationUrls: [] } as unknown as AcmeOrder;
  const gateway = {
    getOrder: async () => order,
    finalizeOrder: async (given: AcmeOrder) => ({ ...given, status: 'processing' }),
  } as unknown as AcmeGateway;
  const keys = {
    generatePrivateKey: async () => 'FRESH KEY',
    createCsr: async (_names: readonly string[], privateKeyPem: string) => {
      csrKeys.push(privateKeyPem);
      return 'CSR';
    },
  } as unknown as KeyManager;
  const deps = {
    acme: async () => gateway,
    store,
    ledger,
    keys,
    issuancePolling: { initialWaitSeconds: 0, intervalSeconds: 0, maxAttempts: 1 },
  } as unknown as Pick<PhaseDependencies, 'acme' | 'store' | 'ledger' | 'keys' | 'issuancePolling'>;
  const state = { certificate: WWW, force: false, run: { id: 'run-1' }, order: { url: ORDER_URL } } as unknown as WorkflowState;
  return { store, deps, state, csrKeys, reads };
}

describe("Finalize's CSR key", () => {
  it('is the key it just put, without reading it back', async () => {
    const { deps, state, csrKeys, reads } = await finalizing();

    const progress = await finalize(state, deps);

    expect(csrKeys).toEqual(['FRESH KEY']);
    expect(reads).toEqual([]);
    expect(progress.pendingKeyVersion).toBeDefined();
  });

  it('is the key an earlier attempt saved for the order when the store kept that one', async () => {
    // An attempt that died after saving its key and before recording it in the ledger.
    const { store, deps, state, csrKeys } = await finalizing();
    await store.putPendingKey(WWW, { orderUrl: ORDER_URL, keyAlgorithm: 'ecdsa-p256', privateKeyPem: 'EARLIER KEY' });

    await finalize(state, deps);

    expect(csrKeys).toEqual(['EARLIER KEY']);
  });
});
