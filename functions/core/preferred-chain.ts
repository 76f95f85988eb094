/**
 * preferredChain (RFC 8555 §7.4.2): among the default chain and the CA's alternates, the one
 * whose certificates name the preferred issuer common name closest to the root; with no such
 * chain, the default. The rules are acme-client's (util.findCertificateChainForIssuer), which
 * certstep used until StoreCertificate's bundle dropped its X.509 library; Node's own
 * X509Certificate reads the issuers instead.
 */
import { X509Certificate } from 'node:crypto';
import { splitPemChain } from './verify-certificate.js';

/**
 * `chains[0]` is the CA's default chain, the others its alternates in the order the CA listed
 * them. A chain wins by having the preferred name fewer certificates from its end; on a tie,
 * the earlier chain keeps it, as in acme-client.
 */
export function choosePreferredChain(chains: readonly [string, ...string[]], preferredIssuer: string): string {
  let best: { chain: string; distance: number } | undefined;
  for (const chain of chains) {
    const issuers = chainIssuerNames(chain);
    if (!issuers) continue;
    const index = issuers.indexOf(preferredIssuer);
    if (index < 0) continue;
    const distance = issuers.length - index;
    if (!best || distance < best.distance) best = { chain, distance };
  }
  return best?.chain ?? chains[0];
}

/**
 * Each certificate's issuer common name, leaf first (undefined where the issuer has none). A
 * chain that does not parse names nothing: it cannot be the preferred one, and the default
 * chain, if it is that one, fails StoreCertificate's verification later with a reason.
 */
export function chainIssuerNames(chainPem: string): (string | undefined)[] | undefined {
  try {
    return splitPemChain(chainPem).map((pem) => lastCommonName(new X509Certificate(pem).issuer));
  } catch {
    return undefined;
  }
}

/**
 * The last CN of a name as Node prints it (one RDN a line, `+`-joined attributes of a
 * multi-valued RDN on one line, values escaped as RFC 2253 says), as acme-client took the last
 * CN of the issuer. The value comes back unescaped.
 */
export function lastCommonName(printedName: string): string | undefined {
  let found: string | undefined;
  for (const line of printedName.split('\n')) {
    for (const { type, value } of attributesOf(line)) if (type === 'CN') found = value;
  }
  return found;
}

/**
 * The attributes of one printed RDN. Node (X509_NAME_print_ex with ASN1_STRFLGS_ESC_2253 and
 * ESC_CTRL) escapes `,+"\<>;`, a leading `#` or space and a trailing space with a backslash,
 * and control characters as `\XX`: so an unescaped ` + ` only ever separates attributes.
 */
function attributesOf(line: string): { type: string; value: string }[] {
  const attributes: { type: string; value: string }[] = [];
  let position = 0;
  while (position < line.length) {
    const equals = line.indexOf('=', position);
    if (equals < 0) break;
    const type = line.slice(position, equals);
    const bytes: number[] = [];
    position = equals + 1;
    while (position < line.length && !line.startsWith(' + ', position)) {
      const hex = line[position] === '\\' ? /^[0-9A-Fa-f]{2}/.exec(line.slice(position + 1, position + 3)) : null;
      if (hex) {
        bytes.push(Number.parseInt(hex[0], 16));
        position += 3;
        continue;
      }
      if (line[position] === '\\') position += 1;
      if (position >= line.length) break;
      const codePoint = line.codePointAt(position) ?? 0;
      bytes.push(...Buffer.from(String.fromCodePoint(codePoint), 'utf8'));
      position += codePoint > 0xffff ? 2 : 1;
    }
    attributes.push({ type, value: Buffer.from(bytes).toString('utf8') });
    position += 3;
  }
  return attributes;
}

/**
 * The URLs of a response's `Link: <url>;rel="alternate"` entries (RFC 8288), resolved against
 * the URL that answered. A rel may list several relation types; only "alternate" counts.
 */
export function alternateLinks(linkHeader: string | undefined, base: string): string[] {
  const links: string[] = [];
  for (const match of (linkHeader ?? '').matchAll(/<([^>]*)>((?:\s*;\s*[^;,"=]+(?:=\s*(?:"[^"]*"|[^;,"]*))?)*)/g)) {
    const [, target = '', parameters = ''] = match;
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))/i.exec(parameters);
    const relations = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (!relations.includes('alternate')) continue;
    try {
      links.push(new URL(target, base).href);
    } catch {
      // A target that is no URL is not a chain we could download.
    }
  }
  return links;
}
