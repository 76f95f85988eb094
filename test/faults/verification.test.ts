/**
 * A CA (or anything between it and us) that hands back the wrong thing: a valid Pebble
 * certificate for the same names but another key, or the right leaf with an unrelated
 * certificate where the intermediate should be. Neither may ever become current: the run
 * fails with CertificateVerificationFailed after clean-up, and the serving certificate stays
 * byte for byte what it was.
 */
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestCa, newStore, spec, startTestCa } from '../support/local-ca.js';
import { type AcmeFault, recordingAcme, splitPem } from '../support/faults/acme.js';
import {
  captureOutput,
  expectFailedCleanly,
  expectNoKeyMaterial,
  outputOf,
  placeServingCertificate,
  retriedStates,
  timesEntered,
} from '../support/faults/invariants.js';

const NAMES = ['verify.example.test', '*.verify.example.test'];

let ca: TestCa;
/** Another certificate Pebble issued for the same names, with a key this run never saw. */
let decoyChain: string;
beforeAll(async () => {
  ca = await startTestCa({ pebbleEnv: { PEBBLE_AUTHZREUSE: '0' } });
  const decoy = await ca.run(spec('decoy', NAMES));
  expect(decoy.status, decoy.cause).toBe('SUCCEEDED');
  decoyChain = (JSON.parse(await readFile(decoy.certificatePath, 'utf8')) as { 'tls.crt': string })['tls.crt'];
});
afterAll(async () => {
  await ca?.stop();
});

const anotherKeysCertificate: AcmeFault = () => ({ downloadCertificate: async () => decoyChain });
const unrelatedIntermediate: AcmeFault = (real) => ({
  downloadCertificate: async (url) => {
    const [leaf] = splitPem(await real.downloadCertificate(url));
    // The throwaway TLS CA Pebble serves HTTPS with: a real certificate that signed nothing here.
    return `${leaf}\n${ca.acme.caCertPem.trim()}\n`;
  },
});

describe('an issued certificate that does not verify', () => {
  it.each([
    [
      'whose leaf is for another key',
      anotherKeysCertificate,
      'the issued certificate was not stored: the certificate does not match the private key saved for this order',
    ],
    [
      'whose intermediate is an unrelated certificate',
      unrelatedIntermediate,
      /^the issued certificate was not stored: chain link 0 \(.*\) is not signed by the next certificate/,
    ],
  ] as const)('%s fails with CertificateVerificationFailed, is never made current, and clean-up runs', async (_label, fault, cause) => {
    // Prepare
    const storeDir = await newStore();
    const input = spec('verify', NAMES);
    const previous = await placeServingCertificate((issue) => ca.run(issue), input, storeDir);
    const recording = recordingAcme(ca.environment, storeDir, fault);
    const output = captureOutput();

    // Act
    const result = await ca.run({ ...input, force: true }, { storeDir, dependencies: { acme: recording.acme } }).finally(output.restore);

    // Assess
    expectFailedCleanly(result, 'CertificateVerificationFailed', cause);
    expect(retriedStates(result)).toEqual([]);
    expect(timesEntered(result, 'StoreCertificate')).toBe(1);
    expect(recording.calls.downloads).toHaveLength(1);
    expect(await readFile(result.certificatePath, 'utf8')).toBe(previous);
    await expect(access(path.join(storeDir, 'certificates', 'verify.previous.json'))).rejects.toThrow();
    expect(outputOf<{ cleanUp: { removed: number } }>(result, 'CleanUpAfterFailure').cleanUp.removed).toBe(2);
    expect(await ca.txtValues('_acme-challenge.verify.example.test')).toEqual([]);
    await expectNoKeyMaterial(result, storeDir, { output: output.text() });
  });
});
