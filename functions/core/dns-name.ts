/**
 * Normalisation of the DNS names a certificate is requested for. The aim is that two
 * spellings of the same name compare equal and that anything a public CA would refuse
 * is refused here, before an ACME order is opened.
 */
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';

/** Longer inputs are refused before any work is done on them: no valid name comes close. */
export const MAX_DNS_NAME_INPUT_LENGTH = 1000;
/** RFC 1035 §2.3.4, counted without the trailing dot. */
export const MAX_DNS_NAME_LENGTH = 253;
export const MAX_DNS_LABEL_LENGTH = 63;

export type DnsNameResult = { ok: true; name: string } | { ok: false; reason: string };

const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
// ASCII is screened before domainToASCII because it runs the WHATWG host parser, which
// percent-decodes and stops at '/', '?' and '#': "evil.com/x.example.com" would come
// back as "evil.com". Non-ASCII goes through untouched so that IDNA can map it.
const DISALLOWED_ASCII = /[^a-z0-9.\-\u0080-\u{10ffff}]/u;

const fail = (reason: string): DnsNameResult => ({ ok: false, reason });

function isIpAddress(name: string): boolean {
  if (isIP(name) !== 0) return true;
  return name.startsWith('[') && name.endsWith(']') && isIP(name.slice(1, -1)) !== 0;
}

const IP_REASON = 'IP addresses are not supported (DNS-01 validates names only)';

/**
 * Normalise one DNS name: lowercase, punycode (A-labels), no trailing dot. A wildcard is
 * accepted only as the whole leftmost label. Returns the reason when the name can't be
 * issued rather than throwing, so the caller can say which element of a list was wrong.
 */
export function normalizeDnsName(raw: string): DnsNameResult {
  if (raw.length > MAX_DNS_NAME_INPUT_LENGTH) {
    return fail(`too long (${raw.length} characters; a DNS name has at most ${MAX_DNS_NAME_LENGTH})`);
  }
  if (raw.length === 0) return fail('must not be empty');
  // Not trimmed: stray whitespace usually means a broken template, which is better reported.
  if (/\s/u.test(raw)) return fail('must not contain whitespace');

  const undotted = raw.endsWith('.') ? raw.slice(0, -1) : raw;
  if (isIpAddress(undotted)) return fail(IP_REASON);

  const lower = undotted.toLowerCase();
  const wildcard = lower.startsWith('*.');
  if (lower === '*') return fail('a bare "*" is not a name; write a wildcard as *.example.com');
  const base = wildcard ? lower.slice(2) : lower;
  if (base.includes('*')) return fail('a wildcard must be the whole leftmost label');

  if (base.includes('_')) return fail('underscores are not allowed in host names (only letters, digits and "-")');
  const bad = DISALLOWED_ASCII.exec(base);
  if (bad) return fail(`character ${JSON.stringify(bad[0])} is not allowed (only letters, digits, "-" and ".")`);
  if (base.split('.').includes('')) return fail('empty label (a leading dot or two dots in a row)');

  const ascii = domainToASCII(base);
  if (ascii === '') return fail('is not a valid domain name (IDNA conversion failed)');
  // The WHATWG parser turns numeric hosts such as "0x7f.1" or "１.２.３.４" into IPv4.
  if (isIpAddress(ascii)) return fail(IP_REASON);

  const labels = ascii.split('.');
  if (labels.includes('')) return fail('empty label (a leading dot or two dots in a row)');
  if (labels.length < 2) {
    return fail(
      wildcard
        ? 'a wildcard must sit above at least two labels (*.example.com, not *.com)'
        : 'must have at least two labels; a public CA cannot issue for a single-label name',
    );
  }
  for (const label of labels) {
    if (label.length > MAX_DNS_LABEL_LENGTH) {
      return fail(`label "${label.slice(0, 20)}…" is ${label.length} characters long (at most ${MAX_DNS_LABEL_LENGTH})`);
    }
    if (!LDH_LABEL.test(label)) {
      return fail(`label "${label}" must be letters, digits and "-", and must not start or end with "-"`);
    }
    // "??--" is reserved for IDNA A-labels (RFC 5891 §4.2.3.1); public CAs refuse any other.
    if (label.slice(2, 4) === '--' && !label.startsWith('xn--')) {
      return fail(`label "${label}" has "--" in its third and fourth characters, which is reserved for internationalised (xn--) labels`);
    }
  }

  const name = wildcard ? `*.${ascii}` : ascii;
  if (name.length > MAX_DNS_NAME_LENGTH) {
    return fail(`is ${name.length} characters long after normalisation (at most ${MAX_DNS_NAME_LENGTH})`);
  }
  return { ok: true, name };
}

/** RFC 8552 underscored labels (`_acme-challenge`, `_dmarc`): only leftmost, never in a host name. */
const UNDERSCORED_LABEL = /^_[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?$/;

/**
 * Normalise the name a CNAME points at (where a TXT record goes, not a name to issue for): the
 * same rules as normalizeDnsName, except that leftmost underscored labels are allowed, as
 * `_acme-challenge.www.example.org.acme.example.net` is a common target, and no wildcard.
 */
export function normalizeRecordName(raw: string): DnsNameResult {
  const labels = (raw.endsWith('.') ? raw.slice(0, -1) : raw).toLowerCase().split('.');
  const underscored: string[] = [];
  while (labels[0]?.startsWith('_')) underscored.push(labels.shift() as string);
  const bad = underscored.find((label) => !UNDERSCORED_LABEL.test(label) || label.length > MAX_DNS_LABEL_LENGTH);
  if (bad !== undefined) return fail(`label "${bad.slice(0, 20)}" must be "_" then letters, digits, "-" and "_"`);
  const rest = labels.join('.');
  if (rest.startsWith('*')) return fail('a wildcard cannot be a record name');
  const host = normalizeDnsName(rest);
  if (!host.ok) return host;
  const name = [...underscored, host.name].join('.');
  if (name.length > MAX_DNS_NAME_LENGTH) return fail(`is ${name.length} characters long after normalisation (at most ${MAX_DNS_NAME_LENGTH})`);
  return { ok: true, name };
}
