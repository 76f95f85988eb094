/**
 * What is stored, for the functions that only decide (CheckRenewal, the sweeps, `certstep
 * status`): the run ledger's record of the certificate, trusted only when it describes the
 * secret's current version. The version id comes from a call that never returns the key
 * (DescribeSecret on AWS), so these functions are never sent a private key. When the record
 * does not match, the caller has the secret read again by a function that may (StoreCertificate
 * in its read-only mode) and decides after that.
 */
import type { RenewalDecision } from '../core/renewal-policy.js';
import type { CertificateSummary } from '../ports/certificate-store.js';
import type { LedgerEntry } from '../ports/run-ledger.js';
import type { PhaseDependencies } from './dependencies.js';

export type KnownCurrent =
  | { readonly stale: false; readonly current?: CertificateSummary; readonly entry?: LedgerEntry }
  | { readonly stale: true; readonly versionId: string; readonly entry?: LedgerEntry };

export async function knownCurrent(name: string, deps: Pick<PhaseDependencies, 'store' | 'ledger'>): Promise<KnownCurrent> {
  const [versionId, entry] = await Promise.all([deps.store.currentVersion(name), deps.ledger.get(name)]);
  return knownFrom(versionId, entry);
}

/** The rule alone, for a caller that reads the ledger item for more than this (`certstep status --aws`). */
export function knownFrom(versionId: string | undefined, entry: LedgerEntry | undefined): KnownCurrent {
  if (versionId === undefined) return { stale: false, ...(entry && { entry }) };
  if (entry?.current?.versionId !== versionId) return { stale: true, versionId, ...(entry && { entry }) };
  const current = entry.current.certificate;
  return { stale: false, ...(current && { current }), entry };
}

/** The decision while the record is stale: neither due nor a repair, so nothing is claimed or ordered. */
export function metadataStale(name: string, versionId: string, entry: LedgerEntry | undefined): RenewalDecision {
  const known = entry?.current ? `version ${entry.current.versionId}` : 'no version';
  return {
    due: false,
    reason: 'MetadataStale',
    message: `the run ledger records ${known} of certificate ${name}, but version ${versionId} is current: it is read again before deciding`,
    currentRevision: entry?.current?.certificate?.revision ?? 0,
    repair: false,
  };
}
