/** The DaysUntilExpiry metric line CloudWatch turns into a metric (Embedded Metric Format). */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { daysUntilExpiryLine, publishDaysUntilExpiry } from '../../functions/runtime/metrics.js';

describe('daysUntilExpiryLine', () => {
  it('is an EMF document with the certificate as its dimension', () => {
    // Act
    const line = JSON.parse(daysUntilExpiryLine('web', '2027-01-11T12:00:00Z', new Date('2027-01-01T00:00:00Z')));

    // Assess
    expect(line).toEqual({
      _aws: {
        Timestamp: Date.parse('2027-01-01T00:00:00Z'),
        CloudWatchMetrics: [{ Namespace: 'certstep', Dimensions: [['Certificate']], Metrics: [{ Name: 'DaysUntilExpiry', Unit: 'None' }] }],
      },
      Certificate: 'web',
      DaysUntilExpiry: 10.5,
    });
  });

  it('goes negative for an expired certificate, so the alarm stays in alarm', () => {
    expect(JSON.parse(daysUntilExpiryLine('web', '2027-01-01T00:00:00Z', new Date('2027-01-03T00:00:00Z'))).DaysUntilExpiry).toBe(-2);
  });
});

describe('publishDaysUntilExpiry', () => {
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

  it('writes one EMF line per certificate to stdout, each with only its own Certificate dimension (no Powertools `service`)', () => {
    // Prepare
    const now = new Date();
    const inTenDays = new Date(now.getTime() + 10 * 86_400_000).toISOString();
    const inTwentyDays = new Date(now.getTime() + 20 * 86_400_000).toISOString();

    // Act
    const lines = stdoutOf(() => {
      publishDaysUntilExpiry('web', inTenDays, now);
      publishDaysUntilExpiry('api', inTwentyDays, now);
    }).map((line) => JSON.parse(line));

    // Assess
    expect(lines).toEqual([
      {
        _aws: {
          Timestamp: now.getTime(),
          CloudWatchMetrics: [{ Namespace: 'certstep', Dimensions: [['Certificate']], Metrics: [{ Name: 'DaysUntilExpiry', Unit: 'None' }] }],
        },
        Certificate: 'web',
        DaysUntilExpiry: 10,
      },
      {
        _aws: {
          Timestamp: now.getTime(),
          CloudWatchMetrics: [{ Namespace: 'certstep', Dimensions: [['Certificate']], Metrics: [{ Name: 'DaysUntilExpiry', Unit: 'None' }] }],
        },
        Certificate: 'api',
        DaysUntilExpiry: 20,
      },
    ]);
  });
});
