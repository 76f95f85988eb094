/**
 * Which certificates exist and what each should be: the execution inputs the deployment knows
 * (on AWS a table kept in sync with certstep.config.json). The daily sweep reads it at run
 * time, so a certificate is data, not a schedule or a resource per certificate.
 */
export interface CertificateCatalog {
  /** Every certificate's execution input, as stored; each is validated like any other input. */
  list(): Promise<readonly unknown[]>;
}
