/**
 * Which certificates exist and what each should be: the execution inputs the deployment knows
 * (on AWS a table). The daily sweep reads it at run time, so a certificate is data, not a
 * schedule or a resource per certificate. A deploy writes the certificates of
 * certstep.config.json (`config`); `certstep apply` writes others (`apply`), which a deploy
 * leaves alone.
 */
export type CatalogSource = 'config' | 'apply';

export interface CatalogEntry {
  readonly name: string;
  /** The execution input as stored, not yet validated: the sweep validates it like any input. */
  readonly input: unknown;
  /** Items an earlier version wrote have no source; they were written by a deploy, so `config`. */
  readonly source: CatalogSource;
  /** The certificate's expiry alarm threshold; absent, the stack's default. */
  readonly expiryAlarmDays?: number;
  /** sha256 hex of the secret policy document last applied to the certificate's existing secret. */
  readonly policy?: string;
}

/** What the daily sweep reads. */
export interface CertificateCatalog {
  entries(): Promise<readonly CatalogEntry[]>;
}

/** What a deploy's sync and `certstep apply` change. */
export interface WritableCertificateCatalog extends CertificateCatalog {
  get(name: string): Promise<CatalogEntry | undefined>;
  put(entry: CatalogEntry): Promise<void>;
  delete(name: string): Promise<void>;
}

/** A stored input as a deploy would have written it, for catalogs built from a list of inputs. */
export function configEntry(input: unknown): CatalogEntry {
  const name = (input as { certificate?: { name?: unknown } } | null)?.certificate?.name;
  return { name: typeof name === 'string' ? name : 'unknown', input, source: 'config' };
}
