/**
 * What `certstep status` and `describe` with --aws know of the stored certificate. The secret's
 * value is never read for them: GetSecretValue would send the operator's process tls.key with
 * it. StoreCertificate records what it stored (no key) in the run ledger, and that record is
 * trusted only while it names the secret's current version, which DescribeSecret tells without
 * the value: the rule CheckRenewal follows (knownFrom), so the CLI and the next run agree.
 */
import { knownFrom } from '../../functions/phases/known-current.js';
import type { LedgerEntry } from '../../functions/ports/run-ledger.js';
import { type StoredSummary, type StoredUnknown, allowlistedSummary } from './model.js';

export interface StoredKnowledge {
  readonly stored?: StoredSummary;
  /** Set when something is stored but what it is cannot be known without reading the key. */
  readonly unknown?: StoredUnknown;
}

/**
 * `versionId` is the secret's AWSCURRENT version (undefined: nothing is current, so nothing is
 * stored); `entry` the ledger item, when `ledgerRead` (there is a table to read it from).
 */
export function storedFromLedger(name: string, versionId: string | undefined, entry: LedgerEntry | undefined, ledgerRead: boolean): StoredKnowledge {
  const known = knownFrom(versionId, entry);
  if (!known.stale) {
    const stored = allowlistedSummary(known.current);
    return stored ? { stored } : {};
  }
  if (!ledgerRead) {
    return {
      unknown: {
        reason: 'Unknown',
        message:
          'the stored certificate is not read without --ledger-table (or CERTSTEP_LEDGER_TABLE): certstep learns it from the run ledger, never from the secret, which holds the key',
      },
    };
  }
  const recorded = entry?.current
    ? `the run ledger records version ${entry.current.versionId} of the secret of ${name}, but version ${known.versionId} is current`
    : `the run ledger has no record of what the secret of ${name} holds (no run since the stack was deployed or upgraded from 0.1)`;
  return {
    unknown: {
      reason: 'MetadataStale',
      message:
        `${recorded}: the stored certificate is not known until the next run records it (the scheduled one, or ` +
        `\`certstep renew ${name} --aws\`; with --dry-run it replaces nothing)`,
    },
  };
}
