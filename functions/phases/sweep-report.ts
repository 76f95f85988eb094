/**
 * What a sweep tells the stack's alarms, in figures that stay constant in the number of
 * certificates: the smallest margin any certificate has left before its own expiry alarm
 * threshold, how many could not be checked, and one event per certificate past its threshold
 * so the notification can name it.
 */
import type { CertificateExpiring } from '../ports/expiry-events.js';
import type { SweptCertificate } from './sweep.js';

export interface SweepReport {
  /** min(daysUntilExpiry − expiryAlarmDays) over the certificates with a notAfter; undefined when none has one. */
  readonly expiryMarginDays?: number;
  readonly certificatesNotChecked: number;
  readonly deferred: number;
  /** The certificates whose margin is below 0, for the `Certificate Expiring` events. */
  readonly expiring: readonly CertificateExpiring[];
}

/** Days to two decimals: a day's fraction still shows on a graph, a millisecond's does not. */
export function daysUntil(notAfter: string, now: Date): number {
  return Math.floor(((new Date(notAfter).getTime() - now.getTime()) / 86_400_000) * 100) / 100;
}

export function sweepReport(swept: readonly SweptCertificate[], now: Date): SweepReport {
  let expiryMarginDays: number | undefined;
  const expiring: CertificateExpiring[] = [];
  for (const certificate of swept) {
    const notAfter = certificate.decision?.notAfter;
    if (!notAfter) continue;
    const daysUntilExpiry = daysUntil(notAfter, now);
    const margin = Math.round((daysUntilExpiry - certificate.expiryAlarmDays) * 100) / 100;
    expiryMarginDays = expiryMarginDays === undefined ? margin : Math.min(expiryMarginDays, margin);
    if (margin < 0) expiring.push({ certificate: certificate.name, notAfter, daysUntilExpiry, expiryAlarmDays: certificate.expiryAlarmDays });
  }
  return {
    ...(expiryMarginDays !== undefined && { expiryMarginDays }),
    certificatesNotChecked: swept.filter((certificate) => certificate.error).length,
    deferred: swept.filter((certificate) => certificate.deferred).length,
    expiring,
  };
}
