/**
 * Metrics as CloudWatch Embedded Metric Format log lines, written by Powertools Metrics: no API
 * call, no extra permission, and the daily check of every certificate becomes a DaysUntilExpiry
 * data point that an alarm can watch. A renewal that silently stopped working shows up as a
 * falling line.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export const METRIC_NAMESPACE = 'certstep';

/**
 * One data point, with Certificate as its only dimension. Powertools adds `service` to every
 * metric as a default dimension; the expiry alarm (cdk/monitoring.ts) matches {Certificate}
 * alone, and CloudWatch treats another dimension set as another metric, so the alarm would see
 * no data and page for a certificate that is fine. A fresh instance per point keeps one
 * certificate's dimension from leaking into the next one's line.
 */
function daysUntilExpiryMetric(certificate: string, notAfter: string, now: Date): Metrics {
  const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: 'certstep' });
  metrics.clearDefaultDimensions();
  metrics.addDimension('Certificate', certificate);
  metrics.setTimestamp(now);
  metrics.addMetric('DaysUntilExpiry', MetricUnit.NoUnit, Math.floor(((new Date(notAfter).getTime() - now.getTime()) / 86_400_000) * 100) / 100);
  return metrics;
}

/** The EMF document as CloudWatch receives it (the CDK tests check the alarm against it). */
export function daysUntilExpiryLine(certificate: string, notAfter: string, now: Date): string {
  return JSON.stringify(daysUntilExpiryMetric(certificate, notAfter, now).serializeMetrics());
}

/** Writes the DaysUntilExpiry line to stdout, where the Lambda's log group turns it into a metric. */
export function publishDaysUntilExpiry(certificate: string, notAfter: string, now: Date): void {
  daysUntilExpiryMetric(certificate, notAfter, now).publishStoredMetrics();
}
