/**
 * The daily sweep's figures as CloudWatch Embedded Metric Format log lines, written by
 * Powertools Metrics: no API call, no extra permission. Three metrics for the whole stack,
 * whatever the number of certificates: a metric per certificate (10,000 of them) would cost
 * about $3,000 a month. Each certificate's days until expiry stay in the log lines instead.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SweepReport } from '../phases/sweep-report.js';
import { daysUntil } from '../phases/sweep-report.js';
import { log } from './log.js';

export const METRIC_NAMESPACE = 'certstep';

/** The metrics and their one dimension, as cdk/monitoring.ts alarms on them. */
export const SWEEP_METRICS = {
  namespace: METRIC_NAMESPACE,
  dimension: 'StateMachine',
  expiryMargin: 'ExpiryMarginDays',
  notChecked: 'CertificatesNotChecked',
  sweeps: 'Sweeps',
} as const;

/** The state machine's name: the last ':'-part of its ARN, the alarm's dimension value. */
export function stateMachineName(arn: string): string {
  return arn.slice(arn.lastIndexOf(':') + 1);
}

/**
 * StateMachine is the only dimension. Powertools adds `service` to every metric as a default
 * dimension; CloudWatch treats another dimension set as another metric, so the alarms (which
 * name {StateMachine} alone) would see no data: the expiry alarm would stay silent, and the
 * silent-sweep alarm would page every day.
 */
function sweepMetrics(stateMachine: string, report: SweepReport, now: Date): Metrics {
  const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: 'certstep' });
  metrics.clearDefaultDimensions();
  metrics.addDimension(SWEEP_METRICS.dimension, stateMachine);
  metrics.setTimestamp(now);
  if (report.expiryMarginDays !== undefined) metrics.addMetric(SWEEP_METRICS.expiryMargin, MetricUnit.NoUnit, report.expiryMarginDays);
  metrics.addMetric(SWEEP_METRICS.notChecked, MetricUnit.Count, report.certificatesNotChecked);
  metrics.addMetric(SWEEP_METRICS.sweeps, MetricUnit.Count, 1);
  return metrics;
}

/** The EMF document as CloudWatch receives it (the CDK tests can check the alarms against it). */
export function sweepMetricsLine(stateMachine: string, report: SweepReport, now: Date): string {
  return JSON.stringify(sweepMetrics(stateMachine, report, now).serializeMetrics());
}

/** Writes the sweep's line to stdout, where the Lambda's log group turns it into metrics; once per completed sweep. */
export function publishSweepMetrics(stateMachine: string, report: SweepReport, now: Date): void {
  sweepMetrics(stateMachine, report, now).publishStoredMetrics();
}

/** A certificate's days until expiry as a log field (Logs Insights can graph it), no longer a metric. */
export function logDaysUntilExpiry(certificate: string, notAfter: string, now: Date, fields: Record<string, number | string> = {}): void {
  log('INFO', 'Days until expiry', { certificate, notAfter, daysUntilExpiry: daysUntil(notAfter, now), ...fields });
}
