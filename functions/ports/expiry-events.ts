/**
 * Where the daily sweep says that a certificate is inside its expiry alarm threshold (an
 * EventBridge event on AWS). One alarm watches every certificate through one metric, so the
 * event is what names the certificate in the notification.
 */
export interface CertificateExpiring {
  readonly certificate: string;
  readonly notAfter: string;
  readonly daysUntilExpiry: number;
  readonly expiryAlarmDays: number;
}

export interface ExpiryEvents {
  certificatesExpiring(events: readonly CertificateExpiring[]): Promise<void>;
}
