/** How a certificate's dns01 settings combine with its issuer's, as the Lambdas build the provider. */
import { describe, expect, it } from 'vitest';
import { mergeDns01 } from '../../functions/runtime/dns.js';

describe('mergeDns01', () => {
  it("takes the issuer's propagation settings as defaults that the certificate's override field by field", () => {
    const issuer = { propagation: { resolvers: ['1.1.1.1'], timeout: 'PT10M', check: 'resolvers' as const } };
    const certificate = { propagation: { check: 'authoritative' as const, interval: 'PT5S' } };
    expect(mergeDns01(issuer, certificate).propagation).toEqual({ resolvers: ['1.1.1.1'], timeout: 'PT10M', interval: 'PT5S', check: 'authoritative' });
    expect(mergeDns01(issuer, undefined).propagation).toEqual(issuer.propagation);
    expect(mergeDns01(undefined, certificate).propagation).toEqual(certificate.propagation);
  });

  it('leaves propagation out when neither gives it, so the defaults apply', () => {
    expect('propagation' in mergeDns01({ cnameStrategy: 'Follow' }, {})).toBe(false);
  });

  it("merges cnameTargets key by key, the certificate's winning, and leaves them out when neither gives any", () => {
    const issuer = { route53: { cnameTargets: { 'a.example.org': 'a.acme.example.net', 'b.example.org': 'b.acme.example.net' } } };
    const certificate = { route53: { cnameTargets: { 'b.example.org': 'b2.acme.example.net' } } };
    expect(mergeDns01(issuer, certificate).route53?.cnameTargets).toEqual({ 'a.example.org': 'a.acme.example.net', 'b.example.org': 'b2.acme.example.net' });
    expect(mergeDns01(undefined, certificate).route53?.cnameTargets).toEqual(certificate.route53.cnameTargets);
    expect('cnameTargets' in (mergeDns01({ cnameStrategy: 'Follow' }, {}).route53 ?? {})).toBe(false);
  });
});
