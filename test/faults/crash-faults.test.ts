/**
 * Faults after the CA has signed: a Lambda that dies before the certificate is stored, and a
 * store that refuses for good until someone fixes a policy, then the next run. The certificate
 * the CA issued must not be lost, no second order may be placed, and the key saved before
 * finalize must be the one stored; the execution record must name the Task that failed.
 * (A store that is briefly unavailable is covered by test/e2e/route53-issuance.test.ts,
 * "a store failure after issuance".)
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileCertificateStore } from '../../functions/adapters/file-store.js';
import { DnsChangeRejected, StoreAccessDenied } from '../../functions/core/errors.js';
import type { IssuanceProgress, IssuedSummary, WorkflowState } from '../../functions/core/workflow-state.js';
import type { PendingKey } from '../../functions/ports/certificate-store.js';
import type { DnsProvider } from '../../functions/ports/dns-provider.js';
import { type TestCa, newStore, opensslVerify, readStored, spec, startTestCa, statesEntered } from '../support/local-ca.js';
import { lambdaDied, recordingAcme } from '../support/faults/acme.js';
import { captureOutput, expectFailedCleanly, expectIssued, expectNoKeyMaterial, inputOf, retriedStates, timesEntered } from '../support/faults/invariants.js';

let ca: TestCa;
beforeAll(async () => {
  ca = await startTestCa({ pebbleEnv: { PEBBLE_AUTHZREUSE: '0' } });
});
afterAll(async () => {
  await ca?.stop();
});

/** A file store that remembers every pending key it saved (in memory only), and can refuse makeCurrent. */
function watchedStore(storeDir: string, makeCurrentFails = false) {
  const store = new FileCertificateStore(storeDir);
  const savedKeys: PendingKey[] = [];
  const watched = Object.assign(Object.create(store) as FileCertificateStore, {
    putPendingKey: async (...args: Parameters<FileCertificateStore['putPendingKey']>) => {
      savedKeys.push(args[1]);
      return store.putPendingKey(...args);
    },
    makeCurrent: async (...args: Parameters<FileCertificateStore['makeCurrent']>) => {
      if (makeCurrentFails) {
        throw new StoreAccessDenied(
          'injected: Secrets Manager PutSecretValue: AccessDeniedException: the KMS key policy does not allow kms:GenerateDataKey for this role',
        );
      }
      return store.makeCurrent(...args);
    },
  });
  return { store: watched, savedKeys };
}

async function issuePrevious(storeDir: string, name: string): Promise<string> {
  const first = await ca.run(spec(name, [`${name}.example.test`]), { storeDir });
  expect(first.status, first.cause).toBe('SUCCEEDED');
  return readFile(first.certificatePath, 'utf8');
}

describe('a Lambda that dies between Finalize and StoreCertificate', () => {
  it('is retried by the state machine: one order, one finalize, the certificate fetched from that order with the key saved before finalize', async () => {
    // Prepare: StoreCertificate's first invocation downloads the certificate, then its Lambda dies.
    const storeDir = await newStore();
    const previous = await issuePrevious(storeDir, 'crash');
    const { store, savedKeys } = watchedStore(storeDir);
    let died = false;
    const recording = recordingAcme(ca.environment, storeDir, (real) => ({
      downloadCertificate: async (url) => {
        const pem = await real.downloadCertificate(url);
        if (!died) {
          died = true;
          throw lambdaDied();
        }
        return pem;
      },
    }));
    const output = captureOutput();

    // Act
    const result = await ca
      .run({ ...spec('crash', ['crash.example.test']), force: true }, { storeDir, dependencies: { store, acme: recording.acme } })
      .finally(output.restore);

    // Assess
    expectIssued(result);
    expect(retriedStates(result)).toEqual(['StoreCertificate']);
    expect([timesEntered(result, 'CreateOrder'), timesEntered(result, 'Finalize')]).toEqual([1, 1]);
    expect([recording.calls.createOrder, recording.calls.finalizeOrder]).toEqual([1, 1]);
    const issuance = inputOf<WorkflowState>(result, 'StoreCertificate').issuance as IssuanceProgress;
    const order = await (await recording.gateway()).getOrder(result.output?.order?.url ?? '');
    expect(recording.calls.downloads).toEqual([order.certificateUrl, order.certificateUrl]);
    expect(issuance.certificateUrl).toBe(order.certificateUrl);
    expect((result.output?.issued as IssuedSummary | undefined)?.versionId).toBe(await new FileCertificateStore(storeDir).currentVersion('crash'));
    const stored = await readStored(result.certificatePath);
    expect(savedKeys.map((key) => key.privateKeyPem)).toEqual([stored['tls.key']]);
    expect(stored.revision).toBe(2);
    expect(await opensslVerify(ca, stored)).toContain('OK');
    expect(await readFile(path.join(storeDir, 'certificates', 'crash.previous.json'), 'utf8')).toBe(previous);
    expect(await ca.txtValues('_acme-challenge.crash.example.test')).toEqual([]);
    await expectNoKeyMaterial(result, storeDir, { output: output.text() });
  });
});

describe('the execution record an operator reads', () => {
  it('names the Task that failed, not the Fail state the run ended in', async () => {
    // Prepare: PresentChallenges fails for good, after an order exists.
    const storeDir = await newStore();
    const rejecting = (dns: DnsProvider): DnsProvider => ({
      timing: dns.timing,
      checkZones: (names) => dns.checkZones(names),
      present: async () => {
        throw new DnsChangeRejected('injected: the zone refused the change');
      },
      cleanUp: (records) => dns.cleanUp(records),
      isPropagated: (records, presented) => dns.isPropagated(records, presented),
    });

    // Act
    const failed = await ca.run(spec('record', ['record.example.test']), { storeDir, wrapDns: rejecting });

    // Assess
    expectFailedCleanly(failed, 'DnsChangeRejected', 'injected: the zone refused the change');
    const directory = path.join(storeDir, 'executions', 'record');
    const [file = ''] = await readdir(directory);
    const summary = JSON.parse(await readFile(path.join(directory, file), 'utf8')) as Record<string, unknown>;
    expect(summary).toMatchObject({ status: 'FAILED', error: 'DnsChangeRejected', failedState: 'PresentChallenges' });
  });
});

describe('a store that refuses until someone fixes it, then the next run', () => {
  it('fails at StoreCertificate keeping the serving certificate; the next run resumes the order and stores the issued certificate with the saved key, without a second order or finalize', async () => {
    // Prepare
    const storeDir = await newStore();
    const previous = await issuePrevious(storeDir, 'resume');
    const broken = watchedStore(storeDir, true);
    const failing = recordingAcme(ca.environment, storeDir);
    const input = { ...spec('resume', ['resume.example.test']), force: true };
    const failed = await ca.run(input, { storeDir, dependencies: { store: broken.store, acme: failing.acme } });
    expectFailedCleanly(failed, 'StoreAccessDenied', 'the KMS key policy does not allow kms:GenerateDataKey');
    expect(retriedStates(failed)).toEqual([]);
    expect(await readFile(failed.certificatePath, 'utf8')).toBe(previous);
    expect(await ca.txtValues('_acme-challenge.resume.example.test')).toEqual([]);

    // Act: the policy is fixed; the next run (the scheduled retry, or an operator's) starts.
    const fixed = watchedStore(storeDir);
    const resuming = recordingAcme(ca.environment, storeDir);
    const output = captureOutput();
    const resumed = await ca.run(input, { storeDir, dependencies: { store: fixed.store, acme: resuming.acme } }).finally(output.restore);

    // Assess
    expectIssued(resumed);
    expect(resumed.output?.order).toMatchObject({
      url: failed.output?.order?.url ?? inputOf<WorkflowState>(failed, 'StoreCertificate').order?.url,
      status: 'valid',
      resumed: true,
    });
    expect(statesEntered(resumed)).not.toContain('PresentChallenges');
    expect([resuming.calls.createOrder, resuming.calls.finalizeOrder, fixed.savedKeys.length]).toEqual([0, 0, 0]);
    expect(failing.calls.createOrder).toBe(1);
    const stored = await readStored(failed.certificatePath);
    expect(broken.savedKeys.map((key) => key.privateKeyPem)).toEqual([stored['tls.key']]);
    expect(stored.revision).toBe(2);
    expect(await opensslVerify(ca, stored)).toContain('OK');
    expect(await readFile(path.join(storeDir, 'certificates', 'resume.previous.json'), 'utf8')).toBe(previous);
    expect(await readdir(path.join(storeDir, 'pending', 'resume')).catch(() => [])).toEqual([]);
    await expectNoKeyMaterial(failed, storeDir);
    await expectNoKeyMaterial(resumed, storeDir, { output: output.text() });
  });
});
