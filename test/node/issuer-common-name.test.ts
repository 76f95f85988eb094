/**
 * preferredChain reads each issuer's common name from the text Node's X509Certificate prints
 * (core/preferred-chain.ts), where acme-client read it with @peculiar/x509. That text is
 * OpenSSL's, escaped as RFC 2253 says, so this holds the two readings together for names that
 * need escaping, multi-valued RDNs and several CNs. `npm test` runs this file on the machine's
 * Node and on Node 22, the Lambda runtime: the printing is Node's and OpenSSL's to change.
 */
import { X509Certificate } from 'node:crypto';
import acme from 'acme-client';
import { describe, expect, it } from 'vitest';
import { chainIssuerNames, lastCommonName } from '../../functions/core/preferred-chain.js';
import { OpensslChains, chainOf } from '../support/openssl-chains.js';

const ca = new OpensslChains();

describe("the issuer's common name, from Node's printing", () => {
  it.each([
    ['a plain name', '/CN=Plain Root X1', 'Plain Root X1'],
    ['commas, quotes, angle brackets, a semicolon and a backslash', '/O=Org, Inc./CN=Beta, Root "X2" <b>; c\\\\d', 'Beta, Root "X2" <b>; c\\d'],
    ['a CN in a multi-valued RDN, with an escaped plus', '/O=Org/OU=unit+CN=Multi \\+ Root', 'Multi + Root'],
    ['a CN before the other value of its RDN, ending in a backslash', '/CN=z\\\\+OU=w', 'z\\'],
    ['a CN after a value ending in a backslash', '/OU=x\\\\+CN=y', 'y'],
    ['the last of several CNs', '/CN=First CN/O=x/CN=Last CN', 'Last CN'],
    ['leading and trailing spaces', '/CN= #Spaced Root ', ' #Spaced Root '],
    ['a leading hash', '/CN=#Hash Root', '#Hash Root'],
    ['a control character', '/CN=Tab\tRoot', 'Tab\tRoot'],
    ['letters beyond ASCII', '/CN=Wurzel Ä — 根 😀', 'Wurzel Ä — 根 😀'],
    ['an equals sign', '/CN=a=b', 'a=b'],
    ['no CN at all', '/O=No Common Name', undefined],
  ])('reads %s as acme-client did', (_label, subject, expected) => {
    // Prepare
    const leaf = ca.issue('/CN=leaf.example.test', ca.root(subject));

    // Act
    const read = lastCommonName(new X509Certificate(leaf.pem).issuer);

    // Assess
    expect(read).toBe(expected);
    expect(read).toBe(acme.crypto.readCertificateInfo(leaf.pem).issuer.commonName ?? undefined);
  });

  it('names every issuer of a chain, leaf first, and nothing for a chain that does not parse', () => {
    // Prepare
    const root = ca.root('/CN=Chain Root');
    const intermediate = ca.issue('/O=Chain, Inc./CN=Chain Intermediate', root);
    const leaf = ca.issue('/CN=leaf.example.test', intermediate);
    const broken = `-----BEGIN CERTIFICATE-----\n${Buffer.from('not DER').toString('base64')}\n-----END CERTIFICATE-----`;

    // Act
    const names = chainIssuerNames(chainOf(leaf, intermediate));
    const unreadable = chainIssuerNames(`${chainOf(leaf)}\n${broken}`);

    // Assess
    expect(names).toEqual(['Chain Intermediate', 'Chain Root']);
    expect(unreadable).toBeUndefined();
  });
});
