/**
 * Metrics as CloudWatch Embedded Metric Format log lines: no API call, no extra permission,
 * and the daily check of every certificate becomes a DaysUntilExpiry data point that an
 * alarm can watch. A renewal that silently stopped working shows up as a falling line.
 */
export const METRIC_NAMESPACE = 'certstep';

export function daysUntilExpiryLine(certificate: string, notAfter: string, now: Date): string {
  const days = Math.floor(((new Date(notAfter).getTime() - now.getTime()) / 86_400_000) * 100) / 100;
  return JSON.stringify({
    _aws: {
      Timestamp: now.getTime(),
      CloudWatchMetrics: [{ Namespace: METRIC_NAMESPACE, Dimensions: [['Certificate']], Metrics: [{ Name: 'DaysUntilExpiry', Unit: 'None' }] }],
    },
    Certificate: certificate,
    DaysUntilExpiry: days,
  });
}
