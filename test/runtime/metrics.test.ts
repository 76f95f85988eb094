/** The DaysUntilExpiry metric line CloudWatch turns into a metric (Embedded Metric Format). */
import { describe, expect, it } from 'vitest';
import { daysUntilExpiryLine } from '../../functions/runtime/metrics.js';

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
