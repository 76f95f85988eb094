/** What the sweep tells the alarms: the smallest margin, the count not checked, and the certificates past their threshold. */
import { describe, expect, it } from 'vitest';
import { sweepReport } from '../../functions/phases/sweep-report.js';
import type { SweptCertificate } from '../../functions/phases/sweep.js';

const NOW = new Date('2027-01-01T00:00:00Z');
const inDays = (days: number) => new Date(NOW.getTime() + days * 86_400_000).toISOString();
const checked = (name: string, notAfterInDays: number, expiryAlarmDays = 14): SweptCertificate => ({
  name,
  expiryAlarmDays,
  decision: { due: false, reason: 'UpToDate', message: '', currentRevision: 1, notAfter: inDays(notAfterInDays) },
});

describe('sweepReport', () => {
  it('takes the smallest margin over certificates, each against its own threshold', () => {
    // web: 40 − 14 = 26; api: 20 − 7 = 13; old: 10 − 14 = −4
    const report = sweepReport([checked('web', 40), checked('api', 20, 7), checked('old', 10)], NOW);

    expect(report.expiryMarginDays).toBe(-4);
  });

  it('names every certificate past its threshold for the Certificate Expiring events, and only those', () => {
    const report = sweepReport([checked('web', 40), checked('api', 6, 7), checked('old', 10.25), checked('edge', 14)], NOW);

    expect(report.expiring).toEqual([
      { certificate: 'api', notAfter: inDays(6), daysUntilExpiry: 6, expiryAlarmDays: 7 },
      { certificate: 'old', notAfter: inDays(10.25), daysUntilExpiry: 10.25, expiryAlarmDays: 14 },
    ]);
  });

  it('counts the certificates not checked and the deferred ones; leaves the margin out when no certificate has a notAfter', () => {
    const report = sweepReport(
      [
        { name: 'bad', expiryAlarmDays: 14, error: 'InvalidInput: certificate.name' },
        { name: 'new', expiryAlarmDays: 14, decision: { due: true, reason: 'DoesNotExist', message: '', currentRevision: 0 }, deferred: true },
      ],
      NOW,
    );

    expect(report).toEqual({ certificatesNotChecked: 1, deferred: 1, expiring: [] });
  });
});
