/**
 * CleanUp's success path lists the certificate's pending keys (to drop those no order will use)
 * unless StoreCertificate's store said none was left: on AWS the one AWSPENDING label came off
 * the key just stored, so the DescribeSecret could only answer "none".
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileRunLedger } from '../../functions/adapters/file-ledger.js';
import { FileCertificateStore } from '../../functions/adapters/file-store.js';
import type { CertificateSpec } from '../../functions/core/certificate-spec.js';
import type { IssuedSummary, WorkflowState } from '../../functions/core/workflow-state.js';
import { cleanUp } from '../../functions/phases/clean-up.js';
import { claimedRun, quietCleanUpDependencies } from '../support/phase-runs.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const WWW: CertificateSpec = { name: 'www', dnsNames: ['www.example.com'], issuer: 'sim', keyAlgorithm: 'ecdsa-p256', renewBefore: 'P30D' };
const KEY = { keyAlgorithm: 'ecdsa-p256' as const, privateKeyPem: 'PEM' };
const ISSUED: IssuedSummary = {
  serialNumber: '0a01',
  notBefore: '2026-06-01T00:00:00.000Z',
  notAfter: '2026-08-30T00:00:00.000Z',
  renewalTime: '2026-07-31T00:00:00.000Z',
  revision: 1,
  dnsNames: ['www.example.com'],
  versionId: 'v1',
};

async function issuedRun(issued: IssuedSummary) {
  const root = await mkdtemp(path.join(tmpdir(), 'certstep-pending-listing-'));
  const store = new FileCertificateStore(path.join(root, 'store'));
  const ledger = new FileRunLedger(path.join(root, 'ledger'));
  const state = await claimedRun(ledger, WWW, 'run-1', NOW);
  // A key an earlier, abandoned order left: only a listing finds it.
  const left = await store.putPendingKey(WWW, { ...KEY, orderUrl: 'https://ca.example/order/old' });
  const listed: string[] = [];
  const list = store.listPendingKeys.bind(store);
  store.listPendingKeys = async (name) => {
    listed.push(name);
    return list(name);
  };
  const input = { ...state, renewal: { due: true, reason: 'Forced', message: 'test', currentRevision: 0 }, issued } as WorkflowState;
  return { store, input, deps: quietCleanUpDependencies(ledger, store, NOW), listed, left };
}

describe("CleanUp's success path and the pending keys", () => {
  it('lists and drops the pending keys when the store did not say none was left', async () => {
    // Prepare
    const { store, input, deps, listed, left } = await issuedRun(ISSUED);

    // Act
    await cleanUp(input, deps, 'arn:execution');

    // Assess
    expect(listed).toEqual(['www']);
    expect(await store.getPendingKey('www', left.versionId)).toBeUndefined();
  });

  it('does not list them when StoreCertificate reported none left', async () => {
    // Prepare
    const { input, deps, listed } = await issuedRun({ ...ISSUED, noPendingKeys: true });

    // Act
    const result = await cleanUp(input, deps, 'arn:execution');

    // Assess
    expect(listed).toEqual([]);
    expect(result.event).toMatchObject({ outcome: 'Issued' });
  });
});
