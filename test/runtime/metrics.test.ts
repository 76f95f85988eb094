/**
 * The sweep's metric line CloudWatch turns into three stack-wide metrics (Embedded Metric
 * Format), and the per-certificate days that are a log field now, not a metric.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { logDaysUntilExpiry, publishSweepMetrics, stateMachineName, sweepMetricsLine } from '../../functions/runtime/metrics.js';

afterEach(() => vi.restoreAllMocks());

/** Every line written to stdout while `act` runs. */
function stdoutOf(act: () => void): string[] {
  const written: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  act();
  vi.restoreAllMocks();
  return written.join('').split('\n').filter(Boolean);
}

// CloudWatch drops (and Powertools warns about) a timestamp more than 14 days old.
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);

describe('sweepMetricsLine', () => {
  it('is one EMF document with the three metrics and StateMachine as the only dimension (no Powertools `service`)', () => {
    // Act
    const line = JSON.parse(sweepMetricsLine('certstep-renewal', { expiryMarginDays: -1.5, certificatesNotChecked: 2, deferred: 0, expiring: [] }, NOW));

    // Assess
    expect(line).toEqual({
      _aws: {
        Timestamp: NOW.getTime(),
        CloudWatchMetrics: [
          {
            Namespace: 'certstep',
            Dimensions: [['StateMachine']],
            Metrics: [
              { Name: 'ExpiryMarginDays', Unit: 'None' },
              { Name: 'CertificatesNotChecked', Unit: 'Count' },
              { Name: 'Sweeps', Unit: 'Count' },
            ],
          },
        ],
      },
      StateMachine: 'certstep-renewal',
      ExpiryMarginDays: -1.5,
      CertificatesNotChecked: 2,
      Sweeps: 1,
    });
  });

  it('leaves ExpiryMarginDays out when no certificate has a notAfter, so the alarm sees missing data, not a margin of 0', () => {
    const line = JSON.parse(sweepMetricsLine('m', { certificatesNotChecked: 0, deferred: 0, expiring: [] }, NOW));
    expect(line.ExpiryMarginDays).toBeUndefined();
    expect(line._aws.CloudWatchMetrics[0].Metrics.map((metric: { Name: string }) => metric.Name)).toEqual(['CertificatesNotChecked', 'Sweeps']);
  });
});

describe('publishSweepMetrics', () => {
  it('writes exactly one line to stdout per sweep', () => {
    const lines = stdoutOf(() => publishSweepMetrics('m', { expiryMarginDays: 3, certificatesNotChecked: 0, deferred: 0, expiring: [] }, NOW));
    expect(lines.map((line) => JSON.parse(line))).toEqual([expect.objectContaining({ StateMachine: 'm', ExpiryMarginDays: 3, Sweeps: 1 })]);
  });
});

describe('stateMachineName', () => {
  it('is the last part of the ARN, the alarms dimension value', () => {
    expect(stateMachineName('arn:aws:states:eu-west-1:123456789012:stateMachine:certstep-renewal')).toBe('certstep-renewal');
  });
});

describe('logDaysUntilExpiry', () => {
  it('logs the days as a field, with no metric directive (a metric per certificate would cost per certificate)', () => {
    const notAfter = new Date(NOW.getTime() + 10.5 * 86_400_000).toISOString();
    const lines = stdoutOf(() => logDaysUntilExpiry('web', notAfter, NOW)).map((line) => JSON.parse(line));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ message: 'Days until expiry', certificate: 'web', notAfter, daysUntilExpiry: 10.5 });
    expect(lines[0]._aws).toBeUndefined();
  });
});
