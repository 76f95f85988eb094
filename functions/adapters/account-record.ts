/**
 * The JSON of an issuer's account record, the same in the local file and in the issuer's
 * Secrets Manager secret (the stack creates one per issuer). The account registered last sits
 * at the top level, which is the whole record as certstep stored it before an issuer could
 * have more than one; the accounts of directory URLs the issuer used before sit beside it, so
 * that pointing an issuer at another CA and back reuses the old account instead of carrying
 * one CA's key to another or losing the old account (and its rate-limit history).
 */
import type { AcmeAccount } from '../ports/certificate-store.js';

export interface AccountRecord extends AcmeAccount {
  readonly otherDirectories?: readonly AcmeAccount[];
}

/** The account for this directory URL in a stored record; without a URL, the one registered last. */
export function accountIn(record: unknown, directoryUrl?: string): AcmeAccount | undefined {
  if (!isAccount(record)) return undefined;
  const candidates = [record, ...(Array.isArray(record.otherDirectories) ? record.otherDirectories : [])];
  const found = directoryUrl === undefined ? record : candidates.find((account) => isAccount(account) && account.directoryUrl === directoryUrl);
  if (!found || !isAccount(found)) return undefined;
  const { directoryUrl: url, accountKeyPem, accountUrl, nextAccountKeyPem } = found;
  return { directoryUrl: url, accountKeyPem, accountUrl, ...(typeof nextAccountKeyPem === 'string' && { nextAccountKeyPem }) };
}

/**
 * The record with this account as the one registered last, replacing only the account of its
 * directory URL. `beside` (a dry run's staging account) keeps the account at the top where it is
 * and files this one among the others, so "the account registered last" stays the live one.
 */
export function withAccount(record: unknown, account: AcmeAccount, beside = false): AccountRecord {
  const previous = isAccount(record) ? [record, ...(Array.isArray(record.otherDirectories) ? record.otherDirectories : [])] : [];
  const others = previous.filter((kept) => isAccount(kept) && kept.directoryUrl !== account.directoryUrl).map((kept) => accountIn(kept) as AcmeAccount);
  const [top, ...rest] =
    beside && isAccount(record) && record.directoryUrl !== account.directoryUrl
      ? [others[0] as AcmeAccount, ...others.slice(1), account]
      : [account, ...others];
  const { directoryUrl, accountKeyPem, accountUrl, nextAccountKeyPem } = top as AcmeAccount;
  return { directoryUrl, accountKeyPem, accountUrl, ...(nextAccountKeyPem && { nextAccountKeyPem }), ...(rest.length > 0 && { otherDirectories: rest }) };
}

function isAccount(value: unknown): value is AccountRecord {
  const account = value as Partial<Record<keyof AccountRecord, unknown>> | undefined;
  return typeof account?.directoryUrl === 'string' && typeof account.accountKeyPem === 'string' && typeof account.accountUrl === 'string';
}
