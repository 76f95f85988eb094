/**
 * Finalize's POST is answered with the order (RFC 8555 §7.4): the state machine routes on that
 * answer, so a CA that issues while answering is not asked again, and one still processing is
 * polled as before. Run in aws-local-stepfunctions on the real definition, each Task scripted.
 */
import { describe, expect, it } from 'vitest';
import { localDefinition } from '../../cli/local/definition.js';
import { runLocally } from '../support/asl-local-run.js';

const definition = localDefinition();
const ARN = 'arn:aws:states:us-east-1:123456789012:execution:certstep-renewal:finalize-answer';
const progress = { attempts: 0, maxAttempts: 5, waitSeconds: 0, detail: '' };

/** A renewal's Tasks, answered as a CA that validates at the first poll would; Finalize answers `finalized`. */
function renewal(finalized: Record<string, unknown>) {
  const calls: string[] = [];
  const results: Record<string, unknown> = {
    CheckRenewal: { certificate: { name: 'web', dnsNames: ['web.example.com'], issuer: 'letsencrypt' }, renewal: { due: true, reason: 'RenewalTimeReached' } },
    CreateOrder: { url: 'order', status: 'pending', finalizeUrl: 'finalize', challenges: [], reusedAuthorizations: [] },
    PresentChallenges: { ...progress, ready: false },
    CheckPropagation: { ...progress, ready: true },
    AcceptChallenges: { ...progress, status: 'pending' },
    PollAuthorizations: { ...progress, status: 'ready', attempts: 1 },
    Finalize: { ...progress, pendingKeyVersion: 'v2', ...finalized },
    PollFinalizedOrder: { ...progress, pendingKeyVersion: 'v2', status: 'valid', attempts: 1, certificateUrl: 'cert' },
    StoreCertificate: { serialNumber: '01', versionId: 'v2' },
    ScheduleRenewal: { at: '2027-01-01T00:00:00Z' },
    CleanUp: { removed: 1, event: { outcome: 'Issued' } },
    CleanUpAfterFailure: { removed: 1, event: { outcome: 'Failed' } },
    PublishIssued: {},
    PublishFailure: {},
  };
  return {
    calls,
    run: () =>
      runLocally(definition, ARN, { certificate: { name: 'web' } }, (state) => {
        calls.push(state);
        return state in results ? { result: results[state] } : undefined;
      }),
  };
}

describe('what follows Finalize', () => {
  it('stores the certificate at once when the CA answered the CSR with a valid order', async () => {
    // Prepare
    const { calls, run } = renewal({ status: 'valid', certificateUrl: 'cert' });

    // Act
    const result = await run();

    // Assess
    expect(result.status, result.cause).toBe('SUCCEEDED');
    expect(result.entered.slice(result.entered.indexOf('Finalize'), result.entered.indexOf('StoreCertificate') + 1)).toEqual([
      'Finalize',
      'IsCertificateIssued',
      'StoreCertificate',
    ]);
    expect(calls).not.toContain('PollFinalizedOrder');
  });

  it('polls the order when the CA answered the CSR with an order still processing', async () => {
    // Prepare
    const { calls, run } = renewal({ status: 'pending' });

    // Act
    const result = await run();

    // Assess
    expect(result.status, result.cause).toBe('SUCCEEDED');
    expect(result.entered.slice(result.entered.indexOf('Finalize'), result.entered.indexOf('StoreCertificate') + 1)).toEqual([
      'Finalize',
      'IsCertificateIssued',
      'WaitForCertificate',
      'PollFinalizedOrder',
      'IsCertificateIssued',
      'StoreCertificate',
    ]);
    expect(calls.filter((state) => state === 'PollFinalizedOrder')).toHaveLength(1);
  });

  it('fails with the reason Finalize gave when the CA answered the CSR with an invalid order', async () => {
    // Prepare
    const { calls, run } = renewal({ status: 'invalid', detail: 'the CA refused the order: badCSR' });

    // Act
    const result = await run();

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.entered).toContain('IssuanceFailed');
    expect(calls).not.toContain('PollFinalizedOrder');
    expect(calls).not.toContain('StoreCertificate');
    const cleanUpInput = result.taskInputs.find((task) => task.state === 'CleanUpAfterFailure')?.input as { taskInput: { failure: unknown } };
    expect(cleanUpInput.taskInput.failure).toEqual({ Error: 'AcmeOrderInvalid', Cause: 'the CA refused the order: badCSR' });
  });
});
