/**
 * preferredChain's choice among the CA's chains (core/preferred-chain.ts), on chains openssl
 * makes: a leaf under an intermediate that one root signs directly and another through a
 * cross-sign, as Let's Encrypt's chains to ISRG Root X1 were. And the alternates' URLs read
 * from a Link header.
 */
import { describe, expect, it } from 'vitest';
import { alternateLinks, chainIssuerNames, choosePreferredChain } from '../../functions/core/preferred-chain.js';
import { OpensslChains, chainOf } from '../support/openssl-chains.js';

const ca = new OpensslChains();
const alpha = ca.root('/CN=Alpha Root X1');
const beta = ca.root('/O=Beta, Inc./CN=Beta, Root "X2"');
const BETA = 'Beta, Root "X2"';
/** Beta's own key, certified by Alpha: leads a chain that names Beta to Alpha. */
const betaByAlpha = ca.issue('/O=Beta, Inc./CN=Beta, Root "X2"', alpha, { keyFile: beta.keyFile });
const intermediate = ca.issue('/CN=Intermediate E1', beta);
/** The same intermediate (subject and key) certified by Alpha directly. */
const intermediateByAlpha = ca.issue('/CN=Intermediate E1', alpha, { keyFile: intermediate.keyFile });
const leaf = ca.issue('/CN=leaf.example.test', intermediate);

/** Issuers: Intermediate E1, Beta, Alpha. */
const throughCrossSign = chainOf(leaf, intermediate, betaByAlpha);
/** Issuers: Intermediate E1, Beta. */
const toBeta = chainOf(leaf, intermediate);
/** Issuers: Intermediate E1, Alpha. */
const toAlpha = chainOf(leaf, intermediateByAlpha);
const broken = `-----BEGIN CERTIFICATE-----\n${Buffer.from('not DER').toString('base64')}\n-----END CERTIFICATE-----`;

describe('choosePreferredChain', () => {
  it('made the chains it is tested on', () => {
    expect(chainIssuerNames(throughCrossSign)).toEqual(['Intermediate E1', BETA, 'Alpha Root X1']);
    expect(chainIssuerNames(toBeta)).toEqual(['Intermediate E1', BETA]);
    expect(chainIssuerNames(toAlpha)).toEqual(['Intermediate E1', 'Alpha Root X1']);
  });

  it('takes the chain naming the preferred issuer closest to the root, default or alternate', () => {
    expect(choosePreferredChain([throughCrossSign, toBeta], BETA)).toBe(toBeta);
    expect(choosePreferredChain([toBeta, throughCrossSign], BETA)).toBe(toBeta);
  });

  it('takes the only chain that names the preferred issuer, passing over those that do not', () => {
    expect(choosePreferredChain([toBeta, throughCrossSign], 'Alpha Root X1')).toBe(throughCrossSign);
    expect(choosePreferredChain([toBeta, toAlpha], 'Alpha Root X1')).toBe(toAlpha);
  });

  it('keeps the default chain when no chain names the preferred issuer', () => {
    expect(choosePreferredChain([toBeta, throughCrossSign, toAlpha], 'Gamma Root')).toBe(toBeta);
    expect(choosePreferredChain([toAlpha, toBeta], 'Gamma Root')).toBe(toAlpha);
    // Common names compare exactly, as acme-client compared them.
    expect(choosePreferredChain([toBeta, toAlpha], 'alpha root x1')).toBe(toBeta);
    expect(choosePreferredChain([toBeta, toAlpha], 'Beta, Root X2')).toBe(toBeta);
  });

  it('keeps the earlier chain when two name the preferred issuer equally far from the root', () => {
    expect(choosePreferredChain([toAlpha, toBeta], 'Intermediate E1')).toBe(toAlpha);
    expect(choosePreferredChain([toBeta, toAlpha], 'Intermediate E1')).toBe(toBeta);
  });

  it('never picks a chain that does not parse, and hands back even such a default when nothing matches', () => {
    expect(choosePreferredChain([throughCrossSign, broken, toBeta], BETA)).toBe(toBeta);
    expect(choosePreferredChain([broken, toAlpha], 'Alpha Root X1')).toBe(toAlpha);
    expect(choosePreferredChain([broken, toAlpha], 'Gamma Root')).toBe(broken);
  });
});

describe('alternateLinks', () => {
  const base = 'https://ca.test/cert/1';

  it('reads the alternates of a Link header among other relations, in order', () => {
    expect(alternateLinks('<https://ca.test/cert/1/1>;rel="alternate", <https://ca.test/dir>;rel="index"', base)).toEqual(['https://ca.test/cert/1/1']);
    expect(
      alternateLinks('<https://ca.test/cert/1/2>; rel="alternate", <https://ca.test/dir>; rel="index", <https://ca.test/cert/1/1>; rel="alternate"', base),
    ).toEqual(['https://ca.test/cert/1/2', 'https://ca.test/cert/1/1']);
  });

  it('accepts a relation among several, unquoted or in capitals', () => {
    expect(
      alternateLinks('<https://ca.test/a>; rel="index alternate", <https://ca.test/b>; rel=alternate, <https://ca.test/c>; REL="Alternate"', base),
    ).toEqual(['https://ca.test/a', 'https://ca.test/b', 'https://ca.test/c']);
  });

  it('ignores other relations, links without one, and a quoted comma in another parameter', () => {
    expect(alternateLinks('<https://ca.test/a>; rel="alternates", <https://ca.test/b>; rel="index", <https://ca.test/c>', base)).toEqual([]);
    expect(alternateLinks('<https://ca.test/a>; title="one, two"; rel="alternate", <https://ca.test/b>; rel="alternate"', base)).toEqual([
      'https://ca.test/a',
      'https://ca.test/b',
    ]);
    expect(alternateLinks(undefined, base)).toEqual([]);
  });

  it('resolves a relative target against the URL that answered', () => {
    expect(alternateLinks('</cert/1/alt>;rel="alternate", <alt-2>;rel="alternate"', base)).toEqual([
      'https://ca.test/cert/1/alt',
      'https://ca.test/cert/alt-2',
    ]);
  });
});
